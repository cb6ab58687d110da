// Separation of duties at evaluation time (SPEC §7, issue 4): which of the
// policy's declared toxic combinations one person's decision holds.
// `check` proves the same question over all possible persons
// (sod-violation, docs/check.md); `eval` flags the people who do hold one.
//
// Thread safety: pure functions of their arguments.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_SOD_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_SOD_H_

#include <string>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/decision.h"

namespace birthright {

// One declared pair a decision holds.
struct SodViolation {
  std::string id;       // The constraint's id.
  std::string message;  // The constraint's message (may be empty).
  // The entitlements that meet each side, "App [instance]: Level".
  std::string first;
  std::string second;
};

// The valid SoD constraints of `policy` that `d` holds, in policy order: a
// side is held when some entitlement is on one of its app instances at its
// level or higher. Entitlements are matched by name (case-insensitive), so
// `d` may come from any evaluator of `policy`. Empty when none.
std::vector<SodViolation> SodViolations(const BoundPolicy& policy,
                                        const Decision& d);

// {"id":..,"message":..,"first":..,"second":..} (no trailing newline).
std::string SodViolationToJson(const SodViolation& v);

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_SOD_H_
