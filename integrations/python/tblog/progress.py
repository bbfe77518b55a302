"""CNTK's progress writers in Python: TensorBoardProgressWriter and ProgressPrinter, fed by
a training loop (or tblog.torch.Trainer) with each minibatch's sums, as CNTK's Trainer fed
them. The C++ progress layer does the bookkeeping; this module converts values."""

import os

from . import _tblog
from . import _values as v
from ._tblog import Graph, InvalidArgumentError, InvalidTypeError, ProgressWriter


def _write_image(self, tag, image, step, dataformats=None):
    """Writes images at `step`: a batch (N, C, H, W), one image (C, H, W) or a gray image
    (H, W), as a numpy array, list or torch tensor (any device); uint8, or any other dtype
    in [0, 1]. dataformats names another order ('NHWC', 'HWC', ...)."""
    array = v.pixels(v.to_array(image, "image"), "image")
    formats = dataformats or {4: "NCHW", 3: "CHW", 2: "HW"}.get(array.ndim)
    if formats is None:
        raise InvalidArgumentError(
            f"image: expected 2 to 4 dimensions, got shape {tuple(array.shape)}")
    formats = formats.upper()
    if "N" not in formats:  # one image: a batch of one
        array = array[None]
        formats = "N" + formats
    if formats == "NHWC":
        target = "NHWC"
    else:
        target = "NHW" if len(formats) == 3 else "NCHW"
    array = v.reorder(array, formats, target, "image")
    self._native_write_image(v.to_tag(tag), array, target, v.to_step(step, "step"))


ProgressWriter.write_image = _write_image


def _graph_of_model(model):
    """model as the seed's TensorBoardProgressWriter takes it: (graph now, module traced on
    the first minibatch a Trainer feeds, or None)."""
    if model is None:
        return None, None
    if isinstance(model, Graph):
        return model, None
    if isinstance(model, (str, os.PathLike)):
        return Graph.from_onnx(os.fspath(model)), None
    if isinstance(model, tuple) and len(model) == 2:
        from ._torch_graph import graph_of_module
        return graph_of_module(model[0], model[1]), None
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None and isinstance(model, torch.nn.Module):
        return None, model
    raise InvalidTypeError(
        "model: expected a tblog.Graph, an ONNX file path, a torch module or a "
        f"(module, example_input) pair, got {type(model).__name__}")


class TensorBoardProgressWriter(_tblog._TensorBoardProgressWriter):
    """Records training progress in TensorBoard, as CNTK's TensorBoardProgressWriter.

    freq: record the average loss and metric every freq minibatches (None: per epoch
    only). log_dir: the logdir. rank: only rank 0 writes (None: read from the
    environment: OMPI_COMM_WORLD_RANK, RANK, ...). model: a tblog.Graph, an ONNX file path,
    a torch module (traced on the first minibatch a tblog.torch.Trainer feeds) or a
    (module, example_input) pair (traced now).

    Records minibatch/avg_loss and minibatch/avg_metric at the total minibatch count,
    summary/avg_loss and summary/avg_metric per epoch, the test metric, write_value
    scalars, write_image images and write settings."""

    def __init__(self, freq=None, log_dir=".", rank=None, model=None):
        graph, pending = _graph_of_model(model)
        super().__init__(freq, os.fspath(log_dir), rank, graph)
        self._pending_model = pending

    def _record_model(self, example_inputs):
        """Traces the pending module on a Trainer's first minibatch."""
        module, self._pending_model = self._pending_model, None
        if module is not None and self.active:
            from ._torch_graph import graph_of_module
            self._native_add_graph(graph_of_module(module, example_inputs))

    def close(self):
        """Flushes and closes the event file; later records raise tblog.ClosedError."""
        self._native_close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()


class ProgressPrinter(_tblog._ProgressPrinter):
    """Prints training progress as CNTK's ProgressPrinter:

        Minibatch[  11-  20]: loss = 0.642318 * 640, metric = 21.40% * 640;
        Finished Epoch[1 of 10]: [Training] loss = 0.525100 * 60000, metric = 18.60% * 60000 12.3s (4878.0 samples/s);

    freq: a line every freq minibatches (None: per epoch only; 0: minibatches 1, 2, 4, ...).
    first: also each of the first `first` minibatches. tag: prefix of the lines.
    log_to_file: write there instead of stdout. rank: only rank 0 prints. num_epochs: shown
    as "of N". metric_is_pct: show the metric as a percentage."""

    def __init__(self, freq=None, first=0, tag="", log_to_file=None, rank=None, num_epochs=None,
                 metric_is_pct=True):
        super().__init__(freq, first, tag, os.fspath(log_to_file) if log_to_file else "", rank,
                         num_epochs or 0, metric_is_pct)


def make_progress_writers(config, rank=None, num_epochs=0, tag="Training", model=None):
    """The writers a configured run feeds (a ProgressPrinter, and a
    TensorBoardProgressWriter when tensorBoardLogDir is set), from a tblog.Config with the
    progress keys (tblog.define_progress_keys) parsed from `tensorBoardLogDir=DIR
    tensorBoardNumMBsToLogResult=N ...` arguments."""
    graph, _ = _graph_of_model(model)
    return _tblog.make_progress_writers(config, rank, num_epochs, tag, graph)
