"""CNTK's progress layer from Python: TensorBoardProgressWriter, ProgressPrinter, Config and
make_progress_writers, and tblog.torch.Trainer feeding them as the seed's four lines do."""

import numpy as np
import pytest

import tblog
from conftest import needs_torch


def test_tensorboard_progress_writer_records_as_cntk(tmp_path):
    w = tblog.TensorBoardProgressWriter(freq=2, log_dir=tmp_path, rank=0)
    for i in range(4):
        w.update_training(10, loss_sum=10.0 * (i + 1), metric_sum=1.0)
    w.summarize_training_progress()
    w.update_test(5, 2.5)
    w.summarize_test_progress()
    w.write_value("param/mean", 0.5, 7)
    w.write_image("training", np.random.rand(2, 3, 4, 4), 8)
    w.write_image("one", np.zeros((4, 4), np.uint8), 9)
    w.write("learning_rate", 0.01)
    w.close()
    run = tblog.read(tmp_path)["."]
    assert [(s, v) for s, _, v in run.scalars("minibatch/avg_loss")] == [(2, 1.5), (4, 3.5)]
    assert [(s, v) for s, _, v in run.scalars("summary/avg_loss")] == [(1, 2.5)]
    assert run.scalars("param/mean")[0][2] == 0.5
    assert {"training", "one"} <= set(run.tags()["images"])
    assert w.training_summaries == 1 and w.test_summaries == 1


def test_non_zero_rank_writes_nothing(tmp_path):
    w = tblog.TensorBoardProgressWriter(freq=1, log_dir=tmp_path / "r1", rank=1)
    w.update_training(1, 1.0, 0.0)
    w.write_value("x", 1.0, 0)
    w.close()
    assert not w.active
    assert not (tmp_path / "r1").exists()


def test_progress_printer_prints_cntks_lines(tmp_path):
    log = tmp_path / "log.txt"
    p = tblog.ProgressPrinter(freq=2, tag="Training", log_to_file=log, rank=0, num_epochs=3)
    for _ in range(4):
        p.update_training(32, 16.0, 3.2)
    p.summarize_training_progress()
    del p
    text = log.read_text()
    assert "Minibatch[   1-   2]: loss = 0.500000 * 64, metric = 10.00% * 64" in text
    assert "Finished Epoch[1 of 3]: [Training] loss = 0.500000 * 128" in text


def test_graph_models_the_seed_accepts(tmp_path):
    g = tblog.Graph()
    g.add_node("x", "Placeholder")
    w = tblog.TensorBoardProgressWriter(freq=1, log_dir=tmp_path, rank=0, model=g)
    w.close()
    assert len(tblog.read(tmp_path)["."].graphs()) == 1
    with pytest.raises(TypeError, match="model"):
        tblog.TensorBoardProgressWriter(log_dir=tmp_path / "bad", rank=0, model=42)


def test_command_line_keys(tmp_path):
    config = tblog.Config()
    tblog.define_progress_keys(config)
    config.parse_args([f"tensorBoardLogDir={tmp_path}", "tensorBoardNumMBsToLogResult=3"])
    assert config.get_int("tensorBoardNumMBsToLogResult") == 3
    writers = tblog.make_progress_writers(config, rank=0)
    kinds = sorted(type(w).__name__ for w in writers)
    assert kinds == ["_ProgressPrinter", "_TensorBoardProgressWriter"]
    for w in writers:
        for _ in range(3):
            w.update_training(4, 4.0, 0.0)
    for w in writers:
        if hasattr(w, "flush"):
            w.flush()
    assert tblog.read(tmp_path)["."].scalars("minibatch/avg_loss")[0][:1] == (3,)
    with pytest.raises(ValueError, match="tensorBoardLogDri"):
        config.parse_args(["tensorBoardLogDri=x"])


@needs_torch
def test_the_seeds_four_lines_with_pytorch(tmp_path):
    import torch
    from tblog.torch import Trainer, classification_error
    torch.manual_seed(0)
    my_model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 8), torch.nn.ReLU(),
                                   torch.nn.Linear(8, 3))
    learner = torch.optim.SGD(my_model.parameters(), lr=0.1)
    ce = torch.nn.functional.cross_entropy
    tensorboard_writer = tblog.TensorBoardProgressWriter(freq=10, log_dir=tmp_path, rank=0,
                                                         model=my_model)
    trainer = Trainer(my_model, (ce, classification_error), learner, tensorboard_writer)
    inputs, targets = torch.rand(64, 1, 4, 4), torch.randint(0, 3, (64,))
    for minibatch_idx in range(30):
        trainer.train_minibatch(inputs[:16], targets[:16])
        for name, p in my_model.named_parameters():
            tensorboard_writer.write_value(name + "/mean", p.mean().item(), minibatch_idx)
    tensorboard_writer.write_image("training", inputs[:4], 30)
    trainer.test_minibatch(inputs, targets)
    trainer.summarize_training_progress()
    trainer.summarize_test_progress()
    tensorboard_writer.close()
    run = tblog.read(tmp_path)["."]
    assert [s for s, _, _ in run.scalars("minibatch/avg_loss")] == [10, 20, 30]
    assert len(run.scalars("1.weight/mean")) == 30
    assert run.tags()["images"] == ["training"]
    (graph_def,) = run.graphs()  # traced on the first minibatch
    names = [n for n, _, _, _ in tblog.Graph.from_graph_def(graph_def).nodes()]
    assert any(n.startswith("Sequential/Linear[1]/") for n in names)
    assert len(run.scalars("summary/avg_loss")) == 1
