#!/usr/bin/env bash
# Distillation on Fashion-MNIST with the native CLI (issue 2, "On real data"); the
# table it prints goes into docs/BENCHMARKS.md ("Distillation on Fashion-MNIST").
#
#   bash bench/fashion_distill.sh              run what is missing, print the table
#   bash bench/fashion_distill.sh --force      redo every step
#   bash bench/fashion_distill.sh --only-cnn   skip the MLP teacher and its students
#   bash bench/fashion_distill.sh --sweep      also the dense:32 sweep (seeds, epochs, T/alpha)
#   DISTILLERY=build-bench/distillery bash bench/fashion_distill.sh   another CLI build
#   THREADS=1 bash bench/fashion_distill.sh    kernel threads (default 0 = automatic)
#
# Steps (all on Debian's Fashion-MNIST; 10 % of the 60,000 training images held out
# for validation, the 10,000 test images used only by the final `eval`):
#   1. teachers: CNN conv:32:3,pool:2,conv:64:3,pool:2,dense:128 and MLP dense:256,dense:128
#   2. students dense:32 and conv:8:3,pool:2,conv:16:3,pool:2,dense:32, each trained alone
#      and distilled (T=4, alpha=0.1) from each teacher, same seed, epochs and schedule
#   3. `eval --json` of every model on the test set, students against both teachers
# Every step is cached in bench/results/fashion_distill/ (git-ignored): a step is skipped
# when its output exists and was made by exactly the same command (NAME.cmd beside it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="${DISTILLERY:-$ROOT/build/distillery}"
THREADS="${THREADS:-0}"
OUT="$ROOT/bench/results/fashion_distill"
DATA=/usr/share/datasets/fashion-mnist
TRAIN="$DATA/train-images-idx3-ubyte.gz"
TEST="$DATA/t10k-images-idx3-ubyte.gz"

FORCE=0
SWEEP=0
TEACHERS="cnn mlp"
for arg in "$@"; do
  case $arg in
    --force) FORCE=1 ;;
    --only-cnn) TEACHERS="cnn" ;;
    --sweep) SWEEP=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option $arg (see --help)" >&2; exit 1 ;;
  esac
done
[ -x "$CLI" ] || { echo "no CLI at $CLI: build it (cmake --build build --target distillery) or set DISTILLERY=" >&2; exit 1; }
[ -f "$TRAIN" ] && [ -f "$TEST" ] || { echo "no Fashion-MNIST in $DATA (apt-get install dataset-fashion-mnist)" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is needed to read the JSON results (apt-get install jq)" >&2; exit 1; }
mkdir -p "$OUT"

# ---------------------------------------------------------------- settings
# One seed for every run of the table: a student's initial weights and batch order are
# the same alone and distilled, and every run holds out the same validation images
# (the split follows the seed), so the teachers never trained on a student's validation set.
TEACHER_SEED=1
STUDENT_SEED=1
COMMON=(--batch 64 --optimizer adam --lr-schedule cosine --val-split 0.1 --threads "$THREADS"
        --weights-encoding base64)
CNN_TEACHER_ARCH="conv:32:3,pool:2,conv:64:3,pool:2,dense:128"
MLP_TEACHER_ARCH="dense:256,dense:128"
CNN_TEACHER_TRAIN=(--epochs 6 --lr 0.001)
MLP_TEACHER_TRAIN=(--epochs 12 --lr 0.001)
KD="--temperature 4 --alpha 0.1"  # the issue's setting
KD_T2="--temperature 2 --alpha 0.1"  # an extra row per student from the CNN teacher (see the sweep)
# name, arch and training flags of each student
STUDENTS=(mlp32 cnn_small)
declare -A STUDENT_ARCH=([mlp32]="dense:32" [cnn_small]="conv:8:3,pool:2,conv:16:3,pool:2,dense:32")
declare -A STUDENT_TRAIN=([mlp32]="--epochs 20 --lr 0.002" [cnn_small]="--epochs 12 --lr 0.002")

# ---------------------------------------------------------------- cached steps
# step OUTPUT LOG COMMAND... : runs COMMAND unless OUTPUT exists and OUTPUT.cmd holds
# the same command line; progress (stderr) is shown and kept in LOG.
step() {
  local output=$1 log=$2
  shift 2
  # the CLI's own path is left out, so another build of the same code reuses the results
  local command
  command="distillery ${*:2}"
  if [ "$FORCE" = 0 ] && [ -s "$output" ] && [ "$(cat "$output.cmd" 2>/dev/null)" = "$command" ]; then
    echo "== cached: $(basename "$output")" >&2
    return
  fi
  echo "== $command" >&2
  rm -f "$output.cmd"
  "$@" 2> >(tr '\r' '\n' | grep --line-buffered -v '^ *$' | tee "$log" >&2) >"$output.stdout"
  echo "$command" >"$output.cmd"
}
ran_commands() {  # the command of every model, in the order of the runs
  for name in teacher_mlp teacher_cnn "${STUDENTS[@]/%/_alone}" "${STUDENTS[@]/%/_from_mlp}" \
              "${STUDENTS[@]/%/_from_cnn}" "${STUDENTS[@]/%/_from_cnn_T2}"; do
    [ -f "$OUT/$name.json.cmd" ] && sed "s|$ROOT/||g" "$OUT/$name.json.cmd"
  done
  return 0
}

train_model() {  # NAME ARCH SEED FLAGS...
  local name=$1 arch=$2 seed=$3
  shift 3
  step "$OUT/$name.json" "$OUT/$name.log" "$CLI" train --data "$TRAIN" --arch "$arch" --seed "$seed" \
    "${COMMON[@]}" "$@" --out "$OUT/$name.json"
}

distill_model() {  # NAME TEACHER ARCH SEED "LOSS FLAGS" FLAGS...
  local name=$1 teacher=$2 arch=$3 seed=$4 loss_flags
  read -r -a loss_flags <<<"$5"
  shift 5
  step "$OUT/$name.json" "$OUT/$name.log" "$CLI" distill --teacher "$OUT/teacher_$teacher.json" --data "$TRAIN" \
    --arch "$arch" --seed "$seed" "${loss_flags[@]}" "${COMMON[@]}" "$@" --out "$OUT/$name.json"
}

# evaluate NAME [TEACHER]: NAME.eval[.TEACHER].json on the test set
evaluate() {
  local name=$1 teacher=${2:-}
  if [ -z "$teacher" ]; then
    step "$OUT/$name.eval.json" /dev/null "$CLI" eval --model "$OUT/$name.json" --data "$TEST" --json \
      --threads "$THREADS"
  else
    step "$OUT/$name.eval.$teacher.json" /dev/null "$CLI" eval --model "$OUT/$name.json" --data "$TEST" \
      --teacher "$OUT/teacher_$teacher.json" --json --threads "$THREADS"
  fi
  # eval prints its JSON on stdout, which step() keeps beside the output name
  local base="$OUT/$name.eval${teacher:+.$teacher}.json"
  [ -s "$base.stdout" ] && mv "$base.stdout" "$base"
  return 0
}

# ---------------------------------------------------------------- the runs
# The cheap MLP teacher and the students trained alone first, so their results exist
# even when the (slow) CNN teacher is interrupted.
students_from() {  # TEACHER [SUFFIX "LOSS FLAGS"]
  local suffix=${2:-} loss=${3:-$KD}
  for s in "${STUDENTS[@]}"; do
    # shellcheck disable=SC2086  # the flag strings split into flags on purpose
    distill_model "${s}_from_$1$suffix" "$1" "${STUDENT_ARCH[$s]}" $STUDENT_SEED "$loss" ${STUDENT_TRAIN[$s]}
  done
}
has_teacher() { case " $TEACHERS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
if has_teacher mlp; then
  train_model teacher_mlp "$MLP_TEACHER_ARCH" $TEACHER_SEED "${MLP_TEACHER_TRAIN[@]}"
  evaluate teacher_mlp
fi
for s in "${STUDENTS[@]}"; do
  # shellcheck disable=SC2086
  train_model "${s}_alone" "${STUDENT_ARCH[$s]}" $STUDENT_SEED ${STUDENT_TRAIN[$s]}
done
if has_teacher mlp; then students_from mlp; fi
if has_teacher cnn; then
  train_model teacher_cnn "$CNN_TEACHER_ARCH" $TEACHER_SEED "${CNN_TEACHER_TRAIN[@]}"
  evaluate teacher_cnn
  students_from cnn
  students_from cnn _T2 "$KD_T2"
fi
if has_teacher cnn && has_teacher mlp; then evaluate teacher_mlp cnn; fi
student_models() {  # STUDENT: its runs, in table order
  echo "${1}_alone"
  for t in $TEACHERS; do echo "${1}_from_$t"; done
  if has_teacher cnn; then echo "${1}_from_cnn_T2"; fi
}
for s in "${STUDENTS[@]}"; do
  for m in $(student_models "$s"); do
    for t in $TEACHERS; do evaluate "$m" "$t"; done
  done
done

# ---------------------------------------------------------------- the table
# Training samples/s: the median over epochs of the run's own figure (wall clock of
# the training steps; validation and the teacher's one-off logits excluded).
median_rate() {
  jq '[.provenance.history[].samples_per_second] | sort | .[(length / 2 | floor)] | round' "$OUT/$1.json"
}
epochs() { jq '.provenance.settings.epochs' "$OUT/$1.json"; }
agreement() {  # MODEL TEACHER
  if [ -s "$OUT/$1.eval.$2.json" ]; then jq -r '"\(.agreement * 1000 | round / 10) %"' "$OUT/$1.eval.$2.json"
  else echo "-"; fi
}

header="| model | arch | params | epochs | test accuracy |"
rule="|---|---|---|---|---|"
for t in $TEACHERS; do header+=" agreement with $t teacher |"; rule+="---|"; done
echo
echo "$header training samples/s |"
echo "$rule---|"
row() {  # NAME LABEL EVAL_FILE
  local name=$1 label=$2 eval_file=$3
  local line
  line=$(jq -r --arg title "$label" --arg epochs "$(epochs "$name")" \
    '"| \($title) | `\(.arch)` | \(.params) | \($epochs) | \(.accuracy * 10000 | round / 100) % |"' "$eval_file")
  for t in $TEACHERS; do
    if [ "$name" = "teacher_$t" ]; then line+=" (itself) |"
    elif [ "$name" = teacher_cnn ]; then line+=" $(agreement teacher_mlp cnn) |"
    else line+=" $(agreement "$name" "$t") |"; fi
  done
  echo "$line $(median_rate "$name") |"
}
for t in $TEACHERS; do row "teacher_$t" "$t teacher" "$OUT/teacher_$t.eval.json"; done
first_teacher=${TEACHERS%% *}
for s in "${STUDENTS[@]}"; do
  row "${s}_alone" "$s alone" "$OUT/${s}_alone.eval.$first_teacher.json"
  for t in $TEACHERS; do row "${s}_from_$t" "$s distilled from $t" "$OUT/${s}_from_$t.eval.$t.json"; done
  if has_teacher cnn; then row "${s}_from_cnn_T2" "$s distilled from cnn, T=2" "$OUT/${s}_from_cnn_T2.eval.cnn.json"; fi
done

echo
echo "Commands (every model's command is also in its provenance; eval: --model M --data TEST --teacher T --json):"
ran_commands

# ---------------------------------------------------------------- the sweep
# dense:32 from the CNN teacher, cheap enough to repeat: is the gap to the student
# trained alone larger than the seed-to-seed spread, and do more epochs, another T or
# alpha, or logit matching (--loss mse) change it? Seed 1 at 20 epochs repeats the
# main table's runs under other names (same seed, same model: the figures must match).
[ "$SWEEP" = 1 ] || exit 0
has_teacher cnn || { echo "--sweep needs the CNN teacher" >&2; exit 1; }
SWEEP_RUNS=()
sweep_run() {  # NAME SEED EPOCHS ["LOSS FLAGS"]: trained alone without loss flags
  local name=sweep_$1 seed=$2 epochs=$3
  if [ $# = 3 ]; then
    train_model "$name" dense:32 "$seed" --epochs "$epochs" --lr 0.002
  else
    distill_model "$name" cnn dense:32 "$seed" "$4" --epochs "$epochs" --lr 0.002
  fi
  evaluate "$name" cnn
  SWEEP_RUNS+=("$name")
}
for seed in 1 2 3; do
  sweep_run "alone_s$seed" "$seed" 20
  sweep_run "kd_T4_a0.1_s$seed" "$seed" 20 "$KD"
  sweep_run "kd_T2_a0.1_s$seed" "$seed" 20 "$KD_T2"
done
sweep_run alone_s1_e40 1 40
sweep_run kd_T4_a0.1_s1_e40 1 40 "$KD"
sweep_run kd_T1_a0.1_s1 1 20 "--temperature 1 --alpha 0.1"
sweep_run kd_T4_a0.5_s1 1 20 "--temperature 4 --alpha 0.5"
sweep_run kd_T2_a0.5_s1 1 20 "--temperature 2 --alpha 0.5"
sweep_run mse_s1 1 20 "--loss mse"

echo
echo "Sweep: dense:32 students of the CNN teacher"
echo
echo "| run | seed | epochs | loss | T | alpha | validation accuracy | test accuracy | agreement with cnn teacher |"
echo "|---|---|---|---|---|---|---|---|---|"
for name in "${SWEEP_RUNS[@]}"; do
  jq -r --slurpfile eval "$OUT/$name.eval.cnn.json" --arg name "${name#sweep_}" '
    .provenance.settings as $s
    | "| \($name) | \($s.seed) | \($s.epochs) | \($s.loss) | \($s.temperature // "-") | \($s.alpha // "-") | "
      + "\(.provenance.history[-1].val_accuracy * 10000 | round / 100) % | "
      + "\($eval[0].accuracy * 10000 | round / 100) % | \($eval[0].agreement * 1000 | round / 10) % |"' "$OUT/$name.json"
done
