#!/usr/bin/env bash
# Distillation on Fashion-MNIST with the native CLI (issue 2, "On real data"); the
# tables it prints go into docs/BENCHMARKS.md ("Distillation on Fashion-MNIST").
#
#   bash bench/fashion_distill.sh              run what is missing, print the tables
#   bash bench/fashion_distill.sh --force      redo every step
#   bash bench/fashion_distill.sh --only-cnn   skip the MLP teacher and its student
#   bash bench/fashion_distill.sh --sweep      also dense:32 at 20 and 100 epochs without --keep-best
#   bash bench/fashion_distill.sh --table-only print the tables from the results there are, run nothing
#   DISTILLERY=build-kd/distillery bash bench/fashion_distill.sh   another CLI build
#   SEEDS="1 2 3" bash bench/fashion_distill.sh   seeds of the dense:32 student (default 1 to 8)
#   CNN_SMALL_SEEDS="1" bash bench/fashion_distill.sh   seeds of the slower CNN student (default 1 2 3)
#   THREADS=1 bash bench/fashion_distill.sh    kernel threads (default 0 = automatic)
#
# Steps (all on Debian's Fashion-MNIST; 10 % of the 60,000 training images held out
# for validation, the 10,000 test images used only by the final `eval`):
#   1. teachers (seed 1): CNN conv:32:3,pool:2,conv:64:3,pool:2,dense:128, MLP dense:256,dense:128
#   2. students dense:32 and conv:8:3,pool:2,conv:16:3,pool:2,dense:32, for every seed trained
#      alone and distilled from the CNN teacher (T=4, alpha=0.1) with the same seed, epochs,
#      learning rate and schedule; both end with their best validation epoch (--keep-best).
#      dense:32 is also distilled from the MLP teacher (first seed).
#   3. `eval --json` of every model on the test set, students against both teachers
# Every step is cached in bench/results/fashion_distill/ (git-ignored): a step is skipped
# when its output exists and was made by exactly the same command from the same input
# models (NAME.cmd beside it holds the command and the checksums of the models it read).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="${DISTILLERY:-$ROOT/build/distillery}"
THREADS="${THREADS:-0}"
# dense:32's gain from distillation is smaller than its seed-to-seed spread: 3 seeds showed a tie, 8 a gain
SEEDS="${SEEDS:-1 2 3 4 5 6 7 8}"
OUT="$ROOT/bench/results/fashion_distill"
DATA=/usr/share/datasets/fashion-mnist
TRAIN="$DATA/train-images-idx3-ubyte.gz"
TEST="$DATA/t10k-images-idx3-ubyte.gz"

FORCE=0
SWEEP=0
TABLE_ONLY=0
TEACHERS="cnn mlp"
for arg in "$@"; do
  case $arg in
    --force) FORCE=1 ;;
    --only-cnn) TEACHERS="cnn" ;;
    --sweep) SWEEP=1 ;;
    --table-only) TABLE_ONLY=1 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "unknown option $arg (see --help)" >&2; exit 1 ;;
  esac
done
[ -x "$CLI" ] || { echo "no CLI at $CLI: build it (cmake --build build --target distillery) or set DISTILLERY=" >&2; exit 1; }
if [ ! -f "$TRAIN" ] || [ ! -f "$TEST" ]; then echo "no Fashion-MNIST in $DATA (apt-get install dataset-fashion-mnist)" >&2; exit 1; fi
command -v jq >/dev/null || { echo "jq is needed to read the JSON results (apt-get install jq)" >&2; exit 1; }
mkdir -p "$OUT"
read -r -a SEED_LIST <<<"$SEEDS"
FIRST_SEED=${SEED_LIST[0]}

# ---------------------------------------------------------------- settings
# The teachers use seed 1. A student's seed fixes its initial weights, its batch order
# and its validation split, the same alone and distilled. (With seed 1 the students hold
# out the teachers' validation images; with other seeds the teacher trained on some of
# a student's validation images, though the student never sees its outputs on them.)
TEACHER_SEED=1
COMMON=(--batch 64 --optimizer adam --lr-schedule cosine --val-split 0.1 --threads "$THREADS"
        --weights-encoding base64)
CNN_TEACHER_ARCH="conv:32:3,pool:2,conv:64:3,pool:2,dense:128"
MLP_TEACHER_ARCH="dense:256,dense:128"
CNN_TEACHER_TRAIN=(--epochs 12 --lr 0.001)
MLP_TEACHER_TRAIN=(--epochs 12 --lr 0.001)
KD="--temperature 4 --alpha 0.1"  # the issue's setting
# name, arch and training flags of each student (the same alone and distilled)
STUDENTS=(mlp32 cnn_small)
declare -A STUDENT_ARCH=([mlp32]="dense:32" [cnn_small]="conv:8:3,pool:2,conv:16:3,pool:2,dense:32")
declare -A STUDENT_TRAIN=([mlp32]="--epochs 100 --lr 0.002 --keep-best"
                          [cnn_small]="--epochs 30 --lr 0.002 --keep-best")
# seeds of each student
declare -A STUDENT_SEEDS=([mlp32]="$SEEDS" [cnn_small]="${CNN_SMALL_SEEDS:-1 2 3}")
has_seed() { case " ${STUDENT_SEEDS[$1]} " in *" $2 "*) return 0 ;; *) return 1 ;; esac; }

# ---------------------------------------------------------------- cached steps
# step OUTPUT LOG COMMAND... : runs COMMAND unless OUTPUT exists and OUTPUT.cmd holds
# the same key: the command line plus a checksum of every model it reads (--teacher,
# --model), so a retrained teacher redoes its students and every eval of a new model
# is redone. Progress (stderr) is shown and kept in LOG.
step() {
  local output=$1 log=$2
  shift 2
  # the CLI's own path is left out, so another build of the same code reuses the results
  local command key previous=""
  command="distillery ${*:2}"
  key=$command
  for arg in "$@"; do
    if [ "$previous" = --teacher ] || [ "$previous" = --model ]; then
      key+=$'\n'"# $(basename "$arg") sha256 $( (sha256sum "$arg" 2>/dev/null || echo missing) | cut -c1-16)"
    fi
    previous=$arg
  done
  if [ "$FORCE" = 0 ] && [ -s "$output" ] && [ "$(cat "$output.cmd" 2>/dev/null)" = "$key" ]; then
    echo "== cached: $(basename "$output")" >&2
    return
  fi
  if [ "$TABLE_ONLY" = 1 ]; then return; fi
  echo "== $command" >&2
  rm -f "$output.cmd"
  "$@" 2> >(tee "$log" >&2) >"$output.stdout"
  echo "$key" >"$output.cmd"
}
first_line() { [ -f "$1" ] && head -n 1 "$1" | sed "s|$ROOT/||g"; return 0; }

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
has_teacher() { case " $TEACHERS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
evaluate_all() {  # NAME: against every teacher
  for t in $TEACHERS; do evaluate "$1" "$t"; done
}

# ---------------------------------------------------------------- the runs
if has_teacher mlp; then
  train_model teacher_mlp "$MLP_TEACHER_ARCH" $TEACHER_SEED "${MLP_TEACHER_TRAIN[@]}"
  evaluate teacher_mlp
fi
train_model teacher_cnn "$CNN_TEACHER_ARCH" $TEACHER_SEED "${CNN_TEACHER_TRAIN[@]}"
evaluate teacher_cnn
if has_teacher mlp; then evaluate teacher_mlp cnn; fi
# Seed by seed, both students, so an interrupted run still leaves complete pairs.
for seed in "${SEED_LIST[@]}"; do
  for s in "${STUDENTS[@]}"; do
    has_seed "$s" "$seed" || continue
    # shellcheck disable=SC2086  # the flag strings split into flags on purpose
    train_model "${s}_alone_s$seed" "${STUDENT_ARCH[$s]}" "$seed" ${STUDENT_TRAIN[$s]}
    evaluate_all "${s}_alone_s$seed"
    # shellcheck disable=SC2086
    distill_model "${s}_from_cnn_s$seed" cnn "${STUDENT_ARCH[$s]}" "$seed" "$KD" ${STUDENT_TRAIN[$s]}
    evaluate_all "${s}_from_cnn_s$seed"
  done
done
if has_teacher mlp; then
  # shellcheck disable=SC2086
  distill_model "mlp32_from_mlp_s$FIRST_SEED" mlp dense:32 "$FIRST_SEED" "$KD" ${STUDENT_TRAIN[mlp32]}
  evaluate_all "mlp32_from_mlp_s$FIRST_SEED"
fi

# ---------------------------------------------------------------- the tables
# Training samples/s: the median over epochs of the run's own figure (wall clock of
# the training steps; validation and the teacher's one-off logits excluded), then the
# median over seeds. Everything ran under whatever else the machine was doing.
percent() { awk -v x="$1" 'BEGIN { printf "%.2f", 100 * x }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.2f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
median_rate() {
  jq '[.provenance.history[].samples_per_second] | sort | .[(length / 2 | floor)] | round' "$OUT/$1.json"
}
eval_file() {  # MODEL: its test-set eval (teachers alone, students against the CNN teacher)
  case $1 in teacher_*) echo "$OUT/$1.eval.json" ;; *) echo "$OUT/$1.eval.cnn.json" ;; esac
}
accuracy() { jq '.accuracy' "$(eval_file "$1")"; }
agreement() {  # MODEL TEACHER
  if [ -s "$OUT/$1.eval.$2.json" ]; then jq '.agreement' "$OUT/$1.eval.$2.json"; else echo nan; fi
}
slashed() { local all="$*"; echo "${all// / / }"; }  # "a / b / c"
kept() { jq -r '"\(.provenance.kept_epoch // "-")"' "$OUT/$1.json"; }

header="| model | arch | params | epochs | seeds | test accuracy per seed (%) | median (%) |"
rule="|---|---|---|---|---|---|---|"
for t in $TEACHERS; do header+=" agreement with $t teacher (%, median) |"; rule+="---|"; done
echo
echo "$header kept epoch per seed | training samples/s |"
echo "$rule---|---|"
row() {  # LABEL ARCH NAME...  (one model per seed)
  local label=$1 arch=$2 m
  shift 2
  local present=()
  for m in "$@"; do
    if [ -s "$(eval_file "$m")" ]; then present+=("$m"); fi
  done
  [ ${#present[@]} -gt 0 ] || return 0  # not run (yet)
  set -- "${present[@]}"
  local first=$1 accs=() kepts=() rates=() line seeds
  for m in "$@"; do
    accs+=("$(percent "$(jq '.accuracy' "$(eval_file "$m")")")")
    kepts+=("$(kept "$m")")
    rates+=("$(median_rate "$m")")
  done
  seeds=$(for m in "$@"; do jq -r '.provenance.seed' "$OUT/$m.json"; done | paste -sd, -)
  line="| $label | \`$arch\` | $(jq '.params' "$(eval_file "$first")") |"
  line+=" $(jq '.provenance.settings.epochs' "$OUT/$first.json") | $seeds | $(slashed "${accs[@]}") |"
  line+=" $(printf '%s\n' "${accs[@]}" | median) |"
  for t in $TEACHERS; do
    if [ "$first" = "teacher_$t" ]; then line+=" (itself) |"
    elif [ "$first" = teacher_cnn ]; then line+=" $(percent "$(agreement teacher_mlp cnn)") |"
    else
      line+=" $(for m in "$@"; do percent "$(agreement "$m" "$t")"; echo; done | median) |"
    fi
  done
  line+=" $(slashed "${kepts[@]}") | $(printf '%s\n' "${rates[@]}" | median | cut -d. -f1) |"
  echo "$line"
}
seeded() {  # STUDENT KIND: its models over its seeds
  for seed in ${STUDENT_SEEDS[$1]}; do echo "$1_$2_s$seed"; done
}
row "cnn teacher" "$CNN_TEACHER_ARCH" teacher_cnn
if has_teacher mlp; then row "mlp teacher" "$MLP_TEACHER_ARCH" teacher_mlp; fi
for s in "${STUDENTS[@]}"; do
  # shellcheck disable=SC2046
  row "$s alone" "${STUDENT_ARCH[$s]}" $(seeded "$s" alone)
  # shellcheck disable=SC2046
  row "$s distilled from cnn" "${STUDENT_ARCH[$s]}" $(seeded "$s" from_cnn)
done
if has_teacher mlp && [ -s "$OUT/mlp32_from_mlp_s$FIRST_SEED.eval.cnn.json" ]; then
  row "mlp32 distilled from mlp" dense:32 "mlp32_from_mlp_s$FIRST_SEED"
fi

echo
echo "Distilled from the CNN teacher minus trained alone, test accuracy in points, per seed:"
for s in "${STUDENTS[@]}"; do
  diffs=()
  for seed in ${STUDENT_SEEDS[$s]}; do
    if [ ! -s "$(eval_file "${s}_from_cnn_s$seed")" ] || [ ! -s "$(eval_file "${s}_alone_s$seed")" ]; then continue; fi
    diffs+=("$(awk -v a="$(accuracy "${s}_from_cnn_s$seed")" -v b="$(accuracy "${s}_alone_s$seed")" \
      'BEGIN { printf "%+.2f", 100 * (a - b) }')")
  done
  [ ${#diffs[@]} -gt 0 ] || continue
  echo "- $s: ${diffs[*]} (median $(printf '%s\n' "${diffs[@]}" | median | awk '{ printf "%+.2f", $1 }'))"
done

echo
echo "Commands (every model's command is also in its provenance; eval: --model M --data TEST --teacher T --json):"
first_line "$OUT/teacher_mlp.json.cmd"
first_line "$OUT/teacher_cnn.json.cmd"
for s in "${STUDENTS[@]}"; do
  first_line "$OUT/${s}_alone_s$FIRST_SEED.json.cmd"
  first_line "$OUT/${s}_from_cnn_s$FIRST_SEED.json.cmd"
done
first_line "$OUT/mlp32_from_mlp_s$FIRST_SEED.json.cmd"
echo "(the other seeds: the same commands with --seed and the output name changed)"

# ---------------------------------------------------------------- the sweep
# dense:32, alone and distilled from the CNN teacher, first seed, without --keep-best:
# the short schedule the first version of this benchmark used (20 epochs) against the
# long one, each ending with its last epoch.
[ "$SWEEP" = 1 ] || exit 0
SWEEP_RUNS=()
for epochs in 100 20; do
  train_model "sweep_alone_e$epochs" dense:32 "$FIRST_SEED" --epochs "$epochs" --lr 0.002
  distill_model "sweep_kd_e$epochs" cnn dense:32 "$FIRST_SEED" "$KD" --epochs "$epochs" --lr 0.002
  evaluate "sweep_alone_e$epochs" cnn
  evaluate "sweep_kd_e$epochs" cnn
  SWEEP_RUNS+=("sweep_alone_e$epochs" "sweep_kd_e$epochs")
done

echo
echo "Sweep: dense:32, seed $FIRST_SEED, alone and distilled from the CNN teacher (T=4, alpha=0.1), last epoch"
echo
echo "| run | epochs | best validation accuracy (epoch) | last validation accuracy | test accuracy | agreement with cnn teacher |"
echo "|---|---|---|---|---|---|"
for name in "${SWEEP_RUNS[@]}"; do
  [ -s "$OUT/$name.eval.cnn.json" ] || continue
  jq -r --slurpfile eval "$OUT/$name.eval.cnn.json" --arg name "${name#sweep_}" '
    def pct: . * 10000 | round / 100;
    [.provenance.history[].val_accuracy] as $v | ($v | max) as $best
    | "| \($name) | \(.provenance.settings.epochs) | \($best | pct) % (\($v | index($best) + 1)) | "
      + "\($v[-1] | pct) % | \($eval[0].accuracy | pct) % | \($eval[0].agreement | pct) % |"' "$OUT/$name.json"
done
