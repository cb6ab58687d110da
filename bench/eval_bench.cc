// Evaluation benchmarks (issue: decision DAG). Three ways to answer "what
// should this person have", measured in the same run on generated
// spreadsheets of 100 .. 100,000 rules:
//   RowScan   — the reference evaluator: every rule, every person (what a
//               spreadsheet macro does); the baseline.
//   Dag       — the compiled decision DAG.
//   TupleHash — the limit: a precomputed hash table from a person's whole
//               attribute tuple to the answer.
// Dag runs on two families of sheets: company-wide rows a fixed share of
// the sheet (the answer grows with it) and company-wide rows bounded (the
// answer stays the same size; BM_DagBoundedAnswer). EvaluateMany times
// the batch API, Decision objects included, against BM_Dag.
// Every benchmark first checks its answers against the oracle.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "birthright/batch.h"
#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/reference_evaluator.h"
#include "birthright/snapshot.h"
#include "eval_fixture.h"
#include "spreadsheet_generator.h"

namespace birthright::bench {
namespace {

const Date kAsOf = BenchAsOf();
constexpr int kPeople = 2000;

// The fixture for `rules` generated rows, compiled with the default
// options (BR_APPS_PER_DAG, BR_LAYER_MIN_RULES, BR_LAYER_SPLIT_MIN_RULES,
// BR_ONE_DAG_NODES and BR_ONE_DAG_SPREAD override them), or with one DAG per
// app when `layers` is false. Built once per process.
EvalFixture& Get(int rules, bool layers = true,
                 CompanyWide company_wide = CompanyWide::kShare) {
  static std::map<std::tuple<int, bool, CompanyWide>,
                  std::unique_ptr<EvalFixture>>
      cache;
  auto& slot = cache[{rules, layers, company_wide}];
  if (slot) return *slot;
  slot = std::make_unique<EvalFixture>();
  CompileOptions options;
  if (const char* g = std::getenv("BR_APPS_PER_DAG"))
    options.max_apps_per_dag = std::atoi(g);
  if (const char* m = std::getenv("BR_LAYER_MIN_RULES"))
    options.layer_min_rules = std::atoi(m);
  if (const char* m = std::getenv("BR_LAYER_SPLIT_MIN_RULES"))
    options.layer_split_min_rules = std::atoi(m);
  if (const char* m = std::getenv("BR_ONE_DAG_NODES"))
    options.one_dag_nodes_per_rule = std::atoi(m);
  if (const char* m = std::getenv("BR_ONE_DAG_SPREAD"))
    options.one_dag_max_spread = std::atoi(m);
  if (!layers) options.layer_min_rules = INT32_MAX;
  BuildEvalFixture(rules, kPeople, company_wide, options, slot.get());
  return *slot;
}

void Report(benchmark::State& state, const EvalFixture& f) {
  state.SetItemsProcessed(state.iterations());
  state.counters["rules"] = static_cast<double>(f.sheet.policy.rules.size());
}

void BM_RowScan(benchmark::State& state) {
  EvalFixture& f = Get(static_cast<int>(state.range(0)));
  if (!f.error.empty()) return state.SkipWithError(f.error.c_str());
  size_t i = 0;
  for (auto _ : state) {
    Decision d = EvaluateReference(*f.bound, f.bound_people[i], kAsOf);
    benchmark::DoNotOptimize(d);
    if (++i == f.bound_people.size()) i = 0;
  }
  Report(state, f);
}

void DagBench(benchmark::State& state, const EvalFixture& f) {
  if (!f.error.empty()) return state.SkipWithError(f.error.c_str());
  DecisionBuffer buf;
  size_t i = 0;
  for (auto _ : state) {
    f.compiled->Evaluate(f.slots[i], kAsOf, &buf);
    benchmark::DoNotOptimize(buf.entitlements.data());
    if (++i == f.slots.size()) i = 0;
  }
  Report(state, f);
  const CompileStats& s = f.compiled->stats();
  state.counters["nodes"] = static_cast<double>(s.nodes);
  state.counters["leaves"] = static_cast<double>(s.leaves);
  state.counters["edges"] = static_cast<double>(s.edges);
  state.counters["bytes_per_rule"] =
      static_cast<double>(s.memory_bytes) / static_cast<double>(s.rules);
  state.counters["compile_s"] = f.compile_seconds;
  // The size of the answer (docs/performance.md: it grows with the sheet).
  double reasons = 0;
  for (const auto& slots : f.slots) {
    f.compiled->Evaluate(slots, kAsOf, &buf);
    for (const CompactEntitlement& e : buf.entitlements)
      reasons += e.reasons_count;
  }
  state.counters["reasons_per_person"] =
      reasons / static_cast<double>(f.slots.size());
}

void BM_Dag(benchmark::State& state) {
  DagBench(state, Get(static_cast<int>(state.range(0))));
}

// The same sheet with layering off (CompileOptions::layer_min_rules), to
// compare the two in one run.
void BM_DagOneDagPerApp(benchmark::State& state) {
  DagBench(state, Get(static_cast<int>(state.range(0)), /*layers=*/false));
}

// The same, on sheets whose company-wide rows stop at kMaxCompanyWideRows
// (CompanyWide::kBounded): a bigger sheet describes more departments, so
// the answer stays the size of a 2,000-row sheet's. This separates the
// cost of the sheet's size from the cost of a bigger answer.
void BM_DagBoundedAnswer(benchmark::State& state) {
  DagBench(state, Get(static_cast<int>(state.range(0)), /*layers=*/true,
                      CompanyWide::kBounded));
}

void BM_DagBoundedAnswerOneDagPerApp(benchmark::State& state) {
  DagBench(state, Get(static_cast<int>(state.range(0)), /*layers=*/false,
                      CompanyWide::kBounded));
}

void BM_TupleHash(benchmark::State& state) {
  EvalFixture& f = Get(static_cast<int>(state.range(0)));
  if (!f.error.empty()) return state.SkipWithError(f.error.c_str());
  DecisionBuffer buf;
  std::string key;
  size_t i = 0;
  for (auto _ : state) {
    TupleKey(f.slots[i], &key);
    auto it = f.tuple_table.find(key);
    buf.entitlements.assign(it->second.entitlements.begin(),
                            it->second.entitlements.end());
    buf.missing.assign(it->second.missing.begin(), it->second.missing.end());
    buf.pool.assign(it->second.pool.begin(), it->second.pool.end());
    benchmark::DoNotOptimize(buf.entitlements.data());
    if (++i == f.slots.size()) i = 0;
  }
  Report(state, f);
}

// The batch API (EvaluateMany, one thread) over the fixture's people: what
// a host evaluating a population pays per person, Decision objects and all
// (docs/performance.md, fifteenth session). Its answers are checked against
// Evaluate's first. Compare person_time with BM_Dag's time in the same run.
void BM_EvaluateMany(benchmark::State& state) {
  EvalFixture& f = Get(static_cast<int>(state.range(0)));
  if (!f.error.empty()) return state.SkipWithError(f.error.c_str());
  const std::vector<Person>& people = f.sheet.people.people;
  const std::vector<Decision> many = EvaluateMany(*f.compiled, people, kAsOf);
  DecisionBuffer buf;
  for (size_t i = 0; i < people.size(); ++i) {
    f.compiled->Evaluate(f.slots[i], kAsOf, &buf);
    if (many[i] != f.compiled->ToDecision(people[i].id, buf))
      return state.SkipWithError("EvaluateMany disagrees with Evaluate");
  }
  for (auto _ : state) {
    std::vector<Decision> d = EvaluateMany(*f.compiled, people, kAsOf);
    benchmark::DoNotOptimize(d.data());
  }
  Report(state, f);
  state.counters["person_time"] = benchmark::Counter(
      static_cast<double>(state.iterations() * people.size()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Compile(benchmark::State& state) {
  Spreadsheet sheet =
      GenerateSpreadsheet(static_cast<int>(state.range(0)), 100);
  std::shared_ptr<const BoundPolicy> bound =
      std::move(*BoundPolicy::Bind(sheet.policy, &sheet.people, BindOptions{}));
  for (auto _ : state) {
    auto compiled = CompiledPolicy::Compile(bound);
    if (!compiled.ok())
      return state.SkipWithError(
          std::string(compiled.status().message()).c_str());
    benchmark::DoNotOptimize(compiled->get());
  }
}

// Snapshot load = integrity check + Verifier + semantic check + decode +
// the derived evaluation tables: what a host waits for before it can serve
// a new version. Releasing the loaded policy is timed apart (release_ms):
// a host pays it when the old version's last reader lets go
// (PolicyHandle), not on the load.
void SnapshotLoadBench(benchmark::State& state, const EvalFixture& f) {
  if (!f.error.empty()) return state.SkipWithError(f.error.c_str());
  const std::string bytes = WriteSnapshot(*f.compiled);
  std::chrono::duration<double, std::milli> release{0};
  for (auto _ : state) {
    auto loaded = LoadSnapshot(bytes);
    if (!loaded.ok())
      return state.SkipWithError(
          std::string(loaded.status().message()).c_str());
    std::unique_ptr<CompiledPolicy> policy = *std::move(loaded);
    benchmark::DoNotOptimize(policy.get());
    state.PauseTiming();
    const auto t0 = std::chrono::steady_clock::now();
    policy.reset();
    release += std::chrono::steady_clock::now() - t0;
    state.ResumeTiming();
  }
  state.counters["release_ms"] =
      release.count() / static_cast<double>(state.iterations());
  state.counters["snapshot_bytes"] = static_cast<double>(bytes.size());
  state.counters["bytes_per_rule"] =
      static_cast<double>(bytes.size()) /
      static_cast<double>(f.sheet.policy.rules.size());
}

void BM_SnapshotLoad(benchmark::State& state) {
  SnapshotLoadBench(state, Get(static_cast<int>(state.range(0))));
}

void BM_SnapshotLoadOneDagPerApp(benchmark::State& state) {
  SnapshotLoadBench(state,
                    Get(static_cast<int>(state.range(0)), /*layers=*/false));
}

// What evaluating on the FlatBuffer in place would save over decoding: the
// copy of the DAG arrays (memory_bytes, fresh allocation each time, as a
// decode does). Verification and the derived evaluation tables cost the
// same either way.
void BM_SnapshotDecodeCopy(benchmark::State& state) {
  EvalFixture& f = Get(static_cast<int>(state.range(0)));
  if (!f.error.empty()) return state.SkipWithError(f.error.c_str());
  const std::string src(static_cast<size_t>(f.compiled->stats().memory_bytes),
                        '\x5a');
  for (auto _ : state) {
    std::string copy = src;
    benchmark::DoNotOptimize(copy.data());
  }
  state.counters["bytes"] = static_cast<double>(src.size());
}

// Evaluation on a loaded snapshot (checked against the oracle first).
void BM_DagFromSnapshot(benchmark::State& state) {
  EvalFixture& f = Get(static_cast<int>(state.range(0)));
  if (!f.error.empty()) return state.SkipWithError(f.error.c_str());
  auto loaded = LoadSnapshot(WriteSnapshot(*f.compiled));
  if (!loaded.ok()) return state.SkipWithError("snapshot did not load");
  DecisionBuffer a, b;
  for (size_t i = 0; i < f.slots.size(); ++i) {
    f.compiled->Evaluate(f.slots[i], kAsOf, &a);
    (*loaded)->Evaluate(f.slots[i], kAsOf, &b);
    if (DecisionToJson(f.compiled->ToDecision("x", a)) !=
        DecisionToJson((*loaded)->ToDecision("x", b))) {
      return state.SkipWithError("snapshot disagrees with the in-memory DAG");
    }
  }
  size_t i = 0;
  for (auto _ : state) {
    (*loaded)->Evaluate(f.slots[i], kAsOf, &b);
    benchmark::DoNotOptimize(b.entitlements.data());
    if (++i == f.slots.size()) i = 0;
  }
  Report(state, f);
}

// With --benchmark_repetitions, a `_min` row beside the median: on this
// shared machine a slow phase can move medians by a quarter between two
// runs of one binary, and the minimum is the steadier reading. Targets are
// still read from medians (issue 3).
double Min(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::min_element(v.begin(), v.end());
}

// Each benchmark at its rule counts (one ArgsProduct list), with the min row.
BENCHMARK(BM_SnapshotLoad)
    ->ArgsProduct({{1000, 2000, 10000, 100000}})
    ->Unit(benchmark::kMillisecond)
    ->ComputeStatistics("min", Min);
BENCHMARK(BM_SnapshotDecodeCopy)
    ->ArgsProduct({{1000, 2000, 10000}})
    ->Unit(benchmark::kMillisecond)
    ->ComputeStatistics("min", Min);
BENCHMARK(BM_SnapshotLoadOneDagPerApp)
    ->Arg(10000)
    ->ComputeStatistics("min", Min);
BENCHMARK(BM_DagFromSnapshot)->Arg(2000)->ComputeStatistics("min", Min);
BENCHMARK(BM_RowScan)
    ->ArgsProduct({{100, 1000, 2000, 100000}})
    ->ComputeStatistics("min", Min);
BENCHMARK(BM_Dag)
    ->ArgsProduct({{100, 1000, 2000, 10000, 100000}})
    ->ComputeStatistics("min", Min);
BENCHMARK(BM_DagOneDagPerApp)->Arg(10000)->ComputeStatistics("min", Min);
BENCHMARK(BM_DagBoundedAnswer)
    ->ArgsProduct({{1000, 2000, 10000, 100000}})
    ->ComputeStatistics("min", Min);
BENCHMARK(BM_DagBoundedAnswerOneDagPerApp)
    ->ArgsProduct({{10000, 100000}})
    ->ComputeStatistics("min", Min);
BENCHMARK(BM_TupleHash)
    ->ArgsProduct({{100, 1000, 2000, 100000}})
    ->ComputeStatistics("min", Min);
BENCHMARK(BM_EvaluateMany)
    ->Arg(2000)
    ->Unit(benchmark::kMillisecond)
    ->ComputeStatistics("min", Min);
BENCHMARK(BM_Compile)
    ->ArgsProduct({{100, 1000, 2000}})
    ->Unit(benchmark::kMillisecond)
    ->ComputeStatistics("min", Min);

}  // namespace
}  // namespace birthright::bench

int main(int argc, char** argv) {
#ifdef NDEBUG
  std::fprintf(stderr, "birthright bench: optimized build (%s)\n", __VERSION__);
#else
  std::fprintf(stderr,
               "WARNING: birthright bench built without NDEBUG; timings are "
               "not meaningful\n");
#endif
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
