// What the evaluation benchmarks (eval_bench) and the instruction count
// (eval_count) evaluate: a generated sheet's people, bound and compiled,
// every DAG answer checked against the reference evaluator, and the
// tuple-hash limit's table of those answers.
#ifndef BIRTHRIGHT_BENCH_EVAL_FIXTURE_H_
#define BIRTHRIGHT_BENCH_EVAL_FIXTURE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "spreadsheet_generator.h"

namespace birthright::bench {

// The date every benchmark evaluates at.
Date BenchAsOf();

struct EvalFixture {
  Spreadsheet sheet;
  std::shared_ptr<const BoundPolicy> bound;
  std::unique_ptr<CompiledPolicy> compiled;
  std::vector<BoundPerson> bound_people;
  std::vector<std::vector<std::string_view>> slots;
  // The limit: a person's whole attribute tuple (TupleKey) -> the answer.
  absl::flat_hash_map<std::string, DecisionBuffer> tuple_table;
  double compile_seconds = 0;
  std::string error;  // Set when anything failed; the rest is then partial.
};

// Builds `*f` from `rules` generated rows (seed 42) and `people` people,
// compiled with `options`. On failure, or when the DAG disagrees with the
// reference for anyone, sets f->error.
void BuildEvalFixture(int rules, int people, CompanyWide company_wide,
                      const CompileOptions& options, EvalFixture* f);

// The tuple table's key for a person's slots, written into `*key`.
// Inline: the limit's benchmark times it.
inline void TupleKey(const std::vector<std::string_view>& slots,
                     std::string* key) {
  key->clear();
  for (std::string_view v : slots) {
    key->append(v);
    key->push_back('\x1f');
  }
}

}  // namespace birthright::bench

#endif  // BIRTHRIGHT_BENCH_EVAL_FIXTURE_H_
