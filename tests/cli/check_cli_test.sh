#!/usr/bin/env bash
# End-to-end tests of `birthright check` (SPEC §7, §11, §12; docs/check.md).
# Usage: check_cli_test.sh PATH/TO/birthright SOURCE_DIR
set -u
source "$(dirname "$0")/testlib.sh" "$@"
cd "$SRC" || exit 2
POLICY=(--rules examples/acme/rules.csv --catalog examples/acme/catalog.csv
        --aliases examples/acme/aliases.csv --schema examples/acme/schema.csv)

"$BR" check "${POLICY[@]}" --people examples/acme/people.csv --as-of 2026-11-26 \
  --format jsonl >"$TMP/acme.jsonl"
check "acme check exits 0 (only warnings, default --fail-on error)" test $? -eq 0
check "acme jsonl matches the golden file" \
  cmp -s "$TMP/acme.jsonl" tests/testdata/acme_check.golden.jsonl
"$BR" check "${POLICY[@]}" --people examples/acme/people.csv --as-of 2026-11-26 \
  --fail-on warning >/dev/null
check "--fail-on warning exits 1 on the R64 warning" test $? -eq 1

# A sheet with an error (unknown app), a duplicate and a dead rule.
cat >"$TMP/rules.csv" <<'CSV'
id,department,grade,app,level
R1,Sales | Marketing,,Okta,User
R2,marketing; sales,,okta,user
R3,Sales,L4..L2,Okta,Admin
R4,Sales,,Jira,
CSV
cat >"$TMP/catalog.csv" <<'CSV'
app,instance,levels,default level,owner,provisioning,monthly cost
Okta,,User;Admin,,,,
CSV
cat >"$TMP/schema.csv" <<'CSV'
attribute,type,order,case sensitive
department,string,,
grade,ordinal,L1;L2;L3;L4,
CSV
BAD=(--rules "$TMP/rules.csv" --catalog "$TMP/catalog.csv" --schema "$TMP/schema.csv")
"$BR" check "${BAD[@]}" --format jsonl >"$TMP/bad.jsonl"
check "errors exit 1" test $? -eq 1
check "jsonl has one line per finding" test "$(wc -l <"$TMP/bad.jsonl")" -eq 3
check "jsonl keys in SPEC §11 order" python3 -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert list(d)[:5] == ["code", "severity", "rules", "locations", "message"], list(d)
    assert d["severity"] in ("error", "warning", "info")
codes = [json.loads(l)["code"] for l in open(sys.argv[1])]
assert codes == ["unknown-app", "unsatisfiable", "duplicate"], codes
' "$TMP/bad.jsonl"
"$BR" check "${BAD[@]}" --format sarif >"$TMP/bad.sarif"
check "sarif exits 1 too" test $? -eq 1
check "sarif is SARIF 2.1.0 JSON" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0" and "$schema" in d
run = d["runs"][0]
assert run["tool"]["driver"]["name"] == "birthright"
ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
for r in run["results"]:
    assert r["ruleId"] in ids and r["level"] in ("error", "warning", "note")
    assert r["message"]["text"]
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("rules.csv") and loc["region"]["startLine"] >= 2
' "$TMP/bad.sarif"
"$BR" check "${BAD[@]}" --format json | python3 -c 'import json,sys; assert len(json.load(sys.stdin)["findings"]) == 3'
check "json is one document" test "${PIPESTATUS[1]}" -eq 0
"$BR" check "${BAD[@]}" >"$TMP/bad.txt"
check "table groups by severity" grep -q '^Errors (2)' "$TMP/bad.txt"
"$BR" check "${BAD[@]}" --fail-on nope 2>/dev/null
check "bad --fail-on exits 2" test $? -eq 2
"$BR" check --rules "$TMP/missing.csv" 2>/dev/null
check "missing input exits 2" test $? -eq 2
"$BR" check --help >/dev/null
check "--help exits 0" test $? -eq 0

# Separation of duties (--sod; docs/check.md, docs/formats.md).
"$BR" check "${POLICY[@]}" --sod examples/acme/sod.csv --as-of 2026-11-26 \
  --format jsonl >"$TMP/sod.jsonl"
check "a reachable toxic pair is an error: exit 1" test $? -eq 1
check "sod-violation names the pair and the two grants, with a witness" python3 -c '
import json, sys
sod = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["code"] == "sod-violation"]
assert [f["rules"] for f in sod] == [["SOD1", "R67", "R16"]], sod
assert sod[0]["severity"] == "error"
assert sod[0]["locations"][0] == "examples/acme/sod.csv:2"
w = sod[0]["witness"]
assert w["department"] == "Finance" and w["job title"] == "Accounts Payable Specialist", w
' "$TMP/sod.jsonl"
printf 'id,first,second,message\nS1,NetSuite: ,Okta,x\n' >"$TMP/bad_sod.csv"
"$BR" check "${POLICY[@]}" --sod "$TMP/bad_sod.csv" 2>"$TMP/bad_sod.err"
check "a malformed SoD sheet exits 2" test $? -eq 2
check "the SoD error names file:line:col" grep -q "bad_sod.csv:2:13: expected a level after ':'" "$TMP/bad_sod.err"

# eval --sod flags a person holding a toxic pair (json key after SPEC §11's).
"$BR" eval "${POLICY[@]}" --sod examples/acme/sod.csv --as-of 2026-11-26 \
  --attr department=Finance --attr 'job title=Accounts Payable Specialist' \
  --attr 'employment type=Full-time' --attr grade=L5 --attr 'cost center=4100' \
  --format jsonl >"$TMP/eval_sod.jsonl"
check "eval --sod exits 0" test $? -eq 0
check "eval --sod jsonl matches the golden file" \
  cmp -s "$TMP/eval_sod.jsonl" tests/testdata/acme_eval_sod.golden.jsonl
"$BR" eval "${POLICY[@]}" --sod examples/acme/sod.csv --as-of 2026-11-26 \
  --attr department=Finance --attr 'job title=Accounts Payable Specialist' \
  --attr 'employment type=Full-time' --attr grade=L5 --attr 'cost center=4100' \
  >"$TMP/eval_sod.txt"
check "eval --sod table shows a warning line" \
  grep -q "WARNING: separation of duties SOD1" "$TMP/eval_sod.txt"
"$BR" eval "${POLICY[@]}" --sod examples/acme/sod.csv --as-of 2026-11-26 \
  --people examples/acme/people.csv --format jsonl >"$TMP/eval_people.jsonl"
check "eval --sod flags exactly E028 and E030; without the sod key it is the golden" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
golden = open(sys.argv[2]).read().splitlines()
assert len(lines) == len(golden)
flagged = []
for line, want in zip(lines, golden):
    d = json.loads(line)
    if "sod" in d:
        assert list(d)[-1] == "sod" and d["sod"][0]["id"] == "SOD1", d
        flagged.append(d["person"])
        del d["sod"]
    assert json.dumps(d, separators=(",", ":"), ensure_ascii=False) == want or d == json.loads(want)
assert flagged == ["E028", "E030"], flagged
' "$TMP/eval_people.jsonl" tests/testdata/acme_eval.golden.jsonl

finish check_cli_test
