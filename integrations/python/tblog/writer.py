"""tblog.SummaryWriter: PyTorch's torch.utils.tensorboard.SummaryWriter on tblog's C++ core.

The calling thread converts and copies its values; encoding, CRC, PNG compression and file
I/O run on a C++ thread that never takes the GIL. Names, argument order, keywords and
defaults are PyTorch's. Where PyTorch's behaviour is a known defect, tblog differs on
purpose:

- flush_secs defaults to 2: added values are on disk within 2 s (PyTorch: 120 s);
- add_hparams writes into the writer's own run unless run_name is given (PyTorch starts an
  extra run named by the time for every call);
- a fractional global_step is an error (PyTorch truncates it silently);
- add_histogram works with numpy 1.24 and later.
"""

import json
import os
import socket
from datetime import datetime

import numpy as np

from . import _values as v
from ._numpy_histogram import numpy_buckets
from ._tblog import InvalidArgumentError, InvalidTypeError, _WriterCore

_SIMPLE_VALUE, _FLOAT_TENSOR, _DOUBLE_TENSOR = 0, 1, 2
_MIN_QUEUE_ENTRIES = 1 << 16


def default_log_dir(comment=""):
    """runs/<Mon><DD>_<HH>-<MM>-<SS>_<host><comment>, as PyTorch names it."""
    now = datetime.now().strftime("%b%d_%H-%M-%S")
    return os.path.join("runs", now + "_" + socket.gethostname() + comment)


class SummaryWriter(_WriterCore):
    """Writes TensorBoard event files into log_dir.

    log_dir (str): the run's folder; default runs/<date>_<host><comment>. comment (str):
    appended to the default log_dir. purge_step (int): after a crash, restart at this step:
    TensorBoard hides the events of earlier files at this step or later. max_queue (int):
    accepted for PyTorch's sake; tblog's queue holds max(max_queue, 65536) entries and at most
    max_queue_bytes bytes. flush_secs (float): added values are on disk within this many
    seconds (default 2; PyTorch: 120). filename_suffix (str): appended to event file names.

    tblog's own options, keywords only: max_queue_bytes (int, 256 MiB): memory pending
    values may hold; overflow ('block' or 'drop'): what an add does when the queue is full;
    encoder_threads (int): threads that PNG/GIF-encode beside the writer thread;
    max_open_files (int): add_scalars runs kept open at once; png_compression_level (0-9).

    Bad arguments raise tblog.InvalidArgumentError (a ValueError) or tblog.InvalidTypeError
    (a TypeError) that name the argument; nothing is written for that call and the writer
    stays usable. Every method may be called from several threads at once.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=2,
                 filename_suffix="", *, max_queue_bytes=256 << 20, overflow="block",
                 encoder_threads=0, max_open_files=64, png_compression_level=1):
        if not log_dir:
            log_dir = default_log_dir(comment)
        log_dir = os.fspath(log_dir)
        if not isinstance(max_queue, int) or isinstance(max_queue, bool) or max_queue < 1:
            raise InvalidArgumentError(f"max_queue: must be a positive int, got {max_queue!r}")
        flush = v.to_number(flush_secs, "flush_secs")
        purge = None if purge_step is None else v.to_step(purge_step, "purge_step")
        super().__init__(log_dir, max(max_queue, _MIN_QUEUE_ENTRIES), max_queue_bytes, flush,
                         filename_suffix, purge, max_open_files, encoder_threads,
                         png_compression_level, overflow)
        self.log_dir = log_dir

    def get_logdir(self):
        """The folder event files are written to."""
        return self.log_dir

    def __repr__(self):
        state = "closed" if self.closed else "open"
        return f"<tblog.SummaryWriter log_dir={self.log_dir!r} ({state})>"

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()

    # add_scalar itself is tblog._tblog._WriterCore.add_scalar, a C fast path for
    # (str, float|int, int|None); it hands every other form of the call to this method.
    def _add_scalar_slow(self, tag, scalar_value, global_step=None, walltime=None,
                         new_style=False, double_precision=False):
        value = v.to_number(scalar_value, "scalar_value")
        fmt = _SIMPLE_VALUE
        if new_style:
            fmt = _DOUBLE_TENSOR if double_precision else _FLOAT_TENSOR
        self._native_add_scalar(v.to_tag(tag), value, v.to_step(global_step),
                                v.to_walltime(walltime), fmt)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Adds several scalars under one chart: each key becomes the run
        <log_dir>/<main_tag>_<key> holding the tag main_tag, as PyTorch lays them out."""
        if not isinstance(tag_scalar_dict, dict):
            raise InvalidTypeError(
                f"tag_scalar_dict: expected a dict, got {type(tag_scalar_dict).__name__}")
        values = {}
        for key, value in tag_scalar_dict.items():
            values[v.to_tag(key, "tag_scalar_dict key")] = v.to_number(
                value, f"tag_scalar_dict[{key!r}]")
        self._native_add_scalars(v.to_tag(main_tag, "main_tag"), values,
                                 v.to_step(global_step), v.to_walltime(walltime))

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None):
        """Adds a histogram of values (any array or tensor, flattened). bins='tensorflow'
        uses TensorFlow's default buckets; anything numpy.histogram takes (an int, a sequence
        of edges, 'auto', ...) uses those bins, at most max_bins of them. The GIL is
        released while a large array is bucketed."""
        tag, step, wall = v.to_tag(tag), v.to_step(global_step), v.to_walltime(walltime)
        array = v.to_array(values, "values")
        if array.dtype.kind not in "biuf":
            raise InvalidTypeError(f"values: expected numbers, got dtype {array.dtype}")
        if isinstance(bins, str) and bins == "tensorflow":
            flat = array.reshape(-1)
            if flat.dtype not in (np.float32, np.float64):
                flat = flat.astype(np.float64)
            self._native_add_histogram(tag, np.ascontiguousarray(flat), step, wall)
        else:
            self._native_add_histogram_raw(tag, *numpy_buckets(array, bins, max_bins), step, wall)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits,
                          bucket_counts, global_step=None, walltime=None):
        """Adds a histogram from buckets counted by the caller: bucket_limits are the right
        edges, one per count."""
        limits = v.float_vector(bucket_limits, "bucket_limits").tolist()
        counts = v.float_vector(bucket_counts, "bucket_counts").tolist()
        if len(limits) != len(counts):
            raise InvalidArgumentError(
                f"bucket_limits and bucket_counts: must have the same length, got "
                f"{len(limits)} and {len(counts)}")
        self._native_add_histogram_raw(
            v.to_tag(tag), v.to_number(min, "min"), v.to_number(max, "max"),
            v.to_number(num, "num"), v.to_number(sum, "sum"),
            v.to_number(sum_squares, "sum_squares"), limits, counts, v.to_step(global_step),
            v.to_walltime(walltime))

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """Adds an image. img_tensor: uint8 as it is, any other dtype in [0, 1] (scaled by
        255 and clipped); dataformats: 'CHW' (default), 'HWC', 'HW' or any order of those
        letters. 1, 3 or 4 channels."""
        tag, step, wall = v.to_tag(tag), v.to_step(global_step), v.to_walltime(walltime)
        array, layout = _image(img_tensor, dataformats)
        self._native_add_image(tag, array, layout, step, wall)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """Adds a batch of images as one grid image (up to 8 per row, as PyTorch's
        make_grid). dataformats: 'NCHW' (default), 'NHWC', 'NHW' or any order of those."""
        tag, step, wall = v.to_tag(tag), v.to_step(global_step), v.to_walltime(walltime)
        array, layout = _image_batch(img_tensor, dataformats, "img_tensor")
        self._native_add_images(tag, array, layout, step, wall)

    def add_image_with_boxes(self, tag, img_tensor, box_tensor, global_step=None,
                             walltime=None, rescale=1, dataformats="CHW", labels=None):
        """Adds an image with boxes (N x 4: x_min, y_min, x_max, y_max in pixels) drawn on
        it, each with its label when labels (one str per box) is given. rescale: a whole
        number the image and boxes are enlarged by."""
        tag, step, wall = v.to_tag(tag), v.to_step(global_step), v.to_walltime(walltime)
        array, layout = _image(img_tensor, dataformats)
        boxes = v.to_array(box_tensor, "box_tensor")
        if boxes.size == 0:
            boxes = boxes.reshape(0, 4)
        if boxes.ndim == 1 and boxes.size == 4:
            boxes = boxes.reshape(1, 4)
        if boxes.ndim != 2 or boxes.shape[1] != 4:
            raise InvalidArgumentError(
                f"box_tensor: must have shape (N, 4), got {tuple(boxes.shape)}")
        boxes = np.ascontiguousarray(boxes, dtype=np.float64)
        if rescale != 1:
            if not float(rescale).is_integer() or rescale < 1:
                raise InvalidArgumentError(f"rescale: must be a whole number >= 1, got {rescale!r}")
            factor = int(rescale)
            h_axis, w_axis = layout.index("H"), layout.index("W")
            array = np.ascontiguousarray(np.repeat(np.repeat(array, factor, h_axis), factor, w_axis))
            boxes = boxes * factor
        if labels is None:
            labels = []
        labels = [str(label) for label in labels]
        if labels and len(labels) != boxes.shape[0]:
            raise InvalidArgumentError(
                f"labels: {len(labels)} labels for {boxes.shape[0]} boxes; give one per box")
        self._native_add_image_with_boxes(tag, array, layout, boxes, labels, step, wall)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Adds a matplotlib figure, or a list of figures as an image batch, rendered with
        Agg. close: close the figures afterwards."""
        from ._figure import figure_pixels
        tag, step, wall = v.to_tag(tag), v.to_step(global_step), v.to_walltime(walltime)
        if isinstance(figure, (list, tuple)):
            if not figure:
                raise InvalidArgumentError("figure: the list is empty")
            images = [figure_pixels(f, close) for f in figure]
            if len({image.shape for image in images}) != 1:
                raise InvalidArgumentError("figure: the figures of a list must have one size")
            self._native_add_images(tag, np.stack(images), "NCHW", step, wall)
        else:
            self._native_add_image(tag, figure_pixels(figure, close), "CHW", step, wall)

    def add_video(self, tag, vid_tensor, global_step=None, fps=4, walltime=None):
        """Adds videos (N, T, C, H, W) as one animated GIF, the videos side by side. uint8,
        or any other dtype in [0, 1]."""
        tag, step, wall = v.to_tag(tag), v.to_step(global_step), v.to_walltime(walltime)
        array = v.to_array(vid_tensor, "vid_tensor")
        if array.ndim != 5:
            raise InvalidArgumentError(
                f"vid_tensor: must have shape (N, T, C, H, W), got {tuple(array.shape)}")
        if array.dtype != np.uint8:
            if array.dtype.kind not in "biuf":
                raise InvalidTypeError(f"vid_tensor: expected numbers, got dtype {array.dtype}")
            array = (array.astype(np.float32) * 255).clip(0, 255).astype(np.uint8)
        frames = np.ascontiguousarray(array.transpose(0, 1, 3, 4, 2))
        self._native_add_video(tag, frames, v.to_number(fps, "fps"), step, wall)

    def add_audio(self, tag, snd_tensor, global_step=None, sample_rate=44100, walltime=None):
        """Adds a mono clip: samples in [-1, 1] of shape (L,) or (1, L); samples outside are
        clipped, with a warning."""
        tag, step, wall = v.to_tag(tag), v.to_step(global_step), v.to_walltime(walltime)
        array = v.to_array(snd_tensor, "snd_tensor")
        if array.dtype.kind not in "biuf":
            raise InvalidTypeError(f"snd_tensor: expected numbers, got dtype {array.dtype}")
        if array.ndim == 0 or sum(d != 1 for d in array.shape) > 1:
            raise InvalidArgumentError(
                f"snd_tensor: must be one channel, (L,) or (1, L); got {tuple(array.shape)}")
        samples = np.ascontiguousarray(array.reshape(-1), dtype=np.float32)
        self._native_add_audio(tag, samples, 1, v.to_number(sample_rate, "sample_rate"), step, wall)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Adds markdown text, stored under the tag <tag>/text_summary as PyTorch stores it."""
        if not isinstance(text_string, str):
            raise InvalidTypeError(f"text_string: expected a str, got {type(text_string).__name__}")
        self._native_add_text(v.to_tag(tag) + "/text_summary", text_string, v.to_step(global_step),
                              v.to_walltime(walltime))

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Adds the graph of a torch module, traced with torch.jit.trace on input_to_model
        (a tensor or a tuple of them); every op is scoped by its module path, as PyTorch's
        graph is. A tblog.Graph is added as it is."""
        from ._tblog import Graph
        if isinstance(model, Graph):
            graph = model
        else:
            from ._torch_graph import graph_of_module
            graph = graph_of_module(model, input_to_model, use_strict_trace)
        if verbose:
            for name, op, inputs, _ in graph.nodes():
                print(f"{name} = {op}({', '.join(inputs)})")
        self._native_add_graph(graph, False)

    def add_onnx_graph(self, prototxt):
        """Adds the graph of an ONNX model file."""
        from ._tblog import Graph
        self._native_add_graph(Graph.from_onnx(os.fspath(prototxt)), False)

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None,
                      tag="default", metadata_header=None):
        """Adds an embedding for the Projector: mat (N, D); metadata: N labels, or N rows
        of values with metadata_header naming the columns; label_img (N, C, H, W) images
        shown for the points. Written under <log_dir>/<global_step, 5 digits>/<tag>/."""
        matrix = v.to_array(mat, "mat")
        if matrix.ndim != 2:
            raise InvalidArgumentError(f"mat: must be a matrix (N, D), got shape {tuple(matrix.shape)}")
        if matrix.dtype.kind not in "biuf":
            raise InvalidTypeError(f"mat: expected numbers, got dtype {matrix.dtype}")
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        rows = matrix.shape[0]
        columns, names = [], []
        if metadata is not None:
            metadata = list(metadata)
            if len(metadata) != rows:
                raise InvalidArgumentError(
                    f"metadata: {len(metadata)} entries for {rows} rows of mat; give one per row")
            if metadata_header is not None:
                names = [str(name) for name in metadata_header]
                for i, row in enumerate(metadata):
                    if len(row) != len(names):
                        raise InvalidArgumentError(
                            f"metadata[{i}]: {len(row)} values for {len(names)} header columns")
                columns = [[str(row[c]) for row in metadata] for c in range(len(names))]
            else:
                columns = [[str(label) for label in metadata]]
        images = None
        if label_img is not None:
            images, layout = _image_batch(label_img, "NCHW", "label_img")
            if images.shape[0] != rows:
                raise InvalidArgumentError(
                    f"label_img: {images.shape[0]} images for {rows} rows of mat; give one per row")
        self._native_add_embedding(matrix, columns, names, images, v.to_tag(tag),
                                   v.to_step(global_step))

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127,
                     weights=None, walltime=None):
        """Adds a precision-recall curve of binary labels (non-zero: positive) against
        predictions in [0, 1], with optional weights, at num_thresholds thresholds."""
        tag, step, wall = v.to_tag(tag), v.to_step(global_step), v.to_walltime(walltime)
        label_array = v.to_array(labels, "labels").reshape(-1)
        prediction_array = v.float_vector(predictions, "predictions", np.float32)
        weight_array = (np.zeros(0, np.float32) if weights is None
                        else v.float_vector(weights, "weights", np.float32))
        self._native_add_pr_curve(tag, np.ascontiguousarray(label_array != 0, dtype=np.uint8),
                                  prediction_array, step, wall, int(num_thresholds), weight_array)

    def add_pr_curve_raw(self, tag, true_positive_counts, false_positive_counts,
                         true_negative_counts, false_negative_counts, precision, recall,
                         global_step=None, num_thresholds=127, weights=None, walltime=None):
        """Adds a precision-recall curve from counts computed by the caller, one entry per
        threshold. num_thresholds and weights are unused, as in PyTorch."""
        series = [v.float_vector(x, name).tolist() for x, name in (
            (true_positive_counts, "true_positive_counts"),
            (false_positive_counts, "false_positive_counts"),
            (true_negative_counts, "true_negative_counts"),
            (false_negative_counts, "false_negative_counts"),
            (precision, "precision"), (recall, "recall"))]
        self._native_add_pr_curve_raw(v.to_tag(tag), *series, v.to_step(global_step),
                                      v.to_walltime(walltime))

    def add_custom_scalars(self, layout):
        """Sets the Custom Scalars dashboard's layout: {category: {chart: ['Multiline',
        [tags]] or ['Margin', [value, lower, upper]]}}. One layout per writer."""
        self._native_add_custom_scalars(_custom_scalar_layout(layout))

    def add_custom_scalars_multilinechart(self, tags, category="default", title="untitled"):
        """One multiline chart of the scalar tags."""
        self.add_custom_scalars({category: {title: ["Multiline", list(tags)]}})

    def add_custom_scalars_marginchart(self, tags, category="default", title="untitled"):
        """One margin chart: tags are [value, lower, upper]."""
        tags = list(tags)
        if len(tags) != 3:
            raise InvalidArgumentError(f"tags: a margin chart needs 3 tags, got {len(tags)}")
        self.add_custom_scalars({category: {title: ["Margin", tags]}})

    def add_mesh(self, tag, vertices, colors=None, faces=None, config_dict=None,
                 global_step=None, walltime=None):
        """Adds a 3D mesh: vertices (1, N, 3) float, colors (1, N, 3) uint8, faces (1, M, 3)
        vertex indices; config_dict: three.js scene settings."""
        tag, step, wall = v.to_tag(tag), v.to_step(global_step), v.to_walltime(walltime)
        vertex_list = _mesh_part(vertices, "vertices", np.float32)
        face_list = [] if faces is None else _mesh_part(faces, "faces", np.int32)
        color_list = [] if colors is None else _mesh_part(colors, "colors", np.uint8)
        config = "" if config_dict is None else json.dumps(config_dict, sort_keys=True)
        self._native_add_mesh(tag, vertex_list, face_list, color_list, config, step, wall)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None):
        """Adds a session of the HParams dashboard: hparams (bool, str, int or float values),
        metrics (numbers, also written as scalars) and optional discrete domains
        {name: [values]}. Unlike PyTorch, it goes into the writer's own run unless run_name
        is given (then into the run <log_dir>/<run_name>); a run holds one session."""
        if not isinstance(hparam_dict, dict):
            raise InvalidTypeError(f"hparam_dict: expected a dict, got {type(hparam_dict).__name__}")
        if not isinstance(metric_dict, dict):
            raise InvalidTypeError(f"metric_dict: expected a dict, got {type(metric_dict).__name__}")
        hparams = {}
        for key, value in hparam_dict.items():
            hparams[v.to_tag(key, "hparam_dict key")] = _hparam_value(value, f"hparam_dict[{key!r}]")
        metrics = {v.to_tag(key, "metric_dict key"): v.to_number(value, f"metric_dict[{key!r}]")
                   for key, value in metric_dict.items()}
        domains = {}
        for key, values in (hparam_domain_discrete or {}).items():
            if not isinstance(values, (list, tuple)):
                raise InvalidTypeError(f"hparam_domain_discrete[{key!r}]: expected a list of values")
            domains[key] = [_hparam_value(x, f"hparam_domain_discrete[{key!r}]") for x in values]
        if run_name is not None and not isinstance(run_name, str):
            raise InvalidTypeError(f"run_name: expected a str, got {type(run_name).__name__}")
        self._native_add_hparams(hparams, metrics, domains, run_name or "", [], 0)

    def add_tensor(self, tag, tensor, global_step=None, walltime=None, plugin_name="",
                   plugin_content=b""):
        """Adds a tensor under a plugin of the caller's choosing (TensorFlow's
        tf.summary.write)."""
        array = np.ascontiguousarray(v.to_array(tensor, "tensor"))
        self._native_add_tensor(v.to_tag(tag), array, v.to_step(global_step),
                                v.to_walltime(walltime), plugin_name, bytes(plugin_content))


def _image(img_tensor, dataformats):
    array = v.pixels(v.to_array(img_tensor, "img_tensor"), "img_tensor")
    if not isinstance(dataformats, str):
        raise InvalidTypeError(f"dataformats: expected a str, got {type(dataformats).__name__}")
    formats = dataformats.upper()
    if len(formats) == 2:
        return v.reorder(array, formats, "HW", "img_tensor"), "HW"
    if formats == "HWC":
        return v.reorder(array, formats, "HWC", "img_tensor"), "HWC"
    return v.reorder(array, formats, "CHW", "img_tensor"), "CHW"


def _image_batch(img_tensor, dataformats, name):
    array = v.pixels(v.to_array(img_tensor, name), name)
    if not isinstance(dataformats, str):
        raise InvalidTypeError(f"dataformats: expected a str, got {type(dataformats).__name__}")
    formats = dataformats.upper()
    if len(formats) == 3:
        return v.reorder(array, formats, "NHW", name), "NHW"
    if formats == "NHWC":
        return v.reorder(array, formats, "NHWC", name), "NHWC"
    return v.reorder(array, formats, "NCHW", name), "NCHW"


def _mesh_part(value, name, dtype):
    array = v.to_array(value, name)
    if array.ndim == 3:
        if array.shape[0] != 1:
            raise InvalidArgumentError(
                f"{name}: one mesh per call, shape (1, N, 3); got {tuple(array.shape)}")
        array = array[0]
    if array.ndim != 2 or array.shape[1] != 3:
        raise InvalidArgumentError(f"{name}: must have shape (1, N, 3), got {tuple(array.shape)}")
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{name}: expected numbers, got dtype {array.dtype}")
    return np.ascontiguousarray(array, dtype=dtype).reshape(-1).tolist()


def _hparam_value(value, name):
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    try:
        return v.to_number(value, name)
    except InvalidTypeError:
        raise InvalidTypeError(
            f"{name}: expected a bool, str, int, float or one-element tensor, got "
            f"{type(value).__name__}") from None


def _custom_scalar_layout(layout):
    if not isinstance(layout, dict):
        raise InvalidTypeError(f"layout: expected a dict, got {type(layout).__name__}")
    categories = []
    for category, charts in layout.items():
        if not isinstance(charts, dict):
            raise InvalidTypeError(f"layout[{category!r}]: expected a dict of charts")
        chart_list = []
        for title, spec in charts.items():
            if not isinstance(spec, (list, tuple)) or len(spec) != 2:
                raise InvalidArgumentError(
                    f"layout[{category!r}][{title!r}]: expected ['Multiline' or 'Margin', [tags]]")
            kind, tags = spec
            kind = str(kind).lower()
            tags = [v.to_tag(t, f"layout[{category!r}][{title!r}] tag") for t in tags]
            if kind == "margin" and len(tags) % 3 != 0:
                raise InvalidArgumentError(
                    f"layout[{category!r}][{title!r}]: a margin chart needs [value, lower, upper]")
            chart_list.append((str(title), kind, tags))
        categories.append((str(category), False, chart_list))
    return categories
