// The delta stage's fast paths must give exactly the reference twins'
// answers (STYLE §9), and every delta must satisfy before + delta == after
// (SPEC §6). Seeded random policies and populations; HR exports are
// mutated the way real ones drift (leavers dropped or terminated, joiners,
// rehires, moves, case-only and alias-only edits, contract extensions).
// The failing seed is printed.
//
// Every check runs three times (the parameter): on the default compile
// (`OneDag`), where these small policies get one DAG per app, with
// CompileOptions::layer_min_rules = 1 (`Layered`), where every app is
// compiled as layers, and with layer_split_min_rules = 2 too
// (`DeepLayered`: up to max_layers per app). Outcomes reached by more than
// one layer are merged at evaluation into
// DecisionBuffer::pool (kBufferRange ranges, docs/dag.md). The layered runs
// assert that merges did happen, and that the fast delta path compared
// merged entitlements of two buffers with equal and with different scopes.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/delta.h"
#include "birthright/import.h"
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
                                 const testing::RandomPolicyOptions& o,
                                 const CompileOptions& co) {
  auto world = std::make_unique<World>();
  world->w = testing::MakeRandomWorld(seed, o);
  BindOptions bind;
  bind.strict = false;  // Random rules may be invalid; every path skips them.
  auto bound = BoundPolicy::Bind(world->w.policy, &world->w.people, bind);
  EXPECT_TRUE(bound.ok()) << "seed " << seed << ": " << bound.status();
  if (!bound.ok()) return nullptr;
  world->bound = std::move(*bound);
  auto compiled = CompiledPolicy::Compile(world->bound, co);
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

// Merged outcomes seen by the compact evaluator (CompiledPolicy::Evaluate
// with a DecisionBuffer).
struct MergeCounts {
  int64_t merged = 0;  // Entitlements whose reasons live in the pool.
  // Pairs the fast delta path compares with SameScopes: one instance at the
  // same level and expiry in `before` and `after` buffers, both merged ...
  int64_t same_scopes = 0;     // ... with equal scope lists,
  int64_t other_scopes = 0;    // ... with different ones,
  int64_t other_same_len = 0;  // ... of them, of equal length,
  int64_t mixed = 0;           // or one merged and one from a DAG leaf.
};

bool Merged(const CompactEntitlement& e) {
  return (e.reasons_begin & kBufferRange) != 0;
}

std::vector<std::string> ScopesOf(const CompiledPolicy& policy,
                                  const DecisionBuffer& buf,
                                  const CompactEntitlement& e) {
  std::vector<std::string> out;
  for (uint32_t k = 0; k < e.scopes_count; ++k)
    out.push_back(policy.scope(buf, e.scopes_begin + k));
  return out;
}

// Evaluates `before` at `bdate` and `after` at `adate` (either may be null)
// and counts what `c` describes.
void CountMerges(const CompiledPolicy& policy, const Person* before, Date bdate,
                 const Person* after, Date adate, MergeCounts* c) {
  DecisionBuffer b, a;
  if (before != nullptr) policy.Evaluate(policy.SlotsOf(*before), bdate, &b);
  if (after != nullptr) policy.Evaluate(policy.SlotsOf(*after), adate, &a);
  for (const CompactEntitlement& e : b.entitlements) c->merged += Merged(e);
  for (const CompactEntitlement& ae : a.entitlements) {
    c->merged += Merged(ae);
    for (const CompactEntitlement& be : b.entitlements) {
      if (be.instance != ae.instance || be.level != ae.level ||
          be.expires != ae.expires) {
        continue;
      }
      if (Merged(ae) != Merged(be)) {
        ++c->mixed;
      } else if (Merged(ae)) {
        const std::vector<std::string> bs = ScopesOf(policy, b, be);
        const std::vector<std::string> as = ScopesOf(policy, a, ae);
        if (bs == as) {
          ++c->same_scopes;
        } else {
          ++c->other_scopes;
          c->other_same_len += bs.size() == as.size();
        }
      }
    }
  }
}

// The compiles each check runs on.
enum Layering { kOneDag, kLayered, kDeepLayered };

class DeltaDifferentialTest : public ::testing::TestWithParam<Layering> {
 protected:
  bool layered() const { return GetParam() != kOneDag; }
  CompileOptions Options() const {
    CompileOptions co;
    if (layered()) {
      co.layer_min_rules = 1;
      co.one_dag_nodes_per_rule = 0;
    }
    if (GetParam() == kDeepLayered) co.layer_split_min_rules = 2;
    return co;
  }
  // Layered compiles must have merged at least `min` entitlements; the
  // default compile of these small policies never merges.
  void ExpectMerges(const MergeCounts& c, int64_t min) const {
    if (layered()) {
      EXPECT_GE(c.merged, min);
    } else {
      EXPECT_EQ(c.merged, 0);
    }
    std::printf(
        "merged entitlements: %lld; pairs same %lld, other %lld (%lld of "
        "equal length), mixed %lld\n",
        static_cast<long long>(c.merged), static_cast<long long>(c.same_scopes),
        static_cast<long long>(c.other_scopes),
        static_cast<long long>(c.other_same_len),
        static_cast<long long>(c.mixed));
  }
};

INSTANTIATE_TEST_SUITE_P(Layers, DeltaDifferentialTest,
                         ::testing::Values(kOneDag, kLayered, kDeepLayered),
                         [](const ::testing::TestParamInfo<Layering>& info) {
                           return info.param == kOneDag    ? "OneDag"
                                  : info.param == kLayered ? "Layered"
                                                           : "DeepLayered";
                         });

void CheckHrSync(uint64_t seed, const CompileOptions& co, int* compared,
                 int kinds[4], int* changes, MergeCounts* merges) {
  testing::RandomPolicyOptions o;
  o.rules = 10 + static_cast<int>(seed % 5) * 8;
  o.apps = 5;
  o.people = 80;
  std::unique_ptr<World> world = MakeWorld(seed, o, co);
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
        CountMerges(*world->compiled, pb, bdate, pa, as_of, merges);
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

TEST_P(DeltaDifferentialTest, HrSyncMatchesReferenceAndSatisfiesInvariant) {
  int compared = 0, changes = 0;
  int kinds[4] = {0, 0, 0, 0};
  MergeCounts merges;
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    CheckHrSync(seed, Options(), &compared, kinds, &changes, &merges);
    if (HasFatalFailure()) return;
  }
  ExpectMerges(merges, 1000);
  if (layered()) {
    // FastDelta's SameScopes on two buffers' pools: equal and different
    // merged scope lists of one instance, and merged against unmerged.
    // (MergedScopesAcrossBuffersMatchReference makes certain of different
    // scope lists of equal length.)
    EXPECT_GT(merges.same_scopes, 100);
    EXPECT_GT(merges.other_scopes, 0);
    EXPECT_GT(merges.mixed, 0);
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

TEST_P(DeltaDifferentialTest, PolicyChangeMatchesReference) {
  int compared = 0;
  MergeCounts merges;
  for (uint64_t seed = 100; seed < 120; ++seed) {
    testing::RandomPolicyOptions o;
    o.rules = 24;
    o.apps = 5;
    o.people = 60;
    std::unique_ptr<World> v1 = MakeWorld(seed, o, Options());
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
    auto compiled = CompiledPolicy::Compile(v2.bound, Options());
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
      CountMerges(*v1->compiled, nullptr, as_of, p, as_of, &merges);
      CountMerges(*v2.compiled, nullptr, as_of, p, as_of, &merges);
      ++compared;
    }
  }
  EXPECT_EQ(compared, 20 * 60);
  ExpectMerges(merges, 500);
}

TEST_P(DeltaDifferentialTest, ReconcileMatchesReference) {
  MergeCounts merges;
  for (uint64_t seed = 200; seed < 215; ++seed) {
    testing::RandomPolicyOptions o;
    o.rules = 30;
    o.apps = 6;
    o.people = 80;
    std::unique_ptr<World> world = MakeWorld(seed, o, Options());
    ASSERT_NE(world, nullptr);
    const Date as_of = *ParseIsoDate("2026-11-26");
    Rng r(seed);
    for (const Person& p : world->w.people.people)
      CountMerges(*world->compiled, nullptr, as_of, &p, as_of, &merges);
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
  ExpectMerges(merges, 500);
}

TEST_P(DeltaDifferentialTest, UpcomingChangesMatchDayByDayEvaluation) {
  int changes = 0;
  MergeCounts merges;
  for (uint64_t seed = 300; seed < 312; ++seed) {
    testing::RandomPolicyOptions o;
    o.rules = 24;
    o.apps = 5;
    o.people = 25;
    std::unique_ptr<World> world = MakeWorld(seed, o, Options());
    ASSERT_NE(world, nullptr);
    const Date as_of = *ParseIsoDate("2026-03-10");
    for (const Person& p : world->w.people.people) {
      CountMerges(*world->compiled, nullptr, as_of, &p, as_of, &merges);
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
  ExpectMerges(merges, 100);
}

TEST_P(DeltaDifferentialTest, SingleMoverMatchesReference) {
  testing::RandomPolicyOptions o;
  o.rules = 40;
  o.apps = 6;
  o.people = 120;
  o.realistic = true;
  std::unique_ptr<World> world = MakeWorld(77, o, Options());
  ASSERT_NE(world, nullptr);
  const auto& people = world->w.people.people;
  const Date as_of = *ParseIsoDate("2026-11-26");
  MergeCounts merges;
  for (size_t i = 0; i + 1 < people.size(); ++i) {
    // Person i takes person i+1's attributes: a large move.
    Person moved = people[i + 1];
    moved.id = people[i].id;
    const PersonDelta fast = Delta(*world->compiled, &people[i], &moved, as_of);
    const PersonDelta ref =
        DeltaReference(*world->bound, &people[i], &moved, as_of, as_of);
    ASSERT_EQ(PersonDeltaToJson(fast), PersonDeltaToJson(ref)) << people[i].id;
    CountMerges(*world->compiled, &people[i], as_of, &moved, as_of, &merges);
  }
  ExpectMerges(merges, 40);
  if (layered()) {
    EXPECT_GT(merges.same_scopes, 0);
    EXPECT_GT(merges.mixed, 0);
  }
}

// FastDelta's SameScopes on merged entitlements of two buffers, made
// certain: one instance granted at one level by a department rule and a
// location rule (one per layer when layered), so that every record below
// merges; the moves keep the level and the number of scopes and change
// which, the case-only edit keeps them.
TEST_P(DeltaDifferentialTest, MergedScopesAcrossBuffersMatchReference) {
  Policy policy;
  policy.name = "merge";
  ASSERT_TRUE(ImportSchema("attribute,type\ndepartment,string\n"
                           "location,string\n",
                           "schema.csv", &policy)
                  .ok());
  ASSERT_TRUE(ImportCatalog("app,instance,levels\nSlack,,Member;Admin\n",
                            "catalog.csv", &policy)
                  .ok());
  const absl::Status s = ImportRulesList(
      "id,department,location,app,instance,level,scopes\n"
      "R1,Sales,,Slack,,Member,sales\n"
      "R2,Engineering,,Slack,,Member,eng\n"
      "R3,,Berlin,Slack,,Member,berlin\n"
      "R4,,Paris,Slack,,Member,paris\n",
      "rules.csv", &policy, nullptr);
  ASSERT_TRUE(s.ok()) << s;
  auto bind = BoundPolicy::Bind(policy, nullptr, BindOptions{});
  ASSERT_TRUE(bind.ok()) << bind.status();
  const std::shared_ptr<const BoundPolicy> bound = std::move(*bind);
  auto compiled = CompiledPolicy::Compile(bound, Options());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  auto person = [](std::string dept, std::string loc) {
    Person p;
    p.id = "E1";
    p.attributes = {{"department", std::move(dept)},
                    {"location", std::move(loc)}};
    return p;
  };
  const Person before = person("Sales", "Berlin");
  struct Case {
    Person after;
    bool same_scopes;
  };
  const Case cases[] = {{person("SALES", " berlin "), true},
                        {person("Engineering", "Berlin"), false},
                        {person("Sales", "Paris"), false},
                        {person("Engineering", "Paris"), false}};
  const Date as_of = *ParseIsoDate("2026-11-26");
  MergeCounts merges;
  for (const Case& c : cases) {
    const PersonDelta fast = Delta(**compiled, &before, &c.after, as_of);
    const PersonDelta ref =
        DeltaReference(*bound, &before, &c.after, as_of, as_of);
    ASSERT_EQ(PersonDeltaToJson(fast), PersonDeltaToJson(ref));
    EXPECT_EQ(fast.change.empty(), c.same_scopes) << PersonDeltaToJson(fast);
    EXPECT_EQ(fast.keep.size(), c.same_scopes ? 1u : 0u)
        << PersonDeltaToJson(fast);
    const int64_t same = merges.same_scopes;
    const int64_t other = merges.other_same_len;
    CountMerges(**compiled, &before, as_of, &c.after, as_of, &merges);
    if (layered()) {
      EXPECT_EQ(merges.same_scopes - same, c.same_scopes ? 1 : 0);
      EXPECT_EQ(merges.other_same_len - other, c.same_scopes ? 0 : 1);
    }
  }
  // Merged against a leaf outcome: the location no longer grants.
  const Person nowhere = person("Sales", "Lisbon");
  const PersonDelta fast = Delta(**compiled, &before, &nowhere, as_of);
  ASSERT_EQ(PersonDeltaToJson(fast),
            PersonDeltaToJson(
                DeltaReference(*bound, &before, &nowhere, as_of, as_of)));
  EXPECT_EQ(fast.change.size(), 1u);
  CountMerges(**compiled, &before, as_of, &nowhere, as_of, &merges);
  ExpectMerges(merges, 8);
  if (layered()) {
    EXPECT_EQ(merges.mixed, 1);
  }
}

}  // namespace
}  // namespace birthright
