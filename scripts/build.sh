#!/usr/bin/env bash
# Configures and builds everything into ./build (Release).
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's python3, for which deps.sh installed numpy, pybind11 and pytest.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=/usr/bin/python3
cmake --build build -j"$(nproc)"
