// The delta stage's fast paths must give exactly the reference twins'
// answers (STYLE §9), and every delta must satisfy before + delta == after
// (SPEC §6). Seeded random policies and populations; HR exports are
// mutated the way real ones drift (leavers dropped or terminated, joiners,
// rehires, moves, case-only and alias-only edits, contract extensions).
// The failing seed is printed.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/delta.h"
#include "birthright/reference_evaluator.h"
#include "gtest/gtest.h"
#include "testing/random_policy.h"

namespace birthright {
namespace {

using testing::Rng;

struct World {
  testing::RandomWorld w;
  std::shared_ptr<const BoundPolicy> bound;
  std::unique_ptr<CompiledPolicy> compiled;
};

std::unique_ptr<World> MakeWorld(uint64_t seed,
                                 const testing::RandomPolicyOptions& o) {
  auto world = std::make_unique<World>();
  world->w = testing::MakeRandomWorld(seed, o);
  BindOptions bind;
  bind.strict = false;  // Random rules may be invalid; every path skips them.
  auto bound = BoundPolicy::Bind(world->w.policy, &world->w.people, bind);
  EXPECT_TRUE(bound.ok()) << "seed " << seed << ": " << bound.status();
  if (!bound.ok()) return nullptr;
  world->bound = std::move(*bound);
  auto compiled = CompiledPolicy::Compile(world->bound);
  EXPECT_TRUE(compiled.ok()) << "seed " << seed << ": " << compiled.status();
  if (!compiled.ok()) return nullptr;
  world->compiled = std::move(*compiled);
  return world;
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

// The next HR export: about 5% leave (dropped or terminated), 5% join,
// some rehires, 10% move, 5% case-only edits, some contract extensions.
Population Drift(const Population& before, Rng& r) {
  Population after;
  after.file = "after.csv";
  after.columns = before.columns;
  for (const Person& p : before.people) {
    const int roll = r.Uniform(100);
    if (roll < 3) continue;  // Dropped from the export.
    Person q = p;
    auto set = [&](const std::string& folded_prefix, const std::string& value) {
      for (auto& [name, v] : q.attributes) {
        std::string n = name;
        std::transform(n.begin(), n.end(), n.begin(), ::tolower);
        if (n.rfind(folded_prefix, 0) == 0) v = value;
      }
    };
    if (roll < 6) {
      set("termination", "2026-0" + std::to_string(1 + r.Uniform(9)) + "-15");
    } else if (roll < 9) {
      set("termination", "");  // Rehire (or no-op).
    } else if (roll < 19) {
      // A move: take one attribute from someone else.
      const Person& other =
          before.people[r.Uniform(static_cast<int>(before.people.size()))];
      const size_t k =
          static_cast<size_t>(r.Uniform(static_cast<int>(q.attributes.size())));
      if (k < other.attributes.size())
        q.attributes[k].second = other.attributes[k].second;
    } else if (roll < 24) {
      for (auto& [name, v] : q.attributes)
        v = r.Chance(0.5) ? Upper(v) : "  " + v + " ";
    } else if (roll < 27) {
      set("contract", "2027-0" + std::to_string(1 + r.Uniform(9)) + "-01");
    }
    after.people.push_back(std::move(q));
  }
  const int joiners =
      std::max<int>(1, static_cast<int>(before.people.size()) / 20);
  for (int i = 0; i < joiners; ++i) {
    Person q = before.people[r.Uniform(static_cast<int>(before.people.size()))];
    q.id = "N" + std::to_string(1000 + i);
    after.people.push_back(std::move(q));
  }
  // Export order is not id order.
  for (size_t i = after.people.size(); i > 1; --i) {
    std::swap(after.people[i - 1],
              after.people[r.Uniform(static_cast<int>(i))]);
  }
  return after;
}

const Person* Find(const Population& pop, const std::string& id) {
  for (const Person& p : pop.people) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

void CheckHrSync(uint64_t seed, int* compared, int kinds[4], int* changes) {
  testing::RandomPolicyOptions o;
  o.rules = 10 + static_cast<int>(seed % 5) * 8;
  o.apps = 5;
  o.people = 80;
  std::unique_ptr<World> world = MakeWorld(seed, o);
  ASSERT_NE(world, nullptr);
  Rng r(seed * 7919);
  const Population& before = world->w.people;
  const Population after = Drift(before, r);
  const Date dates[] = {*ParseIsoDate("2025-12-31"),
                        *ParseIsoDate("2026-11-26")};
  for (Date as_of : dates) {
    for (int two_dates = 0; two_dates < 2; ++two_dates) {
      HrSyncOptions options;
      options.as_of = as_of;
      if (two_dates) options.before_as_of = Date{as_of.days - 45};
      options.threads = 1 + static_cast<int>(seed % 3);
      auto fast = HrSync(*world->compiled, before, after, options);
      auto ref = HrSyncReference(*world->bound, before, after, options);
      ASSERT_TRUE(fast.ok() && ref.ok()) << "seed " << seed;
      ASSERT_EQ(fast->size(), ref->size());
      for (size_t i = 0; i < fast->size(); ++i) {
        const PersonDelta& d = (*fast)[i];
        ASSERT_EQ(PersonDeltaToJson(d), PersonDeltaToJson((*ref)[i]))
            << "seed " << seed << ", as_of " << FormatIsoDate(as_of)
            << ", two dates " << two_dates;
        if (i > 0) {
          ASSERT_LT((*fast)[i - 1].person_id, d.person_id);
        }
        // SPEC §6: before + delta == after, on the oracle's decisions.
        const Person* pb = Find(before, d.person_id);
        const Person* pa = Find(after, d.person_id);
        const Date bdate = options.before_as_of.value_or(as_of);
        const std::vector<Entitlement> b =
            pb ? EvaluateReference(*world->bound, *pb, bdate).entitlements
               : std::vector<Entitlement>{};
        const std::vector<Entitlement> a =
            pa ? EvaluateReference(*world->bound, *pa, as_of).entitlements
               : std::vector<Entitlement>{};
        ASSERT_EQ(ApplyDelta(b, d), a)
            << "seed " << seed << ", person " << d.person_id;
        switch (d.kind) {
          case DeltaKind::kUnchanged:
            ASSERT_FALSE(d.has_actions());
            break;
          case DeltaKind::kJoiner:
            ASSERT_TRUE(d.remove.empty() && d.change.empty() && d.keep.empty());
            break;
          case DeltaKind::kLeaver:
            ASSERT_TRUE(d.add.empty() && d.change.empty() && d.keep.empty());
            break;
          case DeltaKind::kMover:
            break;
        }
        ++kinds[static_cast<int>(d.kind)];
        *changes += static_cast<int>(d.change.size());
        ++*compared;
      }
    }
  }
}

TEST(DeltaDifferentialTest, HrSyncMatchesReferenceAndSatisfiesInvariant) {
  int compared = 0, changes = 0;
  int kinds[4] = {0, 0, 0, 0};
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    CheckHrSync(seed, &compared, kinds, &changes);
    if (HasFatalFailure()) return;
  }
  EXPECT_GE(compared, 30 * 4 * 80);
  // The drift exercises every kind, and `change` actions too.
  for (int k = 0; k < 4; ++k)
    EXPECT_GT(kinds[k], 100) << DeltaKindName(static_cast<DeltaKind>(k));
  EXPECT_GT(changes, 100);
  std::printf(
      "kinds: joiner %d, mover %d, leaver %d, unchanged %d; changes %d\n",
      kinds[0], kinds[1], kinds[2], kinds[3], changes);
}

TEST(DeltaDifferentialTest, PolicyChangeMatchesReference) {
  int compared = 0;
  for (uint64_t seed = 100; seed < 120; ++seed) {
    testing::RandomPolicyOptions o;
    o.rules = 24;
    o.apps = 5;
    o.people = 60;
    std::unique_ptr<World> v1 = MakeWorld(seed, o);
    ASSERT_NE(v1, nullptr);
    // v2: the same sheet with some rows dropped and some levels bumped.
    World v2;
    v2.w = v1->w;
    Rng r(seed);
    std::vector<Rule> kept;
    for (Rule& rule : v2.w.policy.rules) {
      if (r.Chance(0.15)) continue;
      if (r.Chance(0.15)) rule.priority += 1 + r.Uniform(3);
      if (r.Chance(0.1))
        rule.effect =
            rule.effect == Effect::kGrant ? Effect::kDeny : Effect::kGrant;
      kept.push_back(std::move(rule));
    }
    v2.w.policy.rules = std::move(kept);
    v2.w.policy.version = "v2";
    BindOptions bind;
    bind.strict = false;
    auto bound = BoundPolicy::Bind(v2.w.policy, &v2.w.people, bind);
    ASSERT_TRUE(bound.ok());
    v2.bound = std::move(*bound);
    auto compiled = CompiledPolicy::Compile(v2.bound);
    ASSERT_TRUE(compiled.ok());
    v2.compiled = std::move(*compiled);
    const Date as_of = *ParseIsoDate("2026-11-26");
    auto fast = PolicyDeltaPopulation(*v1->compiled, *v2.compiled, v1->w.people,
                                      as_of, 2);
    ASSERT_TRUE(fast.ok());
    for (const PersonDelta& d : *fast) {
      const Person* p = Find(v1->w.people, d.person_id);
      ASSERT_NE(p, nullptr);
      const PersonDelta ref =
          PolicyDeltaReference(*v1->bound, *v2.bound, *p, as_of);
      ASSERT_EQ(PersonDeltaToJson(d), PersonDeltaToJson(ref))
          << "seed " << seed;
      ASSERT_EQ(
          ApplyDelta(EvaluateReference(*v1->bound, *p, as_of).entitlements, d),
          EvaluateReference(*v2.bound, *p, as_of).entitlements);
      ++compared;
    }
  }
  EXPECT_EQ(compared, 20 * 60);
}

TEST(DeltaDifferentialTest, ReconcileMatchesReference) {
  for (uint64_t seed = 200; seed < 215; ++seed) {
    testing::RandomPolicyOptions o;
    o.rules = 30;
    o.apps = 6;
    o.people = 80;
    std::unique_ptr<World> world = MakeWorld(seed, o);
    ASSERT_NE(world, nullptr);
    const Date as_of = *ParseIsoDate("2026-11-26");
    Rng r(seed);
    // An export that mostly agrees with the oracle, then drifts.
    std::vector<AccessRecord> access;
    const auto& instances = world->bound->instances();
    int line = 2;
    auto row = [&](std::string id, std::string app, std::string inst,
                   std::string level) {
      access.push_back(AccessRecord{std::move(id), std::move(app),
                                    std::move(inst), std::move(level),
                                    SourceLocation{"access.csv", line++, 0}});
    };
    for (const Person& p : world->w.people.people) {
      const Decision d = EvaluateReference(*world->bound, p, as_of);
      for (const Entitlement& e : d.entitlements) {
        const int roll = r.Uniform(20);
        if (roll == 0) continue;  // Missing.
        std::string level = e.level;
        if (roll == 1) level = r.Chance(0.5) ? "Other" : Upper(level);
        row(p.id, r.Chance(0.2) ? Upper(e.app) : e.app, e.instance, level);
        if (roll == 2) row(p.id, e.app, e.instance, level);  // Duplicate.
      }
      if (r.Chance(0.2)) {
        const AppInstance& inst =
            instances[r.Uniform(static_cast<int>(instances.size()))];
        row(p.id, inst.app, inst.instance,
            inst.levels.back());  // Maybe excess.
      }
    }
    row("ghost-1", instances[0].app, instances[0].instance,
        instances[0].levels[0]);
    row(world->w.people.people[0].id, "Unknown", "", "x");
    ReconcileOptions options;
    options.as_of = as_of;
    if (seed % 2 == 1) options.apps = {"app0", "App2", "APP4"};
    auto fast = Reconcile(*world->compiled, world->w.people, access, options);
    auto ref =
        ReconcileReference(*world->bound, world->w.people, access, options);
    ASSERT_TRUE(fast.ok() && ref.ok());
    const InstanceIndex index(*world->bound);
    ASSERT_EQ(fast->items.size(), ref->items.size()) << "seed " << seed;
    for (size_t i = 0; i < fast->items.size(); ++i) {
      ASSERT_EQ(ReconcileItemToJson(fast->items[i], index),
                ReconcileItemToJson(ref->items[i], index))
          << "seed " << seed;
    }
    EXPECT_EQ(fast->consistent, ref->consistent);
    EXPECT_EQ(fast->duplicates, ref->duplicates);
    EXPECT_GT(fast->consistent, 0);
  }
}

TEST(DeltaDifferentialTest, UpcomingChangesMatchDayByDayEvaluation) {
  int changes = 0;
  for (uint64_t seed = 300; seed < 312; ++seed) {
    testing::RandomPolicyOptions o;
    o.rules = 24;
    o.apps = 5;
    o.people = 25;
    std::unique_ptr<World> world = MakeWorld(seed, o);
    ASSERT_NE(world, nullptr);
    const Date as_of = *ParseIsoDate("2026-03-10");
    for (const Person& p : world->w.people.people) {
      const std::vector<TimedChange> fast =
          UpcomingChanges(*world->compiled, p, as_of, 500);
      const std::vector<TimedChange> ref =
          UpcomingChangesReference(*world->bound, p, as_of, 500);
      ASSERT_EQ(fast.size(), ref.size())
          << "seed " << seed << ", person " << p.id;
      for (size_t i = 0; i < fast.size(); ++i) {
        ASSERT_EQ(fast[i].effective, ref[i].effective)
            << "seed " << seed << ", " << p.id;
        ASSERT_EQ(fast[i].from, ref[i].from) << "seed " << seed << ", " << p.id;
        ASSERT_EQ(fast[i].to, ref[i].to) << "seed " << seed << ", " << p.id;
      }
      changes += static_cast<int>(fast.size());
    }
  }
  EXPECT_GT(changes, 50);  // The random worlds do have expiries and windows.
}

TEST(DeltaDifferentialTest, SingleMoverMatchesReference) {
  testing::RandomPolicyOptions o;
  o.rules = 40;
  o.apps = 6;
  o.people = 120;
  o.realistic = true;
  std::unique_ptr<World> world = MakeWorld(77, o);
  ASSERT_NE(world, nullptr);
  const auto& people = world->w.people.people;
  const Date as_of = *ParseIsoDate("2026-11-26");
  for (size_t i = 0; i + 1 < people.size(); ++i) {
    // Person i takes person i+1's attributes: a large move.
    Person moved = people[i + 1];
    moved.id = people[i].id;
    const PersonDelta fast = Delta(*world->compiled, &people[i], &moved, as_of);
    const PersonDelta ref =
        DeltaReference(*world->bound, &people[i], &moved, as_of, as_of);
    ASSERT_EQ(PersonDeltaToJson(fast), PersonDeltaToJson(ref)) << people[i].id;
  }
}

}  // namespace
}  // namespace birthright
