// Images, in the legacy `image` field (PNG bytes) that TensorBoard's image plugin converts
// itself, with PyTorch's pixel rules:
// - float pixels become uint8 as trunc(clamp(x * 255, 0, 255)), x * 255 computed in float
//   (PyTorch: `(x * 255).clip(0, 255).astype(np.uint8)`); NaN becomes 0.
// - a batch becomes one grid (PyTorch's make_grid): min(n, 8) images a row, no padding,
//   unused cells of the last row black (transparent for RGBA).
// One-channel images stay one-channel PNGs (colorspace 1); PyTorch repeats the channel into
// RGB, which TensorBoard shows the same while the PNG costs three times as much.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "kinds/png_encoder.hpp"
#include "kinds/core_kinds.hpp"
#include "kinds/image_grid.hpp"
#include "kinds/payload_buffer.hpp"
#include "tblog/error.hpp"
#include "tblog/summary.pb.h"
#include "kinds/summary_value.hpp"

namespace tblog::detail {
namespace {

constexpr std::int64_t kMaxPngSide = 0x7FFFFFFF;  // PNG stores width and height in 31 bits

struct Shape {
  std::int64_t count = 1;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::int64_t channels = 1;
  BatchLayout layout = BatchLayout::NHWC;
  PixelType pixel = PixelType::uint8;

  GridLayout grid() const { return GridLayout::batch(count); }
};

// Copies image n of the batch into its cell of the HWC grid canvas, converting pixels.
template <typename T>
void place_in_grid(const T* src, const Shape& s, const GridLayout& grid, std::int64_t n,
                   std::uint8_t* canvas) {
  const auto h = static_cast<std::size_t>(s.height);
  const auto w = static_cast<std::size_t>(s.width);
  const auto c = static_cast<std::size_t>(s.channels);
  // NHWC and NHW (one channel) share the channels-last order.
  copy_image_hwc(src + static_cast<std::size_t>(n) * h * w * c, h, w, c,
                 s.layout == BatchLayout::NCHW, canvas + grid.pixel_offset(n, 0, h, w) * c,
                 w * static_cast<std::size_t>(grid.columns));
}

class ImagePayload final : public Payload {
 public:
  ImagePayload(const Shape& shape, PayloadBuffer data) : shape_(shape), data_(std::move(data)) {}
  std::size_t memory_bytes() const override { return sizeof(*this) + data_.capacity(); }
  bool encodes_slowly() const override { return true; }

  void encode_value(const EncodeContext& ctx, std::string& out) override {
    const Shape& s = shape_;
    const GridLayout grid = s.grid();
    const std::int64_t height = s.height * grid.rows;
    const std::int64_t width = s.width * grid.columns;
    std::string png;
    if (s.count == 1 && s.pixel == PixelType::uint8 && s.layout != BatchLayout::NCHW) {
      png = encode_png(data_.data(), static_cast<int>(height), static_cast<int>(width),
                       static_cast<int>(s.channels), ctx.png_compression_level);
    } else {
      std::vector<std::uint8_t> canvas(static_cast<std::size_t>(height) *
                                       static_cast<std::size_t>(width) *
                                       static_cast<std::size_t>(s.channels));
      for (std::int64_t n = 0; n < s.count; ++n) {
        if (s.pixel == PixelType::uint8) {
          place_in_grid(reinterpret_cast<const std::uint8_t*>(data_.data()), s, grid, n,
                        canvas.data());
        } else {
          place_in_grid(reinterpret_cast<const float*>(data_.data()), s, grid, n, canvas.data());
        }
      }
      png = encode_png(canvas.data(), static_cast<int>(height), static_cast<int>(width),
                       static_cast<int>(s.channels), ctx.png_compression_level);
    }

    append_image_value(ctx, height, width, static_cast<int>(s.channels), std::move(png), out);
  }

 private:
  Shape shape_;
  PayloadBuffer data_;  // the caller's elements, uint8 or float, as given
};

// a * b, or false when it does not fit in 64 bits.
bool multiply(std::uint64_t a, std::uint64_t b, std::uint64_t* product) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return false;
  *product = a * b;
  return true;
}

// Checks the shape as the caller described it; the PNG's sides (a grid for a batch) must fit.
void validate(const char* arg, const void* data, std::size_t size, const Shape& s,
              bool has_channels, bool is_batch) {
  // (A count below 1 gets a 1 x 1 grid; check_image_shape rejects it.)
  const GridLayout grid = s.grid();
  check_image_shape(arg, data, size, s.count, s.height, s.width, s.channels, has_channels,
                    is_batch, grid.rows, grid.columns, kMaxPngSide);
}

std::unique_ptr<Payload> make_payload(const void* data, const Shape& shape, std::size_t size) {
  const std::size_t bytes =
      size * (shape.pixel == PixelType::uint8 ? sizeof(std::uint8_t) : sizeof(float));
  return std::make_unique<ImagePayload>(shape, PayloadBuffer(data, bytes));
}

}  // namespace

void check_image_shape(const std::string& arg, const void* data, std::size_t size,
                       std::int64_t count, std::int64_t height, std::int64_t width,
                       std::int64_t channels, bool has_channels, bool is_batch,
                       std::int64_t grid_rows, std::int64_t grid_columns, std::int64_t max_side) {
  if (data == nullptr) throw Error(arg + ".data is null");
  if (count <= 0) throw Error(arg + ".count must be > 0, got " + std::to_string(count));
  if (height <= 0) throw Error(arg + ".height must be > 0, got " + std::to_string(height));
  if (width <= 0) throw Error(arg + ".width must be > 0, got " + std::to_string(width));
  if (has_channels && channels != 1 && channels != 3 && channels != 4) {
    throw Error(arg + ".channels must be 1, 3 or 4, got " + std::to_string(channels));
  }
  if (height > max_side / grid_rows) {
    throw Error(arg + ".height is " + std::to_string(height) + ": the image would be taller than " +
                std::to_string(max_side) + " pixels");
  }
  if (width > max_side / grid_columns) {
    throw Error(arg + ".width is " + std::to_string(width) + ": the image would be wider than " +
                std::to_string(max_side) + " pixels");
  }
  std::uint64_t expected = static_cast<std::uint64_t>(count);
  const bool fits = multiply(expected, static_cast<std::uint64_t>(height), &expected) &&
                    multiply(expected, static_cast<std::uint64_t>(width), &expected) &&
                    multiply(expected, static_cast<std::uint64_t>(channels), &expected);
  const std::string dims = (is_batch ? std::to_string(count) + " x " : std::string()) +
                           std::to_string(height) + " x " + std::to_string(width) + " x " +
                           std::to_string(channels);
  if (!fits || expected > kMaxImageElements) {
    throw Error(arg + ": the shape (" + dims + ") holds " +
                (fits ? std::to_string(expected) : std::string("more than 2^64")) +
                " elements, above the " + std::to_string(kMaxImageElements) + " one call may copy");
  }
  if (expected != size) {
    throw Error(arg + ".size is " + std::to_string(size) + " elements, but the shape (" + dims +
                ") needs " + std::to_string(expected));
  }
}

void append_image_value(const EncodeContext& ctx, std::int64_t height, std::int64_t width,
                        int colorspace, std::string encoded, std::string& out) {
  pb::Summary::Value value = start_value(ctx, kImages);
  auto* image = value.mutable_image();
  image->set_height(static_cast<std::int32_t>(height));
  image->set_width(static_cast<std::int32_t>(width));
  image->set_colorspace(colorspace);
  image->set_encoded_image_string(std::move(encoded));
  value.AppendToString(&out);
}

std::unique_ptr<Payload> make_image_payload(const ImageView& image) {
  Shape s;
  s.count = 1;
  s.height = image.height;
  s.width = image.width;
  s.pixel = image.pixel;
  switch (image.layout) {
    case ImageLayout::HW:
      s.layout = BatchLayout::NHW;
      s.channels = 1;
      break;
    case ImageLayout::HWC:
      s.layout = BatchLayout::NHWC;
      s.channels = image.channels;
      break;
    case ImageLayout::CHW:
      s.layout = BatchLayout::NCHW;
      s.channels = image.channels;
      break;
  }
  validate("image", image.data, image.size, s, image.layout != ImageLayout::HW,
           /*is_batch=*/false);
  return make_payload(image.data, s, image.size);
}

std::unique_ptr<Payload> make_image_batch_payload(const ImageBatchView& batch) {
  Shape s;
  s.count = batch.count;
  s.height = batch.height;
  s.width = batch.width;
  s.pixel = batch.pixel;
  s.layout = batch.layout;
  s.channels = batch.layout == BatchLayout::NHW ? 1 : batch.channels;
  validate("batch", batch.data, batch.size, s, batch.layout != BatchLayout::NHW,
           /*is_batch=*/true);
  return make_payload(batch.data, s, batch.size);
}

}  // namespace tblog::detail
