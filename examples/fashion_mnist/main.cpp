// Fashion-MNIST with LibTorch, logged to TensorBoard with tblog: CNTK's SimpleMNIST setup
// (a 784-200-200-10 ReLU MLP trained with SGD) or a small ConvNet.
//   fashion_mnist configFile=examples/fashion_mnist/mlp.cfg tensorBoardLogDir=runs/mlp
//   mpirun -np 2 fashion_mnist configFile=... distributed=true     (data-parallel)
// `fashion_mnist --help` lists every key.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <random>

#include "idx.hpp"
#include "models.hpp"
#include "tblog/config.hpp"
#include "tblog/torch.hpp"
#ifdef FASHION_MNIST_WITH_MPI
#include "tblog/mpi.hpp"
#endif

namespace {

using tblog::Config;

void define_keys(Config& c) {
  c.define("model", std::string("mlp"), "mlp (784-200-200-10 ReLU MLP) or conv (small ConvNet)");
  c.define("epochs", std::int64_t{3}, "passes over the training samples");
  c.define("minibatchSize", std::int64_t{64}, "samples per minibatch (over all ranks together)");
  c.define("learningRate", 0.05, "SGD learning rate");
  c.define("momentum", 0.9, "SGD momentum");
  c.define("learningRateDecay", 1.0, "the learning rate is multiplied by this after each epoch");
  c.define("hiddenDim", std::int64_t{200}, "width of the MLP's two hidden layers");
  c.define("maxTrainSamples", std::int64_t{0}, "train on the first N samples only (0: all 60,000)");
  c.define("maxTestSamples", std::int64_t{0}, "test on the first N samples only (0: all 10,000)");
  c.define("testMinibatchSize", std::int64_t{1000}, "samples per test minibatch");
  c.define("seed", std::int64_t{1}, "seeds the initial weights and the sample order");
  c.define("distributed", false, "data-parallel training over the MPI ranks (run under mpirun)");
  c.define("threads", std::int64_t{1}, "LibTorch threads per process (0: LibTorch's default); "
           "models this small run fastest on one");
  c.define("dataDir", std::string(fashion_mnist::kDefaultDataDir), "folder of the gzipped IDX files");
  c.define("numImagesToLog", std::int64_t{16}, "input images logged at the start of each epoch");
  c.define("logHistograms", true, "log weight histograms after each epoch");
  tblog::define_progress_keys(c);
}

std::int64_t positive(const Config& c, const char* key) {
  const std::int64_t v = c.get_int(key);
  if (v <= 0) throw tblog::Error(std::string("config key '") + key + "' must be positive, not " + std::to_string(v));
  return v;
}

std::int64_t non_negative(const Config& c, const char* key) {
  const std::int64_t v = c.get_int(key);
  if (v < 0) throw tblog::Error(std::string("config key '") + key + "' is negative: " + std::to_string(v));
  return v;
}

// Samples [begin, end) of the set, as the models take them.
struct Batch {
  torch::Tensor images;  // float [n, 1, 28, 28] in [0, 1]
  torch::Tensor labels;  // int64 [n]
};

class Samples {
 public:
  explicit Samples(fashion_mnist::DataSet set) : set_(std::move(set)) {
    images_ = torch::from_blob(set_.images.data(), {set_.count, 1, set_.rows, set_.cols}, torch::kByte);
    labels_ = torch::from_blob(set_.labels.data(), {set_.count}, torch::kByte).to(torch::kLong);
  }
  std::int64_t count() const { return set_.count; }
  Batch gather(const std::int64_t* indices, std::int64_t n) const {
    const torch::Tensor index = torch::from_blob(const_cast<std::int64_t*>(indices), {n}, torch::kLong);
    return {images_.index_select(0, index).to(torch::kFloat).div_(255.0f), labels_.index_select(0, index)};
  }

 private:
  fashion_mnist::DataSet set_;
  torch::Tensor images_;
  torch::Tensor labels_;
};

// This rank's share of a global minibatch [start, start + size): the k-th of `ranks`
// contiguous pieces, so that all ranks together run exactly the global minibatch.
std::pair<std::int64_t, std::int64_t> share(std::int64_t start, std::int64_t size, int rank, int ranks) {
  return {start + size * rank / ranks, start + size * (rank + 1) / ranks};
}

struct Job {
  int rank = 0;   // this rank's share of each minibatch
  int ranks = 1;
  // Whose output counts: only rank 0 of the launcher writes and prints, distributed or not.
  int output_rank = 0;
  tblog::torch::AllReduce all_reduce;  // set when distributed
};

template <typename Model>
void train(Model model, const Config& config, const Job& job, const Samples& train_set,
           const Samples& test_set) {
  const std::int64_t epochs = positive(config, "epochs");
  const std::int64_t minibatch = positive(config, "minibatchSize");
  const std::int64_t test_minibatch = positive(config, "testMinibatchSize");
  const std::int64_t images_to_log = non_negative(config, "numImagesToLog");
  double lr = config.get_double("learningRate");
  if (!(lr > 0)) throw tblog::Error("config key 'learningRate' must be positive, not " + std::to_string(lr));
  const double decay = config.get_double("learningRateDecay");
  if (!(decay > 0)) throw tblog::Error("config key 'learningRateDecay' must be positive");

  torch::optim::SGD sgd(model->parameters(),
                        torch::optim::SGDOptions(lr).momentum(config.get_double("momentum")));

  // The same global order on every rank: each takes its share of every global minibatch.
  std::vector<std::int64_t> order(static_cast<std::size_t>(train_set.count()));
  std::iota(order.begin(), order.end(), 0);
  auto local_batch = [&](const Samples& set, const std::vector<std::int64_t>& indices, std::int64_t start,
                         std::int64_t size) {
    const auto [begin, end] = share(start, size, job.rank, job.ranks);
    return set.gather(indices.data() + begin, end - begin);
  };

  // The graph is traced on the first minibatch's shape; only rank 0 records it.
  tblog::Graph graph;
  const std::string logdir = config.get_string("tensorBoardLogDir");
  if (job.output_rank == 0 && !logdir.empty()) {
    const Batch first = train_set.gather(order.data(), std::min(minibatch, train_set.count()));
    graph = tblog::torch::graph_of(model, first.images);
  }
  // The writers the config asks for: the console always, TensorBoard with a logdir.
  const auto owned = tblog::make_progress_writers(config, job.output_rank, epochs, "Training",
                                                  graph.empty() ? nullptr : &graph);
  std::vector<tblog::ProgressWriter*> writers;
  tblog::TensorBoardProgressWriter* board = nullptr;
  for (const auto& w : owned) {
    writers.push_back(w.get());
    if (auto* printer = dynamic_cast<tblog::ProgressPrinter*>(w.get())) printer->set_epoch_size(train_set.count());
    if (auto* tb = dynamic_cast<tblog::TensorBoardProgressWriter*>(w.get())) board = tb;
  }

  tblog::torch::Trainer trainer(
      model, [](const torch::Tensor& out, const torch::Tensor& y) { return torch::nn::functional::cross_entropy(out, y); },
      tblog::torch::classification_errors, sgd, writers);
  if (job.ranks > 1) trainer.set_all_reduce(job.all_reduce);

  std::vector<std::int64_t> test_order(static_cast<std::size_t>(test_set.count()));
  std::iota(test_order.begin(), test_order.end(), 0);
  for (std::int64_t epoch = 1; epoch <= epochs; ++epoch) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(config.get_int("seed")) * 1000003u + epoch);
    std::shuffle(order.begin(), order.end(), rng);
    for (auto* w : writers) w->write("learning_rate", lr);

    for (std::int64_t start = 0; start < train_set.count(); start += minibatch) {
      const std::int64_t size = std::min(minibatch, train_set.count() - start);
      const Batch batch = local_batch(train_set, order, start, size);
      if (start == 0 && board && images_to_log > 0) {
        // What the model sees: a few of this epoch's first minibatch, before the step.
        const Batch shown = train_set.gather(order.data(), std::min(images_to_log, size));
        tblog::torch::write_image(*board, "inputs", shown.images, board->total_updates());
      }
      trainer.train_minibatch(batch.images, batch.labels);
    }
    trainer.summarize_training_progress();

    for (std::int64_t start = 0; start < test_set.count(); start += test_minibatch) {
      const std::int64_t size = std::min(test_minibatch, test_set.count() - start);
      const Batch batch = local_batch(test_set, test_order, start, size);
      trainer.test_minibatch(batch.images, batch.labels);
    }
    trainer.summarize_test_progress();

    if (board && board->active()) {
      torch::NoGradGuard no_grad;
      const std::int64_t step = board->total_updates();
      for (const auto& p : model->named_parameters()) {
        board->write_value("parameters/" + p.key() + "/mean", p.value().mean().template item<double>(), step);
        if (config.get_bool("logHistograms")) {
          tblog::torch::add_histogram(*board->summary_writer(), "weights/" + p.key(), p.value(), step);
        }
      }
    }
    lr *= decay;
    for (auto& group : sgd.param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
  }
  if (board) board->flush();
}

int run(int argc, char** argv) {
  Config config;
  define_keys(config);
  if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::printf("usage: fashion_mnist [configFile=FILE] [key=value ...]\n\n%s", config.describe().c_str());
    return 0;
  }
  config.parse_args(argc, argv);

  Job job;
#ifdef FASHION_MNIST_WITH_MPI
  std::unique_ptr<tblog::mpi::Session> mpi;
  if (config.get_bool("distributed")) {
    mpi = std::make_unique<tblog::mpi::Session>(&argc, &argv);
    job.rank = mpi->rank();
    job.ranks = mpi->size();
    tblog::mpi::Session* session = mpi.get();
    job.all_reduce.sum_floats = [session](float* d, std::size_t n) { session->allreduce_sum(d, n); };
    job.all_reduce.sum_doubles = [session](double* d, std::size_t n) { session->allreduce_sum(d, n); };
  }
#else
  if (config.get_bool("distributed")) {
    throw tblog::Error("distributed=true needs the example built with MPI (install libopenmpi-dev and rebuild)");
  }
#endif
  // Started by mpirun without distributed=true, every rank trains alone; the launcher's rank
  // still decides who writes and prints, so the logdir gets one event file and the terminal
  // one progress bar.
  job.output_rank = config.get_bool("distributed") ? job.rank : tblog::rank_from_environment();
  const std::int64_t threads = non_negative(config, "threads");
  if (threads > 0) torch::set_num_threads(static_cast<int>(threads));

  // Settings are checked before the data set is read.
  const std::string& model = config.get_string("model");
  if (model != "mlp" && model != "conv") {
    throw tblog::Error("config key 'model' is '" + model + "'; expected mlp or conv");
  }
  for (const char* key : {"epochs", "minibatchSize", "testMinibatchSize", "hiddenDim"}) positive(config, key);

  const auto started = std::chrono::steady_clock::now();
  const std::string& dir = config.get_string("dataDir");
  const Samples train_set(fashion_mnist::load(dir, true, non_negative(config, "maxTrainSamples")));
  const Samples test_set(fashion_mnist::load(dir, false, non_negative(config, "maxTestSamples")));

  torch::manual_seed(static_cast<std::uint64_t>(config.get_int("seed")));
  if (model == "mlp") {
    train(fashion_mnist::Mlp(config.get_int("hiddenDim")), config, job, train_set, test_set);
  } else {
    train(fashion_mnist::ConvNet(), config, job, train_set, test_set);
  }
  if (job.output_rank == 0) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("Trained %s on %lld samples x %lld epochs in %.1fs%s%s\n", model.c_str(),
                static_cast<long long>(train_set.count()), static_cast<long long>(config.get_int("epochs")),
                seconds, job.ranks > 1 ? (" over " + std::to_string(job.ranks) + " ranks").c_str() : "",
                config.get_string("tensorBoardLogDir").empty()
                    ? ""
                    : ("; logdir " + config.get_string("tensorBoardLogDir")).c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fashion_mnist: %s\n", e.what());
    return 1;
  }
}
