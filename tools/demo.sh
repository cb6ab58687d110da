#!/usr/bin/env bash
# Builds birthright (CMake release preset) and evaluates the bundled example company,
# examples/acme, as of 2026-11-26: a table for a few people, then JSON Lines for everyone.
# Installs missing Debian packages first (tools/install_deps.sh build).
#
# Usage: bash tools/demo.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CCACHE_BASEDIR="$ROOT"
export CCACHE_NOHASHDIR=true

bash tools/install_deps.sh build
cmake --preset release >/dev/null
cmake --build --preset release --target birthright

ACME=examples/acme
run_eval() {
  (set -x; build/release/birthright eval \
    --rules "$ACME/rules.csv" --catalog "$ACME/catalog.csv" \
    --aliases "$ACME/aliases.csv" --schema "$ACME/schema.csv" \
    --people "$ACME/people.csv" --as-of 2026-11-26 "$@")
}

# The stories in examples/acme/README.md: a new Sales Engineer, the VP of Sales whose
# Salesforce Admin is capped by a deny, a DevOps contractor, and a leaver.
for person in E020 E016 E012 E039; do
  echo
  run_eval --person "$person"
done

echo
run_eval --format jsonl
