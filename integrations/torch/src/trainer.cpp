// Trainer: minibatch steps, their sums fed to ProgressWriters, and data-parallel averaging.
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <sstream>

#include "tblog/error.hpp"
#include "tblog/torch.hpp"

namespace tblog::torch {

double classification_errors(const at::Tensor& output, const at::Tensor& targets) {
  if (output.dim() != 2 || targets.dim() != 1 || output.size(0) != targets.size(0)) {
    std::ostringstream out;
    out << "classification_errors: expected output [N, classes] and targets [N], got output "
        << output.sizes() << " and targets " << targets.sizes();
    throw Error(out.str());
  }
  if (output.size(0) == 0) return 0;
  return output.argmax(1).ne(targets).sum().item<double>();
}

Trainer::Trainer(ModelFunction model, LossFunction loss, MetricFunction metric,
                 ::torch::optim::Optimizer& optimizer, std::vector<ProgressWriter*> writers)
    : model_(std::move(model)),
      loss_(std::move(loss)),
      metric_(std::move(metric)),
      optimizer_(optimizer),
      writers_(std::move(writers)) {
  if (!model_) throw Error("Trainer: the model function is empty");
  if (!loss_) throw Error("Trainer: the loss function is empty");
  if (!metric_) throw Error("Trainer: the metric function is empty");
  for (const ProgressWriter* w : writers_) {
    if (w == nullptr) throw Error("Trainer: a writer is null");
  }
}

void Trainer::set_all_reduce(AllReduce all_reduce) {
  if (!all_reduce.sum_floats || !all_reduce.sum_doubles) {
    throw Error("Trainer::set_all_reduce: both sum_floats and sum_doubles must be set");
  }
  all_reduce_ = std::move(all_reduce);
  data_parallel_ = true;
}

static std::int64_t batch_size(const char* what, const at::Tensor& inputs,
                               const at::Tensor& targets) {
  if (!inputs.defined() || !targets.defined() || inputs.dim() == 0 || targets.dim() == 0 ||
      inputs.size(0) != targets.size(0)) {
    std::ostringstream out;
    out << "Trainer::" << what << ": inputs and targets must have the same first (sample) "
        << "dimension; got inputs " << (inputs.defined() ? inputs.sizes() : at::IntArrayRef{})
        << " and targets " << (targets.defined() ? targets.sizes() : at::IntArrayRef{});
    throw Error(out.str());
  }
  return inputs.size(0);
}

double Trainer::train_minibatch(const at::Tensor& inputs, const at::Tensor& targets) {
  const std::int64_t samples = batch_size("train_minibatch", inputs, targets);
  if (module_ != nullptr) module_->train();
  optimizer_.zero_grad();
  // sums[0..2]: samples, loss sum, metric sum (this worker's, then the job's)
  double sums[3] = {static_cast<double>(samples), 0, 0};
  if (samples > 0) {
    const at::Tensor output = model_(inputs);
    const at::Tensor loss = loss_(output, targets);
    if (loss.numel() != 1) {
      std::ostringstream out;
      out << "Trainer: the loss function must return the mean loss as one value; got shape "
          << loss.sizes();
      throw Error(out.str());
    }
    loss.backward();
    sums[1] = loss.item<double>() * static_cast<double>(samples);
    {
      at::NoGradGuard no_grad;
      sums[2] = metric_(output.detach(), targets);
    }
  }
  if (data_parallel_) {
    const double local_samples = sums[0];
    all_reduce_.sum_doubles(sums, 3);
    if (sums[0] > 0) average_gradients(local_samples, sums[0]);
  }
  if (sums[0] > 0) optimizer_.step();
  const auto global_samples = static_cast<std::int64_t>(sums[0]);
  samples_trained_ += global_samples;
  for (ProgressWriter* w : writers_) w->update_training(global_samples, sums[1], sums[2]);
  return sums[0] > 0 ? sums[1] / sums[0] : 0.0;
}

// Each worker's gradient is of its own mean loss; the job's is their sample-weighted mean.
void Trainer::average_gradients(double local_samples, double global_samples) {
  std::vector<at::Tensor> params;
  std::size_t total = 0;
  for (const auto& group : optimizer_.param_groups()) {
    for (const auto& p : group.params()) {
      if (!p.requires_grad()) continue;
      if (p.scalar_type() != at::kFloat) {
        std::ostringstream out;
        out << "Trainer: data-parallel training needs float32 parameters; got one of dtype "
            << p.scalar_type() << " and shape " << p.sizes();
        throw Error(out.str());
      }
      params.push_back(p);
      total += static_cast<std::size_t>(p.numel());
    }
  }
  gradient_buffer_.resize(total);
  const auto scale = static_cast<float>(local_samples / global_samples);
  std::size_t offset = 0;
  for (const auto& p : params) {
    const auto n = static_cast<std::size_t>(p.numel());
    at::Tensor slot = at::from_blob(gradient_buffer_.data() + offset, {p.numel()}, at::kFloat);
    if (p.grad().defined()) {
      slot.copy_(p.grad().reshape({-1}).to(at::kCPU)).mul_(scale);
    } else {
      slot.zero_();  // a worker with no samples contributes nothing
    }
    offset += n;
  }
  all_reduce_.sum_floats(gradient_buffer_.data(), total);
  offset = 0;
  for (auto& p : params) {
    at::Tensor slot = at::from_blob(gradient_buffer_.data() + offset, p.sizes(), at::kFloat);
    if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
    p.mutable_grad().copy_(slot);
    offset += static_cast<std::size_t>(p.numel());
  }
}

double Trainer::test_minibatch(const at::Tensor& inputs, const at::Tensor& targets) {
  const std::int64_t samples = batch_size("test_minibatch", inputs, targets);
  if (module_ != nullptr) module_->eval();
  double sums[2] = {static_cast<double>(samples), 0};
  if (samples > 0) {
    at::NoGradGuard no_grad;
    sums[1] = metric_(model_(inputs), targets);
  }
  if (data_parallel_) all_reduce_.sum_doubles(sums, 2);
  const auto global_samples = static_cast<std::int64_t>(sums[0]);
  for (ProgressWriter* w : writers_) w->update_test(global_samples, sums[1]);
  return sums[0] > 0 ? sums[1] / sums[0] : 0.0;
}

void Trainer::summarize_training_progress() {
  for (ProgressWriter* w : writers_) w->summarize_training_progress();
}

void Trainer::summarize_test_progress() {
  for (ProgressWriter* w : writers_) w->summarize_test_progress();
}

}  // namespace tblog::torch
