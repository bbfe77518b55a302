// LibTorch module graphs as tblog::Graphs: a traced run of a C++ module, or the inlined
// forward of a TorchScript file, converted op by op.
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/runtime/operator.h>
#include <torch/csrc/jit/serialization/import.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>

#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

#include "tblog/error.hpp"
#include "tblog/torch.hpp"

namespace tblog::torch {
namespace {

namespace jit = ::torch::jit;

DType dtype_of(c10::ScalarType t) {
  switch (t) {
    case c10::ScalarType::Float: return DType::float32;
    case c10::ScalarType::Double: return DType::float64;
    case c10::ScalarType::Half: return DType::float16;
    case c10::ScalarType::BFloat16: return DType::bfloat16;
    case c10::ScalarType::Char: return DType::int8;
    case c10::ScalarType::Short: return DType::int16;
    case c10::ScalarType::Int: return DType::int32;
    case c10::ScalarType::Long: return DType::int64;
    case c10::ScalarType::Byte: return DType::uint8;
    case c10::ScalarType::Bool: return DType::boolean;
    case c10::ScalarType::ComplexFloat: return DType::complex64;
    case c10::ScalarType::ComplexDouble: return DType::complex128;
    default: return DType::invalid;
  }
}

// What the value's type says of its dtype and shape.
void describe_value(const jit::Value* v, DType& dtype, Shape& shape) {
  const c10::TypePtr& type = v->type();
  if (auto tensor = type->cast<c10::TensorType>()) {
    dtype = tensor->scalarType() ? dtype_of(*tensor->scalarType()) : DType::invalid;
    const auto& sizes = tensor->symbolic_sizes();
    if (!sizes.rank()) {
      shape = Shape::unknown();
      return;
    }
    std::vector<std::int64_t> dims;
    for (std::size_t i = 0; i < *sizes.rank(); ++i) {
      const auto dim = sizes[i];
      dims.push_back(dim.is_static() ? dim.static_size() : -1);
    }
    shape = Shape(std::move(dims));
    return;
  }
  shape = Shape();  // a scalar
  switch (type->kind()) {
    case c10::TypeKind::IntType: dtype = DType::int64; break;
    case c10::TypeKind::FloatType: dtype = DType::float64; break;
    case c10::TypeKind::BoolType: dtype = DType::boolean; break;
    case c10::TypeKind::StringType: dtype = DType::string; break;
    default: dtype = DType::invalid; shape = Shape::unknown(); break;
  }
}

// A constant non-tensor as an attribute; nullopt if it is not one (or is None).
std::optional<AttrValue> attr_of(const c10::IValue& v) {
  if (v.isInt()) return AttrValue(v.toInt());
  if (v.isDouble()) return AttrValue(v.toDouble());
  if (v.isBool()) return AttrValue(v.toBool());
  if (v.isString()) return AttrValue(v.toStringRef());
  if (v.isDevice()) return AttrValue(v.toDevice().str());
  if (v.isIntList()) return AttrValue(v.toIntVector());
  if (v.isDoubleList()) return AttrValue(v.toDoubleVector());
  if (v.isBoolList()) {
    std::vector<bool> out;
    for (bool b : v.toBoolList()) out.push_back(b);
    return AttrValue(std::move(out));
  }
  return std::nullopt;
}

// "torch::nn::LinearImpl" -> "Linear", as PyTorch names module types in scopes.
std::string display_type(std::string name) {
  const auto colon = name.rfind("::");
  if (colon != std::string::npos) name = name.substr(colon + 2);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, "Impl") == 0) name.resize(name.size() - 4);
  return name.empty() ? "Module" : name;
}

std::string op_short_name(const std::string& op) {
  const auto colon = op.rfind("::");
  return colon == std::string::npos ? op : op.substr(colon + 2);
}

// A parameter or buffer that the graph reads through a value.
struct ParamRef {
  std::string scope;  // its module's scope
  std::string name;   // its name in that module
  bool buffer = false;
};

class Converter {
 public:
  // scope_of: the scope of an op node that reads no parameter directly.
  explicit Converter(std::function<std::string(const jit::Node*)> scope_of)
      : scope_of_(std::move(scope_of)) {}

  void add_input(const jit::Value* v, std::size_t index) {
    GraphNode& node = add("input/input_" + std::to_string(index), "IO Node", {});
    set_type(node, {v});
    producer_[v] = node.name;
  }

  void add_param(const jit::Value* v, const ParamRef& param) {
    param_of_[v] = param;
    const std::string name = param.scope + "/" + param.name;
    const auto known = param_nodes_.find(name);
    if (known != param_nodes_.end()) {
      producer_[v] = known->second;  // read again elsewhere: one node all the same
      return;
    }
    GraphNode& node = add(name, param.buffer ? "Buffer" : "Parameter", {});
    set_type(node, {v});
    param_nodes_[name] = node.name;
    producer_[v] = node.name;
  }

  void convert_block(const jit::Block* block) {
    for (const jit::Node* n : block->nodes()) {
      convert_node(n);
      for (const jit::Block* inner : n->blocks()) convert_block(inner);
    }
  }

  void add_outputs(const jit::Graph& graph) {
    std::size_t i = 0;
    for (const jit::Value* v : graph.outputs()) {
      std::vector<std::string> inputs;
      const auto p = producer_.find(v);
      if (p != producer_.end()) inputs.push_back(p->second);
      GraphNode& node = add("output/output_" + std::to_string(i++), "IO Node", std::move(inputs));
      set_type(node, {v});
    }
  }

  Graph take() { return std::move(graph_); }

 private:
  void convert_node(const jit::Node* n) {
    const std::string op = n->kind().toQualString();
    if (n->outputs().size() == 1 && param_of_.count(n->output()) > 0) return;  // already a node
    if (fold_constant(n)) return;
    if (n->kind() == c10::prim::GetAttr &&
        (producer_.count(n->output()) > 0 ||
         n->output()->type()->kind() == c10::TypeKind::ClassType)) {
      return;  // a parameter (already a node) or a submodule (its ops carry its scope)
    }

    std::vector<std::string> inputs;
    std::map<std::string, AttrValue> attrs;
    std::optional<std::string> param_scope;
    const c10::FunctionSchema* schema = n->maybeSchema();
    for (std::size_t i = 0; i < n->inputs().size(); ++i) {
      const jit::Value* in = n->inputs()[i];
      const auto param = param_of_.find(in);
      if (param != param_of_.end() && !param_scope) param_scope = param->second.scope;
      const auto constant = constants_.find(in);
      if (constant != constants_.end()) {
        std::string arg = schema && i < schema->arguments().size() ? schema->arguments()[i].name()
                                                                    : "arg" + std::to_string(i);
        if (constant->second) attrs.emplace(std::move(arg), *constant->second);
        continue;
      }
      const auto p = producer_.find(in);
      if (p != producer_.end()) inputs.push_back(p->second);
    }
    const std::string scope = param_scope ? *param_scope : scope_of_(n);
    GraphNode& node = add(scope + "/" + op_short_name(op), op, std::move(inputs));
    node.attrs = std::move(attrs);
    set_type(node, n->outputs());
    for (std::size_t k = 0; k < n->outputs().size(); ++k) {
      producer_[n->outputs()[k]] = k == 0 ? node.name : node.name + ":" + std::to_string(k);
    }
  }

  // Constant non-tensor arguments (and lists of them) become their consumers' attributes.
  bool fold_constant(const jit::Node* n) {
    if (n->outputs().size() != 1) return false;
    const jit::Value* out = n->output();
    if (n->kind() == c10::prim::Constant) {
      if (out->type()->cast<c10::TensorType>()) return false;
      const auto value = jit::toIValue(out);
      if (!value) return false;
      if (value->isNone()) {
        constants_[out] = std::nullopt;
        return true;
      }
      const auto attr = attr_of(*value);
      if (!attr) return false;
      constants_[out] = *attr;
      return true;
    }
    if (n->kind() == c10::prim::ListConstruct) {
      c10::impl::GenericList list(c10::AnyType::get());
      std::vector<std::int64_t> ints;
      std::vector<double> doubles;
      std::vector<bool> bools;
      for (const jit::Value* in : n->inputs()) {
        const auto c = constants_.find(in);
        if (c == constants_.end() || !c->second) return false;
        if (const auto* i = std::get_if<std::int64_t>(&*c->second)) {
          ints.push_back(*i);
        } else if (const auto* d = std::get_if<double>(&*c->second)) {
          doubles.push_back(*d);
        } else if (const auto* b = std::get_if<bool>(&*c->second)) {
          bools.push_back(*b);
        } else {
          return false;
        }
      }
      const std::size_t size = n->inputs().size();
      if (ints.size() == size) {
        constants_[out] = AttrValue(std::move(ints));
      } else if (doubles.size() == size) {
        constants_[out] = AttrValue(std::move(doubles));
      } else if (bools.size() == size) {
        constants_[out] = AttrValue(std::move(bools));
      } else {
        return false;  // mixed
      }
      return true;
    }
    return false;
  }

  GraphNode& add(std::string name, std::string op, std::vector<std::string> inputs) {
    std::string unique = name;
    for (int k = 1; !names_.insert(unique).second; ++k) unique = name + "_" + std::to_string(k);
    return graph_.add_node(std::move(unique), std::move(op), std::move(inputs));
  }

  static void set_type(GraphNode& node, c10::ArrayRef<const jit::Value*> outputs) {
    node.output_shapes.clear();
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      DType dtype = DType::invalid;
      Shape shape;
      describe_value(outputs[i], dtype, shape);
      if (i == 0) node.dtype = dtype;
      node.output_shapes.push_back(std::move(shape));
    }
  }

  std::function<std::string(const jit::Node*)> scope_of_;
  Graph graph_;
  std::set<std::string> names_;
  std::unordered_map<const jit::Value*, std::string> producer_;
  std::unordered_map<const jit::Value*, std::optional<AttrValue>> constants_;
  std::unordered_map<const jit::Value*, ParamRef> param_of_;
  std::map<std::string, std::string> param_nodes_;
};

// ---- C++ modules ------------------------------------------------------------------------

// Scopes of a module tree: "" -> "Net", "features.0" -> "Net/Sequential[features]/Conv2d[0]".
std::map<std::string, std::string> module_scopes(const ::torch::nn::Module& root) {
  std::map<std::string, std::string> scopes;
  for (const auto& item : root.named_modules("", /*include_self=*/true)) {
    const std::string& path = item.key();
    if (path.empty()) {
      scopes[path] = display_type(item.value()->name());
      continue;
    }
    const auto dot = path.rfind('.');
    const std::string parent = dot == std::string::npos ? "" : path.substr(0, dot);
    const std::string leaf = dot == std::string::npos ? path : path.substr(dot + 1);
    scopes[path] = scopes.at(parent) + "/" + display_type(item.value()->name()) + "[" + leaf + "]";
  }
  return scopes;
}

std::string parent_path(const std::string& dotted, std::string* leaf) {
  const auto dot = dotted.rfind('.');
  *leaf = dot == std::string::npos ? dotted : dotted.substr(dot + 1);
  return dot == std::string::npos ? "" : dotted.substr(0, dot);
}

// Runs a Sequential child by child, each in its own trace scope.
at::Tensor run_scoped(::torch::nn::SequentialImpl& sequential, at::Tensor x) {
  const auto names = sequential.named_children();
  std::size_t i = 0;
  for (auto& child : sequential) {
    const std::string name = i < names.size() ? names[i].key() : std::to_string(i);
    ++i;
    jit::Graph& graph = *jit::tracer::getTracingState()->graph;
    graph.push_scope(display_type(child.ptr()->name()) + "[" + name + "]");
    if (auto* inner = dynamic_cast<::torch::nn::SequentialImpl*>(child.ptr().get())) {
      x = run_scoped(*inner, x);
    } else {
      x = child.forward(x);
    }
    graph.pop_scope();
  }
  return x;
}

}  // namespace

Graph graph_of(::torch::nn::Module& module, const std::vector<at::Tensor>& example_inputs,
               const TracedFunction& forward) {
  if (example_inputs.empty()) throw Error("graph_of: no example inputs to trace the module on");
  for (std::size_t i = 0; i < example_inputs.size(); ++i) {
    if (!example_inputs[i].defined()) {
      throw Error("graph_of: example input " + std::to_string(i) + " is undefined");
    }
  }
  if (!forward) throw Error("graph_of: the forward function is empty");
  if (jit::tracer::isTracing()) throw Error("graph_of: already tracing (graph_of cannot nest)");

  const auto scopes = module_scopes(module);
  const std::string& root = scopes.at("");

  // Parameters and buffers are trace inputs too, so the graph says which op reads which.
  jit::Stack stack;
  for (const auto& x : example_inputs) stack.emplace_back(x);
  std::vector<ParamRef> params;
  auto add_tensors = [&](const auto& named, bool buffers) {
    for (const auto& item : named) {
      std::string leaf;
      const std::string parent = parent_path(item.key(), &leaf);
      params.push_back({scopes.at(parent), leaf, buffers});
      stack.emplace_back(item.value());
    }
  };
  add_tensors(module.named_parameters(/*recurse=*/true), false);
  add_tensors(module.named_buffers(/*recurse=*/true), true);

  auto* sequential = dynamic_cast<::torch::nn::SequentialImpl*>(&module);
  const std::size_t num_inputs = example_inputs.size();
  auto traced = [&](jit::Stack inputs) {
    std::vector<at::Tensor> xs;
    for (std::size_t i = 0; i < num_inputs; ++i) xs.push_back(inputs[i].toTensor());
    std::vector<at::Tensor> outputs;
    if (sequential != nullptr && xs.size() == 1) {
      outputs.push_back(run_scoped(*sequential, xs[0]));
    } else {
      outputs = forward(xs);
    }
    return jit::Stack(outputs.begin(), outputs.end());
  };

  std::shared_ptr<jit::tracer::TracingState> state;
  try {
    at::NoGradGuard no_grad;  // tracing records ops; no backward graph is needed
    state = jit::tracer::trace(std::move(stack), traced, [](const at::Tensor&) { return std::string(); },
                               /*strict=*/false)
                .first;
  } catch (const Error&) {
    jit::tracer::abandon();
    throw;
  } catch (const std::exception& e) {
    if (jit::tracer::isTracing()) jit::tracer::abandon();
    throw Error(std::string("graph_of: tracing ") + root + " failed: " + e.what());
  }

  const jit::Graph& graph = *state->graph;
  Converter converter([&root](const jit::Node* n) {
    const auto scope = const_cast<jit::Node*>(n)->scope();
    if (!scope || scope->isRoot()) return root;
    return root + "/" + scope->namesFromRoot();
  });
  const auto inputs = graph.inputs();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (i < num_inputs) {
      converter.add_input(inputs[i], i);
    } else if (!inputs[i]->uses().empty()) {
      converter.add_param(inputs[i], params.at(i - num_inputs));
    }
  }
  converter.convert_block(graph.block());
  converter.add_outputs(graph);
  return converter.take();
}

// ---- TorchScript files --------------------------------------------------------------------

namespace {

std::string class_name(const jit::Module& m) {
  const auto& name = m.type()->name();
  return name ? name->name() : "Module";
}

// Module paths (from the root) of GetAttr results, and the scope of each path.
class ScriptScopes {
 public:
  explicit ScriptScopes(const jit::Module& root) : root_(root) {
    for (const auto& b : root.named_buffers(true)) buffers_.insert(b.name);
    scope_of_path_[""] = class_name(root);
  }

  // Scope of the module at a dotted path, e.g. "Net/Linear[fc1]".
  std::string scope(const std::string& path) {
    const auto known = scope_of_path_.find(path);
    if (known != scope_of_path_.end()) return known->second;
    std::string leaf;
    const std::string parent = parent_path(path, &leaf);
    jit::Module m = root_;
    std::stringstream parts(path);
    std::string part;
    while (std::getline(parts, part, '.')) m = m.attr(part).toModule();
    const std::string s = scope(parent) + "/" + class_name(m) + "[" + leaf + "]";
    scope_of_path_[path] = s;
    return s;
  }

  bool is_buffer(const std::string& path) const { return buffers_.count(path) > 0; }
  std::string root_scope() const { return scope_of_path_.at(""); }

 private:
  jit::Module root_;
  std::set<std::string> buffers_;
  std::map<std::string, std::string> scope_of_path_;
};

}  // namespace

// Runs the graph's nodes once on the example inputs and gives each value the complete type
// of what it held (LibTorch's static shape analysis knows too few ops). A node that cannot
// run here (control flow, an input not known) is skipped, and so are the nodes after it that
// need its outputs: their shapes stay as the file says.
void run_for_shapes(jit::Graph& graph, const std::vector<at::Tensor>& example_inputs) {
  std::unordered_map<const jit::Value*, c10::IValue> values;
  for (std::size_t i = 0; i < example_inputs.size(); ++i) values[graph.inputs()[i + 1]] = example_inputs[i];
  at::NoGradGuard no_grad;
  for (jit::Node* n : graph.nodes()) {
    if (n->kind() == c10::prim::Constant) {
      if (auto value = jit::toIValue(n->output())) values[n->output()] = *value;
      continue;
    }
    const jit::Operator* op = n->maybeOperator();
    if (op == nullptr || !n->blocks().empty()) continue;
    jit::Stack stack;
    bool ready = true;
    for (const jit::Value* in : n->inputs()) {
      const auto known = values.find(in);
      if (known == values.end()) {
        ready = false;
        break;
      }
      stack.push_back(known->second);
    }
    if (!ready) continue;
    try {
      op->getOperation(n)(stack);
    } catch (const std::exception&) {
      continue;
    }
    if (stack.size() != n->outputs().size()) continue;
    for (std::size_t k = 0; k < stack.size(); ++k) {
      jit::Value* out = n->outputs()[k];
      values[out] = stack[k];
      if (stack[k].isTensor()) out->setType(c10::TensorType::create(stack[k].toTensor()));
    }
  }
}

Graph graph_of_torchscript(const std::string& path, const std::vector<at::Tensor>& example_inputs) {
  jit::Module module;
  try {
    module = jit::load(path);
  } catch (const std::exception& e) {
    throw Error("graph_of_torchscript: cannot load TorchScript file '" + path + "': " + e.what());
  }
  if (!module.find_method("forward")) {
    throw Error("graph_of_torchscript: '" + path + "' has no forward method");
  }
  std::shared_ptr<jit::Graph> graph = module.get_method("forward").graph()->copy();
  jit::Inline(*graph);
  const auto inputs = graph->inputs();  // inputs[0] is the module itself
  if (!example_inputs.empty() && example_inputs.size() + 1 != inputs.size()) {
    throw Error("graph_of_torchscript: '" + path + "' forward takes " +
                std::to_string(inputs.size() - 1) + " inputs; " +
                std::to_string(example_inputs.size()) + " example inputs were given");
  }

  ScriptScopes scopes(module);
  std::map<std::string, at::Tensor> tensors;
  for (const auto& p : module.named_parameters(true)) tensors[p.name] = p.value;
  for (const auto& b : module.named_buffers(true)) tensors[b.name] = b.value;

  // Follow GetAttr chains from the module input to name the parameters each op reads.
  std::unordered_map<const jit::Value*, std::string> attr_path;
  attr_path[inputs[0]] = "";
  struct ParamRead {
    jit::Value* value;
    ParamRef ref;
    at::Tensor tensor;
  };
  std::vector<ParamRead> reads;
  for (jit::Node* n : graph->nodes()) {
    if (n->kind() != c10::prim::GetAttr) continue;
    const auto owner = attr_path.find(n->input(0));
    if (owner == attr_path.end()) continue;
    const std::string name = n->s(c10::attr::name);
    const std::string full = owner->second.empty() ? name : owner->second + "." + name;
    attr_path[n->output()] = full;
    const auto tensor = tensors.find(full);
    if (tensor != tensors.end()) {
      reads.push_back({n->output(), ParamRef{scopes.scope(owner->second), name, scopes.is_buffer(full)},
                       tensor->second});
    }
  }

  for (auto& read : reads) {
    if (example_inputs.empty()) {
      read.value->setType(c10::TensorType::create(read.tensor));
      continue;
    }
    // Shape analysis knows constants, not attributes: the parameter's value stands in.
    jit::Node* get_attr = read.value->node();
    jit::WithInsertPoint here(get_attr);
    jit::Value* constant = graph->insertConstant(read.tensor.detach());
    read.value->replaceAllUsesWith(constant);
    get_attr->destroy();
    read.value = constant;
  }
  if (!example_inputs.empty()) run_for_shapes(*graph, example_inputs);

  const std::string root = scopes.root_scope();
  Converter converter([&](const jit::Node* n) {
    std::string scope = root;
    if (const auto stack = n->callstack()) {
      for (const auto& entry : (*stack)->vec()) {
        const auto& info = std::get<2>(entry);
        if (!info || !info->class_type()) continue;
        const auto& type_name = info->class_type()->name();
        scope += "/" + (type_name ? type_name->name() : std::string("Module")) + "[" +
                 info->instance_name() + "]";
      }
    }
    return scope;
  });
  for (std::size_t i = 1; i < inputs.size(); ++i) converter.add_input(inputs[i], i - 1);
  for (const auto& read : reads) converter.add_param(read.value, read.ref);
  converter.convert_block(graph->block());
  converter.add_outputs(*graph);
  return converter.take();
}

}  // namespace tblog::torch
