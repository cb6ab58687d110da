#!/usr/bin/env bash
# End-to-end tests of `birthright diff` (SPEC §9 last bullet, §6 policy
# change, §11, §12): the bundled company against an edited copy
# (tests/testdata/acme_v2_rules.csv), goldens, both spellings of the
# command, every date vs one date, the region limit, and exit codes.
# Usage: diff_cli_test.sh PATH/TO/birthright SOURCE_DIR
# Regenerate the goldens (after checking the change is intended) with
#   UPDATE_GOLDENS=1 bash tests/cli/diff_cli_test.sh build/.../birthright .
set -u
source "$(dirname "$0")/testlib.sh" "$@"

expect_usage() {  # expect_usage NAME MESSAGE ARGS...
  local name="$1" message="$2"
  shift 2
  "$BR" "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  if [ "$rc" -eq 2 ] && grep -qF -- "$message" "$TMP/err"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name (exit $rc): $(cat "$TMP/err")" >&2
  fi
}

# Run from examples/acme so file names in output match the goldens.
cd "$ACME" || exit 1
V2="../../tests/testdata/acme_v2_rules.csv"
SHEETS=(--catalog catalog.csv --aliases aliases.csv --schema schema.csv)
JSONL_GOLDEN="$SRC/tests/testdata/acme_diff.golden.jsonl"
TABLE_GOLDEN="$SRC/tests/testdata/acme_diff.golden.txt"

"$BR" diff rules.csv "$V2" "${SHEETS[@]}" --people people.csv --as-of 2026-11-26 \
  --format jsonl >"$TMP/diff.jsonl" 2>"$TMP/diff.err"
check "diff jsonl exits 0" test $? -eq 0
"$BR" diff rules.csv "$V2" "${SHEETS[@]}" --people people.csv --as-of 2026-11-26 \
  >"$TMP/diff.txt"
if [ "${UPDATE_GOLDENS:-}" = 1 ]; then
  cp "$TMP/diff.jsonl" "$JSONL_GOLDEN"
  cp "$TMP/diff.txt" "$TABLE_GOLDEN"
fi
check "diff jsonl matches the golden file" cmp -s "$TMP/diff.jsonl" "$JSONL_GOLDEN"
check "diff table matches the golden file" cmp -s "$TMP/diff.txt" "$TABLE_GOLDEN"
check "diff jsonl puts the summary on stderr" grep -qF \
  "2 rules added, 1 removed, 4 modified; 8 regions change Cursor, Gong, Salesforce, Slack [eng-shared]; 6 people affected: 5 gain, 1 lose, 0 change; licenses +\$200/month" \
  "$TMP/diff.err"
check "diff table starts with the summary" bash -c \
  "sed -n 2p '$TMP/diff.txt' | grep -q '^2 rules added, 1 removed, 4 modified; '"
check "diff names the changed fields" grep -qF \
  "conditions: department: Sales; grade: <= L7 -> department: Sales; grade: <= L6" "$TMP/diff.txt"
check "diff renders a region as the sheet spells it" grep -qF "department = Sales and grade = L7" "$TMP/diff.txt"
check "diff gives both outcomes" grep -qF "Recorded User -> Admin" "$TMP/diff.txt"

# The flags spelling gives the same bytes.
"$BR" diff --rules-before rules.csv --rules-after "$V2" "${SHEETS[@]}" --people people.csv \
  --as-of 2026-11-26 --format jsonl >"$TMP/flags.jsonl" 2>/dev/null
check "diff --rules-before/--rules-after equals the positional form" \
  cmp -s "$TMP/flags.jsonl" "$TMP/diff.jsonl"

# json: one valid document whose region count agrees with the regions listed.
"$BR" diff rules.csv "$V2" "${SHEETS[@]}" --people people.csv --as-of 2026-11-26 \
  --format json >"$TMP/diff.json"
check "diff json is valid and consistent" python3 -c "
import json
d = json.load(open('$TMP/diff.json'))
s = d['semantic']
assert s['available'] and not s['truncated']
assert s['regions'] == sum(len(i['regions']) for i in s['instances'])
p = d['population']
assert p['gain'] + p['lose'] + p['change'] == len(p['deltas']) == 6
assert p['license_cents_per_month'] == 20000
assert [r['id'] for r in d['rules']] == sorted(r['id'] for r in d['rules'])
"

# The population impact agrees with `delta` over the same two versions.
"$BR" delta --rules-before rules.csv --rules-after "$V2" "${SHEETS[@]}" --people people.csv \
  --as-of 2026-11-26 --format jsonl 2>/dev/null | grep -v '"add":\[\],"remove":\[\],"change":\[\]' \
  | sed 's/"kind":"mover",//' >"$TMP/delta.jsonl"
grep '"type":"person"' "$TMP/diff.jsonl" | sed 's/"type":"person",//; s/"kind":"mover",//' \
  >"$TMP/diff-people.jsonl"
check "diff people equal delta's policy-change people" cmp -s "$TMP/delta.jsonl" "$TMP/diff-people.jsonl"

# Without --as-of the evaluation date is part of the regions: the Cursor
# pilot window that v2 makes permanent shows as `as_of >= 2027-01-01`.
"$BR" diff rules.csv "$V2" "${SHEETS[@]}" >"$TMP/alldates.txt"
check "diff without --as-of covers every date" grep -qF "as_of >= 2027-01-01" "$TMP/alldates.txt"
check "the evaluation date is never missing (regression)" bash -c \
  "! grep -q 'as_of missing' '$TMP/alldates.txt'"
check "diff without --as-of says so" grep -qF "Semantic changes (exact, over every date)" "$TMP/alldates.txt"

"$BR" diff rules.csv rules.csv "${SHEETS[@]}" >"$TMP/same.txt"
check "diff of a version with itself exits 0" test $? -eq 0
check "diff of a version with itself is empty" grep -qF \
  "no rule changes; no entitlement changes" "$TMP/same.txt"

"$BR" diff rules.csv "$V2" "${SHEETS[@]}" --as-of 2026-11-26 --max-regions 2 >"$TMP/cut.txt"
check "diff --max-regions cuts the listing with counts" grep -qF \
  "listing stopped at 2 regions (--max-regions)" "$TMP/cut.txt"

# --- Errors (exit 2) ------------------------------------------------------------
expect_usage "diff with one version" "give exactly two versions" diff rules.csv
expect_usage "diff with no version" "give the two versions" diff "${SHEETS[@]}"
expect_usage "diff missing file" "nope.csv" diff rules.csv nope.csv "${SHEETS[@]}"
expect_usage "diff bad --as-of" "--as-of: expected YYYY-MM-DD" diff rules.csv "$V2" \
  "${SHEETS[@]}" --as-of 2026-13-01
expect_usage "diff bad --format" "--format: expected table, json or jsonl" diff rules.csv \
  "$V2" "${SHEETS[@]}" --format sarif
expect_usage "diff unknown option" "unknown option --peple" diff rules.csv "$V2" \
  "${SHEETS[@]}" --peple people.csv
sed 's/^R77,Engineering,,,Full-time,,,,Cursor,/R77,Engineering,,,Full-time,,,,Kursor,/' "$V2" \
  >"$TMP/bad.csv"
expect_usage "diff of a version with an unknown app" "after: " diff rules.csv "$TMP/bad.csv" \
  "${SHEETS[@]}"
"$BR" compile --rules rules.csv "${SHEETS[@]}" -o "$TMP/acme.brs" 2>/dev/null
expect_usage "diff of a snapshot" "not a compiled snapshot" diff "$TMP/acme.brs" "$TMP/acme.brs"

"$BR" diff --help >"$TMP/help"
check "diff --help exits 0" test $? -eq 0
check "diff --help teaches with an example" grep -qF "birthright diff examples/acme/rules.csv" "$TMP/help"
"$BR" --help >"$TMP/usage"
check "birthright --help lists diff" grep -q "^  diff " "$TMP/usage"

finish "diff cli"
