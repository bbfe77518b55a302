#!/usr/bin/env python3
"""CNTK's SimpleMNIST in PyTorch, on Fashion-MNIST, logged through tblog's progress layer.

A 784-200-200-10 ReLU network trained with SGD. A TensorBoardProgressWriter with freq=10
is handed to the Trainer, as in CNTK; the graph is traced on the first minibatch;
parameter means go through write_value and a batch of inputs through write_image; a
ProgressPrinter prints CNTK's lines. Settings are CNTK-style `key=value` arguments:

    python3 examples/python/fashion_mnist.py tensorBoardLogDir=runs/fashion_mnist_py \\
        tensorBoardNumMBsToLogResult=10 epochs=3 maxSamples=60000
"""

import gzip
import os
import sys
import time

import numpy as np
import torch

import tblog
from tblog.torch import Trainer, classification_error


def read_idx(path, limit=None):
    """An IDX file of unsigned bytes (gzipped) as a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    array = np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)
    return array[:limit] if limit else array


def configure(argv):
    config = tblog.Config()
    tblog.define_progress_keys(config)
    config.define("dataDir", "/usr/share/datasets/fashion-mnist", "Fashion-MNIST's IDX files")
    config.define("epochs", 3, "passes over the training set")
    config.define("maxSamples", 0, "training samples used (0: all 60000)")
    config.define("minibatchSize", 64)
    config.define("learningRate", 0.05)
    config.define("momentum", 0.9)
    config.define("hiddenDim", 200)
    config.set("tensorBoardLogDir", "runs/fashion_mnist_py")
    config.set("numMBsToShowResult", "200")
    config.set("tensorBoardNumMBsToLogResult", "10")
    config.parse_args(argv)
    return config


def main(argv):
    config = configure(argv)
    data_dir = config.get_str("dataDir")
    limit = config.get_int("maxSamples") or None
    train_x = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte.gz"), limit)
    train_y = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz"), limit)
    test_x = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte.gz"), limit)
    test_y = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte.gz"), limit)
    to_inputs = lambda x: torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1)
    train_inputs, train_labels = to_inputs(train_x), torch.from_numpy(train_y.astype(np.int64))
    test_inputs, test_labels = to_inputs(test_x), torch.from_numpy(test_y.astype(np.int64))

    torch.manual_seed(0)
    hidden = config.get_int("hiddenDim")
    model = torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(784, hidden), torch.nn.ReLU(),
        torch.nn.Linear(hidden, hidden), torch.nn.ReLU(),
        torch.nn.Linear(hidden, 10))
    learner = torch.optim.SGD(model.parameters(), lr=config.get_float("learningRate"),
                              momentum=config.get_float("momentum"))
    epochs = config.get_int("epochs")
    log_dir = config.get_str("tensorBoardLogDir")
    tensorboard_writer = tblog.TensorBoardProgressWriter(
        freq=config.get_int("tensorBoardNumMBsToLogResult"), log_dir=log_dir, model=model)
    printer = tblog.ProgressPrinter(freq=config.get_int("numMBsToShowResult"), tag="Training",
                                    num_epochs=epochs)
    ce = torch.nn.functional.cross_entropy
    trainer = Trainer(model, (ce, classification_error), learner, [tensorboard_writer, printer])

    batch = config.get_int("minibatchSize")
    samples = train_inputs.shape[0]
    minibatch_idx = 0
    start = time.time()
    for epoch in range(epochs):
        order = torch.randperm(samples)
        for first in range(0, samples, batch):
            idx = order[first:first + batch]
            trainer.train_minibatch(train_inputs[idx], train_labels[idx])
            minibatch_idx += 1
            if minibatch_idx % 100 == 0:
                for name, p in model.named_parameters():
                    tensorboard_writer.write_value(name + "/mean", p.detach().mean().item(),
                                                   minibatch_idx)
        tensorboard_writer.write_image("training", train_inputs[:16], epoch)
        tensorboard_writer.write("learning_rate", learner.param_groups[0]["lr"])
        trainer.summarize_training_progress()
    for first in range(0, test_inputs.shape[0], 1000):
        trainer.test_minibatch(test_inputs[first:first + 1000], test_labels[first:first + 1000])
    trainer.summarize_test_progress()
    tensorboard_writer.close()
    print(f"{minibatch_idx} minibatches in {time.time() - start:.1f} s; logs in {log_dir}")


if __name__ == "__main__":
    main(sys.argv[1:])
