// Dashboard kinds end to end: the call plus everything on disk (flush or close included).
// Targets: add_embedding of 10,000 x 128 with labels <= 50 ms; add_pr_curve over 1,000,000
// predictions <= 50 ms.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "tblog/summary_writer.hpp"

namespace fs = std::filesystem;

namespace {

std::string scratch_dir(const std::string& name) {
  const fs::path p =
      fs::temp_directory_path() / ("tblog-bench-" + std::to_string(::getpid())) / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

// add_embedding of a rows x 128 matrix with one label per row, until the tensor, the
// metadata and the config are on disk (flush waits for the writer thread).
void BM_AddEmbedding_ToDisk(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const std::size_t cols = 128;
  std::mt19937 rng(1);
  std::normal_distribution<float> d;
  std::vector<float> matrix(rows * cols);
  for (float& x : matrix) x = d(rng);
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < rows; ++i) labels.push_back("point_" + std::to_string(i));
  const tblog::EmbeddingMetadata metadata(labels);
  tblog::SummaryWriter writer(scratch_dir("embedding"));
  std::int64_t step = 0;
  for (auto _ : state) {
    writer.add_embedding(tblog::MatrixView(matrix, rows, cols), metadata, {}, "emb", step++);
    writer.flush();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * rows * cols * 4));
}
BENCHMARK(BM_AddEmbedding_ToDisk)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

// add_pr_curve over n predictions, until the event is written.
void BM_AddPrCurve_ToDisk(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<std::uint8_t> labels(n);
  std::vector<float> predictions(n);
  for (std::size_t i = 0; i < n; ++i) {
    labels[i] = rng() & 1;
    predictions[i] = u(rng);
  }
  tblog::SummaryWriter writer(scratch_dir("pr_curve"));
  std::int64_t step = 0;
  for (auto _ : state) {
    writer.add_pr_curve("pr", labels, predictions, step++);
    writer.flush();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_AddPrCurve_ToDisk)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The control for "no other kind slows add_scalar": add_scalar's caller cost on a fresh
// writer (arg 0) and on a writer that first wrote text, a histogram, an image, a PR curve,
// audio, hparams and an embedding (arg 1), every kind compiled in either way. Run with
// random interleaving: the two must agree within the noise.
void BM_AddScalar_AfterOtherKinds(benchmark::State& state) {
  const bool used_other_kinds = state.range(0) != 0;
  tblog::WriterOptions options;
  options.flush_secs = 3600;
  tblog::SummaryWriter writer(
      scratch_dir(used_other_kinds ? "scalar_after_kinds" : "scalar_fresh"), options);
  if (used_other_kinds) {
    std::vector<float> values(4096);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = std::sin(0.01f * i);
    std::vector<std::uint8_t> pixels(32 * 32 * 3, 128);
    std::vector<std::uint8_t> labels(values.size());
    std::vector<float> predictions(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      labels[i] = i & 1;
      predictions[i] = 0.5f + 0.5f * values[i];
    }
    writer.add_text("notes", "**text**", 0);
    writer.add_histogram("weights", values, 0);
    writer.add_image("image", tblog::ImageView(pixels, tblog::ImageLayout::HWC, 32, 32, 3), 0);
    writer.add_pr_curve("pr", labels, predictions, 0);
    writer.add_audio("audio", tblog::AudioView(values), 16000, 0);
    writer.add_hparams({{"lr", 0.01}, {"opt", "adam"}}, {{"hparam/accuracy", 0.9}});
    writer.add_embedding(tblog::MatrixView(values, 64, 64), {}, {}, "emb", 0);
  }
  writer.add_scalar("loss", 0.5, 0);
  writer.flush();
  std::int64_t step = 1;
  constexpr int kBatch = 8192;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) writer.add_scalar("loss", 0.5, step++);
    state.PauseTiming();
    writer.flush();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
  state.counters["ns_per_add"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kBatch),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_AddScalar_AfterOtherKinds)->ArgName("used_other_kinds")->Arg(0)->Arg(1)
    ->UseRealTime()->Repetitions(6)->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
