// ONNX ModelProto -> tblog::Graph.
#include <google/protobuf/arena.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "tblog/error.hpp"
#include "tblog/onnx.hpp"

namespace tblog::onnx {
namespace {

namespace ox = ::onnx;

DType dtype_of(int elem_type) {
  switch (elem_type) {
    case ox::TensorProto::FLOAT: return DType::float32;
    case ox::TensorProto::UINT8: return DType::uint8;
    case ox::TensorProto::INT8: return DType::int8;
    case ox::TensorProto::UINT16: return DType::uint16;
    case ox::TensorProto::INT16: return DType::int16;
    case ox::TensorProto::INT32: return DType::int32;
    case ox::TensorProto::INT64: return DType::int64;
    case ox::TensorProto::STRING: return DType::string;
    case ox::TensorProto::BOOL: return DType::boolean;
    case ox::TensorProto::FLOAT16: return DType::float16;
    case ox::TensorProto::DOUBLE: return DType::float64;
    case ox::TensorProto::UINT32: return DType::uint32;
    case ox::TensorProto::UINT64: return DType::uint64;
    case ox::TensorProto::COMPLEX64: return DType::complex64;
    case ox::TensorProto::COMPLEX128: return DType::complex128;
    case ox::TensorProto::BFLOAT16: return DType::bfloat16;
    default: return DType::invalid;
  }
}

bool is_floating(DType d) {
  return d == DType::float32 || d == DType::float64 || d == DType::float16 || d == DType::bfloat16;
}

// Constants up to this size carry their value into the graph.
constexpr std::size_t kMaxConstBytes = 256;

struct ValueType {
  DType dtype = DType::invalid;
  Shape shape = Shape::unknown();
};

ValueType type_of(const ox::TypeProto& type) {
  ValueType out;
  if (!type.has_tensor_type()) return out;
  const auto& tensor = type.tensor_type();
  out.dtype = dtype_of(tensor.elem_type());
  if (tensor.has_shape()) {
    out.shape = Shape();
    for (const auto& dim : tensor.shape().dim()) {
      out.shape.dims.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    }
  }
  return out;
}

Shape shape_of(const ox::TensorProto& t) {
  return Shape(std::vector<std::int64_t>(t.dims().begin(), t.dims().end()));
}

std::int64_t elements_of(const ox::TensorProto& t) {
  std::int64_t n = 1;
  for (auto d : t.dims()) n *= d;
  return n;
}

template <typename T, typename Field>
std::string raw_bytes(const Field& values) {
  std::string out;
  for (auto v : values) {
    const T x = static_cast<T>(v);
    out.append(reinterpret_cast<const char*>(&x), sizeof(T));
  }
  return out;
}

// The value of a small tensor, or nothing when it is large or stored in a form we skip.
std::optional<TensorAttr> value_of(const ox::TensorProto& t) {
  TensorAttr attr;
  attr.dtype = dtype_of(t.data_type());
  attr.shape = shape_of(t);
  if (t.has_raw_data()) {
    if (t.raw_data().size() > kMaxConstBytes) return std::nullopt;
    attr.content = t.raw_data();
  } else if (attr.dtype == DType::float32 && t.float_data_size() * 4 <= static_cast<int>(kMaxConstBytes)) {
    attr.content = raw_bytes<float>(t.float_data());
  } else if (attr.dtype == DType::int64 && t.int64_data_size() * 8 <= static_cast<int>(kMaxConstBytes)) {
    attr.content = raw_bytes<std::int64_t>(t.int64_data());
  } else if (attr.dtype == DType::int32 && t.int32_data_size() * 4 <= static_cast<int>(kMaxConstBytes)) {
    attr.content = raw_bytes<std::int32_t>(t.int32_data());
  } else if ((attr.dtype == DType::boolean || attr.dtype == DType::int8 || attr.dtype == DType::uint8) &&
             t.int32_data_size() <= static_cast<int>(kMaxConstBytes)) {
    attr.content = raw_bytes<std::uint8_t>(t.int32_data());  // ONNX widens these to int32_data
  } else if ((attr.dtype == DType::int16 || attr.dtype == DType::uint16 ||
              attr.dtype == DType::float16 || attr.dtype == DType::bfloat16) &&
             t.int32_data_size() * 2 <= static_cast<int>(kMaxConstBytes)) {
    attr.content = raw_bytes<std::uint16_t>(t.int32_data());
  } else if (attr.dtype == DType::float64 && t.double_data_size() * 8 <= static_cast<int>(kMaxConstBytes)) {
    attr.content = raw_bytes<double>(t.double_data());
  } else if (attr.dtype == DType::string && t.string_data_size() <= 16) {
    attr.strings.assign(t.string_data().begin(), t.string_data().end());
  } else {
    return std::nullopt;
  }
  return attr;
}

// '/'-separated names become scopes; exporters write a leading '/'.
std::string scoped(const std::string& name) {
  const auto first = name.find_first_not_of('/');
  return first == std::string::npos ? std::string() : name.substr(first);
}

class Converter {
 public:
  explicit Converter(std::string source) : source_(std::move(source)) {}

  Graph take() { return std::move(graph_); }

  // prefix: the scope of a subgraph ("" for the main graph, "loop/body/" inside a Loop).
  void convert(const ox::GraphProto& g, const std::string& prefix) {
    scopes_.emplace_back();
    types_.emplace_back();
    auto& types = types_.back();
    for (const auto& vi : g.value_info()) types[vi.name()] = type_of(vi.type());
    for (const auto& vi : g.output()) types[vi.name()] = type_of(vi.type());
    for (const auto& vi : g.input()) types[vi.name()] = type_of(vi.type());

    std::unordered_set<std::string> initializer_names;
    for (const auto& init : g.initializer()) {
      initializer_names.insert(init.name());
      const DType dtype = dtype_of(init.data_type());
      const bool trained = is_floating(dtype) && elements_of(init) > 1;
      GraphNode& node = add(prefix + scoped(init.name()), trained ? "Parameter" : "Const", init.name());
      node.dtype = dtype;
      node.output_shapes = {shape_of(init)};
      if (!trained) {
        if (auto value = value_of(init)) node.attrs["value"] = std::move(*value);
      }
    }
    for (const auto& input : g.input()) {
      if (initializer_names.count(input.name())) continue;  // older exporters list weights as inputs
      GraphNode& node = add(prefix + scoped(input.name()), "Placeholder", input.name());
      const ValueType t = lookup_type(input.name());
      node.dtype = t.dtype;
      node.output_shapes = {t.shape};
    }

    // Name every node and publish its outputs first: inputs may refer to later nodes.
    std::vector<std::size_t> indices;
    for (int i = 0; i < g.node_size(); ++i) {
      const ox::NodeProto& n = g.node(i);
      const std::string base = n.name().empty() ? n.op_type() + "_" + std::to_string(i) : scoped(n.name());
      GraphNode& node = add(prefix + (base.empty() ? n.op_type() : base), n.op_type(), "");
      indices.push_back(graph_.size() - 1);
      for (int k = 0; k < n.output_size(); ++k) {
        if (n.output(k).empty()) continue;
        scopes_.back()[n.output(k)] = k == 0 ? node.name : node.name + ":" + std::to_string(k);
      }
    }
    for (int i = 0; i < g.node_size(); ++i) {
      const ox::NodeProto& n = g.node(i);
      const std::string name = graph_.nodes()[indices[i]].name;
      std::vector<std::string> inputs;
      for (const auto& v : n.input()) {
        if (v.empty()) continue;  // an optional input left out
        const std::string* producer = resolve(v);
        if (producer == nullptr) {
          throw Error(source_ + ": ONNX node '" + name + "' (" + n.op_type() + ") reads '" + v +
                      "', which no node, input or initializer produces");
        }
        inputs.push_back(*producer);
      }
      std::vector<Shape> shapes;
      DType dtype = DType::invalid;
      for (int k = 0; k < n.output_size(); ++k) {
        const ValueType t = lookup_type(n.output(k));
        if (k == 0) dtype = t.dtype;
        shapes.push_back(t.shape);
      }
      std::map<std::string, AttrValue> attrs;
      if (!n.domain().empty() && n.domain() != "ai.onnx") attrs["domain"] = n.domain();
      for (const auto& a : n.attribute()) convert_attribute(a, name, attrs);
      GraphNode& node = graph_.nodes()[indices[i]];
      node.inputs = std::move(inputs);
      node.dtype = dtype;
      node.output_shapes = std::move(shapes);
      node.attrs = std::move(attrs);
    }
    scopes_.pop_back();
    types_.pop_back();
  }

 private:
  GraphNode& add(std::string name, const std::string& op, const std::string& value_name) {
    if (name.empty()) name = op;
    std::string unique = name;
    for (int k = 1; !used_.insert(unique).second; ++k) unique = name + "_" + std::to_string(k);
    GraphNode& node = graph_.add_node(unique, op);
    if (!value_name.empty()) scopes_.back()[value_name] = unique;
    return node;
  }

  const std::string* resolve(const std::string& value) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      auto found = it->find(value);
      if (found != it->end()) return &found->second;
    }
    return nullptr;
  }

  ValueType lookup_type(const std::string& value) const {
    for (auto it = types_.rbegin(); it != types_.rend(); ++it) {
      auto found = it->find(value);
      if (found != it->end()) return found->second;
    }
    return {};
  }

  void convert_attribute(const ox::AttributeProto& a, const std::string& node_name,
                         std::map<std::string, AttrValue>& attrs) {
    switch (a.type()) {
      case ox::AttributeProto::FLOAT: attrs[a.name()] = static_cast<double>(a.f()); break;
      case ox::AttributeProto::INT:
        if (a.name() == "dtype") {
          // The graph's "dtype" attr is the node's type: show ONNX's by name beside it.
          attrs["onnx_dtype"] = std::string(dtype_name(dtype_of(static_cast<int>(a.i()))));
        } else {
          attrs[a.name()] = static_cast<std::int64_t>(a.i());
        }
        break;
      case ox::AttributeProto::STRING: attrs[a.name()] = a.s(); break;
      case ox::AttributeProto::TENSOR:
        if (auto value = value_of(a.t())) {
          attrs[a.name()] = std::move(*value);
        } else {
          attrs[a.name()] = shape_of(a.t());  // too large to copy: its shape
        }
        break;
      case ox::AttributeProto::FLOATS:
        attrs[a.name()] = std::vector<double>(a.floats().begin(), a.floats().end());
        break;
      case ox::AttributeProto::INTS:
        attrs[a.name()] = std::vector<std::int64_t>(a.ints().begin(), a.ints().end());
        break;
      case ox::AttributeProto::STRINGS:
        attrs[a.name()] = std::vector<std::string>(a.strings().begin(), a.strings().end());
        break;
      case ox::AttributeProto::GRAPH:
        // If's branches, Loop's and Scan's bodies: a nested scope under the node.
        convert(a.g(), node_name + "/" + a.name() + "/");
        break;
      case ox::AttributeProto::GRAPHS:
        for (int i = 0; i < a.graphs_size(); ++i) {
          convert(a.graphs(i), node_name + "/" + a.name() + "_" + std::to_string(i) + "/");
        }
        break;
      default:
        attrs[a.name()] = std::string("<") + ox::AttributeProto::AttributeType_Name(a.type()) + ">";
    }
  }

  std::string source_;
  Graph graph_;
  std::unordered_set<std::string> used_;
  std::vector<std::unordered_map<std::string, std::string>> scopes_;  // value -> "node[:k]"
  std::vector<std::unordered_map<std::string, ValueType>> types_;
};

}  // namespace

Graph graph_from_model(const std::string& bytes, const std::string& name) {
  google::protobuf::Arena arena;
  ox::ModelProto& model = *google::protobuf::Arena::CreateMessage<ox::ModelProto>(&arena);
  if (bytes.empty()) throw Error(name + ": the file is empty, not an ONNX model");
  if (!model.ParseFromString(bytes)) {
    throw Error(name + ": not an ONNX model (it does not parse as a ModelProto; truncated?)");
  }
  if (!model.has_graph() || model.ir_version() <= 0) {
    throw Error(name + ": not an ONNX model (no graph or no IR version)");
  }
  try {
    // Shapes of intermediate values; a model shape inference cannot handle keeps the
    // shapes its file declares.
    ox::shape_inference::InferShapes(model);
  } catch (const std::exception&) {
  }
  Converter converter(name);
  converter.convert(model.graph(), "");
  Graph graph = converter.take();
  graph.validate();
  return graph;
}

Graph load_graph(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open ONNX model '" + path + "': " + std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return graph_from_model(bytes.str(), path);
}

}  // namespace tblog::onnx
