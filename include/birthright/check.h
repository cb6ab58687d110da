// Static analysis of a rule set: the findings of SPEC §7 that `birthright
// check` reports (docs/check.md lists every code and its exactness).
//
// Check() binds the policy non-strictly, so every reference the catalog or
// schema does not know becomes a finding instead of an error, then looks at
// each rule on its own (unsatisfiable), at pairs of rules (duplicate,
// level-conflict, intended-exception), at each grant against every rule
// that can meet it (shadowed), at the policy's separation-of-duties pairs
// (sod-violation, when Policy::sod is non-empty) and, when an HR
// population is given, at the rules against the people (unknown-value,
// gap, reserved attribute names). Pair and coverage findings come from an
// exact witness search; what it cannot decide is reported at info severity
// as "possible", never dropped (docs/check.md "Exactness").
//
// Thread safety: Check() is a pure function of its arguments; concurrent
// calls are safe.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_CHECK_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_CHECK_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "birthright/bound_policy.h"
#include "birthright/date.h"
#include "birthright/policy.h"

namespace birthright {

// One finding (SPEC §7, §11).
struct Finding {
  std::string code;  // SPEC §7 vocabulary: "unsatisfiable", "duplicate", ...
  Severity severity = Severity::kWarning;
  std::vector<std::string> rules;      // Rule ids, in policy order.
  std::vector<std::string> locations;  // "file:line", one per place.
  std::string message;
  // A concrete person showing the problem (attribute → value, as the sheet
  // spells the attribute); empty when none helps.
  std::vector<std::pair<std::string, std::string>> witness;
};

struct CheckOptions {
  // The date `gap` evaluates people at (leavers and windows, SPEC §4).
  Date as_of;
  // Hard limit on rules (InvalidArgument-free: ResourceExhausted).
  int64_t max_rules = 1'000'000;
};

// Checks `policy`; `hr` (may be null; borrowed for the call only) enables
// unknown-value, gap and the reserved-header warning. Returns the findings
// sorted by severity (error first), then code, then the position of the
// first rule named (findings naming no rule last), then location and
// message: the same input always gives the same list. Fails only when the
// input cannot be analysed at all (ResourceExhausted past a limit).
absl::StatusOr<std::vector<Finding>> Check(const Policy& policy,
                                           const Population* hr,
                                           const CheckOptions& options);

// The SPEC §11 jsonl line of `f` (no trailing newline): keys code,
// severity, rules, locations, message, then "witness" when non-empty.
std::string FindingToJson(const Finding& f);

// A SARIF 2.1.0 log of `findings` (one run, tool "birthright").
std::string FindingsToSarif(const std::vector<Finding>& findings);

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_CHECK_H_
