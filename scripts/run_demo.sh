#!/usr/bin/env bash
# From a fresh Debian 12 machine: install, build, train Fashion-MNIST with LibTorch into
# runs/fashion_mnist, write the all-kinds demo logdir, install the Python package into .venv
# and train Fashion-MNIST with PyTorch through it into runs/fashion_mnist_py; inspect them.
set -euo pipefail
cd "$(dirname "$0")/.."
logdir=${1:-runs/demo}
bash scripts/deps.sh
bash scripts/build.sh
rm -rf runs/fashion_mnist
./build/examples/fashion_mnist/fashion_mnist configFile=examples/fashion_mnist/mlp.cfg \
  tensorBoardLogDir=runs/fashion_mnist tensorBoardNumMBsToLogResult=10
./build/tools/tblog inspect runs/fashion_mnist
rm -rf "$logdir"
./build/examples/tblog_demo "$logdir"
./build/tools/tblog inspect "$logdir"
./build/tools/tblog verify "$logdir"
bash scripts/install_python.sh .venv
rm -rf runs/fashion_mnist_py
.venv/bin/python examples/python/fashion_mnist.py tensorBoardLogDir=runs/fashion_mnist_py \
  tensorBoardNumMBsToLogResult=10
./build/tools/tblog inspect runs/fashion_mnist_py
./build/tools/tblog verify runs/fashion_mnist_py
echo
echo "View them with: tensorboard --logdir runs   (or --logdir $logdir),"
echo "then open http://localhost:6006"
