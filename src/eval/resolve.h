// Conflict resolution for one person once it is known which rules apply
// (SPEC §4.2–§4.5): deny beats grant, priority then level order, scope
// union, expiry. Shared by the reference evaluator and the DAG compiler's
// leaf builder: it is a pure function of the applying rule sets, so the
// differential tests exercise everything that decides *which* rules apply.
// One hot-path copy exists: MergeLayers and the parts it reads
// (src/eval/layer_merge.cc) resolve the rules of several layer leaves at
// evaluation with integer tables and no allocation, which this function's
// strings and vectors would cost per person;
// DagDifferentialTest.LayeredAppsMatchReference and
// DeeplyLayeredAppsMatchReference hold the two to the same answers. A
// change here must be made there too.
#ifndef BIRTHRIGHT_SRC_EVAL_RESOLVE_H_
#define BIRTHRIGHT_SRC_EVAL_RESOLVE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/decision.h"

namespace birthright {

struct ResolvedEntitlement {
  int32_t instance = -1;
  int32_t level = -1;
  std::vector<std::string> scopes;  // Sorted, case-insensitively unique.
  std::vector<int32_t> reasons;     // Rule indices, policy order.

  friend bool operator==(const ResolvedEntitlement&,
                         const ResolvedEntitlement&) = default;
};

struct DeniedGrant {
  int32_t grant_rule = -1;
  int32_t target = -1;
  int32_t deny_rule = -1;
};

// `grants` and `denies` are indices of applying rules in ascending order.
// Fills `out` sorted by instance id. `denied`, when non-null, receives the
// grants removed by a deny.
void ResolveOutcome(const BoundPolicy& policy, std::span<const int32_t> grants,
                    std::span<const int32_t> denies,
                    std::vector<ResolvedEntitlement>* out,
                    std::vector<DeniedGrant>* denied);

// The entitlement's expiry from its contributing rules: the latest, or
// nullopt when any never expires. `attr_date(attr)` returns the person's
// date for an expiry attribute (always present for an applying grant).
std::optional<Date> ResolveExpiry(
    const BoundPolicy& policy, const std::vector<int32_t>& reasons,
    const std::function<std::optional<Date>(AttrId)>& attr_date);

// Strings for output.
Entitlement MakeEntitlement(const BoundPolicy& policy,
                            const ResolvedEntitlement& r,
                            std::optional<Date> expires);

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_EVAL_RESOLVE_H_
