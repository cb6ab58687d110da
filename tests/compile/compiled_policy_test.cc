// CompiledPolicy on the bundled example: equal to the reference for every
// person and date, limits give ResourceExhausted, DOT and stats are sane.
#include "birthright/compiled_policy.h"

#include <memory>
#include <string>

#include "birthright/batch.h"
#include "birthright/import.h"
#include "birthright/reference_evaluator.h"
#include "gtest/gtest.h"
#include "testing/acme.h"

namespace birthright {
namespace {

struct Acme {
  Population people;
  std::shared_ptr<const BoundPolicy> bound;
};

Acme LoadAcme() {
  auto w = testing::LoadAcmeWorld(BIRTHRIGHT_SOURCE_DIR, "acme", "v1");
  EXPECT_TRUE(w.ok()) << w.status();
  if (!w.ok()) return {};
  return Acme{std::move(w->people), std::move(w->bound)};
}

TEST(CompiledPolicyTest, AcmeEqualsReferenceForEveryPersonAndDate) {
  Acme acme = LoadAcme();
  auto compiled = CompiledPolicy::Compile(acme.bound);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  for (const char* date :
       {"2025-01-01", "2026-06-30", "2026-11-26", "2026-12-16", "2027-01-01",
        "2027-02-01", "2028-01-01"}) {
    const Date as_of = *ParseIsoDate(date);
    for (const Person& p : acme.people.people) {
      EXPECT_EQ(DecisionToJson((*compiled)->Evaluate(p, as_of)),
                DecisionToJson(EvaluateReference(*acme.bound, p, as_of)))
          << p.id << " at " << date;
    }
  }
}

// SPEC §5: batch output is in input order and identical for any thread count.
TEST(CompiledPolicyTest, Spec5BatchIsDeterministicAcrossThreadCounts) {
  Acme acme = LoadAcme();
  auto compiled = CompiledPolicy::Compile(acme.bound);
  ASSERT_TRUE(compiled.ok());
  std::vector<Person> many;
  for (int copy = 0; copy < 50; ++copy) {
    for (Person p : acme.people.people) {
      p.id += "-" + std::to_string(copy);
      many.push_back(std::move(p));
    }
  }
  const Date as_of = *ParseIsoDate("2026-11-26");
  auto render = [&](int threads) {
    BatchOptions options;
    options.threads = threads;
    std::string out;
    for (const Decision& d : EvaluateMany(**compiled, many, as_of, options)) {
      out += DecisionToJson(d) + "\n";
    }
    return out;
  };
  const std::string one = render(1);
  EXPECT_EQ(render(2), one);
  EXPECT_EQ(render(8), one);
  EXPECT_NE(one.find("\"person\":\"E001-0\""), std::string::npos);
}

TEST(CompiledPolicyTest, LimitsGiveResourceExhausted) {
  Acme acme = LoadAcme();
  CompileOptions options;
  options.max_nodes = 5;
  auto c = CompiledPolicy::Compile(acme.bound, options);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(std::string(c.status().message()).find("max_nodes"),
            std::string::npos);
  options = CompileOptions{};
  options.max_leaves = 3;
  c = CompiledPolicy::Compile(acme.bound, options);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  options = CompileOptions{};
  options.max_state_words = 10;
  c = CompiledPolicy::Compile(acme.bound, options);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(std::string(c.status().message()).find("max_state_words"),
            std::string::npos);
  options = CompileOptions{};
  options.max_leaf_words = 20;
  c = CompiledPolicy::Compile(acme.bound, options);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(std::string(c.status().message()).find("max_leaf_words"),
            std::string::npos);
  options = CompileOptions{};
  options.max_edges = 10;
  c = CompiledPolicy::Compile(acme.bound, options);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(CompiledPolicyTest, StatsAndDotDescribeTheDag) {
  Acme acme = LoadAcme();
  auto compiled = CompiledPolicy::Compile(acme.bound);
  ASSERT_TRUE(compiled.ok());
  const CompileStats& s = (*compiled)->stats();
  EXPECT_EQ(s.rules, static_cast<int64_t>(acme.bound->rules().size()));
  EXPECT_GT(s.nodes, 0);
  EXPECT_GT(s.leaves, 1);
  const std::string dot = (*compiled)->ToDot();
  EXPECT_EQ(dot.rfind("digraph birthright {", 0), 0u);
  EXPECT_NE(dot.find("label=\"Salesforce\""), std::string::npos);
  EXPECT_NE(dot.find("department"), std::string::npos);
}

// Grouping apps into one DAG is exact too (only speed and size change).
TEST(CompiledPolicyTest, AppGroupingDoesNotChangeAnswers) {
  Acme acme = LoadAcme();
  CompileOptions options;
  options.max_apps_per_dag = 3;
  auto grouped = CompiledPolicy::Compile(acme.bound, options);
  ASSERT_TRUE(grouped.ok()) << grouped.status();
  const Date as_of = *ParseIsoDate("2026-11-26");
  for (const Person& p : acme.people.people) {
    EXPECT_EQ(DecisionToJson((*grouped)->Evaluate(p, as_of)),
              DecisionToJson(EvaluateReference(*acme.bound, p, as_of)))
        << p.id;
  }
}

// Regression (found by the delta work): a `termination date` that rules
// also read (acme R14) must reach both the leaver check and the rules.
TEST(CompiledPolicyTest, RegressionTerminationDateFeedsRulesToo) {
  Acme acme = LoadAcme();
  auto compiled = CompiledPolicy::Compile(acme.bound);
  ASSERT_TRUE(compiled.ok());
  Person p;
  p.id = "hire";
  p.attributes = {{"department", "Sales"},
                  {"employment_type", "Full-time"},
                  {"start_date", "2026-10-01"},
                  {"termination_date", "2027-06-30"}};
  const Date as_of = *ParseIsoDate("2026-11-26");
  EXPECT_EQ(DecisionToJson((*compiled)->Evaluate(p, as_of)),
            DecisionToJson(EvaluateReference(*acme.bound, p, as_of)));
}

}  // namespace
}  // namespace birthright
