"""tblog: TensorBoard event files written by a C++ thread.

    from tblog import SummaryWriter          # PyTorch's SummaryWriter, drop-in
    with SummaryWriter("runs/exp1") as writer:
        writer.add_scalar("loss", 0.5, step)

CNTK's progress layer: TensorBoardProgressWriter, ProgressPrinter, Config and
make_progress_writers; tblog.torch.Trainer feeds them from a PyTorch training loop.
tblog.read(logdir) reads event files back.

Exceptions: every one is a tblog.Error, and also the builtin a caller would catch:
InvalidArgumentError and ClosedError are ValueErrors, InvalidTypeError is a TypeError,
WriteError is an OSError.
"""

from ._tblog import (ClosedError, Config, CorruptFileError, Error, Graph, InvalidArgumentError,
                     InvalidTypeError, ProgressWriter, WriteError, __version__,
                     define_progress_keys, rank_from_environment)
from .progress import ProgressPrinter, TensorBoardProgressWriter, make_progress_writers
from .reader import RunData, read
from .writer import SummaryWriter

__all__ = [
    "ClosedError", "Config", "CorruptFileError", "Error", "Graph", "InvalidArgumentError",
    "InvalidTypeError", "ProgressPrinter", "ProgressWriter", "RunData", "SummaryWriter",
    "TensorBoardProgressWriter", "WriteError", "define_progress_keys", "make_progress_writers",
    "rank_from_environment", "read",
]
