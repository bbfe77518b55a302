#!/usr/bin/env python3
"""What tblog.SummaryWriter costs the calling Python thread, and what the Trainer's logging
costs a training step; PyTorch's SummaryWriter beside it when it can be imported.

    PYTHONPATH=build/integrations/python/package python3 bench/python/bench_summary_writer.py

Each figure is the median over repeated batches, measured in one process; compare ratios,
not absolute times, across machines.
"""

import statistics
import sys
import tempfile
import time

import numpy as np

import tblog


def median_per_call(fn, calls, batches):
    """Median seconds per call over `batches` batches of `calls` calls."""
    results = []
    for _ in range(batches):
        start = time.perf_counter()
        fn(calls)
        results.append((time.perf_counter() - start) / calls)
    return statistics.median(results)


def scalar_loop(writer):
    add = writer.add_scalar

    def run(n):
        for i in range(n):
            add("train/loss", 0.5, i)
    return run


def paced_and_burst(writer, call, count):
    """Median caller's time of `call(i)`: paced (the writer idle at each call, as when a run
    logs an image or histogram every few steps) and in a burst (calls back to back, the
    writer thread behind, so each call's copy lands in freshly faulted memory)."""
    paced = []
    for i in range(count):
        writer.flush()
        start = time.perf_counter()
        call(i)
        paced.append(time.perf_counter() - start)
    writer.flush()
    burst = []
    for i in range(count):
        start = time.perf_counter()
        call(i)
        burst.append(time.perf_counter() - start)
    return statistics.median(paced), statistics.median(burst)


def bench_writers(make_writer, name, logdir):
    writer = make_writer(logdir)
    writer.add_scalar("train/loss", 0.5, 0)  # the tag is seen before
    rows = {}
    rows["add_scalar"] = median_per_call(scalar_loop(writer), 1000, 200 if name == "tblog" else 20)
    if name == "tblog":
        # The same add through pybind11's general dispatch, which the fast path skips.
        native = writer._native_add_scalar

        def dispatched(n):
            for i in range(n):
                native("train/loss", 0.5, i, None, 0)
        rows["pybind11"] = median_per_call(dispatched, 1000, 200)
    image = np.random.rand(3, 224, 224).astype(np.float32)
    rows["add_image"], rows["add_image burst"] = paced_and_burst(
        writer, lambda i: writer.add_image("img", image, i), 40)
    values = np.random.randn(1_000_000).astype(np.float32)
    rows["add_histogram"], rows["add_histogram burst"] = paced_and_burst(
        writer, lambda i: writer.add_histogram("hist", values, i), 20)
    start = time.perf_counter()
    writer.close()
    rows["close"] = time.perf_counter() - start
    return rows


def bench_trainer():
    import torch
    from tblog.torch import Trainer, classification_error
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 200), torch.nn.ReLU(),
                                torch.nn.Linear(200, 200), torch.nn.ReLU(),
                                torch.nn.Linear(200, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    ce = torch.nn.functional.cross_entropy
    inputs, targets = torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,))
    with tempfile.TemporaryDirectory() as d:
        writer = tblog.TensorBoardProgressWriter(freq=10, log_dir=d, rank=0)
        logged = Trainer(model, (ce, classification_error), optimizer, [writer])
        bare = Trainer(model, (ce, classification_error), optimizer, [])

        def plain_step():
            # The same work without any progress writer.
            bare.train_minibatch(inputs, targets)

        def logged_step():
            logged.train_minibatch(inputs, targets)

        for _ in range(50):
            plain_step()
            logged_step()
        plain, with_log = [], []
        for _ in range(15):
            # Interleaved, so drift of the machine falls on both alike.
            plain.append(median_per_call(lambda n: [plain_step() for _ in range(n)], 20, 1))
            with_log.append(median_per_call(lambda n: [logged_step() for _ in range(n)], 20, 1))
        # The logging itself, timed alone: one update_training per step.
        update = median_per_call(
            lambda n: [writer.update_training(64, 32.0, 6.4) for _ in range(n)], 1000, 50)
        writer.close()
    return statistics.median(plain), statistics.median(with_log), update


def main():
    with tempfile.TemporaryDirectory() as d:
        results = {"tblog": bench_writers(lambda p: tblog.SummaryWriter(p), "tblog", d + "/tblog")}
        try:
            from torch.utils.tensorboard import SummaryWriter as TorchWriter
            results["PyTorch"] = bench_writers(lambda p: TorchWriter(p), "PyTorch", d + "/torch")
        except ImportError as error:
            print(f"PyTorch's SummaryWriter cannot be imported here ({error}); tblog alone.\n")
    print(f"{'call, caller thread (median)':48} " + " ".join(f"{k:>12}" for k in results))
    if "pybind11" in results["tblog"]:
        print(f"{'add_scalar through pybind11 dispatch instead':48} "
              f"{results['tblog'].pop('pybind11') * 1e9:9.1f} ns")
    for key, label, scale, unit in (
            ("add_scalar", "add_scalar(tag, float, step), tag seen", 1e9, "ns"),
            ("add_image", "add_image 3x224x224 float32, paced", 1e6, "us"),
            ("add_image burst", "add_image 3x224x224 float32, burst", 1e6, "us"),
            ("add_histogram", "add_histogram 1,000,000 float32, paced", 1e3, "ms"),
            ("add_histogram burst", "add_histogram 1,000,000 float32, burst", 1e3, "ms"),
            ("close", "close() after the above", 1e3, "ms")):
        print(f"{label:48} " + " ".join(f"{r[key] * scale:9.1f} {unit}" for r in results.values()))
    try:
        plain, logged, update = bench_trainer()
    except ImportError:
        print("torch is not installed: no Trainer figure")
        return
    print(f"\nMLP step (784-200-200-10, batch 64, 1 thread): {plain * 1e3:.3f} ms bare, "
          f"{logged * 1e3:.3f} ms with a TensorBoardProgressWriter (freq=10)")
    print(f"  difference: {(logged - plain) / plain * 100:+.2f}% of the step (noise included)")
    print(f"  update_training alone: {update * 1e9:.0f} ns = {update / plain * 100:.3f}% of the step")


if __name__ == "__main__":
    sys.exit(main())
