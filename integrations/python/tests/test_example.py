"""examples/python/fashion_mnist.py on a small subset writes a logdir that `tblog verify`
accepts, with the progress records, parameter means, images and graph it promises."""

import os
import subprocess
import sys

import pytest

import tblog
from conftest import REPO, cli, needs_torch

DATA = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"


@needs_torch
@pytest.mark.skipif(not os.path.exists(DATA), reason="Fashion-MNIST is not installed")
def test_example_on_a_subset(tmp_path):
    logdir = tmp_path / "fm"
    result = subprocess.run(
        [sys.executable, str(REPO / "examples" / "python" / "fashion_mnist.py"),
         f"tensorBoardLogDir={logdir}", "maxSamples=1000", "epochs=2", "numMBsToShowResult=5"],
        check=True, timeout=300, capture_output=True, text=True)
    assert "Finished Epoch[2 of 2]" in result.stdout
    run = tblog.read(logdir)["."]
    # 16 minibatches an epoch, recorded every 10th since the last summary: 10 and 16 + 10.
    assert [s for s, _, _ in run.scalars("minibatch/avg_loss")] == [10, 26]
    assert len(run.scalars("summary/avg_loss")) == 2
    assert len(run.scalars("minibatch/test_avg_metric")) == 1
    assert run.tags()["images"] == ["training"]
    assert len(run.graphs()) == 1
    if cli():
        verify = subprocess.run([cli(), "verify", str(logdir)], capture_output=True, text=True)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        assert "all sound" in verify.stdout
