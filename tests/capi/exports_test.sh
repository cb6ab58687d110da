#!/usr/bin/env bash
# Checks that a shared library exports only the C API (br_* functions) and
# has the expected SONAME. Usage: exports_test.sh LIB SONAME
set -euo pipefail
lib="$1"
want_soname="$2"
soname="$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')"
if [[ "$soname" != "$want_soname" ]]; then
  echo "exports_test: SONAME is '$soname', expected '$want_soname'" >&2
  exit 1
fi
# Defined dynamic symbols, minus the version-node marker some linkers add.
symbols="$(nm -D --defined-only "$lib" | awk '{ print $3 }' | grep -v '^$' || true)"
bad="$(grep -v '^br_' <<<"$symbols" || true)"
if [[ -n "$bad" ]]; then
  echo "exports_test: $lib exports symbols outside the C API:" >&2
  head -n 20 <<<"$bad" >&2
  exit 1
fi
count="$(grep -c '^br_' <<<"$symbols" || true)"
# Every function the header declares is exported.
header="$(dirname "$0")/../../include/birthright/birthright.h"
declared="$(grep -oE '\bbr_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u)"
missing="$(comm -23 <(echo "$declared") <(sort -u <<<"$symbols"))"
if [[ -n "$missing" ]]; then
  echo "exports_test: declared but not exported:" >&2
  echo "$missing" >&2
  exit 1
fi
echo "exports_test: OK ($count br_* symbols, SONAME $soname)"
