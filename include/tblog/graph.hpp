#pragma once
// A framework-neutral model graph for TensorBoard's Graphs tab. Build one by hand, load an
// ONNX model (tblog::onnx::load_graph) or trace a LibTorch module (tblog::torch::graph_of),
// then SummaryWriter::add_graph writes it as a GraphDef.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tblog/export.hpp"

namespace tblog {

enum class DType {
  invalid, float32, float64, float16, bfloat16, int8, int16, int32, int64,
  uint8, uint16, uint32, uint64, boolean, string, complex64, complex128,
};

// "float32", "int64", ... as TensorBoard shows them.
TBLOG_API const char* dtype_name(DType dtype);

// A tensor shape; a dimension of -1 is unknown. unknown_rank: nothing is known.
struct Shape {
  std::vector<std::int64_t> dims;
  bool unknown_rank = false;

  Shape() = default;
  Shape(std::initializer_list<std::int64_t> d) : dims(d) {}
  explicit Shape(std::vector<std::int64_t> d) : dims(std::move(d)) {}
  static Shape unknown() {
    Shape s;
    s.unknown_rank = true;
    return s;
  }
  bool operator==(const Shape& o) const { return dims == o.dims && unknown_rank == o.unknown_rank; }
};

// A constant's value, as raw little-endian bytes of `dtype` (strings: one entry each).
struct TensorAttr {
  DType dtype = DType::float32;
  Shape shape;
  std::string content;
  std::vector<std::string> strings;  // for DType::string
};

using AttrValue = std::variant<std::int64_t, double, std::string, bool, Shape, DType, TensorAttr,
                               std::vector<std::int64_t>, std::vector<double>,
                               std::vector<std::string>, std::vector<bool>, std::vector<Shape>,
                               std::vector<DType>>;

struct GraphNode {
  std::string name;                 // unique; '/' separates scopes
  std::string op;                   // e.g. "MatMul", "aten::linear", "Placeholder"
  std::vector<std::string> inputs;  // producer names; "name:k" for output k; "^name" control
  DType dtype = DType::invalid;     // shown as the node's type
  std::vector<Shape> output_shapes; // shown on the out-edges
  std::map<std::string, AttrValue> attrs;
  std::string device;
};

// SummaryWriter::add_graph's options.
struct GraphOptions {
  // Reject a graph with an input that names no node, as Graph::validate does. Off (the
  // default): such inputs are written as they are, with one warning per graph, since
  // TensorBoard draws them and PyTorch's traced graphs carry them.
  bool strict = false;
};

// Thread safety: build on one thread; a finished graph may be read (and added) from any.
class TBLOG_API Graph {
 public:
  // Adds a node and returns it for filling in. The reference stays valid until the next add.
  GraphNode& add_node(std::string name, std::string op, std::vector<std::string> inputs = {});
  const std::vector<GraphNode>& nodes() const { return nodes_; }
  std::vector<GraphNode>& nodes() { return nodes_; }
  std::size_t size() const { return nodes_.size(); }
  bool empty() const { return nodes_.empty(); }

  // Throws tblog::Error naming the first duplicate node name or input that names no node
  // (add_graph without GraphOptions::strict only warns about the latter).
  // Cycles are allowed: graphs may have them.
  void validate() const;

  // The graph as a serialized GraphDef (what Event.graph_def holds), and back. The node's
  // dtype travels as the attr "dtype", its output shapes as "_output_shapes".
  std::string to_graph_def() const;
  static Graph from_graph_def(std::string_view bytes);  // throws tblog::Error if malformed

 private:
  std::vector<GraphNode> nodes_;
};

}  // namespace tblog
