#!/usr/bin/env bash
# Runs every speed benchmark of issue 5 and prints, as its LAST line, one JSON
# object with the ratios (bench/speed_summary.py explains each one).
#
#   bench/run.sh [--quick]
#
# Builds what it needs first: a native tree and an Emscripten (pthreads) tree,
# by default build-speed/ and build-speed-wasm/ (set NATIVE_BUILD / WASM_BUILD
# to reuse others), and installs TensorFlow.js 4.22 (+ its wasm backend) into
# <native tree>/tfjs for the baseline. The training comparison with TF.js runs
# in headless Chromium (bench/browser_bench.mjs, ROUNDS rounds, default 5) and
# in Node. Each program's full output is kept in <native tree>/speed-results/.
# Programs print figures; nothing here asserts a timing. Takes about 10
# minutes on a 2-core machine (--quick: about 4).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NATIVE=$(realpath -m "${NATIVE_BUILD:-$ROOT/build-speed}")
WASM=$(realpath -m "${WASM_BUILD:-$ROOT/build-speed-wasm}")
JOBS=${JOBS:-2}
QUICK=""
[[ "${1:-}" == "--quick" ]] && QUICK="--quick"
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
NODE="node --no-experimental-fetch"
OUT=$NATIVE/speed-results

log() { echo "[bench/run.sh] $*" >&2; }

build() {  # build <dir> [cmake args...]
  local dir=$1
  shift
  if [[ ! -f "$dir/CMakeCache.txt" ]]; then
    log "configuring $dir"
    cmake -S "$ROOT" -B "$dir" -DDISTILLERY_BUILD_APP=OFF -DDISTILLERY_BUILD_TESTS=OFF "$@" >/dev/null
  fi
  log "building gemm_bench train_bench in $dir"
  cmake --build "$dir" -j"$JOBS" --target gemm_bench train_bench >/dev/null
}

build "$NATIVE"
build "$WASM" -DCMAKE_TOOLCHAIN_FILE="$ROOT/emsdk-config.cmake"

TFJS=$NATIVE/tfjs
if [[ ! -d "$TFJS/node_modules/@tensorflow/tfjs-backend-wasm" ]]; then
  log "installing @tensorflow/tfjs 4.22.0 and its wasm backend into $TFJS"
  mkdir -p "$TFJS"
  [[ -f "$TFJS/package.json" ]] || echo '{"name": "tfjs-baseline", "private": true}' >"$TFJS/package.json"
  npm install --prefix "$TFJS" --no-audit --no-fund @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0 >&2
fi

mkdir -p "$OUT"
run() {  # run <name> <command...>: full output to $OUT/<name>.txt, last line to $OUT/<name>.json
  local name=$1
  shift
  log "running $name: $*"
  "$@" | tee "$OUT/$name.txt" >&2
  tail -n 1 "$OUT/$name.txt" >"$OUT/$name.json"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# Native and WebAssembly runs alternate so a burst of load from other
# processes is less likely to hit only one side of a ratio.
run gemm_native "$NATIVE/bench/gemm_bench" $QUICK
(cd "$WASM/bench" && run gemm_wasm $NODE gemm_bench.js $QUICK)
# The GEMM ratio again in short alternating rounds (median in the summary).
for r in 1 2 3; do
  run gemm_native_r$r "$NATIVE/bench/gemm_bench" --only 256,512
  (cd "$WASM/bench" && run gemm_wasm_r$r $NODE gemm_bench.js --only 256,512)
done
run train_native "$NATIVE/bench/train_bench" $QUICK
(cd "$WASM/bench" && run train_wasm $NODE train_bench.js $QUICK)
run tfjs_node $NODE "$ROOT/bench/tfjs_bench.mjs" $QUICK --modules "$TFJS"
if [[ -x "${CHROMIUM:-/usr/bin/chromium}" && -d "$ROOT/node_modules/playwright-core" ]]; then
  run browser node "$ROOT/bench/browser_bench.mjs" --wasm-build "$WASM" --modules "$TFJS" $QUICK \
    --rounds "${ROUNDS:-$([[ -n "$QUICK" ]] && echo 2 || echo 5)}"
else
  log "no Chromium or no playwright-core (npm install at the repository root): skipping the browser comparison"
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

python3 "$ROOT/bench/speed_summary.py" "$OUT" --load-before "$LOAD_BEFORE" --load-after "$LOAD_AFTER"
