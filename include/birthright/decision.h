// The answer for one person (SPEC §5, §11): what they should have and why.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_DECISION_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_DECISION_H_

#include <optional>
#include <string>
#include <vector>

#include "birthright/date.h"

namespace birthright {

// One merged entitlement on an (app, instance). Strings use the catalog's
// spelling. `reasons` are the ids of the applying grants that give the
// winning level, in policy order. `expires` is null when any of them never
// expires (SPEC §4.5).
struct Entitlement {
  std::string app;
  std::string instance;
  std::string level;
  std::vector<std::string> scopes;  // Sorted.
  std::optional<Date> expires;
  std::vector<std::string> reasons;

  friend bool operator==(const Entitlement&, const Entitlement&) = default;
};

// A grant that would have applied but did not (explain mode only).
struct WithheldGrant {
  std::string rule_id;
  std::string app;
  std::string instance;
  std::string level;
  std::string why;  // "denied by rule R7", "department is missing", ...
};

struct Decision {
  std::string person_id;
  bool leaver = false;                    // Terminated before as_of.
  std::vector<Entitlement> entitlements;  // Sorted by (app, instance).
  // Missing attributes that changed the outcome (SPEC §2), sorted, as the
  // sheet spells them.
  std::vector<std::string> missing;
  std::vector<WithheldGrant> withheld;  // Filled only when explaining.

  friend bool operator==(const Decision& a, const Decision& b) {
    return a.person_id == b.person_id && a.leaver == b.leaver &&
           a.entitlements == b.entitlements && a.missing == b.missing;
  }
};

// The SPEC §11 jsonl line for `d` (no trailing newline):
// {"person":..,"entitlements":[{"app","instance","level","scopes",
//  "expires","reasons"}...],"missing":[...]}
std::string DecisionToJson(const Decision& d);

// JSON of one entitlement object, as inside DecisionToJson.
std::string EntitlementToJson(const Entitlement& e);

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_DECISION_H_
