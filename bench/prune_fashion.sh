#!/usr/bin/env bash
# Pruning on Fashion-MNIST with the CLI (issue 3's accuracy experiments); the
# tables it prints go into docs/BENCHMARKS.md ("Pruning").
#
#   bench/prune_fashion.sh [OUT_DIR]          (default build/prune-fashion)
#   MLP_TEACHER=mlp.json CNN_TEACHER=cnn.json bench/prune_fashion.sh   # reuse trained teachers
#   ONLY=mlp bench/prune_fashion.sh            # skip the CNN (much slower to train and evaluate)
#
# Experiments, for each teacher (MLP dense:256,dense:128 and CNN
# conv:32:3,pool:2,conv:64:3,pool:2,dense:128):
#   1. global magnitude 90 % + 2 fine-tuning epochs (target: within 1 point of the dense model): plain,
#      distilled from the teacher (KD, T=4, alpha=0.1), and gradual (polynomial schedule) with KD
#   2. structured 50 % and 75 % + 2 fine-tuning epochs distilled from the teacher (KD, T=4, alpha=0.1)
#   3. magnitude vs random at 50 / 80 / 90 % without fine-tuning (the write-up's random pruning as baseline)
# Accuracy is on the 10,000 test images; latency is batch 1 and 256 as measured by `distillery prune`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/build/prune-fashion}"
CLI="${DISTILLERY:-$ROOT/build/distillery}"
DATA=/usr/share/datasets/fashion-mnist
TRAIN="$DATA/train-images-idx3-ubyte.gz"
TEST="$DATA/t10k-images-idx3-ubyte.gz"
ONLY="${ONLY:-mlp cnn}"
mkdir -p "$OUT"
[ -x "$CLI" ] || { echo "no CLI at $CLI (build it, or set DISTILLERY=...)"; exit 1; }

# teacher NAME ARCH EPOCHS -> path of a trained teacher (reused when present)
teacher() {
  local name=$1 arch=$2 epochs=$3 given=$4
  if [ -n "$given" ]; then echo "$given"; return; fi
  local path="$OUT/teacher_$name.json"
  if [ ! -f "$path" ]; then
    echo "== training the $name teacher ($arch, $epochs epochs)" >&2
    "$CLI" train --data "$TRAIN" --test-data "$TEST" --arch "$arch" --epochs "$epochs" --batch 64 --lr 0.001 \
      --seed 1 --out "$path" >&2
  fi
  echo "$path"
}

# prune NAME TEACHER ARGS... -> $OUT/NAME.json (model) and $OUT/NAME.report.json
prune() {
  local name=$1 model=$2
  shift 2
  echo "== $name: distillery prune --model $model $*" >&2
  "$CLI" prune --model "$model" --data "$TRAIN" --test-data "$TEST" --json --out "$OUT/$name.json" "$@" \
    >"$OUT/$name.report.json"
}

for kind in $ONLY; do
  case $kind in
    mlp) t=$(teacher mlp "dense:256,dense:128" 5 "${MLP_TEACHER:-}") ;;
    cnn) t=$(teacher cnn "conv:32:3,pool:2,conv:64:3,pool:2,dense:128" 3 "${CNN_TEACHER:-}") ;;
    *) echo "unknown kind $kind"; exit 1 ;;
  esac
  # Global 90 %: fine-tuning distilled from the teacher; for the MLP (cheap) also plain fine-tuning and the
  # gradual schedule (each CNN fine-tuning epoch costs minutes on this machine: FULL=1 runs them too).
  prune "${kind}_global90_ft2_kd" "$t" --method global --sparsity 0.9 --finetune-epochs 2 --lr 0.001 \
    --teacher "$t" --temperature 4 --alpha 0.1
  if [ "$kind" = mlp ] || [ -n "${FULL:-}" ]; then
    prune "${kind}_global90_ft2" "$t" --method global --sparsity 0.9 --finetune-epochs 2 --lr 0.001
    prune "${kind}_global90_poly2_kd" "$t" --method global --sparsity 0.9 --schedule polynomial \
      --finetune-epochs 2 --lr 0.001 --teacher "$t" --temperature 4 --alpha 0.1
  fi
  for pct in 50 75; do
    prune "${kind}_structured${pct}_ft2_kd" "$t" --method structured --sparsity "0.$pct" --finetune-epochs 2 \
      --lr 0.001 --teacher "$t" --temperature 4 --alpha 0.1
  done
  for pct in 50 80 90; do
    prune "${kind}_magnitude${pct}" "$t" --method magnitude --sparsity "0.$pct"
    prune "${kind}_random${pct}" "$t" --method random --sparsity "0.$pct" --seed 1
  done
done

# One markdown table of every run.
python3 - "$OUT" <<'EOF'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
print("| run | params | non-zero | test acc. before | after | change (points) | batch-1 ms before | after | speedup | batch-256 speedup |")
print("|---|---|---|---|---|---|---|---|---|---|")
for f in sorted(out.glob("*.report.json")):
    r = json.loads(f.read_text())
    b, a = r["accuracy_before"], r["accuracy_after"]
    print(f"| {f.name[:-12]} | {r['params_after']:,} | {r['nonzero_after']:,} | {b:.4f} | {a:.4f} | {100*(a-b):+.2f} | "
          f"{r['latency_before_ms']:.4f} | {r['latency_after_ms']:.4f} | {r['latency_before_ms']/r['latency_after_ms']:.2f}x | "
          f"{r['batch_latency_before_ms']/r['batch_latency_after_ms']:.2f}x |")
EOF
