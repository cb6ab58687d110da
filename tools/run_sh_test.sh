#!/usr/bin/env bash
# Bazel sh_test launcher: runs a test script with bash by its workspace path, as CMake's
# `add_test(COMMAND bash script ...)` does. The script needs no executable bit, and one
# that finds files from "$(dirname "$0")" sees the same layout in Bazel's runfiles tree.
# Usage (from BUILD.bazel): run_sh_test.sh SCRIPT [ARGS...]
set -euo pipefail
script="$1"
shift
exec bash "$script" "$@"
