/* Exercises every function of the C API (include/birthright/birthright.h),
 * error paths included, from plain C11 (leveldb's db/c_test.c in spirit).
 *
 * Usage: c_api_test [SOURCE_DIR]. With SOURCE_DIR the acme example is also
 * loaded through the C API and br_evaluate_many must reproduce
 * tests/testdata/acme_eval.golden.jsonl byte for byte (what the CLI prints).
 * Runs under ASan+UBSan too (c_api_test_asan), so leaks of handles or error
 * messages fail the test. */
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

static void test_acme_golden(const char* dir) {
  phase = "acme golden";
  size_t n = 0;
  br_policy_t* policy = NULL;
  br_population_t* people = NULL;
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
  CHECK_OK(br_population_load_csv(data, n, S("people.csv"), &people, &ok_err_));
  free(data);
  CHECK(br_population_count(people) == 40);
  CHECK_OK(br_compile(policy, people, &compiled, &ok_err_));
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
  br_policy_destroy(policy);
}

int main(int argc, char** argv) {
  test_versions();
  test_null_destroys();
  test_policy_errors();
  test_matrix();
  test_check();
  test_people();
  test_evaluate();
  if (argc > 1) test_acme_golden(argv[1]);
  printf("c_api_test: %d checks passed%s\n", checks,
         argc > 1 ? " (with the acme golden file)" : "");
  return 0;
}
