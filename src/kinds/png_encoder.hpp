#pragma once
// PNG encoding with libpng, into memory.
#include <cstdint>
#include <string>

namespace tblog::detail {

// pixels: height x width x channels bytes, row-major, channels 1 (gray), 2 (gray+alpha),
// 3 (RGB) or 4 (RGBA). level: zlib level 0..9. Throws tblog::Error if libpng fails.
std::string encode_png(const std::uint8_t* pixels, int height, int width, int channels, int level);

}  // namespace tblog::detail
