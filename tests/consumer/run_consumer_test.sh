#!/usr/bin/env bash
# Builds and runs the consumer against tblog one way.
#   run_consumer_test.sh MODE TBLOG_SOURCE_DIR TBLOG_BUILD_DIR WORK_DIR
#   MODE: package (install the build tree, then find_package and pkg-config),
#         fetchcontent or subdirectory (build tblog from source inside the consumer).
set -euo pipefail
mode=$1 src=$2 build=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
args=(-S "$src/tests/consumer" -B "$work/build" -DTBLOG_CONSUME="$mode" -DCMAKE_BUILD_TYPE=Release)
if [ "$mode" = package ]; then
  cmake --install "$build" --prefix "$work/prefix" >/dev/null
  args+=(-DCMAKE_PREFIX_PATH="$work/prefix")
else
  args+=(-DTBLOG_SOURCE_DIR="$src")
fi
cmake "${args[@]}" >/dev/null
cmake --build "$work/build" -j2 >/dev/null
"$work/build/consumer" "$work/logdir"
if [ "$mode" = package ]; then
  # pkg-config: compile and link the same program by hand.
  export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/x86_64-linux-gnu/pkgconfig"
  c++ -std=c++17 "$src/tests/consumer/main.cpp" -o "$work/consumer_pc" \
    $(pkg-config --cflags tblog) $(pkg-config --libs --static tblog)
  "$work/consumer_pc" "$work/logdir_pc"
fi
