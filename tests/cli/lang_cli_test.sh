#!/usr/bin/env bash
# End-to-end tests of the policy language on the command line: `fmt`,
# `migrate`, policy files as --rules for every subcommand, errors with
# file:line:col and a caret (SPEC §9, §10, §12; docs/policy-language.md).
# The examples of docs/policy-language.md run here too.
# Usage: lang_cli_test.sh PATH/TO/birthright SOURCE_DIR
set -u
source "$(dirname "$0")/testlib.sh" "$@"
cd "$SRC" || exit 2
SHEETS=(--catalog examples/acme/catalog.csv --aliases examples/acme/aliases.csv
        --schema examples/acme/schema.csv --sod examples/acme/sod.csv)

# --- migrate: the command of docs/policy-language.md reproduces the
# checked-in examples/acme/policy.brp byte for byte.
"$BR" migrate examples/acme/rules.csv "${SHEETS[@]}" --name acme-access \
  --policy-version 2.4 -o "$TMP/acme.brp" 2>"$TMP/migrate.err"
check "migrate acme exits 0" test $? -eq 0
check "migrate output equals examples/acme/policy.brp" \
  cmp -s "$TMP/acme.brp" examples/acme/policy.brp
check "migrate lists what it changed" \
  grep -q "rules.csv:52 rule R51: attribute 'employment_type' spelled 'employment type' as in the schema" "$TMP/migrate.err"
check "migrate prints a summary with the hash" \
  grep -q "^migrated 75 rules to .* duplicates merged); hash [0-9a-f]\{16\}$" "$TMP/migrate.err"
check "every rule keeps its origin" \
  test "$(grep -c '^# from rules.csv:' "$TMP/acme.brp")" -eq 75

# --- the policy file decides like the sheets it came from.
"$BR" eval --rules examples/acme/rules.csv "${SHEETS[@]}" \
  --people examples/acme/people.csv --as-of 2026-11-26 --format jsonl >"$TMP/sheets.jsonl"
check "eval on the sheets exits 0" test $? -eq 0
"$BR" eval --rules examples/acme/policy.brp --people examples/acme/people.csv \
  --as-of 2026-11-26 --format jsonl >"$TMP/eval.jsonl"
check "eval on policy.brp exits 0" test $? -eq 0
check "eval on policy.brp equals eval on the sheets" \
  cmp -s "$TMP/eval.jsonl" "$TMP/sheets.jsonl"
"$BR" eval --rules examples/acme/policy.brp --rules-format text \
  --people examples/acme/people.csv --as-of 2026-11-26 --format jsonl >"$TMP/eval2.jsonl"
check "--rules-format text reads it too" cmp -s "$TMP/eval2.jsonl" "$TMP/sheets.jsonl"
"$BR" eval --rules examples/acme/policy.brp --rules-format list \
  --people examples/acme/people.csv >/dev/null 2>"$TMP/list.err"
check "--rules-format list on a policy file is an input error" test $? -eq 2

# check findings point into the policy file (SPEC §7, §10).
"$BR" check --rules examples/acme/policy.brp --people examples/acme/people.csv \
  --as-of 2026-11-26 --format jsonl >"$TMP/check.jsonl"
check "check on policy.brp exits 1 (acme's SoD pairs are violated)" test $? -eq 1
check "check locations name policy.brp lines" python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines, "no findings"
src = open("examples/acme/policy.brp").read().split("\n")
for d in lines:
    for loc in d["locations"]:
        f, line = loc.split(":")[:2]
        assert f == "examples/acme/policy.brp", loc
        text = src[int(line) - 1]
        assert text.startswith(("rule ", "sod ", "  ")), (loc, text)
shadowed = [d for d in lines if d["code"] == "shadowed"]
assert shadowed and shadowed[0]["rules"] == ["R24"], shadowed
loc = shadowed[0]["locations"][0]
assert src[int(loc.split(":")[1]) - 1].startswith("rule R24 "), loc
sod = [d for d in lines if d["code"] == "sod-violation"]
assert sod and src[int(sod[0]["locations"][0].split(":")[1]) - 1].startswith("sod SOD1 "), sod
' "$TMP/check.jsonl"

# Sheets given next to a policy file add to it; a clash names both places.
printf 'rule R1 grant Okta: User\n' >"$TMP/mini.brp"
"$BR" eval --rules "$TMP/mini.brp" --catalog examples/acme/catalog.csv \
  --people examples/acme/people.csv --person E017 --format jsonl >"$TMP/mini.jsonl"
check "a policy file plus --catalog evaluates" grep -q '"app":"Okta","instance":"","level":"User"' "$TMP/mini.jsonl"
"$BR" eval --rules examples/acme/policy.brp --catalog examples/acme/catalog.csv \
  --people examples/acme/people.csv >/dev/null 2>"$TMP/clash.err"
check "an app in both the file and --catalog exits 2" test $? -eq 2
check "the clash names both places" grep -q "catalog.csv:2: app Okta is also declared in the policy file (examples/acme/policy.brp:" "$TMP/clash.err"

# compile: a snapshot of the policy file evaluates like a snapshot of the
# sheets, and both carry the same content hash (SPEC §9).
"$BR" compile --rules examples/acme/policy.brp -o "$TMP/acme.brs" 2>"$TMP/brp.compile"
check "compile policy.brp exits 0" test $? -eq 0
"$BR" compile --rules examples/acme/rules.csv "${SHEETS[@]}" -o "$TMP/sheets.brs" 2>"$TMP/csv.compile"
check "compile the sheets exits 0" test $? -eq 0
brp_hash="$(sed -n 's/.*hash \([0-9a-f]\{12,\}\).*/\1/p' "$TMP/brp.compile")"
csv_hash="$(sed -n 's/.*hash \([0-9a-f]\{12,\}\).*/\1/p' "$TMP/csv.compile")"
check "compile prints the content hash" test -n "$brp_hash"
check "the sheets and policy.brp have the same content hash" test "$brp_hash" = "$csv_hash"
"$BR" eval --rules "$TMP/acme.brs" --people examples/acme/people.csv \
  --as-of 2026-11-26 --format jsonl >"$TMP/eval3.jsonl"
"$BR" eval --rules "$TMP/sheets.brs" --people examples/acme/people.csv \
  --as-of 2026-11-26 --format jsonl >"$TMP/eval4.jsonl"
check "snapshot of policy.brp evaluates like the sheets' snapshot" \
  cmp -s "$TMP/eval3.jsonl" "$TMP/eval4.jsonl"

# --- fmt: canonical, idempotent, --check, --in-place, comments kept.
"$BR" fmt --check examples/acme/policy.brp
check "examples/acme/policy.brp is formatted" test $? -eq 0
cat >"$TMP/messy.brp" <<'BRP'
# Header comment.
rule R2 deny   Okta   # why not
RULE R1 Grant okta : "User"
      when dept = Sales
        and grade >= L3
policy demo version "1"
app Okta levels (User,Admin)
BRP
cat >"$TMP/want.brp" <<'BRP'
policy demo version 1

app Okta levels (User, Admin)

# Header comment.
# why not
rule R2 deny Okta

rule R1 grant okta: User
  when dept = Sales
   and grade >= L3
BRP
"$BR" fmt "$TMP/messy.brp" >"$TMP/out.brp"
check "fmt exits 0" test $? -eq 0
check "fmt prints the canonical form" cmp -s "$TMP/out.brp" "$TMP/want.brp"
"$BR" fmt "$TMP/out.brp" >"$TMP/out2.brp"
check "fmt is idempotent" cmp -s "$TMP/out.brp" "$TMP/out2.brp"
"$BR" fmt --check "$TMP/messy.brp" 2>"$TMP/check.err"
check "fmt --check exits 1 on an unformatted file" test $? -eq 1
check "fmt --check names the file" grep -q "messy.brp: not formatted" "$TMP/check.err"
"$BR" fmt - <"$TMP/messy.brp" >"$TMP/stdin.brp"
check "fmt reads standard input" cmp -s "$TMP/stdin.brp" "$TMP/want.brp"
"$BR" fmt "$TMP/messy.brp" -o "$TMP/o.brp"
check "fmt -o writes the file" cmp -s "$TMP/o.brp" "$TMP/want.brp"
"$BR" fmt --in-place "$TMP/messy.brp"
check "fmt --in-place rewrites the file" cmp -s "$TMP/messy.brp" "$TMP/want.brp"
"$BR" fmt --check "$TMP/messy.brp"
check "then fmt --check passes" test $? -eq 0
"$BR" fmt --check -o x "$TMP/messy.brp" 2>/dev/null
check "fmt with two modes is a usage error" test $? -eq 2

# --- errors: file:line:col, the line, a caret; exit 2 (the doc's example).
printf 'rule R1 grant Okta\n  when dept = x\n  priority high\n' >"$TMP/bad.brp"
"$BR" fmt "$TMP/bad.brp" >/dev/null 2>"$TMP/bad.err"
check "a syntax error exits 2" test $? -eq 2
printf 'birthright fmt: %s:3:12: malformed priority '"'"'high'"'"'; expected an integer between -1000000000 and 1000000000\n    priority high\n             ^\n' "$TMP/bad.brp" >"$TMP/bad.want"
check "the error has file:line:col and a caret" cmp -s "$TMP/bad.err" "$TMP/bad.want"
"$BR" eval --rules "$TMP/bad.brp" --people examples/acme/people.csv >/dev/null 2>"$TMP/bad2.err"
check "eval on a bad policy file exits 2" test $? -eq 2
check "eval reports the same position" grep -q "bad.brp:3:12: malformed priority" "$TMP/bad2.err"

# --- migrate an access matrix (the app columns come from the catalog).
cat >"$TMP/matrix.csv" <<'CSV'
id,department,Slack [corp],GitHub [acme-org]
eng,Engineering,x,write
eng-copy,engineering,X,Write
sales,Sales,x,
CSV
"$BR" migrate "$TMP/matrix.csv" --catalog examples/acme/catalog.csv \
  -o "$TMP/matrix.brp" 2>"$TMP/matrix.err"
check "migrate a matrix exits 0" test $? -eq 0
check "duplicate matrix rows are merged" \
  grep -q "matrix.csv:3 rule eng-copy: exact duplicate of rule eng (matrix.csv:2); merged" "$TMP/matrix.err"
check "the merge is recorded in the file" \
  grep -q "^# merged exact duplicate: rule eng-copy from matrix.csv:3$" "$TMP/matrix.brp"
check "catalog spelling is used" grep -q "^    GitHub \[acme-org\]: Write$" "$TMP/matrix.brp"
"$BR" migrate "$TMP/matrix.csv" -o "$TMP/nocat.brp" 2>"$TMP/nocat.err"
check "a matrix without catalog or --app-columns is an input error" test $? -eq 2
"$BR" migrate examples/acme/policy.brp -o "$TMP/x.brp" 2>/dev/null
check "migrating a policy file is refused" test $? -eq 2

# --- help teaches, with an example.
"$BR" fmt --help | grep -q "^Examples:" ; check "fmt --help has examples" test $? -eq 0
"$BR" migrate --help | grep -q "birthright migrate examples/acme/rules.csv" ; check "migrate --help has an example" test $? -eq 0
"$BR" --help | grep -q "^  migrate " ; check "usage lists migrate" test $? -eq 0

# --- every ```brp block of docs/policy-language.md parses; the first is
# canonical.
python3 - "$TMP" <<'PY'
import re, sys
doc = open("docs/policy-language.md").read()
blocks = re.findall(r"```brp\n(.*?)```", doc, re.S)
assert len(blocks) >= 5, len(blocks)
for i, b in enumerate(blocks):
    open(f"{sys.argv[1]}/doc{i}.brp", "w").write(b)
PY
check "docs have brp examples" test -f "$TMP/doc0.brp"
for f in "$TMP"/doc*.brp; do
  "$BR" fmt "$f" >/dev/null
  check "doc example $(basename "$f") parses" test $? -eq 0
done
"$BR" fmt --check "$TMP/doc0.brp"
check "the first doc example is in canonical form" test $? -eq 0
"$BR" eval --rules "$TMP/doc0.brp" --people examples/acme/people.csv \
  --as-of 2026-11-26 --person E017 --format jsonl >"$TMP/doc0.jsonl" 2>/dev/null
check "the first doc example evaluates" test $? -eq 0

finish lang_cli_test
