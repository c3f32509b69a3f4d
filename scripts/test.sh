#!/usr/bin/env bash
# Sets up, builds and runs every test:
#   1. native GoogleTest suites (engine, CLI, app logic) through ctest
#   2. the engine suite compiled to WebAssembly, run under Node
#   3. interop with TF.js (Node) and PyTorch (ONNX)
#   4. browser end-to-end tests (headless Chromium via playwright-core), when
#      the web app is present
# Ends with one summary line "N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${JOBS:-$(nproc)}"
export NODE_PATH=/usr/share/nodejs

bash scripts/setup.sh || { echo "setup failed"; exit 1; }

passed=0
failed=0
record() {  # record NAME EXIT_CODE
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "== PASS: $1"; else failed=$((failed + 1)); echo "== FAIL: $1"; fi
}

echo "== native build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build -j"$JOBS"
build_ok=$?
record "native build" $build_ok
if [ $build_ok -eq 0 ]; then
  (cd build && ctest --output-on-failure)
  record "native tests (ctest)" $?
fi

# Both browser builds are tested: threaded (JS exceptions) and single-thread
# (native wasm exceptions); see emsdk-config.cmake for why they differ.
for threads in ON OFF; do
  dir="build-wasm-tests-threads-$threads"
  echo "== WebAssembly engine tests (threads $threads)"
  cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$ROOT/emsdk-config.cmake" -DDISTILLERY_WASM_THREADS=$threads \
    -DDISTILLERY_BUILD_APP=OFF >/dev/null && cmake --build "$dir" -j"$JOBS" --target engine_tests alloc_tests
  wasm_ok=$?
  record "wasm build (threads $threads)" $wasm_ok
  if [ $wasm_ok -eq 0 ]; then
    node --no-experimental-fetch "$dir/engine_tests.js"
    record "engine tests in WebAssembly under Node (threads $threads)" $?
    node --no-experimental-fetch "$dir/alloc_tests.js"
    record "no allocations per training step in WebAssembly (threads $threads)" $?
  fi
done

# TensorFlow.js interop against the real library (npm @tensorflow/tfjs, cpu
# backend in plain Node): import TF.js models, export ours, compare predictions.
if [ $build_ok -eq 0 ]; then
  echo "== TensorFlow.js interop tests"
  [ -d node_modules/@tensorflow/tfjs ] || npm install --no-audit --no-fund --loglevel=error
  DISTILLERY_BIN="$ROOT/build/distillery" node --test tests/tfjs/
  record "TensorFlow.js interop tests (Node)" $?
fi

# ONNX interop against the real PyTorch (Debian's python3-torch, python3-onnx):
# import torch.onnx.export's models, export ours, compare probabilities.
if [ $build_ok -eq 0 ]; then
  echo "== ONNX interop tests"
  DISTILLERY_BIN="$ROOT/build/distillery" /usr/bin/python3 -B -m unittest discover -s tests/onnx -v
  record "ONNX interop tests (PyTorch)" $?
fi

if [ -x scripts/build-web.sh ] && [ -d tests/web ]; then
  echo "== web app build and browser end-to-end tests"
  bash scripts/build-web.sh
  web_ok=$?
  record "web build" $web_ok
  if [ $web_ok -eq 0 ]; then
    node --test tests/web/
    record "browser end-to-end tests" $?
  fi
fi

# A short libFuzzer pass over every parser that takes user bytes (clang,
# ASan + UBSan); the long runs and the sanitizer suite (scripts/sanitize.sh,
# too slow for every run) are in docs/RELIABILITY.md.
# Reproducible: a fixed seed and number of inputs from the generated seeds (fuzz/make_seeds.cpp), so a
# pass here is a pass in CI, and a finding replays with the same command.
echo "== fuzzing every parser (150,000 inputs per target, seed 1)"
bash scripts/fuzz.sh --runs 150000 --seed 1 --fresh
record "fuzz targets, 150,000 inputs each" $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
