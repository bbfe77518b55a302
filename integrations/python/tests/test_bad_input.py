"""Bad input for each method: a tblog exception that is also the builtin a caller would
catch, a message naming the argument, nothing written for the call, the writer usable."""

import numpy as np
import pytest

import tblog

IMG = np.zeros((3, 4, 4), np.uint8)

# (call, exception, word the message must contain)
BAD_CALLS = [
    (lambda w: w.add_scalar(5, 1.0, 0), TypeError, "tag"),
    (lambda w: w.add_scalar("x", "1.0", 0), TypeError, "scalar_value"),
    (lambda w: w.add_scalar("x", [1.0, 2.0], 0), ValueError, "scalar_value"),
    (lambda w: w.add_scalar("x", 1.0, 2.5), ValueError, "global_step"),
    (lambda w: w.add_scalar("x", 1.0, "3"), TypeError, "global_step"),
    (lambda w: w.add_scalar("x", 1.0, 0, walltime=-1), ValueError, "walltime"),
    (lambda w: w.add_scalar("x", 1.0, 2 ** 70), ValueError, "step"),
    (lambda w: w.add_scalar("", 1.0, 0), ValueError, "tag"),
    (lambda w: w.add_scalars("m", [1, 2], 0), TypeError, "tag_scalar_dict"),
    (lambda w: w.add_scalars("m", {"a": "x"}, 0), TypeError, "tag_scalar_dict"),
    (lambda w: w.add_histogram("h", np.array([]), 0), ValueError, "histogram"),
    (lambda w: w.add_histogram("h", np.array(["a"]), 0), TypeError, "values"),
    (lambda w: w.add_histogram("h", np.ones(5), 0, bins="nonsense"), ValueError, "bins"),
    (lambda w: w.add_histogram("h", np.ones(5), 0, bins=5, max_bins=0), ValueError, "max_bins"),
    (lambda w: w.add_histogram_raw("h", 0, 1, 1, 1, 1, [1, 2], [1], 0), ValueError, "bucket_limits"),
    (lambda w: w.add_image("i", np.zeros((4, 4)), 0), ValueError, "dataformats"),
    (lambda w: w.add_image("i", IMG, 0, dataformats="CHX"), ValueError, "dataformats"),
    (lambda w: w.add_image("i", np.zeros((2, 4, 4)), 0), ValueError, "channels"),
    (lambda w: w.add_image("i", object(), 0), TypeError, "img_tensor"),
    (lambda w: w.add_images("i", IMG, 0), ValueError, "img_tensor"),
    (lambda w: w.add_image_with_boxes("b", IMG, [[1, 2, 3]], 0), ValueError, "box_tensor"),
    (lambda w: w.add_image_with_boxes("b", IMG, [[1, 1, 2, 2]], 0, labels=["a", "b"]), ValueError, "labels"),
    (lambda w: w.add_video("v", np.zeros((1, 2, 3, 4)), 0), ValueError, "vid_tensor"),
    (lambda w: w.add_audio("a", np.zeros((2, 10)), 0), ValueError, "snd_tensor"),
    (lambda w: w.add_audio("a", np.array([np.nan]), 0), ValueError, "NaN"),
    (lambda w: w.add_text("t", 5, 0), TypeError, "text_string"),
    (lambda w: w.add_graph(5, None), TypeError, "model"),
    (lambda w: w.add_onnx_graph("/nonexistent/model.onnx"), ValueError, "/nonexistent/model.onnx"),
    (lambda w: w.add_embedding(np.ones(3)), ValueError, "mat"),
    (lambda w: w.add_embedding(np.ones((3, 2)), metadata=["a"]), ValueError, "metadata"),
    (lambda w: w.add_pr_curve("p", [1, 0], [0.5], 0), ValueError, "predictions"),
    (lambda w: w.add_pr_curve("p", [1, 0], [0.5, 2.0], 0), ValueError, "predictions"),
    (lambda w: w.add_custom_scalars([1]), TypeError, "layout"),
    (lambda w: w.add_custom_scalars({"c": {"t": ["Pie", ["a"]]}}), ValueError, "Pie"),
    (lambda w: w.add_custom_scalars_marginchart(["a", "b"]), ValueError, "tags"),
    (lambda w: w.add_mesh("m", np.zeros((2, 4, 3))), ValueError, "vertices"),
    (lambda w: w.add_hparams([("lr", 1)], {}), TypeError, "hparam_dict"),
    (lambda w: w.add_hparams({"lr": None}, {}), TypeError, "hparam_dict['lr']"),
    (lambda w: w.add_hparams({"lr": 1}, {"m": "x"}), TypeError, "metric_dict"),
]


@pytest.mark.parametrize("index", range(len(BAD_CALLS)))
def test_bad_call_raises_names_the_argument_and_writes_nothing(tmp_path, index):
    call, builtin, word = BAD_CALLS[index]
    with tblog.SummaryWriter(tmp_path) as w:
        w.add_scalar("before", 1.0, 0)
        with pytest.raises(builtin) as raised:
            call(w)
        assert isinstance(raised.value, tblog.Error)
        assert word.lower() in str(raised.value).lower(), str(raised.value)
        w.add_scalar("after", 2.0, 0)  # still usable
    run = tblog.read(tmp_path)["."]
    tags = {tag for tags in run.tags().values() for tag in tags}
    assert tags == {"before", "after"}


def test_closed_writer_raises_closed_error(tmp_path):
    w = tblog.SummaryWriter(tmp_path)
    w.close()
    with pytest.raises(tblog.ClosedError) as raised:
        w.add_scalar("x", 1.0, 0)
    assert isinstance(raised.value, ValueError)
    with pytest.raises(tblog.ClosedError):
        w.add_image("i", IMG, 0)


def test_bad_options_are_named(tmp_path):
    with pytest.raises(ValueError, match="max_queue"):
        tblog.SummaryWriter(tmp_path, max_queue=0)
    with pytest.raises(ValueError, match="overflow"):
        tblog.SummaryWriter(tmp_path, overflow="sometimes")
    with pytest.raises(ValueError, match="flush_secs"):
        tblog.SummaryWriter(tmp_path, flush_secs=-1)


def test_unwritable_logdir_is_an_os_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError) as raised:
        tblog.SummaryWriter(blocker / "run")
    assert isinstance(raised.value, tblog.WriteError)
    assert str(blocker) in str(raised.value)
