#include "kinds/png_encoder.hpp"

#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "tblog/error.hpp"

namespace tblog::detail {
namespace {

// What the libpng callbacks share. Plain data only: libpng leaves write_png by longjmp.
struct PngWriteState {
  std::string* out;
  char message[200];
};

void on_png_error(png_structp png, png_const_charp message) {
  auto* state = static_cast<PngWriteState*>(png_get_error_ptr(png));
  std::snprintf(state->message, sizeof state->message, "%s", message ? message : "unknown error");
  png_longjmp(png, 1);
}

// Warnings concern optional details of the file (never the pixels); nothing to report.
void on_png_warning(png_structp, png_const_charp) {}

void on_png_write(png_structp png, png_bytep data, png_size_t length) {
  auto* state = static_cast<PngWriteState*>(png_get_io_ptr(png));
  bool appended = false;
  // An exception must not unwind through libpng's C frames: report it as a libpng error.
  try {
    state->out->append(reinterpret_cast<const char*>(data), length);
    appended = true;
  } catch (...) {
  }
  if (!appended) png_error(png, "out of memory for the encoded PNG");
}

void on_png_flush(png_structp) {}

int png_color_type(int channels) {
  switch (channels) {
    case 1:
      return PNG_COLOR_TYPE_GRAY;
    case 2:
      return PNG_COLOR_TYPE_GRAY_ALPHA;
    case 3:
      return PNG_COLOR_TYPE_RGB;
    default:
      return PNG_COLOR_TYPE_RGB_ALPHA;
  }
}

// Filters and zlib strategy per level. After filtering, a photo is mostly small residuals
// that Huffman coding handles and long-distance matches are rare, so zlib's string matching
// costs time and saves nothing there: at level 1 a photo-like image goes Huffman-only (half
// the time of the run-length strategy, the same size), while an image whose residuals are
// mostly zero (flat areas, drawings, masks) keeps run-length coding, which shrinks those
// runs many times over. Level 1 uses the cheap SUB filter alone; 2-3 let libpng try every
// filter per row (slower, smaller) with run-length coding; 4-9 use zlib's full search, which
// also finds the repeats in drawn or synthetic images.
struct PngTuning {
  int filters;
  int strategy;  // -1: libpng's default
};

// Whether most SUB-filtered bytes of a sample of rows (one in eight) are zero.
bool mostly_flat(const std::uint8_t* pixels, int height, int width, int channels) {
  const std::size_t row_bytes = static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  const auto step = static_cast<std::size_t>(channels);
  std::size_t zeros = 0;
  std::size_t sampled = 0;
  for (int y = 0; y < height; y += 8) {
    const std::uint8_t* row = pixels + static_cast<std::size_t>(y) * row_bytes;
    for (std::size_t i = step; i < row_bytes; ++i) zeros += row[i] == row[i - step];
    sampled += row_bytes - std::min(step, row_bytes);
  }
  return zeros * 2 > sampled;
}

PngTuning png_tuning_for(int level, const std::uint8_t* pixels, int height, int width,
                         int channels) {
  if (level == 0) return {PNG_FILTER_NONE, -1};
  if (level == 1) {
    return {PNG_FILTER_SUB,
            mostly_flat(pixels, height, width, channels) ? Z_RLE : Z_HUFFMAN_ONLY};
  }
  if (level <= 3) return {PNG_ALL_FILTERS, Z_RLE};
  return {PNG_ALL_FILTERS, -1};
}

// Returns false, with state.message set, when libpng fails. No object with a destructor
// lives here, because a libpng error jumps out of the middle of it.
bool write_png(PngWriteState& state, const std::uint8_t* pixels, int height, int width,
               int channels, int level) {
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, on_png_error, on_png_warning);
  if (png == nullptr) {
    std::snprintf(state.message, sizeof state.message, "cannot create the libpng writer");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    std::snprintf(state.message, sizeof state.message, "cannot create the libpng info");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, &state, on_png_write, on_png_flush);
  // libpng's default cap of 1,000,000 pixels a side is a reading safeguard; PNG allows 2^31-1.
  png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               png_color_type(channels), PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  const PngTuning tuning = png_tuning_for(level, pixels, height, width, channels);
  png_set_compression_level(png, level);
  if (tuning.strategy >= 0) png_set_compression_strategy(png, tuning.strategy);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, tuning.filters);
  png_write_info(png, info);
  const std::size_t row_bytes =
      static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  for (int y = 0; y < height; ++y) {
    png_write_row(png, pixels + static_cast<std::size_t>(y) * row_bytes);
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

std::string encode_png(const std::uint8_t* pixels, int height, int width, int channels, int level) {
  if (pixels == nullptr) throw Error("encode_png: pixels is null");
  if (height <= 0 || width <= 0) {
    throw Error("encode_png: height and width must be > 0, got height " + std::to_string(height) +
                ", width " + std::to_string(width));
  }
  if (channels < 1 || channels > 4) {
    throw Error("encode_png: channels must be 1, 2, 3 or 4, got " + std::to_string(channels));
  }
  if (level < 0 || level > 9) {
    throw Error("encode_png: level must be 0..9, got " + std::to_string(level));
  }
  std::string out;
  // Rough guess of the compressed size, to avoid most regrowth of the buffer.
  out.reserve(static_cast<std::size_t>(height) * static_cast<std::size_t>(width) *
                  static_cast<std::size_t>(channels) / 2 +
              128);
  PngWriteState state{&out, {}};
  if (!write_png(state, pixels, height, width, channels, level)) {
    throw Error(std::string("encode_png: libpng failed: ") + state.message);
  }
  return out;
}

}  // namespace tblog::detail
