#pragma once
// tblog::torch: LibTorch tensors as images and histograms, module graphs for TensorBoard's
// Graphs tab, and a training loop that feeds ProgressWriters.
#include <ATen/core/Tensor.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tblog/export.hpp"
#include "tblog/graph.hpp"
#include "tblog/image.hpp"
#include "tblog/progress.hpp"
#include "tblog/summary_writer.hpp"

namespace torch {
namespace nn {
class Module;
}
namespace optim {
class Optimizer;
}
}  // namespace torch

namespace tblog::torch {

// ---- Tensors as summaries -------------------------------------------------------------
// Tensors may live on any device and have any strides: they are copied to contiguous CPU
// memory first. Pixels: uint8 (0..255) or floating point (0..1, other float types become
// float32). Anything else throws tblog::Error naming the tag, dtype and shape.

// A batch laid out as one grid image. A 3-D tensor is NHW whatever `layout` says.
TBLOG_API void write_image(ProgressWriter& writer, std::string_view tag, const at::Tensor& batch,
                 std::int64_t step, BatchLayout layout = BatchLayout::NCHW);
TBLOG_API void add_images(SummaryWriter& writer, std::string_view tag, const at::Tensor& batch,
                std::int64_t step, BatchLayout layout = BatchLayout::NCHW);
// One image. A 2-D tensor is HW whatever `layout` says.
TBLOG_API void add_image(SummaryWriter& writer, std::string_view tag, const at::Tensor& image,
               std::int64_t step, ImageLayout layout = ImageLayout::CHW);
// Histogram of every element (any real dtype; bool and integers count as their values).
TBLOG_API void add_histogram(SummaryWriter& writer, std::string_view tag, const at::Tensor& values,
                   std::int64_t step);

// ---- Graphs ---------------------------------------------------------------------------
// The forward computation to trace: example inputs in, outputs out.
using TracedFunction = std::function<std::vector<at::Tensor>(const std::vector<at::Tensor>&)>;

// Traces `forward` once on `example_inputs` and returns its op-level graph:
//  - one node per ATen op the run called ("aten::relu", "aten::_convolution", ...; LibTorch's
//    nn::Linear runs a 2-D input as aten::t + aten::addmm), its dtype and output shapes from
//    the traced run; constant non-tensor arguments (stride, padding, ...) become attributes
//    named after the op's arguments;
//  - "input/input_<i>" and "output/output_<i>" nodes (op "IO Node");
//  - a node per parameter and buffer used (op "Parameter" / "Buffer"), in its module's scope.
// Scopes follow PyTorch's add_graph: "<Root>/<Type>[<name>]/...". An op that reads a
// parameter directly is in the scope of the module owning it; when `module` is a
// Sequential its children are run one by one, each in its own scope; any other op is in
// the scope of the root module (as a functional call in the root's forward is in PyTorch).
TBLOG_API Graph graph_of(::torch::nn::Module& module, const std::vector<at::Tensor>& example_inputs,
               const TracedFunction& forward);

// For a module (holder or shared_ptr) whose forward takes one tensor and returns one.
template <typename Model>
Graph graph_of(Model model, const at::Tensor& example_input) {
  return graph_of(*model, {example_input}, [&model](const std::vector<at::Tensor>& inputs) {
    return std::vector<at::Tensor>{model->forward(inputs.at(0))};
  });
}

// The graph of the `forward` method of a TorchScript file (torch.jit.save / Module::save),
// calls to submodules inlined and scoped by module path as graph_of does. Given example
// inputs (one per forward argument), the graph is run once on them for its shapes;
// otherwise only what the file says is known (parameters' shapes). Throws tblog::Error
// naming the path if it cannot be loaded.
TBLOG_API Graph graph_of_torchscript(const std::string& path,
                           const std::vector<at::Tensor>& example_inputs = {});

// ---- Training -------------------------------------------------------------------------
// The model's output for a minibatch of inputs.
using ModelFunction = std::function<at::Tensor(const at::Tensor& inputs)>;
// The MEAN loss over the minibatch, a scalar tensor (as torch's losses return by default).
using LossFunction = std::function<at::Tensor(const at::Tensor& output, const at::Tensor& targets)>;
// The SUM of the metric over the minibatch's samples, e.g. the number of misclassified
// samples (classification_errors): writers then show the average, the error rate.
using MetricFunction = std::function<double(const at::Tensor& output, const at::Tensor& targets)>;

// Samples whose highest-scoring class (argmax over dim 1 of output) is not their target.
TBLOG_API double classification_errors(const at::Tensor& output, const at::Tensor& targets);

// Data-parallel training: each worker runs its share of every global minibatch, and these
// callbacks (e.g. tblog::mpi::Session::allreduce_sum) make every worker see the global
// gradient and the global sums. Both replace each element by its sum over all workers.
struct AllReduce {
  std::function<void(float* data, std::size_t count)> sum_floats;
  std::function<void(double* data, std::size_t count)> sum_doubles;
};

// Runs minibatches and feeds every writer their sums. On data-parallel workers the writers
// get the global sums, so writers on rank 0 report the whole job.
class TBLOG_API Trainer {
 public:
  Trainer(ModelFunction model, LossFunction loss, MetricFunction metric,
          ::torch::optim::Optimizer& optimizer, std::vector<ProgressWriter*> writers = {});

  // For a module (holder or shared_ptr) with a one-tensor forward; switched to training
  // mode for train_minibatch and to evaluation mode for test_minibatch.
  template <typename Model, typename = decltype(std::declval<Model&>()->forward(std::declval<at::Tensor>()))>
  Trainer(Model model, LossFunction loss, MetricFunction metric,
          ::torch::optim::Optimizer& optimizer, std::vector<ProgressWriter*> writers = {})
      : Trainer([model](const at::Tensor& x) mutable { return model->forward(x); }, std::move(loss),
                std::move(metric), optimizer, std::move(writers)) {
    module_ = &*model;  // the lambda above keeps it alive
  }

  // Sums gradients and statistics across workers through these from now on. With
  // gradients averaged weighted by each worker's sample count, splitting a global minibatch
  // across workers trains as one process running the whole minibatch would.
  void set_all_reduce(AllReduce all_reduce);

  // Forward, backward (of the global mean loss) and one optimizer step; feeds the writers.
  // Returns the mean loss over the (global) minibatch. Empty minibatches are allowed on a
  // worker whose share is empty; the writers then get the other workers' sums.
  double train_minibatch(const at::Tensor& inputs, const at::Tensor& targets);
  // Forward without gradients; feeds the writers' test sums. Returns the mean metric.
  double test_minibatch(const at::Tensor& inputs, const at::Tensor& targets);
  void summarize_training_progress();
  void summarize_test_progress();

  void add_writer(ProgressWriter& writer) { writers_.push_back(&writer); }
  const std::vector<ProgressWriter*>& writers() const { return writers_; }
  // Global samples trained on so far.
  std::int64_t samples_trained() const { return samples_trained_; }

 private:
  void average_gradients(double local_samples, double global_samples);

  ModelFunction model_;
  LossFunction loss_;
  MetricFunction metric_;
  ::torch::optim::Optimizer& optimizer_;
  std::vector<ProgressWriter*> writers_;
  ::torch::nn::Module* module_ = nullptr;
  AllReduce all_reduce_;
  bool data_parallel_ = false;
  std::vector<float> gradient_buffer_;
  std::int64_t samples_trained_ = 0;
};

}  // namespace tblog::torch
