#!/usr/bin/env bash
# From a fresh Debian 12 machine: install what the tests need, build, run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
# Sanitizer builds and fuzzing (see RELIABILITY.md).
bash scripts/run_reliability.sh
