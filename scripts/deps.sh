#!/usr/bin/env bash
# Installs the Debian 12 packages tblog builds and tests with (as root, or through sudo).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  libprotobuf-dev protobuf-compiler   # our event schema
  libisal-dev                         # CRC-32C
  libpng-dev                          # PNG images
  libgif-dev                          # animated GIFs (add_video)
  libcli11-dev                        # the tblog command line
  libgtest-dev googletest             # tests
  libbenchmark-dev                    # bench/
  nlohmann-json3-dev                  # tests read TensorBoard's expected JSON
  libonnx-dev libonnx-testdata        # tblog::onnx and its tests
  libtorch-dev                        # tblog::torch and the fashion_mnist example
  zlib1g-dev                          # fashion_mnist reads gzipped IDX files
  dataset-fashion-mnist               # fashion_mnist's data set
  libopenmpi-dev openmpi-bin          # tblog::mpi: data-parallel fashion_mnist
  clang libclang-rt-14-dev            # fuzzing (libFuzzer) and sanitizer runtimes
  python3-dev pybind11-dev python3-numpy  # the Python package's extension module
  python3-pip python3-venv python3-setuptools python3-wheel  # pip install ./integrations/python
  python3-pytest                      # the Python tests
  python3-torch python3-matplotlib    # tblog.torch, add_graph, add_figure and their tests
  libgrpc++-dev protobuf-compiler-grpc          # tblog::data_server, tblog-data-server, `tblog serve`
  python3-grpcio python3-grpc-tools python3-protobuf  # the data server's Python client test
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
