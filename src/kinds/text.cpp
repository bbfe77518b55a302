// Text: the layout PyTorch's and tensorboardX's add_text write, a DT_STRING tensor of shape [1]
// holding the markdown, under plugin "text". (The user's tag is kept: PyTorch appends
// "/text_summary", which we do not.)
#include <memory>
#include <string>
#include <utility>

#include "kinds/core_kinds.hpp"
#include "tblog/error.hpp"
#include "format/utf8.hpp"
#include "tblog/summary.pb.h"
#include "kinds/summary_value.hpp"

namespace tblog::detail {
namespace {

class TextPayload final : public Payload {
 public:
  explicit TextPayload(std::string markdown) : markdown_(std::move(markdown)) {}

  void encode_value(const EncodeContext& ctx, std::string& out) override {
    pb::Summary::Value value = start_value(ctx, kText);
    auto* tensor = value.mutable_tensor();
    tensor->set_dtype(pb::DT_STRING);
    tensor->mutable_tensor_shape()->add_dim()->set_size(1);
    tensor->add_string_val(markdown_);
    value.AppendToString(&out);
  }

  std::size_t memory_bytes() const override { return sizeof(*this) + heap_bytes(markdown_); }
 private:
  std::string markdown_;
};

}  // namespace

std::unique_ptr<Payload> make_text_payload(std::string_view markdown) {
  // TensorBoard decodes text as UTF-8; a bad byte would make the whole value unreadable.
  const std::size_t bad = first_invalid_utf8(markdown);
  if (bad != markdown.size()) {
    throw Error("text is not valid UTF-8: byte " + std::to_string(bad) + " of " +
                std::to_string(markdown.size()) + " starts no valid character");
  }
  return std::make_unique<TextPayload>(std::string(markdown));
}

}  // namespace tblog::detail
