// add_tensor (any tensor under any plugin) and add_scalar's tensor formats: a Summary.Value
// holding a TensorProto, with the plugin's metadata on the tag's first value in a file.
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "format/plugin_names.hpp"
#include "format/utf8.hpp"
#include "kinds/core_kinds.hpp"
#include "kinds/summary_value.hpp"
#include "tblog/error.hpp"
#include "tblog/summary.pb.h"

namespace tblog::detail {
namespace {

std::size_t element_size(DataType dtype) {
  switch (dtype) {
    case DataType::float32: return 4;
    case DataType::float64: return 8;
    case DataType::int32: return 4;
    case DataType::uint8: return 1;
    case DataType::int16: return 2;
    case DataType::int8: return 1;
    case DataType::int64: return 8;
    case DataType::boolean: return 1;
    case DataType::string: return 0;
  }
  return 0;
}

class TensorPayload final : public Payload {
 public:
  TensorPayload(DataType dtype, std::vector<std::int64_t> shape, std::string content,
                std::vector<std::string> strings, PluginInfo plugin)
      : dtype_(dtype), shape_(std::move(shape)), content_(std::move(content)),
        strings_(std::move(strings)), plugin_(std::move(plugin)) {}

  void encode_value(const EncodeContext& ctx, std::string& out) override {
    pb::Summary::Value value = start_value(ctx, plugin_.name, plugin_.content);
    if (ctx.first_in_file) {
      auto* metadata = value.mutable_metadata();
      metadata->set_display_name(plugin_.display_name);
      metadata->set_summary_description(plugin_.description);
      metadata->set_data_class(static_cast<pb::DataClass>(plugin_.data_class));
    }
    auto* tensor = value.mutable_tensor();
    tensor->set_dtype(static_cast<pb::DataType>(dtype_));
    auto* shape = tensor->mutable_tensor_shape();
    for (std::int64_t d : shape_) shape->add_dim()->set_size(d);
    if (dtype_ == DataType::string) {
      for (auto& s : strings_) tensor->add_string_val(std::move(s));
    } else {
      tensor->set_tensor_content(std::move(content_));
    }
    value.AppendToString(&out);
  }

  std::size_t memory_bytes() const override {
    std::size_t bytes = sizeof(*this) + heap_bytes(shape_) + heap_bytes(content_) + heap_bytes(strings_);
    for (const std::string& s : strings_) bytes += heap_bytes(s);
    return bytes;
  }
 private:
  DataType dtype_;
  std::vector<std::int64_t> shape_;
  std::string content_;
  std::vector<std::string> strings_;
  PluginInfo plugin_;
};

// PyTorch's new_style scalars: a rank-0 tensor in float_val (double_val for double
// precision) under plugin "scalars", so the same bytes as PyTorch's.
class ScalarTensorPayload final : public Payload {
 public:
  ScalarTensorPayload(double value, bool double_precision)
      : value_(value), double_precision_(double_precision) {}

  void encode_value(const EncodeContext& ctx, std::string& out) override {
    pb::Summary::Value value = start_value(ctx, kScalars);
    auto* tensor = value.mutable_tensor();
    tensor->mutable_tensor_shape();
    if (double_precision_) {
      tensor->set_dtype(pb::DT_DOUBLE);
      tensor->add_double_val(value_);
    } else {
      tensor->set_dtype(pb::DT_FLOAT);
      tensor->add_float_val(static_cast<float>(value_));
    }
    value.AppendToString(&out);
  }

 private:
  double value_;
  bool double_precision_;
};

}  // namespace

std::unique_ptr<Payload> make_tensor_payload(const TensorView& tensor, const PluginInfo& plugin) {
  const std::size_t width = element_size(tensor.dtype);
  if (width == 0 && tensor.dtype != DataType::string) {
    throw Error("add_tensor: tensor.dtype " + std::to_string(static_cast<int>(tensor.dtype)) +
                " is not a DataType tblog writes");
  }
  std::uint64_t elements = 1;
  for (std::size_t i = 0; i < tensor.shape.size(); ++i) {
    const std::int64_t d = tensor.shape[i];
    if (d < 0) {
      throw Error("add_tensor: tensor.shape[" + std::to_string(i) + "] is " + std::to_string(d) +
                  "; dimensions are not negative");
    }
    if (d != 0 && elements > std::numeric_limits<std::uint64_t>::max() / static_cast<std::uint64_t>(d)) {
      throw Error("add_tensor: tensor.shape has more elements than a tensor can hold");
    }
    elements *= static_cast<std::uint64_t>(d);
  }
  if (elements != tensor.size) {
    throw Error("add_tensor: tensor.size is " + std::to_string(tensor.size) +
                " but tensor.shape holds " + std::to_string(elements) + " elements");
  }
  if (plugin.data_class < PluginInfo::DataClass::unknown ||
      plugin.data_class > PluginInfo::DataClass::blob_sequence) {
    throw Error("add_tensor: plugin.data_class is not one of unknown, scalar, tensor, blob_sequence");
  }
  for (const std::string* field : {&plugin.name, &plugin.display_name, &plugin.description}) {
    if (first_invalid_utf8(*field) != field->size()) {
      throw Error("add_tensor: plugin name, display name and description must be valid UTF-8");
    }
  }
  std::string content;
  std::vector<std::string> strings;
  if (tensor.dtype == DataType::string) {
    if (tensor.size != 0 && tensor.strings == nullptr) throw Error("add_tensor: tensor.strings is null");
    strings.assign(tensor.strings, tensor.strings + tensor.size);
  } else {
    if (tensor.size != 0 && tensor.data == nullptr) throw Error("add_tensor: tensor.data is null");
    if (tensor.size > std::numeric_limits<std::size_t>::max() / width) {
      throw Error("add_tensor: tensor.size is too large");
    }
    content.assign(static_cast<const char*>(tensor.data), tensor.size * width);
    if (tensor.dtype == DataType::boolean) {
      for (std::size_t i = 0; i < content.size(); ++i) {
        if (content[i] != 0 && content[i] != 1) {
          throw Error("add_tensor: boolean element " + std::to_string(i) + " is neither 0 nor 1");
        }
      }
    }
  }
  return std::make_unique<TensorPayload>(tensor.dtype, tensor.shape, std::move(content),
                                         std::move(strings), plugin);
}

std::unique_ptr<Payload> make_scalar_tensor_payload(double value, ScalarFormat format) {
  return std::make_unique<ScalarTensorPayload>(value, format == ScalarFormat::double_tensor);
}

}  // namespace tblog::detail
