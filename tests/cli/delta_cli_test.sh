#!/usr/bin/env bash
# End-to-end tests of `birthright delta` and `birthright reconcile` (SPEC §6,
# §11, §12): goldens from the command line, every mode, exit codes.
# Usage: delta_cli_test.sh PATH/TO/birthright SOURCE_DIR
set -u
source "$(dirname "$0")/testlib.sh" "$@"

# Run from examples/acme so file names in output match the goldens.
cd "$ACME" || exit 1
POLICY=(--rules rules.csv --catalog catalog.csv --aliases aliases.csv --schema schema.csv)
DELTA_GOLDEN="$SRC/tests/testdata/acme_delta.golden.jsonl"
RECONCILE_GOLDEN="$SRC/tests/testdata/acme_reconcile.golden.jsonl"

# --- HR sync -----------------------------------------------------------------
"$BR" delta "${POLICY[@]}" --before people.csv --after people-after.csv --as-of 2026-12-03 \
  --format jsonl >"$TMP/sync.jsonl" 2>"$TMP/sync.err"
check "delta jsonl matches the golden file" cmp -s "$TMP/sync.jsonl" "$DELTA_GOLDEN"
check "delta jsonl puts the summary on stderr" grep -q \
  "1 joiner, 3 movers, 1 leaver (36 unchanged): 20 adds, 14 removes, 11 changes; 3 manual tasks for 2 owners; licenses +\$165.50/month" \
  "$TMP/sync.err"
"$BR" delta "${POLICY[@]}" --before people.csv --after people-after.csv --as-of 2026-12-03 \
  --format jsonl --reference >"$TMP/ref.jsonl" 2>/dev/null
check "delta --reference matches the golden file" cmp -s "$TMP/ref.jsonl" "$DELTA_GOLDEN"
"$BR" delta "${POLICY[@]}" --before people.csv --after people-after.csv --as-of 2026-12-03 \
  --format jsonl --threads 3 >"$TMP/threads.jsonl" 2>/dev/null
check "delta --threads 3 is byte-identical" cmp -s "$TMP/threads.jsonl" "$DELTA_GOLDEN"

"$BR" delta "${POLICY[@]}" --before people.csv --after people-after.csv --as-of 2026-12-03 \
  >"$TMP/sync.txt"
check "delta table starts with the summary" sed -n 2p "$TMP/sync.txt" | grep -q "^1 joiner, 3 movers"
check "delta table routes manual work" grep -q "manual tasks by owner: eng-platform@acme.example 1" "$TMP/sync.txt"
check "delta table hides unchanged people" bash -c "! grep -q '^E005' '$TMP/sync.txt'"

"$BR" delta "${POLICY[@]}" --before people.csv --after people-after.csv --as-of 2026-12-03 \
  --format json --person E018 >"$TMP/e018.json"
check "delta json has routed actions" grep -q \
  '"action":"add","app":"Tableau","instance":"","from":null,"to":"Explorer","owner":"finance-systems@acme.example","provisioning":"scim","monthly_cost_cents":4200' \
  "$TMP/e018.json"
check "delta json is valid JSON" python3 -c "import json,sys; json.load(open('$TMP/e018.json'))"

"$BR" compile "${POLICY[@]}" --people people.csv -o "$TMP/acme.brs" 2>/dev/null
"$BR" delta --rules "$TMP/acme.brs" --before people.csv --after people-after.csv \
  --as-of 2026-12-03 --format jsonl >"$TMP/snap.jsonl" 2>/dev/null
check "delta from a snapshot matches the golden file" cmp -s "$TMP/snap.jsonl" "$DELTA_GOLDEN"
# A layered snapshot (apps as two DAG layers merged at evaluation): the fast
# delta compares merged entitlements across two buffers' pools.
LAYERED="$SRC/fuzz/corpus/snapshot/acme-format3-layered.brs"
"$BR" delta --rules "$LAYERED" --before people.csv --after people-after.csv \
  --as-of 2026-12-03 --format jsonl >"$TMP/layered.jsonl" 2>/dev/null
check "delta from a layered snapshot matches the golden file" \
  cmp -s "$TMP/layered.jsonl" "$DELTA_GOLDEN"
"$BR" delta --rules "$LAYERED" --before people.csv --after people-after.csv \
  --as-of 2026-12-03 --before-as-of 2026-10-01 --format jsonl --threads 2 \
  >"$TMP/layered-2d.jsonl" 2>/dev/null
"$BR" delta "${POLICY[@]}" --before people.csv --after people-after.csv \
  --as-of 2026-12-03 --before-as-of 2026-10-01 --format jsonl >"$TMP/policy-2d.jsonl" 2>/dev/null
check "delta over two dates: layered snapshot = policy" \
  cmp -s "$TMP/layered-2d.jsonl" "$TMP/policy-2d.jsonl"
# Expiring access from a snapshot: the lapse dates come from the compiled
# as_of variable (a snapshot does not keep the rules' windows), so they match
# the policy's, layered or not.
"$BR" delta --rules "$LAYERED" --people people.csv --as-of 2026-12-05 --expiring-within 400d \
  --format jsonl >"$TMP/layered-exp.jsonl" 2>/dev/null
"$BR" delta --rules "$TMP/acme.brs" --people people.csv --as-of 2026-12-05 \
  --expiring-within 400d --format jsonl >"$TMP/snap-exp.jsonl" 2>/dev/null
"$BR" delta "${POLICY[@]}" --people people.csv --as-of 2026-12-05 \
  --expiring-within 400d --format jsonl >"$TMP/policy-exp.jsonl" 2>/dev/null
check "expiring-within: layered snapshot = policy" \
  cmp -s "$TMP/layered-exp.jsonl" "$TMP/policy-exp.jsonl"
check "expiring-within: one-DAG snapshot = policy" \
  cmp -s "$TMP/snap-exp.jsonl" "$TMP/policy-exp.jsonl"
check "expiring-within compared lapses" test "$(wc -l <"$TMP/policy-exp.jsonl")" -ge 10

# --- Policy change, expiring access, emergency leaver ------------------------
sed 's/^R22,\(.*\),Tableau,,Explorer,/R22,\1,Tableau,,Creator,/' rules.csv >"$TMP/rules-v2.csv"
"$BR" delta --catalog catalog.csv --aliases aliases.csv --schema schema.csv \
  --rules-before rules.csv --rules-after "$TMP/rules-v2.csv" --people people.csv \
  --as-of 2026-11-26 --format jsonl >"$TMP/policy.jsonl" 2>"$TMP/policy.err"
check "policy change: one line per person" test "$(wc -l <"$TMP/policy.jsonl")" -eq 40
check "policy change: the two sales managers change" test \
  "$(grep -c '"kind":"mover".*"change":\[{"app":"Tableau"' "$TMP/policy.jsonl")" -eq 2
check "policy change summary" grep -q "2 people change (38 unchanged)" "$TMP/policy.err"

"$BR" delta "${POLICY[@]}" --people people.csv --as-of 2026-12-05 --expiring-within 10d \
  --format jsonl >"$TMP/exp.jsonl" 2>/dev/null
check "expiring-within lists the contractor's four lapses" test \
  "$(grep -c '"person":"E012","effective":"2026-12-16","last_day":"2026-12-15"' "$TMP/exp.jsonl")" -eq 4

"$BR" delta "${POLICY[@]}" --people people.csv --leaver E039 --access access.csv \
  --as-of 2026-11-26 --format jsonl >"$TMP/leaver.jsonl" 2>/dev/null
check "leaver: one SPEC delta line" grep -q '^{"person":"E039","kind":"leaver","add":\[\],"remove":\[{"app":"1Password"' "$TMP/leaver.jsonl"
check "leaver: export-only accounts are revoked" grep -q '"app":"AWS","instance":"sandbox","level":"PowerUser","scopes":\[\],"expires":null,"reasons":\[\]' "$TMP/leaver.jsonl"

# --- Reconcile ---------------------------------------------------------------
"$BR" reconcile "${POLICY[@]}" --people people.csv --access access.csv --exported-apps \
  --as-of 2026-11-26 --format jsonl >"$TMP/rec.jsonl" 2>"$TMP/rec.err"
check "reconcile jsonl matches the golden file" cmp -s "$TMP/rec.jsonl" "$RECONCILE_GOLDEN"
check "reconcile summary" grep -q "1 missing, 7 excess (2 orphaned, 2 of terminated people), 2 level mismatches" "$TMP/rec.err"
"$BR" reconcile "${POLICY[@]}" --people people.csv --access access.csv --exported-apps \
  --as-of 2026-11-26 --format jsonl --reference >"$TMP/rec-ref.jsonl" 2>/dev/null
check "reconcile --reference matches the golden file" cmp -s "$TMP/rec-ref.jsonl" "$RECONCILE_GOLDEN"
# Against the one-DAG snapshot: without rule conditions a snapshot cannot
# name the deny behind an excess account (no "denied_by"), layered or not.
"$BR" reconcile --rules "$LAYERED" --people people.csv --access access.csv --exported-apps \
  --as-of 2026-11-26 --format jsonl >"$TMP/rec-layered.jsonl" 2>/dev/null
"$BR" reconcile --rules "$TMP/acme.brs" --people people.csv --access access.csv \
  --exported-apps --as-of 2026-11-26 --format jsonl >"$TMP/rec-snap.jsonl" 2>"$TMP/rec-snap.err"
check "reconcile from a snapshot says denied_by needs the source" \
  grep -q "no rule conditions.*denied_by" "$TMP/rec-snap.err"
check "reconcile: layered snapshot = one-DAG snapshot" \
  cmp -s "$TMP/rec-layered.jsonl" "$TMP/rec-snap.jsonl"
check "reconcile from a snapshot lists every item of the golden file" \
  test "$(wc -l <"$TMP/rec-snap.jsonl")" -eq "$(wc -l <"$RECONCILE_GOLDEN")"

# --- Usage and input errors exit 2 -------------------------------------------
expect_usage() {  # expect_usage NAME PATTERN ARGS...
  local name="$1" pattern="$2"
  shift 2
  "$BR" "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  check "$name exits 2" test "$rc" -eq 2
  check "$name says why" grep -q -- "$pattern" "$TMP/err"
  check "$name prints nothing on stdout" test ! -s "$TMP/out"
}
expect_usage "delta without a mode" "say what to compare" delta "${POLICY[@]}"
expect_usage "delta with two modes" "give one of" delta "${POLICY[@]}" --before people.csv \
  --after people-after.csv --leaver E001 --people people.csv
expect_usage "delta --before alone" "needs both --before" delta "${POLICY[@]}" --before people.csv
expect_usage "delta bad --as-of" "expected YYYY-MM-DD" delta "${POLICY[@]}" --before people.csv \
  --after people-after.csv --as-of 2026-13-01
expect_usage "delta bad --expiring-within" "number of days" delta "${POLICY[@]}" \
  --people people.csv --expiring-within soon
expect_usage "delta unknown leaver" "not in people.csv" delta "${POLICY[@]}" --people people.csv \
  --leaver E777
printf 'id,department\nX1,Sales\nX1,Finance\n' >"$TMP/dup.csv"
expect_usage "delta duplicate id" "duplicate person id 'X1'" delta "${POLICY[@]}" \
  --before "$TMP/dup.csv" --after people.csv
expect_usage "reconcile without --access" "needs --people FILE" reconcile "${POLICY[@]}" \
  --people people.csv
expect_usage "reconcile unknown option" "unknown option --acces" reconcile "${POLICY[@]}" \
  --people people.csv --acces access.csv

"$BR" delta --help >"$TMP/help"
check "delta --help exits 0 and teaches" grep -q "joiner     only in --after" "$TMP/help"
"$BR" reconcile --help >"$TMP/help"
check "reconcile --help exits 0 and teaches" grep -q "level-mismatch  an account" "$TMP/help"

finish "delta cli"
