#pragma once
// How the image kinds lay out pixels: one image converted to uint8 channels-last (HWC, what
// PNG and GIF take), and several images tiled into one grid image.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kinds/core_kinds.hpp"

namespace tblog::detail {

// Equal cells, filled row by row: image n goes to row n / columns, column n % columns.
// Cells no image fills stay as the canvas was (zero: black, or transparent with alpha).
struct GridLayout {
  std::int64_t rows = 1;
  std::int64_t columns = 1;

  // PyTorch's make_grid, as add_images and add_video use it: min(count, 8) images a row,
  // as many rows as they need, no padding.
  static GridLayout batch(std::int64_t count) {
    if (count < 1) return {};
    const std::int64_t columns = std::min<std::int64_t>(count, 8);
    return {(count + columns - 1) / columns, columns};
  }

  // The projector's sprite: a square, ceil(sqrt(count)) cells a side (rows included, even
  // when the last ones stay empty).
  static GridLayout square(std::int64_t count) {
    if (count < 1) return {};
    auto side = static_cast<std::int64_t>(std::ceil(std::sqrt(static_cast<double>(count))));
    // Exact in integers whatever the floating-point square root gave.
    while (side * side < count) ++side;
    while (side > 1 && (side - 1) * (side - 1) >= count) --side;
    return {side, side};
  }

  // Where row y of cell n starts, in pixels from the start of a grid of cells
  // cell_height x cell_width pixels.
  std::size_t pixel_offset(std::int64_t n, std::size_t y, std::size_t cell_height,
                           std::size_t cell_width) const {
    const auto cols = static_cast<std::size_t>(columns);
    const std::size_t top = cell_height * (static_cast<std::size_t>(n) / cols);
    const std::size_t left = cell_width * (static_cast<std::size_t>(n) % cols);
    return (top + y) * cell_width * cols + left;
  }
};

// Writes one height x width image with `channels` channels as uint8 pixels, channels last,
// at `out`, whose rows are out_row_pixels pixels apart (the width of the image it is part
// of). `image` is HWC, or CHW when channels_first; pixels convert with pixel_to_uint8.
template <typename T>
void copy_image_hwc(const T* image, std::size_t height, std::size_t width, std::size_t channels,
                    bool channels_first, std::uint8_t* out, std::size_t out_row_pixels) {
  const std::size_t out_row = out_row_pixels * channels;
  if (channels_first) {
    for (std::size_t c = 0; c < channels; ++c) {
      for (std::size_t y = 0; y < height; ++y) {
        const T* in = image + (c * height + y) * width;
        std::uint8_t* o = out + y * out_row + c;
        for (std::size_t x = 0; x < width; ++x) o[x * channels] = pixel_to_uint8(in[x]);
      }
    }
    return;
  }
  const std::size_t row = width * channels;
  for (std::size_t y = 0; y < height; ++y) {
    const T* in = image + y * row;
    std::uint8_t* o = out + y * out_row;
    if constexpr (std::is_same_v<T, std::uint8_t>) {
      std::memcpy(o, in, row);
    } else {
      for (std::size_t i = 0; i < row; ++i) o[i] = pixel_to_uint8(in[i]);
    }
  }
}

}  // namespace tblog::detail
