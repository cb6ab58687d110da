// CompiledPolicy on the bundled example: equal to the reference for every
// person and date, limits give ResourceExhausted, DOT and stats are sane.
#include "birthright/compiled_policy.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "birthright/batch.h"
#include "birthright/import.h"
#include "birthright/predicate.h"
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

// SlotOf is SlotsOf's rule for one column: names fold as BoundPolicy
// folds them, a termination date feeds the leaver check, and a column no
// rule reads goes nowhere.
TEST(CompiledPolicyTest, SlotOfFoldsNamesAndFindsTheTerminationDate) {
  Acme acme = LoadAcme();
  auto compiled = CompiledPolicy::Compile(acme.bound);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const CompiledPolicy& policy = **compiled;
  const SlotTarget department = policy.SlotOf("department");
  EXPECT_EQ(department.attribute, acme.bound->FindAttribute("department"));
  EXPECT_GE(department.attribute, 0);
  EXPECT_FALSE(department.termination);
  for (const char* spelling : {"Job Title", "job_title", "JOB-TITLE"}) {
    EXPECT_EQ(policy.SlotOf(spelling).attribute,
              acme.bound->FindAttribute("jobtitle"))
        << spelling;
  }
  for (const char* spelling : {"termination date", "Leave-Date"}) {
    const SlotTarget t = policy.SlotOf(spelling);
    EXPECT_TRUE(t.termination) << spelling;
    EXPECT_TRUE(t.used()) << spelling;
  }
  const SlotTarget unread = policy.SlotOf("favourite colour");
  EXPECT_EQ(unread.attribute, -1);
  EXPECT_FALSE(unread.termination);
  EXPECT_FALSE(unread.used());
}

// EvaluateMany decides each column's slot once per run of people with the
// same columns. People whose columns differ in order, spelling, number or
// repetition (the last of a repeated column wins, as in SlotsOf) get what
// Evaluate(person) gives them, one after another on one thread.
TEST(CompiledPolicyTest, BatchSlotsFollowEachPersonsColumns) {
  Acme acme = LoadAcme();
  auto compiled = CompiledPolicy::Compile(acme.bound);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  std::vector<Person> many;
  int k = 0;
  for (const Person& original : acme.people.people) {
    Person p = original;
    switch (k++ % 5) {
      case 0:
        break;
      case 1:  // Reversed order.
        std::reverse(p.attributes.begin(), p.attributes.end());
        break;
      case 2:  // Respelled names.
        for (auto& [name, value] : p.attributes) {
          for (char& c : name)
            c = c == ' ' ? '_' : static_cast<char>(toupper(c));
        }
        break;
      case 3:  // One column fewer, and an extra one no rule reads.
        if (!p.attributes.empty()) p.attributes.pop_back();
        p.attributes.emplace_back("favourite colour", "teal");
        break;
      case 4:  // A repeated department: the last one counts.
        p.attributes.emplace_back("Department", "Finance");
        break;
    }
    many.push_back(std::move(p));
  }
  const Date as_of = *ParseIsoDate("2026-11-26");
  const std::vector<Decision> batch = EvaluateMany(**compiled, many, as_of);
  ASSERT_EQ(batch.size(), many.size());
  for (size_t i = 0; i < many.size(); ++i) {
    EXPECT_EQ(DecisionToJson(batch[i]),
              DecisionToJson((*compiled)->Evaluate(many[i], as_of)))
        << many[i].id << " (variant " << i % 5 << ")";
  }
}

// Each compile limit, set below what acme needs, fails the compile with
// ResourceExhausted naming the limit (docs/limits.md).
TEST(CompiledPolicyTest, LimitsGiveResourceExhausted) {
  Acme acme = LoadAcme();
  const struct {
    const char* name;
    void (*set)(CompileOptions*);
  } kLimits[] = {
      {"max_nodes", [](CompileOptions* o) { o->max_nodes = 5; }},
      {"max_leaves", [](CompileOptions* o) { o->max_leaves = 3; }},
      {"max_state_words", [](CompileOptions* o) { o->max_state_words = 10; }},
      {"max_leaf_words", [](CompileOptions* o) { o->max_leaf_words = 20; }},
      {"max_edges", [](CompileOptions* o) { o->max_edges = 10; }},
  };
  for (const auto& limit : kLimits) {
    CompileOptions options;
    limit.set(&options);
    auto c = CompiledPolicy::Compile(acme.bound, options);
    EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted)
        << limit.name;
    EXPECT_NE(std::string(c.status().message()).find(limit.name),
              std::string::npos)
        << limit.name << ": " << c.status();
  }
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

// Compiles `p` with `hr` and checks each person's missing attributes
// (SPEC §2) against `want`, and the whole decision against the reference.
void ExpectMissing(const Policy& p, const Population& hr,
                   const std::vector<std::vector<std::string>>& want) {
  auto bound = BoundPolicy::Bind(p, &hr, BindOptions{});
  ASSERT_TRUE(bound.ok()) << bound.status();
  std::shared_ptr<const BoundPolicy> shared = std::move(*bound);
  auto compiled = CompiledPolicy::Compile(shared);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const Date as_of = *ParseIsoDate("2026-11-26");
  ASSERT_EQ(hr.people.size(), want.size());
  for (size_t i = 0; i < hr.people.size(); ++i) {
    const Person& person = hr.people[i];
    const Decision got = (*compiled)->Evaluate(person, as_of);
    EXPECT_EQ(got.missing, want[i]) << person.id;
    EXPECT_EQ(DecisionToJson(got),
              DecisionToJson(EvaluateReference(*shared, person, as_of)))
        << person.id;
  }
}

// SPEC §2: `missing` names every missing attribute that changed the
// outcome, once. The evaluator leaves a missing attribute's rules as soon
// as it is named (ExplainMissing). Here R1 reads `first` alone and R2 reads
// `first` and `second`: when `first`'s list is gone through first, R1 names
// it and R2 is left, so `second` must still come from R2 through
// `second`'s own list. Both orders of the two attributes are tried, since
// the evaluator goes through attributes by id.
TEST(CompiledPolicyTest, Spec2EveryMissingAttributeIsNamedOnce) {
  for (const auto& [first, second] :
       {std::pair<std::string, std::string>{"location", "cost center"},
        {"cost center", "location"}}) {
    SCOPED_TRACE(first);
    Policy p;
    p.name = "missing";
    p.catalog = {{"A", "", {"User"}, "", "", Provisioning::kScim, {}, {}},
                 {"B", "", {"User"}, "", "", Provisioning::kScim, {}, {}}};
    const Condition x{first, {PredicateOp::kAnyOf, {"x"}}, "", {}};
    const Condition y{second, {PredicateOp::kAnyOf, {"y"}}, "", {}};
    Rule r1, r2;
    r1.id = "R1";
    r1.conditions = {x};
    r1.targets = {{"A", "", "", {}, {}}};
    r2.id = "R2";
    r2.conditions = {x, y};
    r2.targets = {{"B", "", "", {}, {}}};
    p.rules = {r1, r2};
    Population hr;
    hr.people = {{"both", {{"department", "Ops"}}, {}},
                 {"second", {{first, "x"}}, {}},
                 {"first", {{second, "y"}}, {}},
                 {"none", {{first, "z"}, {second, "y"}}, {}}};
    ExpectMissing(p, hr, {{"cost center", "location"}, {second}, {first}, {}});
  }
}

// SPEC §2 through the DAG's explanation: in `(a = 1 and b = 2) or c = 3`
// with a and c missing and b = 9, the `and` is FALSE whatever a is, so only
// c changed the outcome. Each evaluation order of the `and` is tried (with
// b first it is FALSE before a is read).
TEST(CompiledPolicyTest, Spec2MissingOmitsAttributesInsideAKnownSubformula) {
  for (const char* unless :
       {"(a = 1 and b = 2) or c = 3", "(b = 2 and a = 1) or c = 3",
        "c = 3 or (a = 1 and b = 2)",
        "not (not c = 3 and not (a = 1 and b = 2))"}) {
    SCOPED_TRACE(unless);
    Policy p;
    p.name = "nested";
    p.catalog = {{"A", "", {"User"}, "", "", Provisioning::kScim, {}, {}}};
    Rule g;
    g.id = "G1";
    ExprParse parsed = ParseExpr(unless);
    ASSERT_TRUE(parsed.expr.has_value());
    g.unless = *parsed.expr;
    g.unless_text = unless;
    g.targets = {{"A", "", "", {}, {}}};
    p.rules = {g};
    Population hr;
    hr.people = {{"P1", {{"a", ""}, {"b", "9"}, {"c", ""}}, {}},
                 {"P2", {{"a", "1"}, {"b", "2"}, {"c", ""}}, {}},
                 {"P3", {{"a", ""}, {"b", "2"}, {"c", "4"}}, {}}};
    ExpectMissing(p, hr, {{"c"}, {}, {"a"}});
  }
}

// CompileOptions::one_dag_max_spread: an app whose rules apply on more
// classes of its first variable than that (here, company-wide rules on
// every department) is layered without a one-DAG trial, though the trial
// would fit; at or under it, the trial runs and the app keeps one DAG.
// Either way the answers are the reference's.
TEST(CompiledPolicyTest, WideSpreadSkipsTheOneDagTrial) {
  Policy p;
  p.name = "spread";
  p.catalog = {{"Pinned", "", {"User"}, "", "", Provisioning::kScim, {}, {}},
               {"Wide", "", {"User"}, "", "", Provisioning::kScim, {}, {}}};
  // Ten departments and titles (names, not ordinal tokens like "D1", whose
  // classes would be intervals): each has a rule for both apps, pinned to
  // it (open on its department's class and on the missing class). Five
  // company-wide rules for Wide read only the location (open on all twelve
  // department classes: ten, missing and other). Spread: Pinned 2, Wide
  // (10 * 2 + 5 * 12) / 15 = 5.3, rounded up 6. Pinned never splits into
  // layers (all its rules are keyed on the department), so it keeps one
  // DAG whatever the spread.
  auto name = [](const char* kind, int i) {
    return std::string(kind) + " " + static_cast<char>('a' + i);
  };
  Population hr;
  for (int i = 0; i < 10; ++i) {
    for (const char* app : {"Pinned", "Wide"}) {
      Rule r;
      r.id = std::string(app) + "-" + std::to_string(i);
      r.conditions = {
          {"department", {PredicateOp::kAnyOf, {name("dept", i)}}, "", {}},
          {"title", {PredicateOp::kAnyOf, {name("title", i)}}, "", {}}};
      r.targets = {{app, "", "", {}, {}}};
      p.rules.push_back(r);
    }
    hr.people.push_back({"P" + std::to_string(i),
                         {{"department", name("dept", i)},
                          {"title", name("title", (i * 3) % 10)},
                          {"location", name("site", i % 6)}},
                         {}});
  }
  hr.people.push_back({"nobody", {}, {}});
  hr.people.push_back(
      {"matched", {{"department", "dept d"}, {"title", "title d"}}, {}});
  for (int k = 0; k < 5; ++k) {
    Rule r;
    r.id = "Wide-site-" + std::to_string(k);
    r.conditions = {
        {"location", {PredicateOp::kAnyOf, {name("site", k)}}, "", {}}};
    r.targets = {{"Wide", "", "", {}, {}}};
    p.rules.push_back(r);
  }
  auto bound = BoundPolicy::Bind(p, &hr, BindOptions{});
  ASSERT_TRUE(bound.ok()) << bound.status();
  std::shared_ptr<const BoundPolicy> shared = std::move(*bound);
  const Date as_of = *ParseIsoDate("2026-11-26");
  // Every app is a candidate, and a trial always fits its budget.
  CompileOptions options;
  options.layer_min_rules = 1;
  options.one_dag_nodes_per_rule = 1000;
  for (const auto& [spread, layered] :
       {std::pair{INT32_MAX, 0}, {6, 0}, {5, 1}, {0, 1}}) {
    SCOPED_TRACE(spread);
    options.one_dag_max_spread = spread;
    auto compiled = CompiledPolicy::Compile(shared, options);
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    EXPECT_EQ((*compiled)->stats().layered_apps, layered);
    for (const Person& person : hr.people) {
      EXPECT_EQ(DecisionToJson((*compiled)->Evaluate(person, as_of)),
                DecisionToJson(EvaluateReference(*shared, person, as_of)))
          << person.id;
    }
  }
}

// Names and values reach DOT labels quoted: a quote or backslash in an app,
// a value or a rule id must not end the label early, and a layered app's
// leaves list their rules.
TEST(CompiledPolicyTest, DotEscapesNamesAndValues) {
  Policy p;
  p.name = "quotes";
  p.catalog = {
      {"Say \"hi\"", "", {"Use\\r"}, "", "", Provisioning::kScim, {}, {}}};
  Rule keyed;
  keyed.id = "R\"1";
  keyed.conditions = {
      {"department", {PredicateOp::kAnyOf, {"R&\"D\\"}}, "", {}}};
  keyed.targets = {{"Say \"hi\"", "", "", {}, {}}};
  Rule everyone;
  everyone.id = "R2";
  everyone.targets = keyed.targets;
  p.rules = {keyed, everyone};
  Population hr;
  hr.people = {{"P1", {{"department", "R&\"D\\"}}, {}}};
  auto bound = BoundPolicy::Bind(p, &hr, BindOptions{});
  ASSERT_TRUE(bound.ok()) << bound.status();
  CompileOptions options;
  options.layer_min_rules = 1;
  options.one_dag_nodes_per_rule = 0;
  auto compiled = CompiledPolicy::Compile(std::move(*bound), options);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  ASSERT_EQ((*compiled)->stats().layered_apps, 1);
  const std::string dot = (*compiled)->ToDot();
  EXPECT_NE(dot.find("label=\"Say \\\"hi\\\"\""), std::string::npos) << dot;
  // Values are shown in canonical (case-folded) form.
  EXPECT_NE(dot.find("r&\\\"d\\\\"), std::string::npos) << dot;
  EXPECT_NE(dot.find("grant R\\\"1"), std::string::npos) << dot;
  // Every line has its quotes balanced once escapes are skipped.
  size_t line_start = 0;
  while (line_start < dot.size()) {
    const size_t end = dot.find('\n', line_start);
    int quotes = 0;
    for (size_t i = line_start; i < end; ++i) {
      if (dot[i] == '\\') {
        ++i;
      } else if (dot[i] == '"') {
        ++quotes;
      }
    }
    EXPECT_EQ(quotes % 2, 0) << dot.substr(line_start, end - line_start);
    line_start = end + 1;
  }
}

}  // namespace
}  // namespace birthright
