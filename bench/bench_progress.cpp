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

}  // namespace

BENCHMARK_MAIN();
