// Model graphs: converting a generated 10,000-node ONNX model and writing it.
#include <benchmark/benchmark.h>
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <filesystem>

#include "tblog/graph.hpp"
#include "tblog/onnx.hpp"
#include "tblog/summary_writer.hpp"

namespace fs = std::filesystem;

namespace {

// A chain of blocks like an exporter writes: /block_i/MatMul, /block_i/Add, /block_i/Relu,
// ... with a weight and a bias initializer per MatMul.
std::string generated_model(int nodes) {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  auto* g = model.mutable_graph();
  auto* in = g->add_input();
  in->set_name("x");
  auto* t = in->mutable_type()->mutable_tensor_type();
  t->set_elem_type(::onnx::TensorProto::FLOAT);
  t->mutable_shape()->add_dim()->set_dim_value(32);
  t->mutable_shape()->add_dim()->set_dim_value(64);
  std::string prev = "x";
  const char* ops[] = {"MatMul", "Add", "Relu", "Sigmoid"};
  for (int i = 0; i < nodes; ++i) {
    const std::string block = "/block_" + std::to_string(i / 4) + "/";
    const char* op = ops[i % 4];
    auto* n = g->add_node();
    n->set_name(block + op);
    n->set_op_type(op);
    n->add_input(prev);
    if (i % 4 == 0 || i % 4 == 1) {
      auto* w = g->add_initializer();
      w->set_name(block + (i % 4 == 0 ? "weight" : "bias"));
      w->set_data_type(::onnx::TensorProto::FLOAT);
      if (i % 4 == 0) w->add_dims(64);
      w->add_dims(64);
      w->mutable_raw_data()->assign(static_cast<std::size_t>(i % 4 == 0 ? 64 * 64 * 4 : 64 * 4), '\0');
      n->add_input(w->name());
    }
    prev = block + op + "_output_0";
    n->add_output(prev);
  }
  auto* out = g->add_output();
  out->set_name(prev);
  out->mutable_type()->mutable_tensor_type()->set_elem_type(::onnx::TensorProto::FLOAT);
  return model.SerializeAsString();
}

void BM_OnnxGraph_10000Nodes_ConvertAndWrite(benchmark::State& state) {
  const std::string bytes = generated_model(10000);
  const fs::path dir = fs::temp_directory_path() / ("tblog-bench-graph-" + std::to_string(::getpid()));
  std::size_t graph_nodes = 0;
  for (auto _ : state) {
    tblog::Graph graph = tblog::onnx::graph_from_model(bytes, "generated");
    graph_nodes = graph.size();
    tblog::SummaryWriter writer(dir.string());
    writer.add_graph(graph);
    writer.close();
    state.PauseTiming();
    fs::remove_all(dir);
    state.ResumeTiming();
  }
  state.counters["graph_nodes"] = static_cast<double>(graph_nodes);
}
BENCHMARK(BM_OnnxGraph_10000Nodes_ConvertAndWrite)->Unit(benchmark::kMillisecond)->UseRealTime();

// The caller's share of add_graph (validate and copy) for the same graph.
void BM_AddGraph_CallerThread_10000Nodes(benchmark::State& state) {
  const tblog::Graph graph = tblog::onnx::graph_from_model(generated_model(10000), "generated");
  const fs::path dir = fs::temp_directory_path() / ("tblog-bench-graph-caller-" + std::to_string(::getpid()));
  tblog::SummaryWriter writer(dir.string());
  for (auto _ : state) {
    writer.add_graph(graph);
    state.PauseTiming();
    writer.flush();
    state.ResumeTiming();
  }
  writer.close();
  fs::remove_all(dir);
}
BENCHMARK(BM_AddGraph_CallerThread_10000Nodes)->Unit(benchmark::kMillisecond)->UseRealTime();

// Serializing the same graph alone, for comparison with the caller's share above.
void BM_GraphDef_Serialize_10000Nodes(benchmark::State& state) {
  const tblog::Graph graph = tblog::onnx::graph_from_model(generated_model(10000), "generated");
  for (auto _ : state) benchmark::DoNotOptimize(graph.to_graph_def());
}
BENCHMARK(BM_GraphDef_Serialize_10000Nodes)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
