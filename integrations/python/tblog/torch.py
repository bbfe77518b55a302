"""tblog.torch.Trainer: CNTK's Trainer for a PyTorch model, feeding progress writers.

    writer = TensorBoardProgressWriter(freq=10, log_dir='log', model=model)
    trainer = Trainer(model, (loss_fn, metric_fn), optimizer, [writer, ProgressPrinter(10)])
    for inputs, targets in loader:
        trainer.train_minibatch(inputs, targets)
    trainer.summarize_training_progress()
"""

import torch as _torch

from ._tblog import InvalidArgumentError, InvalidTypeError, ProgressWriter


class Trainer:
    """Runs the forward pass, loss, backward pass and optimizer step of each minibatch and
    reports them to its progress writers, as CNTK's Trainer does.

    model: a torch.nn.Module. criterion: (loss_fn, metric_fn), each called as
    fn(outputs, targets) and returning the minibatch's mean (metric_fn may be None; for
    classification tblog.torch.classification_error is CNTK's error rate). optimizer: a
    torch.optim.Optimizer. progress_writers: a writer or a list of them."""

    def __init__(self, model, criterion, optimizer, progress_writers=None):
        if not isinstance(model, _torch.nn.Module):
            raise InvalidTypeError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
        if not isinstance(criterion, (tuple, list)) or len(criterion) != 2:
            raise InvalidArgumentError("criterion: expected a pair (loss_fn, metric_fn)")
        self.model = model
        self.loss_fn, self.metric_fn = criterion
        if not callable(self.loss_fn):
            raise InvalidTypeError("criterion: loss_fn must be callable")
        self.optimizer = optimizer
        if progress_writers is None:
            progress_writers = []
        elif isinstance(progress_writers, ProgressWriter):
            progress_writers = [progress_writers]
        self.progress_writers = list(progress_writers)
        for writer in self.progress_writers:
            if not isinstance(writer, ProgressWriter):
                raise InvalidTypeError(
                    f"progress_writers: expected tblog progress writers, got {type(writer).__name__}")
        self.total_samples = 0

    def _samples(self, targets):
        return int(targets.shape[0]) if hasattr(targets, "shape") and len(targets.shape) else 1

    def train_minibatch(self, inputs, targets):
        """One training step; returns the minibatch's mean loss as a float."""
        for writer in self.progress_writers:
            if getattr(writer, "_pending_model", None) is not None:
                writer._record_model(inputs)
        self.model.train()
        self.optimizer.zero_grad(set_to_none=True)
        outputs = self.model(inputs)
        loss = self.loss_fn(outputs, targets)
        loss.backward()
        self.optimizer.step()
        samples = self._samples(targets)
        loss_value = float(loss.detach())
        metric_value = 0.0
        if self.metric_fn is not None:
            with _torch.no_grad():
                metric_value = float(self.metric_fn(outputs.detach(), targets))
        self.total_samples += samples
        for writer in self.progress_writers:
            writer.update_training(samples, loss_value * samples, metric_value * samples)
        return loss_value

    def test_minibatch(self, inputs, targets):
        """Evaluates the metric on a minibatch without training; returns its mean."""
        self.model.eval()
        with _torch.no_grad():
            outputs = self.model(inputs)
            metric = self.metric_fn if self.metric_fn is not None else self.loss_fn
            value = float(metric(outputs, targets))
        samples = self._samples(targets)
        for writer in self.progress_writers:
            writer.update_test(samples, value * samples)
        return value

    def summarize_training_progress(self):
        """Ends an epoch: each writer records the averages since the last summary."""
        for writer in self.progress_writers:
            writer.summarize_training_progress()

    def summarize_test_progress(self):
        for writer in self.progress_writers:
            writer.summarize_test_progress()


def classification_error(outputs, targets):
    """The fraction of rows whose arg-max is not the target class (CNTK's
    classification_error)."""
    return (outputs.argmax(dim=1) != targets).float().mean()
