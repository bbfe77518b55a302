// A training step of the example's MLP (784-200-200-10, minibatch 64, one thread) with
// nothing fed, and with a TensorBoardProgressWriter recording every step plus a
// ProgressPrinter printing every step: the writers' cost relative to the step. On a shared
// machine, compare with --benchmark_enable_random_interleaving=true --benchmark_repetitions=6.
#include <benchmark/benchmark.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "models.hpp"
#include "tblog/torch.hpp"

namespace {

void step(benchmark::State& state, bool with_writers) {
  torch::set_num_threads(1);
  torch::manual_seed(0);
  fashion_mnist::Mlp model(200);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  const std::string logdir = (std::filesystem::temp_directory_path() /
                              ("tblog-bench-step-" + std::to_string(::getpid()))).string();
  std::unique_ptr<tblog::TensorBoardProgressWriter> board;
  std::unique_ptr<tblog::ProgressPrinter> printer;
  std::vector<tblog::ProgressWriter*> writers;
  if (with_writers) {
    board = std::make_unique<tblog::TensorBoardProgressWriter>(1, logdir, 0);
    printer = std::make_unique<tblog::ProgressPrinter>(1, 0, "Training", "/dev/null", 0);
    writers = {board.get(), printer.get()};
  }
  tblog::torch::Trainer trainer(
      model, [](const torch::Tensor& out, const torch::Tensor& y) { return torch::nn::functional::cross_entropy(out, y); },
      tblog::torch::classification_errors, sgd, writers);
  const torch::Tensor x = torch::rand({64, 1, 28, 28});
  const torch::Tensor y = torch::randint(0, 10, {64}, torch::kLong);
  for (auto _ : state) benchmark::DoNotOptimize(trainer.train_minibatch(x, y));
  board.reset();
  printer.reset();
  std::filesystem::remove_all(logdir);
}

void BM_MlpStepNoWriters(benchmark::State& state) { step(state, false); }
void BM_MlpStepTensorBoardAndPrinterEveryStep(benchmark::State& state) { step(state, true); }
BENCHMARK(BM_MlpStepNoWriters)->Unit(benchmark::kMicrosecond)->MinTime(2.0);
BENCHMARK(BM_MlpStepTensorBoardAndPrinterEveryStep)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
