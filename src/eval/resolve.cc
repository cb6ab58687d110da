#include "eval/resolve.h"

#include <algorithm>
#include <map>

#include "util/text.h"

namespace birthright {

void ResolveOutcome(const BoundPolicy& policy, std::span<const int32_t> grants,
                    std::span<const int32_t> denies,
                    std::vector<ResolvedEntitlement>* out,
                    std::vector<DeniedGrant>* denied) {
  out->clear();
  const auto& rules = policy.rules();
  struct Candidate {
    int32_t rule;
    int32_t target;
  };
  // Candidates per instance, in policy order (std::map: deterministic).
  std::map<int32_t, std::vector<Candidate>> by_instance;
  for (int32_t g : grants) {
    const BoundRule& rule = rules[g];
    for (size_t t = 0; t < rule.targets.size(); ++t) {
      const BoundTarget& target = rule.targets[t];
      int32_t denied_by = -1;
      // Deny beats grant, whatever the priority (SPEC §4.2). A deny level
      // is a cap: it removes that level and every level above.
      for (int32_t d : denies) {
        for (const BoundTarget& dt : rules[d].targets) {
          if (dt.instance == target.instance &&
              (dt.level < 0 || target.level >= dt.level)) {
            denied_by = d;
            break;
          }
        }
        if (denied_by >= 0) break;
      }
      if (denied_by >= 0) {
        if (denied != nullptr) {
          denied->push_back(DeniedGrant{g, static_cast<int32_t>(t), denied_by});
        }
        continue;
      }
      by_instance[target.instance].push_back(
          Candidate{g, static_cast<int32_t>(t)});
    }
  }
  for (const auto& [instance, cands] : by_instance) {
    // Winner: highest priority, then highest level (SPEC §4.4).
    int32_t best_priority = 0, best_level = -1;
    bool first = true;
    for (const Candidate& c : cands) {
      const int32_t p = rules[c.rule].priority;
      const int32_t l = rules[c.rule].targets[c.target].level;
      if (first || p > best_priority ||
          (p == best_priority && l > best_level)) {
        best_priority = p;
        best_level = l;
        first = false;
      }
    }
    ResolvedEntitlement e;
    e.instance = instance;
    e.level = best_level;
    for (const Candidate& c : cands) {
      const BoundTarget& t = rules[c.rule].targets[c.target];
      if (t.level != best_level) continue;
      if (e.reasons.empty() || e.reasons.back() != c.rule)
        e.reasons.push_back(c.rule);
      for (const std::string& s : t.scopes) e.scopes.push_back(s);
    }
    // Union, case-insensitively unique; the byte-smallest spelling wins so
    // the result does not depend on rule order.
    std::sort(e.scopes.begin(), e.scopes.end());
    std::vector<std::string> unique;
    for (std::string& s : e.scopes) {
      bool dup = false;
      for (const std::string& u : unique) dup = dup || EqualsIgnoreCase(u, s);
      if (!dup) unique.push_back(std::move(s));
    }
    e.scopes = std::move(unique);
    out->push_back(std::move(e));
  }
}

std::optional<Date> ResolveExpiry(
    const BoundPolicy& policy, const std::vector<int32_t>& reasons,
    const std::function<std::optional<Date>(AttrId)>& attr_date) {
  std::optional<Date> latest;
  for (int32_t r : reasons) {
    const BoundRule& rule = policy.rules()[r];
    std::optional<Date> d;
    switch (rule.expiry_kind) {
      case Expiry::Kind::kNever:
        return std::nullopt;
      case Expiry::Kind::kDate:
        d = rule.expiry_date;
        break;
      case Expiry::Kind::kAttribute:
        d = attr_date(rule.expiry_attr);
        break;
    }
    if (!d) return std::nullopt;  // Unreachable for an applying grant.
    if (!latest || *d > *latest) latest = d;
  }
  return latest;
}

Entitlement MakeEntitlement(const BoundPolicy& policy,
                            const ResolvedEntitlement& r,
                            std::optional<Date> expires) {
  const AppInstance& inst = policy.instances()[r.instance];
  Entitlement e;
  e.app = inst.app;
  e.instance = inst.instance;
  e.level = inst.levels[r.level];
  e.scopes = r.scopes;
  e.expires = expires;
  for (int32_t rule : r.reasons) e.reasons.push_back(policy.rules()[rule].id);
  return e;
}

}  // namespace birthright
