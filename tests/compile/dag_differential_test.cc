// The decision DAG must give exactly the reference evaluator's answer
// (STYLE §9). Seeded random policies cover every cell form, denies and
// caps, priorities, `unless`, missing values, sets, regexes, aliases and
// dates; the failing seed is printed.
#include <cstdio>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/reference_evaluator.h"
#include "compile/dag.h"
#include "gtest/gtest.h"
#include "testing/random_policy.h"

namespace birthright {
namespace {

// A layered run (CompileOptions::layer_min_rules = 1, and
// layer_split_min_rules and one_dag_nodes_per_rule as given: 0 layers every
// app that splits) and its tallies: apps compiled as layers, apps with
// three or more, and entitlements merged at evaluation.
struct LayerCounts {
  int32_t split_min_rules = 32;
  int32_t one_dag_nodes_per_rule = 0;
  int layered_apps = 0;
  int deep_apps = 0;
  int one_dag_apps = 0;  // Apps with a node at the root and no layers.
  int merged = 0;
  int layer_leaves = 0;
};

// Layer leaves are keyed by what their merge parts are made of (the
// compiler's LayerLeafKey): no two leaves may hold the same parts, or a
// grant hidden by a cap would have kept two leaves apart.
void ExpectLayerLeavesDistinct(const CompiledPolicy::Impl& im, uint64_t seed,
                               LayerCounts* layers) {
  std::set<std::vector<int64_t>> seen;
  for (size_t l = 0; l + 1 < im.part_begin.size(); ++l) {
    if (im.part_begin[l + 1] == im.part_begin[l]) continue;
    std::vector<int64_t> key;
    for (uint32_t i = im.part_begin[l]; i < im.part_begin[l + 1]; ++i) {
      const auto& p = im.parts[i];
      key.insert(key.end(), {p.instance, p.level, p.priority, -1});
      for (uint32_t k = 0; k < p.reasons_count; ++k)
        key.push_back(im.part_pool[p.reasons_begin + k]);
    }
    EXPECT_TRUE(seen.insert(key).second)
        << "seed " << seed << ": leaf " << l << " repeats another's parts";
    ++layers->layer_leaves;
  }
}

// A big app first tries one DAG (CompileOptions::one_dag_nodes_per_rule)
// and an overflowing trial is undone before the app is layered: nothing of
// it may remain. Every leaf's records, reasons, scopes and expiry
// attributes are its own, back to back in leaf order, and every leaf is
// reached from the code or a root.
void ExpectNothingLeftOfTrials(const CompiledPolicy::Impl& im, uint64_t seed) {
  uint32_t ents = 0, reasons = 0, scopes = 0, attrs = 0;
  for (size_t l = 0; l < im.leaves.size(); ++l) {
    const Leaf& leaf = im.leaves[l];
    ASSERT_EQ(leaf.ents_begin, ents) << "seed " << seed << ", leaf " << l;
    for (uint32_t i = 0; i < leaf.ents_count; ++i) {
      const LeafEntitlement& le = im.leaf_ents[ents + i];
      ASSERT_EQ(le.reasons_begin, reasons) << "seed " << seed;
      ASSERT_EQ(le.scopes_begin, scopes) << "seed " << seed;
      reasons += le.reasons_count;
      scopes += le.scopes_count;
      if (le.expiry_attrs_count > 0) {
        ASSERT_EQ(le.expiry_attrs_begin, attrs) << "seed " << seed;
      }
      attrs += le.expiry_attrs_count;
    }
    ents += leaf.ents_count;
  }
  EXPECT_EQ(ents, im.leaf_ents.size()) << "seed " << seed;
  EXPECT_EQ(reasons, im.reason_pool.size()) << "seed " << seed;
  EXPECT_EQ(scopes, im.scope_pool.size()) << "seed " << seed;
  EXPECT_EQ(attrs, im.attr_pool.size()) << "seed " << seed;
  std::vector<bool> reached(im.leaves.size(), false);
  reached[0] = true;  // The empty outcome.
  auto reach = [&](uint32_t ref) {
    if (ref & kLeafBit) reached[ref & ~kLeafBit] = true;
  };
  for (const AppDag& dag : im.apps) {
    reach(dag.root);
    for (uint32_t root : dag.layer_roots) reach(root);
  }
  for (size_t at = 0; at < im.code.size(); at += NodeWords(&im.code[at])) {
    const uint32_t* n = &im.code[at];
    if (NodeSparse(n)) {
      reach(n[2]);
      for (uint32_t k = 0; k < n[1]; ++k) reach(n[3 + n[1] + k]);
    } else {
      for (uint32_t c = 0; c < n[1]; ++c) reach(n[2 + c]);
    }
  }
  for (size_t l = 0; l < reached.size(); ++l)
    EXPECT_TRUE(reached[l]) << "seed " << seed << ": leaf " << l << " unused";
}

void CheckSeed(uint64_t seed, const testing::RandomPolicyOptions& options,
               int* compared, LayerCounts* layers = nullptr) {
  testing::RandomWorld w = testing::MakeRandomWorld(seed, options);
  BindOptions bind;
  bind.strict = false;  // Random rules may be invalid; both paths skip them.
  auto bound = BoundPolicy::Bind(w.policy, &w.people, bind);
  ASSERT_TRUE(bound.ok()) << "seed " << seed << ": " << bound.status();
  std::shared_ptr<const BoundPolicy> shared = std::move(*bound);
  CompileOptions co;
  if (layers != nullptr) {
    co.layer_min_rules = 1;
    co.layer_split_min_rules = layers->split_min_rules;
    co.one_dag_nodes_per_rule = layers->one_dag_nodes_per_rule;
  }
  auto compiled = CompiledPolicy::Compile(shared, co);
  ASSERT_TRUE(compiled.ok()) << "seed " << seed << ": " << compiled.status();
  if (layers != nullptr) {
    for (const AppDag& dag : (*compiled)->impl().apps) {
      layers->layered_apps += !dag.layer_roots.empty();
      layers->deep_apps += dag.layer_roots.size() >= 2;
      layers->one_dag_apps += dag.layer_roots.empty() && !(dag.root & kLeafBit);
    }
    ExpectLayerLeavesDistinct((*compiled)->impl(), seed, layers);
    ExpectNothingLeftOfTrials((*compiled)->impl(), seed);
  }
  DecisionBuffer buf;
  const Date dates[] = {
      *ParseIsoDate("2024-06-15"), *ParseIsoDate("2025-12-31"),
      *ParseIsoDate("2026-11-26"), *ParseIsoDate("2027-03-01")};
  for (const Person& person : w.people.people) {
    for (Date as_of : dates) {
      const Decision want = EvaluateReference(*shared, person, as_of);
      (*compiled)->Evaluate((*compiled)->SlotsOf(person), as_of, &buf);
      const Decision got = (*compiled)->ToDecision(person.id, buf);
      if (layers != nullptr) {
        for (const CompactEntitlement& e : buf.entitlements)
          layers->merged += (e.reasons_begin & kBufferRange) != 0;
      }
      ASSERT_EQ(DecisionToJson(got), DecisionToJson(want))
          << "seed " << seed << ", person " << person.id << ", as_of "
          << FormatIsoDate(as_of);
      ++*compared;
    }
  }
}

// The seeded policy families: seeds [first, last) and their options.
struct Family {
  uint64_t first, last;
  testing::RandomPolicyOptions (*options)(uint64_t seed);
};

constexpr Family kRandom{1, 61, [](uint64_t seed) {
                           testing::RandomPolicyOptions o;
                           o.rules = 8 + static_cast<int>(seed % 5) * 6;
                           o.apps = 4;
                           o.people = 60;
                           return o;
                         }};
constexpr Family kRealistic{1000, 1004, [](uint64_t) {
                              testing::RandomPolicyOptions o;
                              o.rules = 120;
                              o.people = 150;
                              o.apps = 12;
                              o.realistic = true;
                              return o;
                            }};
constexpr Family kManyMissing{2000, 2020, [](uint64_t) {
                                testing::RandomPolicyOptions o;
                                o.rules = 24;
                                o.apps = 4;
                                o.people = 80;
                                o.missing_rate = 0.4;
                                return o;
                              }};

void CheckFamily(const Family& family, int* compared,
                 LayerCounts* layers = nullptr) {
  for (uint64_t seed = family.first; seed < family.last; ++seed) {
    CheckSeed(seed, family.options(seed), compared, layers);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(DagDifferentialTest, MatchesReferenceOnRandomPolicies) {
  int compared = 0;
  CheckFamily(kRandom, &compared);
  EXPECT_GE(compared, 14000);
}

TEST(DagDifferentialTest, MatchesReferenceOnRealisticPolicies) {
  int compared = 0;
  CheckFamily(kRealistic, &compared);
  EXPECT_GE(compared, 2400);
}

TEST(DagDifferentialTest, MatchesReferenceWithManyMissingValues) {
  int compared = 0;
  CheckFamily(kManyMissing, &compared);
  EXPECT_GE(compared, 6000);
}

// Every seeded family, layered as `layers` asks; the tallies must show that
// layers were built and merged.
void CheckLayered(LayerCounts* layers) {
  int compared = 0;
  for (const Family& family : {kRandom, kRealistic, kManyMissing}) {
    CheckFamily(family, &compared, layers);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GE(compared, 16000);
  EXPECT_GE(layers->merged, 1000);
  std::printf(
      "layered apps %d (%d with 3+ layers), layer leaves %d, merged %d, "
      "cases %d\n",
      layers->layered_apps, layers->deep_apps, layers->layer_leaves,
      layers->merged, compared);
}

// The same policies with every app split into layers where it can (see
// AppDag): outcomes merged at evaluation must equal the reference too, and
// the policies must actually produce layers and merges.
TEST(DagDifferentialTest, LayeredAppsMatchReference) {
  LayerCounts layers;
  CheckLayered(&layers);
  EXPECT_GE(layers.layered_apps, 100);
}

// The same, split as deep as max_layers allows (every rest of two rules or
// more is split again): three to eight layers per app, merged.
TEST(DagDifferentialTest, DeeplyLayeredAppsMatchReference) {
  LayerCounts layers;
  layers.split_min_rules = 2;
  CheckLayered(&layers);
  EXPECT_GE(layers.deep_apps, 100);
}

// On a tight one-DAG budget, some apps keep their one DAG and the others'
// trials overflow, are undone and layered (ExpectNothingLeftOfTrials).
// Rolling back a trial also rolls back the leaf memo, whose entries for the
// undone leaves would otherwise be found again by an app that falls back
// to one DAG (a rest that does not split). Answers must be exact.
TEST(DagDifferentialTest, OneDagTrialsAreUndoneWithoutTrace) {
  for (int32_t budget : {1, 2, 4}) {
    SCOPED_TRACE(budget);
    LayerCounts layers;
    layers.split_min_rules = 2;
    layers.one_dag_nodes_per_rule = budget;
    int compared = 0;
    for (const Family& family : {kRandom, kRealistic, kManyMissing}) {
      CheckFamily(family, &compared, &layers);
      if (::testing::Test::HasFatalFailure()) return;
    }
    std::printf("budget %d: one DAG %d, layered %d, merged %d, cases %d\n",
                budget, layers.one_dag_apps, layers.layered_apps, layers.merged,
                compared);
    EXPECT_GE(compared, 16000);
    EXPECT_GE(layers.one_dag_apps, 40);
    EXPECT_GE(layers.layered_apps, 50);
    EXPECT_GE(layers.merged, 100);
  }
}

// The walks' start (WalkRank::Start: dispatch on one variable, refined by
// a second) leads every app, for any class vector, to the leaf its walk
// from the root reaches. Random class vectors reach classes no person in
// the seed has, and the first and last of each variable are always tried.
TEST(DagDifferentialTest, DispatchStartsWalksWhereTheRootsLead) {
  int refined = 0, walks = 0;
  for (const Family& family : {kRandom, kRealistic, kManyMissing}) {
    for (uint64_t seed = family.first; seed < family.last; ++seed) {
      testing::RandomWorld w =
          testing::MakeRandomWorld(seed, family.options(seed));
      BindOptions bind;
      bind.strict = false;
      auto bound = BoundPolicy::Bind(w.policy, &w.people, bind);
      ASSERT_TRUE(bound.ok()) << "seed " << seed;
      std::shared_ptr<const BoundPolicy> shared = std::move(*bound);
      // One DAG per app, and layered as deep as it goes (more ranks).
      for (int32_t layer_min_rules : {CompileOptions{}.layer_min_rules, 1}) {
        CompileOptions options;
        options.layer_min_rules = layer_min_rules;
        options.layer_split_min_rules = 2;
        options.one_dag_nodes_per_rule = 0;
        auto compiled = CompiledPolicy::Compile(shared, options);
        ASSERT_TRUE(compiled.ok()) << "seed " << seed;
        const CompiledPolicy::Impl& im = (*compiled)->impl();
        auto walk = [&](uint32_t ref, const std::vector<uint32_t>& classes) {
          while (!(ref & kLeafBit)) {
            const uint32_t* n = &im.code[ref];
            ref = NodeChild(n, classes[NodeVar(n)]);
          }
          return ref;
        };
        std::mt19937 rng(static_cast<uint32_t>(seed));
        const size_t napps = im.apps.size();
        std::vector<uint32_t> classes(im.vars.size()), refs(napps);
        for (const CompiledPolicy::Impl::WalkRank& rank : im.ranks) {
          refined += rank.refine_var >= 0;
          for (int t = 0; t < 300; ++t) {
            for (size_t v = 0; v < classes.size(); ++v) {
              const uint32_t width =
                  static_cast<uint32_t>(im.vars[v].num_classes);
              classes[v] = t == 0 ? 0 : t == 1 ? width - 1 : rng() % width;
            }
            rank.Start(classes.data(), napps, refs.data());
            for (size_t a = 0; a < napps; ++a) {
              ASSERT_EQ(walk(refs[a], classes), walk(rank.roots[a], classes))
                  << "seed " << seed << ", app " << a << ", trial " << t;
              ++walks;
            }
          }
        }
      }
    }
  }
  std::printf("ranks refined %d, walks %d\n", refined, walks);
  EXPECT_GE(refined, 40);
  EXPECT_GE(walks, 100000);
}

// Fail closed on both paths: an invalid deny (here a type mismatch) still
// removes its app; an invalid grant grants nothing.
TEST(DagDifferentialTest, InvalidRulesFailClosedOnBothPaths) {
  Policy p;
  p.name = "invalid";
  p.catalog = {
      {"Okta", "", {"User", "Admin"}, "", "", Provisioning::kScim, {}, {}},
      {"Zoom", "", {"Basic"}, "", "", Provisioning::kScim, {}, {}}};
  Rule grant;
  grant.id = "G1";
  grant.targets = {{"Okta", "", "", {}, {}}};
  Rule bad_deny;
  bad_deny.id = "D1";
  bad_deny.effect = Effect::kDeny;
  bad_deny.conditions = {
      {"grade", {PredicateOp::kGreater, {"L2"}}, "> L2", {}}};
  bad_deny.targets = {{"Okta", "", "", {}, {}}};
  Rule bad_grant;
  bad_grant.id = "G2";
  bad_grant.conditions = {{"grade", {PredicateOp::kLess, {"L9"}}, "< L9", {}}};
  bad_grant.targets = {{"Zoom", "", "", {}, {}}};
  p.rules = {grant, bad_deny, bad_grant};
  Population hr;
  hr.people = {{"P1", {{"grade", "Senior"}}, {}}};  // grade infers as string.
  BindOptions bind;
  bind.strict = false;
  auto bound = BoundPolicy::Bind(p, &hr, bind);
  ASSERT_TRUE(bound.ok()) << bound.status();
  ASSERT_FALSE((*bound)->rules()[1].valid);
  ASSERT_FALSE((*bound)->rules()[2].valid);
  std::shared_ptr<const BoundPolicy> shared = std::move(*bound);
  auto compiled = CompiledPolicy::Compile(shared);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const Date as_of = *ParseIsoDate("2026-11-26");
  const Decision want = EvaluateReference(*shared, hr.people[0], as_of);
  EXPECT_TRUE(want.entitlements.empty());
  EXPECT_EQ(DecisionToJson((*compiled)->Evaluate(hr.people[0], as_of)),
            DecisionToJson(want));
}

}  // namespace
}  // namespace birthright
