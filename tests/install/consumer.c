/* A program that uses birthright the way an ITSM tool would: one header, one
 * shared library, found through the installed CMake package or pkg-config.
 * docs/c-api.md shows it; tests/install/install_test.sh builds and runs it
 * against a fresh install tree. Prints the jsonl line for one person. */
#include <birthright/birthright.h>
#include <stdio.h>
#include <string.h>

#define S(lit) lit, sizeof(lit) - 1

static const char kCatalog[] =
    "app,instance,levels,default level\n"
    "GitHub,,Read;Write;Admin,Read\n"
    "Slack,corp,Member;Admin,\n";

static const char kRules[] =
    "id,department,app,instance,level,scopes\n"
    "R1,Engineering,GitHub,,Write,platform\n"
    "R2,*,Slack,corp,Member,\n";

static int fail(const char* what, br_status_t status, char* err) {
  fprintf(stderr, "%s failed: %s: %s\n", what, br_status_name(status),
          err ? err : "");
  br_free(err);
  return 1;
}

int main(void) {
  char* err = NULL;
  br_status_t st;
  if (br_abi_version() != BR_ABI_VERSION) {
    fprintf(stderr, "ABI mismatch: library %d, header %d\n",
            (int)br_abi_version(), BR_ABI_VERSION);
    return 1;
  }

  br_policy_t* policy = NULL;
  if ((st = br_policy_create(S("acme-access"), S("v1"), &policy, &err)) !=
          BR_OK ||
      (st = br_policy_add_catalog(policy, S(kCatalog), S("catalog.csv"),
                                  &err)) != BR_OK ||
      (st = br_policy_add_rules(policy, S(kRules), S("rules.csv"),
                                BR_RULES_AUTO, &err)) != BR_OK) {
    br_policy_destroy(policy);
    return fail("loading the policy", st, err);
  }

  br_compiled_t* compiled = NULL;
  st = br_compile(policy, NULL, &compiled, &err);
  br_policy_destroy(policy); /* the compiled policy owns what it needs */
  if (st != BR_OK) return fail("br_compile", st, err);

  br_person_t* person = NULL;
  br_decision_t* decision = NULL;
  if ((st = br_person_create(S("E042"), &person, &err)) != BR_OK ||
      (st = br_person_set(person, S("Department"), S("Engineering"), &err)) !=
          BR_OK ||
      (st = br_evaluate(compiled, person, S("2026-11-26"), BR_EVAL_DEFAULT,
                        &decision, &err)) != BR_OK) {
    br_person_destroy(person);
    br_compiled_destroy(compiled);
    return fail("br_evaluate", st, err);
  }

  for (int64_t i = 0; i < br_decision_entitlement_count(decision); ++i) {
    fprintf(stderr, "%s %s %s\n",
            br_decision_entitlement_app(decision, i, NULL),
            br_decision_entitlement_instance(decision, i, NULL),
            br_decision_entitlement_level(decision, i, NULL));
  }
  printf("%s\n", br_decision_json(decision, NULL));

  br_decision_destroy(decision);
  br_person_destroy(person);
  br_compiled_destroy(compiled);
  return 0;
}
