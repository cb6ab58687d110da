#!/usr/bin/env bash
# Instructions per evaluation, counted by callgrind, and with --misses the
# cache misses of a simulated L1 and L2: the DAG, the tuple-hash limit and
# the row scan on the benchmark's generated sheets. Unlike time, the counts
# do not move with the machine's load (the same binary and input give the
# same counts), so they can judge a change in one run where timings need
# many alternated runs. They are not time: a walk that waits on a load
# costs cycles, not instructions, and the simulated caches are this
# machine's sizes without its neighbours; confirm a change in eval_bench
# too (docs/performance.md).
#
# eval_count counts only its rounds (callgrind --instr-atstart=no; the
# setup and a warm-up round are not counted), so each figure is callgrind's
# total over R x 2,000 people.
#
# Usage: bash tools/count_instructions.sh [--bin PATH] [--rounds R]
#                                         [--bounded] [--misses]
#                                         [--modes LIST] [--json] [RULES...]
#   --bin      the eval_count binary (default build/release/eval_count)
#   --rounds   counted rounds of 2,000 people for the DAG and the limit
#              (default 5; the row scan always counts one), each mode
#              after one warm-up round
#   --bounded  the sheet whose company-wide rows are bounded
#   --misses   also simulate a 32 KiB L1 and a 512 KiB L2 (8-way, 64-byte
#              lines: one core of this machine) and report each mode's
#              read misses per evaluation in both (l1, l2)
#   --modes    which of dag,limit,scan to run (default all three; the row
#              scan of a 100,000-rule sheet would take hours)
#   --json     one JSON object per sheet instead of the table
#   RULES      sheet sizes (default 1000 2000)
# Needs valgrind, and eval_count built with its headers. A 2,000-rule sheet
# takes about a minute, a 100,000-rule one (with --modes dag,limit) about six.
set -euo pipefail
shopt -s inherit_errexit  # a failure inside $(...) stops the script too

BIN=build/release/eval_count
ROUNDS=5
SHEET=()
JSON=0
MISSES=0
MODES=dag,limit,scan
SIZES=()
while (($# > 0)); do
  case "$1" in
    --bin) BIN="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --bounded) SHEET=(--bounded); shift ;;
    --misses) MISSES=1; shift ;;
    --modes) MODES="$2"; shift 2 ;;
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
[[ "$MODES" =~ ^(dag|limit|scan)(,(dag|limit|scan))*$ ]] ||
  { echo "count_instructions: --modes is a list of dag, limit and scan" >&2; exit 2; }

PEOPLE=2000
VALGRIND=(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/dev/null)
# Callgrind's events with the cache simulation: Ir Dr Dw I1mr D1mr D1mw
# ILmr DLmr DLmw. Reported: Ir (1), D1mr (5) and DLmr (8).
((MISSES)) && VALGRIND+=(--cache-sim=yes --D1=32768,8,64 --LL=524288,8,64)

# "Ir L1 L2" per evaluation for one mode (L1 and L2 are 0 without --misses).
per_evaluation() {
  local rules=$1 mode=$2 rounds=$3 out json counts
  if ! out=$("${VALGRIND[@]}" "$BIN" --rules "$rules" --mode "$mode" \
    --rounds "$rounds" "${SHEET[@]}" 2>&1); then
    echo "count_instructions: eval_count --rules $rules --mode $mode failed:" >&2
    echo "$out" >&2
    exit 1
  fi
  json=$(grep -E '^\{"mode"' <<<"$out" || true)
  if ! grep -q '"counted":true' <<<"$json"; then
    echo "count_instructions: $BIN cannot start counting (built without" \
      "valgrind's headers?): ${json:-no JSON line}" >&2
    exit 1
  fi
  counts=$(grep -oE 'Collected :( [0-9]+)+' <<<"$out" | cut -d: -f2)
  awk -v n=$((rounds * PEOPLE)) -v misses="$MISSES" '{
    printf "%d %.1f %.1f\n", $1 / n, misses ? $5 / n : 0, misses ? $8 / n : 0
  }' <<<"$counts"
}

# a / b to one decimal, or "-" when a mode was not run.
ratio() {
  if [[ "$1" == - || "$2" == - ]]; then echo -; else
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'
  fi
}
# A figure as JSON: null when its mode was not run.
js() { if [[ "$1" == - ]]; then echo null; else echo "$1"; fi; }
has_mode() { [[ ",$MODES," == *",$1,"* ]]; }

sheet_name=share
((${#SHEET[@]} > 0)) && sheet_name=bounded
if ((!JSON)); then
  printf '%8s  %-8s %10s %10s %12s %10s %10s' \
    rules sheet dag limit scan dag/limit scan/dag
  ((MISSES)) && printf ' %8s %8s %8s %8s %8s %8s' \
    dag-l1 dag-l2 limit-l1 limit-l2 scan-l1 scan-l2
  printf '\n'
fi
for rules in "${SIZES[@]}"; do
  [[ "$rules" =~ ^[1-9][0-9]*$ ]] || { echo "count_instructions: bad size $rules" >&2; exit 2; }
  dag=(- - -) limit=(- - -) scan=(- - -)
  # Plain assignments, so that a failed run stops the script (set -e).
  if has_mode dag; then line=$(per_evaluation "$rules" dag "$ROUNDS"); read -ra dag <<<"$line"; fi
  if has_mode limit; then line=$(per_evaluation "$rules" limit "$ROUNDS"); read -ra limit <<<"$line"; fi
  if has_mode scan; then line=$(per_evaluation "$rules" scan 1); read -ra scan <<<"$line"; fi
  if ((JSON)); then
    printf '{"rules":%d,"sheet":"%s","dag":%s,"limit":%s,"scan":%s' \
      "$rules" "$sheet_name" "$(js "${dag[0]}")" "$(js "${limit[0]}")" "$(js "${scan[0]}")"
    ((MISSES)) && printf ',"dag_l1":%s,"dag_l2":%s,"limit_l1":%s,"limit_l2":%s,"scan_l1":%s,"scan_l2":%s' \
      "$(js "${dag[1]}")" "$(js "${dag[2]}")" "$(js "${limit[1]}")" \
      "$(js "${limit[2]}")" "$(js "${scan[1]}")" "$(js "${scan[2]}")"
    printf '}\n'
  else
    printf '%8d  %-8s %10s %10s %12s %10s %10s' "$rules" "$sheet_name" \
      "${dag[0]}" "${limit[0]}" "${scan[0]}" "$(ratio "${dag[0]}" "${limit[0]}")" \
      "$(ratio "${scan[0]}" "${dag[0]}")"
    ((MISSES)) && printf ' %8s %8s %8s %8s %8s %8s' "${dag[1]}" "${dag[2]}" \
      "${limit[1]}" "${limit[2]}" "${scan[1]}" "${scan[2]}"
    printf '\n'
  fi
done
