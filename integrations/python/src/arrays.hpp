#pragma once
// Reading numpy arrays handed over by the Python layer, which has already converted torch
// tensors, lists and other dtypes; these checks guard the module's own contract.
#include <pybind11/numpy.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "tblog/image.hpp"

namespace tblog::python {

// Element counts of a C-contiguous array, or tblog::Error naming `what`.
inline std::size_t checked_size(const py::array& a, const char* what) {
  if (!(a.flags() & py::array::c_style)) {
    throw Error(std::string(what) + ": the array must be C-contiguous");
  }
  return static_cast<std::size_t>(a.size());
}

inline bool is_dtype(const py::array& a, char kind, py::ssize_t itemsize) {
  const py::dtype dt = a.dtype();
  return dt.kind() == kind && dt.itemsize() == itemsize;
}

inline std::vector<std::int64_t> shape_of(const py::array& a) {
  return std::vector<std::int64_t>(a.shape(), a.shape() + a.ndim());
}

// uint8 or float32 pixels, the two kinds the core takes.
inline PixelType pixel_type_of(const py::array& pixels, const char* what) {
  if (is_dtype(pixels, 'u', 1)) return PixelType::uint8;
  if (is_dtype(pixels, 'f', 4)) return PixelType::float32;
  throw Error(std::string(what) + ": pixels must be uint8 or float32 here");
}

// A batch of images in `layout` (NHW, NHWC or NCHW), checked against the array's shape.
ImageBatchView batch_view(const py::array& pixels, const std::string& layout, const char* what);

// Arrays at least this large are copied with the GIL released, so other Python threads run.
inline constexpr std::size_t kReleaseGilBytes = 64 * 1024;

}  // namespace tblog::python
