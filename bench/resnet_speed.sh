#!/usr/bin/env bash
# Training samples/s of the ResNet-8 typed in the arch spec, Distillery's CLI
# against PyTorch (bench/resnet_torch.py) on the same images, batch, optimiser
# and threads. The two alternate ROUNDS times so that load on a shared
# machine falls on both; compare the medians as a ratio.
#   bash bench/resnet_speed.sh [SAMPLES] [THREADS] [ROUNDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${DISTILLERY_BIN:-$ROOT/build/distillery}"
DATA=/usr/share/datasets/fashion-mnist
SAMPLES="${1:-10000}"
THREADS="${2:-2}"
ROUNDS="${3:-3}"
ARCH=conv:16:3,res:16,res:32:2,res:64:2,gap
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# The first SAMPLES training images as their own IDX pair, as the torch side reads them.
/usr/bin/python3 - "$DATA" "$WORK" "$SAMPLES" <<'PY'
import gzip, sys
data, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for kind, item in (("images", 784), ("labels", 1)):
    raw = gzip.open(f"{data}/train-{kind}-idx{3 if kind == 'images' else 1}-ubyte.gz").read()
    header = 16 if kind == "images" else 8
    head = bytearray(raw[:header]); head[4:8] = n.to_bytes(4, "big")
    open(f"{work}/{kind}", "wb").write(bytes(head) + raw[header:header + n * item])
PY
for round in $(seq "$ROUNDS"); do
  "$BIN" train --data "$WORK/images" --labels "$WORK/labels" --arch "$ARCH" --epochs 1 --batch 64 \
    --optimizer adam --lr 0.002 --val-split 0 --threads "$THREADS" --out "$WORK/m.json" 2>&1 |
    sed -n 's/.* \([0-9][0-9]*\) samples\/s.*/distillery \1 samples\/s/p'
  gzip -c "$WORK/images" > "$WORK/images.gz"; gzip -c "$WORK/labels" > "$WORK/labels.gz"
  /usr/bin/python3 "$ROOT/bench/resnet_torch.py" --images "$WORK/images.gz" --labels "$WORK/labels.gz" \
    --samples "$SAMPLES" --threads "$THREADS" --epochs 1 | sed -n 's/epoch 1: \([0-9]*\) samples\/s.*/torch \1 samples\/s/p'
done
