#!/usr/bin/env bash
# Instructions per evaluation, counted by callgrind: the DAG, the tuple-hash
# limit and the row scan on the benchmark's generated sheets. Unlike time,
# the count does not move with the machine's load (the same binary and
# input give the same count), so it can judge a change in one run where
# timings need many alternated runs. It is not time: a walk that waits on a
# load costs cycles, not instructions; confirm a change in eval_bench too
# (docs/performance.md).
#
# Each figure is (count with R rounds - count with 0 rounds) / (R x people):
# everything but the rounds, the compile and the check against the
# reference included, is the same work in both runs.
#
# Usage: bash tools/count_instructions.sh [--bin PATH] [--rounds R]
#                                         [--bounded] [--json] [RULES...]
#   --bin      the eval_count binary (default build/release/eval_count)
#   --rounds   rounds of 2,000 people for the DAG and the limit (default 5;
#              the row scan always runs one)
#   --bounded  the sheet whose company-wide rows are bounded
#   --json     one JSON object per sheet instead of the table
#   RULES      sheet sizes (default 1000 2000)
# Needs valgrind. A 2,000-rule sheet takes about a minute.
set -euo pipefail
shopt -s inherit_errexit  # a failure inside $(...) stops the script too

BIN=build/release/eval_count
ROUNDS=5
SHEET=()
JSON=0
SIZES=()
while (($# > 0)); do
  case "$1" in
    --bin) BIN="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --bounded) SHEET=(--bounded); shift ;;
    --json) JSON=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "count_instructions: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) SIZES+=("$1"); shift ;;
  esac
done
((${#SIZES[@]} > 0)) || SIZES=(1000 2000)
command -v valgrind >/dev/null || { echo "count_instructions: needs valgrind" >&2; exit 2; }
[[ -x "$BIN" ]] || { echo "count_instructions: no binary at $BIN (build eval_count)" >&2; exit 2; }
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "count_instructions: --rounds must be positive" >&2; exit 2; }

PEOPLE=2000

# The instructions callgrind counted in one run of eval_count.
collected() {
  local out
  if ! out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" "$@" 2>&1 >/dev/null) ||
    ! grep -oE 'Collected : [0-9]+' <<<"$out" | grep -oE '[0-9]+$'; then
    echo "count_instructions: eval_count $* failed:" >&2
    echo "$out" >&2
    exit 1
  fi
}

# Instructions per evaluation in one mode.
per_evaluation() {
  local rules=$1 mode=$2 rounds=$3 base full
  base=$(collected --rules "$rules" --mode "$mode" --rounds 0 "${SHEET[@]}")
  full=$(collected --rules "$rules" --mode "$mode" --rounds "$rounds" "${SHEET[@]}")
  echo $(((full - base) / (rounds * PEOPLE)))
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

sheet_name=share
((${#SHEET[@]} > 0)) && sheet_name=bounded
((JSON)) || printf '%8s  %-8s %10s %10s %12s %10s %10s\n' \
  rules sheet dag limit scan dag/limit scan/dag
for rules in "${SIZES[@]}"; do
  [[ "$rules" =~ ^[1-9][0-9]*$ ]] || { echo "count_instructions: bad size $rules" >&2; exit 2; }
  dag=$(per_evaluation "$rules" dag "$ROUNDS")
  limit=$(per_evaluation "$rules" limit "$ROUNDS")
  scan=$(per_evaluation "$rules" scan 1)
  if ((JSON)); then
    printf '{"rules":%d,"sheet":"%s","dag":%d,"limit":%d,"scan":%d}\n' \
      "$rules" "$sheet_name" "$dag" "$limit" "$scan"
  else
    printf '%8d  %-8s %10d %10d %12d %10s %10s\n' "$rules" "$sheet_name" \
      "$dag" "$limit" "$scan" "$(ratio "$dag" "$limit")" "$(ratio "$scan" "$dag")"
  fi
done
