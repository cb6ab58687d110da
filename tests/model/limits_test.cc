// Every limit of docs/limits.md is enforced with a clear error that names
// the limit, and hitting one yields nothing to evaluate (SPEC §10; issue
// "Hardening" item 4). The limits belong to the model (expressions,
// binding) and to the stages that take a bound policy (compile, snapshot);
// they are kept together here so one file answers "is every limit tested". CSV limits: tests/util/csv_test.cc; snapshot limits:
// tests/snapshot/snapshot_test.cc; policy-text limits:
// tests/lang/policy_text_test.cc; the CLI's --threads bound:
// tests/cli/failclosed_test.sh. This file covers the rest.
#include <memory>
#include <string>

#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/import.h"
#include "birthright/predicate.h"
#include "birthright/snapshot.h"
#include "gtest/gtest.h"
#include "testing/random_policy.h"

namespace birthright {
namespace {

bool Mentions(const absl::Status& s, const std::string& what) {
  return std::string(s.message()).find(what) != std::string::npos;
}

TEST(LimitsTest, CellListValues) {
  ExprLimits limits;
  limits.max_list_values = 8;
  std::string cell = "a";
  for (int i = 0; i < 8; ++i) cell += " | v" + std::to_string(i);
  const CellParse over = ParseCell(cell, limits);
  EXPECT_TRUE(over.limit_hit);
  ASSERT_TRUE(over.error.has_value());
  EXPECT_FALSE(over.predicate.has_value());
  EXPECT_NE(over.error->message.find("8"), std::string::npos)
      << over.error->message;
  EXPECT_TRUE(ParseCell("a | b | c", limits).predicate.has_value());
}

TEST(LimitsTest, ExpressionNodesAndDepth) {
  ExprLimits limits;
  limits.max_nodes = 16;
  std::string expr = "a = 1";
  for (int i = 0; i < 20; ++i) expr += " or a = " + std::to_string(i);
  ExprParse over = ParseExpr(expr, limits);
  EXPECT_TRUE(over.limit_hit);
  EXPECT_FALSE(over.expr.has_value());

  limits = ExprLimits{};
  limits.max_depth = 4;
  over = ParseExpr("not (not (not (not (not (a = 1)))))", limits);
  EXPECT_TRUE(over.limit_hit);
  EXPECT_FALSE(over.expr.has_value());
  EXPECT_TRUE(ParseExpr("not (a = 1)", limits).expr.has_value());
}

Policy SmallPolicy(int rules) {
  Policy p;
  p.name = "limits";
  for (int i = 0; i < rules; ++i) {
    Rule r;
    r.id = "R" + std::to_string(i);
    Condition c;
    c.attribute = "department";
    c.text = "D" + std::to_string(i);
    c.predicate = *ParseCell(c.text).predicate;
    r.conditions.push_back(std::move(c));
    Target t;
    t.app = "App" + std::to_string(i % 3);
    r.targets.push_back(t);
    p.rules.push_back(std::move(r));
  }
  return p;
}

TEST(LimitsTest, BindMaxRules) {
  BindOptions options;
  options.max_rules = 10;
  auto bound = BoundPolicy::Bind(SmallPolicy(11), nullptr, options);
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(Mentions(bound.status(), "10")) << bound.status();
  EXPECT_TRUE(BoundPolicy::Bind(SmallPolicy(10), nullptr, options).ok());
}

TEST(LimitsTest, RegexProgramSizeIsAnErrorNotAGrant) {
  Policy p = SmallPolicy(1);
  Condition c;
  c.attribute = "title";
  c.text = "/(a|b|c|d|e|f|g|h)+(x{1,40}y{1,40}){1,20}/";
  CellParse cell = ParseCell(c.text);
  ASSERT_TRUE(cell.predicate.has_value());
  c.predicate = *cell.predicate;
  p.rules[0].conditions.push_back(std::move(c));
  BindOptions options;
  options.max_regex_program_size = 100;
  auto strict = BoundPolicy::Bind(p, nullptr, options);
  ASSERT_FALSE(strict.ok()) << "an oversized regex must not bind strictly";
  EXPECT_TRUE(Mentions(strict.status(), "regex") ||
              Mentions(strict.status(), "program"))
      << strict.status();
  // Non-strict (check): the rule is marked invalid; a grant that cannot be
  // evaluated is ignored, so nobody gets App0 from it.
  options.strict = false;
  auto lenient = BoundPolicy::Bind(p, nullptr, options);
  ASSERT_TRUE(lenient.ok()) << lenient.status();
  auto compiled = CompiledPolicy::Compile(std::move(*lenient));
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  Person person;
  person.id = "P";
  person.attributes = {{"department", "D0"}, {"title", "axy"}};
  EXPECT_TRUE((*compiled)->Evaluate(person, Date{20000}).entitlements.empty());
}

std::shared_ptr<const BoundPolicy> RandomBound(uint64_t seed, int rules) {
  testing::RandomPolicyOptions o;
  o.rules = rules;
  o.people = 20;
  o.apps = 2;
  testing::RandomWorld w = testing::MakeRandomWorld(seed, o);
  BindOptions bind;
  bind.strict = false;
  auto bound = BoundPolicy::Bind(w.policy, &w.people, bind);
  EXPECT_TRUE(bound.ok()) << bound.status();
  return bound.ok() ? std::shared_ptr<const BoundPolicy>(std::move(*bound))
                    : nullptr;
}

TEST(LimitsTest, CompileNodesPerApp) {
  auto bound = RandomBound(7, 40);
  ASSERT_NE(bound, nullptr);
  CompileOptions options;
  options.max_nodes_per_app = 2;
  auto c = CompiledPolicy::Compile(bound, options);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(Mentions(c.status(), "max_nodes_per_app")) << c.status();
}

TEST(LimitsTest, CompileUnlessAtoms) {
  Policy p = SmallPolicy(1);
  std::string unless = "title = t0";
  for (int i = 1; i < 9; ++i) unless += " or title = t" + std::to_string(i);
  ExprParse e = ParseExpr(unless);
  ASSERT_TRUE(e.expr.has_value());
  p.rules[0].unless = *e.expr;
  p.rules[0].unless_text = unless;
  auto bound = BoundPolicy::Bind(p, nullptr, BindOptions{});
  ASSERT_TRUE(bound.ok()) << bound.status();
  CompileOptions options;
  options.max_unless_atoms = 4;
  auto c = CompiledPolicy::Compile(std::move(*bound), options);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(Mentions(c.status(), "max_unless_atoms")) << c.status();
}

TEST(LimitsTest, SnapshotDepthAndSize) {
  auto bound = RandomBound(9, 12);
  ASSERT_NE(bound, nullptr);
  auto compiled = CompiledPolicy::Compile(bound);
  ASSERT_TRUE(compiled.ok());
  const std::string bytes = WriteSnapshot(**compiled);
  SnapshotLimits limits;
  limits.max_depth = 1;
  auto loaded = LoadSnapshot(bytes, limits);
  EXPECT_FALSE(loaded.ok());
  limits = SnapshotLimits{};
  limits.max_bytes = static_cast<int64_t>(bytes.size()) - 1;
  loaded = LoadSnapshot(bytes, limits);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kResourceExhausted);
  limits.max_bytes = static_cast<int64_t>(bytes.size());
  EXPECT_TRUE(LoadSnapshot(bytes, limits).ok());
}

}  // namespace
}  // namespace birthright
