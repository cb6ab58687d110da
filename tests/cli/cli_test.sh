#!/usr/bin/env bash
# End-to-end tests of the `birthright` command line (SPEC §11, §12).
# Usage: cli_test.sh PATH/TO/birthright SOURCE_DIR
set -u
source "$(dirname "$0")/testlib.sh" "$@"

POLICY=(--rules "$ACME/rules.csv" --catalog "$ACME/catalog.csv" --aliases "$ACME/aliases.csv"
        --schema "$ACME/schema.csv")
GOLDEN="$SRC/tests/testdata/acme_eval.golden.jsonl"

"$BR" eval "${POLICY[@]}" --people "$ACME/people.csv" --as-of 2026-11-26 --format jsonl >"$TMP/dag.jsonl"
check "eval jsonl (DAG) matches the golden file" cmp -s "$TMP/dag.jsonl" "$GOLDEN"

"$BR" eval "${POLICY[@]}" --people "$ACME/people.csv" --as-of 2026-11-26 --format jsonl \
  --reference >"$TMP/ref.jsonl"
check "eval --reference matches the golden file" cmp -s "$TMP/ref.jsonl" "$GOLDEN"

"$BR" eval "${POLICY[@]}" --people "$ACME/people.csv" --as-of 2026-11-26 --format jsonl \
  --threads 3 >"$TMP/threads.jsonl"
check "eval --threads 3 is byte-identical" cmp -s "$TMP/threads.jsonl" "$GOLDEN"

"$BR" eval "${POLICY[@]}" --people "$ACME/people.csv" --as-of 2026-11-26 --format json >"$TMP/all.json"
check "eval --format json is one document" grep -q '^{"policy":"rules","version":"unversioned","as_of":"2026-11-26","decisions":\[' "$TMP/all.json"

"$BR" eval "${POLICY[@]}" --people "$ACME/people.csv" --as-of 2026-11-26 --person E039 >"$TMP/leaver.txt"
check "a leaver gets nothing (table)" grep -q "leaver: terminated before 2026-11-26" "$TMP/leaver.txt"

"$BR" eval "${POLICY[@]}" --attr "department=Sales" --attr "job title=Sales Engineer" \
  --attr "location=SF" --attr "employment type=Employee" --as-of 2026-11-26 --format jsonl >"$TMP/adhoc.jsonl"
check "--attr evaluates an ad-hoc person" grep -q '"person":"adhoc".*"app":"GitHub"' "$TMP/adhoc.jsonl"

printf 'id,department,app\nR1,"Sales,Okta\n' >"$TMP/bad.csv"
"$BR" eval --rules "$TMP/bad.csv" --attr department=Sales >"$TMP/out" 2>"$TMP/err"
rc=$?
check "malformed CSV exits 2" test "$rc" -eq 2
check "malformed CSV names file:line:col" grep -q "bad.csv:2:4: unterminated quoted field" "$TMP/err"
check "malformed CSV grants nothing" test ! -s "$TMP/out"

printf 'id,department,app\nR1,Sales,Nope\n' >"$TMP/unknown.csv"
"$BR" eval --rules "$TMP/unknown.csv" --catalog "$ACME/catalog.csv" --attr department=Sales \
  >"$TMP/out" 2>"$TMP/err"
rc=$?
check "unknown app exits 2" test "$rc" -eq 2
check "unknown app is named" grep -q "unknown.csv:2:.*app 'Nope' is not in the catalog \[unknown-app\]" "$TMP/err"
check "unknown app grants nothing" test ! -s "$TMP/out"

"$BR" eval --bogus >/dev/null 2>"$TMP/err"
rc=$?
check "unknown option exits 2" test "$rc" -eq 2
check "unknown option is named" grep -q "unknown option --bogus" "$TMP/err"

"$BR" eval --help >"$TMP/help"
rc=$?
check "eval --help exits 0" test "$rc" -eq 0
check "eval --help teaches --as-of" grep -q -- "--as-of DATE" "$TMP/help"

"$BR" >/dev/null 2>&1
rc=$?
check "no subcommand exits 2" test "$rc" -eq 2

"$BR" compile "${POLICY[@]}" --stats >"$TMP/stats.json"
check "compile --stats prints JSON" grep -q '^{"policy":"rules".*"nodes":[0-9][0-9]*' "$TMP/stats.json"
"$BR" compile "${POLICY[@]}" --dot >"$TMP/acme.dot"
check "compile --dot prints Graphviz" grep -q '^digraph birthright {' "$TMP/acme.dot"
# --layer-min-rules: acme's apps have few rules, so by default none is
# layered; 0 makes every app a candidate, and --one-dag-nodes 0 layers every
# candidate that splits, `never` none; the rest is a usage error. A layered
# compile still answers like the policy.
check "compile --stats: no layered app by default" grep -q '"layered_apps":0,' "$TMP/stats.json"
"$BR" compile "${POLICY[@]}" --layer-min-rules 0 --stats >"$TMP/stats-try.json"
check "compile --layer-min-rules 0 keeps acme's small DAGs whole" grep -q '"layered_apps":0,' "$TMP/stats-try.json"
"$BR" compile "${POLICY[@]}" --layer-min-rules 0 --one-dag-nodes 1 --stats >"$TMP/stats-tight.json"
check "compile --one-dag-nodes 1 layers some apps, not all" python3 -c "
import json, sys
n = json.load(open(sys.argv[1]))['layered_apps']
sys.exit(0 if 0 < n < 15 else 1)" "$TMP/stats-tight.json"
"$BR" compile "${POLICY[@]}" --layer-min-rules 0 --one-dag-nodes 0 --stats >"$TMP/stats0.json"
check "compile --layer-min-rules 0 --one-dag-nodes 0 layers 15 apps" grep -q '"layered_apps":15,' "$TMP/stats0.json"
"$BR" compile "${POLICY[@]}" --layer-min-rules never --stats >"$TMP/stats-never.json"
check "compile --layer-min-rules never layers none" cmp -s "$TMP/stats-never.json" "$TMP/stats.json"
"$BR" compile "${POLICY[@]}" --layer-min-rules 0 --one-dag-nodes 0 --dot >"$TMP/layered.dot"
check "compile --dot draws the layers" grep -q 'label="layer 2"' "$TMP/layered.dot"
check "compile --stats counts the layers" grep -q '"layers":30,' "$TMP/stats0.json"
"$BR" compile "${POLICY[@]}" --layer-min-rules 0 --one-dag-nodes 0 --layer-split 2 --stats >"$TMP/stats-split.json"
check "compile --layer-split 2 splits four apps in three" grep -q '"layered_apps":15,"layers":34,' "$TMP/stats-split.json"
rc=0
"$BR" compile "${POLICY[@]}" --layer-split 0 --stats >/dev/null 2>"$TMP/err" || rc=$?
check "a bad --layer-split exits 2" test "$rc" -eq 2
check "a bad --layer-split is named" grep -q -- "--layer-split: expected" "$TMP/err"
rc=0
"$BR" compile "${POLICY[@]}" --layer-min-rules -3 --stats >/dev/null 2>"$TMP/err" || rc=$?
check "a bad --layer-min-rules exits 2" test "$rc" -eq 2
check "a bad --layer-min-rules is named" grep -q -- "--layer-min-rules: expected" "$TMP/err"
rc=0
"$BR" compile "${POLICY[@]}" --one-dag-nodes x --stats >/dev/null 2>"$TMP/err" || rc=$?
check "a bad --one-dag-nodes exits 2" test "$rc" -eq 2
check "a bad --one-dag-nodes is named" grep -q -- "--one-dag-nodes: expected" "$TMP/err"
# --one-dag-spread 0: every app's rules apply on at least one class of its
# first variable, so no app is tried as one DAG, as with --one-dag-nodes 0.
"$BR" compile "${POLICY[@]}" --layer-min-rules 0 --one-dag-spread 0 --stats >"$TMP/stats-spread0.json"
check "compile --one-dag-spread 0 layers 15 apps" cmp -s "$TMP/stats-spread0.json" "$TMP/stats0.json"
"$BR" compile "${POLICY[@]}" --layer-min-rules 0 --one-dag-spread 1000 --stats >"$TMP/stats-spread.json"
check "compile --one-dag-spread 1000 keeps acme's small DAGs whole" cmp -s "$TMP/stats-spread.json" "$TMP/stats-try.json"
rc=0
"$BR" compile "${POLICY[@]}" --one-dag-spread -1 --stats >/dev/null 2>"$TMP/err" || rc=$?
check "a bad --one-dag-spread exits 2" test "$rc" -eq 2
check "a bad --one-dag-spread is named" grep -q -- "--one-dag-spread: expected" "$TMP/err"

"$BR" compile "${POLICY[@]}" --people "$ACME/people.csv" -o "$TMP/acme.brs" 2>/dev/null
"$BR" eval --rules "$TMP/acme.brs" --people "$ACME/people.csv" --as-of 2026-11-26 --format jsonl >"$TMP/snap.jsonl"
check "eval from a snapshot matches the golden file" cmp -s "$TMP/snap.jsonl" "$GOLDEN"
# tests/testdata/acme-format1.brs was written by the format-1 writer (nodes
# with parallel edge arrays); this library lays it out as code on load.
"$BR" eval --rules "$SRC/tests/testdata/acme-format1.brs" --people "$ACME/people.csv" --as-of 2026-11-26 --format jsonl >"$TMP/snap1.jsonl"
check "a format-1 snapshot still loads and matches the golden file" cmp -s "$TMP/snap1.jsonl" "$GOLDEN"
"$BR" compile "${POLICY[@]}" --people "$ACME/people.csv" -o "$TMP/acme2.brs" 2>/dev/null
check "the same policy gives the same snapshot bytes" cmp -s "$TMP/acme.brs" "$TMP/acme2.brs"
head -c 200 "$TMP/acme.brs" >"$TMP/trunc.brs"
"$BR" eval --rules "$TMP/trunc.brs" --people "$ACME/people.csv" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "a truncated snapshot exits 2" test "$rc" -eq 2
check "a truncated snapshot is named" grep -q "trunc.brs: snapshot truncated" "$TMP/err"
check "a truncated snapshot grants nothing" test ! -s "$TMP/out"

# Layered snapshots (acme compiled with --layer-min-rules 0 and, since the
# one-DAG budget, --one-dag-nodes 0: 15 of 26 apps as
# layers, outcomes merged at evaluation into DecisionBuffer::pool; format 3
# with two layers per app, formats 4 to 6 with --layer-split 2, up to
# three; format 5 without the leaves' rules, format 6 with its sparse nodes
# padded) print
# byte for byte what the policy prints: merged scopes, reasons and expiries
# are rendered from the buffer's pool.
for LAYERED in "$SRC/fuzz/corpus/snapshot/acme-format3-layered.brs" \
               "$SRC/fuzz/corpus/snapshot/acme-format4-layered.brs" \
               "$SRC/fuzz/corpus/snapshot/acme-format5-layered.brs" \
               "$SRC/fuzz/corpus/snapshot/acme-format6-layered.brs"; do
  "$BR" eval --rules "$LAYERED" --people "$ACME/people.csv" --as-of 2026-11-26 --format jsonl \
    >"$TMP/layered.jsonl"
  check "$(basename "$LAYERED"): eval from a layered snapshot matches the golden file" cmp -s "$TMP/layered.jsonl" "$GOLDEN"
  "$BR" eval --rules "$LAYERED" --people "$ACME/people.csv" --as-of 2026-11-26 --format json \
    >"$TMP/layered.json"
  # The snapshot names itself (acme-layered v1); the rest is the policy's.
  check "$(basename "$LAYERED"): eval --format json from a layered snapshot matches the policy" python3 -c "
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert (a['policy'], a['version']) == ('acme-layered', 'v1')
del a['policy'], a['version'], b['policy'], b['version']
assert a == b and len(a['decisions']) == 40
" "$TMP/layered.json" "$TMP/all.json"
  "$BR" eval --rules "$LAYERED" --people "$ACME/people.csv" --as-of 2026-11-26 --format jsonl \
    --threads 3 >"$TMP/layered-threads.jsonl"
  check "$(basename "$LAYERED"): eval --threads 3 from a layered snapshot matches the golden file" \
    cmp -s "$TMP/layered-threads.jsonl" "$GOLDEN"
  for day in 2025-03-01 2026-12-16 2027-06-30; do
    "$BR" eval "${POLICY[@]}" --people "$ACME/people.csv" --as-of "$day" >"$TMP/policy-$day.txt"
    "$BR" eval --rules "$LAYERED" --people "$ACME/people.csv" --as-of "$day" \
      >"$TMP/layered-$day.txt"
    check "$(basename "$LAYERED"): eval table on $day: layered snapshot = policy" \
      cmp -s "$TMP/layered-$day.txt" "$TMP/policy-$day.txt"
    "$BR" eval "${POLICY[@]}" --people "$ACME/people.csv" --as-of "$day" --format jsonl \
      >"$TMP/policy-$day.jsonl"
    "$BR" eval --rules "$LAYERED" --people "$ACME/people.csv" --as-of "$day" --format jsonl \
      >"$TMP/layered-$day.jsonl"
    check "$(basename "$LAYERED"): eval jsonl on $day: layered snapshot = policy" \
      cmp -s "$TMP/layered-$day.jsonl" "$TMP/policy-$day.jsonl"
  done
done
check "the layered comparisons saw merged answers" grep -q '"scopes":\["[^]]*","' "$TMP/layered.jsonl"

finish cli
