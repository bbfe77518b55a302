// tblog::Graph: building, validating, and converting to and from GraphDef.
#include "tblog/graph.hpp"

#include <unordered_set>

#include <google/protobuf/arena.h>

#include "kinds/core_kinds.hpp"
#include "tblog/error.hpp"
#include "tblog/graph.pb.h"

namespace tblog {
namespace {

struct DTypeInfo {
  DType dtype;
  pb::DataType wire;
  const char* name;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::float32, pb::DT_FLOAT, "float32"},    {DType::float64, pb::DT_DOUBLE, "float64"},
    {DType::float16, pb::DT_HALF, "float16"},     {DType::bfloat16, pb::DT_BFLOAT16, "bfloat16"},
    {DType::int8, pb::DT_INT8, "int8"},           {DType::int16, pb::DT_INT16, "int16"},
    {DType::int32, pb::DT_INT32, "int32"},        {DType::int64, pb::DT_INT64, "int64"},
    {DType::uint8, pb::DT_UINT8, "uint8"},        {DType::uint16, pb::DT_UINT16, "uint16"},
    {DType::uint32, pb::DT_UINT32, "uint32"},     {DType::uint64, pb::DT_UINT64, "uint64"},
    {DType::boolean, pb::DT_BOOL, "bool"},        {DType::string, pb::DT_STRING, "string"},
    {DType::complex64, static_cast<pb::DataType>(8), "complex64"},
    {DType::complex128, static_cast<pb::DataType>(18), "complex128"},
};

pb::DataType to_wire(DType d) {
  for (const auto& info : kDTypes) {
    if (info.dtype == d) return info.wire;
  }
  return pb::DT_INVALID;
}

DType from_wire(int wire) {
  for (const auto& info : kDTypes) {
    if (info.wire == wire) return info.dtype;
  }
  return DType::invalid;
}

void to_wire(const Shape& shape, pb::TensorShapeProto* out) {
  if (shape.unknown_rank) {
    out->set_unknown_rank(true);
    return;
  }
  for (std::int64_t d : shape.dims) out->add_dim()->set_size(d);
}

Shape from_wire(const pb::TensorShapeProto& in) {
  if (in.unknown_rank()) return Shape::unknown();
  Shape s;
  for (const auto& d : in.dim()) s.dims.push_back(d.size());
  return s;
}

void to_wire(const TensorAttr& t, pb::TensorProto* out) {
  out->set_dtype(to_wire(t.dtype));
  to_wire(t.shape, out->mutable_tensor_shape());
  if (t.dtype == DType::string) {
    for (const auto& s : t.strings) out->add_string_val(s);
  } else {
    out->set_tensor_content(t.content);
  }
}

TensorAttr from_wire(const pb::TensorProto& in) {
  TensorAttr t;
  t.dtype = from_wire(in.dtype());
  t.shape = from_wire(in.tensor_shape());
  t.content = in.tensor_content();
  for (const auto& s : in.string_val()) t.strings.push_back(s);
  return t;
}

// Converts one attribute; a visitor over AttrValue's alternatives.
struct AttrToWire {
  pb::AttrValue* out;
  void operator()(std::int64_t v) const { out->set_i(v); }
  void operator()(double v) const { out->set_f(static_cast<float>(v)); }
  void operator()(const std::string& v) const { out->set_s(v); }
  void operator()(bool v) const { out->set_b(v); }
  void operator()(const Shape& v) const { to_wire(v, out->mutable_shape()); }
  void operator()(DType v) const { out->set_type(to_wire(v)); }
  void operator()(const TensorAttr& v) const { to_wire(v, out->mutable_tensor()); }
  void operator()(const std::vector<std::int64_t>& v) const {
    auto* list = out->mutable_list();
    for (auto x : v) list->add_i(x);
  }
  void operator()(const std::vector<double>& v) const {
    auto* list = out->mutable_list();
    for (auto x : v) list->add_f(static_cast<float>(x));
  }
  void operator()(const std::vector<std::string>& v) const {
    auto* list = out->mutable_list();
    for (const auto& x : v) list->add_s(x);
  }
  void operator()(const std::vector<bool>& v) const {
    auto* list = out->mutable_list();
    for (bool x : v) list->add_b(x);
  }
  void operator()(const std::vector<Shape>& v) const {
    auto* list = out->mutable_list();
    for (const auto& x : v) to_wire(x, list->add_shape());
  }
  void operator()(const std::vector<DType>& v) const {
    auto* list = out->mutable_list();
    for (auto x : v) list->add_type(to_wire(x));
  }
};

AttrValue from_wire(const pb::AttrValue& in) {
  switch (in.value_case()) {
    case pb::AttrValue::kS: return in.s();
    case pb::AttrValue::kI: return static_cast<std::int64_t>(in.i());
    case pb::AttrValue::kF: return static_cast<double>(in.f());
    case pb::AttrValue::kB: return in.b();
    case pb::AttrValue::kType: return from_wire(in.type());
    case pb::AttrValue::kShape: return from_wire(in.shape());
    case pb::AttrValue::kTensor: return from_wire(in.tensor());
    case pb::AttrValue::kList: {
      const auto& l = in.list();
      // A list holds one kind of element; an empty list reads back as empty ints.
      if (l.s_size() > 0) return std::vector<std::string>(l.s().begin(), l.s().end());
      if (l.f_size() > 0) return std::vector<double>(l.f().begin(), l.f().end());
      if (l.b_size() > 0) return std::vector<bool>(l.b().begin(), l.b().end());
      if (l.shape_size() > 0) {
        std::vector<Shape> shapes;
        for (const auto& s : l.shape()) shapes.push_back(from_wire(s));
        return shapes;
      }
      if (l.type_size() > 0) {
        std::vector<DType> types;
        for (int t : l.type()) types.push_back(from_wire(t));
        return types;
      }
      return std::vector<std::int64_t>(l.i().begin(), l.i().end());
    }
    default: return std::string();
  }
}

// "name:0" -> "name", "^name" -> "name"; a colon not followed only by digits is part of the name.
std::string_view producer_of(std::string_view input) {
  if (!input.empty() && input.front() == '^') input.remove_prefix(1);
  const auto colon = input.rfind(':');
  if (colon != std::string_view::npos && colon + 1 < input.size() &&
      input.find_first_not_of("0123456789", colon + 1) == std::string_view::npos) {
    input = input.substr(0, colon);
  }
  return input;
}

}  // namespace

const char* dtype_name(DType dtype) {
  for (const auto& info : kDTypes) {
    if (info.dtype == dtype) return info.name;
  }
  return "invalid";
}

GraphNode& Graph::add_node(std::string name, std::string op, std::vector<std::string> inputs) {
  GraphNode node;
  node.name = std::move(name);
  node.op = std::move(op);
  node.inputs = std::move(inputs);
  nodes_.push_back(std::move(node));
  return nodes_.back();
}

void Graph::validate() const { detail::check_graph(*this, false, nullptr); }

std::size_t detail::check_graph(const Graph& graph, bool allow_dangling,
                                std::string* first_dangling) {
  const std::vector<GraphNode>& nodes_ = graph.nodes();
  std::size_t dangling = 0;
  std::unordered_set<std::string_view> names;
  names.reserve(nodes_.size());
  for (const auto& node : nodes_) {
    if (node.name.empty()) throw Error("graph has a node with an empty name (op '" + node.op + "')");
    if (!names.insert(node.name).second) {
      throw Error("graph node name '" + node.name + "' is used twice");
    }
  }
  for (const auto& node : nodes_) {
    for (const char* reserved : {"dtype", "_output_shapes"}) {
      if (node.attrs.count(reserved)) {
        throw Error("graph node '" + node.name + "' has an attr named '" + reserved +
                    "', which holds GraphNode::" +
                    (reserved[0] == 'd' ? "dtype" : "output_shapes") + "; set that instead");
      }
    }
    for (const auto& input : node.inputs) {
      if (names.count(producer_of(input)) == 0) {
        const std::string what = "graph node '" + node.name + "' has input '" + input + "'";
        if (!allow_dangling) throw Error(what + ", which names no node");
        if (dangling++ == 0 && first_dangling != nullptr) *first_dangling = what;
      }
    }
  }
  return dangling;
}

std::string Graph::to_graph_def() const {
  // Thousands of small messages: an arena makes their allocation and release cheap.
  google::protobuf::Arena arena;
  pb::GraphDef& def = *google::protobuf::Arena::CreateMessage<pb::GraphDef>(&arena);
  def.mutable_node()->Reserve(static_cast<int>(nodes_.size()));
  for (const auto& node : nodes_) {
    pb::NodeDef* out = def.add_node();
    out->set_name(node.name);
    out->set_op(node.op);
    for (const auto& input : node.inputs) out->add_input(input);
    if (!node.device.empty()) out->set_device(node.device);
    auto& attrs = *out->mutable_attr();
    for (const auto& [key, value] : node.attrs) std::visit(AttrToWire{&attrs[key]}, value);
    if (node.dtype != DType::invalid) attrs["dtype"].set_type(to_wire(node.dtype));
    if (!node.output_shapes.empty()) {
      auto* list = attrs["_output_shapes"].mutable_list();
      for (const auto& shape : node.output_shapes) to_wire(shape, list->add_shape());
    }
  }
  def.mutable_versions()->set_producer(22);
  return def.SerializeAsString();
}

Graph Graph::from_graph_def(std::string_view bytes) {
  google::protobuf::Arena arena;
  pb::GraphDef& def = *google::protobuf::Arena::CreateMessage<pb::GraphDef>(&arena);
  if (!def.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw Error("bytes are not a valid GraphDef");
  }
  Graph graph;
  for (const auto& in : def.node()) {
    GraphNode& node = graph.add_node(in.name(), in.op(), {in.input().begin(), in.input().end()});
    node.device = in.device();
    for (const auto& [key, value] : in.attr()) {
      if (key == "dtype" && value.value_case() == pb::AttrValue::kType) {
        node.dtype = from_wire(value.type());
      } else if (key == "_output_shapes" && value.value_case() == pb::AttrValue::kList) {
        for (const auto& s : value.list().shape()) node.output_shapes.push_back(from_wire(s));
      } else {
        node.attrs[key] = from_wire(value);
      }
    }
  }
  return graph;
}

}  // namespace tblog
