"""The graph of a torch module for the Graphs tab: traced with torch.jit.trace, calls to
submodules inlined, every op scoped by its module path ("Net/Sequential[features]/
Conv2d[0]/..."), graph inputs under "input/" and outputs under "output/", as PyTorch's
add_graph lays them out."""

from ._tblog import Graph, InvalidArgumentError, InvalidTypeError

_DTYPES = {
    "Float": "float32", "Double": "float64", "Half": "float16", "BFloat16": "bfloat16",
    "Long": "int64", "Int": "int32", "Short": "int16", "Char": "int8", "Byte": "uint8",
    "Bool": "boolean",
}


def _type_name(module):
    import torch
    if isinstance(module, torch.jit.TracedModule):
        return module._name
    return getattr(module, "original_name", type(module).__name__)


def _tensor_info(value):
    """(dtype name, dims) of a traced value, or ('', None) when it is no complete tensor."""
    if not value.isCompleteTensor():
        return "", None
    kind = value.type()
    return _DTYPES.get(kind.scalarType() or "", ""), list(kind.sizes())


class _Scopes:
    """Readable scopes of a traced module's aliases ("__module.features.0")."""

    def __init__(self, trace):
        self.root = _type_name(trace)
        self.alias = {name: f"{_type_name(m)}[{name.split('.')[-1]}]"
                      for name, m in trace.named_modules(prefix="__module")}

    def readable(self, scope_name):
        parts = [self.alias.get(a, a.split(".")[-1]) for a in scope_name.split("/") if a]
        return "/".join([self.root] + [p for p in parts if p])


def _attributes(node):
    # Shown in the node's info card: the op's attributes as text, as PyTorch shows them.
    values = {}
    for key in node.attributeNames():
        kind = node.kindOf(key)
        try:
            values[key] = getattr(node, kind)(key)
        except (RuntimeError, AttributeError):
            values[key] = "?"
    return str(values).replace("'", " ")


def graph_of_module(model, input_to_model, use_strict_trace=True):
    """A tblog.Graph of `model` traced on `input_to_model` (a tensor or tuple of them)."""
    try:
        import torch
    except ImportError:
        raise InvalidTypeError("model: add_graph of a module needs torch (Debian: python3-torch)") from None
    if not isinstance(model, (torch.nn.Module, torch.jit.ScriptFunction)):
        raise InvalidTypeError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
    if input_to_model is None:
        raise InvalidArgumentError("input_to_model: tracing needs an example input")
    args = input_to_model if isinstance(input_to_model, tuple) else (input_to_model,)
    was_training = getattr(model, "training", False)
    if isinstance(model, torch.nn.Module):
        model.train(False)
    try:
        trace = torch.jit.trace(model, args, strict=use_strict_trace)
    except Exception as error:  # the tracer raises many kinds; name what failed
        raise InvalidArgumentError(f"model: torch.jit.trace failed: {error}") from error
    finally:
        if isinstance(model, torch.nn.Module):
            model.train(was_training)
    torch_graph = trace.graph
    torch._C._jit_pass_inline(torch_graph)
    return _convert(torch_graph, _Scopes(trace))


def _convert(torch_graph, scopes):
    graph = Graph()
    scoped = {}  # debug name of a value -> name of the node that produces it

    inputs = []
    for value in torch_graph.inputs():
        if value.type().kind() == "ClassType" or not value.uses():
            continue  # the module itself, and inputs nothing reads
        name = "input/" + value.debugName()
        scoped[value.debugName()] = name
        inputs.append((name, value))

    # Scopes of GetAttr results: the module path they read ("__module.conv.weight" ...).
    attr_scope = {}
    ops = []
    for node in torch_graph.nodes():
        if node.kind() == "prim::GetAttr":
            parent = node.input().node()
            key = node.output().debugName()
            if parent.kind() == "prim::GetAttr":
                parent_scope = attr_scope[parent.output().debugName()]
                attr_scope[key] = f"{parent_scope}/{parent_scope.split('/')[-1]}.{node.s('name')}"
            else:
                attr_scope[key] = "__module." + node.s("name")
            if node.output().type().kind() == "ClassType":
                continue  # a submodule: its ops carry its scope
            scope = attr_scope[key]
        else:
            scope = node.scopeName()
        readable = scopes.readable(scope)
        for value in node.outputs():
            scoped[value.debugName()] = readable + "/" + value.debugName()
        ops.append((readable, node))

    for name, value in inputs:
        dtype, dims = _tensor_info(value)
        graph.add_node(name, "IO Node", [], dtype=dtype,
                       output_shapes=None if dims is None else [dims])
    for i, value in enumerate(torch_graph.outputs()):
        dtype, dims = _tensor_info(value)
        graph.add_node(f"output/output.{i + 1}", "IO Node",
                       [scoped.get(value.debugName(), value.debugName())], dtype=dtype,
                       output_shapes=None if dims is None else [dims])
    for readable, node in ops:
        node_inputs = [scoped.get(x.debugName(), x.debugName()) for x in node.inputs()]
        attributes = _attributes(node)
        for value in node.outputs():
            dtype, dims = _tensor_info(value)
            graph.add_node(readable + "/" + value.debugName(), node.kind(), node_inputs,
                           dtype=dtype, output_shapes=None if dims is None else [dims],
                           attrs={"attr": attributes})
    return graph
