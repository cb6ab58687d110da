# Shared by the end-to-end command-line tests, sourced right after `set -u`
# with the test's own arguments (PATH/TO/birthright SOURCE_DIR):
#   source "$(dirname "$0")/testlib.sh" "$@"
# Sets BR and SRC as absolute paths (some tests cd elsewhere), ACME, a TMP
# directory removed on exit, and the counters behind `check` and `finish`.
BR="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
SRC="$(cd "$2" && pwd)"
ACME="$SRC/examples/acme"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

# check NAME COMMAND...: counts whether COMMAND succeeds; names a failure.
check() {
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name" >&2
  fi
}

# finish LABEL [MIN_PASSED]: prints the counts. As a test's last command it
# is the test's status: no failure, and at least MIN_PASSED (default 1)
# checks passed, so a script that stopped early cannot pass.
finish() {
  echo "$1: $passed passed, $failed failed"
  [[ $failed -eq 0 && $passed -ge ${2:-1} ]]
}
