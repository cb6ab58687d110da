// The exactness of the semantic diff (SPEC §9 last bullet: "exact on the
// compiled DAGs"; issue 5 item 5). On random policy pairs — v2 made from v1
// by removing, adding and modifying rules (levels, scopes, denies, unless,
// priorities, expiries, windows) — and thousands of random people at
// several dates:
//   a person lies in a predicted region of an app instance
//     <=> the reference evaluator gives that person different entitlements
//         on that instance under v1 and v2,
// and the region's predicted old and new outcomes (level, scopes, expiry)
// equal the reference evaluator's. Regions of one instance are disjoint.
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/diff.h"
#include "birthright/reference_evaluator.h"
#include "gtest/gtest.h"
#include "testing/random_policy.h"
#include "util/text.h"

namespace birthright {
namespace {

using testing::MakeRandomWorld;
using testing::RandomPolicyOptions;
using testing::Rng;

// A random rule of `p` (REQUIRES: p has rules).
Rule& AnyRule(Policy* p, Rng& r) {
  return p->rules[r.Uniform(static_cast<int>(p->rules.size()))];
}

std::vector<std::string> LevelsOf(const Policy& p, const Target& t) {
  for (const CatalogEntry& e : p.catalog) {
    if (e.app == t.app && (t.instance.empty() || e.instance == t.instance))
      return e.levels;
  }
  return {};
}

// v2 from v1: the edits a policy owner makes.
Policy Mutate(const Policy& v1, uint64_t seed) {
  Rng r(seed * 7919 + 17);
  Policy v2 = v1;
  v2.version = "v2";
  const int edits = 1 + r.Uniform(6);
  int next_id = 1000;
  for (int e = 0; e < edits && !v2.rules.empty(); ++e) {
    const std::vector<Rule> pool = v2.rules;
    switch (r.Uniform(11)) {
      case 0: {  // Remove a rule.
        v2.rules.erase(v2.rules.begin() +
                       r.Uniform(static_cast<int>(v2.rules.size())));
        break;
      }
      case 1: {  // Add a rule: a copy of one rule aimed at another's target.
        Rule n = r.Pick(pool);
        n.id = "N" + std::to_string(next_id++);
        n.targets = r.Pick(pool).targets;
        if (n.effect == Effect::kGrant) {
          for (Target& t : n.targets) {
            if (t.app == "App0" && t.instance.empty()) t.instance = "inst1";
          }
        }
        v2.rules.push_back(std::move(n));
        break;
      }
      case 2: {  // Change a level.
        Rule& x = AnyRule(&v2, r);
        for (Target& t : x.targets) {
          const std::vector<std::string> levels = LevelsOf(v2, t);
          if (!levels.empty()) t.level = r.Chance(0.2) ? "" : r.Pick(levels);
        }
        break;
      }
      case 3: {  // A new deny (cap or whole app), copying conditions.
        Rule n = r.Pick(pool);
        n.id = "D" + std::to_string(next_id++);
        n.effect = Effect::kDeny;
        n.expires = {};
        for (Target& t : n.targets) {
          t.scopes.clear();
          if (r.Chance(0.5)) t.level.clear();
          if (t.app == "App0" && r.Chance(0.5)) {
            t.instance.clear();
            t.level.clear();
          }
        }
        v2.rules.push_back(std::move(n));
        break;
      }
      case 4: {  // Add or replace an `unless`, from another rule.
        const Rule& src = r.Pick(pool);
        Rule& x = AnyRule(&v2, r);
        if (src.unless) {
          x.unless = src.unless;
        } else if (!src.conditions.empty()) {
          Expr leaf;
          leaf.kind = Expr::Kind::kPredicate;
          leaf.attribute = src.conditions[0].attribute;
          leaf.predicate = src.conditions[0].predicate;
          x.unless = leaf;
        } else {
          x.unless.reset();
        }
        break;
      }
      case 5: {  // Priority.
        AnyRule(&v2, r).priority = 5 * r.Uniform(4);
        break;
      }
      case 6: {  // Conditions: add one from another rule, or drop one.
        Rule& x = AnyRule(&v2, r);
        const Rule& src = r.Pick(pool);
        if (!x.conditions.empty() && r.Chance(0.4)) {
          x.conditions.erase(x.conditions.begin() +
                             r.Uniform(static_cast<int>(x.conditions.size())));
        } else if (!src.conditions.empty()) {
          x.conditions.push_back(r.Pick(src.conditions));
        }
        break;
      }
      case 7: {  // Scopes.
        Rule& x = AnyRule(&v2, r);
        for (Target& t : x.targets) {
          if (r.Chance(0.5)) {
            t.scopes.clear();
          } else {
            t.scopes.push_back(r.Chance(0.5) ? "alpha" : "beta");
          }
        }
        break;
      }
      case 8: {  // Expiry and window.
        Rule& x = AnyRule(&v2, r);
        const int k = r.Uniform(4);
        if (k == 0) {
          x.expires = {};
        } else if (k == 1) {
          x.expires.kind = Expiry::Kind::kAttribute;
          x.expires.attribute = "contract end";
        } else if (k == 2) {
          x.expires.kind = Expiry::Kind::kDate;
          x.expires.date =
              Date{ParseIsoDate("2025-03-01")->days + r.Uniform(400)};
        } else {
          x.effective_from =
              Date{ParseIsoDate("2025-01-01")->days + r.Uniform(300)};
        }
        break;
      }
      case 9: {  // A twin grant with another expiry: "latest of" formulas.
        Rule n = r.Pick(pool);
        n.id = "X" + std::to_string(next_id++);
        n.effect = Effect::kGrant;
        for (Target& t : n.targets) {
          if (t.app == "App0" && t.instance.empty()) t.instance = "inst0";
        }
        if (n.expires.kind == Expiry::Kind::kAttribute || r.Chance(0.3)) {
          n.expires.kind = Expiry::Kind::kDate;
          n.expires.date =
              Date{ParseIsoDate("2024-01-01")->days + r.Uniform(1000)};
        } else {
          n.expires.kind = Expiry::Kind::kAttribute;
          n.expires.attribute = "contract end";
        }
        v2.rules.push_back(std::move(n));
        break;
      }
      default: {  // Flip an effect.
        Rule& x = AnyRule(&v2, r);
        x.effect = x.effect == Effect::kGrant ? Effect::kDeny : Effect::kGrant;
        if (x.effect == Effect::kGrant) {
          for (Target& t : x.targets) {
            if (t.app == "App0" && t.instance.empty()) t.instance = "inst2";
          }
        }
        break;
      }
    }
  }
  return v2;
}

struct Got {
  bool granted = false;
  std::string level;
  std::vector<std::string> scopes;
  std::optional<Date> expires;
};

std::map<std::string, Got> ByInstance(const Decision& d) {
  std::map<std::string, Got> m;
  for (const Entitlement& e : d.entitlements) {
    m[AsciiLowercase(e.app) + "|" + AsciiLowercase(e.instance)] =
        Got{true, e.level, e.scopes, e.expires};
  }
  return m;
}

bool SameEntitlement(const Got& a, const Got& b) {
  if (a.granted != b.granted) return false;
  if (!a.granted) return true;
  return EqualsIgnoreCase(a.level, b.level) && a.scopes == b.scopes &&
         a.expires == b.expires;
}

void ExpectOutcome(const SemanticDiff& s, const DiffOutcome& o,
                   const BoundPerson& bp, const Got& got,
                   const std::string& where) {
  EXPECT_EQ(o.granted, got.granted) << where;
  if (!o.granted || !got.granted) return;
  EXPECT_TRUE(EqualsIgnoreCase(o.level, got.level))
      << where << " level " << o.level << " vs " << got.level;
  EXPECT_EQ(o.scopes, got.scopes) << where;
  const std::optional<Date> exp = s.ExpiryFor(o, bp);
  EXPECT_EQ(exp.has_value(), got.expires.has_value()) << where;
  if (exp && got.expires) {
    EXPECT_EQ(exp->days, got.expires->days) << where;
  }
}

struct Stats {
  int pairs = 0;
  int unbound = 0;
  int64_t checks = 0;
  int64_t changed = 0;
  int64_t regions = 0;
  int64_t expiry_only = 0;  // Regions where only the expiry changes.
  int64_t dependent = 0;    // ... of which expiry-dependent.
};

// `pin`: compute the diff for one fixed date (DiffOptions::semantic_as_of)
// and check that date only.
void CheckPair(uint64_t seed, const RandomPolicyOptions& o, int people_sets,
               Stats* stats, bool pin = false) {
  testing::RandomWorld w = MakeRandomWorld(seed, o);
  const Policy v2 = Mutate(w.policy, seed);
  Population people = w.people;
  for (int k = 1; k < people_sets; ++k) {
    testing::RandomWorld more = MakeRandomWorld(seed * 131 + k, o);
    for (Person& p : more.people.people) {
      p.id += "-" + std::to_string(k);
      people.people.push_back(std::move(p));
    }
  }
  BindOptions bo;
  auto b1 = BoundPolicy::Bind(w.policy, &people, bo);
  auto b2 = BoundPolicy::Bind(v2, &people, bo);
  if (!b1.ok() || !b2.ok()) {
    ++stats->unbound;  // A mutation that made an invalid policy.
    return;
  }
  const Date all_dates[] = {*ParseIsoDate("2024-07-01"),
                            *ParseIsoDate("2025-06-15"),
                            *ParseIsoDate("2026-03-01")};
  std::vector<Date> dates(std::begin(all_dates), std::end(all_dates));
  DiffOptions options;
  options.max_regions = 1'000'000;
  if (pin) {
    dates = {all_dates[1]};
    options.semantic_as_of = all_dates[1];
  }
  auto diff = DiffPolicies(w.policy, v2, &people, options);
  ASSERT_TRUE(diff.ok()) << "seed " << seed << ": " << diff.status();
  const SemanticDiff& s = diff->semantic;
  ASSERT_TRUE(s.available) << "seed " << seed << ": " << s.unavailable_reason;
  ASSERT_FALSE(s.truncated) << "seed " << seed;
  ++stats->pairs;
  stats->regions += s.regions;
  for (const InstanceDiff& d : s.instances) {
    for (const Region& r : d.regions) {
      if (r.before.granted && r.after.granted &&
          r.before.level == r.after.level && r.before.scopes == r.after.scopes)
        ++stats->expiry_only;
      stats->dependent += r.expiry_dependent;
    }
  }
  std::map<std::string, const InstanceDiff*> predicted;
  for (const InstanceDiff& d : s.instances) {
    predicted[AsciiLowercase(d.app) + "|" + AsciiLowercase(d.instance)] = &d;
  }
  for (const Person& p : people.people) {
    // No merged policy means no app changed: then nothing may differ.
    const BoundPerson bp =
        s.merged ? BindPerson(s.merged->policy(), p) : BoundPerson{};
    for (Date as_of : dates) {
      const auto e1 = ByInstance(EvaluateReference(**b1, p, as_of));
      const auto e2 = ByInstance(EvaluateReference(**b2, p, as_of));
      std::map<std::string, int> keys;
      for (const auto& [k, g] : e1) keys[k] = 1;
      for (const auto& [k, g] : e2) keys[k] = 1;
      for (const auto& [k, d] : predicted) keys[k] = 1;
      for (const auto& [key, unused] : keys) {
        const Got g1 = e1.count(key) ? e1.at(key) : Got{};
        const Got g2 = e2.count(key) ? e2.at(key) : Got{};
        const bool differs = !SameEntitlement(g1, g2);
        const std::string where = "seed " + std::to_string(seed) + " person " +
                                  p.id + " as of " + FormatIsoDate(as_of) +
                                  " instance " + key;
        int hits = 0;
        auto it = predicted.find(key);
        if (it != predicted.end()) {
          for (const Region& r : it->second->regions) {
            if (!s.Contains(r, bp, as_of)) continue;
            ++hits;
            ExpectOutcome(s, r.before, bp, g1, where + " region " + r.When());
            ExpectOutcome(s, r.after, bp, g2, where + " region " + r.When());
          }
        }
        ++stats->checks;
        stats->changed += differs;
        ASSERT_LE(hits, 1) << where << ": regions overlap";
        ASSERT_EQ(hits == 1, differs)
            << where << ": evaluator says " << (differs ? "changed" : "same")
            << " (v1 " << (g1.granted ? g1.level : "-") << ", v2 "
            << (g2.granted ? g2.level : "-") << ")";
      }
    }
  }
}

// SPEC §9: the semantic diff is exact — every random pair, every person.
TEST(DiffExactnessTest, RegionsMatchReferenceEvaluatorOnRandomPairs) {
  RandomPolicyOptions o;
  o.rules = 30;
  o.people = 250;
  o.apps = 5;
  Stats stats;
  for (uint64_t seed = 1; seed <= 24; ++seed) {
    CheckPair(seed, o, 6, &stats);  // 1,500 people per pair.
    if (HasFatalFailure()) return;
  }
  // The test must exercise something: most pairs bind and change people.
  EXPECT_GE(stats.pairs, 18) << "unbound: " << stats.unbound;
  EXPECT_GT(stats.changed, 1000);
  EXPECT_GT(stats.regions, 100);
  EXPECT_GT(stats.expiry_only, 0);
  EXPECT_GT(stats.dependent, 0);
  std::printf(
      "pairs %d, checks %lld, changed %lld, regions %lld (expiry only %lld, "
      "expiry-dependent %lld)\n",
      stats.pairs, static_cast<long long>(stats.checks),
      static_cast<long long>(stats.changed),
      static_cast<long long>(stats.regions),
      static_cast<long long>(stats.expiry_only),
      static_cast<long long>(stats.dependent));
}

// The same on spreadsheet-shaped policies (conditions mostly on department
// and title) with more rules.
TEST(DiffExactnessTest, RealisticPairs) {
  RandomPolicyOptions o;
  o.rules = 80;
  o.people = 250;
  o.apps = 6;
  o.realistic = true;
  Stats stats;
  for (uint64_t seed = 101; seed <= 110; ++seed) {
    CheckPair(seed, o, 6, &stats, /*pin=*/seed % 2 == 0);
    if (HasFatalFailure()) return;
  }
  EXPECT_GE(stats.pairs, 7) << "unbound: " << stats.unbound;
  EXPECT_GT(stats.changed, 100);
}

}  // namespace
}  // namespace birthright
