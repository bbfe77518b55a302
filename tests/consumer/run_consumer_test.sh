#!/usr/bin/env bash
# Builds and runs a program using tblog one way.
#   run_consumer_test.sh MODE TBLOG_SOURCE_DIR TBLOG_BUILD_DIR PREFIX WORK_DIR [COMPONENTS]
#   MODE: install       install the build tree into PREFIX (what the next four use)
#         package       find_package(tblog) from PREFIX
#         components    find_package(tblog COMPONENTS ...) from PREFIX; COMPONENTS: "onnx,mpi"
#         pkgconfig     the README's command line, with PREFIX's tblog.pc
#         not_found     find_package(tblog) from PREFIX, without ISA-L or with a component
#                       not built: tblog_FOUND false, no error
#         buildtree     find_package(tblog) with tblog_DIR=TBLOG_BUILD_DIR (no install)
#         fetchcontent, subdirectory: build tblog from source inside the consumer
# TBLOG_CONSUMER_LAUNCHER (e.g. ccache) is passed on as the consumer's compiler launcher.
set -euo pipefail
mode=$1 src=$2 build=$3 prefix=$4 work=$5 components=${6:-}
components=${components//,/;}

if [ "$mode" = install ]; then
  rm -rf "$prefix"
  cmake --install "$build" --prefix "$prefix" >/dev/null
  exit 0
fi

rm -rf "$work" && mkdir -p "$work"
consumer=$src/tests/consumer
args=(-B "$work/build" -DCMAKE_BUILD_TYPE=Release)
if [ -n "${TBLOG_CONSUMER_LAUNCHER:-}" ]; then
  args+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$TBLOG_CONSUMER_LAUNCHER")
fi

case "$mode" in
  package | components)
    args+=(-S "$consumer" -DCMAKE_PREFIX_PATH="$prefix" -DTBLOG_CONSUMER_COMPONENTS="$components") ;;
  buildtree)
    args+=(-S "$consumer" -Dtblog_DIR="$build") ;;
  fetchcontent | subdirectory)
    args+=(-S "$consumer" -DTBLOG_CONSUME="$mode" -DTBLOG_SOURCE_DIR="$src") ;;
  pkgconfig)
    # The README's line, word for word, in a folder holding app.cpp.
    export PKG_CONFIG_PATH
    PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name tblog.pc | head -n 1)")
    cp "$consumer/main.cpp" "$work/app.cpp"
    (cd "$work" && g++ -std=c++17 app.cpp $(pkg-config --cflags --libs tblog))
    # libtblog.so is not on the loader's path in a private prefix.
    LD_LIBRARY_PATH="$(pkg-config --variable=libdir tblog)" "$work/a.out" "$work/logdir"
    exit 0 ;;
  not_found)
    cmake -S "$consumer/not_found" -B "$work/isal" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_DISABLE_FIND_PACKAGE_ISAL=ON | grep 'tblog_FOUND is false'
    cmake -S "$consumer/not_found" -B "$work/component" -DCMAKE_PREFIX_PATH="$prefix" \
      -DTBLOG_NOT_FOUND_COMPONENT=no_such_component | grep 'tblog_FOUND is false'
    exit 0 ;;
  *)
    echo "unknown mode $mode" >&2
    exit 2 ;;
esac

cmake "${args[@]}" >"$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" -j2 >"$work/build.log" || { tail -n 50 "$work/build.log"; exit 1; }
"$work/build/consumer" "$work/logdir"
if [ -n "$components" ]; then
  "$work/build/consumer_components"
fi
