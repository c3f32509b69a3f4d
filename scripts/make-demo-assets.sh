#!/usr/bin/env bash
# Makes the web app's demo assets from Debian's Fashion-MNIST and the native CLI:
#   OUT/demo/fashion-demo-{images-idx3,labels-idx1}-ubyte.gz   2,500 test-set images (the app splits
#                                                             them into train / validation / test)
#   OUT/demo/teacher.json                                     an MLP teacher trained by `distillery train`
#                                                             on 12,000 other (training-set) images, seed 1
#   OUT/demo/manifest.json                                    what the page loads at start
#   OUT/fonts/DejaVuSans.ttf                                  the UI font (Debian's fonts-dejavu-core)
# The teacher never saw the demo images, so its accuracy on them is honest.
#
#   scripts/make-demo-assets.sh [OUT_DIR]      (default build-web/site/assets)
#   DISTILLERY_CLI=path/to/distillery          (default build/distillery)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/build-web/site/assets}"
CLI="${DISTILLERY_CLI:-$ROOT/build/distillery}"
FMNIST=/usr/share/datasets/fashion-mnist
DEMO_COUNT="${DEMO_COUNT:-2500}"
TEACHER_COUNT="${TEACHER_COUNT:-12000}"
TEACHER_ARCH="${TEACHER_ARCH:-dense:256,dense:128}"
TEACHER_EPOCHS="${TEACHER_EPOCHS:-4}"

[ -x "$CLI" ] || { echo "make-demo-assets: no CLI at $CLI (build it: cmake --build build --target distillery)" >&2; exit 1; }
[ -f "$FMNIST/t10k-images-idx3-ubyte.gz" ] || { echo "make-demo-assets: $FMNIST is missing (scripts/setup.sh installs dataset-fashion-mnist)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT/demo" "$OUT/fonts"

# Takes the first COUNT samples of an IDX images/labels pair (gzip in, gzip out, fixed mtime so
# the bytes are the same on every build).
subset() {  # subset IMAGES_GZ LABELS_GZ COUNT OUT_IMAGES_GZ OUT_LABELS_GZ
  python3 - "$@" <<'PY'
import gzip, struct, sys
images_in, labels_in, count, images_out, labels_out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
with gzip.open(images_in, "rb") as f:
    magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
    assert magic == 0x803 and count <= n, "not an IDX images file, or too few images"
    pixels = f.read(count * rows * cols)
with gzip.open(labels_in, "rb") as f:
    magic, n = struct.unpack(">II", f.read(8))
    assert magic == 0x801 and count <= n, "not an IDX labels file, or too few labels"
    labels = f.read(count)
for path, payload in ((images_out, struct.pack(">IIII", 0x803, count, rows, cols) + pixels),
                      (labels_out, struct.pack(">II", 0x801, count) + labels)):
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(payload)
PY
}

subset "$FMNIST/t10k-images-idx3-ubyte.gz" "$FMNIST/t10k-labels-idx1-ubyte.gz" "$DEMO_COUNT" \
  "$OUT/demo/fashion-demo-images-idx3-ubyte.gz" "$OUT/demo/fashion-demo-labels-idx1-ubyte.gz"
subset "$FMNIST/train-images-idx3-ubyte.gz" "$FMNIST/train-labels-idx1-ubyte.gz" "$TEACHER_COUNT" \
  "$WORK/fashion-train-images-idx3-ubyte.gz" "$WORK/fashion-train-labels-idx1-ubyte.gz"

echo "make-demo-assets: training the demo teacher ($TEACHER_ARCH, $TEACHER_EPOCHS epochs on $TEACHER_COUNT images)" >&2
"$CLI" train --data "$WORK/fashion-train-images-idx3-ubyte.gz" --arch "$TEACHER_ARCH" \
  --epochs "$TEACHER_EPOCHS" --batch 64 --seed 1 --weights-encoding base64 --out "$OUT/demo/teacher.json"

cat > "$OUT/demo/manifest.json" <<JSON
{
  "description": "Fashion-MNIST demo: the first $DEMO_COUNT images of the test set, and an MLP teacher ($TEACHER_ARCH) trained with seed 1 on the first $TEACHER_COUNT training images",
  "dataset": ["fashion-demo-images-idx3-ubyte.gz", "fashion-demo-labels-idx1-ubyte.gz"],
  "teacher": "teacher.json"
}
JSON

cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf "$OUT/fonts/DejaVuSans.ttf"
echo "make-demo-assets: wrote $OUT/demo and $OUT/fonts" >&2
