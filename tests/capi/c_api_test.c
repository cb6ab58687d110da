/* Exercises every function of the C API (include/birthright/birthright.h),
 * error paths included, from plain C11 (leveldb's db/c_test.c in spirit).
 *
 * Usage: c_api_test [SOURCE_DIR]. With SOURCE_DIR the acme example is also
 * loaded through the C API and br_evaluate_many must reproduce
 * tests/testdata/acme_eval.golden.jsonl byte for byte (what the CLI prints),
 * and the layered acme snapshots
 * (fuzz/corpus/snapshot/acme-format3-layered.brs, acme-format4-layered.brs,
 * acme-format5-layered.brs and acme-format6-layered.brs: apps compiled as
 * two and three layers whose
 * outcomes are merged at evaluation) must answer every acme person field by
 * field as the policy compiled here does. Runs under ASan+UBSan too
 * (c_api_test_asan), so leaks of handles or error messages fail the test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "birthright/birthright.h"

static const char* phase = "";
static int checks = 0;

#define CHECK(cond)                                                        \
  do {                                                                     \
    ++checks;                                                              \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, \
              phase, #cond);                                               \
      exit(1);                                                             \
    }                                                                      \
  } while (0)

/* The call must succeed; it passes &ok_err_ as its errptr, and the message is
 * printed when it fails. */
#define CHECK_OK(call)                                                       \
  do {                                                                       \
    char* ok_err_ = NULL;                                                    \
    br_status_t ok_st_ = (call);                                             \
    ++checks;                                                                \
    if (ok_st_ != BR_OK) {                                                   \
      fprintf(stderr, "%s:%d: %s: %s returned %s: %s\n", __FILE__, __LINE__, \
              phase, #call, br_status_name(ok_st_),                          \
              ok_err_ ? ok_err_ : "(no message)");                           \
      exit(1);                                                               \
    }                                                                        \
    br_free(ok_err_);                                                        \
  } while (0)

#define S(lit) lit, sizeof(lit) - 1 /* a literal as pointer + length */

static int contains(const char* haystack, const char* needle) {
  return haystack != NULL && strstr(haystack, needle) != NULL;
}

static int streq(const char* a, const char* b) {
  return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static const char kCatalog[] =
    "app,instance,levels,default level,owner,provisioning,monthly cost\n"
    "GitHub,,Read;Write;Admin,,dev@example.com,scim,4.00\n"
    "Slack,corp,Member;Admin,,it@example.com,scim,8.75\n"
    "Slack,eng,Guest;Member,Member,it@example.com,scim,0\n";

static const char kRules[] =
    "id,department,grade,employment "
    "type,app,instance,level,scopes,effect,expires\n"
    "R1,Engineering,,,GitHub,,Write,api;platform,grant,\n"
    "R2,*,,,Slack,corp,Member,,grant,\n"
    "R3,Engineering,>= L7,,GitHub,,Admin,,grant,\n"
    "R4,,,Contractor,Slack,corp,,,deny,\n"
    "R5,Engineering,,,Slack,eng,,,grant,contract end\n";

static const char kAliases[] =
    "attribute,alias,canonical\n"
    "department,Eng,Engineering\n";

static const char kSchema[] =
    "attribute,type,order,case sensitive\n"
    "grade,ordinal,L1;L2;L3;L4;L5;L6;L7;L8,no\n"
    "contract end,date,,no\n";

static const char kAliceJson[] =
    "{\"person\":\"alice\",\"entitlements\":["
    "{\"app\":\"GitHub\",\"instance\":\"\",\"level\":\"Write\","
    "\"scopes\":[\"api\",\"platform\"],\"expires\":null,\"reasons\":[\"R1\"]},"
    "{\"app\":\"Slack\",\"instance\":\"corp\",\"level\":\"Member\","
    "\"scopes\":[],\"expires\":null,\"reasons\":[\"R2\"]},"
    "{\"app\":\"Slack\",\"instance\":\"eng\",\"level\":\"Member\","
    "\"scopes\":[],\"expires\":\"2027-01-31\",\"reasons\":[\"R5\"]}],"
    "\"missing\":[]}";

static br_policy_t* make_policy(void) {
  br_policy_t* policy = NULL;
  CHECK_OK(br_policy_create(S("test-policy"), S("v1"), &policy, &ok_err_));
  CHECK(policy != NULL);
  CHECK_OK(
      br_policy_add_catalog(policy, S(kCatalog), S("catalog.csv"), &ok_err_));
  CHECK_OK(br_policy_add_schema(policy, S(kSchema), S("schema.csv"), &ok_err_));
  CHECK_OK(
      br_policy_add_aliases(policy, S(kAliases), S("aliases.csv"), &ok_err_));
  CHECK_OK(br_policy_add_rules(policy, S(kRules), S("rules.csv"), BR_RULES_AUTO,
                               &ok_err_));
  return policy;
}

static br_person_t* make_person(const char* id, const char* dept,
                                const char* grade, const char* type,
                                const char* contract_end) {
  br_person_t* p = NULL;
  CHECK_OK(br_person_create(id, strlen(id), &p, &ok_err_));
  if (dept)
    CHECK_OK(br_person_set(p, S("Department"), dept, strlen(dept), &ok_err_));
  if (grade)
    CHECK_OK(br_person_set(p, S("grade"), grade, strlen(grade), &ok_err_));
  if (type)
    CHECK_OK(
        br_person_set(p, S("employment_type"), type, strlen(type), &ok_err_));
  if (contract_end) {
    CHECK_OK(br_person_set(p, S("Contract End"), contract_end,
                           strlen(contract_end), &ok_err_));
  }
  return p;
}

static void test_versions(void) {
  phase = "versions";
  CHECK(streq(br_version(), BR_VERSION_STRING));
  CHECK(br_abi_version() == BR_ABI_VERSION);
  /* The status numbers are the ABI. */
  CHECK(BR_OK == 0 && BR_INVALID_ARGUMENT == 1 && BR_NOT_FOUND == 2);
  CHECK(BR_RESOURCE_EXHAUSTED == 3 && BR_DATA_LOSS == 4 &&
        BR_FAILED_PRECONDITION == 5);
  CHECK(BR_INTERNAL == 6 && BR_OUT_OF_RANGE == 7 && BR_UNIMPLEMENTED == 8 &&
        BR_UNKNOWN == 9);
  CHECK(streq(br_status_name(BR_OK), "OK"));
  CHECK(streq(br_status_name(BR_INVALID_ARGUMENT), "INVALID_ARGUMENT"));
  CHECK(streq(br_status_name(BR_NOT_FOUND), "NOT_FOUND"));
  CHECK(streq(br_status_name(BR_RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED"));
  CHECK(streq(br_status_name(BR_DATA_LOSS), "DATA_LOSS"));
  CHECK(streq(br_status_name(BR_FAILED_PRECONDITION), "FAILED_PRECONDITION"));
  CHECK(streq(br_status_name(BR_INTERNAL), "INTERNAL"));
  CHECK(streq(br_status_name(BR_OUT_OF_RANGE), "OUT_OF_RANGE"));
  CHECK(streq(br_status_name(BR_UNIMPLEMENTED), "UNIMPLEMENTED"));
  CHECK(streq(br_status_name(BR_UNKNOWN), "UNKNOWN"));
  CHECK(streq(br_status_name(12345), "UNKNOWN"));
  CHECK(streq(br_status_name(-1), "UNKNOWN"));
  br_free(NULL);
}

static void test_null_destroys(void) {
  phase = "destroy(NULL)";
  br_policy_destroy(NULL);
  br_issues_destroy(NULL);
  br_compiled_destroy(NULL);
  br_person_destroy(NULL);
  br_population_destroy(NULL);
  br_decision_destroy(NULL);
  br_delta_destroy(NULL);
  br_findings_destroy(NULL);
  br_deltas_destroy(NULL);
  br_reconcile_destroy(NULL);
  br_changes_destroy(NULL);
  br_diff_destroy(NULL);
  /* Accessors on NULL handles answer "nothing". */
  size_t len = 99;
  CHECK(br_policy_rule_count(NULL) == 0);
  CHECK(br_issues_count(NULL) == 0);
  CHECK(br_issues_code(NULL, 0, &len) == NULL && len == 0);
  CHECK(br_issues_jsonl(NULL, NULL) == NULL);
  CHECK(br_compiled_name(NULL, NULL) == NULL);
  CHECK(br_compiled_version(NULL, NULL) == NULL);
  CHECK(br_compiled_rule_count(NULL) == 0);
  CHECK(br_compiled_attribute_count(NULL) == 0);
  CHECK(br_compiled_attribute(NULL, 0, NULL) == NULL);
  CHECK(br_person_id(NULL, NULL) == NULL);
  CHECK(br_person_attribute_count(NULL) == 0);
  CHECK(br_population_count(NULL) == 0);
  CHECK(br_decision_person(NULL, NULL) == NULL);
  CHECK(br_decision_is_leaver(NULL) == 0);
  CHECK(br_decision_entitlement_count(NULL) == 0);
  CHECK(br_decision_entitlement_app(NULL, 0, NULL) == NULL);
  CHECK(br_decision_entitlement_scope_count(NULL, 0) == 0);
  CHECK(br_decision_entitlement_reason_count(NULL, 0) == 0);
  CHECK(br_decision_missing_count(NULL) == 0);
  CHECK(br_decision_missing(NULL, 0, NULL) == NULL);
  CHECK(br_decision_json(NULL, NULL) == NULL);
  CHECK(br_delta_kind(NULL) == -1);
  CHECK(br_delta_count(NULL, BR_DELTA_ADD) == -1);
  CHECK(br_delta_json(NULL, NULL) == NULL);
  CHECK(br_findings_count(NULL) == 0);
  CHECK(br_findings_code(NULL, 0, &len) == NULL && len == 0);
  CHECK(br_findings_jsonl(NULL, NULL) == NULL);
  CHECK(br_findings_sarif(NULL, NULL) == NULL);
  CHECK(br_deltas_count(NULL) == 0);
  CHECK(br_deltas_at(NULL, 0) == NULL);
  CHECK(br_deltas_summary(NULL, NULL) == NULL);
  CHECK(br_deltas_stat(NULL, BR_STAT_PEOPLE) == 0);
  CHECK(br_deltas_jsonl(NULL, NULL) == NULL);
  CHECK(br_reconcile_count(NULL) == 0);
  CHECK(br_reconcile_stat(NULL, 0) == 0);
  CHECK(br_reconcile_jsonl(NULL, NULL) == NULL);
  CHECK(br_reconcile_denied_by(NULL, 0, 0, NULL) == NULL);
  CHECK(br_changes_count(NULL) == 0);
  CHECK(br_changes_jsonl(NULL, NULL) == NULL);
  CHECK(br_diff_summary(NULL, &len) == NULL && len == 0);
  CHECK(br_diff_json(NULL, NULL) == NULL);
  CHECK(br_diff_jsonl(NULL, NULL) == NULL);
}

static void test_policy_errors(void) {
  phase = "policy errors";
  char* err = NULL;
  br_policy_t* policy = NULL;

  CHECK(br_policy_create(S("p"), S(""), NULL, &err) == BR_INVALID_ARGUMENT);
  CHECK(contains(err, "out is NULL"));
  /* A second failure replaces (and frees) the first message. */
  CHECK(br_policy_create(NULL, 3, S(""), &policy, &err) == BR_INVALID_ARGUMENT);
  CHECK(policy == NULL);
  CHECK(contains(err, "name is NULL"));
  CHECK(br_policy_create(S("bad \xff name"), S(""), &policy, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(contains(err, "UTF-8"));
  /* A NULL errptr is allowed: the status alone tells. */
  CHECK(br_policy_create(NULL, 1, NULL, 0, &policy, NULL) ==
        BR_INVALID_ARGUMENT);
  br_free(err);
  err = NULL;

  CHECK_OK(br_policy_create(NULL, 0, NULL, 0, &policy, &ok_err_));
  /* Malformed CSV: the message says file:line:col. */
  static const char kBad[] =
      "id,department,app,level\n"
      "R1,Sales,Slack,Member\n"
      "R2,\"Engineering,GitHub,Write\n";
  CHECK(br_policy_add_rules(policy, S(kBad), S("bad.csv"), BR_RULES_LIST,
                            &err) == BR_INVALID_ARGUMENT);
  CHECK(contains(err, "bad.csv:3:"));
  br_free(err);
  err = NULL;
  /* Fail closed: R1 may have been imported without the rest of the sheet, so
   * the half-imported policy is refused by everything that would use it,
   * even after a later import succeeds. */
  CHECK_OK(br_policy_add_rules(policy, S(kRules), S("r.csv"), BR_RULES_AUTO,
                               &ok_err_));
  {
    br_compiled_t* c = NULL;
    CHECK(br_compile(policy, NULL, &c, &err) == BR_FAILED_PRECONDITION);
    CHECK(c == NULL);
    CHECK(contains(err, "failed import") && contains(err, "bad.csv:3:"));
    br_issues_t* issues = NULL;
    CHECK(br_policy_check(policy, NULL, &issues, &err) ==
          BR_FAILED_PRECONDITION);
    CHECK(issues == NULL);
    br_findings_t* findings = NULL;
    CHECK(br_check(policy, NULL, S("2026-11-26"), &findings, &err) ==
          BR_FAILED_PRECONDITION);
    CHECK(findings == NULL);
    char* text = NULL;
    CHECK(br_policy_format_text(policy, &text, NULL, &err) ==
          BR_FAILED_PRECONDITION);
    CHECK(text == NULL);
    br_diff_t* diff = NULL;
    CHECK(br_diff(policy, policy, NULL, S("2026-11-26"), &diff, &err) ==
          BR_FAILED_PRECONDITION);
    CHECK(diff == NULL);
  }
  br_free(err);
  err = NULL;
  /* A bad cell is an error at its line and column. */
  static const char kBadCell[] =
      "id,grade,app,level\n"
      "R1,L3..,Slack,Member\n";
  br_policy_destroy(policy);
  CHECK_OK(br_policy_create(S("p"), S(""), &policy, &ok_err_));
  CHECK(br_policy_add_rules(policy, S(kBadCell), S("cell.csv"), BR_RULES_LIST,
                            &err) == BR_INVALID_ARGUMENT);
  CHECK(contains(err, "cell.csv:2:4"));
  br_free(err);
  err = NULL;
  br_policy_destroy(policy);

  CHECK_OK(br_policy_create(S("p"), S(""), &policy, &ok_err_));
  CHECK(br_policy_add_catalog(policy, S("app,levels\nGitHub,Read\n\"x\n"),
                              S("cat.csv"), &err) == BR_INVALID_ARGUMENT);
  CHECK(contains(err, "cat.csv:3:"));
  CHECK(br_policy_add_schema(policy, S("attribute,type\ngrade,colour\n"),
                             S("schema.csv"), &err) == BR_INVALID_ARGUMENT);
  CHECK(contains(err, "schema.csv:2:"));
  CHECK(br_policy_add_aliases(policy, S("attribute,alias\n"), S(""), &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(contains(err, "<aliases>"));
  CHECK(br_policy_add_rules(NULL, S(kRules), S("r.csv"), BR_RULES_AUTO, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_policy_add_rules(policy, S(kRules), S("r.csv"), 7, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(contains(err, "format"));
  CHECK(br_policy_add_rules(policy, NULL, 5, S("r.csv"), BR_RULES_AUTO, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_policy_add_rules(policy, S(kRules), "r\xc3", 2, BR_RULES_AUTO,
                            &err) == BR_INVALID_ARGUMENT);
  /* A matrix without a catalog or app columns cannot tell which columns are
   * apps: it fails rather than guess. */
  static const char kMatrix[] =
      "id,department,GitHub,Slack [corp]\nM1,Engineering,Write,x\n";
  CHECK(br_policy_add_rules(policy, S(kMatrix), S("matrix.csv"),
                            BR_RULES_MATRIX, &err) == BR_INVALID_ARGUMENT);
  CHECK(contains(err, "matrix.csv"));
  CHECK(br_policy_add_matrix(policy, S(kMatrix), S("matrix.csv"), NULL, NULL, 2,
                             &err) == BR_INVALID_ARGUMENT);
  br_free(err);
  err = NULL;
  br_policy_destroy(policy);
}

static void test_matrix(void) {
  phase = "matrix";
  br_policy_t* policy = NULL;
  br_compiled_t* compiled = NULL;
  br_person_t* p = NULL;
  br_decision_t* d = NULL;
  static const char kMatrix[] =
      "id,department,GitHub,Slack [corp]\nM1,Engineering,Write,x\n";
  const char* columns[] = {"GitHub", "Slack [corp]"};
  const size_t lens[] = {6, 12};
  CHECK_OK(br_policy_create(S("matrix"), S("v2"), &policy, &ok_err_));
  CHECK_OK(
      br_policy_add_catalog(policy, S(kCatalog), S("catalog.csv"), &ok_err_));
  CHECK_OK(br_policy_add_matrix(policy, S(kMatrix), S("matrix.csv"), columns,
                                lens, 2, &ok_err_));
  CHECK(br_policy_rule_count(policy) == 1);
  CHECK_OK(br_compile(policy, NULL, &compiled, &ok_err_));
  p = make_person("m", "Engineering", NULL, NULL, NULL);
  CHECK_OK(
      br_evaluate(compiled, p, S("2026-11-26"), BR_EVAL_DEFAULT, &d, &ok_err_));
  CHECK(br_decision_entitlement_count(d) == 2);
  CHECK(streq(br_decision_entitlement_app(d, 0, NULL), "GitHub"));
  CHECK(streq(br_decision_entitlement_level(d, 0, NULL), "Write"));
  CHECK(streq(br_decision_entitlement_instance(d, 1, NULL), "corp"));
  CHECK(streq(br_decision_entitlement_level(d, 1, NULL),
              "Member")); /* x = default */
  br_decision_destroy(d);
  br_person_destroy(p);
  br_compiled_destroy(compiled);

  /* The catalog alone also tells a matrix's app columns (BR_RULES_AUTO
   * detects a matrix: there is no `app` column). */
  br_policy_destroy(policy);
  CHECK_OK(br_policy_create(S("matrix"), S("v2"), &policy, &ok_err_));
  CHECK_OK(
      br_policy_add_catalog(policy, S(kCatalog), S("catalog.csv"), &ok_err_));
  CHECK_OK(br_policy_add_rules(policy, S(kMatrix), S("matrix.csv"),
                               BR_RULES_AUTO, &ok_err_));
  CHECK(br_policy_rule_count(policy) == 1);
  br_policy_destroy(policy);
}

static void test_check(void) {
  phase = "check";
  char* err = NULL;
  br_policy_t* policy = NULL;
  br_issues_t* issues = NULL;
  br_compiled_t* compiled = NULL;
  static const char kUnknownApp[] =
      "id,department,app,level\n"
      "R1,Sales,Salesforce,User\n";
  CHECK_OK(br_policy_create(S("p"), S(""), &policy, &ok_err_));
  CHECK_OK(
      br_policy_add_catalog(policy, S(kCatalog), S("catalog.csv"), &ok_err_));
  CHECK_OK(br_policy_add_rules(policy, S(kUnknownApp), S("unknown.csv"),
                               BR_RULES_LIST, &ok_err_));

  CHECK(br_policy_check(NULL, NULL, &issues, &err) == BR_INVALID_ARGUMENT);
  CHECK(issues == NULL);
  CHECK(br_policy_check(policy, NULL, NULL, &err) == BR_INVALID_ARGUMENT);
  CHECK_OK(br_policy_check(policy, NULL, &issues, &ok_err_));
  CHECK(br_issues_count(issues) >= 1);
  int64_t found = -1;
  for (int64_t i = 0; i < br_issues_count(issues); ++i) {
    if (streq(br_issues_code(issues, i, NULL), "unknown-app")) found = i;
  }
  CHECK(found >= 0);
  size_t len = 0;
  CHECK(streq(br_issues_severity(issues, found, &len), "error") && len == 5);
  CHECK(streq(br_issues_rule(issues, found, NULL), "R1"));
  CHECK(contains(br_issues_location(issues, found, NULL), "unknown.csv:2:"));
  CHECK(contains(br_issues_message(issues, found, NULL), "Salesforce"));
  CHECK(br_issues_code(issues, br_issues_count(issues), NULL) == NULL);
  CHECK(br_issues_message(issues, -1, NULL) == NULL);
  const char* jsonl = br_issues_jsonl(issues, &len);
  CHECK(jsonl != NULL && len == strlen(jsonl) && len > 0 &&
        jsonl[len - 1] == '\n');
  CHECK(contains(
      jsonl,
      "{\"code\":\"unknown-app\",\"severity\":\"error\",\"rules\":[\"R1\"],"
      "\"locations\":[\"unknown.csv:2:"));
  br_issues_destroy(issues);

  /* Compiling refuses the same policy, naming file:line:col. */
  CHECK(br_compile(policy, NULL, &compiled, &err) == BR_INVALID_ARGUMENT);
  CHECK(compiled == NULL);
  CHECK(contains(err, "unknown.csv:2:"));
  CHECK(br_compile(NULL, NULL, &compiled, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_compile(policy, NULL, NULL, &err) == BR_INVALID_ARGUMENT);
  br_free(err);
  br_policy_destroy(policy);
}

static void test_people(void) {
  phase = "people";
  char* err = NULL;
  br_person_t* p = NULL;
  const char* value = NULL;
  size_t len = 0;
  CHECK(br_person_create(S("x"), NULL, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_person_create(S("\xc0\xaf"), &p, &err) ==
        BR_INVALID_ARGUMENT); /* overlong */
  CHECK(p == NULL && contains(err, "UTF-8"));
  CHECK_OK(br_person_create(S("p1"), &p, &ok_err_));
  CHECK(streq(br_person_id(p, &len), "p1") && len == 2);
  CHECK_OK(br_person_set(p, S("Job Title"), S("Engineer"), &ok_err_));
  CHECK_OK(br_person_set(p, S("job_title"), S("Staff Engineer"),
                         &ok_err_)); /* same */
  CHECK_OK(br_person_set(p, S("department"), S("Eng"), &ok_err_));
  CHECK(br_person_attribute_count(p) == 2);
  CHECK_OK(br_person_get(p, S("JOB-TITLE"), &value, &len, &ok_err_));
  CHECK(streq(value, "Staff Engineer") && len == 14);
  CHECK(br_person_get(p, S("grade"), &value, &len, &err) == BR_NOT_FOUND);
  CHECK(value == NULL && len == 0 && contains(err, "grade"));
  CHECK(br_person_get(p, S("grade"), NULL, NULL, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_person_get(NULL, S("grade"), &value, NULL, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_person_set(p, S(" - _ "), S("v"), &err) == BR_INVALID_ARGUMENT);
  CHECK(contains(err, "empty"));
  CHECK(br_person_set(p, S("a"), "\xe2\x82", 2, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_person_set(NULL, S("a"), S("b"), &err) == BR_INVALID_ARGUMENT);

  br_population_t* pop = NULL;
  CHECK(br_population_create(NULL, &err) == BR_INVALID_ARGUMENT);
  CHECK_OK(br_population_create(&pop, &ok_err_));
  CHECK_OK(br_population_add(pop, p, &ok_err_));
  CHECK(br_population_add(pop, p, &err) ==
        BR_INVALID_ARGUMENT); /* duplicate id */
  CHECK(contains(err, "duplicate"));
  CHECK(br_population_add(pop, NULL, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_population_add(NULL, p, &err) == BR_INVALID_ARGUMENT);
  br_person_t* anonymous = NULL;
  CHECK_OK(br_person_create(NULL, 0, &anonymous, &ok_err_));
  CHECK(br_population_add(pop, anonymous, &err) == BR_INVALID_ARGUMENT);
  br_person_destroy(anonymous);
  CHECK(br_population_count(pop) == 1);
  br_population_destroy(pop);

  static const char kPeople[] = "id,department\nE1,Sales\nE2,Engineering\n";
  CHECK_OK(br_population_load_csv(S(kPeople), S("people.csv"), &pop, &ok_err_));
  CHECK(br_population_count(pop) == 2);
  br_person_t* again = NULL;
  CHECK_OK(br_person_create(S("E2"), &again, &ok_err_));
  CHECK(br_population_add(pop, again, &err) == BR_INVALID_ARGUMENT);
  br_person_destroy(again);
  br_population_destroy(pop);
  pop = NULL;
  CHECK(br_population_load_csv(S("id,department\nE1,Sales\nE1,HR\n"),
                               S("dup.csv"), &pop,
                               &err) == BR_INVALID_ARGUMENT);
  CHECK(pop == NULL && contains(err, "dup.csv:3:"));
  CHECK(br_population_load_csv(S("name,department\nAnn,Sales\n"), S(""), &pop,
                               &err) == BR_INVALID_ARGUMENT);
  CHECK(contains(err, "<people>:1"));
  CHECK(br_population_load_csv(S("id\n\"E1\n"), S("q.csv"), NULL, &err) ==
        BR_INVALID_ARGUMENT);
  br_free(err);
  br_person_destroy(p);
}

static void test_evaluate(void) {
  phase = "evaluate";
  char* err = NULL;
  br_policy_t* policy = make_policy();
  br_compiled_t* compiled = NULL;
  size_t len = 0;
  CHECK(br_policy_rule_count(policy) == 5);
  CHECK_OK(br_compile(policy, NULL, &compiled, &ok_err_));
  /* The compiled policy owns copies: the policy may go first. */
  br_policy_destroy(policy);
  CHECK(streq(br_compiled_name(compiled, &len), "test-policy") && len == 11);
  CHECK(streq(br_compiled_version(compiled, NULL), "v1"));
  CHECK(br_compiled_rule_count(compiled) == 5);
  CHECK(br_compiled_attribute_count(compiled) == 4);
  int saw_contract_end = 0;
  for (int64_t i = 0; i < br_compiled_attribute_count(compiled); ++i) {
    const char* a = br_compiled_attribute(compiled, i, &len);
    CHECK(a != NULL && len == strlen(a));
    if (streq(a, "contract end")) saw_contract_end = 1;
  }
  CHECK(saw_contract_end);
  CHECK(br_compiled_attribute(compiled, -1, NULL) == NULL);
  CHECK(br_compiled_attribute(compiled, 4, NULL) == NULL);

  /* alice: everything present. */
  br_person_t* alice =
      make_person("alice", "Eng", "L5", "Full-time", "2027-01-31");
  br_decision_t* d = NULL;
  CHECK_OK(br_evaluate(compiled, alice, S("2026-11-26"), BR_EVAL_DEFAULT, &d,
                       &ok_err_));
  CHECK(streq(br_decision_person(d, &len), "alice") && len == 5);
  CHECK(br_decision_is_leaver(d) == 0);
  CHECK(br_decision_entitlement_count(d) == 3);
  CHECK(streq(br_decision_entitlement_app(d, 0, &len), "GitHub") && len == 6);
  CHECK(streq(br_decision_entitlement_instance(d, 0, &len), "") && len == 0);
  CHECK(streq(br_decision_entitlement_level(d, 0, NULL), "Write"));
  CHECK(streq(br_decision_entitlement_expires(d, 0, &len), "") && len == 0);
  CHECK(br_decision_entitlement_scope_count(d, 0) == 2);
  CHECK(streq(br_decision_entitlement_scope(d, 0, 0, NULL), "api"));
  CHECK(streq(br_decision_entitlement_scope(d, 0, 1, NULL), "platform"));
  CHECK(br_decision_entitlement_scope(d, 0, 2, NULL) == NULL);
  CHECK(br_decision_entitlement_reason_count(d, 0) == 1);
  CHECK(streq(br_decision_entitlement_reason(d, 0, 0, NULL), "R1"));
  CHECK(br_decision_entitlement_reason(d, 0, 1, NULL) == NULL);
  CHECK(streq(br_decision_entitlement_instance(d, 1, NULL), "corp"));
  CHECK(streq(br_decision_entitlement_instance(d, 2, NULL), "eng"));
  CHECK(streq(br_decision_entitlement_expires(d, 2, &len), "2027-01-31") &&
        len == 10);
  CHECK(br_decision_entitlement_app(d, 3, &len) == NULL && len == 0);
  CHECK(br_decision_entitlement_expires(d, -1, NULL) == NULL);
  CHECK(br_decision_entitlement_scope_count(d, 9) == 0);
  CHECK(br_decision_entitlement_reason_count(d, 9) == 0);
  CHECK(br_decision_entitlement_scope(d, 9, 0, NULL) == NULL);
  CHECK(br_decision_entitlement_reason(d, 9, 0, NULL) == NULL);
  CHECK(br_decision_missing_count(d) == 0);
  CHECK(br_decision_missing(d, 0, NULL) == NULL);
  CHECK(streq(br_decision_json(d, &len), kAliceJson) &&
        len == strlen(kAliceJson));
  br_decision_destroy(d);

  /* bob: a contractor without grade or contract end. The deny removes
   * Slack corp; the missing grade withholds Admin, the missing expiry
   * attribute withholds Slack eng; both are reported (SPEC §2). */
  br_person_t* bob =
      make_person("bob", "Engineering", NULL, "Contractor", NULL);
  CHECK_OK(br_evaluate(compiled, bob, S("2026-11-26"), BR_EVAL_DEFAULT, &d,
                       &ok_err_));
  CHECK(br_decision_entitlement_count(d) == 1);
  CHECK(streq(br_decision_entitlement_app(d, 0, NULL), "GitHub"));
  CHECK(br_decision_missing_count(d) == 2);
  CHECK(streq(br_decision_missing(d, 0, NULL), "contract end"));
  CHECK(streq(br_decision_missing(d, 1, &len), "grade") && len == 5);
  br_decision_destroy(d);

  /* carol left before as_of: a leaver gets nothing. */
  br_person_t* carol =
      make_person("carol", "Engineering", "L8", "Full-time", NULL);
  CHECK_OK(
      br_person_set(carol, S("Termination Date"), S("2020-01-01"), &ok_err_));
  CHECK_OK(br_evaluate(compiled, carol, S("2026-11-26"), BR_EVAL_DEFAULT, &d,
                       &ok_err_));
  CHECK(br_decision_is_leaver(d) == 1);
  CHECK(br_decision_entitlement_count(d) == 0);
  br_decision_destroy(d);
  /* ... but not yet in 2019. */
  CHECK_OK(br_evaluate(compiled, carol, S("2019-06-01"), BR_EVAL_DEFAULT, &d,
                       &ok_err_));
  CHECK(br_decision_is_leaver(d) == 0);
  CHECK(streq(br_decision_entitlement_level(d, 0, NULL), "Admin"));
  br_decision_destroy(d);

  /* Error paths: never a decision. */
  d = (br_decision_t*)&err; /* garbage in: must come back NULL */
  CHECK(br_evaluate(compiled, alice, S("2026-13-01"), BR_EVAL_DEFAULT, &d,
                    &err) == BR_INVALID_ARGUMENT);
  CHECK(d == NULL && contains(err, "as_of") && contains(err, "2026-13-01"));
  CHECK(br_evaluate(compiled, alice, S("26/11/2026"), BR_EVAL_DEFAULT, &d,
                    &err) == BR_INVALID_ARGUMENT);
  CHECK(br_evaluate(compiled, alice, NULL, 0, BR_EVAL_DEFAULT, &d, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(d == NULL && contains(err, "as_of"));
  CHECK(br_evaluate(compiled, alice, S("2026-11-26"), 0x80u, &d, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(d == NULL && contains(err, "flags"));
  CHECK(br_evaluate(NULL, alice, S("2026-11-26"), 0, &d, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_evaluate(compiled, NULL, S("2026-11-26"), 0, &d, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_evaluate(compiled, alice, S("2026-11-26"), 0, NULL, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(d == NULL);

  /* Unknown attributes are ignored by default (HR exports carry names and
   * e-mails) and rejected on request (a misspelt key). */
  br_person_t* typo =
      make_person("dave", "Engineering", "L5", "Full-time", "2027-01-31");
  CHECK_OK(br_person_set(typo, S("departmnet"), S("Sales"), &ok_err_));
  CHECK_OK(br_evaluate(compiled, typo, S("2026-11-26"), BR_EVAL_DEFAULT, &d,
                       &ok_err_));
  CHECK(br_decision_entitlement_count(d) == 3);
  br_decision_destroy(d);
  d = NULL;
  CHECK(br_evaluate(compiled, typo, S("2026-11-26"),
                    BR_EVAL_REJECT_UNKNOWN_ATTRIBUTES, &d,
                    &err) == BR_INVALID_ARGUMENT);
  CHECK(d == NULL && contains(err, "unknown attribute 'departmnet'"));
  /* Known attributes and the termination date pass the strict check. */
  CHECK_OK(br_evaluate(compiled, carol, S("2026-11-26"),
                       BR_EVAL_REJECT_UNKNOWN_ATTRIBUTES, &d, &ok_err_));
  br_decision_destroy(d);

  /* Many people: jsonl in population order, the same on any thread count,
   * and line for line what br_evaluate says. */
  br_population_t* pop = NULL;
  CHECK_OK(br_population_create(&pop, &ok_err_));
  CHECK_OK(br_population_add(pop, alice, &ok_err_));
  CHECK_OK(br_population_add(pop, bob, &ok_err_));
  CHECK_OK(br_population_add(pop, carol, &ok_err_));
  char* one = NULL;
  char* two = NULL;
  size_t one_len = 0, two_len = 0;
  CHECK_OK(br_evaluate_many(compiled, pop, S("2026-11-26"), 1, BR_EVAL_DEFAULT,
                            &one, &one_len, &ok_err_));
  CHECK_OK(br_evaluate_many(compiled, pop, S("2026-11-26"), 2, BR_EVAL_DEFAULT,
                            &two, &two_len, &ok_err_));
  CHECK(one != NULL && two != NULL && one_len == two_len &&
        strcmp(one, two) == 0);
  CHECK(one_len == strlen(one));
  CHECK(strncmp(one, kAliceJson, strlen(kAliceJson)) == 0 &&
        one[strlen(kAliceJson)] == '\n');
  CHECK(contains(one, "\n{\"person\":\"bob\""));
  CHECK(contains(
      one, "\n{\"person\":\"carol\",\"entitlements\":[],\"missing\":[]}\n"));
  br_free(two);
  two = NULL;
  CHECK_OK(br_evaluate_many(compiled, pop, S("2026-11-26"), 0, BR_EVAL_DEFAULT,
                            &two, NULL, &ok_err_));
  CHECK(strcmp(one, two) == 0);
  br_free(one);
  br_free(two);
  one = (char*)&err;
  CHECK(br_evaluate_many(compiled, pop, S("2026-02-30"), 1, 0, &one, &one_len,
                         &err) == BR_INVALID_ARGUMENT);
  CHECK(one == NULL && one_len == 0 && contains(err, "2026-02-30"));
  CHECK(br_evaluate_many(compiled, pop, S("2026-11-26"), 100000, 0, &one, NULL,
                         &err) == BR_INVALID_ARGUMENT);
  CHECK(contains(err, "threads"));
  CHECK(br_evaluate_many(compiled, NULL, S("2026-11-26"), 1, 0, &one, NULL,
                         &err) == BR_INVALID_ARGUMENT);
  CHECK(br_evaluate_many(NULL, pop, S("2026-11-26"), 1, 0, &one, NULL, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_evaluate_many(compiled, pop, S("2026-11-26"), 1, 0, NULL, NULL,
                         &err) == BR_INVALID_ARGUMENT);
  CHECK(br_evaluate_many(compiled, pop, S("2026-11-26"), 1, 0x10u, &one, NULL,
                         &err) == BR_INVALID_ARGUMENT);
  CHECK_OK(br_population_add(pop, typo, &ok_err_));
  CHECK(br_evaluate_many(compiled, pop, S("2026-11-26"), 1,
                         BR_EVAL_REJECT_UNKNOWN_ATTRIBUTES, &one, NULL,
                         &err) == BR_INVALID_ARGUMENT);
  CHECK(one == NULL && contains(err, "departmnet"));
  br_population_destroy(pop);

  /* Type inference from an HR population (SPEC §2): without a schema,
   * `grade` holding L-numbers is an ordinal in natural order. */
  static const char kRulesNoSchema[] =
      "id,grade,app,level\n"
      "G1,>= L9,GitHub,Admin\n";
  static const char kHr[] = "id,grade\nE1,L10\nE2,L2\n";
  br_policy_t* inferred = NULL;
  br_population_t* hr = NULL;
  br_compiled_t* c2 = NULL;
  CHECK_OK(br_policy_create(S("inferred"), S(""), &inferred, &ok_err_));
  CHECK_OK(
      br_policy_add_catalog(inferred, S(kCatalog), S("catalog.csv"), &ok_err_));
  CHECK_OK(br_policy_add_rules(inferred, S(kRulesNoSchema), S("r.csv"),
                               BR_RULES_AUTO, &ok_err_));
  CHECK_OK(br_population_load_csv(S(kHr), S("hr.csv"), &hr, &ok_err_));
  CHECK_OK(br_compile(inferred, hr, &c2, &ok_err_));
  CHECK(streq(br_compiled_version(c2, NULL), "unversioned"));
  CHECK_OK(
      br_evaluate_many(c2, hr, S("2026-11-26"), 1, 0, &one, NULL, &ok_err_));
  CHECK(contains(one,
                 "{\"person\":\"E1\",\"entitlements\":[{\"app\":\"GitHub\""));
  CHECK(contains(one, "{\"person\":\"E2\",\"entitlements\":[]"));
  br_free(one);
  br_compiled_destroy(c2);
  br_population_destroy(hr);
  br_policy_destroy(inferred);

  /* Deltas of one person (SPEC §6). */
  phase = "delta";
  br_delta_t* delta = NULL;
  br_person_t* promoted =
      make_person("alice", "Engineering", "L8", "Full-time", "2027-01-31");
  CHECK_OK(br_delta(compiled, alice, promoted, S("2026-11-26"), 0, &delta,
                    &ok_err_));
  CHECK(br_delta_kind(delta) == BR_DELTA_MOVER);
  CHECK(br_delta_count(delta, BR_DELTA_ADD) == 0);
  CHECK(br_delta_count(delta, BR_DELTA_REMOVE) == 0);
  CHECK(br_delta_count(delta, BR_DELTA_CHANGE) == 1);
  CHECK(br_delta_count(delta, BR_DELTA_KEEP) == 2);
  CHECK(br_delta_count(delta, 4) == -1);
  const char* dj = br_delta_json(delta, &len);
  CHECK(dj != NULL && len == strlen(dj));
  CHECK(contains(
      dj,
      "{\"person\":\"alice\",\"kind\":\"mover\",\"add\":[],\"remove\":[],"
      "\"change\":[{\"app\":\"GitHub\",\"instance\":\"\",\"from\":"));
  br_delta_destroy(delta);
  CHECK_OK(
      br_delta(compiled, NULL, alice, S("2026-11-26"), 0, &delta, &ok_err_));
  CHECK(br_delta_kind(delta) == BR_DELTA_JOINER);
  CHECK(br_delta_count(delta, BR_DELTA_ADD) == 3);
  br_delta_destroy(delta);
  CHECK_OK(
      br_delta(compiled, alice, NULL, S("2026-11-26"), 0, &delta, &ok_err_));
  CHECK(br_delta_kind(delta) == BR_DELTA_LEAVER);
  CHECK(br_delta_count(delta, BR_DELTA_REMOVE) == 3);
  br_delta_destroy(delta);
  CHECK_OK(
      br_delta(compiled, alice, alice, S("2026-11-26"), 0, &delta, &ok_err_));
  CHECK(br_delta_kind(delta) == BR_DELTA_UNCHANGED);
  CHECK(br_delta_count(delta, BR_DELTA_KEEP) == 3);
  br_delta_destroy(delta);
  delta = NULL;
  CHECK(br_delta(compiled, NULL, NULL, S("2026-11-26"), 0, &delta, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(delta == NULL && contains(err, "both NULL"));
  CHECK(br_delta(compiled, alice, bob, S("2026-11-26"), 0, &delta, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(delta == NULL && contains(err, "different people"));
  CHECK(br_delta(compiled, alice, promoted, S("yesterday"), 0, &delta, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_delta(NULL, alice, promoted, S("2026-11-26"), 0, &delta, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_delta(compiled, alice, promoted, S("2026-11-26"), 0, NULL, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_delta(compiled, typo, typo, S("2026-11-26"),
                 BR_EVAL_REJECT_UNKNOWN_ATTRIBUTES, &delta,
                 &err) == BR_INVALID_ARGUMENT);
  CHECK(br_delta(compiled, typo, typo, S("2026-11-26"), 0x40u, &delta, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(delta == NULL);

  br_free(err);
  br_person_destroy(promoted);
  br_person_destroy(typo);
  br_person_destroy(carol);
  br_person_destroy(bob);
  br_person_destroy(alice);
  br_compiled_destroy(compiled);
}

/* Snapshots (SPEC §9): write, load, evaluate the same; never trust bytes. */
static void test_snapshot(void) {
  phase = "snapshot";
  char* err = NULL;
  br_policy_t* policy = make_policy();
  br_compiled_t* compiled = NULL;
  br_compiled_t* loaded = NULL;
  CHECK_OK(br_compile(policy, NULL, &compiled, &ok_err_));
  br_policy_destroy(policy);
  char* bytes = NULL;
  size_t n = 0;
  CHECK_OK(br_snapshot_write(compiled, &bytes, &n, &ok_err_));
  CHECK(bytes != NULL && n > 16);
  /* Deterministic: the same policy gives the same bytes. */
  char* again = NULL;
  size_t again_n = 0;
  CHECK_OK(br_snapshot_write(compiled, &again, &again_n, &ok_err_));
  CHECK(again_n == n && memcmp(bytes, again, n) == 0);
  br_free(again);
  CHECK_OK(br_snapshot_load(bytes, n, &loaded, &ok_err_));
  CHECK(streq(br_compiled_name(loaded, NULL), "test-policy"));
  CHECK(streq(br_compiled_version(loaded, NULL), "v1"));
  CHECK(br_compiled_rule_count(loaded) == 5);
  br_person_t* alice =
      make_person("alice", "Eng", "L5", "Full-time", "2027-01-31");
  br_decision_t* d = NULL;
  CHECK_OK(br_evaluate(loaded, alice, S("2026-11-26"), 0, &d, &ok_err_));
  CHECK(streq(br_decision_json(d, NULL), kAliceJson));
  br_decision_destroy(d);
  /* A loaded policy serves deltas, with routing from its catalog. */
  br_delta_t* delta = NULL;
  CHECK_OK(br_delta(loaded, NULL, alice, S("2026-11-26"), 0, &delta, &ok_err_));
  CHECK(streq(br_delta_item_owner(delta, BR_DELTA_ADD, 0, NULL),
              "dev@example.com"));
  br_delta_destroy(delta);

  /* Corrupt, truncated and foreign bytes fail closed. */
  br_compiled_t* bad = (br_compiled_t*)&err;
  bytes[n / 2] ^= 0x5a;
  CHECK(br_snapshot_load(bytes, n, &bad, &err) == BR_DATA_LOSS);
  CHECK(bad == NULL && err != NULL);
  bytes[n / 2] ^= 0x5a;
  CHECK(br_snapshot_load(bytes, n / 3, &bad, &err) == BR_DATA_LOSS);
  CHECK(bad == NULL);
  CHECK(br_snapshot_load(S("id,app\nR1,GitHub\n"), &bad, &err) != BR_OK);
  CHECK(bad == NULL);
  CHECK(br_snapshot_load(NULL, 0, &bad, &err) != BR_OK);
  CHECK(br_snapshot_load(NULL, 4, &bad, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_snapshot_load(bytes, n, NULL, &err) == BR_INVALID_ARGUMENT);
  char* none = (char*)&err;
  size_t none_n = 7;
  CHECK(br_snapshot_write(NULL, &none, &none_n, &err) == BR_INVALID_ARGUMENT);
  CHECK(none == NULL && none_n == 0);
  CHECK(br_snapshot_write(compiled, NULL, &none_n, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_snapshot_write(compiled, &none, NULL, &err) == BR_INVALID_ARGUMENT);
  CHECK(none == NULL);
  br_free(err);
  br_free(bytes);
  br_person_destroy(alice);
  br_compiled_destroy(loaded);
  br_compiled_destroy(compiled);
}

/* br_check: analysis findings (SPEC §7), beyond bind issues. */
static void test_findings(void) {
  phase = "findings";
  char* err = NULL;
  br_policy_t* policy = NULL;
  br_findings_t* f = NULL;
  static const char kRulesWithProblems[] =
      "id,department,app,instance,level\n"
      "F1,Sales,Slack,corp,Member\n"
      "F2,Sales,Slack,corp,Member\n"
      "F3,Sales,Salesforce,,User\n";
  CHECK_OK(br_policy_create(S("p"), S("v9"), &policy, &ok_err_));
  CHECK_OK(
      br_policy_add_catalog(policy, S(kCatalog), S("catalog.csv"), &ok_err_));
  CHECK_OK(br_policy_add_rules(policy, S(kRulesWithProblems), S("f.csv"),
                               BR_RULES_LIST, &ok_err_));
  CHECK_OK(br_check(policy, NULL, S("2026-11-26"), &f, &ok_err_));
  int64_t dup = -1, unknown = -1;
  for (int64_t i = 0; i < br_findings_count(f); ++i) {
    if (streq(br_findings_code(f, i, NULL), "duplicate")) dup = i;
    if (streq(br_findings_code(f, i, NULL), "unknown-app")) unknown = i;
  }
  CHECK(dup >= 0 && unknown >= 0);
  CHECK(unknown < dup); /* errors first */
  size_t len = 0;
  CHECK(streq(br_findings_severity(f, unknown, &len), "error") && len == 5);
  CHECK(contains(br_findings_message(f, unknown, NULL), "Salesforce"));
  CHECK(br_findings_rule_count(f, dup) == 2);
  CHECK(streq(br_findings_rule(f, dup, 0, NULL), "F1"));
  CHECK(streq(br_findings_rule(f, dup, 1, NULL), "F2"));
  CHECK(br_findings_rule(f, dup, 2, NULL) == NULL);
  CHECK(br_findings_location_count(f, dup) == 2);
  CHECK(streq(br_findings_location(f, dup, 0, NULL), "f.csv:2"));
  CHECK(br_findings_location(f, dup, -1, NULL) == NULL);
  /* Witness pairs line up (possibly none for these codes). */
  for (int64_t i = 0; i < br_findings_count(f); ++i) {
    for (int64_t j = 0; j < br_findings_witness_count(f, i); ++j) {
      CHECK(br_findings_witness_attribute(f, i, j, NULL) != NULL);
      CHECK(br_findings_witness_value(f, i, j, NULL) != NULL);
    }
    CHECK(br_findings_witness_attribute(f, i, br_findings_witness_count(f, i),
                                        NULL) == NULL);
    CHECK(br_findings_witness_value(f, i, -1, NULL) == NULL);
  }
  CHECK(br_findings_code(f, br_findings_count(f), &len) == NULL && len == 0);
  CHECK(br_findings_severity(f, -1, NULL) == NULL);
  CHECK(br_findings_message(f, -1, NULL) == NULL);
  CHECK(br_findings_rule_count(f, -1) == 0);
  CHECK(br_findings_location_count(f, 99) == 0);
  CHECK(br_findings_witness_count(f, 99) == 0);
  const char* jsonl = br_findings_jsonl(f, &len);
  CHECK(jsonl != NULL && len == strlen(jsonl) && jsonl[len - 1] == '\n');
  CHECK(contains(jsonl, "\"code\":\"duplicate\""));
  CHECK(contains(jsonl, "\"rules\":[\"F1\",\"F2\"]"));
  const char* sarif = br_findings_sarif(f, &len);
  CHECK(sarif != NULL && len == strlen(sarif) && contains(sarif, "2.1.0"));
  CHECK(contains(sarif, "birthright"));
  br_findings_destroy(f);

  /* With people: the population findings run too; a clean result is OK. */
  br_population_t* hr = NULL;
  CHECK_OK(br_population_load_csv(S("id,department\nE1,Sales\n"), S("hr.csv"),
                                  &hr, &ok_err_));
  CHECK_OK(br_check(policy, hr, S("2026-11-26"), &f, &ok_err_));
  CHECK(br_findings_count(f) >= 2);
  br_findings_destroy(f);

  f = (br_findings_t*)&err;
  CHECK(br_check(NULL, NULL, S("2026-11-26"), &f, &err) == BR_INVALID_ARGUMENT);
  CHECK(f == NULL);
  CHECK(br_check(policy, NULL, S("2026-11-31"), &f, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(f == NULL && contains(err, "as_of"));
  CHECK(br_check(policy, NULL, NULL, 0, &f, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_check(policy, NULL, S("2026-11-26"), NULL, &err) ==
        BR_INVALID_ARGUMENT);
  br_free(err);
  br_population_destroy(hr);
  br_policy_destroy(policy);
}

static br_population_t* population_of(br_person_t** people, int n) {
  br_population_t* pop = NULL;
  CHECK_OK(br_population_create(&pop, &ok_err_));
  for (int i = 0; i < n; ++i)
    CHECK_OK(br_population_add(pop, people[i], &ok_err_));
  return pop;
}

/* HR sync, policy change, emergency leaver, and the item accessors. */
static void test_population_deltas(void) {
  phase = "population deltas";
  char* err = NULL;
  br_policy_t* policy = make_policy();
  br_compiled_t* compiled = NULL;
  CHECK_OK(br_compile(policy, NULL, &compiled, &ok_err_));
  br_policy_destroy(policy);

  br_person_t* alice =
      make_person("alice", "Eng", "L5", "Full-time", "2027-01-31");
  br_person_t* promoted =
      make_person("alice", "Engineering", "L8", "Full-time", "2027-01-31");
  br_person_t* bob =
      make_person("bob", "Engineering", NULL, "Contractor", NULL);
  br_person_t* carol = make_person("carol", "Sales", NULL, "Full-time", NULL);
  br_person_t* mon_people[] = {bob, alice};
  br_person_t* tue_people[] = {promoted, carol};
  br_population_t* mon = population_of(mon_people, 2);
  br_population_t* tue = population_of(tue_people, 2);

  br_deltas_t* sync = NULL;
  CHECK_OK(br_hr_sync(compiled, mon, tue, S("2026-11-26"), NULL, 0, 1, &sync,
                      &ok_err_));
  CHECK(br_deltas_count(sync) == 3);
  /* Sorted by id: alice (mover), bob (leaver), carol (joiner). */
  const br_delta_t* a = br_deltas_at(sync, 0);
  const br_delta_t* b = br_deltas_at(sync, 1);
  const br_delta_t* c = br_deltas_at(sync, 2);
  CHECK(br_deltas_at(sync, 3) == NULL && br_deltas_at(sync, -1) == NULL);
  size_t len = 0;
  CHECK(streq(br_delta_person(a, &len), "alice") && len == 5);
  CHECK(br_delta_kind(a) == BR_DELTA_MOVER);
  CHECK(br_delta_kind(b) == BR_DELTA_LEAVER);
  CHECK(br_delta_kind(c) == BR_DELTA_JOINER);
  /* alice: GitHub Write -> Admin (R3), the rest kept. */
  CHECK(br_delta_count(a, BR_DELTA_CHANGE) == 1);
  CHECK(streq(br_delta_item_app(a, BR_DELTA_CHANGE, 0, NULL), "GitHub"));
  CHECK(streq(br_delta_item_level(a, BR_DELTA_CHANGE_FROM, 0, NULL), "Write"));
  CHECK(streq(br_delta_item_level(a, BR_DELTA_CHANGE, 0, NULL), "Admin"));
  CHECK(br_delta_item_reason_count(a, BR_DELTA_CHANGE, 0) == 1);
  CHECK(streq(br_delta_item_reason(a, BR_DELTA_CHANGE, 0, 0, NULL), "R3"));
  CHECK(streq(br_delta_item_reason(a, BR_DELTA_CHANGE_FROM, 0, 0, NULL), "R1"));
  CHECK(br_delta_item_reason(a, BR_DELTA_CHANGE, 0, 1, NULL) == NULL);
  CHECK(br_delta_item_scope_count(a, BR_DELTA_CHANGE_FROM, 0) == 2);
  CHECK(streq(br_delta_item_scope(a, BR_DELTA_CHANGE_FROM, 0, 1, NULL),
              "platform"));
  CHECK(br_delta_item_scope(a, BR_DELTA_CHANGE_FROM, 0, 2, NULL) == NULL);
  CHECK(streq(br_delta_item_owner(a, BR_DELTA_CHANGE, 0, &len),
              "dev@example.com") &&
        len == 15);
  CHECK(
      streq(br_delta_item_provisioning(a, BR_DELTA_CHANGE, 0, &len), "scim") &&
      len == 4);
  CHECK(br_delta_item_monthly_cost_cents(a, BR_DELTA_CHANGE, 0) == 400);
  CHECK(br_delta_count(a, BR_DELTA_KEEP) == 2);
  CHECK(streq(br_delta_item_instance(a, BR_DELTA_KEEP, 1, NULL), "eng"));
  CHECK(streq(br_delta_item_expires(a, BR_DELTA_KEEP, 1, &len), "2027-01-31") &&
        len == 10);
  CHECK(streq(br_delta_item_expires(a, BR_DELTA_KEEP, 0, &len), "") &&
        len == 0);
  CHECK(br_delta_item_monthly_cost_cents(a, BR_DELTA_KEEP, 1) == 0);
  /* Out of range: lists, indexes, NULL. */
  CHECK(br_delta_item_app(a, BR_DELTA_ADD, 0, &len) == NULL && len == 0);
  CHECK(br_delta_item_app(a, 9, 0, NULL) == NULL);
  CHECK(br_delta_item_level(a, BR_DELTA_KEEP, -1, NULL) == NULL);
  CHECK(br_delta_item_expires(a, BR_DELTA_KEEP, 2, NULL) == NULL);
  CHECK(br_delta_item_instance(NULL, BR_DELTA_KEEP, 0, NULL) == NULL);
  CHECK(br_delta_item_scope_count(a, BR_DELTA_ADD, 0) == 0);
  CHECK(br_delta_item_reason_count(NULL, BR_DELTA_ADD, 0) == 0);
  CHECK(br_delta_item_scope(a, BR_DELTA_ADD, 0, 0, NULL) == NULL);
  CHECK(br_delta_item_reason(a, BR_DELTA_ADD, 0, 0, NULL) == NULL);
  CHECK(br_delta_item_owner(a, BR_DELTA_ADD, 0, NULL) == NULL);
  CHECK(br_delta_item_provisioning(a, BR_DELTA_ADD, 0, NULL) == NULL);
  CHECK(br_delta_item_monthly_cost_cents(a, BR_DELTA_ADD, 0) == -1);
  CHECK(br_delta_person(NULL, NULL) == NULL);
  /* bob leaves with GitHub Write; carol joins with Slack corp. */
  CHECK(br_delta_count(b, BR_DELTA_REMOVE) == 1);
  CHECK(br_delta_count(c, BR_DELTA_ADD) == 1);
  CHECK(streq(br_delta_item_instance(c, BR_DELTA_ADD, 0, NULL), "corp"));
  CHECK(br_deltas_stat(sync, BR_STAT_PEOPLE) == 3);
  CHECK(br_deltas_stat(sync, BR_STAT_JOINERS) == 1);
  CHECK(br_deltas_stat(sync, BR_STAT_MOVERS) == 1);
  CHECK(br_deltas_stat(sync, BR_STAT_LEAVERS) == 1);
  CHECK(br_deltas_stat(sync, BR_STAT_UNCHANGED) == 0);
  CHECK(br_deltas_stat(sync, BR_STAT_ADDS) == 1);
  CHECK(br_deltas_stat(sync, BR_STAT_REMOVES) == 1);
  CHECK(br_deltas_stat(sync, BR_STAT_CHANGES) == 1);
  CHECK(br_deltas_stat(sync, BR_STAT_KEEPS) == 2);
  CHECK(br_deltas_stat(sync, BR_STAT_AUTOMATED_TASKS) == 3);
  CHECK(br_deltas_stat(sync, BR_STAT_MANUAL_TASKS) == 0);
  /* Slack corp added (+8.75), GitHub removed (-4.00). */
  CHECK(br_deltas_stat(sync, BR_STAT_LICENSE_CENTS_PER_MONTH) == 475);
  CHECK(br_deltas_stat(sync, BR_STAT_UNPRICED_ACTIONS) == 0);
  CHECK(br_deltas_stat(sync, 99) == 0);
  const char* summary = br_deltas_summary(sync, &len);
  CHECK(summary != NULL && len == strlen(summary));
  CHECK(contains(summary, "1 joiner, 1 mover, 1 leaver"));
  CHECK(contains(summary, "+$4.75/month"));
  const char* jsonl = br_deltas_jsonl(sync, &len);
  CHECK(jsonl != NULL && len == strlen(jsonl));
  CHECK(strncmp(jsonl, "{\"person\":\"alice\",\"kind\":\"mover\"", 32) == 0);
  CHECK(contains(jsonl, "\n{\"person\":\"bob\",\"kind\":\"leaver\""));
  CHECK(contains(jsonl, "\n{\"person\":\"carol\",\"kind\":\"joiner\""));
  CHECK(jsonl[len - 1] == '\n');
  /* Each delta's line is its jsonl line. */
  CHECK(strncmp(jsonl, br_delta_json(a, NULL),
                strlen(br_delta_json(a, NULL))) == 0);
  br_deltas_destroy(sync);

  /* Two dates: the before export at an earlier day. */
  CHECK_OK(br_hr_sync(compiled, mon, mon, S("2027-02-01"), S("2026-11-26"), 0,
                      &sync, &ok_err_));
  CHECK(br_deltas_count(sync) == 2);
  CHECK(br_delta_kind(br_deltas_at(sync, 0)) == BR_DELTA_MOVER); /* expiry */
  CHECK(br_delta_count(br_deltas_at(sync, 0), BR_DELTA_REMOVE) == 1);
  br_deltas_destroy(sync);

  sync = (br_deltas_t*)&err;
  CHECK(br_hr_sync(compiled, mon, tue, S("2026-11-26"), S("bad"), 1, &sync,
                   &err) == BR_INVALID_ARGUMENT);
  CHECK(sync == NULL && contains(err, "before_as_of"));
  CHECK(br_hr_sync(compiled, mon, tue, S("x"), NULL, 0, 1, &sync, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_hr_sync(NULL, mon, tue, S("2026-11-26"), NULL, 0, 1, &sync, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_hr_sync(compiled, NULL, tue, S("2026-11-26"), NULL, 0, 1, &sync,
                   &err) == BR_INVALID_ARGUMENT);
  CHECK(br_hr_sync(compiled, mon, tue, S("2026-11-26"), NULL, 0, 100000, &sync,
                   &err) == BR_INVALID_ARGUMENT);
  CHECK(contains(err, "threads"));
  CHECK(br_hr_sync(compiled, mon, tue, S("2026-11-26"), NULL, 0, 1, NULL,
                   &err) == BR_INVALID_ARGUMENT);
  CHECK(sync == NULL);

  /* Policy change: v2 drops R5 (Slack eng) and R4's deny. */
  static const char kRulesV2[] =
      "id,department,grade,employment type,app,instance,level,scopes,effect\n"
      "R1,Engineering,,,GitHub,,Write,api;platform,grant\n"
      "R2,*,,,Slack,corp,Member,,grant\n"
      "R3,Engineering,>= L7,,GitHub,,Admin,,grant\n";
  br_policy_t* v2 = NULL;
  br_compiled_t* compiled2 = NULL;
  CHECK_OK(br_policy_create(S("test-policy"), S("v2"), &v2, &ok_err_));
  CHECK_OK(br_policy_add_catalog(v2, S(kCatalog), S("catalog.csv"), &ok_err_));
  CHECK_OK(br_policy_add_schema(v2, S(kSchema), S("schema.csv"), &ok_err_));
  CHECK_OK(br_policy_add_aliases(v2, S(kAliases), S("aliases.csv"), &ok_err_));
  CHECK_OK(br_policy_add_rules(v2, S(kRulesV2), S("rules-v2.csv"),
                               BR_RULES_AUTO, &ok_err_));
  CHECK_OK(br_compile(v2, NULL, &compiled2, &ok_err_));
  br_policy_destroy(v2);
  br_deltas_t* change = NULL;
  CHECK_OK(br_policy_delta(compiled, compiled2, mon, S("2026-11-26"), 2,
                           &change, &ok_err_));
  CHECK(br_deltas_count(change) == 2);
  /* alice loses Slack eng; bob (a contractor) gains Slack corp. */
  a = br_deltas_at(change, 0);
  b = br_deltas_at(change, 1);
  CHECK(streq(br_delta_person(a, NULL), "alice"));
  CHECK(br_delta_kind(a) == BR_DELTA_MOVER);
  CHECK(br_delta_count(a, BR_DELTA_REMOVE) == 1);
  CHECK(streq(br_delta_item_instance(a, BR_DELTA_REMOVE, 0, NULL), "eng"));
  CHECK(br_delta_count(b, BR_DELTA_ADD) == 1);
  CHECK(streq(br_delta_item_reason(b, BR_DELTA_ADD, 0, 0, NULL), "R2"));
  CHECK(contains(br_deltas_summary(change, NULL), "2 people change"));
  br_deltas_destroy(change);
  change = (br_deltas_t*)&err;
  CHECK(br_policy_delta(compiled, NULL, mon, S("2026-11-26"), 1, &change,
                        &err) == BR_INVALID_ARGUMENT);
  CHECK(change == NULL);
  CHECK(br_policy_delta(compiled, compiled2, NULL, S("2026-11-26"), 1, &change,
                        &err) == BR_INVALID_ARGUMENT);
  CHECK(br_policy_delta(compiled, compiled2, mon, S("2026/11/26"), 1, &change,
                        &err) == BR_INVALID_ARGUMENT);
  CHECK(br_policy_delta(compiled, compiled2, mon, S("2026-11-26"), 999, &change,
                        &err) == BR_INVALID_ARGUMENT);
  CHECK(br_policy_delta(compiled, compiled2, mon, S("2026-11-26"), 1, NULL,
                        &err) == BR_INVALID_ARGUMENT);
  br_compiled_destroy(compiled2);

  /* Emergency leaver: policy and export united, automated first. */
  static const char kAccess[] =
      "person id,app,instance,level\n"
      "alice,Jira,,User\n"
      "alice,GitHub,,Write\n"
      "bob,GitHub,,Read\n";
  br_delta_t* leaver = NULL;
  CHECK_OK(br_emergency_leaver(compiled, alice, S(kAccess), S("access.csv"),
                               S("2026-11-26"), &leaver, &ok_err_));
  CHECK(br_delta_kind(leaver) == BR_DELTA_LEAVER);
  CHECK(br_delta_count(leaver, BR_DELTA_REMOVE) == 4);
  CHECK(streq(br_delta_item_provisioning(leaver, BR_DELTA_REMOVE, 0, NULL),
              "scim"));
  CHECK(streq(br_delta_item_app(leaver, BR_DELTA_REMOVE, 3, NULL), "Jira"));
  CHECK(streq(br_delta_item_level(leaver, BR_DELTA_REMOVE, 3, NULL), "User"));
  CHECK(streq(br_delta_item_provisioning(leaver, BR_DELTA_REMOVE, 3, NULL),
              "unspecified"));
  CHECK(streq(br_delta_item_owner(leaver, BR_DELTA_REMOVE, 3, &len), "") &&
        len == 0);
  CHECK(br_delta_item_monthly_cost_cents(leaver, BR_DELTA_REMOVE, 3) == -1);
  CHECK(br_delta_item_reason_count(leaver, BR_DELTA_REMOVE, 3) == 0);
  CHECK(contains(br_delta_json(leaver, NULL), "\"kind\":\"leaver\""));
  br_delta_destroy(leaver);
  /* Without an export: the policy's list alone. */
  CHECK_OK(br_emergency_leaver(compiled, alice, NULL, 0, NULL, 0,
                               S("2026-11-26"), &leaver, &ok_err_));
  CHECK(br_delta_count(leaver, BR_DELTA_REMOVE) == 3);
  br_delta_destroy(leaver);
  leaver = (br_delta_t*)&err;
  CHECK(br_emergency_leaver(compiled, alice, S("person id,app\n\"x\n"),
                            S("bad.csv"), S("2026-11-26"), &leaver,
                            &err) == BR_INVALID_ARGUMENT);
  CHECK(leaver == NULL && contains(err, "bad.csv:"));
  CHECK(br_emergency_leaver(compiled, alice, S("name,app\nx,y\n"), S(""),
                            S("2026-11-26"), &leaver,
                            &err) == BR_INVALID_ARGUMENT);
  CHECK(contains(err, "<access>"));
  CHECK(br_emergency_leaver(NULL, alice, NULL, 0, NULL, 0, S("2026-11-26"),
                            &leaver, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_emergency_leaver(compiled, NULL, NULL, 0, NULL, 0, S("2026-11-26"),
                            &leaver, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_emergency_leaver(compiled, alice, NULL, 0, NULL, 0, S("soon"),
                            &leaver, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_emergency_leaver(compiled, alice, NULL, 0, NULL, 0, S("2026-11-26"),
                            NULL, &err) == BR_INVALID_ARGUMENT);
  CHECK(leaver == NULL);

  br_free(err);
  br_population_destroy(tue);
  br_population_destroy(mon);
  br_person_destroy(carol);
  br_person_destroy(bob);
  br_person_destroy(promoted);
  br_person_destroy(alice);
  br_compiled_destroy(compiled);
}

/* Reconcile (SPEC §6): missing, excess (with the deny behind it), level
 * mismatch, orphans. */
static void test_reconcile(void) {
  phase = "reconcile";
  char* err = NULL;
  br_policy_t* policy = make_policy();
  br_compiled_t* compiled = NULL;
  CHECK_OK(br_compile(policy, NULL, &compiled, &ok_err_));
  br_policy_destroy(policy);
  br_person_t* alice =
      make_person("alice", "Eng", "L5", "Full-time", "2027-01-31");
  br_person_t* bob =
      make_person("bob", "Engineering", NULL, "Contractor", NULL);
  br_person_t* people[] = {alice, bob};
  br_population_t* hr = population_of(people, 2);
  static const char kAccess[] =
      "person id,app,instance,level\n"
      "alice,GitHub,,Write\n"
      "alice,Slack,corp,Admin\n"
      "bob,Slack,corp,Member\n"
      "zed,GitHub,,Read\n"
      "alice,GitHub,,Write\n";
  br_reconcile_t* r = NULL;
  CHECK_OK(br_reconcile(compiled, hr, S(kAccess), S("access.csv"),
                        S("2026-11-26"), NULL, NULL, 0, &r, &ok_err_));
  CHECK(br_reconcile_count(r) == 5);
  CHECK(br_reconcile_stat(r, BR_RECONCILE_STAT_PEOPLE) == 2);
  CHECK(br_reconcile_stat(r, BR_RECONCILE_STAT_CONSISTENT) == 1);
  CHECK(br_reconcile_stat(r, BR_RECONCILE_STAT_DUPLICATES) == 1);
  CHECK(br_reconcile_stat(r, 7) == 0);
  size_t len = 0;
  /* 0: alice Slack corp holds Admin, should have Member (R2). */
  CHECK(br_reconcile_kind(r, 0) == BR_RECONCILE_LEVEL_MISMATCH);
  CHECK(streq(br_reconcile_person(r, 0, &len), "alice") && len == 5);
  CHECK(streq(br_reconcile_app(r, 0, NULL), "Slack"));
  CHECK(streq(br_reconcile_instance(r, 0, NULL), "corp"));
  CHECK(streq(br_reconcile_desired_level(r, 0, NULL), "Member"));
  CHECK(streq(br_reconcile_actual_level(r, 0, NULL), "Admin"));
  CHECK(streq(br_reconcile_location(r, 0, NULL), "access.csv:3"));
  CHECK(streq(br_reconcile_reason(r, 0, &len), "") && len == 0);
  CHECK(streq(br_reconcile_owner(r, 0, NULL), "it@example.com"));
  CHECK(streq(br_reconcile_provisioning(r, 0, NULL), "scim"));
  CHECK(br_reconcile_monthly_cost_cents(r, 0) == 875);
  /* 1: alice Slack eng missing. */
  CHECK(br_reconcile_kind(r, 1) == BR_RECONCILE_MISSING);
  CHECK(streq(br_reconcile_actual_level(r, 1, &len), "") && len == 0);
  CHECK(streq(br_reconcile_location(r, 1, NULL), ""));
  /* 2: bob GitHub missing; 3: bob Slack corp excess, denied by R4. */
  CHECK(br_reconcile_kind(r, 2) == BR_RECONCILE_MISSING);
  CHECK(br_reconcile_kind(r, 3) == BR_RECONCILE_EXCESS);
  CHECK(streq(br_reconcile_reason(r, 3, NULL), "not granted"));
  CHECK(streq(br_reconcile_desired_level(r, 3, &len), "") && len == 0);
  CHECK(br_reconcile_denied_by_count(r, 3) == 1);
  CHECK(streq(br_reconcile_denied_by(r, 3, 0, NULL), "R4"));
  CHECK(br_reconcile_denied_by(r, 3, 1, NULL) == NULL);
  CHECK(br_reconcile_denied_by_count(r, 0) == 0);
  CHECK(contains(br_reconcile_json(r, 3, NULL), "\"denied_by\":[\"R4\"]"));
  /* 4: zed is not in HR: an orphan. */
  CHECK(streq(br_reconcile_person(r, 4, NULL), "zed"));
  CHECK(streq(br_reconcile_reason(r, 4, NULL), "orphan"));
  const char* jsonl = br_reconcile_jsonl(r, &len);
  CHECK(jsonl != NULL && len == strlen(jsonl));
  CHECK(strncmp(jsonl, br_reconcile_json(r, 0, NULL),
                strlen(br_reconcile_json(r, 0, NULL))) == 0);
  /* Out of range. */
  CHECK(br_reconcile_kind(r, 5) == -1 && br_reconcile_kind(NULL, 0) == -1);
  CHECK(br_reconcile_person(r, 5, &len) == NULL && len == 0);
  CHECK(br_reconcile_app(r, -1, NULL) == NULL);
  CHECK(br_reconcile_instance(r, 5, NULL) == NULL);
  CHECK(br_reconcile_desired_level(r, 5, NULL) == NULL);
  CHECK(br_reconcile_actual_level(r, 5, NULL) == NULL);
  CHECK(br_reconcile_location(r, 5, NULL) == NULL);
  CHECK(br_reconcile_reason(r, 5, NULL) == NULL);
  CHECK(br_reconcile_owner(r, 5, NULL) == NULL);
  CHECK(br_reconcile_provisioning(r, 5, NULL) == NULL);
  CHECK(br_reconcile_json(r, 5, NULL) == NULL);
  CHECK(br_reconcile_monthly_cost_cents(r, 5) == -1);
  CHECK(br_reconcile_denied_by_count(r, 5) == 0);
  br_reconcile_destroy(r);

  /* Only some apps: GitHub. */
  const char* apps[] = {"github"};
  const size_t app_lens[] = {6};
  CHECK_OK(br_reconcile(compiled, hr, S(kAccess), S("access.csv"),
                        S("2026-11-26"), apps, app_lens, 1, &r, &ok_err_));
  CHECK(br_reconcile_count(r) == 2); /* bob missing, zed orphan */
  br_reconcile_destroy(r);

  r = (br_reconcile_t*)&err;
  CHECK(br_reconcile(compiled, hr, S("person id,app,level\n\"x\n"), S("a.csv"),
                     S("2026-11-26"), NULL, NULL, 0, &r,
                     &err) == BR_INVALID_ARGUMENT);
  CHECK(r == NULL && contains(err, "a.csv:"));
  CHECK(br_reconcile(compiled, hr, S(kAccess), S(""), S("2026-11-26"), NULL,
                     app_lens, 1, &r, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_reconcile(NULL, hr, S(kAccess), S(""), S("2026-11-26"), NULL, NULL,
                     0, &r, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_reconcile(compiled, NULL, S(kAccess), S(""), S("2026-11-26"), NULL,
                     NULL, 0, &r, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_reconcile(compiled, hr, S(kAccess), S(""), S("26.11.2026"), NULL,
                     NULL, 0, &r, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_reconcile(compiled, hr, S(kAccess), S(""), S("2026-11-26"), NULL,
                     NULL, 0, NULL, &err) == BR_INVALID_ARGUMENT);
  CHECK(r == NULL);
  br_free(err);
  br_population_destroy(hr);
  br_person_destroy(bob);
  br_person_destroy(alice);
  br_compiled_destroy(compiled);
}

/* Time-bound access (SPEC §4.5): the day-N notice. */
static void test_expiring(void) {
  phase = "expiring";
  char* err = NULL;
  br_policy_t* policy = make_policy();
  br_compiled_t* compiled = NULL;
  CHECK_OK(br_compile(policy, NULL, &compiled, &ok_err_));
  br_policy_destroy(policy);
  br_person_t* alice =
      make_person("alice", "Eng", "L5", "Full-time", "2027-01-31");
  br_person_t* bob =
      make_person("bob", "Engineering", NULL, "Contractor", NULL);
  br_person_t* people[] = {bob, alice};
  br_population_t* pop = population_of(people, 2);
  br_changes_t* c = NULL;
  /* 2027-01-31 + 1 is the first day without Slack eng: listed with 10 days,
   * not with 5. */
  CHECK_OK(
      br_expiring_within(compiled, pop, S("2027-01-21"), 10, &c, &ok_err_));
  CHECK(br_changes_count(c) == 1);
  size_t len = 0;
  CHECK(br_changes_kind(c, 0) == BR_CHANGE_LAPSE);
  CHECK(streq(br_changes_person(c, 0, &len), "alice") && len == 5);
  CHECK(streq(br_changes_app(c, 0, NULL), "Slack"));
  CHECK(streq(br_changes_instance(c, 0, NULL), "eng"));
  CHECK(streq(br_changes_effective(c, 0, NULL), "2027-02-01"));
  CHECK(streq(br_changes_last_day(c, 0, NULL), "2027-01-31"));
  CHECK(streq(br_changes_from_level(c, 0, NULL), "Member"));
  CHECK(streq(br_changes_to_level(c, 0, &len), "") && len == 0);
  CHECK(streq(br_changes_owner(c, 0, NULL), "it@example.com"));
  CHECK(streq(br_changes_provisioning(c, 0, NULL), "scim"));
  CHECK(br_changes_monthly_cost_cents(c, 0) == 0);
  CHECK(contains(br_changes_json(c, 0, NULL),
                 "{\"person\":\"alice\",\"effective\":\"2027-02-01\","
                 "\"last_day\":\"2027-01-31\",\"app\":\"Slack\","
                 "\"instance\":\"eng\",\"from\":{"));
  CHECK(contains(br_changes_json(c, 0, NULL), "\"to\":null"));
  const char* jsonl = br_changes_jsonl(c, &len);
  CHECK(jsonl != NULL && len == strlen(jsonl) && jsonl[len - 1] == '\n');
  CHECK(br_changes_kind(c, 1) == -1 && br_changes_kind(NULL, 0) == -1);
  CHECK(br_changes_person(c, 1, NULL) == NULL);
  CHECK(br_changes_app(c, -1, NULL) == NULL);
  CHECK(br_changes_instance(c, 1, NULL) == NULL);
  CHECK(br_changes_effective(c, 1, NULL) == NULL);
  CHECK(br_changes_last_day(c, 1, NULL) == NULL);
  CHECK(br_changes_from_level(c, 1, NULL) == NULL);
  CHECK(br_changes_to_level(c, 1, NULL) == NULL);
  CHECK(br_changes_owner(c, 1, NULL) == NULL);
  CHECK(br_changes_provisioning(c, 1, NULL) == NULL);
  CHECK(br_changes_json(c, 1, NULL) == NULL);
  CHECK(br_changes_monthly_cost_cents(c, 1) == -1);
  br_changes_destroy(c);
  CHECK_OK(br_expiring_within(compiled, pop, S("2027-01-21"), 5, &c, &ok_err_));
  CHECK(br_changes_count(c) == 0);
  CHECK(streq(br_changes_jsonl(c, &len), "") && len == 0);
  br_changes_destroy(c);

  c = (br_changes_t*)&err;
  CHECK(br_expiring_within(compiled, pop, S("2027-01-21"), -1, &c, &err) ==
        BR_OUT_OF_RANGE);
  CHECK(c == NULL && contains(err, "days"));
  CHECK(br_expiring_within(compiled, pop, S("2027-01-21"), 36601, &c, &err) ==
        BR_OUT_OF_RANGE);
  CHECK(br_expiring_within(compiled, pop, S("2027-01-32"), 1, &c, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_expiring_within(NULL, pop, S("2027-01-21"), 1, &c, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_expiring_within(compiled, NULL, S("2027-01-21"), 1, &c, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_expiring_within(compiled, pop, S("2027-01-21"), 1, NULL, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(c == NULL);
  br_free(err);
  br_population_destroy(pop);
  br_person_destroy(bob);
  br_person_destroy(alice);
  br_compiled_destroy(compiled);
}

/* Policy text (policy_text.h) and diff (diff.h). */
static void test_text_and_diff(void) {
  phase = "policy text and diff";
  char* err = NULL;
  br_policy_t* policy = make_policy();
  char* text = NULL;
  size_t text_len = 0;
  CHECK_OK(br_policy_format_text(policy, &text, &text_len, &ok_err_));
  CHECK(text != NULL && text_len == strlen(text));
  CHECK(contains(text, "rule R1 grant"));
  CHECK(contains(text, "policy test-policy version v1"));
  br_policy_t* parsed = NULL;
  CHECK_OK(
      br_policy_load_text(text, text_len, S("test.brp"), &parsed, &ok_err_));
  CHECK(br_policy_rule_count(parsed) == 5);
  /* The canonical text is a fixed point, and the parsed policy evaluates
   * like the spreadsheets it came from. */
  char* again = NULL;
  CHECK_OK(br_policy_format_text(parsed, &again, NULL, &ok_err_));
  CHECK(streq(again, text));
  br_free(again);
  br_compiled_t* compiled = NULL;
  CHECK_OK(br_compile(parsed, NULL, &compiled, &ok_err_));
  CHECK(streq(br_compiled_name(compiled, NULL), "test-policy"));
  CHECK(streq(br_compiled_version(compiled, NULL), "v1"));
  br_person_t* alice =
      make_person("alice", "Eng", "L5", "Full-time", "2027-01-31");
  br_decision_t* d = NULL;
  CHECK_OK(br_evaluate(compiled, alice, S("2026-11-26"), 0, &d, &ok_err_));
  CHECK(streq(br_decision_json(d, NULL), kAliceJson));
  br_decision_destroy(d);
  br_compiled_destroy(compiled);

  br_policy_t* bad = (br_policy_t*)&err;
  CHECK(br_policy_load_text(S("rule R1 frobnicate\n"), S("bad.brp"), &bad,
                            &err) == BR_INVALID_ARGUMENT);
  CHECK(bad == NULL && contains(err, "bad.brp:1:"));
  CHECK(br_policy_load_text(S("rule R1"), S(""), NULL, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_policy_load_text(NULL, 3, S(""), &bad, &err) == BR_INVALID_ARGUMENT);
  CHECK(br_policy_load_text(S("x"), "\xff", 1, &bad, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(bad == NULL);
  char* none = (char*)&err;
  CHECK(br_policy_format_text(NULL, &none, &text_len, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(none == NULL && text_len == 0);
  CHECK(br_policy_format_text(policy, NULL, NULL, &err) == BR_INVALID_ARGUMENT);

  /* Diff: the text version without R5 against the spreadsheets. */
  char* cut = strstr(text, "rule R5");
  CHECK(cut != NULL);
  br_policy_t* v2 = NULL;
  CHECK_OK(br_policy_load_text(text, (size_t)(cut - text), S("v2.brp"), &v2,
                               &ok_err_));
  CHECK(br_policy_rule_count(v2) == 4);
  br_person_t* people[] = {alice};
  br_population_t* pop = population_of(people, 1);
  br_diff_t* diff = NULL;
  CHECK_OK(br_diff(policy, v2, pop, S("2026-11-26"), &diff, &ok_err_));
  size_t len = 0;
  const char* summary = br_diff_summary(diff, &len);
  CHECK(summary != NULL && len == strlen(summary) && contains(summary, "1 "));
  const char* json = br_diff_json(diff, &len);
  CHECK(json != NULL && len == strlen(json) && json[0] == '{');
  CHECK(contains(json, "R5"));
  const char* jsonl = br_diff_jsonl(diff, &len);
  CHECK(jsonl != NULL && len == strlen(jsonl) && contains(jsonl, "\"type\""));
  br_diff_destroy(diff);
  /* Without people: no population impact, still a diff. */
  CHECK_OK(br_diff(policy, v2, NULL, S("2026-11-26"), &diff, &ok_err_));
  CHECK(contains(br_diff_json(diff, NULL), "R5"));
  br_diff_destroy(diff);
  diff = (br_diff_t*)&err;
  CHECK(br_diff(NULL, v2, NULL, S("2026-11-26"), &diff, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(diff == NULL);
  CHECK(br_diff(policy, v2, NULL, S("2026-1-1"), &diff, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(br_diff(policy, v2, NULL, S("2026-11-26"), NULL, &err) ==
        BR_INVALID_ARGUMENT);
  CHECK(diff == NULL);
  br_free(err);
  br_free(text);
  br_population_destroy(pop);
  br_person_destroy(alice);
  br_policy_destroy(v2);
  br_policy_destroy(parsed);
  br_policy_destroy(policy);
}

static char* read_file(const char* dir, const char* rel, size_t* len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, rel);
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  size_t cap = 1 << 16, n = 0;
  char* buf = malloc(cap);
  CHECK(buf != NULL);
  size_t got;
  while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      CHECK(buf != NULL);
    }
  }
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* The acme example compiled through the C API (with its people, as the CLI's
 * `compile --people`); *people receives examples/acme/people.csv. */
static br_compiled_t* compile_acme(const char* dir, br_population_t** people) {
  size_t n = 0;
  br_policy_t* policy = NULL;
  br_compiled_t* compiled = NULL;
  CHECK_OK(br_policy_create(S("rules"), S(""), &policy, &ok_err_));
  char* data = read_file(dir, "examples/acme/schema.csv", &n);
  CHECK_OK(br_policy_add_schema(policy, data, n, S("schema.csv"), &ok_err_));
  free(data);
  data = read_file(dir, "examples/acme/catalog.csv", &n);
  CHECK_OK(br_policy_add_catalog(policy, data, n, S("catalog.csv"), &ok_err_));
  free(data);
  data = read_file(dir, "examples/acme/aliases.csv", &n);
  CHECK_OK(br_policy_add_aliases(policy, data, n, S("aliases.csv"), &ok_err_));
  free(data);
  data = read_file(dir, "examples/acme/rules.csv", &n);
  CHECK_OK(br_policy_add_rules(policy, data, n, S("rules.csv"), BR_RULES_AUTO,
                               &ok_err_));
  free(data);
  data = read_file(dir, "examples/acme/people.csv", &n);
  CHECK_OK(br_population_load_csv(data, n, S("people.csv"), people, &ok_err_));
  free(data);
  CHECK(br_population_count(*people) == 40);
  CHECK_OK(br_compile(policy, *people, &compiled, &ok_err_));
  br_policy_destroy(policy);
  return compiled;
}

static void test_acme_golden(const char* dir) {
  phase = "acme golden";
  size_t n = 0;
  br_population_t* people = NULL;
  br_compiled_t* compiled = compile_acme(dir, &people);
  char* jsonl = NULL;
  size_t jsonl_len = 0;
  CHECK_OK(br_evaluate_many(compiled, people, S("2026-11-26"), 2,
                            BR_EVAL_DEFAULT, &jsonl, &jsonl_len, &ok_err_));
  char* golden = read_file(dir, "tests/testdata/acme_eval.golden.jsonl", &n);
  CHECK(jsonl_len == n);
  CHECK(memcmp(jsonl, golden, n) == 0);
  free(golden);
  br_free(jsonl);
  br_compiled_destroy(compiled);
  br_population_destroy(people);
}

/* People of an HR export, one br_person_t each, parsed here rather than by
 * the library (the C API hands out no person of a population): the acme
 * files quote some cells but never contain quotes or newlines inside one.
 * Returns the count; *out holds malloc'ed handles. */
static int read_people(const char* dir, const char* rel, br_person_t*** out) {
  size_t n = 0;
  char* data = read_file(dir, rel, &n);
  enum { kMaxCols = 32, kMaxPeople = 256 };
  char header[kMaxCols][64];
  int cols = 0, count = 0;
  br_person_t** people = calloc(kMaxPeople, sizeof *people);
  CHECK(people != NULL);
  size_t pos = 0;
  for (int line = 0; pos < n; ++line) {
    br_person_t* person = NULL;
    for (int col = 0;; ++col) {
      char cell[256];
      size_t len = 0;
      int quoted = pos < n && data[pos] == '"';
      if (quoted) ++pos;
      while (pos < n && (quoted ? data[pos] != '"'
                                : data[pos] != ',' && data[pos] != '\n' &&
                                      data[pos] != '\r')) {
        CHECK(len + 1 < sizeof cell);
        cell[len++] = data[pos++];
      }
      if (quoted) ++pos; /* the closing quote */
      cell[len] = '\0';
      if (line == 0) {
        CHECK(col < kMaxCols && len < sizeof header[0]);
        memcpy(header[col], cell, len + 1);
        cols = col + 1;
      } else if (col == 0) {
        CHECK(count < kMaxPeople);
        CHECK_OK(br_person_create(cell, len, &person, &ok_err_));
        people[count++] = person;
      } else if (col < cols) {
        CHECK_OK(br_person_set(person, header[col], strlen(header[col]), cell,
                               len, &ok_err_));
      }
      if (pos < n && data[pos] == ',') {
        ++pos;
        continue;
      }
      while (pos < n && (data[pos] == '\r' || data[pos] == '\n')) ++pos;
      break;
    }
  }
  free(data);
  *out = people;
  return count;
}

static int field_eq(const char* a, size_t an, const char* b, size_t bn) {
  return a != NULL && b != NULL && an == bn && memcmp(a, b, an) == 0;
}

/* Entitlement i's scopes or reasons (`count`, `item`) in two decisions:
 * the same count and the same strings. Returns the count. */
static int64_t check_same_items(
    const br_decision_t* want, const br_decision_t* got, int64_t i,
    int64_t (*count)(const br_decision_t*, int64_t),
    const char* (*item)(const br_decision_t*, int64_t, int64_t, size_t*)) {
  const int64_t n = count(want, i);
  CHECK(count(got, i) == n);
  for (int64_t j = 0; j < n; ++j) {
    size_t an = 0, bn = 0;
    const char* a = item(want, i, j, &an);
    const char* b = item(got, i, j, &bn);
    CHECK(field_eq(a, an, b, bn));
  }
  return n;
}

/* Every field of two decisions, through the accessors (which read the
 * scopes and reasons a layered app merged into its evaluation buffer).
 * Adds the entitlements with several reasons or scopes to *multi. */
static void check_same_decision(const br_decision_t* want,
                                const br_decision_t* got, int* multi) {
  size_t an = 0, bn = 0;
  const char* a = br_decision_person(want, &an);
  const char* b = br_decision_person(got, &bn);
  CHECK(field_eq(a, an, b, bn));
  CHECK(br_decision_is_leaver(want) == br_decision_is_leaver(got));
  const int64_t count = br_decision_entitlement_count(want);
  CHECK(br_decision_entitlement_count(got) == count);
  /* Entitlement i's string fields. */
  static const char* (*const kFields[])(const br_decision_t*, int64_t,
                                        size_t*) = {
      br_decision_entitlement_app, br_decision_entitlement_instance,
      br_decision_entitlement_level, br_decision_entitlement_expires};
  for (int64_t i = 0; i < count; ++i) {
    for (size_t f = 0; f < sizeof kFields / sizeof kFields[0]; ++f) {
      a = kFields[f](want, i, &an);
      b = kFields[f](got, i, &bn);
      CHECK(field_eq(a, an, b, bn));
    }
    const int64_t scopes =
        check_same_items(want, got, i, br_decision_entitlement_scope_count,
                         br_decision_entitlement_scope);
    const int64_t reasons =
        check_same_items(want, got, i, br_decision_entitlement_reason_count,
                         br_decision_entitlement_reason);
    if (scopes > 1 || reasons > 1) ++*multi;
  }
  const int64_t missing = br_decision_missing_count(want);
  CHECK(br_decision_missing_count(got) == missing);
  for (int64_t i = 0; i < missing; ++i) {
    a = br_decision_missing(want, i, &an);
    b = br_decision_missing(got, i, &bn);
    CHECK(field_eq(a, an, b, bn));
  }
  a = br_decision_json(want, &an);
  b = br_decision_json(got, &bn);
  CHECK(field_eq(a, an, b, bn));
}

/* The layered acme snapshot (15 of 26 apps compiled as two layers whose
 * outcomes merge at evaluation, their scope and reason ranges then living in
 * the evaluation buffer) answers as the policy compiled in one DAG per app:
 * per person and field, in batch on several threads, and in deltas. */
static void test_acme_layered(const char* dir, const char* snapshot) {
  phase = snapshot;
  br_population_t* people = NULL;
  br_compiled_t* flat = compile_acme(dir, &people);
  size_t n = 0;
  char* bytes = read_file(dir, snapshot, &n);
  br_compiled_t* layered = NULL;
  CHECK_OK(br_snapshot_load(bytes, n, &layered, &ok_err_));
  free(bytes);
  CHECK(br_compiled_rule_count(layered) == br_compiled_rule_count(flat));

  br_person_t** before = NULL;
  br_person_t** after = NULL;
  const int nb = read_people(dir, "examples/acme/people.csv", &before);
  const int na = read_people(dir, "examples/acme/people-after.csv", &after);
  CHECK(nb == 40 && na >= 40);
  static const char* const kDays[] = {"2025-03-01", "2026-11-26", "2026-12-16",
                                      "2027-06-30"};
  int compared = 0, multi = 0;
  for (size_t d = 0; d < sizeof kDays / sizeof kDays[0]; ++d) {
    const char* day = kDays[d];
    for (int i = 0; i < nb + na; ++i) {
      const br_person_t* p = i < nb ? before[i] : after[i - nb];
      br_decision_t* want = NULL;
      br_decision_t* got = NULL;
      CHECK_OK(br_evaluate(flat, p, day, strlen(day), BR_EVAL_DEFAULT, &want,
                           &ok_err_));
      CHECK_OK(br_evaluate(layered, p, day, strlen(day), BR_EVAL_DEFAULT, &got,
                           &ok_err_));
      check_same_decision(want, got, &multi);
      compared += (int)br_decision_entitlement_count(want);
      br_decision_destroy(want);
      br_decision_destroy(got);
    }
    /* Batch: the same jsonl on 1 and 3 threads. */
    char* want_jsonl = NULL;
    size_t want_len = 0;
    CHECK_OK(br_evaluate_many(flat, people, day, strlen(day), 1,
                              BR_EVAL_DEFAULT, &want_jsonl, &want_len,
                              &ok_err_));
    for (int32_t threads = 1; threads <= 3; threads += 2) {
      char* got_jsonl = NULL;
      size_t got_len = 0;
      CHECK_OK(br_evaluate_many(layered, people, day, strlen(day), threads,
                                BR_EVAL_DEFAULT, &got_jsonl, &got_len,
                                &ok_err_));
      CHECK(field_eq(want_jsonl, want_len, got_jsonl, got_len));
      br_free(got_jsonl);
    }
    br_free(want_jsonl);
  }
  /* Enough was compared, merged answers among it (several scopes or
   * reasons on one entitlement). */
  CHECK(compared > 1000);
  CHECK(multi > 50);

  /* One person's delta: the fast path compares the merged entitlements of
   * two evaluation buffers. */
  int deltas = 0;
  for (int i = 0; i < nb; ++i) {
    size_t idn = 0;
    const char* id = br_person_id(before[i], &idn);
    const br_person_t* next = NULL;
    for (int j = 0; j < na && next == NULL; ++j) {
      size_t jn = 0;
      const char* other = br_person_id(after[j], &jn);
      if (field_eq(id, idn, other, jn)) next = after[j];
    }
    br_delta_t* want = NULL;
    br_delta_t* got = NULL;
    CHECK_OK(br_delta(flat, before[i], next, S("2026-12-03"), BR_EVAL_DEFAULT,
                      &want, &ok_err_));
    CHECK_OK(br_delta(layered, before[i], next, S("2026-12-03"),
                      BR_EVAL_DEFAULT, &got, &ok_err_));
    size_t an = 0, bn = 0;
    const char* a = br_delta_json(want, &an);
    const char* b = br_delta_json(got, &bn);
    CHECK(field_eq(a, an, b, bn));
    deltas += br_delta_kind(want) != BR_DELTA_UNCHANGED;
    br_delta_destroy(want);
    br_delta_destroy(got);
  }
  CHECK(deltas >= 3);

  for (int i = 0; i < nb; ++i) br_person_destroy(before[i]);
  for (int i = 0; i < na; ++i) br_person_destroy(after[i]);
  free(before);
  free(after);
  br_compiled_destroy(layered);
  br_compiled_destroy(flat);
  br_population_destroy(people);
}

int main(int argc, char** argv) {
  test_versions();
  test_null_destroys();
  test_policy_errors();
  test_matrix();
  test_check();
  test_people();
  test_evaluate();
  test_snapshot();
  test_findings();
  test_population_deltas();
  test_reconcile();
  test_expiring();
  test_text_and_diff();
  if (argc > 1) test_acme_golden(argv[1]);
  if (argc > 1) {
    /* Format 3: two layers per app; formats 4 and 5: up to three. */
    test_acme_layered(argv[1], "fuzz/corpus/snapshot/acme-format3-layered.brs");
    test_acme_layered(argv[1], "fuzz/corpus/snapshot/acme-format4-layered.brs");
    test_acme_layered(argv[1], "fuzz/corpus/snapshot/acme-format5-layered.brs");
    test_acme_layered(argv[1], "fuzz/corpus/snapshot/acme-format6-layered.brs");
  }
  printf("c_api_test: %d checks passed%s\n", checks,
         argc > 1 ? " (with the acme golden file)" : "");
  return 0;
}
