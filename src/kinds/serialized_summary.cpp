// add_summary: a Summary the caller serialized itself (PyTorch's add_summary), written as
// Event.summary unchanged. It is parsed once on the caller's thread so that bytes that are not
// a Summary are refused there, before anything is enqueued.
#include <memory>
#include <string>

#include "format/wire_writer.hpp"
#include "kinds/core_kinds.hpp"
#include "tblog/error.hpp"
#include "tblog/summary.pb.h"

namespace tblog::detail {
namespace {

class SerializedSummaryPayload final : public Payload {
 public:
  explicit SerializedSummaryPayload(std::string bytes) : bytes_(std::move(bytes)) {}
  Output output() const override { return Output::event_fields; }
  void encode_value(const EncodeContext&, std::string& out) override {
    wire::append_bytes(out, 5, bytes_);  // Event.summary
  }

  std::size_t memory_bytes() const override { return sizeof(*this) + heap_bytes(bytes_); }
 private:
  std::string bytes_;
};

}  // namespace

std::unique_ptr<Payload> make_serialized_summary_payload(std::string_view bytes) {
  pb::Summary summary;
  if (!summary.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
      bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw Error("add_summary: the " + std::to_string(bytes.size()) +
                " bytes given are not a serialized tensorboard Summary");
  }
  for (int i = 0; i < summary.value_size(); ++i) {
    if (summary.value(i).tag().empty()) {
      throw Error("add_summary: value " + std::to_string(i) + " of the Summary has no tag");
    }
  }
  return std::make_unique<SerializedSummaryPayload>(std::string(bytes));
}

}  // namespace tblog::detail
