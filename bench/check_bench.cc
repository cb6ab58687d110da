// `check` benchmarks (issue 4) on generated spreadsheets
// (bench/spreadsheet_generator.h):
//   CheckRules/N   — check of an N-row sheet, rules only (targets: 2,000
//                    rows < 1 s, 20,000 rows < 20 s).
//   CheckPeople/N  — the same plus --people with 1,000 HR records
//                    (unknown-value, gap: one reference evaluation each).
//   Bind/N         — binding alone, the baseline every check pays.
// Before timing, each benchmark verifies its answer: a copy of one rule is
// planted and check must report it as a duplicate of the original, and two
// runs must give identical findings (determinism).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bench_main.h"
#include "birthright/bound_policy.h"
#include "birthright/check.h"
#include "spreadsheet_generator.h"

namespace birthright::bench {
namespace {

const Date kAsOf = *ParseIsoDate("2026-11-26");

const Spreadsheet& Sheet(int rules, int people) {
  static std::map<std::pair<int, int>, Spreadsheet>* cache =
      new std::map<std::pair<int, int>, Spreadsheet>();
  auto it = cache->find({rules, people});
  if (it == cache->end()) {
    Spreadsheet s = GenerateSpreadsheet(rules, people);
    // Plant one exact copy of a valid grant, under a new id.
    for (const Rule& r : s.policy.rules) {
      if (r.effect == Effect::kGrant && !r.conditions.empty()) {
        Rule copy = r;
        copy.id = "PLANTED-DUP";
        copy.location.line = 999999;
        s.policy.rules.push_back(copy);
        break;
      }
    }
    it = cache->emplace(std::make_pair(rules, people), std::move(s)).first;
  }
  return it->second;
}

bool Verify(benchmark::State& state, const Spreadsheet& s,
            const Population* hr) {
  CheckOptions o;
  o.as_of = kAsOf;
  auto a = Check(s.policy, hr, o);
  auto b = Check(s.policy, hr, o);
  if (!a.ok() || !b.ok()) {
    state.SkipWithError("check failed");
    return false;
  }
  bool found = false;
  for (const Finding& f : *a) {
    if (f.code != "duplicate") continue;
    for (const std::string& id : f.rules) found = found || id == "PLANTED-DUP";
  }
  if (!found) {
    state.SkipWithError("the planted duplicate was not reported");
    return false;
  }
  if (a->size() != b->size()) {
    state.SkipWithError("check is not deterministic");
    return false;
  }
  for (size_t i = 0; i < a->size(); ++i) {
    if (FindingToJson((*a)[i]) != FindingToJson((*b)[i])) {
      state.SkipWithError("check is not deterministic");
      return false;
    }
  }
  state.counters["findings"] = static_cast<double>(a->size());
  std::map<std::string, int> by_code;
  for (const Finding& f : *a)
    ++by_code[f.code + (f.severity == Severity::kInfo ? "(info)" : "")];
  for (const auto& [code, n] : by_code) {
    state.counters[code] = n;
  }
  return true;
}

void BM_Bind(benchmark::State& state) {
  const Spreadsheet& s = Sheet(static_cast<int>(state.range(0)), 0);
  BindOptions o;
  o.strict = false;
  for (auto _ : state) {
    auto b = BoundPolicy::Bind(s.policy, nullptr, o);
    benchmark::DoNotOptimize(b);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_CheckRules(benchmark::State& state) {
  const Spreadsheet& s = Sheet(static_cast<int>(state.range(0)), 0);
  if (!Verify(state, s, nullptr)) return;
  CheckOptions o;
  o.as_of = kAsOf;
  for (auto _ : state) {
    auto f = Check(s.policy, nullptr, o);
    benchmark::DoNotOptimize(f);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_CheckPeople(benchmark::State& state) {
  const Spreadsheet& s = Sheet(static_cast<int>(state.range(0)), 1000);
  if (!Verify(state, s, &s.people)) return;
  CheckOptions o;
  o.as_of = kAsOf;
  for (auto _ : state) {
    auto f = Check(s.policy, &s.people, o);
    benchmark::DoNotOptimize(f);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_Bind)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CheckRules)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CheckPeople)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace birthright::bench

int main(int argc, char** argv) {
  return birthright::bench::RunBenchmarks(argc, argv);
}
