// tblog::torch: module graphs (traced and TorchScript), tensors as images and histograms
// read back from event files, and the Trainer's sums, steps and data-parallel averaging.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "models.hpp"
#include "tblog/reader.hpp"
#include "tblog/torch.hpp"
#include "test_support.hpp"

// Outside namespace tblog, where `torch` would name tblog::torch.
namespace {

using tblog::BatchLayout;
using tblog::DType;
using tblog::Error;
using tblog::Event;
using tblog::Graph;
using tblog::GraphNode;
using tblog::ImageLayout;
using tblog::ProgressWriter;
using tblog::Shape;
using tblog::SummaryValue;
using tblog::SummaryWriter;
using tblog::TensorBoardProgressWriter;
using tblog::test::TempDir;
namespace test = tblog::test;

const GraphNode* find_node(const Graph& g, const std::string& name) {
  for (const auto& n : g.nodes()) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

std::vector<const GraphNode*> nodes_with_op(const Graph& g, const std::string& op) {
  std::vector<const GraphNode*> out;
  for (const auto& n : g.nodes()) {
    if (n.op == op) out.push_back(&n);
  }
  return out;
}

// Every node, one a line, for failure messages.
std::string dump(const Graph& g) {
  std::string out;
  for (const auto& n : g.nodes()) {
    out += n.name + " = " + n.op + "(";
    for (const auto& i : n.inputs) out += i + " ";
    out += ")\n";
  }
  return out;
}

bool has_input(const GraphNode& n, const std::string& input) {
  return std::find(n.inputs.begin(), n.inputs.end(), input) != n.inputs.end();
}

TEST(TorchGraph, MlpHasScopedLinearAndReluOpsWithTracedShapes) {
  torch::manual_seed(0);
  fashion_mnist::Mlp mlp(200);
  const Graph g = tblog::torch::graph_of(mlp, torch::rand({3, 1, 28, 28}));
  ASSERT_NO_THROW(g.validate());

  const GraphNode* input = find_node(g, "input/input_0");
  ASSERT_NE(input, nullptr);
  EXPECT_EQ(input->op, "IO Node");
  EXPECT_EQ(input->dtype, DType::float32);
  ASSERT_EQ(input->output_shapes.size(), 1u);
  EXPECT_EQ(input->output_shapes[0], (Shape{3, 1, 28, 28}));

  // LibTorch's nn::Linear runs a 2-D input as addmm(bias, x, weight.t()): the traced ops.
  const auto linears = nodes_with_op(g, "aten::addmm");
  ASSERT_EQ(linears.size(), 3u) << dump(g);
  const std::vector<std::string> layers = {"fc1", "fc2", "fc3"};
  const std::vector<std::int64_t> widths = {200, 200, 10};
  const std::vector<std::int64_t> fan_in = {784, 200, 200};
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string scope = "Mlp/Linear[" + layers[i] + "]";
    EXPECT_EQ(linears[i]->name, scope + "/addmm");
    EXPECT_EQ(linears[i]->output_shapes.at(0), (Shape{3, widths[i]}));
    EXPECT_TRUE(has_input(*linears[i], scope + "/bias")) << linears[i]->name;
    const GraphNode* transpose = find_node(g, scope + "/t");
    ASSERT_NE(transpose, nullptr) << dump(g);
    EXPECT_TRUE(has_input(*linears[i], transpose->name));
    EXPECT_EQ(transpose->inputs, std::vector<std::string>{scope + "/weight"});
    EXPECT_EQ(transpose->output_shapes.at(0), (Shape{fan_in[i], widths[i]}));
    const GraphNode* weight = find_node(g, scope + "/weight");
    ASSERT_NE(weight, nullptr);
    EXPECT_EQ(weight->op, "Parameter");
    EXPECT_EQ(weight->dtype, DType::float32);
    EXPECT_EQ(weight->output_shapes.at(0), (Shape{widths[i], fan_in[i]}));
  }
  // The ReLUs are functional calls in Mlp's forward: Mlp's own scope, as in PyTorch.
  const auto relus = nodes_with_op(g, "aten::relu");
  ASSERT_EQ(relus.size(), 2u);
  EXPECT_EQ(relus[0]->name.rfind("Mlp/", 0), 0u) << relus[0]->name;
  EXPECT_TRUE(has_input(*relus[0], linears[0]->name));
  EXPECT_TRUE(has_input(*linears[1], relus[0]->name));
  EXPECT_EQ(nodes_with_op(g, "aten::flatten").at(0)->output_shapes.at(0), (Shape{3, 784}));

  const GraphNode* output = find_node(g, "output/output_0");
  ASSERT_NE(output, nullptr);
  EXPECT_EQ(output->inputs, std::vector<std::string>{linears[2]->name});
}

TEST(TorchGraph, ConvNetHasConvolutionsWithTheirSettingsAsAttributes) {
  torch::manual_seed(0);
  fashion_mnist::ConvNet net;
  const Graph g = tblog::torch::graph_of(net, torch::rand({2, 1, 28, 28}));
  ASSERT_NO_THROW(g.validate());
  // LibTorch's nn::Conv2d calls the convolution that conv2d itself would.
  const auto convs = nodes_with_op(g, "aten::_convolution");
  ASSERT_EQ(convs.size(), 2u) << dump(g);
  EXPECT_EQ(convs[0]->name, "ConvNet/Conv2d[conv1]/_convolution");
  EXPECT_TRUE(has_input(*convs[0], "ConvNet/Conv2d[conv1]/weight"));
  EXPECT_EQ(convs[0]->output_shapes.at(0), (Shape{2, 8, 28, 28}));
  EXPECT_EQ(convs[1]->output_shapes.at(0), (Shape{2, 16, 14, 14}));
  const auto& attrs = convs[0]->attrs;
  ASSERT_TRUE(attrs.count("stride"));
  EXPECT_EQ(std::get<std::vector<std::int64_t>>(attrs.at("stride")), (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(std::get<std::vector<std::int64_t>>(attrs.at("padding")), (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(std::get<std::int64_t>(attrs.at("groups")), 1);
  EXPECT_EQ(std::get<bool>(attrs.at("transposed")), false);

  const auto pools = nodes_with_op(g, "aten::max_pool2d");
  ASSERT_EQ(pools.size(), 2u);
  EXPECT_EQ(pools[1]->output_shapes.at(0), (Shape{2, 16, 7, 7}));
  EXPECT_EQ(nodes_with_op(g, "aten::relu").size(), 3u);
  EXPECT_EQ(nodes_with_op(g, "aten::addmm").size(), 2u);
  // Constant arguments are attributes, not nodes.
  EXPECT_TRUE(nodes_with_op(g, "prim::Constant").empty());
  EXPECT_TRUE(nodes_with_op(g, "prim::ListConstruct").empty());
}

TEST(TorchGraph, SequentialChildrenGetTheirOwnScopes) {
  torch::nn::Sequential seq(torch::nn::Linear(4, 3), torch::nn::ReLU(), torch::nn::Linear(3, 2));
  const Graph g = tblog::torch::graph_of(seq, torch::rand({5, 4}));
  ASSERT_NO_THROW(g.validate());
  EXPECT_NE(find_node(g, "Sequential/Linear[0]/addmm"), nullptr) << dump(g);
  EXPECT_NE(find_node(g, "Sequential/ReLU[1]/relu"), nullptr);
  const GraphNode* last = find_node(g, "Sequential/Linear[2]/addmm");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->output_shapes.at(0), (Shape{5, 2}));
}

TEST(TorchGraph, TorchScriptFileIsInlinedAndScopedByModulePath) {
  TempDir dir;
  torch::jit::Module linear("Lin");
  linear.register_parameter("weight", torch::randn({3, 4}), false);
  linear.register_parameter("bias", torch::randn({3}), false);
  linear.define("def forward(self, x):\n  return torch.linear(x, self.weight, self.bias)\n");
  torch::jit::Module net("Net");
  net.register_module("fc1", linear);
  net.define("def forward(self, x):\n  return torch.relu(self.fc1.forward(x))\n");
  const std::string path = (dir.path() / "net.pt").string();
  net.save(path);

  const Graph g = tblog::torch::graph_of_torchscript(path, {torch::rand({2, 4})});
  ASSERT_NO_THROW(g.validate());
  const GraphNode* fc1 = find_node(g, "Net/Lin[fc1]/linear");
  ASSERT_NE(fc1, nullptr);
  EXPECT_EQ(fc1->op, "aten::linear");
  EXPECT_TRUE(has_input(*fc1, "Net/Lin[fc1]/weight"));
  EXPECT_TRUE(has_input(*fc1, "input/input_0"));
  EXPECT_EQ(fc1->output_shapes.at(0), (Shape{2, 3}));
  const GraphNode* relu = find_node(g, "Net/relu");
  ASSERT_NE(relu, nullptr);
  EXPECT_TRUE(has_input(*relu, fc1->name));
  EXPECT_EQ(relu->output_shapes.at(0), (Shape{2, 3}));

  // Without example inputs the graph is the same, its shapes unknown.
  const Graph untyped = tblog::torch::graph_of_torchscript(path);
  ASSERT_NE(find_node(untyped, "Net/Lin[fc1]/linear"), nullptr);
  EXPECT_TRUE(find_node(untyped, "Net/relu")->output_shapes.at(0).unknown_rank);
}

TEST(TorchGraph, BadInputsAreClearErrors) {
  try {
    tblog::torch::graph_of_torchscript("/nonexistent/model.pt");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.pt"), std::string::npos) << e.what();
  }
  torch::nn::Linear linear(4, 2);
  EXPECT_THROW(tblog::torch::graph_of(*linear, {}, [](const std::vector<at::Tensor>& x) { return x; }),
               Error);
  // A forward that fails names the module; nothing is left tracing afterwards.
  EXPECT_THROW(tblog::torch::graph_of(linear, torch::rand({2, 5})), Error);
  EXPECT_NO_THROW(tblog::torch::graph_of(linear, torch::rand({2, 4})));
}

// ---- Tensors as summaries ----

const SummaryValue* find_value(const std::vector<Event>& events, const std::string& tag) {
  for (const auto& e : events) {
    for (const auto& v : e.values) {
      if (v.tag == tag) return &v;
    }
  }
  return nullptr;
}

TEST(TorchTensors, ImagesAndHistogramsRoundTrip) {
  TempDir dir;
  {
    SummaryWriter writer(dir.str());
    tblog::torch::add_image(writer, "chw", torch::rand({3, 4, 5}), 1);
    tblog::torch::add_image(writer, "hw", torch::full({6, 7}, 200, torch::kByte), 1);
    // A non-contiguous HWC view and its contiguous copy encode to the same PNG.
    const torch::Tensor chw = torch::randint(0, 256, {3, 8, 9}, torch::kByte);
    tblog::torch::add_image(writer, "view", chw.permute({1, 2, 0}), 1, ImageLayout::HWC);
    tblog::torch::add_image(writer, "copy", chw.permute({1, 2, 0}).contiguous(), 1, ImageLayout::HWC);
    tblog::torch::add_images(writer, "batch", torch::rand({4, 1, 10, 10}, torch::kDouble), 2);
    tblog::torch::add_histogram(writer, "hist", torch::arange(100, torch::kFloat).reshape({10, 10}), 3);
    tblog::torch::add_histogram(writer, "ints", torch::arange(10, torch::kLong), 3);
  }
  const auto events = test::read_run_events(dir.str());
  const SummaryValue* chw = find_value(events, "chw");
  ASSERT_NE(chw, nullptr);
  EXPECT_EQ(chw->image.height, 4);
  EXPECT_EQ(chw->image.width, 5);
  EXPECT_EQ(chw->image.colorspace, 3);
  const SummaryValue* hw = find_value(events, "hw");
  ASSERT_NE(hw, nullptr);
  EXPECT_EQ(hw->image.height, 6);
  EXPECT_EQ(hw->image.colorspace, 1);
  ASSERT_NE(find_value(events, "view"), nullptr);
  EXPECT_EQ(find_value(events, "view")->image.encoded, find_value(events, "copy")->image.encoded);
  EXPECT_EQ(find_value(events, "view")->image.width, 9);
  ASSERT_NE(find_value(events, "batch"), nullptr);
  EXPECT_EQ(find_value(events, "batch")->kind, SummaryValue::Kind::image);

  const SummaryValue* hist = find_value(events, "hist");
  ASSERT_NE(hist, nullptr);
  EXPECT_DOUBLE_EQ(hist->histogram.num, 100);
  EXPECT_DOUBLE_EQ(hist->histogram.min, 0);
  EXPECT_DOUBLE_EQ(hist->histogram.max, 99);
  EXPECT_DOUBLE_EQ(hist->histogram.sum, 4950);
  const SummaryValue* ints = find_value(events, "ints");
  ASSERT_NE(ints, nullptr);
  EXPECT_DOUBLE_EQ(ints->histogram.sum, 45);
}

TEST(TorchTensors, ProgressWriterImagesOnlyOnTheWritingRank) {
  TempDir dir;
  {
    TensorBoardProgressWriter writer(1, dir.str(), 0);
    tblog::torch::write_image(writer, "inputs", torch::rand({2, 28, 28, 1}), 5, BatchLayout::NHWC);
    TensorBoardProgressWriter other(1, (dir.path() / "other").string(), 1);
    tblog::torch::write_image(other, "inputs", torch::rand({2, 1, 28, 28}), 5);
  }
  const auto events = test::read_run_events(dir.str());
  const SummaryValue* image = find_value(events, "inputs");
  ASSERT_NE(image, nullptr);
  EXPECT_EQ(image->kind, SummaryValue::Kind::image);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "other"));
}

TEST(TorchTensors, BadTensorsNameTagAndDtype) {
  TempDir dir;
  SummaryWriter writer(dir.str());
  try {
    tblog::torch::add_image(writer, "ints", torch::zeros({3, 4, 4}, torch::kInt), 0);
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("ints"), std::string::npos) << what;
    EXPECT_NE(what.find("Int"), std::string::npos) << what;
  }
  EXPECT_THROW(tblog::torch::add_image(writer, "flat", torch::zeros({16}), 0), Error);
  EXPECT_THROW(tblog::torch::add_images(writer, "five", torch::zeros({1, 1, 1, 4, 4}), 0), Error);
  EXPECT_THROW(tblog::torch::add_histogram(writer, "none", torch::Tensor(), 0), Error);
  // A shape tblog rejects (2 channels) is tblog's own error.
  EXPECT_THROW(tblog::torch::add_image(writer, "two", torch::zeros({2, 4, 4}), 0), Error);
}

// ---- Trainer ----

class RecordingWriter : public ProgressWriter {
 public:
  RecordingWriter() : ProgressWriter(1, 0, 0) {}
  struct Update {
    std::int64_t samples;
    double loss, metric;
  };
  std::vector<Update> updates;
  std::vector<Update> tests;
  int training_summaries_seen = 0;
  void write_value(std::string_view, double, std::int64_t) override {}

 protected:
  void on_training_update(std::int64_t, std::int64_t, const Sums& w) override {
    updates.push_back({w.samples, w.loss, w.metric});
  }
  void on_training_summary(const Sums&, double) override { ++training_summaries_seen; }
  void on_test_summary(const Sums& t, std::int64_t, double) override {
    tests.push_back({t.samples, t.loss, t.metric});
  }
  void on_setting(std::string_view, double) override {}
};

tblog::torch::LossFunction cross_entropy() {
  return [](const at::Tensor& out, const at::Tensor& y) { return torch::nn::functional::cross_entropy(out, y); };
}

TEST(TorchTrainer, FeedsWritersLossAndErrorSumsAndSteps) {
  torch::manual_seed(1);
  torch::nn::Linear model(6, 4);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.5));
  RecordingWriter writer;
  tblog::torch::Trainer trainer(model, cross_entropy(), tblog::torch::classification_errors, sgd, {&writer});

  const torch::Tensor x = torch::randn({8, 6});
  const torch::Tensor y = torch::randint(0, 4, {8}, torch::kLong);
  double expected_loss = 0, expected_errors = 0;
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor out = model(x);
    expected_loss = torch::nn::functional::cross_entropy(out, y).item<double>();
    expected_errors = (out.argmax(1) != y).sum().item<double>();
  }
  const torch::Tensor before = model->weight.detach().clone();
  const double loss = trainer.train_minibatch(x, y);
  EXPECT_NEAR(loss, expected_loss, 1e-6);
  ASSERT_EQ(writer.updates.size(), 1u);
  EXPECT_EQ(writer.updates[0].samples, 8);
  EXPECT_NEAR(writer.updates[0].loss, 8 * expected_loss, 1e-5);
  EXPECT_DOUBLE_EQ(writer.updates[0].metric, expected_errors);
  EXPECT_FALSE(torch::equal(before, model->weight.detach()));  // the optimizer stepped
  // Repeated steps on one minibatch fit it: the loss falls.
  for (int i = 0; i < 20; ++i) trainer.train_minibatch(x, y);
  EXPECT_LT(trainer.train_minibatch(x, y), loss);
  trainer.summarize_training_progress();
  EXPECT_EQ(writer.training_summaries_seen, 1);
  EXPECT_EQ(trainer.samples_trained(), 22 * 8);

  double test_errors = 0;
  {
    torch::NoGradGuard no_grad;
    test_errors = (model(x).argmax(1) != y).sum().item<double>();
  }
  EXPECT_DOUBLE_EQ(trainer.test_minibatch(x, y), test_errors / 8);
  trainer.summarize_test_progress();
  ASSERT_EQ(writer.tests.size(), 1u);
  EXPECT_EQ(writer.tests[0].samples, 8);
  EXPECT_DOUBLE_EQ(writer.tests[0].metric, test_errors);

  EXPECT_THROW(trainer.train_minibatch(x, y.slice(0, 0, 7)), Error);
}

// All-reduce between threads standing in for workers: each call waits for every worker's
// buffer, then hands each the element-wise sum.
class ThreadAllReduce {
 public:
  explicit ThreadAllReduce(int workers) : workers_(workers) {}
  template <typename T>
  void sum(T* data, std::size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    const std::uint64_t round = round_;
    if (arrived_ == 0) sums_.assign(count, 0.0);
    for (std::size_t i = 0; i < count; ++i) sums_[i] += data[i];
    if (++arrived_ == workers_) {
      arrived_ = 0;
      result_ = sums_;
      ++round_;
      done_.notify_all();
    } else {
      done_.wait(lock, [&] { return round_ != round; });
    }
    for (std::size_t i = 0; i < count; ++i) data[i] = static_cast<T>(result_[i]);
  }
  tblog::torch::AllReduce callbacks() {
    return {[this](float* d, std::size_t n) { sum(d, n); }, [this](double* d, std::size_t n) { sum(d, n); }};
  }

 private:
  int workers_;
  int arrived_ = 0;
  std::uint64_t round_ = 0;
  std::vector<double> sums_, result_;
  std::mutex mutex_;
  std::condition_variable done_;
};

TEST(TorchTrainer, DataParallelWorkersTrainAsOneProcess) {
  torch::manual_seed(2);
  const torch::Tensor x = torch::randn({3, 7, 6});  // 3 minibatches of 7
  const torch::Tensor y = torch::randint(0, 4, {3, 7}, torch::kLong);
  auto make_model = [] {
    torch::manual_seed(3);
    return torch::nn::Linear(6, 4);
  };

  torch::nn::Linear single = make_model();
  torch::optim::SGD single_sgd(single->parameters(), torch::optim::SGDOptions(0.3).momentum(0.9));
  RecordingWriter single_writer;
  tblog::torch::Trainer single_trainer(single, cross_entropy(), tblog::torch::classification_errors,
                                       single_sgd, {&single_writer});
  for (int b = 0; b < 3; ++b) single_trainer.train_minibatch(x[b], y[b]);

  // Two workers split each minibatch unevenly (4 + 3): gradients weighted by samples.
  ThreadAllReduce all_reduce(2);
  torch::nn::Linear models[2] = {make_model(), make_model()};
  RecordingWriter writers[2];
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      torch::optim::SGD sgd(models[w]->parameters(), torch::optim::SGDOptions(0.3).momentum(0.9));
      tblog::torch::Trainer trainer(models[w], cross_entropy(), tblog::torch::classification_errors,
                                    sgd, {&writers[w]});
      trainer.set_all_reduce(all_reduce.callbacks());
      for (int b = 0; b < 3; ++b) {
        const auto begin = w == 0 ? 0 : 4, end = w == 0 ? 4 : 7;
        trainer.train_minibatch(x[b].slice(0, begin, end), y[b].slice(0, begin, end));
      }
    });
  }
  for (auto& t : threads) t.join();

  for (int w = 0; w < 2; ++w) {
    EXPECT_TRUE(torch::allclose(models[w]->weight, single->weight, 1e-5, 1e-6)) << "worker " << w;
    EXPECT_TRUE(torch::allclose(models[w]->bias, single->bias, 1e-5, 1e-6)) << "worker " << w;
    ASSERT_EQ(writers[w].updates.size(), 3u);
    for (int b = 0; b < 3; ++b) {
      EXPECT_EQ(writers[w].updates[b].samples, 7);
      EXPECT_NEAR(writers[w].updates[b].loss, single_writer.updates[b].loss, 1e-5);
      EXPECT_DOUBLE_EQ(writers[w].updates[b].metric, single_writer.updates[b].metric);
    }
  }
}

}  // namespace
