"""The API users see: PyTorch's SummaryWriter signatures (parameter names, order and
defaults, read from PyTorch's own writer.py when it is installed), docstrings, and type
stubs that cover the runtime names."""

import ast
import inspect
import os

import pytest

import tblog

TORCH_WRITER = "/usr/lib/python3/dist-packages/torch/utils/tensorboard/writer.py"
# Defaults tblog changes on purpose (README, docstring of tblog.SummaryWriter).
CHANGED_DEFAULTS = {("__init__", "flush_secs"): (120, 2)}


def pytorch_signatures():
    tree = ast.parse(open(TORCH_WRITER).read())
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "SummaryWriter"]
    result = {}
    for fn in cls.body:
        if isinstance(fn, ast.FunctionDef) and (fn.name == "__init__" or fn.name.startswith("add_")
                                                or fn.name in ("flush", "close", "get_logdir")):
            args = [a.arg for a in fn.args.args][1:]
            defaults = [ast.literal_eval(d) for d in fn.args.defaults]
            result[fn.name] = (args, dict(zip(args[len(args) - len(defaults):], defaults)))
    return result


@pytest.mark.skipif(not os.path.exists(TORCH_WRITER), reason="PyTorch's writer.py is not installed")
def test_every_pytorch_method_has_pytorchs_parameters_and_defaults():
    for name, (args, defaults) in pytorch_signatures().items():
        if not args:  # flush, close, get_logdir
            assert callable(getattr(tblog.SummaryWriter, name)), name
            continue
        ours = inspect.signature(getattr(tblog.SummaryWriter, name))
        params = [p for p in ours.parameters.values() if p.name != "self"
                  and p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY)]
        assert [p.name for p in params] == args, name
        for arg, default in defaults.items():
            changed = CHANGED_DEFAULTS.get((name, arg))
            expected = changed[1] if changed and changed[0] == default else default
            assert ours.parameters[arg].default == expected, (name, arg)


def test_every_public_method_has_a_docstring():
    for name, member in inspect.getmembers(tblog.SummaryWriter):
        if not name.startswith("_") and callable(member):
            assert member.__doc__ and len(member.__doc__) > 20, name
    for cls in (tblog.TensorBoardProgressWriter, tblog.ProgressPrinter, tblog.Graph, tblog.Config):
        assert cls.__doc__, cls


def test_stubs_cover_the_runtime_names():
    stub = ast.parse(open(os.path.join(os.path.dirname(tblog.__file__), "__init__.pyi")).read())
    names = {n.name for n in stub.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    assert set(tblog.__all__) <= names
    (writer,) = [n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "SummaryWriter"]
    stub_methods = {n.name for n in writer.body if isinstance(n, ast.FunctionDef)}
    runtime = {name for name, m in inspect.getmembers(tblog.SummaryWriter)
               if not name.startswith("_") and callable(m)}
    assert runtime <= stub_methods, runtime - stub_methods
    assert os.path.exists(os.path.join(os.path.dirname(tblog.__file__), "py.typed"))
