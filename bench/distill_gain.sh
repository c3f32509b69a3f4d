#!/usr/bin/env bash
# What distillation buys over training alone on Fashion-MNIST (issue 13).
# Every figure compares a distilled student with the same student trained
# alone: same seed (so the same initial weights and split), augmentation and
# schedule; `distillery distill --baseline` trains both in one command.
#
#   bench/distill_gain.sh teacher          the CNN teacher (existing recipe + augmentation)
#   bench/distill_gain.sh full [SEEDS]     cnn_small on the 60,000 images (default seeds 1 2 3)
#   bench/distill_gain.sh full-dense [SEEDS]  dense:32 likewise
#   bench/distill_gain.sh full-t1 [SEEDS]  cnn_small, T = 1 and alpha = 0 (the teacher's targets only)
#   bench/distill_gain.sh full-dense-t1 [SEEDS]  dense:32 likewise
#   bench/distill_gain.sh patient [SEEDS]  cnn_small for 30 epochs (PATIENT_EPOCHS)
#   bench/distill_gain.sh scarce [SEEDS]   1,000 labelled images + the other 59,000 unlabeled
#   bench/distill_gain.sh scarce-alone-long [SEEDS]   the student alone on the 1,000 for 100 epochs
#   bench/distill_gain.sh pilot SPEC...    seed 1, a few epochs, one run per augmentation SPEC
#   bench/distill_gain.sh table            the tables from what is in $OUT
#
# DISTILLERY (default build/distillery) is the CLI; OUT (default
# bench/results/distill_gain) keeps one JSON per run (`distill --json`) with
# its command beside it; a run whose JSON exists is not run again.
# THREADS (default 0 = all cores) goes to --threads.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="${DISTILLERY:-$ROOT/build/distillery}"
OUT="${OUT:-$ROOT/bench/results/distill_gain}"
THREADS="${THREADS:-0}"
F=/usr/share/datasets/fashion-mnist
TRAIN="$F/train-images-idx3-ubyte.gz"
TEST="$F/t10k-images-idx3-ubyte.gz"
mkdir -p "$OUT"

TEACHER="$OUT/teacher_cnn_aug.json"
TEACHER_ARCH="conv:32:3,pool:2,conv:64:3,pool:2,dense:128"
CNN_SMALL="conv:8:3,pool:2,conv:16:3,pool:2,dense:32"
# Both arms of every comparison use these; chosen from the pilot runs in docs/BENCHMARKS.md.
# An MLP has no translation invariance: shifted and flipped images cost dense:32 more than they teach it.
STUDENT_AUGMENT="${STUDENT_AUGMENT:-shift:2,flip,mixup:0.3}"
DENSE_AUGMENT="${DENSE_AUGMENT:-mixup:0.3}"
COMMON=(--batch 64 --optimizer adam --lr-schedule cosine --warmup 1 --val-split 0.1 --keep-best
        --threads "$THREADS" --weights-encoding base64 --test-data "$TEST")

run() {  # run NAME ARGS... : distillery ARGS, stdout (the JSON) to $OUT/NAME.json
  local name=$1; shift
  if [ -s "$OUT/$name.json" ]; then echo "distill_gain: $name: done before" >&2; return; fi
  echo "distill_gain: $name: $*" >&2
  printf '%q ' "$CLI" "$@" > "$OUT/$name.cmd"
  "$CLI" "$@" > "$OUT/$name.json.part" 2> "$OUT/$name.log"
  tail -n 1 "$OUT/$name.json.part" > "$OUT/$name.json" && rm -f "$OUT/$name.json.part"
}

teacher() {
  [ -s "$TEACHER" ] && return
  "$CLI" train --data "$TRAIN" --arch "$TEACHER_ARCH" --seed 1 --batch 64 --optimizer adam --lr-schedule cosine \
    --val-split 0.1 --epochs 12 --lr 0.001 --augment shift:2,flip --threads "$THREADS" --weights-encoding base64 \
    --test-data "$TEST" --out "$TEACHER" 2> "$OUT/teacher.log"
}

distill() {  # distill NAME ARCH EPOCHS LR SEED AUGMENT [extra flags]
  local name=$1 arch=$2 epochs=$3 lr=$4 seed=$5 augment=$6; shift 6
  run "$name" distill --teacher "$TEACHER" --data "$TRAIN" --arch "$arch" --seed "$seed" --epochs "$epochs" \
    --lr "$lr" --augment "$augment" --baseline --json "${COMMON[@]}" "$@" --out "$OUT/$name.model.json"
}

# 1,000 labelled images (the first of the training file) and the other 59,000 as IDX images without labels.
scarce_data() {
  [ -s "$OUT/scarce/train-images-idx3-ubyte.gz" ] && return
  mkdir -p "$OUT/scarce"
  python3 - "$F" "$OUT/scarce" <<'PY'
import gzip, struct, sys
src, out = sys.argv[1], sys.argv[2]
labelled = 1000
with gzip.open(f"{src}/train-images-idx3-ubyte.gz") as f:
    magic, n, rows, cols = struct.unpack(">IIII", f.read(16)); pixels = f.read()
with gzip.open(f"{src}/train-labels-idx1-ubyte.gz") as f:
    f.read(8); labels = f.read()
size = rows * cols
def write(path, header, payload):
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as g:
        g.write(header + payload)
write(f"{out}/train-images-idx3-ubyte.gz", struct.pack(">IIII", 0x803, labelled, rows, cols), pixels[:labelled * size])
write(f"{out}/train-labels-idx1-ubyte.gz", struct.pack(">II", 0x801, labelled), labels[:labelled])
write(f"{out}/unlabeled-images-idx3-ubyte.gz", struct.pack(">IIII", 0x803, n - labelled, rows, cols), pixels[labelled * size:])
PY
}

table() {
  python3 - "$OUT" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
rows = {}
for path in sorted(glob.glob(f"{out}/*_s[0-9]*.json")):
    name = os.path.basename(path)[:-5]
    if name.endswith(".model"): continue
    group, seed = name.rsplit("_s", 1)
    with open(path) as f:
        r = json.loads(f.read().strip() or "{}")
    if "baseline_accuracy" in r: rows.setdefault(group, []).append((int(seed), r))
print("| run | seeds | distilled (%) per seed | alone (%) per seed | gain (points) per seed | median gain | agreement distilled / alone (%, median) | mean KL to teacher distilled / alone (median) |")
print("|---|---|---|---|---|---|---|---|")
for group, runs in sorted(rows.items()):
    runs.sort()
    d = [100 * r["accuracy"] for _, r in runs]
    a = [100 * r["baseline_accuracy"] for _, r in runs]
    g = [x - y for x, y in zip(d, a)]
    ag = statistics.median(100 * r["agreement"] for _, r in runs)
    ab = statistics.median(100 * r["baseline_agreement"] for _, r in runs)
    kd = statistics.median(r["kl_to_teacher"] for _, r in runs)
    kb = [r.get("baseline_kl_to_teacher") for _, r in runs]
    kb = statistics.median(kb) if all(v is not None for v in kb) else float("nan")
    print(f"| {group} | {','.join(str(s) for s, _ in runs)} | {' / '.join(f'{x:.2f}' for x in d)} | "
          f"{' / '.join(f'{x:.2f}' for x in a)} | {' / '.join(f'{x:+.2f}' for x in g)} | **{statistics.median(g):+.2f}** | "
          f"{ag:.2f} / {ab:.2f} | {kd:.3f} / {kb:.3f} |")
PY
}

what=${1:-table}
shift || true
SEEDS=("$@")
[ ${#SEEDS[@]} -gt 0 ] || SEEDS=(1 2 3)
case "$what" in
  teacher) teacher ;;
  full)
    teacher
    for s in "${SEEDS[@]}"; do distill "cnn_small_s$s" "$CNN_SMALL" "${CNN_EPOCHS:-8}" 0.002 "$s" "$STUDENT_AUGMENT"; done ;;
  full-t1)
    # The best pilot's soft targets (T = 1, teacher only: alpha = 0) on the full recipe.
    teacher
    for s in "${SEEDS[@]}"; do
      distill "cnn_small_t1a0_s$s" "$CNN_SMALL" "${CNN_EPOCHS:-8}" 0.002 "$s" "$STUDENT_AUGMENT" --temperature 1 --alpha 0
    done ;;
  full-dense-t1)
    teacher
    for s in "${SEEDS[@]}"; do
      distill "dense32_t1a0_s$s" dense:32 "${DENSE_EPOCHS:-8}" 0.002 "$s" "$DENSE_AUGMENT" --temperature 1 --alpha 0
    done ;;
  patient)
    teacher
    for s in "${SEEDS[@]}"; do distill "patient_cnn_small_s$s" "$CNN_SMALL" "${PATIENT_EPOCHS:-30}" 0.002 "$s" "$STUDENT_AUGMENT"; done ;;
  full-dense)
    teacher
    for s in "${SEEDS[@]}"; do distill "dense32_s$s" dense:32 "${DENSE_EPOCHS:-8}" 0.002 "$s" "$DENSE_AUGMENT"; done ;;
  scarce)
    teacher; scarce_data
    for s in "${SEEDS[@]}"; do
      run "scarce_cnn_small_s$s" distill --teacher "$TEACHER" --data "$OUT/scarce/train-images-idx3-ubyte.gz" \
        --unlabeled "$OUT/scarce/unlabeled-images-idx3-ubyte.gz" --arch "$CNN_SMALL" --seed "$s" \
        --epochs "${SCARCE_EPOCHS:-5}" --lr 0.002 --augment "$STUDENT_AUGMENT" --baseline --json "${COMMON[@]}" \
        --out "$OUT/scarce_cnn_small_s$s.model.json"
    done ;;
  scarce-alone-long)
    # The fairest student alone on the 1,000 labels: 100 epochs (20x the distilled run's epochs; as many
    # steps as 5 epochs of the 60,000 give only after 300), keeping the best validation epoch.
    scarce_data
    for s in "${SEEDS[@]}"; do
      name="scarce_alone_long_s$s"
      [ -s "$OUT/$name.eval.json" ] && continue
      # Its classes are "0".."9" (the file name does not say Fashion-MNIST): evaluated without the teacher.
      [ -s "$OUT/$name.model.json" ] || "$CLI" train --data "$OUT/scarce/train-images-idx3-ubyte.gz" --arch "$CNN_SMALL" --seed "$s" --epochs 100 \
        --lr 0.002 --augment "$STUDENT_AUGMENT" "${COMMON[@]}" --out "$OUT/$name.model.json" 2> "$OUT/$name.log"
      "$CLI" eval --model "$OUT/$name.model.json" --data "$TEST" --json > "$OUT/$name.eval.json"
    done ;;
  pilot)
    teacher
    for spec in "${SEEDS[@]}"; do
      distill "pilot_${spec//[:,.]/_}_s1" "$CNN_SMALL" "${PILOT_EPOCHS:-5}" 0.002 1 "$spec"
    done ;;
  table) table ;;
  *) echo "usage: bench/distill_gain.sh teacher|full|full-dense|patient|scarce|scarce-alone-long|pilot SPEC...|table" >&2; exit 2 ;;
esac
