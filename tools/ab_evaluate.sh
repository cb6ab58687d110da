#!/usr/bin/env bash
# The in-process A/B of the evaluator (docs/performance.md): builds the
# working tree's evaluator and another revision's into bench/ab_eval, times
# them against each other under several code layouts, and summarizes.
#
# usage: tools/ab_evaluate.sh [--build DIR] [--base REV | --self]
#                             [--file PATH]... [--layouts K] [--keep]
#                             [--] AB_EVAL_ARGS...
#   --build DIR   a CMake build with Ninja and the benchmarks (build/release,
#                 as `cmake --workflow --preset release` makes it)
#   --base REV    the baseline's revision (HEAD)
#   --self        the baseline is the working tree too: an A/A run, whose
#                 spread is the floor a change has to clear
#   --file PATH   a source file both sides compile from their own tree;
#                 repeat for more (src/eval/dag_evaluator.cc)
#   --layouts K   builds of the pair with different code alignments (4)
#   --keep        keeps the work directory (objects, ab_eval), and says where
#   AB_EVAL_ARGS  go to ab_eval: --rules N [--bounded] [--pairs P] ...
#                 (its --seed is the layout's number, 1 to K)
#
# Why layouts: on this host the same source compiled twice, its functions
# aligned differently, has read 0.92x to 1.12x of itself. So each layout
# aligns the two sides' functions differently (16 to 128 bytes), and a
# change is resolved only when its ratios lie outside an A/A run's.
#
# Each side's files are compiled as the build compiles them, but from its
# own tree (sources and headers: inline functions such as NodeChild too).
# Its objects are linked into one, their section groups resolved among
# themselves (so the final link cannot trade their inline functions for the
# library's), every symbol but CompiledPolicy::Evaluate(span, Date,
# DecisionBuffer*) made local, and that one renamed br_ab_current_evaluate
# or br_ab_baseline_evaluate, which ab_eval calls. Both read the library's
# CompiledPolicy::Impl, so both must lay it out as the working tree does:
# the script warns when include/ or src/compile/dag.h differ from REV.
#
# Prints each layout's ab_eval line, then a summary line:
#   {"layouts":K,"ratio_mean":...,"ratio_min":...,"ratio_max":...}
# where a ratio is current time over baseline time (below 1: faster).
#
# Example, an uncommitted change to the evaluator, then the floor:
#   tools/ab_evaluate.sh -- --rules 2000
#   tools/ab_evaluate.sh --self -- --rules 2000
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$ROOT/build/release"
base=HEAD
self=0
layouts=4
keep=0
files=()
usage() { sed -n '6,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --build) build="$(cd "$2" && pwd)"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    --self) self=1; shift ;;
    --file) files+=("$2"); shift 2 ;;
    --layouts) layouts="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --help | -h) usage; exit 0 ;;
    --) shift; break ;;
    *) echo "ab_evaluate: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
((${#files[@]})) || files=(src/eval/dag_evaluator.cc)
[[ "$layouts" =~ ^[1-9][0-9]*$ ]] || {
  echo "ab_evaluate: --layouts takes a positive number" >&2
  exit 2
}
if [[ ! -f "$build/build.ninja" || ! -f "$build/compile_commands.json" ]]; then
  echo "ab_evaluate: $build is not a configured Ninja build with" \
    "compile_commands.json; run: cmake --workflow --preset release" >&2
  exit 2
fi
cmake --build "$build" --target ab_eval >/dev/null
link="$(cd "$build" && ninja -t commands ab_eval | tail -n 1)"
[[ "$link" == *" -o ab_eval "* ]] || {
  echo "ab_evaluate: cannot read ab_eval's link command from $build" >&2
  exit 1
}

work="$(mktemp -d)"
if ((keep)); then
  echo "ab_evaluate: working in $work" >&2
else
  trap 'rm -rf "$work"' EXIT
fi
# The trees: the working tree's files as they are, the baseline's from REV.
mkdir -p "$work/current" "$work/baseline"
tar -C "$ROOT" -c src include | tar -x -C "$work/current"
if ((self)); then
  cp -a "$work/current/." "$work/baseline"
else
  git -C "$ROOT" archive "$base" src include | tar -x -C "$work/baseline"
  if ! git -C "$ROOT" diff --quiet "$base" -- include src/compile/dag.h; then
    echo "ab_evaluate: note: include/ or src/compile/dag.h differ from $base;" \
      "the A/B is valid only if CompiledPolicy and its Impl keep their layout" >&2
  fi
fi

# build_side SIDE ALIGN: $work/SIDE.o, defining only br_ab_SIDE_evaluate.
build_side() {
  local side="$1" align="$2"
  rm -f "$work/$side"_*.o
  /usr/bin/python3 - "$ROOT" "$build" "$work" "$side" "$align" "${files[@]}" <<'EOF'
import json, shlex, subprocess, sys
root, build, work, side, align, files = *sys.argv[1:6], sys.argv[6:]
entries = json.load(open(f"{build}/compile_commands.json"))
for n, f in enumerate(files):
    e = next((e for e in entries if e["file"] == f"{root}/{f}"), None)
    if e is None:
        sys.exit(f"ab_evaluate: {f} is not compiled by {build}")
    args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
        elif a not in ("-MD", "-MMD"):
            out.append(a.replace(f"{root}/src", f"{work}/{side}/src")
                        .replace(f"{root}/include", f"{work}/{side}/include"))
    # GCC marks inline variables STB_GNU_UNIQUE, which objcopy cannot make
    # local; plain weak symbols it can.
    version = subprocess.run([out[0], "--version"], capture_output=True,
                             text=True).stdout
    if "Free Software Foundation" in version:
        out.append("-fno-gnu-unique")
    out += [f"-falign-functions={align}", "-o", f"{work}/{side}_{n}.o"]
    subprocess.run(out, cwd=e["directory"], check=True)
EOF
  ld -r --force-group-allocation -o "$work/$side.all.o" "$work/$side"_*.o
  local evaluate
  evaluate="$(nm "$work/$side.all.o" | awk '$2 == "T" &&
    $3 ~ /^_ZNK10birthright14CompiledPolicy8EvaluateESt4span/ { print $3 }')"
  if [[ -z "$evaluate" ]]; then
    echo "ab_evaluate: the $side defines no CompiledPolicy::Evaluate(span, ...)" >&2
    exit 1
  fi
  objcopy --keep-global-symbol="$evaluate" "$work/$side.all.o" "$work/$side.local.o"
  objcopy --redefine-sym "$evaluate=br_ab_${side}_evaluate" \
    "$work/$side.local.o" "$work/$side.o"
}

aligns=(16 32 64 128)
ratios=()
for ((i = 0; i < layouts; ++i)); do
  build_side current "${aligns[i % 4]}"
  build_side baseline "${aligns[(i + 1 + i / 4) % 4]}"
  (cd "$build" &&
    bash -c "${link/ -o ab_eval / -o $work/ab_eval $work/current.o $work/baseline.o }")
  line="$("$work/ab_eval" "$@" --seed $((i + 1)))"
  echo "$line"
  [[ "$line" == *'"current":"linked","baseline":"linked"'* ]] || {
    echo "ab_evaluate: the evaluators were not linked in" >&2
    exit 1
  }
  ratio="${line#*\"ratio\":}"
  ratios+=("${ratio%%,*}")
done
printf '%s\n' "${ratios[@]}" | awk -v k="$layouts" '
  { s += $1; if (NR == 1 || $1 < lo) lo = $1; if (NR == 1 || $1 > hi) hi = $1 }
  END { printf "{\"layouts\":%d,\"ratio_mean\":%.4f,\"ratio_min\":%.4f,\"ratio_max\":%.4f}\n",
        k, s / k, lo, hi }'
