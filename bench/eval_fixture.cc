#include "eval_fixture.h"

#include <chrono>
#include <utility>

#include "birthright/reference_evaluator.h"

namespace birthright::bench {

Date BenchAsOf() { return *ParseIsoDate("2026-11-26"); }

void BuildEvalFixture(int rules, int people, CompanyWide company_wide,
                      const CompileOptions& options, EvalFixture* f) {
  f->sheet = GenerateSpreadsheet(rules, people, 42, company_wide);
  auto bound =
      BoundPolicy::Bind(f->sheet.policy, &f->sheet.people, BindOptions{});
  if (!bound.ok()) {
    f->error = std::string(bound.status().message());
    return;
  }
  f->bound = std::move(*bound);
  const auto t0 = std::chrono::steady_clock::now();
  auto compiled = CompiledPolicy::Compile(f->bound, options);
  f->compile_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  if (!compiled.ok()) {
    f->error = std::string(compiled.status().message());
    return;
  }
  f->compiled = std::move(*compiled);
  for (const Person& p : f->sheet.people.people) {
    f->bound_people.push_back(BindPerson(*f->bound, p));
    f->slots.push_back(f->compiled->SlotsOf(p));
  }
  // Check before timing or counting: the DAG and the tuple table must agree
  // with the oracle on every person.
  const Date as_of = BenchAsOf();
  std::string key;
  for (size_t i = 0; i < f->slots.size(); ++i) {
    const Person& p = f->sheet.people.people[i];
    const std::string want =
        DecisionToJson(EvaluateReference(*f->bound, f->bound_people[i], as_of));
    DecisionBuffer buf;
    f->compiled->Evaluate(f->slots[i], as_of, &buf);
    if (DecisionToJson(f->compiled->ToDecision(p.id, buf)) != want) {
      f->error = "DAG disagrees with the reference for " + p.id;
      return;
    }
    TupleKey(f->slots[i], &key);
    f->tuple_table[key] = std::move(buf);
  }
}

}  // namespace birthright::bench
