"""The golden calls (tests/data/golden/README.md) made through tblog.SummaryWriter give what
PyTorch's SummaryWriter wrote for them: the same runs, tags, plugins, plugin contents,
shapes and values, read back with tblog.read. Random data the README does not pin down
(raw histogram buckets, PR-curve inputs, embedding matrix) is taken from the golden files
and written again, so the comparison is exact where it can be."""

import json
import math

import numpy as np
import pytest

import tblog
from conftest import GOLDEN, decode_png, needs_torch


def single_image(flipped):
    chw = np.zeros((3, 16, 32), np.uint8)
    chw[0, :, :16] = 255
    chw[1, 8:, :] = 128
    return chw[:, ::-1, :].copy() if flipped else chw


@pytest.fixture(scope="module")
def golden():
    return tblog.read(GOLDEN / "torch")


@pytest.fixture(scope="module")
def ours(golden, tmp_path_factory):
    root = tmp_path_factory.mktemp("golden") / "torch"
    main = golden["main"]
    with tblog.SummaryWriter(root / "main") as w:
        for step in range(10):
            w.add_scalar("loss", 1.0 / (step + 1), step)
            w.add_scalar("acc/train", 0.1 * step, step)
        for step in range(5):
            w.add_scalars("multi", {"sin": math.sin(step), "cos": math.cos(step)}, step)
        w.add_image("img/single", single_image(False), 0)
        w.add_image("img/single", single_image(True), 1)
        np.random.seed(0)
        w.add_images("img/batch", np.random.rand(4, 3, 8, 12), 0)
        for step, _, value in main.values("hist/raw"):
            h = value.histogram
            w.add_histogram_raw("hist/raw", h.min, h.max, h.num, h.sum, h.sum_squares,
                                h.bucket_limits, h.bucket_counts, step)
        w.add_text("note", "hello **markdown** step0", 0)
        w.add_text("note", "second | table\n---|---\na | b", 1)
        w.add_hparams({"lr": 0.01, "bsize": 32, "opt": "adam", "flag": True},
                      {"hparam/accuracy": 0.9, "hparam/loss": 0.1}, run_name="hp_run")
        t = np.arange(2000) / 8000.0
        w.add_audio("audio/tone", 0.5 * np.sin(2 * np.pi * 440 * t), 0, sample_rate=8000)
        w.add_custom_scalars({"Group": {"losses": ["Multiline", ["loss", "acc/train"]],
                                        "margin": ["Margin", ["multi/sin", "multi/cos", "loss"]]}})
        mesh = {tag: value.tensor.numpy() for tag in ("mesh_VERTEX", "mesh_FACE", "mesh_COLOR")
                for _, _, value in main.values(tag)}
        w.add_mesh("mesh", mesh["mesh_VERTEX"], colors=mesh["mesh_COLOR"].astype(np.uint8),
                   faces=mesh["mesh_FACE"].astype(np.int32), global_step=0)
    return tblog.read(root)


def test_the_same_runs_and_tags_per_plugin(golden, ours):
    assert sorted(ours) == sorted(golden)
    for name in golden:
        theirs = golden[name].tags()
        mine = ours[name].tags()
        # PR curves are random in the golden run and are checked on their own below.
        theirs.pop("pr_curves", None)
        assert mine == theirs, name


def test_scalars_have_the_same_steps_and_values(golden, ours):
    for name in ("main", "main/multi_sin", "main/multi_cos", "main/hp_run"):
        for tags in golden[name].tags().get("scalars", []):
            for tag in [tags]:
                theirs = [(s, v) for s, _, v in golden[name].scalars(tag)]
                mine = [(s, v) for s, _, v in ours[name].scalars(tag)]
                assert mine == theirs, (name, tag)
                kinds = {v.kind for _, _, v in ours[name].values(tag)}
                assert kinds == {"simple_value"}, (name, tag)


def test_images_have_the_same_pixels(golden, ours):
    for tag in ("img/single", "img/batch"):
        theirs = golden["main"].values(tag)
        mine = ours["main"].values(tag)
        assert [s for s, _, _ in mine] == [s for s, _, _ in theirs]
        for (_, _, a), (_, _, b) in zip(mine, theirs):
            assert (a.image.height, a.image.width) == (b.image.height, b.image.width)
            ha, wa, ca, pa = decode_png(a.image.encoded)
            hb, wb, cb, pb = decode_png(b.image.encoded)
            assert (ha, wa, ca) == (hb, wb, cb)
            assert np.array_equal(pa, pb), tag


def test_histograms_text_mesh_and_custom_scalars_are_the_same(golden, ours):
    for step_value_a, step_value_b in zip(ours["main"].values("hist/raw"),
                                          golden["main"].values("hist/raw")):
        a, b = step_value_a[2].histogram, step_value_b[2].histogram
        assert step_value_a[0] == step_value_b[0]
        assert (a.min, a.max, a.num, a.sum, a.sum_squares) == (b.min, b.max, b.num, b.sum, b.sum_squares)
        assert a.bucket_limits == b.bucket_limits and a.bucket_counts == b.bucket_counts
    for tag in ("note/text_summary", "mesh_VERTEX", "mesh_FACE", "mesh_COLOR",
                "custom_scalars__config__"):
        mine, theirs = ours["main"].values(tag), golden["main"].values(tag)
        assert len(mine) == len(theirs), tag
        assert ours["main"].plugin_of(tag) == golden["main"].plugin_of(tag), tag
        # PyTorch repeats the metadata on every value; tblog writes it with the first.
        assert mine[0][2].has_metadata == theirs[0][2].has_metadata, tag
        for (sa, _, a), (sb, _, b) in zip(mine, theirs):
            assert sa == sb
            if a.has_metadata:
                assert (a.plugin_name, a.plugin_content) == (b.plugin_name, b.plugin_content), tag
            assert a.tensor.shape == b.tensor.shape, tag
            assert a.tensor.dtype == b.tensor.dtype, tag
            assert np.array_equal(a.tensor.numpy(), b.tensor.numpy()), tag


def test_audio_is_the_same_clip(golden, ours):
    (_, _, mine), = ours["main"].values("audio/tone")
    (_, _, theirs), = golden["main"].values("audio/tone")
    assert theirs.kind == "audio"  # PyTorch writes the legacy field
    assert mine.plugin_name == "audio"
    wav = mine.tensor.numpy().reshape(-1)[0]
    # The same 16-bit PCM samples after the 44-byte RIFF header.
    a = np.frombuffer(wav[44:], "<i2")
    b = np.frombuffer(theirs.audio.encoded[44:], "<i2")
    assert a.shape == b.shape
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 1


def test_hparams_session_has_the_same_plugin_records(golden, ours):
    for tag in ("_hparams_/experiment", "_hparams_/session_start_info", "_hparams_/session_end_info"):
        (_, _, mine), = ours["main/hp_run"].values(tag)
        (_, _, theirs), = golden["main/hp_run"].values(tag)
        assert mine.plugin_name == theirs.plugin_name == "hparams"
    expected = json.loads((GOLDEN / "torch.expected.json").read_text())
    assert "main/hp_run" in expected["runs"]


def test_pr_curve_has_the_same_layout(golden, tmp_path):
    np.random.seed(0)
    with tblog.SummaryWriter(tmp_path) as w:
        w.add_pr_curve("pr", np.random.randint(2, size=100), np.random.rand(100), 0)
    (_, _, mine), = tblog.read(tmp_path)["."].values("pr")
    (_, _, theirs), = golden["main"].values("pr")
    assert mine.plugin_name == theirs.plugin_name == "pr_curves"
    assert mine.plugin_content == theirs.plugin_content
    assert mine.tensor.shape == theirs.tensor.shape == [6, 127]


def test_embedding_has_the_same_projector_files(golden, tmp_path):
    emb = GOLDEN / "torch" / "main" / "00000" / "emb"
    matrix = np.loadtxt(emb / "tensors.tsv", delimiter="\t", dtype=np.float32)
    labels = (emb / "metadata.tsv").read_text().split("\n")[:-1]
    _, _, _, sprite = decode_png((emb / "sprite.png").read_bytes())
    thumbs = np.stack([sprite[r * 8:(r + 1) * 8, c * 8:(c + 1) * 8] for r in range(5) for c in range(5)][:20])
    with tblog.SummaryWriter(tmp_path) as w:
        w.add_embedding(matrix, metadata=labels, label_img=thumbs.transpose(0, 3, 1, 2), tag="emb")
    ours = tmp_path / "00000" / "emb"
    assert (ours / "metadata.tsv").read_text() == (emb / "metadata.tsv").read_text()
    _, _, _, our_sprite = decode_png((ours / "sprite.png").read_bytes())
    assert np.array_equal(our_sprite[:, :, :3], sprite[:, :, :3])
    config = (tmp_path / "projector_config.pbtxt").read_text()
    assert 'tensor_name: "emb:00000"' in config
    assert "single_image_dim: 8" in config


@needs_torch
def test_graph_has_the_same_nodes_as_pytorchs():
    import torch

    class Small(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)
            self.fc = torch.nn.Linear(256, 10)

        def forward(self, x):
            x = torch.relu(self.conv(x))
            x = x.flatten(1)
            return self.fc(x)

    from tblog._torch_graph import graph_of_module
    graph = graph_of_module(Small(), torch.zeros(1, 3, 8, 8))
    expected = json.loads((GOLDEN / "torch.expected.json").read_text())
    (entry,) = expected["per_run"]["main"]["graphs"]["__run_graph__"]
    nodes = graph.nodes()
    assert len(nodes) == entry["node_count"]
    counts = {}
    for _, op, _, _ in nodes:
        counts[op] = counts.get(op, 0) + 1
    assert counts == entry["op_counts"]
    names = [(name, op) for name, op, _, _ in nodes]
    assert [list(n) for n in names[:len(entry["first_nodes"])]] == entry["first_nodes"]
    for name, op in names:
        assert name.startswith("input/" if op == "IO Node" and name.startswith("input/") else
                               "output/" if op == "IO Node" else "Small/"), name
    ops = {op: name for name, op in names}
    assert ops["aten::_convolution"].startswith("Small/Conv2d[conv]/")
    assert ops["aten::linear"].startswith("Small/Linear[fc]/")
