// Video: an animated GIF in the legacy `image` field under plugin "images", as PyTorch's
// add_video writes it; the Images dashboard shows it (browsers play GIFs). Several videos
// are tiled frame by frame into one grid, up to 8 a row, like add_images.
//
// GIF holds at most 256 colours a frame. Colour frames are mapped onto one fixed palette, a
// 6 x 7 x 6 RGB cube (252 colours; green gets the extra level, the eye sees it best), by
// rounding each channel to its nearest level through lookup tables. Unlike an adaptive
// palette (median cut) it needs no pass over the video to build, costs one table lookup a
// pixel, and maps a colour the same way in every frame, so still areas do not flicker; the
// price is visible banding in smooth gradients (at most half a level, ~21-25 of 255, off per
// channel). No dithering, for the same flicker reason. Gray videos (C = 1) use a 256-level
// gray palette and are exact. An alpha channel (C = 4) is dropped.
#include <gif_lib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kinds/dashboard_kinds.hpp"
#include "kinds/core_kinds.hpp"
#include "kinds/image_grid.hpp"
#include "tblog/error.hpp"

namespace tblog::detail {
namespace {

constexpr std::int64_t kMaxGifSide = 65535;  // GIF stores sizes in 16 bits
constexpr int kRedLevels = 6, kGreenLevels = 7, kBlueLevels = 6;

struct CubeTables {
  std::array<std::uint8_t, 256> red, green, blue;  // byte -> palette index contribution
  CubeTables() {
    for (int v = 0; v < 256; ++v) {
      red[v] = static_cast<std::uint8_t>((v * (kRedLevels - 1) + 127) / 255 * kGreenLevels * kBlueLevels);
      green[v] = static_cast<std::uint8_t>((v * (kGreenLevels - 1) + 127) / 255 * kBlueLevels);
      blue[v] = static_cast<std::uint8_t>((v * (kBlueLevels - 1) + 127) / 255);
    }
  }
};

std::vector<GifColorType> palette(bool gray) {
  std::vector<GifColorType> colors(256, GifColorType{0, 0, 0});
  if (gray) {
    for (int v = 0; v < 256; ++v) {
      const auto b = static_cast<GifByteType>(v);
      colors[static_cast<std::size_t>(v)] = GifColorType{b, b, b};
    }
    return colors;
  }
  for (int r = 0; r < kRedLevels; ++r) {
    for (int g = 0; g < kGreenLevels; ++g) {
      for (int b = 0; b < kBlueLevels; ++b) {
        colors[static_cast<std::size_t>((r * kGreenLevels + g) * kBlueLevels + b)] = GifColorType{
            static_cast<GifByteType>((r * 255 + (kRedLevels - 1) / 2) / (kRedLevels - 1)),
            static_cast<GifByteType>((g * 255 + (kGreenLevels - 1) / 2) / (kGreenLevels - 1)),
            static_cast<GifByteType>((b * 255 + (kBlueLevels - 1) / 2) / (kBlueLevels - 1))};
      }
    }
  }
  return colors;
}

int append_output(GifFileType* gif, const GifByteType* bytes, int n) {
  static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<const char*>(bytes),
                                                  static_cast<std::size_t>(n));
  return n;
}

void check_gif(int rc, GifFileType* gif, const char* what) {
  if (rc != GIF_OK) {
    throw Error(std::string("GIF encoding failed at ") + what + ": " + GifErrorString(gif->Error));
  }
}

class VideoPayload final : public Payload {
 public:
  VideoPayload(std::vector<std::uint8_t> data, const VideoView& shape, int delay_cs)
      : data_(std::move(data)), shape_(shape), delay_cs_(delay_cs) {
    shape_.data = nullptr;
  }

  bool encodes_slowly() const override { return true; }
  void encode_value(const EncodeContext& ctx, std::string& out) override {
    const VideoView& s = shape_;
    const GridLayout grid = GridLayout::batch(s.count);
    const auto height = static_cast<std::size_t>(s.height * grid.rows);
    const auto width = static_cast<std::size_t>(s.width * grid.columns);
    const bool gray = s.channels == 1;
    const auto c = static_cast<std::size_t>(s.channels);
    const auto h = static_cast<std::size_t>(s.height);
    const auto w = static_cast<std::size_t>(s.width);
    const auto t_count = static_cast<std::size_t>(s.frames);
    static const CubeTables tables;

    // Palette indices of every frame of the grid; unused grid cells stay index 0 (black).
    std::vector<std::uint8_t> indices(t_count * height * width, 0);
    for (std::size_t n = 0; n < static_cast<std::size_t>(s.count); ++n) {
      for (std::size_t t = 0; t < t_count; ++t) {
        const std::uint8_t* frame = data_.data() + ((n * t_count + t) * h * w) * c;
        std::uint8_t* frame_indices = indices.data() + t * height * width;
        for (std::size_t y = 0; y < h; ++y) {
          const std::uint8_t* in = frame + y * w * c;
          std::uint8_t* o =
              frame_indices + grid.pixel_offset(static_cast<std::int64_t>(n), y, h, w);
          if (gray) {
            std::memcpy(o, in, w);
          } else {
            for (std::size_t x = 0; x < w; ++x, in += c) {
              o[x] = static_cast<std::uint8_t>(tables.red[in[0]] + tables.green[in[1]] +
                                               tables.blue[in[2]]);
            }
          }
        }
      }
    }
    std::string gif_bytes = encode_gif_indices(indices, static_cast<int>(t_count),
                                               static_cast<int>(height), static_cast<int>(width),
                                               gray, delay_cs_);

    append_image_value(ctx, static_cast<std::int64_t>(height), static_cast<std::int64_t>(width),
                       gray ? 1 : 3, std::move(gif_bytes), out);
  }

  static std::string encode_gif_indices(std::vector<std::uint8_t>& indices, int frames,
                                        int height, int width, bool gray, int delay_cs);

  std::size_t memory_bytes() const override { return sizeof(*this) + heap_bytes(data_); }
 private:
  std::vector<std::uint8_t> data_;
  VideoView shape_;
  int delay_cs_;
};

std::string VideoPayload::encode_gif_indices(std::vector<std::uint8_t>& indices, int frames,
                                             int height, int width, bool gray, int delay_cs) {
  std::string out;
  int err = 0;
  GifFileType* gif = EGifOpen(&out, append_output, &err);
  if (gif == nullptr) throw Error(std::string("cannot start a GIF: ") + GifErrorString(err));
  // Closes (and frees) the encoder on every path.
  struct Closer {
    GifFileType* gif;
    ~Closer() {
      if (gif) {
        int e = 0;
        EGifCloseFile(gif, &e);
      }
    }
  } closer{gif};

  const std::vector<GifColorType> colors = palette(gray);
  ColorMapObject* map = GifMakeMapObject(256, colors.data());
  if (map == nullptr) throw Error("cannot make a GIF palette");
  EGifSetGifVersion(gif, true);
  const int rc = EGifPutScreenDesc(gif, width, height, 8, 0, map);
  GifFreeMapObject(map);
  check_gif(rc, gif, "the screen descriptor");

  // NETSCAPE2.0 application extension: loop forever.
  static const GifByteType kNetscape[] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
  static const GifByteType kLoop[] = {1, 0, 0};
  check_gif(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), gif, "the loop extension");
  check_gif(EGifPutExtensionBlock(gif, sizeof kNetscape, kNetscape), gif, "the loop extension");
  check_gif(EGifPutExtensionBlock(gif, sizeof kLoop, kLoop), gif, "the loop extension");
  check_gif(EGifPutExtensionTrailer(gif), gif, "the loop extension");

  GraphicsControlBlock gcb{};
  gcb.DisposalMode = DISPOSE_DO_NOT;
  gcb.UserInputFlag = false;
  gcb.DelayTime = delay_cs;
  gcb.TransparentColor = NO_TRANSPARENT_COLOR;
  GifByteType ext[4];
  const size_t ext_len = EGifGCBToExtension(&gcb, ext);
  const auto frame_size = static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
  for (int t = 0; t < frames; ++t) {
    check_gif(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(ext_len), ext), gif,
              "a frame's delay");
    check_gif(EGifPutImageDesc(gif, 0, 0, width, height, false, nullptr), gif, "a frame");
    check_gif(EGifPutLine(gif, indices.data() + static_cast<std::size_t>(t) * frame_size,
                          static_cast<int>(frame_size)),
              gif, "a frame's pixels");
  }
  closer.gif = nullptr;
  if (EGifCloseFile(gif, &err) != GIF_OK) {
    throw Error(std::string("GIF encoding failed at the end: ") + GifErrorString(err));
  }
  return out;
}

}  // namespace

std::string encode_gif(const std::uint8_t* pixels, int frames, int height, int width, bool gray,
                       int delay_cs) {
  static const CubeTables tables;
  const std::size_t n = static_cast<std::size_t>(frames) * static_cast<std::size_t>(height) *
                        static_cast<std::size_t>(width);
  std::vector<std::uint8_t> indices(n);
  for (std::size_t i = 0; i < n; ++i) {
    indices[i] = gray ? pixels[i]
                      : static_cast<std::uint8_t>(tables.red[pixels[3 * i]] +
                                                  tables.green[pixels[3 * i + 1]] +
                                                  tables.blue[pixels[3 * i + 2]]);
  }
  return VideoPayload::encode_gif_indices(indices, frames, height, width, gray, delay_cs);
}

std::unique_ptr<Payload> make_video_payload(const VideoView& video, double fps) {
  const std::string a = "add_video: video";
  if (video.data == nullptr) throw Error(a + ".data is null");
  if (video.count <= 0) throw Error(a + ".count must be > 0, got " + std::to_string(video.count));
  if (video.frames <= 0) throw Error(a + ".frames must be > 0, got " + std::to_string(video.frames));
  if (video.height <= 0) throw Error(a + ".height must be > 0, got " + std::to_string(video.height));
  if (video.width <= 0) throw Error(a + ".width must be > 0, got " + std::to_string(video.width));
  if (video.channels != 1 && video.channels != 3 && video.channels != 4) {
    throw Error(a + ".channels must be 1, 3 or 4, got " + std::to_string(video.channels));
  }
  const GridLayout grid = GridLayout::batch(video.count);
  if (video.height > kMaxGifSide / grid.rows || video.width > kMaxGifSide / grid.columns) {
    throw Error(a + " frames of " + std::to_string(video.height) + " x " +
                std::to_string(video.width) + " in a grid of " + std::to_string(grid.rows) +
                " x " + std::to_string(grid.columns) + " exceed GIF's " +
                std::to_string(kMaxGifSide) + " pixels a side");
  }
  if (video.frames > 1'000'000) throw Error(a + ".frames " + std::to_string(video.frames) + " is too many");
  const auto expected = static_cast<std::uint64_t>(video.count) *
                        static_cast<std::uint64_t>(video.frames) *
                        static_cast<std::uint64_t>(video.height) *
                        static_cast<std::uint64_t>(video.width) *
                        static_cast<std::uint64_t>(video.channels);
  if (expected != video.size) {
    throw Error(a + ".size is " + std::to_string(video.size) + " elements, but the shape (" +
                std::to_string(video.count) + " x " + std::to_string(video.frames) + " x " +
                std::to_string(video.height) + " x " + std::to_string(video.width) + " x " +
                std::to_string(video.channels) + ") needs " + std::to_string(expected));
  }
  if (!(fps > 0) || !std::isfinite(fps)) {
    throw Error("add_video: fps must be positive and finite, got " + std::to_string(fps));
  }
  // GIF delays are in hundredths of a second; browsers slow delays under 2 down to 10, so
  // 50 fps is the fastest that plays as asked.
  const int delay_cs = static_cast<int>(std::clamp(std::lround(100.0 / fps), 2L, 65535L));
  std::vector<std::uint8_t> copy(video.data, video.data + video.size);
  return std::make_unique<VideoPayload>(std::move(copy), video, delay_cs);
}

}  // namespace tblog::detail
