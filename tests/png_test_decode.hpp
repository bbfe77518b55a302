#pragma once
// Decodes PNG bytes back to pixels with libpng, for tests that check what an image summary holds.
#include <png.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tblog::test {

struct DecodedPng {
  bool ok = false;
  std::string error;
  int width = 0;
  int height = 0;
  int channels = 0;                  // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA, as stored in the file
  std::vector<std::uint8_t> pixels;  // height x width x channels, row-major

  std::uint8_t at(int y, int x, int c) const {
    return pixels[(static_cast<std::size_t>(y) * width + x) * channels + c];
  }
};

inline DecodedPng decode_png(const std::string& bytes) {
  DecodedPng d;
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    d.error = image.message;
    return d;
  }
  // Keep the file's own channel layout; 8-bit output leaves sRGB samples untouched.
  image.format &= PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA;
  d.width = static_cast<int>(image.width);
  d.height = static_cast<int>(image.height);
  d.channels = static_cast<int>(PNG_IMAGE_SAMPLE_CHANNELS(image.format));
  d.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, d.pixels.data(), 0, nullptr)) {
    d.error = image.message;
    png_image_free(&image);
    return d;
  }
  d.ok = true;
  return d;
}

}  // namespace tblog::test
