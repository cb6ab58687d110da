#!/usr/bin/env bash
# Runs every check that CI runs (.ci/run calls exactly this), on Debian 12 as root:
#   1. installs missing Debian packages (tools/install_deps.sh)
#   2. checks that CMake and Bazel list the same files (tools/check_build_lists.py)
#   3. CMake release build + ctest     (cmake --workflow --preset release, with ccache)
#   4. Bazel build + tests, offline    (bazel test //...)
#   5. CMake ASan+UBSan build + ctest  (cmake --workflow --preset asan)
#   6. Debug + ThreadSanitizer build of the concurrency and determinism tests
#                                      (cmake --workflow --preset tsan)
# and prints how long each stage took. Exits non-zero as soon as a stage fails.
#
# Usage: bash tools/test.sh
# Env:   BIRTHRIGHT_SKIP_BAZEL=1 / BIRTHRIGHT_SKIP_ASAN=1 / BIRTHRIGHT_SKIP_TSAN=1 skip those
#        stages (local use only).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LOG_DIR="$ROOT/build/test-logs"
mkdir -p "$LOG_DIR"

# ccache: hit across fresh clones (CI clones into a new folder each run).
export CCACHE_BASEDIR="$ROOT"
export CCACHE_NOHASHDIR=true
export CTEST_PARALLEL_LEVEL="${CTEST_PARALLEL_LEVEL:-$(nproc)}"

# --- stage bookkeeping -----------------------------------------------------------------
STAGES=()          # "name|seconds|result"
CURRENT_STAGE=""
STAGE_START=0
SCRIPT_START=$SECONDS
RELEASE_SUMMARY=""

begin_stage() {
  CURRENT_STAGE="$1"
  STAGE_START=$SECONDS
  printf '\n==> [%s] %s\n' "$(date -u +%H:%M:%S)" "$CURRENT_STAGE"
}

end_stage() {
  STAGES+=("$CURRENT_STAGE|$((SECONDS - STAGE_START))|$1")
  CURRENT_STAGE=""
}

print_summary() {
  printf '\n==> summary\n'
  local s name secs result
  for s in "${STAGES[@]}"; do
    IFS='|' read -r name secs result <<<"$s"
    printf '  %-38s %5ss  %s\n' "$name" "$secs" "$result"
  done
  printf '  %-38s %5ss\n' "total" "$((SECONDS - SCRIPT_START))"
}

on_exit() {
  local rc=$?
  if ((rc != 0)); then
    if [[ -n "$CURRENT_STAGE" ]]; then
      STAGES+=("$CURRENT_STAGE|$((SECONDS - STAGE_START))|FAILED (exit $rc)")
    fi
    print_summary
    printf '\ntools/test.sh: FAILED in stage "%s" (exit %d)\n' "${CURRENT_STAGE:-?}" "$rc"
  fi
}
trap on_exit EXIT

# Prints ctest's "N% tests passed, N tests failed out of N" line from a log.
ctest_summary() {
  grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$1" | tail -n 1 || true
}

# --- 1. packages -----------------------------------------------------------------------
begin_stage "install packages"
bash tools/install_deps.sh all
end_stage "ok"

PYTHON=/usr/bin/python3

# --- 2. build-list drift ---------------------------------------------------------------
begin_stage "check_build_lists.py"
"$PYTHON" tools/check_build_lists.py
end_stage "ok"

# --- 3. CMake release ------------------------------------------------------------------
begin_stage "cmake release (configure/build/test)"
cmake --workflow --preset release 2>&1 | tee "$LOG_DIR/release.log"
RELEASE_SUMMARY="$(ctest_summary "$LOG_DIR/release.log")"
end_stage "$RELEASE_SUMMARY"

# --- 4. Bazel --------------------------------------------------------------------------
if [[ "${BIRTHRIGHT_SKIP_BAZEL:-0}" != 1 ]]; then
  begin_stage "bazel test //..."
  # The disk cache outlives fresh clones, like ccache does for CMake.
  bazel test //... --test_output=errors \
    --disk_cache="$HOME/.cache/birthright-bazel-disk" 2>&1 | tee "$LOG_DIR/bazel.log"
  end_stage "$(grep -E '^Executed [0-9]+ out of [0-9]+ tests?' "$LOG_DIR/bazel.log" | tail -n 1 || true)"
  if [[ "${CI:-}" == true ]]; then
    bazel shutdown  # CI ends everything it started; locally the warm server is useful.
  fi
fi

# --- 5. sanitizers ---------------------------------------------------------------------
if [[ "${BIRTHRIGHT_SKIP_ASAN:-0}" != 1 ]]; then
  begin_stage "cmake asan (configure/build/test)"
  cmake --workflow --preset asan 2>&1 | tee "$LOG_DIR/asan.log"
  end_stage "$(ctest_summary "$LOG_DIR/asan.log")"
fi

# --- 6. ThreadSanitizer ---------------------------------------------------------------
# A Debug build, so together with release, ASan (RelWithDebInfo) and Bazel (fastbuild) the
# determinism tests pin byte-identical output across build types. Only the concurrency
# tests run here: hot reload, concurrent and batch evaluation, HR sync on 1/2/8 threads.
if [[ "${BIRTHRIGHT_SKIP_TSAN:-0}" != 1 ]]; then
  begin_stage "cmake tsan (debug; concurrency tests)"
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
    cmake --workflow --preset tsan 2>&1 | tee "$LOG_DIR/tsan.log"
  end_stage "$(ctest_summary "$LOG_DIR/tsan.log")"
fi

# Later stages go here, each as begin_stage NAME; commands; end_stage RESULT, so it is
# timed and a failure names it. (Fuzz corpora replay inside ctest as *_replay tests;
# pytest over the Python bindings runs inside ctest as python_test.)

print_summary
# ctest's closing line for the main (release) run, last so CI reads it.
printf '\n%s\n' "$RELEASE_SUMMARY"
