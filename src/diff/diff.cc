// DiffPolicies (SPEC §9): binds both versions, then the rule-level diff, the
// exact semantic diff (semantic.cc) and the population impact through the
// policy-change deltas of src/delta (SPEC §6).
#include "birthright/diff.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "diff/diff_internal.h"

namespace birthright {

absl::StatusOr<PopulationImpact> DiffPopulation(const CompiledPolicy& before,
                                                const CompiledPolicy& after,
                                                const Population& people,
                                                Date as_of, int threads) {
  absl::StatusOr<std::vector<PersonDelta>> deltas =
      PolicyDeltaPopulation(before, after, people, as_of, threads);
  if (!deltas.ok()) return deltas.status();
  PopulationImpact out;
  out.file = people.file;
  out.as_of = as_of;
  out.people = static_cast<int64_t>(deltas->size());
  const InstanceIndex index_before(before.policy());
  const InstanceIndex index_after(after.policy());
  auto cost = [&](const InstanceIndex& index,
                  const Entitlement& e) -> std::optional<int64_t> {
    const AppInstance* inst = index.FindInstance(e.app, e.instance);
    return inst ? inst->monthly_cost_cents : std::nullopt;
  };
  for (PersonDelta& d : *deltas) {
    if (!d.has_actions()) {
      ++out.unchanged;
      continue;
    }
    if (d.change.empty() && d.remove.empty()) {
      ++out.gain;
    } else if (d.change.empty() && d.add.empty()) {
      ++out.lose;
    } else {
      ++out.change;
    }
    // A seat is bought for every add (new catalog) and freed for every
    // remove (old catalog); a change keeps the seat.
    for (const Entitlement& e : d.add) {
      if (auto c = cost(index_after, e)) {
        out.license_cents_per_month += *c;
      } else {
        ++out.unpriced_actions;
      }
    }
    for (const Entitlement& e : d.remove) {
      if (auto c = cost(index_before, e)) {
        out.license_cents_per_month -= *c;
      } else {
        ++out.unpriced_actions;
      }
    }
    out.deltas.push_back(std::move(d));
  }
  out.by_entitlement = ImpactByEntitlement(out.deltas);
  return out;
}

absl::StatusOr<PolicyDiff> DiffPolicies(const Policy& before,
                                        const Policy& after,
                                        const Population* people,
                                        const DiffOptions& options) {
  PolicyDiff out;
  out.name_before = before.name;
  out.version_before = before.version;
  out.name_after = after.name;
  out.version_after = after.version;
  out.rules = DiffRuleLevel(before, after);
  BindOptions bo;
  bo.strict = true;  // As eval: an unknown app or level is an input error.
  auto bb = BoundPolicy::Bind(before, people, bo);
  if (!bb.ok()) {
    return absl::Status(bb.status().code(),
                        "before: " + std::string(bb.status().message()));
  }
  auto ba = BoundPolicy::Bind(after, people, bo);
  if (!ba.ok()) {
    return absl::Status(ba.status().code(),
                        "after: " + std::string(ba.status().message()));
  }
  std::shared_ptr<const BoundPolicy> sb(std::move(*bb));
  std::shared_ptr<const BoundPolicy> sa(std::move(*ba));
  out.semantic = ComputeSemanticDiff(before, after, *sb, *sa, people, options);
  if (people != nullptr) {
    auto cb = CompiledPolicy::Compile(sb, options.compile);
    if (!cb.ok()) {
      return absl::Status(cb.status().code(),
                          "before: " + std::string(cb.status().message()));
    }
    auto ca = CompiledPolicy::Compile(sa, options.compile);
    if (!ca.ok()) {
      return absl::Status(ca.status().code(),
                          "after: " + std::string(ca.status().message()));
    }
    auto impact = DiffPopulation(**cb, **ca, *people, options.population_as_of,
                                 options.threads);
    if (!impact.ok()) return impact.status();
    out.population = std::move(*impact);
  }
  return out;
}

}  // namespace birthright
