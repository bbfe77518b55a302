"""Every SummaryWriter method, read back with tblog.read: what was added is what is on disk."""

import math
import os
import time

import numpy as np
import pytest

import tblog
from conftest import decode_png, needs_matplotlib, needs_torch


def read_main(logdir):
    return tblog.read(logdir)["."]


def test_scalars_of_every_accepted_type(logdir):
    with tblog.SummaryWriter(logdir) as w:
        w.add_scalar("a", 0.5, 0)
        w.add_scalar("a", 2, 1)
        w.add_scalar("a", np.float32(0.25), np.int64(2))
        w.add_scalar("a", np.array([1.5]), 3.0)
        w.add_scalar("a", True, global_step=4)
        w.add_scalar(tag="a", scalar_value=7.0, global_step=5)
        w.add_scalar("a", 1.0)  # step None is step 0, as PyTorch writes it
    points = [(s, v) for s, _, v in read_main(logdir).scalars("a")]
    assert points == [(0, 0.5), (1, 2.0), (2, 0.25), (3, 1.5), (4, 1.0), (5, 7.0), (0, 1.0)]


@needs_torch
def test_torch_scalars_and_steps():
    import torch
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        with tblog.SummaryWriter(d) as w:
            w.add_scalar("t", torch.tensor(0.75), torch.tensor(3))
            w.add_scalar("t", torch.tensor([2.0], requires_grad=True) * 2, 4)
            w.add_scalar("t", torch.tensor(1.5, dtype=torch.bfloat16), 5)
        assert [(s, v) for s, _, v in read_main(d).scalars("t")] == [(3, 0.75), (4, 4.0), (5, 1.5)]


def test_walltime_new_style_and_double_precision(logdir):
    with tblog.SummaryWriter(logdir) as w:
        w.add_scalar("wall", 1.0, 1, walltime=1234.5)
        w.add_scalar("new", 0.1, 1, new_style=True)
        w.add_scalar("double", 0.1, 1, new_style=True, double_precision=True)
    run = read_main(logdir)
    assert run.scalars("wall") == [(1, 1234.5, 1.0)]
    (_, _, new), = run.values("new")
    assert (new.kind, new.plugin_name, new.tensor.dtype) == ("tensor", "scalars", 1)
    (_, _, double), = run.values("double")
    assert double.tensor.dtype == 2 and double.tensor.numpy().item() == 0.1


def test_wall_time_defaults_to_now(logdir):
    before = time.time()
    with tblog.SummaryWriter(logdir) as w:
        w.add_scalar("x", 1.0, 0)
    (_, wall, _), = read_main(logdir).scalars("x")
    assert before - 1 <= wall <= time.time() + 1


def test_add_scalars_makes_pytorchs_runs(logdir):
    with tblog.SummaryWriter(logdir) as w:
        w.add_scalars("run/loss", {"train": 1.0, "val": np.float64(2.0)}, 3)
    runs = tblog.read(logdir)
    assert sorted(runs) == [".", "run_loss_train", "run_loss_val"]
    assert runs["run_loss_val"].scalars("run/loss")[0][2] == 2.0


def test_default_log_dir_is_pytorchs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = tblog.SummaryWriter(comment="_lr0.1")
    w.close()
    parent, name = os.path.split(w.get_logdir())
    assert parent == "runs"
    assert name.endswith("_lr0.1")
    assert os.path.isdir(w.get_logdir())


def test_histograms(logdir):
    values = np.random.RandomState(0).randn(10000)
    with tblog.SummaryWriter(logdir) as w:
        w.add_histogram("tf", values, 1)
        w.add_histogram("tf32", values.astype(np.float32), 1)
        w.add_histogram("ints", np.arange(100), 1)
        w.add_histogram("auto", values, 2, bins="auto")
        w.add_histogram("ten", values, 2, bins=10, max_bins=5)
        w.add_histogram_raw("raw", min=0, max=3, num=6, sum=9, sum_squares=17,
                            bucket_limits=[1, 2, 3], bucket_counts=[1, 2, 3], global_step=3)
    run = read_main(logdir)
    for tag in ("tf", "tf32", "auto", "ten"):
        (_, _, h), = run.values(tag)
        assert h.histogram.num == 10000 and sum(h.histogram.bucket_counts) == 10000, tag
        assert math.isclose(h.histogram.sum, values.sum(), rel_tol=1e-5), tag
    (_, _, ten), = run.values("ten")
    assert len(ten.histogram.bucket_counts) <= 6  # 5 merged bins and the empty left one
    counts, edges = np.histogram(values, bins=10)
    assert ten.histogram.bucket_limits[-1] == edges[-1]
    (_, _, raw), = run.values("raw")
    assert raw.histogram.bucket_limits == [1, 2, 3] and raw.histogram.bucket_counts == [1, 2, 3]
    assert run.plugin_of("raw") == "histograms"


def test_images_in_every_layout(logdir):
    rng = np.random.RandomState(1)
    chw = (rng.rand(3, 6, 10) * 255).astype(np.uint8)
    with tblog.SummaryWriter(logdir) as w:
        w.add_image("chw", chw, 0)
        w.add_image("hwc", chw.transpose(1, 2, 0), 0, dataformats="HWC")
        w.add_image("whc", chw.transpose(2, 1, 0), 0, dataformats="WHC")
        w.add_image("hw", chw[0], 0, dataformats="HW")
        w.add_image("float", chw / 255.0, 0)
        w.add_images("nchw", np.stack([chw, chw]), 0)
        w.add_images("nhwc", np.stack([chw, chw]).transpose(0, 2, 3, 1), 0, dataformats="NHWC")
    run = read_main(logdir)
    expected = chw.transpose(1, 2, 0)
    for tag in ("chw", "hwc", "whc"):
        (_, _, v), = run.values(tag)
        _, _, _, pixels = decode_png(v.image.encoded)
        assert np.array_equal(pixels[:, :, :3], expected), tag
    (_, _, gray), = run.values("hw")
    _, _, _, pixels = decode_png(gray.image.encoded)
    assert np.array_equal(pixels[:, :, 0], chw[0])
    (_, _, f), = run.values("float")
    _, _, _, pixels = decode_png(f.image.encoded)
    assert np.abs(pixels[:, :, :3].astype(int) - expected).max() <= 1
    for tag in ("nchw", "nhwc"):
        (_, _, grid), = run.values(tag)
        assert grid.image.width >= 20 and grid.image.height >= 6, tag


@needs_torch
def test_torch_images_any_device_and_grad():
    import tempfile
    import torch
    image = torch.rand(3, 8, 8, requires_grad=True)
    with tempfile.TemporaryDirectory() as d:
        with tblog.SummaryWriter(d) as w:
            w.add_image("t", image * 1, 0)
            w.add_images("b", torch.rand(2, 1, 8, 8), 0)
        assert len(read_main(d).values("t")) == 1 and len(read_main(d).values("b")) == 1


def test_image_with_boxes(logdir):
    with tblog.SummaryWriter(logdir) as w:
        w.add_image_with_boxes("boxes", np.zeros((3, 20, 20), np.uint8),
                               np.array([[2, 2, 10, 10], [5, 5, 15, 15]]), 0, labels=["a", "b"])
        w.add_image_with_boxes("big", np.zeros((3, 20, 20), np.uint8), [[2, 2, 10, 10]], 0,
                               rescale=2)
    run = read_main(logdir)
    (_, _, v), = run.values("boxes")
    _, _, _, pixels = decode_png(v.image.encoded)
    assert pixels.max() > 0  # boxes drawn
    (_, _, big), = run.values("big")
    assert (big.image.width, big.image.height) == (40, 40)


@needs_matplotlib
def test_figures(logdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(2, 1), dpi=50)
    plt.plot([0, 1], [1, 0])
    figs = [plt.figure(figsize=(2, 1), dpi=50) for _ in range(2)]
    with tblog.SummaryWriter(logdir) as w:
        w.add_figure("fig", fig, 0)
        w.add_figure("figs", figs, 0, close=False)
    run = read_main(logdir)
    (_, _, v), = run.values("fig")
    assert (v.image.width, v.image.height) == (100, 50)
    assert not plt.fignum_exists(fig.number)
    assert all(plt.fignum_exists(f.number) for f in figs)
    plt.close("all")


def test_video_audio_text(logdir):
    video = np.random.RandomState(0).rand(2, 3, 3, 8, 8)
    with tblog.SummaryWriter(logdir) as w:
        w.add_video("video", video, 0, fps=5)
        w.add_video("video8", (video * 255).astype(np.uint8), 1)
        w.add_audio("audio", np.sin(np.arange(800) / 10.0)[None], 0, sample_rate=8000)
        w.add_text("text", "**bold**", 2)
    run = read_main(logdir)
    (_, _, clip), = run.values("video")
    assert clip.image.encoded[:6] == b"GIF89a"
    (_, _, audio), = run.values("audio")
    wav = audio.tensor.numpy().reshape(-1)[0]
    assert wav[:4] == b"RIFF" and len(wav) == 44 + 800 * 2
    (_, _, text), = run.values("text/text_summary")
    assert text.plugin_name == "text" and text.tensor.numpy().reshape(-1)[0] == b"**bold**"


def test_pr_curves(logdir):
    rng = np.random.RandomState(0)
    with tblog.SummaryWriter(logdir) as w:
        w.add_pr_curve("pr", rng.randint(2, size=50), rng.rand(50), 0, num_thresholds=11)
        w.add_pr_curve_raw("raw", [3, 2, 1], [2, 1, 0], [0, 1, 2], [0, 1, 2], [0.6, 0.67, 1.0],
                           [1.0, 0.67, 0.33], 1)
    run = read_main(logdir)
    (_, _, pr), = run.values("pr")
    assert pr.tensor.shape == [6, 11]
    (_, _, raw), = run.values("raw")
    assert raw.tensor.shape == [6, 3]
    assert raw.tensor.numpy()[0].tolist() == [3, 2, 1]


def test_custom_scalars_and_shorthands(tmp_path):
    for i, call in enumerate([
            lambda w: w.add_custom_scalars({"c": {"chart": ["Multiline", ["a", "b"]]}}),
            lambda w: w.add_custom_scalars_multilinechart(["a", "b"], category="c", title="t"),
            lambda w: w.add_custom_scalars_marginchart(["a", "lo", "hi"])]):
        with tblog.SummaryWriter(tmp_path / str(i)) as w:
            call(w)
        (_, _, v), = read_main(tmp_path / str(i)).values("custom_scalars__config__")
        assert v.plugin_name == "custom_scalars"
        assert b"a" in v.tensor.numpy().reshape(-1)[0]


def test_mesh(logdir):
    vertices = np.array([[[1, 1, 1], [-1, -1, 1], [1, -1, -1], [-1, 1, -1]]], np.float32)
    faces = np.array([[[0, 2, 3], [0, 3, 1], [0, 1, 2], [1, 3, 2]]])
    colors = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 0, 255]]])
    with tblog.SummaryWriter(logdir) as w:
        w.add_mesh("m", vertices, colors=colors, faces=faces, config_dict={"camera": {"fov": 75}})
    run = read_main(logdir)
    assert sorted(run.tags()["mesh"]) == ["m_COLOR", "m_FACE", "m_VERTEX"]
    (_, _, v), = run.values("m_VERTEX")
    assert np.array_equal(v.tensor.numpy(), vertices)


def test_hparams_in_own_run_unless_named(logdir):
    with tblog.SummaryWriter(logdir) as w:
        w.add_hparams({"lr": 0.1, "opt": "sgd", "wd": np.float32(0.5)}, {"hp/acc": 0.75},
                      hparam_domain_discrete={"opt": ["sgd", "adam"]})
        w.add_hparams({"lr": 0.2}, {"hp/acc": 0.5}, run_name="trial2")
    runs = tblog.read(logdir)
    assert sorted(runs) == [".", "trial2"]
    assert "_hparams_/session_start_info" in runs["."].tags()["hparams"]
    assert runs["."].scalars("hp/acc")[0][2] == 0.75
    assert runs["trial2"].scalars("hp/acc")[0][2] == 0.5


def test_embedding_with_header(logdir):
    with tblog.SummaryWriter(logdir) as w:
        w.add_embedding(np.eye(3), metadata=[["a", 1], ["b", 2], ["c", 3]],
                        metadata_header=["name", "n"], global_step=7, tag="e")
    folder = logdir / "00007" / "e"
    assert (folder / "metadata.tsv").read_text().splitlines() == ["name\tn", "a\t1", "b\t2", "c\t3"]
    assert 'tensor_name: "e:00007"' in (logdir / "projector_config.pbtxt").read_text()


@needs_torch
def test_graph_of_a_module(logdir):
    import torch
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    with tblog.SummaryWriter(logdir) as w:
        w.add_graph(model, torch.zeros(1, 4))
    assert model.training  # restored after tracing in eval mode
    (graph_def,) = read_main(logdir).graphs()
    graph = tblog.Graph.from_graph_def(graph_def)
    names = [n for n, _, _, _ in graph.nodes()]
    assert any(n.startswith("Sequential/Linear[0]/") for n in names)
    assert any(n.startswith("Sequential/Linear[2]/") for n in names)
    assert any(op == "aten::relu" for _, op, _, _ in graph.nodes())


def test_graph_built_by_hand_and_onnx(logdir):
    g = tblog.Graph()
    g.add_node("x", "Placeholder", dtype="float32", output_shapes=[[1, 4]])
    g.add_node("y", "Relu", ["x"], attrs={"alpha": 0.5})
    onnx_model = "/usr/share/libonnx-testdata/data/node/test_relu/model.onnx"
    with tblog.SummaryWriter(logdir) as w:
        w.add_graph(g)
        if os.path.exists(onnx_model):
            w.add_onnx_graph(onnx_model)
    graphs = read_main(logdir).graphs()
    assert tblog.Graph.from_graph_def(graphs[0]).nodes()[1][:3] == ("y", "Relu", ["x"])
    if os.path.exists(onnx_model):
        assert len(tblog.Graph.from_graph_def(graphs[1])) >= 2


def test_flush_puts_everything_on_disk(logdir):
    w = tblog.SummaryWriter(logdir, flush_secs=120)
    for i in range(1000):
        w.add_scalar("x", float(i), i)
    w.flush()
    assert len(read_main(logdir).scalars("x")) == 1000
    assert repr(w) == f"<tblog.SummaryWriter log_dir={str(logdir)!r} (open)>"
    w.close()
    w.close()  # harmless
    assert w.closed and repr(w).endswith("(closed)>")


def test_purge_step_and_filename_suffix(logdir):
    with tblog.SummaryWriter(logdir) as w:
        for i in range(10):
            w.add_scalar("x", float(i), i)
    with tblog.SummaryWriter(logdir, purge_step=5, filename_suffix=".second") as w:
        w.add_scalar("x", 50.0, 5)
    assert any(name.endswith(".second") for name in os.listdir(logdir))
    assert [s for s, _, _ in read_main(logdir).scalars("x")] == [0, 1, 2, 3, 4, 5]


def test_stats_count_events(logdir):
    with tblog.SummaryWriter(logdir) as w:
        for i in range(10):
            w.add_scalar("x", 1.0, i)
        w.flush()
        stats = w.stats()
    assert stats["events_enqueued"] >= 10 and stats["events_lost"] == 0
