#!/usr/bin/env bash
# From a fresh Debian 12 machine: install what the tests need, build, run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
# The Python package as users install it (pip, no package index), then its tests against
# the installed copy rather than the build tree.
rm -rf build/pip-venv
bash scripts/install_python.sh build/pip-venv
(cd build && TBLOG_SOURCE_DIR="$PWD/.." TBLOG_CLI="$PWD/tools/tblog" \
   pip-venv/bin/python -m pytest -q -p no:cacheprovider ../integrations/python/tests)
# Sanitizer builds and fuzzing (see RELIABILITY.md).
bash scripts/run_reliability.sh
