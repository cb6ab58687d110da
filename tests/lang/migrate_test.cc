// Migration from spreadsheets to the policy language (`birthright
// migrate`; docs/policy-language.md). The round trip is differential
// (STYLE §9): the sheet's policy and the migrated, printed and re-parsed
// policy must give every person the same entitlements under the reference
// evaluator (SPEC §2–§5), on random policies and populations and on
// examples/acme. Also: what migration normalizes (SPEC §2 aliases and
// spelling, §4.3 catalog spelling), duplicate merging and provenance.
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/decision.h"
#include "birthright/import.h"
#include "birthright/policy.h"
#include "birthright/policy_text.h"
#include "birthright/reference_evaluator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/random_policy.h"

namespace birthright {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(BIRTHRIGHT_SOURCE_DIR) + "/" + relative,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The decision without reasons: merging duplicates drops the merged ids
// from reasons, never an entitlement.
std::string Outcome(Decision d) {
  for (Entitlement& e : d.entitlements) e.reasons.clear();
  d.withheld.clear();
  return DecisionToJson(d);
}

// migrate → print → parse: what `birthright migrate` writes and every
// subcommand then reads.
Policy MigrateAndReparse(const Policy& sheet, MigrationResult* m_out) {
  MigrationResult m = MigratePolicy(sheet);
  const std::string text = FormatPolicyText(m.policy, &m.comments);
  absl::StatusOr<Policy> back = ParsePolicyText(text, "migrated.brp");
  EXPECT_TRUE(back.ok()) << back.status() << "\n" << text;
  if (back.ok()) {
    EXPECT_EQ(PolicyContentHash(*back), PolicyContentHash(m.policy)) << text;
  }
  if (m_out != nullptr) *m_out = std::move(m);
  return back.ok() ? std::move(*back) : Policy{};
}

void ExpectSameDecisions(const Policy& sheet, const Policy& migrated,
                         const Population& people, const std::string& what,
                         int* compared) {
  BindOptions bind;
  bind.strict = false;  // Random rules may be invalid; both sides skip them.
  auto a = BoundPolicy::Bind(sheet, &people, bind);
  auto b = BoundPolicy::Bind(migrated, &people, bind);
  ASSERT_TRUE(a.ok()) << what << ": " << a.status();
  ASSERT_TRUE(b.ok()) << what << ": " << b.status();
  const Date dates[] = {*ParseIsoDate("2024-06-15"),
                        *ParseIsoDate("2026-11-26"),
                        *ParseIsoDate("2027-03-01")};
  for (const Person& person : people.people) {
    for (Date as_of : dates) {
      ASSERT_EQ(Outcome(EvaluateReference(**b, person, as_of)),
                Outcome(EvaluateReference(**a, person, as_of)))
          << what << ", person " << person.id << ", as_of "
          << FormatIsoDate(as_of);
      ++*compared;
    }
  }
}

// Spreadsheet noise migration must undo: app and level names in another
// case, attribute headers spelled differently, and exact duplicate rows.
void AddSheetNoise(uint64_t seed, Policy* p) {
  testing::Rng rng(seed * 7919);
  // A chain (Ent Sales → Sales → Revenue): aliases are one step (SPEC §2),
  // so a literal "Ent Sales" must not become "Sales".
  if (seed % 3 == 0)
    p->aliases.push_back({"department", "Sales", "Revenue", {}});
  const size_t n = p->rules.size();
  for (size_t i = 0; i < n; ++i) {
    Rule& r = p->rules[i];
    for (Target& t : r.targets) {
      if (rng.Chance(0.3)) {
        for (char& c : t.app) c = static_cast<char>(std::tolower(c));
      }
      if (rng.Chance(0.3)) {
        for (char& c : t.level) c = static_cast<char>(std::toupper(c));
      }
    }
    for (Condition& c : r.conditions) {
      if (c.attribute == "employment type" && rng.Chance(0.5)) {
        c.attribute = "Employment-Type";
      }
    }
    if (rng.Chance(0.15)) {
      Rule copy = p->rules[i];
      copy.id = "dup-" + r.id;
      copy.location.line += 1000;
      p->rules.push_back(std::move(copy));
    }
  }
}

// SPEC §2–§5: the sheet and the migrated policy decide identically, on
// thousands of (person, date) cases over random policies.
TEST(MigrateDifferentialTest, RandomPoliciesDecideIdentically) {
  int compared = 0;
  int merged = 0;
  int canonicalized = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    testing::RandomPolicyOptions o;
    o.rules = 10 + static_cast<int>(seed % 5) * 8;
    o.people = 50;
    o.apps = 5;
    o.realistic = seed % 2 == 0;
    testing::RandomWorld w = testing::MakeRandomWorld(seed, o);
    AddSheetNoise(seed, &w.policy);
    MigrationResult m;
    const Policy migrated = MigrateAndReparse(w.policy, &m);
    if (HasFailure()) {
      ADD_FAILURE() << "seed " << seed;
      return;
    }
    merged += m.rules_merged;
    canonicalized += m.values_canonicalized;
    ExpectSameDecisions(w.policy, migrated, w.people,
                        "seed " + std::to_string(seed), &compared);
    if (HasFatalFailure()) return;
  }
  EXPECT_GE(compared, 5000);
  // The noise really was exercised.
  EXPECT_GT(merged, 10);
  EXPECT_GT(canonicalized, 5);
}

// examples/acme: rules.csv with its catalog, aliases, schema and SoD pairs, and
// the checked-in examples/acme/policy.brp, decide identically for every person.
TEST(MigrateDifferentialTest, AcmeRoundTrip) {
  Policy sheet;
  ASSERT_TRUE(
      ImportSchema(ReadSource("examples/acme/schema.csv"), "schema.csv", &sheet)
          .ok());
  ASSERT_TRUE(ImportCatalog(ReadSource("examples/acme/catalog.csv"),
                            "catalog.csv", &sheet)
                  .ok());
  ASSERT_TRUE(ImportAliases(ReadSource("examples/acme/aliases.csv"),
                            "aliases.csv", &sheet)
                  .ok());
  ASSERT_TRUE(
      ImportSod(ReadSource("examples/acme/sod.csv"), "sod.csv", &sheet).ok());
  ImportReport report;
  ASSERT_TRUE(ImportRulesList(ReadSource("examples/acme/rules.csv"),
                              "rules.csv", &sheet, &report)
                  .ok());
  absl::StatusOr<Population> people =
      ImportPopulation(ReadSource("examples/acme/people.csv"), "people.csv");
  ASSERT_TRUE(people.ok());
  int compared = 0;
  const Policy migrated = MigrateAndReparse(sheet, nullptr);
  ExpectSameDecisions(sheet, migrated, *people, "acme (migrated)", &compared);
  absl::StatusOr<Policy> checked_in = ParsePolicyText(
      ReadSource("examples/acme/policy.brp"), "examples/acme/policy.brp");
  ASSERT_TRUE(checked_in.ok()) << checked_in.status();
  EXPECT_EQ(checked_in->name, "acme-access");
  EXPECT_EQ(checked_in->version, "2.4");
  EXPECT_EQ(PolicyContentHash(*checked_in), PolicyContentHash(migrated))
      << "examples/acme/policy.brp is stale: re-run the migrate command in "
         "docs/policy-language.md";
  ExpectSameDecisions(sheet, *checked_in, *people, "acme (policy.brp)",
                      &compared);
  EXPECT_GE(compared, 200);
  // Diagnostics point into the policy file (SPEC §10).
  EXPECT_EQ(checked_in->rules[0].location.file, "examples/acme/policy.brp");
  EXPECT_GT(checked_in->rules[0].location.line, 0);
}

TEST(MigrateTest, NormalizesAndRecordsWhatChanged) {
  Policy sheet;
  ASSERT_TRUE(
      ImportSchema("attribute,type\njob title,string\n", "schema.csv", &sheet)
          .ok());
  ASSERT_TRUE(ImportCatalog("app,levels\nSalesforce,Read Only;Standard User\n",
                            "catalog.csv", &sheet)
                  .ok());
  ASSERT_TRUE(
      ImportAliases("attribute,alias,canonical\n"
                    "department,Eng,Engineering\n"
                    "department,Ent Sales,Sales\n"
                    "department,Sales,Revenue\n",  // Sales is itself an alias.
                    "aliases.csv", &sheet)
          .ok());
  ImportReport report;
  ASSERT_TRUE(
      ImportRulesList("id,department,Job_Title,app,level\n"
                      "R1,eng | Engineering,,salesforce,standard user\n"
                      "R2,Ent Sales,,Salesforce,\n"
                      ",eng,starts with Sr,SALESFORCE,read only\n"
                      "R4,Engineering,starts with Sr,Salesforce,Read Only\n",
                      "rules.csv", &sheet, &report)
          .ok());
  MigrationResult m = MigratePolicy(sheet);
  ASSERT_EQ(m.policy.rules.size(), 3u);  // R4 merged into row-4.
  const Rule& r1 = m.policy.rules[0];
  // Alias → canonical, then the repeated value dropped.
  EXPECT_EQ(r1.conditions[0].predicate.values,
            (std::vector<std::string>{"Engineering"}));
  EXPECT_EQ(r1.targets[0].app, "Salesforce");
  EXPECT_EQ(r1.targets[0].level, "Standard User");
  // "Ent Sales" → "Sales" would chain to "Revenue": left alone (SPEC §2).
  EXPECT_EQ(m.policy.rules[1].conditions[0].predicate.values,
            (std::vector<std::string>{"Ent Sales"}));
  // Generated ids are kept; the attribute takes the schema's spelling.
  EXPECT_EQ(m.policy.rules[2].id, "row-4");
  EXPECT_EQ(m.policy.rules[2].conditions[1].attribute, "job title");
  EXPECT_EQ(m.rules_merged, 1);
  EXPECT_THAT(m.changes,
              Contains("rules.csv:5 rule R4: exact duplicate of rule row-4 "
                       "(rules.csv:4); merged"));
  EXPECT_THAT(m.changes,
              Contains("rules.csv:2 rule R1: department value 'eng' written "
                       "as its canonical value 'Engineering' (alias)"));
  EXPECT_THAT(m.changes, Contains("rules.csv:2 rule R1: app 'salesforce' "
                                  "spelled 'Salesforce' as in the catalog"));
  EXPECT_EQ(m.comments.rules[0],
            (std::vector<std::string>{"# from rules.csv:2"}));
  EXPECT_EQ(m.comments.rules[2],
            (std::vector<std::string>{
                "# from rules.csv:4",
                "# merged exact duplicate: rule R4 from rules.csv:5"}));
  const std::string text = FormatPolicyText(m.policy, &m.comments);
  EXPECT_THAT(text, HasSubstr("# from rules.csv:4\n# merged exact duplicate: "
                              "rule R4 from rules.csv:5\nrule row-4 grant "
                              "Salesforce: \"Read Only\"\n"));
}

// Rows that differ in owner or notes are not exact duplicates.
TEST(MigrateTest, DifferentNotesAreNotMerged) {
  Policy sheet;
  ImportReport report;
  ASSERT_TRUE(ImportRulesList("id,dept,app,notes\nR1,x,A,one\nR2,x,A,two\n",
                              "r.csv", &sheet, &report)
                  .ok());
  EXPECT_EQ(MigratePolicy(sheet).policy.rules.size(), 2u);
}

// An access matrix (SPEC §8) migrates too: one rule per row, one target per
// app cell, `x` = the default level.
TEST(MigrateTest, AccessMatrix) {
  Policy sheet;
  ASSERT_TRUE(ImportCatalog("app,instance,levels\nSlack,corp,Member;Admin\n"
                            "GitHub,,Read;Write\n",
                            "catalog.csv", &sheet)
                  .ok());
  ImportReport report;
  ASSERT_TRUE(ImportMatrix("department,Slack [corp],GitHub\n"
                           "Engineering,x,write\nSales,x,\n",
                           "matrix.csv", {}, &sheet, &report)
                  .ok());
  MigrationResult m = MigratePolicy(sheet);
  const std::string text = FormatPolicyText(m.policy, &m.comments);
  EXPECT_THAT(text, HasSubstr("# from matrix.csv:2\nrule row-2 grant Slack "
                              "[corp],\n    GitHub: Write\n  when department "
                              "= Engineering\n"));
  absl::StatusOr<Policy> back = ParsePolicyText(text, "m.brp");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(PolicyContentHash(*back), PolicyContentHash(m.policy));
}

}  // namespace
}  // namespace birthright
