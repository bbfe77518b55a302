// Images handed to the dashboard kinds (sprites of embeddings, images with boxes) as uint8
// pixels, channels last, with add_image's pixel rules.
#include <cstdint>
#include <string>
#include <vector>

#include "kinds/dashboard_kinds.hpp"
#include "kinds/core_kinds.hpp"
#include "kinds/image_grid.hpp"
#include "tblog/error.hpp"

namespace tblog::detail {
namespace {

// Largest image side accepted here: beyond it a PNG or a browser texture is impractical.
constexpr std::int64_t kMaxSide = 1 << 16;

template <typename T>
void convert(const T* src, Pixels& p, bool channels_first) {
  const auto n = static_cast<std::size_t>(p.count);
  const auto h = static_cast<std::size_t>(p.height);
  const auto w = static_cast<std::size_t>(p.width);
  const auto c = static_cast<std::size_t>(p.channels);
  const std::size_t image_size = h * w * c;
  p.data.resize(n * image_size);
  for (std::size_t k = 0; k < n; ++k) {
    copy_image_hwc(src + k * image_size, h, w, c, channels_first, p.data.data() + k * image_size, w);
  }
}

Pixels to_pixels(const void* data, std::size_t size, PixelType pixel, std::int64_t count,
                 std::int64_t height, std::int64_t width, std::int64_t channels,
                 bool has_channels, bool channels_first, const std::string& arg) {
  Pixels p;
  p.count = count;
  p.height = height;
  p.width = width;
  p.channels = has_channels ? channels : 1;
  check_image_shape(arg, data, size, p.count, p.height, p.width, p.channels, has_channels,
                    /*is_batch=*/true, 1, 1, kMaxSide);
  if (pixel == PixelType::uint8) {
    convert(static_cast<const std::uint8_t*>(data), p, channels_first);
  } else {
    convert(static_cast<const float*>(data), p, channels_first);
  }
  return p;
}

}  // namespace

Pixels image_pixels(const ImageView& image, const std::string& arg) {
  return to_pixels(image.data, image.size, image.pixel, 1, image.height, image.width,
                   image.channels, image.layout != ImageLayout::HW,
                   image.layout == ImageLayout::CHW, arg);
}

Pixels batch_pixels(const ImageBatchView& batch, const std::string& arg) {
  return to_pixels(batch.data, batch.size, batch.pixel, batch.count, batch.height, batch.width,
                   batch.channels, batch.layout != BatchLayout::NHW,
                   batch.layout == BatchLayout::NCHW, arg);
}

}  // namespace tblog::detail
