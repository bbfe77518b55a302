#!/usr/bin/env bash
# From a fresh Debian 12 machine: install, build, train Fashion-MNIST with LibTorch into
# runs/fashion_mnist, write the all-kinds demo logdir, and inspect both.
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
echo
echo "View them with: tensorboard --logdir runs/fashion_mnist   (or --logdir $logdir),"
echo "then open http://localhost:6006"
