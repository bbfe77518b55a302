// tblog::Graph: validation, GraphDef round trip, add_graph, and the progress writer's model.
#include <gtest/gtest.h>

#include "tblog/graph.hpp"
#include "tblog/graph.pb.h"
#include "tblog/progress.hpp"
#include "tblog/reader.hpp"
#include "tblog/summary_writer.hpp"
#include "test_support.hpp"

namespace tblog {
namespace {

using test::TempDir;

Graph small_mlp() {
  Graph g;
  auto& x = g.add_node("input/x", "Placeholder");
  x.dtype = DType::float32;
  x.output_shapes = {Shape{-1, 784}};
  auto& w = g.add_node("fc1/weight", "Parameter");
  w.dtype = DType::float32;
  w.output_shapes = {Shape{200, 784}};
  TensorAttr value;
  value.dtype = DType::float32;
  value.shape = Shape{2};
  value.content = std::string("\0\0\x80\x3f\0\0\0\x40", 8);  // 1.0f, 2.0f
  g.add_node("fc1/scale", "Const").attrs["value"] = value;
  auto& mm = g.add_node("fc1/linear", "aten::linear", {"input/x", "fc1/weight:0", "^fc1/scale"});
  mm.dtype = DType::float32;
  mm.output_shapes = {Shape{-1, 200}};
  mm.attrs["transpose_b"] = true;
  mm.attrs["alpha"] = 0.5;
  mm.attrs["mode"] = std::string("fast");
  mm.attrs["axes"] = std::vector<std::int64_t>{0, 1};
  mm.attrs["scales"] = std::vector<double>{0.25, 4.0};
  mm.attrs["names"] = std::vector<std::string>{"a", "b"};
  mm.attrs["shape_hint"] = Shape::unknown();
  mm.attrs["T"] = DType::bfloat16;
  auto& relu = g.add_node("fc1/relu", "aten::relu", {"fc1/linear"});
  relu.dtype = DType::float32;
  relu.output_shapes = {Shape{-1, 200}};
  return g;
}

TEST(Graph, ValidGraphPasses) { EXPECT_NO_THROW(small_mlp().validate()); }

TEST(Graph, RejectsDuplicateNamesAndDanglingInputs) {
  Graph dup = small_mlp();
  dup.add_node("fc1/relu", "Identity");
  try {
    dup.validate();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'fc1/relu'"), std::string::npos) << e.what();
  }
  Graph dangling = small_mlp();
  dangling.add_node("out", "Softmax", {"fc1/missing:1"});
  try {
    dangling.validate();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'fc1/missing:1'"), std::string::npos) << e.what();
  }
  Graph unnamed;
  unnamed.add_node("", "Const");
  EXPECT_THROW(unnamed.validate(), Error);
}

TEST(Graph, CyclesAreAllowed) {
  Graph g;
  g.add_node("loop/a", "Add", {"loop/b"});
  g.add_node("loop/b", "Mul", {"loop/a"});
  EXPECT_NO_THROW(g.validate());
}

TEST(Graph, GraphDefCarriesDtypeAndShapesAsTensorBoardReadsThem) {
  pb::GraphDef def;
  ASSERT_TRUE(def.ParseFromString(small_mlp().to_graph_def()));
  ASSERT_EQ(def.node_size(), 5);
  const pb::NodeDef& linear = def.node(3);
  EXPECT_EQ(linear.name(), "fc1/linear");
  EXPECT_EQ(linear.op(), "aten::linear");
  ASSERT_EQ(linear.input_size(), 3);
  EXPECT_EQ(linear.input(1), "fc1/weight:0");
  EXPECT_EQ(linear.attr().at("dtype").type(), pb::DT_FLOAT);
  const auto& shapes = linear.attr().at("_output_shapes").list().shape();
  ASSERT_EQ(shapes.size(), 1);
  ASSERT_EQ(shapes[0].dim_size(), 2);
  EXPECT_EQ(shapes[0].dim(0).size(), -1);
  EXPECT_EQ(shapes[0].dim(1).size(), 200);
  EXPECT_EQ(linear.attr().at("T").type(), pb::DT_BFLOAT16);
  EXPECT_TRUE(linear.attr().at("transpose_b").b());
  EXPECT_EQ(def.node(2).attr().at("value").tensor().tensor_content().size(), 8u);
}

TEST(Graph, RoundTripsThroughGraphDef) {
  const Graph g = small_mlp();
  const Graph back = Graph::from_graph_def(g.to_graph_def());
  ASSERT_EQ(back.size(), g.size());
  for (std::size_t i = 0; i < g.size(); ++i) {
    const GraphNode& a = g.nodes()[i];
    const GraphNode& b = back.nodes()[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.op, b.op);
    EXPECT_EQ(a.inputs, b.inputs);
    EXPECT_EQ(a.dtype, b.dtype);
    EXPECT_EQ(a.output_shapes, b.output_shapes);
    EXPECT_EQ(a.attrs.size(), b.attrs.size()) << a.name;
  }
  const auto& attrs = back.nodes()[3].attrs;
  EXPECT_EQ(std::get<double>(attrs.at("alpha")), 0.5);
  EXPECT_EQ(std::get<std::string>(attrs.at("mode")), "fast");
  EXPECT_EQ(std::get<std::vector<std::int64_t>>(attrs.at("axes")), (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(std::get<std::vector<double>>(attrs.at("scales")), (std::vector<double>{0.25, 4.0}));
  EXPECT_EQ(std::get<std::vector<std::string>>(attrs.at("names")), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(std::get<Shape>(attrs.at("shape_hint")).unknown_rank);
  EXPECT_EQ(std::get<DType>(attrs.at("T")), DType::bfloat16);
  const auto& value = std::get<TensorAttr>(back.nodes()[2].attrs.at("value"));
  EXPECT_EQ(value.content, std::string("\0\0\x80\x3f\0\0\0\x40", 8));
  EXPECT_EQ(value.shape, Shape{2});
  EXPECT_THROW(Graph::from_graph_def("\xff\xff\xff"), Error);
}

TEST(Graph, AddGraphWritesEventGraphDef) {
  TempDir dir;
  {
    SummaryWriter writer(dir.str());
    writer.add_graph(small_mlp());
    Graph bad;
    bad.add_node("a", "Op", {"nowhere"});
    EXPECT_THROW(writer.add_graph(bad, GraphOptions{true}), Error);  // strict
    Graph duplicate = small_mlp();
    duplicate.add_node("fc1/relu", "Identity");
    EXPECT_THROW(writer.add_graph(duplicate), Error);
    EXPECT_THROW(writer.add_graph(Graph()), Error);
    writer.add_scalar("still/works", 1, 1);
  }
  const auto events = test::read_run_events(dir.str());
  int graphs = 0, scalars = 0;
  for (const auto& e : events) {
    if (e.what == Event::What::graph_def) {
      ++graphs;
      EXPECT_EQ(Graph::from_graph_def(e.graph_def).size(), 5u);
    }
    scalars += static_cast<int>(e.values.size());
  }
  EXPECT_EQ(graphs, 1);
  EXPECT_EQ(scalars, 1);
}

// PyTorch's traced graphs carry inputs that name no node; TensorBoard draws them, so the
// GraphDef they come in must be writable again.
TEST(Graph, DanglingInputsAreWrittenWithOneWarningPerGraph) {
  Graph traced = small_mlp();
  traced.add_node("out", "aten::softmax", {"fc1/relu", "input/missing:1", "^also/missing"});
  const Graph loaded = Graph::from_graph_def(traced.to_graph_def());
  TempDir dir;
  std::vector<std::string> warnings;
  WriterOptions options;
  options.error_handler = [&](const std::string& m) { warnings.push_back(m); };
  {
    SummaryWriter writer(dir.str(), options);
    writer.add_graph(loaded);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("2 input(s)"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("'input/missing:1'"), std::string::npos) << warnings[0];
    try {
      writer.add_graph(loaded, GraphOptions{true});
      ADD_FAILURE() << "strict accepted a dangling input";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
      EXPECT_NE(std::string(e.what()).find("'input/missing:1'"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(warnings.size(), 1u);
  int graphs = 0;
  for (const auto& e : test::read_run_events(dir.str())) {
    if (e.what != Event::What::graph_def) continue;
    ++graphs;
    const Graph back = Graph::from_graph_def(e.graph_def);
    ASSERT_EQ(back.size(), 6u);
    EXPECT_EQ(back.nodes()[5].inputs,
              (std::vector<std::string>{"fc1/relu", "input/missing:1", "^also/missing"}));
  }
  EXPECT_EQ(graphs, 1);  // the strict call wrote nothing
}

TEST(Graph, ProgressWriterRecordsTheModel) {
  TempDir dir;
  const Graph model = small_mlp();
  { TensorBoardProgressWriter w(1, dir.str(), 0, &model); }
  int graphs = 0;
  for (const auto& e : test::read_run_events(dir.str())) graphs += e.what == Event::What::graph_def;
  EXPECT_EQ(graphs, 1);
}

}  // namespace
}  // namespace tblog
