// ONNX models to graphs: every model Debian ships for ONNX's own tests, scopes, subgraphs,
// and files that are not ONNX.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <set>

#include "tblog/onnx.hpp"
#include "tblog/reader.hpp"
#include "tblog/summary_writer.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace tblog {
namespace {

using test::TempDir;

std::vector<std::string> testdata_models() {
  std::vector<std::string> models;
  const fs::path root = TBLOG_ONNX_TESTDATA;
  if (!fs::exists(root)) return models;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".onnx") {
      models.push_back(entry.path().string());
    }
  }
  std::sort(models.begin(), models.end());
  return models;
}

// Nodes we expect, counted straight from the ONNX file: every node, every graph input that
// is not an initializer, every initializer, in the graph and its subgraphs.
std::size_t expected_nodes(const ::onnx::GraphProto& g) {
  std::set<std::string> initializers;
  for (const auto& init : g.initializer()) initializers.insert(init.name());
  std::size_t n = static_cast<std::size_t>(g.node_size()) + initializers.size();
  for (const auto& input : g.input()) n += initializers.count(input.name()) == 0;
  for (const auto& node : g.node()) {
    for (const auto& a : node.attribute()) {
      if (a.has_g()) n += expected_nodes(a.g());
      for (const auto& sub : a.graphs()) n += expected_nodes(sub);
    }
  }
  return n;
}

void expect_same(const Graph& a, const Graph& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const GraphNode& x = a.nodes()[i];
    const GraphNode& y = b.nodes()[i];
    ASSERT_EQ(x.name, y.name) << what;
    ASSERT_EQ(x.op, y.op) << what << " " << x.name;
    ASSERT_EQ(x.inputs, y.inputs) << what << " " << x.name;
    ASSERT_EQ(x.dtype, y.dtype) << what << " " << x.name;
    ASSERT_EQ(x.output_shapes, y.output_shapes) << what << " " << x.name;
    ASSERT_EQ(x.attrs.size(), y.attrs.size()) << what << " " << x.name;
  }
}

TEST(OnnxTestdata, EveryModelConvertsCountsResolvesAndReadsBack) {
  const auto models = testdata_models();
  if (models.empty()) GTEST_SKIP() << "libonnx-testdata is not installed";
  EXPECT_GT(models.size(), 900u);
  TempDir dir;
  std::vector<Graph> graphs;
  {
    SummaryWriter writer(dir.str());
    for (const auto& path : models) {
      Graph g;
      try {
        g = onnx::load_graph(path);
      } catch (const Error& e) {
        ADD_FAILURE() << e.what();
        continue;
      }
      ::onnx::ModelProto model;
      ASSERT_TRUE(model.ParseFromString(test::read_file(path))) << path;
      EXPECT_EQ(g.size(), expected_nodes(model.graph())) << path;
      EXPECT_NO_THROW(g.validate()) << path;  // every edge resolves
      writer.add_graph(g);
      graphs.push_back(std::move(g));
    }
  }
  std::size_t i = 0;
  for (const auto& e : test::read_run_events(dir.str())) {
    if (e.what != Event::What::graph_def) continue;
    ASSERT_LT(i, graphs.size());
    expect_same(Graph::from_graph_def(e.graph_def), graphs[i], "graph " + std::to_string(i));
    ++i;
  }
  EXPECT_EQ(i, graphs.size());
}

::onnx::ValueInfoProto tensor_value(const std::string& name, std::vector<std::int64_t> dims) {
  ::onnx::ValueInfoProto v;
  v.set_name(name);
  auto* t = v.mutable_type()->mutable_tensor_type();
  t->set_elem_type(::onnx::TensorProto::FLOAT);
  for (auto d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
  return v;
}

::onnx::ModelProto conv_model_with_if() {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  auto* opset = model.add_opset_import();
  opset->set_version(13);
  auto* g = model.mutable_graph();
  g->set_name("net");
  *g->add_input() = tensor_value("input", {1, 3, 8, 8});
  auto* w = g->add_initializer();
  w->set_name("layer1.conv.weight");
  w->set_data_type(::onnx::TensorProto::FLOAT);
  for (auto d : {4, 3, 3, 3}) w->add_dims(d);
  for (int i = 0; i < 4 * 3 * 3 * 3; ++i) w->add_float_data(0.01f * i);
  auto* flag = g->add_initializer();
  flag->set_name("flag");
  flag->set_data_type(::onnx::TensorProto::BOOL);
  flag->add_int32_data(1);
  auto* conv = g->add_node();
  conv->set_name("/layer1/conv/Conv");
  conv->set_op_type("Conv");
  conv->add_input("input");
  conv->add_input("layer1.conv.weight");
  conv->add_output("/layer1/conv/Conv_output_0");
  auto* pads = conv->add_attribute();
  pads->set_name("pads");
  pads->set_type(::onnx::AttributeProto::INTS);
  for (int p : {1, 1, 1, 1}) pads->add_ints(p);
  auto* relu = g->add_node();
  relu->set_name("/layer1/relu/Relu");
  relu->set_op_type("Relu");
  relu->add_input("/layer1/conv/Conv_output_0");
  relu->add_output("relu_out");
  auto* iff = g->add_node();
  iff->set_name("/branch/If");
  iff->set_op_type("If");
  iff->add_input("flag");
  iff->add_output("out");
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* a = iff->add_attribute();
    a->set_name(branch);
    a->set_type(::onnx::AttributeProto::GRAPH);
    auto* sub = a->mutable_g();
    sub->set_name(branch);
    auto* n = sub->add_node();
    n->set_name("Identity");
    n->set_op_type("Identity");
    n->add_input("relu_out");  // from the outer scope
    n->add_output(std::string(branch) + "_out");
    *sub->add_output() = tensor_value(std::string(branch) + "_out", {1, 4, 8, 8});
  }
  *g->add_output() = tensor_value("out", {1, 4, 8, 8});
  return model;
}

TEST(Onnx, ScopesSubgraphsShapesAndKinds) {
  const Graph g = onnx::graph_from_model(conv_model_with_if().SerializeAsString(), "test");
  std::map<std::string, const GraphNode*> by_name;
  for (const auto& n : g.nodes()) by_name[n.name] = &n;
  ASSERT_TRUE(by_name.count("input"));
  EXPECT_EQ(by_name["input"]->op, "Placeholder");
  EXPECT_EQ(by_name["input"]->output_shapes.at(0), (Shape{1, 3, 8, 8}));
  ASSERT_TRUE(by_name.count("layer1.conv.weight"));
  EXPECT_EQ(by_name["layer1.conv.weight"]->op, "Parameter");
  EXPECT_EQ(by_name["flag"]->op, "Const");
  EXPECT_TRUE(by_name["flag"]->attrs.count("value"));  // small constants keep their value
  ASSERT_TRUE(by_name.count("layer1/conv/Conv"));      // '/'-names are scopes
  const GraphNode& conv = *by_name["layer1/conv/Conv"];
  EXPECT_EQ(conv.op, "Conv");
  EXPECT_EQ(conv.inputs, (std::vector<std::string>{"input", "layer1.conv.weight"}));
  EXPECT_EQ(std::get<std::vector<std::int64_t>>(conv.attrs.at("pads")),
            (std::vector<std::int64_t>{1, 1, 1, 1}));
  // Shape inference filled in the conv's output.
  EXPECT_EQ(conv.output_shapes.at(0), (Shape{1, 4, 8, 8}));
  EXPECT_EQ(conv.dtype, DType::float32);
  ASSERT_TRUE(by_name.count("branch/If/then_branch/Identity"));
  ASSERT_TRUE(by_name.count("branch/If/else_branch/Identity"));
  EXPECT_EQ(by_name["branch/If/then_branch/Identity"]->inputs,
            (std::vector<std::string>{"layer1/relu/Relu"}));
  EXPECT_EQ(g.size(), 8u);  // 4 nodes (incl. subgraphs) + 1 input + 2 initializers... + If
}

TEST(Onnx, FilesThatAreNotOnnxAreClearErrors) {
  TempDir dir;
  auto error_of = [](const std::string& path) -> std::string {
    try {
      onnx::load_graph(path);
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  const std::string missing = dir.str() + "/missing.onnx";
  EXPECT_NE(error_of(missing).find(missing), std::string::npos);
  const std::string text = dir.str() + "/text.onnx";
  test::write_file(text, "this is not a model\n");
  EXPECT_NE(error_of(text).find(text), std::string::npos) << error_of(text);
  const std::string empty = dir.str() + "/empty.onnx";
  test::write_file(empty, "");
  EXPECT_NE(error_of(empty).find("empty"), std::string::npos);
  const std::string full = conv_model_with_if().SerializeAsString();
  const std::string cut = dir.str() + "/cut.onnx";
  test::write_file(cut, full.substr(0, full.size() / 2));
  const std::string msg = error_of(cut);
  EXPECT_NE(msg.find(cut), std::string::npos) << msg;
  // The writer is untouched by a failed load.
  SummaryWriter writer(dir.str() + "/logs");
  writer.add_graph(onnx::graph_from_model(full));
  writer.close();
}

TEST(Onnx, GraphCommandWritesTheModelOrNothing) {
  if (test::cli_path().empty()) GTEST_SKIP() << "the tblog tool is not built";
  TempDir dir;
  const std::string model = dir.str() + "/model.onnx";
  test::write_file(model, conv_model_with_if().SerializeAsString());
  const std::string logdir = dir.str() + "/logs";
  auto run = test::run_command(test::shell_quote(test::cli_path()) + " graph " + test::shell_quote(model) +
                               " --logdir " + test::shell_quote(logdir) + " --run net");
  ASSERT_EQ(run.exit_code, 0) << run.all();
  int graphs = 0;
  for (const auto& e : test::read_run_events(logdir + "/net")) {
    if (e.what == Event::What::graph_def) {
      ++graphs;
      EXPECT_EQ(Graph::from_graph_def(e.graph_def).size(), 8u);
    }
  }
  EXPECT_EQ(graphs, 1);

  const std::string not_model = dir.str() + "/notes.txt";
  test::write_file(not_model, "plain text");
  run = test::run_command(test::shell_quote(test::cli_path()) + " graph " + test::shell_quote(not_model) +
                          " --logdir " + test::shell_quote(dir.str() + "/other"));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.errors.find(not_model), std::string::npos) << run.all();
  EXPECT_FALSE(fs::exists(dir.str() + "/other"));  // nothing written for a bad model
}

}  // namespace
}  // namespace tblog
