// tblog.Graph: a model graph for the Graphs tab, built node by node (tblog.torch traces a
// module into one), read from an ONNX file, or decoded from GraphDef bytes.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "tblog/graph.hpp"
#ifdef TBLOG_PYTHON_WITH_ONNX
#include "tblog/onnx.hpp"
#endif

namespace tblog::python {
namespace {

DType dtype_named(const std::string& name) {
  for (int i = 0; i <= static_cast<int>(DType::complex128); ++i) {
    const auto dtype = static_cast<DType>(i);
    if (name == dtype_name(dtype)) return dtype;
  }
  throw Error("dtype: unknown name '" + name + "' (float32, int64, ...)");
}

Shape shape_of(const py::handle& dims) {
  if (dims.is_none()) return Shape::unknown();
  std::vector<std::int64_t> result;
  for (const auto& d : dims) result.push_back(d.is_none() ? -1 : d.cast<std::int64_t>());
  return Shape(std::move(result));
}

AttrValue attr_value(const std::string& key, const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>();
  if (py::isinstance<py::int_>(value)) return value.cast<std::int64_t>();
  if (py::isinstance<py::float_>(value)) return value.cast<double>();
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    const py::sequence items = py::reinterpret_borrow<py::sequence>(value);
    bool all_int = true, all_number = true, all_str = true;
    for (const auto& item : items) {
      const bool is_bool = py::isinstance<py::bool_>(item);
      all_int &= py::isinstance<py::int_>(item) && !is_bool;
      all_number &= (py::isinstance<py::int_>(item) || py::isinstance<py::float_>(item)) && !is_bool;
      all_str &= py::isinstance<py::str>(item);
    }
    if (all_int) return items.cast<std::vector<std::int64_t>>();
    if (all_number) return items.cast<std::vector<double>>();
    if (all_str) return items.cast<std::vector<std::string>>();
  }
  throw Error("attrs['" + key + "']: must be a bool, int, float, str, or a list of ints, floats or strs");
}

}  // namespace

void bind_graph(py::module_& m) {
  py::class_<Graph> graph(m, "Graph", R"doc(A model graph for TensorBoard's Graphs tab.

Build one with add_node, read one with Graph.from_onnx(path) or Graph.from_graph_def(bytes),
or let SummaryWriter.add_graph trace a torch module. Node names are unique; '/' separates
scopes, which the Graphs tab folds into boxes.)doc");
  graph.def(py::init<>());
  graph.def(
      "add_node",
      [](Graph& self, std::string name, std::string op, std::vector<std::string> inputs,
         const std::string& dtype, const py::object& output_shapes, const py::dict& attrs,
         const std::string& device) {
        GraphNode& node = self.add_node(std::move(name), std::move(op), std::move(inputs));
        if (!dtype.empty()) node.dtype = dtype_named(dtype);
        if (!output_shapes.is_none()) {
          for (const auto& s : output_shapes) node.output_shapes.push_back(shape_of(s));
        }
        for (const auto& [key, value] : attrs) {
          const std::string k = py::str(key);
          node.attrs.emplace(k, attr_value(k, value));
        }
        node.device = device;
      },
      py::arg("name"), py::arg("op"), py::arg("inputs") = std::vector<std::string>{},
      py::kw_only(), py::arg("dtype") = "", py::arg("output_shapes") = py::none(),
      py::arg("attrs") = py::dict(), py::arg("device") = "",
      "Adds a node. inputs: names of its producers ('name:k' for output k, '^name' for a "
      "control edge). dtype: 'float32', 'int64', ... output_shapes: one list of dims per "
      "output (-1 or None: unknown). attrs: bools, ints, floats, strs or lists of them.");
  graph.def("__len__", &Graph::size);
  graph.def("nodes", [](const Graph& self) {
    py::list result;
    for (const auto& n : self.nodes()) {
      result.append(py::make_tuple(n.name, n.op, n.inputs, dtype_name(n.dtype)));
    }
    return result;
  }, "The nodes as (name, op, inputs, dtype) tuples, in the order added.");
  graph.def("validate", &Graph::validate,
            "Raises tblog.InvalidArgumentError naming the first duplicate name or input that "
            "names no node.");
  graph.def("to_graph_def", [](const Graph& self) { return py::bytes(self.to_graph_def()); },
            "The graph as a serialized tensorflow GraphDef.");
  graph.def_static("from_graph_def", [](const py::bytes& data) {
    return Graph::from_graph_def(std::string_view(data));
  }, py::arg("data"));
  graph.def_static("from_onnx", [](const std::string& path) {
#ifdef TBLOG_PYTHON_WITH_ONNX
    return onnx::load_graph(path);
#else
    throw Error("Graph.from_onnx: this build of tblog has no ONNX support (built without libonnx)");
    return Graph();
#endif
  }, py::arg("path"), "The graph of an ONNX model file. Raises tblog.Error naming the path.");
}

}  // namespace tblog::python
