#pragma once
// Arguments of SummaryWriter::add_tensor: any tensor, under any plugin's metadata.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tblog {

// TensorFlow's DataType codes, as TensorBoard reads them.
enum class DataType : int {
  float32 = 1,
  float64 = 2,
  int32 = 3,
  uint8 = 4,
  int16 = 5,
  int8 = 6,
  string = 7,
  int64 = 9,
  boolean = 10,
};

// A dense tensor, row-major; not owned: add_tensor copies it. Numbers are written as
// tensor_content (little-endian bytes), strings as string_val.
struct TensorView {
  DataType dtype = DataType::float32;
  std::vector<std::int64_t> shape;  // empty: a scalar
  const void* data = nullptr;  // numeric elements; for DataType::boolean, a uint8 view with
                               // dtype set to boolean (one byte each, 0 or 1)
  std::size_t size = 0;             // number of elements, checked against the shape
  const std::string* strings = nullptr;  // DataType::string: `size` strings

  TensorView() = default;
  TensorView(const float* d, std::size_t n, std::vector<std::int64_t> s)
      : dtype(DataType::float32), shape(std::move(s)), data(d), size(n) {}
  TensorView(const double* d, std::size_t n, std::vector<std::int64_t> s)
      : dtype(DataType::float64), shape(std::move(s)), data(d), size(n) {}
  TensorView(const std::int32_t* d, std::size_t n, std::vector<std::int64_t> s)
      : dtype(DataType::int32), shape(std::move(s)), data(d), size(n) {}
  TensorView(const std::int64_t* d, std::size_t n, std::vector<std::int64_t> s)
      : dtype(DataType::int64), shape(std::move(s)), data(d), size(n) {}
  TensorView(const std::uint8_t* d, std::size_t n, std::vector<std::int64_t> s)
      : dtype(DataType::uint8), shape(std::move(s)), data(d), size(n) {}
  TensorView(const std::string* d, std::size_t n, std::vector<std::int64_t> s)
      : dtype(DataType::string), shape(std::move(s)), size(n), strings(d) {}
  template <typename T>
  TensorView(const std::vector<T>& v, std::vector<std::int64_t> s)
      : TensorView(v.data(), v.size(), std::move(s)) {}
  template <typename T>
  TensorView(const std::vector<T>&& v, std::vector<std::int64_t> s) = delete;  // would dangle
};

// SummaryMetadata of a tag: which plugin reads it, and what it shows.
struct PluginInfo {
  std::string name;     // the plugin's name ("scalars", "text", "my_plugin", ...); may be empty
  std::string content;  // the plugin's own serialized PluginData content
  std::string display_name;
  std::string description;
  enum class DataClass { unknown = 0, scalar = 1, tensor = 2, blob_sequence = 3 };
  DataClass data_class = DataClass::unknown;
};

}  // namespace tblog
