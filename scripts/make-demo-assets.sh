#!/usr/bin/env bash
# Makes the demo the page opens on, in the committed folder assets/demo/ (a
# developer runs this when the demo should change; a build only copies it):
#   fashion-demo-{images-idx3,labels-idx1}-ubyte.gz   2,500 Fashion-MNIST test-set images (the app splits
#                                                     them into train / validation / test)
#   fashion-demo-unlabeled-images-idx3-ubyte.gz       the next 4,000 test-set images, without labels: the
#                                                     transfer set on which only the teacher teaches
#   teacher.json                                      a CNN teacher trained by `distillery train` on 54,000 of the 60,000
#                                                     training images with augmentation (shift:2,flip), seed 1;
#                                                     half the width of bench/distill_gain.sh's teacher, so that
#                                                     running it on every batch (consistent mode) is 4x cheaper
#                                                     in the browser
#   manifest.json                                     what the page loads at start
# The teacher never saw the demo images, so its accuracy on them is honest.
# Training takes about 6 minutes on 2 cores; TEACHER=path/to/teacher.json
# copies a teacher trained by the same command instead.
#
#   scripts/make-demo-assets.sh [OUT_DIR]      (default assets)
#   DISTILLERY_CLI=path/to/distillery          (default build/distillery)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/assets}"
CLI="${DISTILLERY_CLI:-$ROOT/build/distillery}"
FMNIST=/usr/share/datasets/fashion-mnist
DEMO_COUNT="${DEMO_COUNT:-2500}"
UNLABELED_COUNT="${UNLABELED_COUNT:-4000}"
TEACHER_ARCH="conv:16:3,pool:2,conv:32:3,pool:2,dense:64"

[ -f "$FMNIST/t10k-images-idx3-ubyte.gz" ] || { echo "make-demo-assets: $FMNIST is missing (scripts/setup.sh installs dataset-fashion-mnist)" >&2; exit 1; }
mkdir -p "$OUT/demo"

# The first COUNT samples of the test set, then UNLABELED more without labels (gzip with a fixed
# mtime: the same bytes on every run).
python3 - "$FMNIST" "$DEMO_COUNT" "$UNLABELED_COUNT" "$OUT/demo" <<'PY'
import gzip, struct, sys
src, count, unlabeled, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
with gzip.open(f"{src}/t10k-images-idx3-ubyte.gz", "rb") as f:
    magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
    assert magic == 0x803 and count + unlabeled <= n, "not an IDX images file, or too few images"
    pixels = f.read(count * rows * cols)
    extra = f.read(unlabeled * rows * cols)
with gzip.open(f"{src}/t10k-labels-idx1-ubyte.gz", "rb") as f:
    magic, n = struct.unpack(">II", f.read(8))
    assert magic == 0x801 and count <= n, "not an IDX labels file, or too few labels"
    labels = f.read(count)
for name, payload in (("fashion-demo-images-idx3-ubyte.gz", struct.pack(">IIII", 0x803, count, rows, cols) + pixels),
                      ("fashion-demo-labels-idx1-ubyte.gz", struct.pack(">II", 0x801, count) + labels),
                      ("fashion-demo-unlabeled-images-idx3-ubyte.gz",
                       struct.pack(">IIII", 0x803, unlabeled, rows, cols) + extra)):
    with open(f"{out}/{name}", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(payload)
PY

if [ -n "${TEACHER:-}" ]; then
  cp "$TEACHER" "$OUT/demo/teacher.json"
else
  [ -x "$CLI" ] || { echo "make-demo-assets: no CLI at $CLI (build it: cmake --build build --target distillery)" >&2; exit 1; }
  echo "make-demo-assets: training the demo teacher ($TEACHER_ARCH, 12 epochs on 54,000 images)" >&2
  "$CLI" train --data "$FMNIST/train-images-idx3-ubyte.gz" --arch "$TEACHER_ARCH" --seed 1 --batch 64 \
    --optimizer adam --lr-schedule cosine --val-split 0.1 --epochs 12 --lr 0.001 --augment shift:2,flip \
    --weights-encoding base64 --test-data "$FMNIST/t10k-images-idx3-ubyte.gz" --out "$OUT/demo/teacher.json"
fi

cat > "$OUT/demo/manifest.json" <<JSON
{
  "description": "Fashion-MNIST demo: the first $DEMO_COUNT images of the test set, the next $UNLABELED_COUNT without labels, and a CNN teacher ($TEACHER_ARCH) trained with seed 1 and augmentation (shift:2,flip) on 54,000 of the 60,000 training images (6,000 held out for validation)",
  "dataset": ["fashion-demo-images-idx3-ubyte.gz", "fashion-demo-labels-idx1-ubyte.gz"],
  "unlabeled": ["fashion-demo-unlabeled-images-idx3-ubyte.gz"],
  "teacher": "teacher.json"
}
JSON
echo "make-demo-assets: wrote $OUT/demo" >&2
du -sh "$OUT/demo" >&2
