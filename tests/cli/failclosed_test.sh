#!/usr/bin/env bash
# Fail closed (SPEC §4.6, §10; issue "Hardening" item 6): for every kind of bad
# input, `eval`, `delta` and `reconcile` exit 2, print nothing on stdout (so a
# pipeline that provisions from stdout grants nothing) and name the problem on
# stderr. Usage: failclosed_test.sh PATH/TO/birthright SOURCE_DIR
set -u
source "$(dirname "$0")/testlib.sh" "$@"

# expect_refusal NAME EXPECTED_STDERR_SUBSTRING COMMAND...
expect_refusal() {
  local name="$1" want="$2"
  shift 2
  "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  if [[ $rc -eq 2 && ! -s "$TMP/out" ]] && grep -qF -- "$want" "$TMP/err"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name (exit $rc, stdout $(wc -c <"$TMP/out") bytes; stderr:" >&2
    head -c 400 "$TMP/err" >&2
    echo ")" >&2
  fi
}

CAT=(--catalog "$ACME/catalog.csv" --aliases "$ACME/aliases.csv" --schema "$ACME/schema.csv")
PEOPLE=(--people "$ACME/people.csv" --as-of 2026-11-26 --format jsonl)

# --- broken inputs, one per error path ---------------------------------------------------
printf 'id,department,app,level\nR1,"Sales,Okta,User\n' >"$TMP/unterminated.csv"
printf 'id,department,app,level\nR1,Sales,NoSuchApp,User\n' >"$TMP/unknown_app.csv"
printf 'id,department,app,level\nR1,Sales,Okta,Overlord\n' >"$TMP/unknown_level.csv"
printf 'id,grade,app,level\nR1,> banana,Okta,User\n' >"$TMP/type_mismatch.csv"
printf 'id,department,app,level,unless\nR1,Sales,Okta,User,department = (\n' >"$TMP/bad_unless.csv"
printf 'id,title,app,level\nR1,/(unclosed/,Okta,User\n' >"$TMP/bad_regex.csv"
printf 'id,department,app,level,expires\nR1,Sales,Okta,User,2026-02-30\n' >"$TMP/bad_date.csv"
{
  printf 'id,department,app,level,unless\nR1,Sales,Okta,User,'
  for _ in $(seq 200); do printf 'not ('; done
  printf 'a = b'
  for _ in $(seq 200); do printf ')'; done
  printf '\n'
} >"$TMP/deep_unless.csv"
printf 'app,instance,levels\nOkta,,User;Admin\nOkta,,User\n' >"$TMP/dup_catalog.csv"
printf 'id,department\nE1,Sales\nE1,Sales\n' >"$TMP/dup_people.csv"
printf 'id,department\nE1,"Sales\n' >"$TMP/bad_people.csv"
printf 'not a snapshot, not a sheet\x00\x01\x02' >"$TMP/garbage.bin"

expect_refusal "eval: unterminated quote" "unterminated.csv:2:" \
  "$BR" eval --rules "$TMP/unterminated.csv" "${CAT[@]}" "${PEOPLE[@]}"
expect_refusal "eval: unknown app" "unknown_app.csv:2:" \
  "$BR" eval --rules "$TMP/unknown_app.csv" "${CAT[@]}" "${PEOPLE[@]}"
expect_refusal "eval: unknown level" "unknown_level.csv:2:" \
  "$BR" eval --rules "$TMP/unknown_level.csv" "${CAT[@]}" "${PEOPLE[@]}"
expect_refusal "eval: type mismatch" "type_mismatch.csv:2:" \
  "$BR" eval --rules "$TMP/type_mismatch.csv" "${CAT[@]}" "${PEOPLE[@]}"
expect_refusal "eval: bad unless" "bad_unless.csv:2:" \
  "$BR" eval --rules "$TMP/bad_unless.csv" "${CAT[@]}" "${PEOPLE[@]}"
expect_refusal "eval: bad regex" "bad_regex.csv:2:" \
  "$BR" eval --rules "$TMP/bad_regex.csv" "${CAT[@]}" "${PEOPLE[@]}"
expect_refusal "eval: impossible date" "bad_date.csv:2:" \
  "$BR" eval --rules "$TMP/bad_date.csv" "${CAT[@]}" "${PEOPLE[@]}"
expect_refusal "eval: unless nesting limit" "deep_unless.csv:2:" \
  "$BR" eval --rules "$TMP/deep_unless.csv" "${CAT[@]}" "${PEOPLE[@]}"
expect_refusal "eval: duplicate catalog row" "dup_catalog.csv:3" \
  "$BR" eval --rules "$ACME/rules.csv" --catalog "$TMP/dup_catalog.csv" \
  --aliases "$ACME/aliases.csv" --schema "$ACME/schema.csv" "${PEOPLE[@]}"
expect_refusal "eval: broken people file" "bad_people.csv:2:" \
  "$BR" eval --rules "$ACME/rules.csv" "${CAT[@]}" --people "$TMP/bad_people.csv" \
  --as-of 2026-11-26 --format jsonl
expect_refusal "eval: bad --as-of" "as-of" \
  "$BR" eval --rules "$ACME/rules.csv" "${CAT[@]}" --people "$ACME/people.csv" \
  --as-of 2026-02-30 --format jsonl
expect_refusal "eval: garbage rules file" "garbage.bin" \
  "$BR" eval --rules "$TMP/garbage.bin" "${CAT[@]}" "${PEOPLE[@]}"
expect_refusal "eval: --threads past its limit" "--threads" \
  "$BR" eval --rules "$ACME/rules.csv" "${CAT[@]}" "${PEOPLE[@]}" --threads 1000
expect_refusal "eval: missing rules file" "no_such.csv" \
  "$BR" eval --rules "$TMP/no_such.csv" "${CAT[@]}" "${PEOPLE[@]}"

# Snapshots: corrupt, truncated and foreign bytes are refused.
"$BR" compile --rules "$ACME/rules.csv" "${CAT[@]}" -o "$TMP/acme.brs" >/dev/null 2>&1
if [[ -s "$TMP/acme.brs" ]]; then
  passed=$((passed + 1))
  size=$(wc -c <"$TMP/acme.brs")
  head -c $((size / 2)) "$TMP/acme.brs" >"$TMP/truncated.brs"
  cp "$TMP/acme.brs" "$TMP/flipped.brs"
  printf '\x5a' | dd of="$TMP/flipped.brs" bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
  expect_refusal "eval: truncated snapshot" "truncated.brs" \
    "$BR" eval --rules "$TMP/truncated.brs" "${PEOPLE[@]}"
  expect_refusal "eval: flipped byte in snapshot" "flipped.brs" \
    "$BR" eval --rules "$TMP/flipped.brs" "${PEOPLE[@]}"
else
  failed=$((failed + 1))
  echo "FAILED: compile -o produced no snapshot" >&2
fi

# delta and reconcile refuse the same way.
expect_refusal "delta: unknown app" "unknown_app.csv:2:" \
  "$BR" delta --rules "$TMP/unknown_app.csv" "${CAT[@]}" --before "$ACME/people.csv" \
  --after "$ACME/people-after.csv" --as-of 2026-11-26 --format jsonl
expect_refusal "delta: duplicate person id" "E1" \
  "$BR" delta --rules "$ACME/rules.csv" "${CAT[@]}" --before "$TMP/dup_people.csv" \
  --after "$ACME/people-after.csv" --as-of 2026-11-26 --format jsonl
expect_refusal "reconcile: bad unless" "bad_unless.csv:2:" \
  "$BR" reconcile --rules "$TMP/bad_unless.csv" "${CAT[@]}" --people "$ACME/people.csv" \
  --access "$ACME/access.csv" --as-of 2026-11-26 --format jsonl

finish failclosed 19
