#!/usr/bin/env bash
# Installs the tblog Python package into a virtual environment (default .venv) with pip, as
# the README shows: no package index, Debian's numpy/torch/matplotlib seen through
# --system-site-packages. Usage: bash scripts/install_python.sh [VENV_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.venv}
/usr/bin/python3 -m venv --system-site-packages "$venv"
"$venv/bin/pip" install --quiet --no-build-isolation --no-index ./integrations/python
"$venv/bin/python" -c "import tblog; print('tblog', tblog.__version__, 'installed in $venv')"
