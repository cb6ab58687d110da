// The oracle. See reference_evaluator.h; SPEC sections cited inline.
#include "birthright/reference_evaluator.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "eval/resolve.h"

namespace birthright {
namespace {

// Kleene evaluation of an `unless`. `why` receives the missing attributes
// the result depends on: those of UNKNOWN predicates inside UNKNOWN
// subexpressions only, so `(a = 1 and b = 2) or c = 3` with b = 9 names c
// but not a (SPEC §2: the attributes that changed the outcome).
Tri EvalExpr(const BoundPolicy& policy, const BoundExpr& e,
             const BoundPerson& person, std::set<AttrId>* why) {
  switch (e.kind) {
    case Expr::Kind::kPredicate: {
      const Tri t =
          policy.EvalPredicate(e.predicate, person.values[e.predicate.attr]);
      if (t == Tri::kUnknown) why->insert(e.predicate.attr);
      return t;
    }
    case Expr::Kind::kNot:
      return TriNot(EvalExpr(policy, e.children[0], person, why));
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      const bool is_and = e.kind == Expr::Kind::kAnd;
      Tri acc = is_and ? Tri::kTrue : Tri::kFalse;
      std::set<AttrId> unknown;
      for (const BoundExpr& c : e.children) {
        std::set<AttrId> child_why;
        const Tri t = EvalExpr(policy, c, person, &child_why);
        if (t == Tri::kUnknown)
          unknown.insert(child_why.begin(), child_why.end());
        acc = is_and ? TriAnd(acc, t) : TriOr(acc, t);
      }
      if (acc == Tri::kUnknown) why->insert(unknown.begin(), unknown.end());
      return acc;
    }
  }
  return Tri::kUnknown;
}

std::string JoinAttrs(const BoundPolicy& policy,
                      const std::set<AttrId>& attrs) {
  std::string out;
  for (AttrId a : attrs) {
    if (!out.empty()) out += ", ";
    out += policy.attributes()[a].name;
  }
  return out;
}

}  // namespace

Decision EvaluateReference(const BoundPolicy& policy, const BoundPerson& person,
                           Date as_of, bool explain) {
  Decision d;
  d.person_id = person.id;
  // §4.0: a leaver gets nothing.
  if (person.termination && *person.termination < as_of) {
    d.leaver = true;
    return d;
  }
  std::vector<int32_t> grants, denies;
  std::set<AttrId> missing;
  std::vector<WithheldGrant> withheld_unknown;
  for (const BoundRule& rule : policy.rules()) {
    if (!rule.valid) {
      // Fail closed (SPEC §5, §10): a rule that did not bind never grants,
      // and a deny that did not bind applies to whatever targets resolved.
      if (rule.effect == Effect::kDeny && !rule.targets.empty()) {
        denies.push_back(rule.index);
      }
      continue;
    }
    // §4.1: the effective window, inclusive.
    if (rule.effective_from && as_of < *rule.effective_from) continue;
    if (rule.effective_until && as_of > *rule.effective_until) continue;
    // §4.5: a fixed expiry applies up to and including its day.
    if (rule.expiry_kind == Expiry::Kind::kDate && as_of > rule.expiry_date)
      continue;

    std::set<AttrId> cond_unknown, unless_unknown;
    Tri cond = Tri::kTrue;
    for (const BoundPredicate& p : rule.conditions) {
      const Tri t = policy.EvalPredicate(p, person.values[p.attr]);
      if (t == Tri::kUnknown) cond_unknown.insert(p.attr);
      cond = TriAnd(cond, t);
    }
    // §4.5: an expiry attribute is one more conjunct: it holds while the
    // date is on or after as_of; missing makes the condition UNKNOWN.
    if (rule.expiry_kind == Expiry::Kind::kAttribute) {
      const Value& v = person.values[rule.expiry_attr];
      Tri t = !v.present
                  ? Tri::kUnknown
                  : (v.scalar.num >= as_of.days ? Tri::kTrue : Tri::kFalse);
      if (t == Tri::kUnknown) cond_unknown.insert(rule.expiry_attr);
      cond = TriAnd(cond, t);
    }
    const Tri unless =
        rule.unless ? EvalExpr(policy, *rule.unless, person, &unless_unknown)
                    : Tri::kFalse;
    if (rule.effect == Effect::kGrant) {
      // §2: a grant applies only when its condition is TRUE and its
      // `unless` is FALSE.
      if (cond == Tri::kTrue && unless == Tri::kFalse) {
        grants.push_back(rule.index);
      } else if (cond != Tri::kFalse && unless != Tri::kTrue) {
        // Withheld because of UNKNOWN.
        std::set<AttrId> why;
        if (cond == Tri::kUnknown)
          why.insert(cond_unknown.begin(), cond_unknown.end());
        if (unless == Tri::kUnknown)
          why.insert(unless_unknown.begin(), unless_unknown.end());
        missing.insert(why.begin(), why.end());
        if (explain) {
          for (const BoundTarget& t : rule.targets) {
            const AppInstance& inst = policy.instances()[t.instance];
            withheld_unknown.push_back(WithheldGrant{
                rule.id, inst.app, inst.instance, inst.levels[t.level],
                "UNKNOWN: " + JoinAttrs(policy, why) + " missing"});
          }
        }
      }
    } else {
      // §2: a deny applies when its condition is TRUE or UNKNOWN and its
      // `unless` is not TRUE (an exception to a deny must be proven).
      if (cond != Tri::kFalse && unless != Tri::kTrue) {
        denies.push_back(rule.index);
        if (cond == Tri::kUnknown)
          missing.insert(cond_unknown.begin(), cond_unknown.end());
        if (unless == Tri::kUnknown) {
          missing.insert(unless_unknown.begin(), unless_unknown.end());
        }
      }
    }
  }
  std::vector<ResolvedEntitlement> resolved;
  std::vector<DeniedGrant> denied;
  ResolveOutcome(policy, grants, denies, &resolved,
                 explain ? &denied : nullptr);
  for (const ResolvedEntitlement& r : resolved) {
    const std::optional<Date> expires =
        ResolveExpiry(policy, r.reasons, [&](AttrId a) -> std::optional<Date> {
          const Value& v = person.values[a];
          if (!v.present) return std::nullopt;
          return Date{static_cast<int32_t>(v.scalar.num)};
        });
    d.entitlements.push_back(MakeEntitlement(policy, r, expires));
  }
  for (AttrId a : missing) d.missing.push_back(policy.attributes()[a].name);
  std::sort(d.missing.begin(), d.missing.end());
  if (explain) {
    for (const DeniedGrant& g : denied) {
      const BoundRule& rule = policy.rules()[g.grant_rule];
      const BoundTarget& t = rule.targets[g.target];
      const AppInstance& inst = policy.instances()[t.instance];
      d.withheld.push_back(
          WithheldGrant{rule.id, inst.app, inst.instance, inst.levels[t.level],
                        "denied by rule " + policy.rules()[g.deny_rule].id});
    }
    for (WithheldGrant& w : withheld_unknown)
      d.withheld.push_back(std::move(w));
  }
  return d;
}

Decision EvaluateReference(const BoundPolicy& policy, const Person& person,
                           Date as_of, bool explain) {
  return EvaluateReference(policy, BindPerson(policy, person), as_of, explain);
}

}  // namespace birthright
