#!/usr/bin/env bash
# The reliability runs CI adds to the test suite:
#  - the test suite under AddressSanitizer + UndefinedBehaviorSanitizer,
#  - the concurrency tests under ThreadSanitizer,
#  - each libFuzzer target from its seed corpus for FUZZ_RUNS inputs (default 1,000,000) with a
#    fixed seed (FUZZ_SEED, default 1), so a CI run is reproducible, and at most FUZZ_SECONDS
#    (default 60). Other seeds explore further: FUZZ_SEED=$RANDOM bash scripts/run_reliability.sh.
# The optional LibTorch/MPI components stay out of the sanitizer builds: their prebuilt
# libraries are not instrumented. So does the Python module: an uninstrumented interpreter
# cannot load a sanitized extension.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-60}
fuzz_runs=${FUZZ_RUNS:-1000000}
fuzz_seed=${FUZZ_SEED:-1}
common=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTBLOG_WITH_TORCH=OFF -DTBLOG_WITH_MPI=OFF
        -DTBLOG_WITH_PYTHON=OFF
        -DTBLOG_BUILD_BENCH=OFF -DTBLOG_BUILD_EXAMPLES=OFF -DTBLOG_INSTALL=OFF)

echo "== AddressSanitizer + UndefinedBehaviorSanitizer: the test suite"
# The data server (gRPC) doubles the instrumented build: CI leaves it out, and
# SANITIZE_DATA_SERVER=1 puts it in (RELIABILITY.md, "data server: sanitizers").
asan_server=OFF
[ "${SANITIZE_DATA_SERVER:-0}" = 1 ] && asan_server=AUTO
cmake -S . -B build-asan "${common[@]}" -DTBLOG_SANITIZE=address,undefined \
  -DTBLOG_WITH_SERVER="$asan_server" >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE consumer

echo "== ThreadSanitizer: the concurrency tests"
cmake -S . -B build-tsan "${common[@]}" -DTBLOG_SANITIZE=thread -DTBLOG_WITH_ONNX=OFF >/dev/null
cmake --build build-tsan -j"$jobs" --target writer_test reliability_test progress_writer_test \
  logdir_loader_test tblog_test_child
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --test-dir build-tsan --output-on-failure \
  -R '^(writer_test|reliability_test|progress_writer_test|logdir_loader_test)\.'

echo "== libFuzzer: ${fuzz_runs} inputs (seed ${fuzz_seed}, at most ${fuzz_seconds}s) per target"
CC=clang CXX=clang++ cmake -S . -B build-fuzz "${common[@]}" -DTBLOG_BUILD_FUZZ=ON \
  -DTBLOG_BUILD_TESTS=OFF -DTBLOG_BUILD_TOOLS=OFF -DTBLOG_WITH_ONNX=OFF -DTBLOG_WITH_SERVER=OFF >/dev/null
cmake --build build-fuzz -j"$jobs"
for target in record_reader event_parser event_decoders_agree run_loader; do
  work=$(mktemp -d)
  cp fuzz/corpus/$target/* "$work/"
  ./build-fuzz/fuzz/${target}_fuzz -seed="$fuzz_seed" -runs="$fuzz_runs" \
    -max_total_time="$fuzz_seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$work" 2>&1 | tail -n 40
  rm -rf "$work"
done
