"""A script written for torch.utils.tensorboard runs unchanged once its import names tblog,
and what it wrote reads back."""

import os
import subprocess
import sys

import tblog
from conftest import needs_torch

SCRIPT = os.path.join(os.path.dirname(__file__), "data", "pytorch_style_script.py")


@needs_torch
def test_pytorch_style_script_runs_with_the_import_swapped(tmp_path):
    source = open(SCRIPT).read()
    original = "from torch.utils.tensorboard import SummaryWriter"
    assert source.count(original) == 1
    swapped = tmp_path / "script.py"
    swapped.write_text(source.replace(original, "from tblog import SummaryWriter"))
    logdir = tmp_path / "runs"
    subprocess.run([sys.executable, str(swapped), str(logdir)], check=True, timeout=300)
    runs = tblog.read(logdir)
    main = runs["."]
    tags = main.tags()
    assert len(main.scalars("y_2x")) == 100  # PyTorch cleans tags so too
    assert sorted(r for r in runs if r.startswith("run_14h")) == [
        "run_14h_tanx", "run_14h_xcosx", "run_14h_xsinx"]
    assert len(runs["run_14h_xsinx"].scalars("run_14h")) == 100
    assert tags["histograms"] == ["distribution_centers"]
    assert set(tags["images"]) == {"my_image", "my_image_HWC", "my_image_batch",
                                   "imagebox_label", "video"}
    assert set(tags["text"]) == {"lstm/text_summary", "rnn/text_summary"}
    assert tags["pr_curves"] == ["pr_curve"]
    assert set(tags["mesh"]) == {"my_mesh_VERTEX", "my_mesh_FACE", "my_mesh_COLOR"}
    assert tags["custom_scalars"] == ["custom_scalars__config__"]
    assert tags["audio"] == ["audio"]
    assert len(main.graphs()) == 1
    assert (logdir / "projector_config.pbtxt").exists()
    for i in range(5):
        assert runs[f"trial{i}"].scalars("hparam/accuracy")[0][2] == 10 * i
