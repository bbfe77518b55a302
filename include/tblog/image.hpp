#pragma once
// Non-owning views of image data handed to SummaryWriter::add_image / add_images.
// The writer copies the pixels before the call returns, so the buffer may be reused at once.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tblog {

// Elements (count x height x width x channels) one image, batch, video or sprite call may
// hold: the writer copies them before returning, so more is a tblog::Error naming the shape
// (2^31 float elements are 8 GiB), not an allocation failure.
inline constexpr std::uint64_t kMaxImageElements = std::uint64_t{1} << 31;

// uint8 pixels are 0..255; float pixels are 0..1 (clamped) and scaled to 0..255.
enum class PixelType { uint8, float32 };

// Axis order of one image: HW (one channel), HWC (channels last), CHW (channels first).
enum class ImageLayout { HW, HWC, CHW };

// Axis order of a batch: NHW, NHWC, NCHW.
enum class BatchLayout { NHW, NHWC, NCHW };

struct ImageView {
  const void* data = nullptr;
  std::size_t size = 0;  // number of elements in data, checked against the shape
  PixelType pixel = PixelType::uint8;
  ImageLayout layout = ImageLayout::HWC;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::int64_t channels = 1;  // 1 (gray), 3 (RGB) or 4 (RGBA); ignored for HW

  ImageView() = default;
  ImageView(const std::uint8_t* d, std::size_t n, ImageLayout l, std::int64_t h, std::int64_t w,
            std::int64_t c = 1)
      : data(d), size(n), pixel(PixelType::uint8), layout(l), height(h), width(w), channels(c) {}
  ImageView(const float* d, std::size_t n, ImageLayout l, std::int64_t h, std::int64_t w,
            std::int64_t c = 1)
      : data(d), size(n), pixel(PixelType::float32), layout(l), height(h), width(w), channels(c) {}
  ImageView(const std::vector<std::uint8_t>& v, ImageLayout l, std::int64_t h, std::int64_t w,
            std::int64_t c = 1)
      : ImageView(v.data(), v.size(), l, h, w, c) {}
  ImageView(const std::vector<float>& v, ImageLayout l, std::int64_t h, std::int64_t w,
            std::int64_t c = 1)
      : ImageView(v.data(), v.size(), l, h, w, c) {}
  // A view of a temporary would dangle: keep the vector alive while the view is used.
  template <typename T>
  ImageView(const std::vector<T>&&, ImageLayout, std::int64_t, std::int64_t,
            std::int64_t = 1) = delete;
};

struct ImageBatchView {
  const void* data = nullptr;
  std::size_t size = 0;  // number of elements in data, checked against the shape
  PixelType pixel = PixelType::uint8;
  BatchLayout layout = BatchLayout::NCHW;
  std::int64_t count = 0;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::int64_t channels = 1;  // ignored for NHW

  ImageBatchView() = default;
  ImageBatchView(const std::uint8_t* d, std::size_t n, BatchLayout l, std::int64_t count_,
                 std::int64_t h, std::int64_t w, std::int64_t c = 1)
      : data(d), size(n), pixel(PixelType::uint8), layout(l), count(count_), height(h), width(w),
        channels(c) {}
  ImageBatchView(const float* d, std::size_t n, BatchLayout l, std::int64_t count_,
                 std::int64_t h, std::int64_t w, std::int64_t c = 1)
      : data(d), size(n), pixel(PixelType::float32), layout(l), count(count_), height(h),
        width(w), channels(c) {}
  ImageBatchView(const std::vector<std::uint8_t>& v, BatchLayout l, std::int64_t count_,
                 std::int64_t h, std::int64_t w, std::int64_t c = 1)
      : ImageBatchView(v.data(), v.size(), l, count_, h, w, c) {}
  ImageBatchView(const std::vector<float>& v, BatchLayout l, std::int64_t count_, std::int64_t h,
                 std::int64_t w, std::int64_t c = 1)
      : ImageBatchView(v.data(), v.size(), l, count_, h, w, c) {}
  template <typename T>
  ImageBatchView(const std::vector<T>&&, BatchLayout, std::int64_t, std::int64_t, std::int64_t,
                 std::int64_t = 1) = delete;  // would dangle
};

// add_image_with_boxes: a box in pixel coordinates of the image (x right, y down).
struct BoundingBox {
  double x_min = 0;
  double y_min = 0;
  double x_max = 0;
  double y_max = 0;
};

}  // namespace tblog
