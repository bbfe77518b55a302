#!/usr/bin/env bash
# From a fresh Debian 12 machine: install, build, write the demo logdir, and inspect it.
set -euo pipefail
cd "$(dirname "$0")/.."
logdir=${1:-runs/demo}
bash scripts/deps.sh
bash scripts/build.sh
rm -rf "$logdir"
./build/examples/tblog_demo "$logdir"
./build/tools/tblog inspect "$logdir"
./build/tools/tblog verify "$logdir"
echo
echo "View it with: tensorboard --logdir $logdir"
