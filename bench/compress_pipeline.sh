#!/usr/bin/env bash
# The whole compression pipeline on Fashion-MNIST (issue 15): distil a student
# from a teacher, prune it (80 % structured, or 90 % global), quantize each to
# int8, and one table row per step: parameters (non-zero), file bytes, test
# accuracy, ms per sample at batch 1 (the CLI's eval, median of its repeats).
#
#   bench/compress_pipeline.sh [SEED]     default seed 1
#
# TEACHER (default the demo's teacher, assets/demo/teacher.json: trained on the
# 60,000 training images), ARCH (default the small CNN student), EPOCHS
# (distillation, default 8) and FINETUNE (epochs after pruning, with the
# teacher, default 3) set the recipe. Every file is written in base64, so
# bytes compare like with like. OUT (default bench/results/compress_pipeline)
# keeps the models and one JSON per eval; a step whose output exists is not
# run again. THREADS (default 1) goes to --threads.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="${DISTILLERY:-$ROOT/build/distillery}"
OUT="${OUT:-$ROOT/bench/results/compress_pipeline}"
THREADS="${THREADS:-1}"
TEACHER="${TEACHER:-$ROOT/assets/demo/teacher.json}"
ARCH="${ARCH:-conv:8:3,pool:2,conv:16:3,pool:2,dense:32}"
EPOCHS="${EPOCHS:-8}"
FINETUNE="${FINETUNE:-3}"
SEED="${1:-1}"
F=/usr/share/datasets/fashion-mnist
TRAIN="$F/train-images-idx3-ubyte.gz"
TEST="$F/t10k-images-idx3-ubyte.gz"
mkdir -p "$OUT"
STEPS=(--batch 64 --optimizer adam --lr-schedule cosine --val-split 0.1 --threads "$THREADS" --seed "$SEED"
       --weights-encoding base64)

step() {  # step OUT_FILE ARGS... : distillery ARGS unless OUT_FILE exists; the command goes beside it
  local out="$1"; shift
  [ -f "$out" ] && return 0
  echo "distillery $*" > "$out.cmd"
  "$CLI" "$@" > "$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
}

S="$OUT/student_s$SEED"
step "$S.json" distill --teacher "$TEACHER" --data "$TRAIN" --arch "$ARCH" --epochs "$EPOCHS" --lr 0.002 --warmup 1 \
  --augment shift:2,flip,mixup:0.3 --keep-best "${STEPS[@]}" --out "$S.json"
FINETUNE_FLAGS=(--data "$TRAIN" --finetune-epochs "$FINETUNE" --teacher "$TEACHER" --lr 0.001 "${STEPS[@]}")
step "$S.structured80.json" prune --model "$S.json" --method structured --sparsity 0.8 "${FINETUNE_FLAGS[@]}" \
  --out "$S.structured80.json"
step "$S.global90.json" prune --model "$S.json" --method global --sparsity 0.9 "${FINETUNE_FLAGS[@]}" \
  --out "$S.global90.json"
for m in "$S" "$S.structured80" "$S.global90"; do
  step "$m.int8.json" quantize --model "$m.json" --mode int8 --data "$TRAIN" --calibration 500 --seed 42 \
    --threads "$THREADS" --out "$m.int8.json"
done
# The teacher in base64 too, for its bytes.
step "$OUT/teacher.json" convert --in "$TEACHER" --to distillery --weights-encoding base64 --out "$OUT/teacher.json"

rows=("$OUT/teacher" "$S" "$S.structured80" "$S.structured80.int8" "$S.global90" "$S.global90.int8" "$S.int8")
for m in "${rows[@]}"; do
  [ -f "$m.eval.json" ] || "$CLI" eval --model "$m.json" --data "$TEST" --threads "$THREADS" --json > "$m.eval.json"
done
python3 - "${rows[@]}" <<'PY'
import json, os, sys
names = ["teacher", "distilled student", "+ prune 80 % structured", "+ prune 80 % structured + int8",
         "+ prune 90 % global", "+ prune 90 % global + int8", "distilled student + int8"]
print("| step | parameters (non-zero) | file bytes | test accuracy (%) | ms/sample, batch 1 |")
print("|---|---|---|---|---|")
for name, m in zip(names, sys.argv[1:]):
    e = json.load(open(m + ".eval.json"))
    print("| %s | %s (%s) | %s | %.2f | %.4f |" % (name, format(e["params"], ","), format(e["nonzero_params"], ","),
          format(os.path.getsize(m + ".json"), ","), 100 * e["accuracy"], e["latency_ms_per_sample"]))
PY
