#!/usr/bin/env bash
# Post-training quantization on Fashion-MNIST (issue 15): test accuracy of the
# float model and of each quantized form, and the file bytes, for the
# distilled students and the CNN teacher of bench/distill_gain.sh.
#
#   bench/quant_accuracy.sh [MODEL.json ...]   default: the teacher, cnn_small_s{1,2,3}, dense32_s{1,2,3}
#
# MODELS (default bench/results/distill_gain, where `bench/distill_gain.sh
# teacher`, `full` and `full-dense` write them) holds the float models; OUT
# (default bench/results/quant_accuracy) the quantized files and one JSON per
# eval. Calibration: 500 training images drawn with seed 42 (--calibration, --seed).
# Prints one row per model and mode: accuracy, the change in points, file
# bytes, how many times smaller than the float32 model in the same encoding,
# and how many times smaller the weights alone are (without the metadata and provenance).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="${DISTILLERY:-$ROOT/build/distillery}"
MODELS="${MODELS:-$ROOT/bench/results/distill_gain}"
OUT="${OUT:-$ROOT/bench/results/quant_accuracy}"
THREADS="${THREADS:-1}"
F=/usr/share/datasets/fashion-mnist
TRAIN="$F/train-images-idx3-ubyte.gz"
TEST="$F/t10k-images-idx3-ubyte.gz"
mkdir -p "$OUT"

if [ $# -eq 0 ]; then
  set -- "$MODELS/teacher_cnn_aug.json" "$MODELS"/cnn_small_s{1,2,3}.model.json "$MODELS"/dense32_s{1,2,3}.model.json
fi

accuracy() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accuracy"])' "$1"; }

printf '%-28s %-18s %9s %8s %10s %7s %9s\n' model mode accuracy points bytes smaller weights
for model in "$@"; do
  name="$(basename "$model" .json)"; name="${name%.model}"
  "$CLI" eval --model "$model" --data "$TEST" --threads "$THREADS" --json > "$OUT/$name.float.eval.json"
  base="$(accuracy "$OUT/$name.float.eval.json")"
  printf '%-28s %-18s %9.4f\n' "$name" float32 "$base"
  for mode in int8 int8-percentile int8-weights float16; do
    flags=(--mode "${mode%-percentile}")
    [ "$mode" = int8-percentile ] && flags+=(--calibration-method percentile)
    [ "${mode%-percentile}" = int8 ] && flags+=(--data "$TRAIN" --calibration 500 --seed 42)
    q="$OUT/$name.$mode.json"
    "$CLI" quantize --model "$model" "${flags[@]}" --out "$q" --threads "$THREADS" --json > "$OUT/$name.$mode.quantize.json"
    "$CLI" eval --model "$q" --data "$TEST" --threads "$THREADS" --json > "$OUT/$name.$mode.eval.json"
    # Bytes: the quantized file against the float model saved in the same encoding (base64, one line).
    python3 - "$name" "$mode" "$base" "$OUT/$name.$mode.eval.json" "$OUT/$name.$mode.quantize.json" <<'PY'
import json, sys
name, mode, base, eval_path, quantize_path = sys.argv[1:]
acc = json.load(open(eval_path))["accuracy"]
q = json.load(open(quantize_path))
print("%-28s %-18s %9.4f %+8.2f %10d %7.2f %9.2f" % (name, mode, acc, 100 * (acc - float(base)), q["file_bytes"],
                                                     q["float32_file_bytes"] / q["file_bytes"],
                                                     q["float32_weight_bytes"] / q["weight_bytes"]))
PY
  done
done
