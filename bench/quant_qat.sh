#!/usr/bin/env bash
# Quantization-aware fine-tuning with the teacher (issue 15): the test accuracy
# of int8 after QAT against the float model and int8 PTQ, for the distilled
# students of bench/distill_gain.sh.
#
#   bench/quant_qat.sh [STUDENT.model.json ...]   default: cnn_small_s{1,2,3}, dense32_s{1,2,3}
#
# MODELS (default bench/results/distill_gain) holds the students and the teacher
# (teacher_cnn_aug.json); OUT (default bench/results/quant_qat) the quantized
# files and one eval JSON each. EPOCHS (default 1) QAT epochs over the 60,000
# training images, kd loss with the teacher (T = 4, alpha = 0.1), Adam at
# LR (default 1e-4), batch 64, seed 42; then int8 PTQ calibrated on 500 of them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="${DISTILLERY:-$ROOT/build/distillery}"
MODELS="${MODELS:-$ROOT/bench/results/distill_gain}"
OUT="${OUT:-$ROOT/bench/results/quant_qat}"
THREADS="${THREADS:-1}"
EPOCHS="${EPOCHS:-1}"
LR="${LR:-0.0001}"
F=/usr/share/datasets/fashion-mnist
TRAIN="$F/train-images-idx3-ubyte.gz"
TEST="$F/t10k-images-idx3-ubyte.gz"
mkdir -p "$OUT"

if [ $# -eq 0 ]; then
  set -- "$MODELS"/cnn_small_s{1,2,3}.model.json "$MODELS"/dense32_s{1,2,3}.model.json
fi

printf '%-14s %9s %9s %8s %9s %8s %8s\n' model float32 int8_ptq points int8_qat points seconds
for model in "$@"; do
  name="$(basename "$model" .json)"; name="${name%.model}"
  "$CLI" eval --model "$model" --data "$TEST" --threads "$THREADS" --json > "$OUT/$name.float.eval.json"
  "$CLI" quantize --model "$model" --data "$TRAIN" --mode int8 --calibration 500 --seed 42 --threads "$THREADS" \
    --out "$OUT/$name.int8.json" --json > /dev/null
  "$CLI" eval --model "$OUT/$name.int8.json" --data "$TEST" --threads "$THREADS" --json > "$OUT/$name.int8.eval.json"
  start=$(date +%s)
  "$CLI" quantize --model "$model" --data "$TRAIN" --mode int8 --calibration 500 --seed 42 --threads "$THREADS" \
    --qat-epochs "$EPOCHS" --qat-lr "$LR" --teacher "$MODELS/teacher_cnn_aug.json" \
    --out "$OUT/$name.int8-qat.json" --json > "$OUT/$name.int8-qat.quantize.json"
  seconds=$(( $(date +%s) - start ))
  "$CLI" eval --model "$OUT/$name.int8-qat.json" --data "$TEST" --threads "$THREADS" --json > "$OUT/$name.int8-qat.eval.json"
  python3 - "$name" "$OUT/$name" "$seconds" <<'PY'
import json, sys
name, base, seconds = sys.argv[1:]
acc = lambda kind: json.load(open(base + "." + kind + ".eval.json"))["accuracy"]
f, p, q = acc("float"), acc("int8"), acc("int8-qat")
print("%-14s %9.4f %9.4f %+8.2f %9.4f %+8.2f %8s" % (name, f, p, 100 * (p - f), q, 100 * (q - f), seconds))
PY
done
