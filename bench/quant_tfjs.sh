#!/usr/bin/env bash
# TF.js export with TF.js's own quantized weight storage (issue 15): the
# weight-file bytes of each --tfjs-weights choice against float32, and the test
# accuracy of what TF.js loads (the export read back by Distillery, which
# dequantizes exactly as tf.loadLayersModel does; tests/tfjs checks that), for
# the distilled students and the CNN teacher of bench/distill_gain.sh.
#
#   bench/quant_tfjs.sh [MODEL.json ...]   default: the teacher, cnn_small_s{1,2,3}, dense32_s{1,2,3}
#
# MODELS (default bench/results/distill_gain) holds the float models; OUT
# (default bench/results/quant_tfjs) the exports and one eval JSON each.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="${DISTILLERY:-$ROOT/build/distillery}"
MODELS="${MODELS:-$ROOT/bench/results/distill_gain}"
OUT="${OUT:-$ROOT/bench/results/quant_tfjs}"
THREADS="${THREADS:-1}"
TEST=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
mkdir -p "$OUT"

if [ $# -eq 0 ]; then
  set -- "$MODELS/teacher_cnn_aug.json" "$MODELS"/cnn_small_s{1,2,3}.model.json "$MODELS"/dense32_s{1,2,3}.model.json
fi

printf '%-16s %-8s %9s %8s %10s %10s %8s %8s\n' model weights accuracy points bin_bytes json_bytes smaller files
for model in "$@"; do
  name="$(basename "$model" .json)"; name="${name%.model}"
  for dtype in float32 uint8 uint16 float16; do
    dir="$OUT/${name}_$dtype"
    rm -rf "$dir"
    "$CLI" convert --in "$model" --out "$dir" --tfjs-weights "$dtype" > /dev/null
    "$CLI" convert --in "$dir" --out "$dir/back.json" > /dev/null
    "$CLI" eval --model "$dir/back.json" --data "$TEST" --threads "$THREADS" --json > "$dir/eval.json"
    # smaller: the weight file against float32's; files: weight file and model.json together.
    python3 - "$name" "$dtype" "$dir" "$OUT/${name}_float32" <<'PY'
import json, os, sys
name, dtype, d, f = sys.argv[1:]
acc, base = (json.load(open(os.path.join(x, "eval.json")))["accuracy"] for x in (d, f))
size = lambda x, n: os.path.getsize(os.path.join(x, n))
bin_bytes, json_bytes = size(d, "weights.bin"), size(d, "model.json")
float_bin, float_files = size(f, "weights.bin"), size(f, "weights.bin") + size(f, "model.json")
print("%-16s %-8s %9.4f %+8.2f %10d %10d %8.2f %8.2f" % (name, dtype, acc, 100 * (acc - base), bin_bytes, json_bytes,
      float_bin / bin_bytes, float_files / (bin_bytes + json_bytes)))
PY
  done
done
