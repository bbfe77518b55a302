// ProgressWriter::update_training when no record is due: the cost a training loop pays on
// nearly every minibatch for each writer it feeds.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <unistd.h>

#include "tblog/progress.hpp"

namespace {

// A writer whose records cost nothing, to time ProgressWriter's own bookkeeping.
class NullWriter : public tblog::ProgressWriter {
 public:
  using ProgressWriter::ProgressWriter;
  void write_value(std::string_view, double, std::int64_t) override {}

 protected:
  void on_training_update(std::int64_t, std::int64_t, const Sums&) override {}
  void on_training_summary(const Sums&, double) override {}
  void on_test_summary(const Sums&, std::int64_t, double) override {}
  void on_setting(std::string_view, double) override {}
};

// Records only every 2^40-th update: none is due while timing.
void BM_UpdateTrainingNoRecordDue(benchmark::State& state) {
  NullWriter writer(std::int64_t{1} << 40, 0, 0);
  double loss = 0.5;
  for (auto _ : state) {
    writer.update_training(64, loss, 3.0);
    benchmark::DoNotOptimize(&writer);
  }
}
BENCHMARK(BM_UpdateTrainingNoRecordDue);

// The same through the real TensorBoard writer and console printer (nothing due either).
void BM_UpdateTrainingTensorBoardAndPrinter(benchmark::State& state) {
  const std::string logdir = (std::filesystem::temp_directory_path() /
                              ("tblog-bench-progress-" + std::to_string(::getpid()))).string();
  {
    tblog::TensorBoardProgressWriter board(std::int64_t{1} << 40, logdir, 0);
    tblog::ProgressPrinter printer(std::int64_t{1} << 40, 0, "", "/dev/null", 0);
    for (auto _ : state) {
      board.update_training(64, 0.5, 3.0);
      printer.update_training(64, 0.5, 3.0);
    }
  }
  std::filesystem::remove_all(logdir);
}
BENCHMARK(BM_UpdateTrainingTensorBoardAndPrinter);

std::string progress_logdir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tblog-bench-progress-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

// A TensorBoardProgressWriter on its real SummaryWriter, no record due: the per-update cost
// a training loop pays between records.
void BM_TensorBoardWriter_NoRecordDue(benchmark::State& state) {
  const std::string logdir = progress_logdir("idle");
  {
    tblog::TensorBoardProgressWriter board(std::int64_t{1} << 40, logdir, 0);
    for (auto _ : state) board.update_training(64, 0.5, 3.0);
  }
  std::filesystem::remove_all(logdir);
}
BENCHMARK(BM_TensorBoardWriter_NoRecordDue);

// The same writer at freq=1: every update records minibatch/avg_loss and avg_metric (two
// add_scalar calls). The queue is flushed outside the timed region every 8192 updates, so
// this times the caller's side, as a training loop sees it.
void BM_TensorBoardWriter_RecordEveryUpdate(benchmark::State& state) {
  const std::string logdir = progress_logdir("freq1");
  {
    tblog::WriterOptions options;
    options.flush_secs = 3600;
    tblog::TensorBoardProgressWriter board(1, logdir, 0, nullptr, options);
    constexpr int kBatch = 8192;
    for (auto _ : state) {
      for (int i = 0; i < kBatch; ++i) board.update_training(64, 0.5, 3.0);
      state.PauseTiming();
      board.flush();
      state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * kBatch);
    state.counters["ns_per_update"] = benchmark::Counter(
        static_cast<double>(state.iterations() * kBatch),
        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  }
  std::filesystem::remove_all(logdir);
}
BENCHMARK(BM_TensorBoardWriter_RecordEveryUpdate)->UseRealTime()->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
