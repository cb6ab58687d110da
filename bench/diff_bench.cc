// `diff` benchmarks (issue 5 item 4) on generated spreadsheets
// (bench/spreadsheet_generator.h) of 1,000 and 2,000 rules, v2 = v1 with
// ~5% of the rules changed (a third modified, a third removed, a third
// added), measured against a baseline in the same run:
//   Compile      — bind and compile v2 alone: the baseline.
//   RuleLevel    — the rule-level diff only.
//   Semantic     — rule level + the exact semantic diff, every date.
//   WithPeople   — everything, plus the population impact on 2,000 people.
// Before timing, each size checks the semantic diff against the reference
// evaluator on a sample of people (a person is in a region of an instance
// iff the two versions give different entitlements there) and that the
// regions were not cut by the limit.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench_main.h"
#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/diff.h"
#include "birthright/reference_evaluator.h"
#include "spreadsheet_generator.h"

namespace birthright::bench {
namespace {

const Date kAsOf = *ParseIsoDate("2026-11-26");

struct Pair {
  Spreadsheet sheet;  // v1 and the population.
  Policy v2;
  int changed = 0;
  std::string error;  // Set when the pre-timing check failed.
};

// Every 20th rule changes: modified (next level of its app, or a grant
// becomes a deny), removed, or duplicated onto another rule's target.
Policy MakeV2(const Policy& v1, int* changed) {
  Policy v2 = v1;
  v2.version = "v2";
  std::vector<Rule> rules;
  std::vector<Rule> added;
  for (size_t i = 0; i < v1.rules.size(); ++i) {
    Rule r = v1.rules[i];
    if (i % 20 != 7) {
      rules.push_back(std::move(r));
      continue;
    }
    ++*changed;
    switch ((i / 20) % 3) {
      case 0: {
        bool moved = false;
        for (Target& t : r.targets) {
          for (const CatalogEntry& e : v1.catalog) {
            if (e.app != t.app || e.instance != t.instance) continue;
            for (size_t k = 0; k + 1 < e.levels.size(); ++k) {
              if (e.levels[k] == t.level) {
                t.level = e.levels[k + 1];
                moved = true;
                break;
              }
            }
          }
        }
        if (!moved) r.priority += 5;
        rules.push_back(std::move(r));
        break;
      }
      case 1:
        break;  // Removed.
      default: {
        rules.push_back(r);
        Rule n = r;
        n.id = r.id + "-new";
        n.targets = v1.rules[(i * 7 + 3) % v1.rules.size()].targets;
        added.push_back(std::move(n));
        break;
      }
    }
  }
  for (Rule& r : added) rules.push_back(std::move(r));
  v2.rules = std::move(rules);
  return v2;
}

std::string Verify(const Pair& p) {
  DiffOptions o;
  o.semantic_as_of = kAsOf;
  o.population_as_of = kAsOf;
  o.max_regions = 10'000'000;
  auto d = DiffPolicies(p.sheet.policy, p.v2, &p.sheet.people, o);
  if (!d.ok()) return std::string(d.status().message());
  const SemanticDiff& s = d->semantic;
  if (!s.available) return "semantic diff unavailable: " + s.unavailable_reason;
  if (s.truncated) return "regions truncated";
  auto b1 = BoundPolicy::Bind(p.sheet.policy, &p.sheet.people, BindOptions{});
  auto b2 = BoundPolicy::Bind(p.v2, &p.sheet.people, BindOptions{});
  if (!b1.ok() || !b2.ok()) return "bind failed";
  int changed = 0;
  const size_t n = std::min<size_t>(p.sheet.people.people.size(), 300);
  for (size_t i = 0; i < n; ++i) {
    const Person& person = p.sheet.people.people[i];
    std::map<std::string, const Entitlement*> e1, e2;
    const Decision d1 = EvaluateReference(**b1, person, kAsOf);
    const Decision d2 = EvaluateReference(**b2, person, kAsOf);
    for (const Entitlement& e : d1.entitlements)
      e1[e.app + "|" + e.instance] = &e;
    for (const Entitlement& e : d2.entitlements)
      e2[e.app + "|" + e.instance] = &e;
    std::map<std::string, int> in_region;
    for (const InstanceDiff& inst : s.instances) {
      for (const Region& r : inst.regions) {
        if (s.Contains(r, person, kAsOf))
          ++in_region[inst.app + "|" + inst.instance];
      }
    }
    std::map<std::string, int> keys;
    for (const auto& [k, e] : e1) keys[k] = 1;
    for (const auto& [k, e] : e2) keys[k] = 1;
    for (const auto& [k, c] : in_region) keys[k] = 1;
    for (const auto& [k, unused] : keys) {
      const Entitlement* a = e1.count(k) ? e1[k] : nullptr;
      const Entitlement* b = e2.count(k) ? e2[k] : nullptr;
      const bool differs = (a == nullptr) != (b == nullptr) ||
                           (a && b &&
                            (a->level != b->level || a->scopes != b->scopes ||
                             a->expires != b->expires));
      changed += differs;
      if ((in_region[k] == 1) != differs) {
        return "semantic diff disagrees with the reference evaluator for " +
               person.id + " on " + k;
      }
    }
  }
  if (changed == 0) return "the sample saw no change; the check proves nothing";
  return "";
}

const Pair& Get(int rules) {
  static std::map<int, std::unique_ptr<Pair>> cache;
  auto& slot = cache[rules];
  if (!slot) {
    slot = std::make_unique<Pair>();
    slot->sheet = GenerateSpreadsheet(rules, 2000);
    slot->v2 = MakeV2(slot->sheet.policy, &slot->changed);
    slot->error = Verify(*slot);
  }
  return *slot;
}

bool Ready(benchmark::State& state, const Pair& p) {
  if (!p.error.empty()) {
    state.SkipWithError(p.error.c_str());
    return false;
  }
  state.counters["changed_rules"] = p.changed;
  return true;
}

void BM_Compile(benchmark::State& state) {
  const Pair& p = Get(static_cast<int>(state.range(0)));
  if (!Ready(state, p)) return;
  for (auto _ : state) {
    auto b = BoundPolicy::Bind(p.v2, nullptr, BindOptions{});
    auto c = CompiledPolicy::Compile(
        std::shared_ptr<const BoundPolicy>(std::move(*b)));
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_RuleLevel(benchmark::State& state) {
  const Pair& p = Get(static_cast<int>(state.range(0)));
  if (!Ready(state, p)) return;
  for (auto _ : state) {
    RuleLevelDiff d = DiffRuleLevel(p.sheet.policy, p.v2);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_Semantic(benchmark::State& state) {
  const Pair& p = Get(static_cast<int>(state.range(0)));
  if (!Ready(state, p)) return;
  int64_t regions = 0;
  for (auto _ : state) {
    DiffOptions o;
    o.population_as_of = kAsOf;
    auto d = DiffPolicies(p.sheet.policy, p.v2, nullptr, o);
    regions = d->semantic.regions;
    benchmark::DoNotOptimize(d);
  }
  state.counters["regions"] = static_cast<double>(regions);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_WithPeople(benchmark::State& state) {
  const Pair& p = Get(static_cast<int>(state.range(0)));
  if (!Ready(state, p)) return;
  for (auto _ : state) {
    DiffOptions o;
    o.population_as_of = kAsOf;
    auto d = DiffPolicies(p.sheet.policy, p.v2, &p.sheet.people, o);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_Compile)->Arg(1000)->Arg(2000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RuleLevel)->Arg(1000)->Arg(2000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Semantic)->Arg(1000)->Arg(2000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WithPeople)->Arg(1000)->Arg(2000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace birthright::bench

int main(int argc, char** argv) {
  return birthright::bench::RunBenchmarks(argc, argv);
}
