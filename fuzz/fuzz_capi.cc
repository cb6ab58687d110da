// Fuzz target: sequences of C API calls (include/birthright/birthright.h).
//
// The input is a little program: each byte picks an operation, the bytes
// after it its operands, over a few slots per handle type. Operations come
// in the orders a careless host would use — compile before importing,
// evaluate with a NULL person, indices past the end, a second import into a
// policy whose first import failed, destroy and reuse a slot — always within
// the documented contract (the harness never passes a dangling pointer).
// The library must not crash, leak or throw, and must keep its promises:
// a failed producing call leaves *out NULL, and a policy whose import
// failed is never compiled (SPEC §10, fail closed).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "birthright/birthright.h"

namespace {

// Small, valid building blocks the program can combine with fuzz bytes.
constexpr const char* kCatalog =
    "app,instance,levels,default level,owner,provisioning,monthly cost\n"
    "Okta,,User;Admin,User,it,scim,2\n"
    "Slack,corp,Member;Admin,,it,api,8.75\n"
    "Slack,eng,Member;Admin,,it,api,8.75\n"
    "NetSuite,,Viewer;AP Clerk;AP Approver,Viewer,fin,manual,99\n";
constexpr const char* kRules =
    "id,department,grade,app,instance,level,effect,unless,expires\n"
    "R1,*,,Okta,,User,grant,,\n"
    "R2,Engineering,>= L4,Slack,eng,Admin,grant,employment_type = "
    "Contractor,\n"
    "R3,Finance,,NetSuite,,AP Clerk,grant,,contract end\n"
    "R4,not Finance,,NetSuite,,,deny,,\n"
    "R5,contains eng,L1..L3,Slack,,Member,deny,,\n";
constexpr const char* kSchema =
    "attribute,type,order,case sensitive\n"
    "grade,ordinal,L1;L2;L3;L4;L5,no\n"
    "contract end,date,,no\n";
constexpr const char* kPeople =
    "id,department,grade,employment_type,contract end\n"
    "E1,Engineering,L5,Employee,\n"
    "E2,Finance,L2,Contractor,2027-01-01\n"
    "E3,,L9,,not a date\n";
constexpr const char* kAttrs[] = {"department",       "grade",
                                  "employment_type",  "contract end",
                                  "termination date", "x"};
constexpr const char* kValues[] = {"Engineering", "Finance",    "L4",
                                   "L1",          "Contractor", "",
                                   "2020-01-01",  "2030-12-31", "\xff\xfe"};
constexpr const char* kDates[] = {"2026-11-26", "2020-02-29", "", "2026-13-01",
                                  "yesterday"};

class Program {
 public:
  Program(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  bool done() const { return p_ >= end_; }
  uint8_t Byte() { return p_ < end_ ? *p_++ : 0; }
  // A string of up to 64 fuzz bytes.
  std::string Text() {
    size_t n = Byte() % 65;
    std::string s;
    while (n-- > 0 && p_ < end_) s.push_back(static_cast<char>(*p_++));
    return s;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

constexpr int kSlots = 3;

struct State {
  br_policy_t* policy[kSlots] = {};
  bool poisoned[kSlots] = {};  // An import into this policy failed.
  br_compiled_t* compiled[kSlots] = {};
  br_person_t* person[kSlots] = {};
  br_population_t* population[kSlots] = {};
  br_decision_t* decision[kSlots] = {};
  br_delta_t* delta[kSlots] = {};
  br_issues_t* issues[kSlots] = {};
  char* err = nullptr;

  ~State() {
    for (int i = 0; i < kSlots; ++i) {
      br_policy_destroy(policy[i]);
      br_compiled_destroy(compiled[i]);
      br_person_destroy(person[i]);
      br_population_destroy(population[i]);
      br_decision_destroy(decision[i]);
      br_delta_destroy(delta[i]);
      br_issues_destroy(issues[i]);
    }
    br_free(err);
  }
};

// A broken promise is a finding: say which and abort, so libFuzzer records
// it.
#define Require(cond) RequireAt((cond), #cond, __LINE__)
void RequireAt(bool ok, const char* what, int line) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_capi.cc:%d: broken promise: %s\n", line, what);
  std::abort();
}

// Reads every string accessor of a decision, in and out of range.
void Inspect(const br_decision_t* d, Program* prog) {
  size_t len = 0;
  (void)br_decision_person(d, &len);
  (void)br_decision_is_leaver(d);
  const int64_t n = br_decision_entitlement_count(d);
  for (int64_t i = -1; i <= n; ++i) {
    (void)br_decision_entitlement_app(d, i, &len);
    (void)br_decision_entitlement_instance(d, i, nullptr);
    (void)br_decision_entitlement_level(d, i, &len);
    (void)br_decision_entitlement_expires(d, i, &len);
    const int64_t scopes = br_decision_entitlement_scope_count(d, i);
    for (int64_t j = -1; j <= scopes; ++j) {
      (void)br_decision_entitlement_scope(d, i, j, &len);
    }
    const int64_t reasons = br_decision_entitlement_reason_count(d, i);
    (void)br_decision_entitlement_reason(d, i, reasons, &len);
    (void)br_decision_entitlement_reason(d, i, prog->Byte() - 128, &len);
  }
  (void)br_decision_missing(d, br_decision_missing_count(d), &len);
  const char* json = br_decision_json(d, &len);
  Require(d == nullptr || (json != nullptr && len > 0));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Program prog(data, size);
  State s;
  int steps = 0;
  while (!prog.done() && steps++ < 64) {
    const uint8_t op = prog.Byte();
    const int a = prog.Byte() % kSlots;
    const int b = prog.Byte() % kSlots;
    switch (op % 20) {
      case 0: {  // create a policy (replacing the slot)
        br_policy_destroy(s.policy[a]);
        s.policy[a] = nullptr;
        s.poisoned[a] = false;
        const std::string name = prog.Text();
        const br_status_t st = br_policy_create(name.data(), name.size(), "v1",
                                                2, &s.policy[a], &s.err);
        Require(st == BR_OK ? s.policy[a] != nullptr : s.policy[a] == nullptr);
        break;
      }
      case 1:
      case 2: {  // import a sheet: a good one, or one with fuzz bytes in it
        if (s.policy[a] == nullptr) break;
        std::string text;
        const uint8_t which = prog.Byte();
        switch (which % 4) {
          case 0:
            text = kCatalog;
            break;
          case 1:
            text = kRules;
            break;
          case 2:
            text = kSchema;
            break;
          default:
            text = "id,app,level\n";
            break;
        }
        if (op % 20 == 2) {
          text.append(prog.Text());
          text.push_back('\n');
          text.append(prog.Text());
        }
        br_status_t st;
        const uint8_t kind = prog.Byte() % 5;
        if (kind == 0) {
          st = br_policy_add_catalog(s.policy[a], text.data(), text.size(),
                                     "c.csv", 5, &s.err);
        } else if (kind == 1) {
          st = br_policy_add_schema(s.policy[a], text.data(), text.size(), "",
                                    0, &s.err);
        } else if (kind == 2) {
          st = br_policy_add_aliases(s.policy[a], text.data(), text.size(),
                                     "a.csv", 5, &s.err);
        } else if (kind == 3) {
          const char* cols[] = {"Okta", "Slack [corp]"};
          const size_t lens[] = {4, 12};
          st = br_policy_add_matrix(s.policy[a], text.data(), text.size(),
                                    "m.csv", 5, cols, lens, prog.Byte() % 3,
                                    &s.err);
        } else {
          st = br_policy_add_rules(s.policy[a], text.data(), text.size(),
                                   "r.csv", 5, prog.Byte() % 4, &s.err);
        }
        if (st != BR_OK) s.poisoned[a] = true;
        break;
      }
      case 3: {  // compile (policy may be NULL, empty, or poisoned)
        br_compiled_destroy(s.compiled[b]);
        s.compiled[b] = nullptr;
        const br_status_t st =
            br_compile(s.policy[a], s.population[b], &s.compiled[b], &s.err);
        Require(st == BR_OK ? s.compiled[b] != nullptr
                            : s.compiled[b] == nullptr);
        // Fail closed: a partial import must never become a policy.
        if (s.poisoned[a]) Require(st != BR_OK);
        if (st == BR_OK) {
          size_t len = 0;
          (void)br_compiled_name(s.compiled[b], &len);
          (void)br_compiled_version(s.compiled[b], nullptr);
          const int64_t n = br_compiled_attribute_count(s.compiled[b]);
          (void)br_compiled_attribute(s.compiled[b], n, &len);
          (void)br_compiled_attribute(s.compiled[b], -1, &len);
          (void)br_compiled_rule_count(s.compiled[b]);
        }
        break;
      }
      case 4: {  // check
        br_issues_destroy(s.issues[b]);
        s.issues[b] = nullptr;
        const br_status_t st =
            br_policy_check(s.policy[a], s.population[b], &s.issues[b], &s.err);
        Require(st == BR_OK ? s.issues[b] != nullptr : s.issues[b] == nullptr);
        const int64_t n = br_issues_count(s.issues[b]);
        for (int64_t i = -1; i <= n; ++i) {
          size_t len = 0;
          (void)br_issues_code(s.issues[b], i, &len);
          (void)br_issues_severity(s.issues[b], i, &len);
          (void)br_issues_rule(s.issues[b], i, &len);
          (void)br_issues_location(s.issues[b], i, &len);
          (void)br_issues_message(s.issues[b], i, &len);
        }
        (void)br_issues_jsonl(s.issues[b], nullptr);
        break;
      }
      case 5: {  // a person, fuzz id
        br_person_destroy(s.person[a]);
        s.person[a] = nullptr;
        const std::string id = prog.Text();
        const br_status_t st =
            br_person_create(id.data(), id.size(), &s.person[a], &s.err);
        Require(st == BR_OK ? s.person[a] != nullptr : s.person[a] == nullptr);
        break;
      }
      case 6: {  // set an attribute (known name, known or fuzz value)
        const char* name = kAttrs[prog.Byte() % 6];
        std::string value =
            prog.Byte() % 2 == 0 ? kValues[prog.Byte() % 9] : prog.Text();
        (void)br_person_set(s.person[a], name, std::string(name).size(),
                            value.data(), value.size(), &s.err);
        break;
      }
      case 7: {  // set a fuzz-named attribute, then read some back
        const std::string name = prog.Text();
        const std::string value = prog.Text();
        (void)br_person_set(s.person[a], name.data(), name.size(), value.data(),
                            value.size(), &s.err);
        const char* got = nullptr;
        size_t got_len = 0;
        (void)br_person_get(s.person[a], name.data(), name.size(), &got,
                            &got_len, &s.err);
        (void)br_person_id(s.person[a], nullptr);
        (void)br_person_attribute_count(s.person[a]);
        break;
      }
      case 8: {  // evaluate (handles may be NULL)
        br_decision_destroy(s.decision[b]);
        s.decision[b] = nullptr;
        const char* date = kDates[prog.Byte() % 5];
        const br_status_t st = br_evaluate(
            s.compiled[a], s.person[b], date, std::string(date).size(),
            prog.Byte() % 4, &s.decision[b], &s.err);
        Require(st == BR_OK ? s.decision[b] != nullptr
                            : s.decision[b] == nullptr);
        Inspect(s.decision[b], &prog);
        break;
      }
      case 9: {  // delta between two person slots (either may be NULL)
        br_delta_destroy(s.delta[a]);
        s.delta[a] = nullptr;
        const br_status_t st =
            br_delta(s.compiled[a], s.person[a], s.person[b], "2026-11-26", 10,
                     0, &s.delta[a], &s.err);
        Require(st == BR_OK ? s.delta[a] != nullptr : s.delta[a] == nullptr);
        (void)br_delta_kind(s.delta[a]);
        for (int32_t w = -1; w <= 4; ++w) (void)br_delta_count(s.delta[a], w);
        (void)br_delta_json(s.delta[a], nullptr);
        break;
      }
      case 10: {  // population: empty, the sample, or fuzz CSV
        br_population_destroy(s.population[a]);
        s.population[a] = nullptr;
        br_status_t st;
        if (prog.Byte() % 3 == 0) {
          st = br_population_create(&s.population[a], &s.err);
        } else {
          std::string csv = kPeople;
          if (prog.Byte() % 2 == 0) csv.append(prog.Text());
          st = br_population_load_csv(csv.data(), csv.size(), "p.csv", 5,
                                      &s.population[a], &s.err);
        }
        Require(st == BR_OK ? s.population[a] != nullptr
                            : s.population[a] == nullptr);
        (void)br_population_count(s.population[a]);
        break;
      }
      case 11:  // add a person to a population (either may be NULL)
        (void)br_population_add(s.population[a], s.person[b], &s.err);
        break;
      case 12: {  // evaluate many
        char* jsonl = nullptr;
        size_t len = 0;
        const char* date = kDates[prog.Byte() % 5];
        const br_status_t st = br_evaluate_many(
            s.compiled[a], s.population[b], date, std::string(date).size(),
            static_cast<int32_t>(prog.Byte() % 4) - 1, prog.Byte() % 4, &jsonl,
            &len, &s.err);
        Require(st == BR_OK || jsonl == nullptr);
        br_free(jsonl);
        break;
      }
      case 13:  // destroy anything in a slot, out of order
        switch (prog.Byte() % 7) {
          case 0:
            br_policy_destroy(s.policy[a]);
            s.policy[a] = nullptr;
            break;
          case 1:
            br_compiled_destroy(s.compiled[a]);
            s.compiled[a] = nullptr;
            break;
          case 2:
            br_person_destroy(s.person[a]);
            s.person[a] = nullptr;
            break;
          case 3:
            br_population_destroy(s.population[a]);
            s.population[a] = nullptr;
            break;
          case 4:
            br_decision_destroy(s.decision[a]);
            s.decision[a] = nullptr;
            break;
          case 5:
            br_delta_destroy(s.delta[a]);
            s.delta[a] = nullptr;
            break;
          default:
            br_issues_destroy(s.issues[a]);
            s.issues[a] = nullptr;
            break;
        }
        break;
      case 14: {  // errptr discipline: NULL errptr, and a reused message
        br_policy_t* p = nullptr;
        (void)br_policy_create(nullptr, 5, nullptr, 0, &p, nullptr);
        br_policy_destroy(p);
        (void)br_compile(nullptr, nullptr, nullptr, &s.err);
        (void)br_compile(nullptr, nullptr, nullptr, nullptr);
        break;
      }
      default: {  // status names, versions
        (void)br_status_name(static_cast<br_status_t>(prog.Byte() - 8));
        (void)br_version();
        (void)br_abi_version();
        break;
      }
    }
  }
  return 0;
}
