#include "eval/resolve.h"

#include <algorithm>

#include "absl/container/inlined_vector.h"
#include "util/text.h"

namespace birthright {

void ResolveOutcome(const BoundPolicy& policy, std::span<const int32_t> grants,
                    std::span<const int32_t> denies,
                    std::vector<ResolvedEntitlement>* out,
                    std::vector<DeniedGrant>* denied) {
  const auto& rules = policy.rules();
  // The DAG compiler calls this once per distinct set of applying rules,
  // millions of times for a 10,000-row sheet, so the common case allocates
  // nothing: small inline buffers, and `out`'s entitlements are reused.
  struct Candidate {
    int32_t instance;
    int32_t seq;  // Position in policy order.
    int32_t rule;
    int32_t target;
  };
  absl::InlinedVector<Candidate, 16> cands;
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
      cands.push_back(Candidate{target.instance,
                                static_cast<int32_t>(cands.size()), g,
                                static_cast<int32_t>(t)});
    }
  }
  // By instance, in policy order within one (deterministic).
  std::sort(cands.begin(), cands.end(),
            [](const Candidate& a, const Candidate& b) {
              return a.instance != b.instance ? a.instance < b.instance
                                              : a.seq < b.seq;
            });
  size_t used = 0;
  absl::InlinedVector<const std::string*, 8> scopes;
  for (size_t begin = 0, end = 0; begin < cands.size(); begin = end) {
    end = begin;
    while (end < cands.size() && cands[end].instance == cands[begin].instance)
      ++end;
    // Winner: highest priority, then highest level (SPEC §4.4).
    int32_t best_priority = 0, best_level = -1;
    bool first = true;
    for (size_t i = begin; i < end; ++i) {
      const Candidate& c = cands[i];
      const int32_t p = rules[c.rule].priority;
      const int32_t l = rules[c.rule].targets[c.target].level;
      if (first || p > best_priority ||
          (p == best_priority && l > best_level)) {
        best_priority = p;
        best_level = l;
        first = false;
      }
    }
    if (used == out->size()) out->emplace_back();
    ResolvedEntitlement& e = (*out)[used++];
    e.instance = cands[begin].instance;
    e.level = best_level;
    e.reasons.clear();
    e.scopes.clear();
    scopes.clear();
    for (size_t i = begin; i < end; ++i) {
      const Candidate& c = cands[i];
      const BoundTarget& t = rules[c.rule].targets[c.target];
      if (t.level != best_level) continue;
      if (e.reasons.empty() || e.reasons.back() != c.rule)
        e.reasons.push_back(c.rule);
      for (const std::string& s : t.scopes) scopes.push_back(&s);
    }
    // Union, case-insensitively unique; the byte-smallest spelling wins so
    // the result does not depend on rule order.
    std::sort(
        scopes.begin(), scopes.end(),
        [](const std::string* a, const std::string* b) { return *a < *b; });
    for (const std::string* s : scopes) {
      bool dup = false;
      for (const std::string& u : e.scopes)
        dup = dup || EqualsIgnoreCase(u, *s);
      if (!dup) e.scopes.push_back(*s);
    }
  }
  out->resize(used);
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
