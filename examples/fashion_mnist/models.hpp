#pragma once
// The example's models for 28x28 gray images in [0, 1], shaped [N, 1, 28, 28]:
//  Mlp: CNTK's SimpleMNIST, two ReLU hidden layers then 10 class scores;
//  ConvNet: two conv + ReLU + 2x2 max-pool stages, then a ReLU hidden layer and 10 scores.
#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

namespace fashion_mnist {

constexpr std::int64_t kImageSize = 28;
constexpr std::int64_t kClasses = 10;

struct MlpImpl : torch::nn::Module {
  explicit MlpImpl(std::int64_t hidden = 200)
      : fc1(register_module("fc1", torch::nn::Linear(kImageSize * kImageSize, hidden))),
        fc2(register_module("fc2", torch::nn::Linear(hidden, hidden))),
        fc3(register_module("fc3", torch::nn::Linear(hidden, kClasses))) {}

  torch::Tensor forward(torch::Tensor x) {
    x = x.flatten(1);
    x = torch::relu(fc1(x));
    x = torch::relu(fc2(x));
    return fc3(x);
  }

  torch::nn::Linear fc1, fc2, fc3;
};
TORCH_MODULE(Mlp);

struct ConvNetImpl : torch::nn::Module {
  ConvNetImpl()
      : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 8, 3).padding(1)))),
        conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(8, 16, 3).padding(1)))),
        fc1(register_module("fc1", torch::nn::Linear(16 * 7 * 7, 64))),
        fc2(register_module("fc2", torch::nn::Linear(64, kClasses))) {}

  torch::Tensor forward(torch::Tensor x) {
    x = torch::max_pool2d(torch::relu(conv1(x)), 2);  // 8 x 14 x 14
    x = torch::max_pool2d(torch::relu(conv2(x)), 2);  // 16 x 7 x 7
    x = torch::relu(fc1(x.flatten(1)));
    return fc2(x);
  }

  torch::nn::Conv2d conv1, conv2;
  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(ConvNet);

}  // namespace fashion_mnist
