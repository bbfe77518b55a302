// Dashboard kinds end to end: the call plus everything on disk (flush or close included).
// Targets: add_embedding of 10,000 x 128 with labels <= 50 ms; add_pr_curve over 1,000,000
// predictions <= 50 ms.
#include <benchmark/benchmark.h>
#include <unistd.h>

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

// add_scalar's caller cost, here to show the dashboard kinds leave it alone.
void BM_AddScalar_Caller(benchmark::State& state) {
  tblog::WriterOptions options;
  options.flush_secs = 3600;
  tblog::SummaryWriter writer(scratch_dir("scalar"), options);
  std::int64_t step = 0;
  constexpr int kBatch = 8192;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) writer.add_scalar("loss", 0.5, step++);
    state.PauseTiming();
    writer.flush();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_AddScalar_Caller);

}  // namespace

BENCHMARK_MAIN();
