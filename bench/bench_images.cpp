// Image costs: PNG encoding on the writer thread, and what add_image costs the caller.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kinds/png_encoder.hpp"
#include "kinds/core_kinds.hpp"
#include "tblog/summary_writer.hpp"

namespace {

// Smooth colour gradients plus sensor-like noise: compresses like a photo, unlike flat
// synthetic images (far easier) or pure noise (incompressible).
std::vector<std::uint8_t> photo_like_rgb(int height, int width) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(height) * width * 3);
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0.0f, 3.0f);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        const float v = 128.0f + 60.0f * std::sin(x * 0.031f + c) * std::cos(y * 0.023f - c) +
                        (c == 1 ? 40.0f * std::sin((x + y) * 0.11f) : 0.0f) + noise(rng);
        pixels[(static_cast<std::size_t>(y) * width + x) * 3 + c] =
            static_cast<std::uint8_t>(std::fmin(255.0f, std::fmax(0.0f, v)));
      }
    }
  }
  return pixels;
}

// Arg: zlib level.
void BM_EncodePng224Rgb(benchmark::State& state) {
  const int level = static_cast<int>(state.range(0));
  const auto pixels = photo_like_rgb(224, 224);
  std::size_t encoded = 0;
  for (auto _ : state) {
    std::string png = tblog::detail::encode_png(pixels.data(), 224, 224, 3, level);
    encoded = png.size();
    benchmark::DoNotOptimize(png);
  }
  state.SetItemsProcessed(state.iterations());  // items/s = images/s
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(pixels.size()));
  state.counters["png_bytes"] = static_cast<double>(encoded);
}
BENCHMARK(BM_EncodePng224Rgb)->Arg(0)->Arg(1)->Arg(2)->Arg(6)->Unit(benchmark::kMicrosecond);

// The caller-thread part of add_image: validation and the copy of the pixels.
void BM_MakeImagePayload64Rgb(benchmark::State& state) {
  const auto pixels = photo_like_rgb(64, 64);
  const tblog::ImageView view(pixels, tblog::ImageLayout::HWC, 64, 64, 3);
  for (auto _ : state) {
    auto payload = tblog::detail::make_image_payload(view);
    benchmark::DoNotOptimize(payload);
  }
}
BENCHMARK(BM_MakeImagePayload64Rgb);

// The same for float CHW pixels, which are copied as floats and converted later.
void BM_MakeImagePayload64RgbFloat(benchmark::State& state) {
  const auto bytes = photo_like_rgb(64, 64);
  const std::vector<float> pixels(bytes.begin(), bytes.end());
  const tblog::ImageView view(pixels, tblog::ImageLayout::CHW, 64, 64, 3);
  for (auto _ : state) {
    auto payload = tblog::detail::make_image_payload(view);
    benchmark::DoNotOptimize(payload);
  }
}
BENCHMARK(BM_MakeImagePayload64RgbFloat);

// Writer-thread work for that image: layout conversion, PNG encoding, the Summary.Value.
void BM_EncodeImageValue64Rgb(benchmark::State& state) {
  const auto pixels = photo_like_rgb(64, 64);
  auto payload = tblog::detail::make_image_payload(
      tblog::ImageView(pixels, tblog::ImageLayout::HWC, 64, 64, 3));
  tblog::detail::EncodeContext ctx;
  ctx.tag = "image";
  ctx.first_in_file = false;
  std::string out;
  for (auto _ : state) {
    out.clear();
    payload->encode_value(ctx, out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_EncodeImageValue64Rgb)->Unit(benchmark::kMicrosecond);

// A 224x224 photo-like image end to end through a SummaryWriter at the default PNG level:
// add_image on the caller's thread, then conversion, PNG encoding, framing and write(2) on
// the writer thread, until flush() returns. Arg 0: uint8 HWC (the layout PNG stores, no
// conversion); arg 1: float CHW in [0, 1] (what a tensor gives: scaled and interleaved).
// Second arg: WriterOptions::encoder_threads.
void BM_AddImage224_EndToEnd(benchmark::State& state) {
  const bool float_chw = state.range(0) != 0;
  tblog::WriterOptions options;
  options.encoder_threads = static_cast<std::size_t>(state.range(1));
  constexpr int kSide = 224;
  const auto hwc = photo_like_rgb(kSide, kSide);
  std::vector<float> chw(hwc.size());
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < kSide * kSide; ++i) {
      chw[static_cast<std::size_t>(c) * kSide * kSide + i] = hwc[static_cast<std::size_t>(i) * 3 + c] / 255.0f;
    }
  }
  const tblog::ImageView image = float_chw
                                     ? tblog::ImageView(chw, tblog::ImageLayout::CHW, kSide, kSide, 3)
                                     : tblog::ImageView(hwc, tblog::ImageLayout::HWC, kSide, kSide, 3);
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("tblog-bench-images-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    tblog::SummaryWriter writer(dir.string(), options);
    constexpr int kBatch = 16;
    std::int64_t step = 0;
    for (auto _ : state) {
      for (int i = 0; i < kBatch; ++i) writer.add_image("input", image, step++);
      writer.flush();
    }
    state.SetItemsProcessed(state.iterations() * kBatch);  // items/s = images/s
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_AddImage224_EndToEnd)->ArgNames({"float_chw", "encoder_threads"})
    ->Args({0, 0})->Args({0, 1})->Args({0, 2})->Args({1, 0})->Args({1, 2})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
