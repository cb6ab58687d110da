// Differential fuzz target: the input seeds a random policy and population;
// the DAG, a snapshot of it, and the reference evaluator must agree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "birthright/compiled_policy.h"
#include "birthright/reference_evaluator.h"
#include "birthright/snapshot.h"
#include "testing/random_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace birthright;
  if (size < 10) return 0;
  uint64_t seed = 0;
  std::memcpy(&seed, data, 8);
  testing::RandomPolicyOptions o;
  // Small worlds: a random 30-rule policy takes seconds to compile under
  // ASan+UBSan+coverage, which starves the fuzzer; bugs show up in small ones.
  o.rules = 2 + data[8] % 14;
  o.people = 12;
  o.apps = 1 + data[9] % 4;
  testing::RandomWorld w = testing::MakeRandomWorld(seed, o);
  BindOptions bind;
  bind.strict = false;
  auto bound = BoundPolicy::Bind(w.policy, &w.people, bind);
  if (!bound.ok()) return 0;
  std::shared_ptr<const BoundPolicy> shared = std::move(*bound);
  // Odd seeds split every app into layers where it can (see AppDag), so
  // the merge at evaluation is fuzzed too; with bit 2 set, each app first
  // tries one DAG on a small budget, so the undo of a trial is fuzzed too.
  CompileOptions co;
  if (seed & 1) {
    co.layer_min_rules = 1;
    co.one_dag_nodes_per_rule = (seed & 4) ? 2 : 0;
  }
  if ((seed & 3) == 3) co.layer_split_min_rules = 2;  // And as deep as can be.
  auto compiled = CompiledPolicy::Compile(shared, co);
  if (!compiled.ok()) return 0;
  auto loaded = LoadSnapshot(WriteSnapshot(**compiled));
  if (!loaded.ok()) std::abort();
  const Date as_of{20000 + static_cast<int32_t>(size % 1200)};
  for (const Person& p : w.people.people) {
    const std::string want =
        DecisionToJson(EvaluateReference(*shared, p, as_of));
    if (DecisionToJson((*compiled)->Evaluate(p, as_of)) != want) std::abort();
    if (DecisionToJson((*loaded)->Evaluate(p, as_of)) != want) std::abort();
  }
  return 0;
}
