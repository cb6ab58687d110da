// Tests of `check` (SPEC §7; docs/check.md): a positive and a negative case
// per code, a seeded-defect rule set where check must report exactly the
// planted defects, and the examples/acme golden file.
//
// Regenerate the golden file with:
//   build/birthright check --rules examples/acme/rules.csv
//     --catalog examples/acme/catalog.csv --aliases examples/acme/aliases.csv
//     --schema examples/acme/schema.csv --people examples/acme/people.csv
//     --as-of 2026-11-26 --format jsonl >
//     tests/testdata/acme_check.golden.jsonl
// (run from the source root, so locations read examples/acme/...).
#include "birthright/check.h"

#include <cctype>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "birthright/import.h"
#include "birthright/policy.h"
#include "birthright/predicate.h"
#include "birthright/reference_evaluator.h"
#include "birthright/sod.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace birthright {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kCatalog[] =
    "app,instance,levels,default level,owner,provisioning,monthly cost\n"
    "Okta,,User;Admin,,,,\n"
    "GitHub,,Read;Write;Admin,Read,,,\n"
    "Slack,corp,Member;Admin,,,,\n"
    "Slack,eng,Member,,,,\n";

constexpr char kSchema[] =
    "attribute,type,order,case sensitive\n"
    "department,string,,\n"
    "title,string,,\n"
    "grade,ordinal,L1;L2;L3;L4;L5,\n"
    "band,ordinal,,\n"
    "start date,date,,\n"
    "headcount,int,,\n"
    "squads,set,,\n"
    "contract end,date,,\n";

constexpr char kAliases[] =
    "attribute,alias,canonical\n"
    "department,Ent Sales,Sales - Enterprise\n";

const Date kAsOf = *ParseIsoDate("2026-11-26");

std::string Upper(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

Policy BasePolicy() {
  Policy p;
  p.name = "t";
  EXPECT_TRUE(ImportSchema(kSchema, "schema.csv", &p).ok());
  EXPECT_TRUE(ImportCatalog(kCatalog, "catalog.csv", &p).ok());
  EXPECT_TRUE(ImportAliases(kAliases, "aliases.csv", &p).ok());
  return p;
}

// A rule built by hand: conditions as (attribute, cell) pairs, so one rule
// may hold several predicates on one attribute (as policy text can).
Rule MakeRule(const std::string& id,
              std::vector<std::pair<std::string, std::string>> conds,
              const std::string& app, const std::string& level = "",
              const std::string& instance = "") {
  Rule r;
  r.id = id;
  r.location = SourceLocation{"rules.csv", 0, 0};
  for (const auto& [attr, cell] : conds) {
    CellParse cp = ParseCell(cell);
    EXPECT_TRUE(cp.predicate.has_value()) << cell;
    r.conditions.push_back(Condition{attr, *cp.predicate, cell, r.location});
  }
  Target t;
  t.app = app;
  t.instance = instance;
  t.level = level;
  r.targets.push_back(t);
  return r;
}

void AddRule(Policy* p, Rule r) {
  r.location.line = static_cast<int32_t>(p->rules.size()) + 2;
  for (Condition& c : r.conditions) c.location = r.location;
  for (Target& t : r.targets) t.location = r.location;
  p->rules.push_back(std::move(r));
}

std::vector<Finding> RunCheck(const Policy& p, const Population* hr = nullptr) {
  CheckOptions o;
  o.as_of = kAsOf;
  auto f = Check(p, hr, o);
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? *f : std::vector<Finding>{};
}

// Rule-id lists of the findings with `code`.
std::vector<std::vector<std::string>> With(const std::vector<Finding>& fs,
                                           const std::string& code) {
  std::vector<std::vector<std::string>> out;
  for (const Finding& f : fs) {
    if (f.code == code) out.push_back(f.rules);
  }
  return out;
}

const Finding* First(const std::vector<Finding>& fs, const std::string& code) {
  for (const Finding& f : fs) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

Population People(const std::string& csv) {
  auto p = ImportPopulation(csv, "people.csv");
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : Population{};
}

// --- Bind issues -----------------------------------------------------------

TEST(CheckBindIssues, UnknownReferencesAreFindings) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "Jira"));
  AddRule(&p, MakeRule("R2", {{"department", "Sales"}}, "GitHub", "Owner"));
  AddRule(&p,
          MakeRule("R3", {{"department", "Sales"}}, "Slack", "", "marketing"));
  AddRule(&p, MakeRule("R4", {{"title", "> Manager"}}, "Okta"));
  AddRule(&p, MakeRule("R5", {{"costcenter", "100"}}, "Okta", "Admin"));
  const std::vector<Finding> fs = RunCheck(p);
  EXPECT_THAT(With(fs, "unknown-app"), ElementsAre(ElementsAre("R1")));
  EXPECT_THAT(With(fs, "unknown-level"), ElementsAre(ElementsAre("R2")));
  EXPECT_THAT(With(fs, "unknown-instance"), ElementsAre(ElementsAre("R3")));
  EXPECT_THAT(With(fs, "type-mismatch"), ElementsAre(ElementsAre("R4")));
  EXPECT_THAT(With(fs, "unknown-attribute"), ElementsAre(ElementsAre("R5")));
  EXPECT_EQ(First(fs, "unknown-app")->severity, Severity::kError);
  EXPECT_THAT(First(fs, "unknown-app")->locations, ElementsAre("rules.csv:2"));
}

TEST(CheckBindIssues, CleanRulesHaveNone) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Write"));
  AddRule(&p, MakeRule("R2", {{"grade", ">= L3"}}, "Slack", "Member", "corp"));
  EXPECT_THAT(RunCheck(p), IsEmpty());
}

// --- unsatisfiable ----------------------------------------------------------

struct UnsatCase {
  const char* name;
  std::vector<std::pair<std::string, std::string>> conds;
  bool unsat;
};

class CheckUnsatisfiable : public ::testing::TestWithParam<UnsatCase> {};

TEST_P(CheckUnsatisfiable, Grant) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", GetParam().conds, "Okta"));
  const std::vector<Finding> fs = RunCheck(p);
  const Finding* f = First(fs, "unsatisfiable");
  if (GetParam().unsat) {
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->severity, Severity::kError);
    EXPECT_THAT(f->rules, ElementsAre("R1"));
  } else {
    EXPECT_EQ(f, nullptr) << f->message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CheckUnsatisfiable,
    ::testing::Values(
        UnsatCase{"EqualsTwoValues",
                  {{"department", "Sales"}, {"department", "Finance"}},
                  true},
        UnsatCase{"EqualsSameValueTwice",
                  {{"department", "Sales"}, {"department", "SALES"}},
                  false},
        UnsatCase{"AnyOfMinusNoneOf",
                  {{"department", "A | B"}, {"department", "not (a | b)"}},
                  true},
        UnsatCase{"AnyOfMinusPartOfNoneOf",
                  {{"department", "A | B"}, {"department", "not A"}},
                  false},
        UnsatCase{"IntEmptyInterval",
                  {{"headcount", "> 5"}, {"headcount", "< 6"}},
                  true},
        UnsatCase{
            "IntOneValue", {{"headcount", "> 5"}, {"headcount", "< 7"}}, false},
        UnsatCase{"IntIntervalAllExcluded",
                  {{"headcount", "5..6"}, {"headcount", "not (5 | 6)"}},
                  true},
        UnsatCase{"IntReversedRange", {{"headcount", "10..5"}}, true},
        UnsatCase{"DateReversedRange",
                  {{"start date", "2024-01-01..2023-01-01"}},
                  true},
        UnsatCase{
            "DateRange", {{"start date", "2023-01-01..2024-01-01"}}, false},
        UnsatCase{"OrdinalAboveTop", {{"grade", "> L5"}}, true},
        UnsatCase{"OrdinalTop", {{"grade", ">= L5"}}, false},
        UnsatCase{
            "OrdinalBetween", {{"grade", "> L2"}, {"grade", "< L3"}}, true},
        UnsatCase{"NaturalOrdinalReversed",
                  {{"band", "> B5"}, {"band", "< B3"}},
                  true},
        UnsatCase{
            "NaturalOrdinalDense", {{"band", "> B3"}, {"band", "< B4"}}, false},
        UnsatCase{"ExistsAndMissing",
                  {{"title", "exists"}, {"title", "missing"}},
                  true},
        UnsatCase{"MissingAndEquals",
                  {{"title", "missing"}, {"title", "Engineer"}},
                  true},
        UnsatCase{"MissingAlone", {{"title", "missing"}}, false},
        UnsatCase{"TwoPrefixes",
                  {{"title", "starts with Sr"}, {"title", "starts with Jr"}},
                  true},
        UnsatCase{
            "NestedPrefixes",
            {{"title", "starts with Sr"}, {"title", "starts with Sr Eng"}},
            false},
        UnsatCase{"PrefixAndSuffix",
                  {{"title", "starts with Sr"}, {"title", "ends with Manager"}},
                  false},
        UnsatCase{"TwoSuffixes",
                  {{"title", "ends with Lead"}, {"title", "ends with Manager"}},
                  true},
        UnsatCase{
            "ContainsVsAnyOf",
            {{"title", "Engineer | Designer"}, {"title", "contains sales"}},
            true},
        UnsatCase{
            "ContainsMatchesOneLiteral",
            {{"title", "Engineer | Sales Lead"}, {"title", "contains sales"}},
            false},
        UnsatCase{"RegexVsAnyOf",
                  {{"title", "/^eng/"}, {"title", "Sales | Finance"}},
                  true},
        UnsatCase{"RegexMatchesLiteral",
                  {{"title", "/^eng/"}, {"title", "Sales | Engineer"}},
                  false},
        UnsatCase{
            "SubstringEscapesNoneOf",
            {{"title", "contains lead"}, {"title", "not (lead | team lead)"}},
            false},
        UnsatCase{"SetSameMemberConflict",
                  {{"squads", "web"}, {"squads", "not web"}},
                  true},
        UnsatCase{"SetDifferentMembers",
                  {{"squads", "web"}, {"squads", "api"}},
                  false}),
    [](const ::testing::TestParamInfo<UnsatCase>& info) {
      return info.param.name;
    });

TEST(CheckUnsatisfiableRule, ContradictoryDenyStillAppliesToMissing) {
  // A deny applies on UNKNOWN (SPEC §2): people without a department.
  Policy p = BasePolicy();
  Rule r = MakeRule("D1", {{"department", "Sales"}, {"department", "Finance"}},
                    "Okta");
  r.effect = Effect::kDeny;
  AddRule(&p, r);
  EXPECT_THAT(With(RunCheck(p), "unsatisfiable"), IsEmpty());
  Rule r2 = MakeRule("D2",
                     {{"department", "exists"},
                      {"department", "Sales"},
                      {"department", "Finance"}},
                     "Okta");
  r2.effect = Effect::kDeny;
  AddRule(&p, r2);
  EXPECT_THAT(With(RunCheck(p), "unsatisfiable"),
              ElementsAre(ElementsAre("D2")));
}

TEST(CheckUnsatisfiableRule, WindowAndExpiry) {
  Policy p = BasePolicy();
  Rule ok = MakeRule("R1", {}, "Okta");
  ok.effective_from = ParseIsoDate("2026-01-01");
  ok.effective_until = ParseIsoDate("2026-01-01");
  AddRule(&p, ok);
  Rule window = MakeRule("R2", {}, "Okta", "Admin");
  window.effective_from = ParseIsoDate("2026-02-01");
  window.effective_until = ParseIsoDate("2026-01-01");
  AddRule(&p, window);
  Rule expiry = MakeRule("R3", {}, "GitHub");
  expiry.effective_from = ParseIsoDate("2026-02-01");
  expiry.expires.kind = Expiry::Kind::kDate;
  expiry.expires.date = *ParseIsoDate("2026-01-31");
  AddRule(&p, expiry);
  Rule attr = MakeRule("R4", {{"contract end", "missing"}}, "GitHub", "Write");
  attr.expires.kind = Expiry::Kind::kAttribute;
  attr.expires.attribute = "contract end";
  AddRule(&p, attr);
  EXPECT_THAT(
      With(RunCheck(p), "unsatisfiable"),
      ElementsAre(ElementsAre("R2"), ElementsAre("R3"), ElementsAre("R4")));
}

TEST(CheckUnsatisfiableRule, RegexAgainstRegexIsPossibleAtInfo) {
  Policy p = BasePolicy();
  AddRule(&p,
          MakeRule("R1", {{"title", "/^a+$/"}, {"title", "/^b+$/"}}, "Okta"));
  const std::vector<Finding> fs = RunCheck(p);
  const Finding* f = First(fs, "unsatisfiable");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::kInfo);
  EXPECT_THAT(f->message, ::testing::HasSubstr("possibly"));
  // Two regexes with a common literal-built witness are simply satisfiable.
  Policy q = BasePolicy();
  AddRule(&q, MakeRule("R1", {{"title", "/eng/"}, {"title", "contains eng"}},
                       "Okta"));
  EXPECT_THAT(With(RunCheck(q), "unsatisfiable"), IsEmpty());
}

// --- duplicate --------------------------------------------------------------

TEST(CheckDuplicate, SemanticEquivalenceIsOneFinding) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales | Marketing"}}, "GitHub",
                       "Write"));
  AddRule(&p, MakeRule("R2", {{"department", "marketing; sales"}}, "github",
                       "write"));
  AddRule(&p, MakeRule("R3", {{"department", " SALES|marketing "}}, "GitHub",
                       "Write"));
  // Different literal spelling through an alias, and an implied default level.
  AddRule(&p, MakeRule("R4", {{"department", "Ent Sales"}}, "GitHub"));
  AddRule(&p, MakeRule("R5", {{"department", "Sales - Enterprise"}}, "GitHub",
                       "Read"));
  // Equivalent numeric conditions written differently.
  AddRule(&p, MakeRule("R6", {{"headcount", "3..5"}}, "Okta"));
  AddRule(&p, MakeRule("R7", {{"headcount", ">= 3"}, {"headcount", "< 6"}},
                       "Okta"));
  const std::vector<Finding> fs = RunCheck(p);
  EXPECT_THAT(With(fs, "duplicate"),
              ElementsAre(ElementsAre("R1", "R2", "R3"),
                          ElementsAre("R4", "R5"), ElementsAre("R6", "R7")));
  EXPECT_EQ(First(fs, "duplicate")->severity, Severity::kWarning);
  EXPECT_THAT(First(fs, "duplicate")->locations,
              ElementsAre("rules.csv:2", "rules.csv:3", "rules.csv:4"));
  EXPECT_THAT(First(fs, "duplicate")->witness,
              ElementsAre(std::make_pair(std::string("department"),
                                         std::string("marketing"))));
}

TEST(CheckDuplicate, AnyDifferenceInEffectIsNotDuplicate) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Write"));
  AddRule(&p, MakeRule("R2", {{"department", "Sales"}}, "GitHub", "Admin"));
  Rule prio = MakeRule("R3", {{"department", "Sales"}}, "GitHub", "Write");
  prio.priority = 5;
  AddRule(&p, prio);
  Rule scoped = MakeRule("R4", {{"department", "Sales"}}, "GitHub", "Write");
  scoped.targets[0].scopes = {"api"};
  AddRule(&p, scoped);
  Rule deny = MakeRule("R5", {{"department", "Sales"}}, "GitHub", "Write");
  deny.effect = Effect::kDeny;
  AddRule(&p, deny);
  Rule windowed = MakeRule("R6", {{"department", "Sales"}}, "GitHub", "Write");
  windowed.effective_until = ParseIsoDate("2027-01-01");
  AddRule(&p, windowed);
  AddRule(&p, MakeRule("R7", {{"department", "Sales"}, {"title", "exists"}},
                       "GitHub", "Write"));
  AddRule(&p, MakeRule("R8", {{"department", "Sales | Finance"}}, "GitHub",
                       "Write"));
  EXPECT_THAT(With(RunCheck(p), "duplicate"), IsEmpty());
}

TEST(CheckDuplicate, ExistsIsRedundantOnlyForGrants) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("G1", {{"department", "Sales"}}, "Okta"));
  AddRule(&p,
          MakeRule("G2", {{"department", "Sales"}, {"department", "exists"}},
                   "Okta"));
  Rule d1 = MakeRule("D1", {{"department", "Sales"}}, "GitHub");
  d1.effect = Effect::kDeny;
  Rule d2 = MakeRule("D2", {{"department", "Sales"}, {"department", "exists"}},
                     "GitHub");
  d2.effect = Effect::kDeny;
  AddRule(&p, d1);
  AddRule(&p, d2);
  EXPECT_THAT(With(RunCheck(p), "duplicate"),
              ElementsAre(ElementsAre("G1", "G2")));
}

// --- with --people
// ------------------------------------------------------------

constexpr char kPeople[] =
    "id,department,title,grade,squads\n"
    "E1,Sales,Account Executive,L3,web\n"
    "E2,Ent Sales,Sr Account Executive,L4,\n"
    "E3,Finance,Controller,L5,\n"
    "E4,Finance,AP Clerk,L2,\n";

TEST(CheckUnknownValue, RenamedDepartment) {
  Policy p = BasePolicy();
  AddRule(&p,
          MakeRule("R1", {{"department", "Sales | Customer Support"}}, "Okta"));
  AddRule(&p, MakeRule("R2", {{"department", "Sales - Enterprise"}},
                       "GitHub"));  // Via alias.
  AddRule(&p, MakeRule("R3", {{"department", "not Legal"}}, "Okta", "Admin"));
  AddRule(&p, MakeRule("R4", {{"squads", "web"}}, "GitHub", "Write"));
  AddRule(&p, MakeRule("R5", {{"squads", "mobile"}}, "GitHub", "Admin"));
  const Population hr = People(kPeople);
  const std::vector<Finding> fs = RunCheck(p, &hr);
  EXPECT_THAT(
      With(fs, "unknown-value"),
      ElementsAre(ElementsAre("R1"), ElementsAre("R3"), ElementsAre("R5")));
  EXPECT_THAT(First(fs, "unknown-value")->message,
              ::testing::HasSubstr("'Customer Support'"));
  // Without people there is nothing to compare against.
  EXPECT_THAT(With(RunCheck(p), "unknown-value"), IsEmpty());
}

TEST(CheckGap, UncoveredPeopleGroupedByDepartment) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales - Enterprise | Sales"}},
                       "Okta"));
  AddRule(&p, MakeRule("R2", {{"title", "Controller"}}, "Okta"));
  const Population hr = People(kPeople);
  const std::vector<Finding> fs = RunCheck(p, &hr);
  ASSERT_EQ(With(fs, "gap").size(), 1u);
  const Finding* f = First(fs, "gap");
  EXPECT_THAT(f->message,
              ::testing::HasSubstr("1 person in department 'Finance'"));
  EXPECT_THAT(f->message, ::testing::HasSubstr("E4"));
  EXPECT_THAT(f->locations, ElementsAre("people.csv:5"));
  // Covering Finance closes the gap; a leaver is never a gap.
  AddRule(&p, MakeRule("R3", {{"department", "Finance"}}, "Okta"));
  EXPECT_THAT(With(RunCheck(p, &hr), "gap"), IsEmpty());
  const Population leaver = People(
      "id,department,termination date\nE9,Legal,2026-01-01\nE8,Sales,\n");
  EXPECT_THAT(With(RunCheck(p, &leaver), "gap"), IsEmpty());
}

TEST(CheckReservedAttribute, HrColumnNamedLikeAReservedHeader) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {}, "Okta"));
  const Population bad = People("id,department,Owner,teams\nE1,Sales,x,y\n");
  EXPECT_EQ(With(RunCheck(p, &bad), "reserved-attribute").size(), 2u);
  const Population good = People(kPeople);
  EXPECT_THAT(With(RunCheck(p, &good), "reserved-attribute"), IsEmpty());
}

// --- ordering and output
// ------------------------------------------------------

TEST(CheckOutput, OrderedBySeverityCodeRuleAndJsonShape) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "Okta"));
  AddRule(&p, MakeRule("R2", {{"department", "Sales"}}, "Okta"));
  AddRule(&p, MakeRule("R3", {{"headcount", "9..1"}}, "Okta"));
  AddRule(&p, MakeRule("R4", {{"department", "x"}}, "Nope"));
  const std::vector<Finding> fs = RunCheck(p);
  ASSERT_EQ(fs.size(), 3u);
  EXPECT_EQ(fs[0].code, "unknown-app");
  EXPECT_EQ(fs[1].code, "unsatisfiable");
  EXPECT_EQ(fs[2].code, "duplicate");
  EXPECT_EQ(
      FindingToJson(fs[1]),
      "{\"code\":\"unsatisfiable\",\"severity\":\"error\",\"rules\":[\"R3\"],"
      "\"locations\":[\"rules.csv:4\"],\"message\":\"rule R3 can never apply: "
      "the comparisons on 'headcount' leave no value\"}");
  const std::string sarif = FindingsToSarif(fs);
  EXPECT_THAT(sarif,
              ::testing::StartsWith("{\"version\":\"2.1.0\",\"$schema\":"));
  EXPECT_THAT(
      sarif,
      ::testing::HasSubstr(
          "\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"rules.csv\"},"
          "\"region\":{\"startLine\":4}}"));
}

// --- shadowed (SPEC §7)
// -------------------------------------------------------

// The entitlements the reference evaluator gives `witness` (a finding's
// person) under `p`, as "App/instance:Level".
std::vector<std::string> Holds(
    const Policy& p,
    const std::vector<std::pair<std::string, std::string>>& witness) {
  BindOptions o;
  o.strict = false;
  auto bound = BoundPolicy::Bind(p, nullptr, o);
  EXPECT_TRUE(bound.ok());
  Person person;
  person.id = "witness";
  person.attributes = witness;
  std::vector<std::string> out;
  for (const Entitlement& e :
       EvaluateReference(**bound, person, kAsOf).entitlements)
    out.push_back(e.app + "/" + e.instance + ":" + e.level);
  return out;
}

TEST(CheckShadowed, BroaderRuleAtHigherLevelShadows) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Read"));
  AddRule(&p, MakeRule("R2", {{"department", "Sales | Finance"}}, "GitHub",
                       "Write"));
  const std::vector<Finding> fs = RunCheck(p);
  EXPECT_THAT(With(fs, "shadowed"), ElementsAre(ElementsAre("R1")));
  EXPECT_EQ(First(fs, "shadowed")->severity, Severity::kWarning);
  EXPECT_THAT(First(fs, "shadowed")->message, ::testing::HasSubstr("R2"));
  EXPECT_THAT(With(fs, "level-conflict"), IsEmpty());
}

TEST(CheckShadowed, AlwaysDeniedIsShadowed) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "Okta", "Admin"));
  Rule cap = MakeRule("D1", {}, "Okta", "Admin");
  cap.effect = Effect::kDeny;
  AddRule(&p, cap);
  AddRule(&p, MakeRule("R2", {{"department", "Sales"}}, "Okta", "User"));
  EXPECT_THAT(With(RunCheck(p), "shadowed"), ElementsAre(ElementsAre("R1")));
}

TEST(CheckShadowed, UnionOfOtherRulesShadows) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales | Finance"}}, "GitHub",
                       "Read"));
  AddRule(&p, MakeRule("R2", {{"department", "Sales"}}, "GitHub", "Write"));
  AddRule(&p, MakeRule("R3", {{"department", "Finance"}}, "GitHub", "Admin"));
  EXPECT_THAT(With(RunCheck(p), "shadowed"), ElementsAre(ElementsAre("R1")));
}

TEST(CheckShadowed, StillMattersToPeopleMissingAnAttribute) {
  // SPEC §7: R2 covers everyone in Sales with a grade; people without one
  // still get Read only from R1.
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Read"));
  AddRule(&p, MakeRule("R2", {{"department", "Sales"}, {"grade", ">= L1"}},
                       "GitHub", "Write"));
  EXPECT_THAT(With(RunCheck(p), "shadowed"), IsEmpty());
}

TEST(CheckShadowed, UnlessOnTheCoveringRuleKeepsItAlive) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Read"));
  Rule r2 = MakeRule("R2", {{"department", "Sales"}}, "GitHub", "Write");
  r2.unless = ParseExpr("title = Intern").expr;
  AddRule(&p, r2);
  EXPECT_THAT(With(RunCheck(p), "shadowed"), IsEmpty());
}

TEST(CheckShadowed, ScopesPriorityAndExpiryCount) {
  Policy p = BasePolicy();
  // Scopes: R1 adds `api`; R2 adds nothing R1 does not give.
  Rule r1 = MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Write");
  r1.targets[0].scopes = {"api"};
  AddRule(&p, r1);
  AddRule(&p, MakeRule("R2", {{"department", "Sales"}}, "GitHub", "Write"));
  // Priority: R3 (priority 5, User) always outranks R4 (Admin).
  Rule r3 = MakeRule("R3", {{"department", "Sales"}}, "Okta", "User");
  r3.priority = 5;
  AddRule(&p, r3);
  AddRule(&p, MakeRule("R4", {{"department", "Sales"}}, "Okta", "Admin"));
  // Expiry: R5 never expires, so R6's expiry never shows; without R5 the
  // entitlement would expire.
  AddRule(&p,
          MakeRule("R5", {{"department", "Sales"}}, "Slack", "Member", "corp"));
  Rule r6 =
      MakeRule("R6", {{"department", "Sales"}}, "Slack", "Member", "corp");
  r6.expires.kind = Expiry::Kind::kDate;
  r6.expires.date = *ParseIsoDate("2027-01-01");
  AddRule(&p, r6);
  EXPECT_THAT(
      With(RunCheck(p), "shadowed"),
      ElementsAre(ElementsAre("R2"), ElementsAre("R4"), ElementsAre("R6")));
}

TEST(CheckShadowed, DuplicatesAreOneDuplicateNotShadowed) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Write"));
  AddRule(&p, MakeRule("R2", {{"department", "sales"}}, "GitHub", "Write"));
  const std::vector<Finding> fs = RunCheck(p);
  EXPECT_THAT(With(fs, "duplicate"), ElementsAre(ElementsAre("R1", "R2")));
  EXPECT_THAT(With(fs, "shadowed"), IsEmpty());
}

// --- level-conflict
// -----------------------------------------------------------

TEST(CheckLevelConflict, OverlappingGrantsWithAWitness) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Write"));
  AddRule(&p, MakeRule("R2", {{"grade", ">= L3"}}, "GitHub", "Admin"));
  const std::vector<Finding> fs = RunCheck(p);
  EXPECT_THAT(With(fs, "level-conflict"), ElementsAre(ElementsAre("R1", "R2")));
  const Finding* f = First(fs, "level-conflict");
  EXPECT_EQ(f->severity, Severity::kWarning);
  EXPECT_THAT(f->locations, ElementsAre("rules.csv:2", "rules.csv:3"));
  // The witness really gets both grants (and Admin wins).
  EXPECT_THAT(Holds(p, f->witness), ElementsAre("GitHub/:Admin"));
  EXPECT_THAT(f->witness,
              ::testing::Contains(std::make_pair(std::string("department"),
                                                 std::string("Sales"))));
}

TEST(CheckLevelConflict, NoOverlapOtherPriorityOrSameLevelIsNotAConflict) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Write"));
  AddRule(&p, MakeRule("R2", {{"department", "Finance"}}, "GitHub", "Admin"));
  Rule r3 = MakeRule("R3", {{"grade", ">= L3"}}, "GitHub", "Admin");
  r3.priority = 5;
  AddRule(&p, r3);
  AddRule(&p,
          MakeRule("R4", {{"title", "contains eng"}, {"department", "Sales"}},
                   "Okta", "User"));
  AddRule(&p, MakeRule("R5", {{"grade", "L2"}}, "Okta", "User"));
  Rule deny = MakeRule("D1", {{"grade", "L2"}}, "Okta", "Admin");
  deny.effect = Effect::kDeny;  // Denies are ignored (SPEC §7).
  AddRule(&p, deny);
  EXPECT_THAT(With(RunCheck(p), "level-conflict"), IsEmpty());
}

TEST(CheckLevelConflict, NarrowerRuleAtHigherLevelIsAnIntendedException) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Read"));
  AddRule(&p, MakeRule("R2", {{"department", "Sales"}, {"title", "Manager"}},
                       "GitHub", "Admin"));
  const std::vector<Finding> fs = RunCheck(p);
  EXPECT_THAT(With(fs, "level-conflict"), IsEmpty());
  EXPECT_THAT(With(fs, "intended-exception"),
              ElementsAre(ElementsAre("R1", "R2")));
  EXPECT_EQ(First(fs, "intended-exception")->severity, Severity::kInfo);
}

TEST(CheckLevelConflict, AnUnlessThatSeparatesThemIsAnIntendedException) {
  Policy p = BasePolicy();
  Rule r1 = MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Write");
  r1.unless = ParseExpr("grade >= L3").expr;
  AddRule(&p, r1);
  AddRule(&p, MakeRule("R2", {{"grade", ">= L3"}}, "GitHub", "Admin"));
  const std::vector<Finding> fs = RunCheck(p);
  EXPECT_THAT(With(fs, "level-conflict"), IsEmpty());
  EXPECT_THAT(With(fs, "intended-exception"),
              ElementsAre(ElementsAre("R1", "R2")));
}

TEST(CheckLevelConflict, RegexAgainstRegexIsPossibleAtInfo) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"title", "/^[a-f]+$/"}}, "GitHub", "Write"));
  AddRule(&p, MakeRule("R2", {{"title", "/q/"}}, "GitHub", "Admin"));
  const std::vector<Finding> fs = RunCheck(p);
  EXPECT_THAT(With(fs, "level-conflict"), ElementsAre(ElementsAre("R1", "R2")));
  EXPECT_EQ(First(fs, "level-conflict")->severity, Severity::kInfo);
  EXPECT_THAT(First(fs, "level-conflict")->message,
              ::testing::HasSubstr("possible"));
}

// --- sod-violation
// ------------------------------------------------------------

SodConstraint Sod(const std::string& id, const std::string& a1,
                  const std::string& l1, const std::string& a2,
                  const std::string& l2) {
  SodConstraint c;
  c.id = id;
  c.first.app = a1;
  c.first.level = l1;
  c.second.app = a2;
  c.second.level = l2;
  c.location = SourceLocation{"sod.csv", 2, 0};
  return c;
}

TEST(CheckSod, SatisfiablePairIsAnErrorWithAWitness) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Admin"));
  AddRule(&p, MakeRule("R2", {{"grade", ">= L4"}}, "Okta", "Admin"));
  p.sod.push_back(Sod("SOD1", "GitHub", "Write", "Okta", "Admin"));
  const std::vector<Finding> fs = RunCheck(p);
  EXPECT_THAT(With(fs, "sod-violation"),
              ElementsAre(ElementsAre("SOD1", "R1", "R2")));
  const Finding* f = First(fs, "sod-violation");
  EXPECT_EQ(f->severity, Severity::kError);
  EXPECT_THAT(Holds(p, f->witness),
              ElementsAre("GitHub/:Admin", "Okta/:Admin"));
}

TEST(CheckSod, DisjointOrDeniedPairsAreClean) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Admin"));
  AddRule(&p, MakeRule("R2", {{"department", "Finance"}}, "Okta", "Admin"));
  AddRule(&p, MakeRule("R3", {{"title", "CFO"}}, "Okta", "Admin"));
  Rule deny = MakeRule("D1", {{"department", "Sales"}}, "Okta", "Admin");
  deny.effect = Effect::kDeny;
  AddRule(&p, deny);
  p.sod.push_back(Sod("SOD1", "GitHub", "Admin", "Okta", "Admin"));
  EXPECT_THAT(With(RunCheck(p), "sod-violation"), IsEmpty());
}

TEST(CheckSod, UnknownNamesAreBindFindings) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Admin"));
  p.sod.push_back(Sod("SOD1", "Jira", "", "GitHub", ""));
  p.sod.push_back(Sod("SOD2", "GitHub", "Owner", "Okta", ""));
  const std::vector<Finding> fs = RunCheck(p);
  EXPECT_THAT(With(fs, "unknown-app"), ElementsAre(ElementsAre("SOD1")));
  EXPECT_THAT(With(fs, "unknown-level"), ElementsAre(ElementsAre("SOD2")));
  EXPECT_THAT(With(fs, "sod-violation"), IsEmpty());
  // eval binds strictly: an unknown name is an input error.
  EXPECT_FALSE(BoundPolicy::Bind(p, nullptr, BindOptions{}).ok());
}

TEST(SodViolations, FlagsOnlyAPersonHoldingBothSides) {
  Policy p = BasePolicy();
  AddRule(&p, MakeRule("R1", {{"department", "Sales"}}, "GitHub", "Admin"));
  AddRule(&p, MakeRule("R2", {{"grade", ">= L4"}}, "Okta", "Admin"));
  p.sod.push_back(Sod("SOD1", "GitHub", "Write", "Okta", ""));
  p.sod.back().message = "toxic";
  auto bound = BoundPolicy::Bind(p, nullptr, BindOptions{});
  ASSERT_TRUE(bound.ok()) << bound.status();
  Person both{"P1", {{"department", "Sales"}, {"grade", "L5"}}, {}};
  Person one{"P2", {{"department", "Sales"}, {"grade", "L1"}}, {}};
  const std::vector<SodViolation> v =
      SodViolations(**bound, EvaluateReference(**bound, both, kAsOf));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].id, "SOD1");
  EXPECT_EQ(v[0].first, "GitHub: Admin");
  EXPECT_EQ(v[0].second, "Okta: Admin");
  EXPECT_EQ(SodViolationToJson(v[0]),
            "{\"id\":\"SOD1\",\"message\":\"toxic\",\"first\":\"GitHub: "
            "Admin\",\"second\":\"Okta: Admin\"}");
  EXPECT_THAT(SodViolations(**bound, EvaluateReference(**bound, one, kAsOf)),
              IsEmpty());
}

// --- brute force: exact over every class of person
// ----------------------------

// Random small policies over attributes whose every predicate class has a
// representative below (departments Sales / Finance / other / missing;
// grades L1..L5 / missing; titles with "eng", "sales rep", other,
// missing), so enumerating those people decides shadowed and
// level-conflict exactly, and check must agree both ways: no finding the
// brute force refutes (precision), none it misses (recall).
TEST(CheckBruteForce, ShadowedAndLevelConflictAgreeWithEnumeration) {
  const std::vector<std::string> depts = {"Sales", "Finance", "Other", ""};
  const std::vector<std::string> grades = {"L1", "L2", "L3", "L4", "L5", ""};
  const std::vector<std::string> titles = {"eng lead", "sales rep", "other",
                                           ""};
  std::vector<Person> everyone;
  for (const std::string& d : depts) {
    for (const std::string& g : grades) {
      for (const std::string& t : titles) {
        everyone.push_back(
            Person{"p", {{"department", d}, {"grade", g}, {"title", t}}, {}});
      }
    }
  }
  const std::vector<std::string> dept_cells = {
      "Sales", "Finance", "Sales | Finance", "not Sales", "exists", ""};
  const std::vector<std::string> grade_cells = {">= L2",   "<= L3", "L2..L4",
                                                "missing", "",      ""};
  const std::vector<std::string> title_cells = {"contains eng", "sales rep",
                                                "not sales rep", "", ""};
  const char* levels[] = {"Read", "Write", "Admin"};
  int shadowed_seen = 0, conflicts_seen = 0;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    std::mt19937_64 rng(seed);
    Policy p = BasePolicy();
    const int n = 3 + static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
      std::vector<std::pair<std::string, std::string>> conds;
      const std::string d = dept_cells[rng() % dept_cells.size()];
      const std::string g = grade_cells[rng() % grade_cells.size()];
      const std::string t = title_cells[rng() % title_cells.size()];
      if (!d.empty()) conds.push_back({"department", d});
      if (!g.empty()) conds.push_back({"grade", g});
      if (!t.empty()) conds.push_back({"title", t});
      const bool deny = rng() % 5 == 0;
      Rule r = MakeRule("R" + std::to_string(i + 1), conds, "GitHub",
                        deny && rng() % 2 ? "" : levels[rng() % 3]);
      if (deny) r.effect = Effect::kDeny;
      if (!deny && rng() % 4 == 0) r.priority = 5;
      if (!deny && rng() % 4 == 0) r.targets[0].scopes = {"api"};
      if (rng() % 6 == 0) r.unless = ParseExpr("title contains eng").expr;
      AddRule(&p, r);
    }
    BindOptions strict;
    auto full = BoundPolicy::Bind(p, nullptr, strict);
    ASSERT_TRUE(full.ok()) << full.status();
    auto outcome = [&](const Policy& q, const Person& person) {
      auto b = BoundPolicy::Bind(q, nullptr, strict);
      std::vector<Entitlement> out =
          EvaluateReference(**b, person, kAsOf).entitlements;
      for (Entitlement& e : out) e.reasons.clear();
      return out;
    };
    auto without = [&](const std::set<std::string>& ids) {
      Policy q = p;
      q.rules.clear();
      for (const Rule& r : p.rules)
        if (!ids.count(r.id)) q.rules.push_back(r);
      return q;
    };
    auto matters = [&](const std::set<std::string>& ids) {
      const Policy q = without(ids);
      for (const Person& person : everyone) {
        if (outcome(p, person) != outcome(q, person)) return true;
      }
      return false;
    };
    const std::vector<Finding> fs = RunCheck(p);
    std::set<std::string> in_dup, reported_shadow;
    for (const Finding& f : fs) {
      if (f.code == "duplicate") in_dup.insert(f.rules.begin(), f.rules.end());
      if (f.code == "shadowed") {
        EXPECT_EQ(f.severity, Severity::kWarning) << "seed " << seed;
        reported_shadow.insert(f.rules.begin(), f.rules.end());
        // Precision: removing the rule (with its duplicates) changes no one.
        EXPECT_FALSE(matters({f.rules.begin(), f.rules.end()}))
            << "seed " << seed << ": " << f.message;
        ++shadowed_seen;
      }
    }
    // Recall: every other grant outside a duplicate group matters to someone.
    for (const Rule& r : p.rules) {
      if (r.effect != Effect::kGrant || in_dup.count(r.id) ||
          reported_shadow.count(r.id))
        continue;
      bool dead = true;  // An unsatisfiable rule is reported as such.
      for (const Finding& f : fs)
        if (f.code == "unsatisfiable" && f.rules[0] == r.id) dead = false;
      if (!dead) continue;
      EXPECT_TRUE(matters({r.id}))
          << "seed " << seed << ": " << r.id << " is shadowed but not reported";
    }
    // Level conflicts against applicability tables.
    auto applies = [&](const Rule& r) {
      Policy q = p;
      q.rules = {r};
      q.rules[0].priority = 0;
      std::vector<bool> out;
      for (const Person& person : everyone)
        out.push_back(!outcome(q, person).empty());
      return out;
    };
    std::set<std::vector<std::string>> expected, got;
    for (size_t i = 0; i < p.rules.size(); ++i) {
      for (size_t j = i + 1; j < p.rules.size(); ++j) {
        const Rule& a = p.rules[i];
        const Rule& b = p.rules[j];
        if (a.effect != Effect::kGrant || b.effect != Effect::kGrant) continue;
        if (a.priority != b.priority) continue;
        const BoundRule& ba = (*full)->rules()[i];
        const BoundRule& bb = (*full)->rules()[j];
        if (ba.targets[0].level == bb.targets[0].level) continue;
        const std::vector<bool> x = applies(a), y = applies(b);
        bool overlap = false, x_only = false, y_only = false;
        for (size_t k = 0; k < x.size(); ++k) {
          overlap = overlap || (x[k] && y[k]);
          x_only = x_only || (x[k] && !y[k]);
          y_only = y_only || (y[k] && !x[k]);
        }
        if (overlap && x_only && y_only) expected.insert({a.id, b.id});
      }
    }
    for (const Finding& f : fs) {
      if (f.code == "level-conflict") {
        EXPECT_EQ(f.severity, Severity::kWarning) << "seed " << seed;
        got.insert(f.rules);
        ++conflicts_seen;
      }
    }
    EXPECT_EQ(got, expected) << "seed " << seed;
  }
  // The generator must exercise both codes, or this test proves nothing.
  EXPECT_GT(shadowed_seen, 20);
  EXPECT_GT(conflicts_seen, 20);
}

// --- seeded defects: precision and recall
// ---------------------------------------

TEST(CheckSeeded, ReportsExactlyThePlantedDefects) {
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    std::mt19937_64 rng(seed);
    Policy p = BasePolicy();
    const int kBase = 300, kPlant = 12;
    const char* apps[][2] = {{"Okta", "User"},
                             {"Okta", "Admin"},
                             {"GitHub", "Read"},
                             {"GitHub", "Write"},
                             {"GitHub", "Admin"}};
    std::string people = "id,department,title,grade,squads\n";
    std::vector<Rule> base;
    for (int i = 0; i < kBase; ++i) {
      const auto& a = apps[rng() % 5];
      std::vector<std::pair<std::string, std::string>> conds = {
          {"department", "Dept" + std::to_string(i)}};
      if (rng() % 2)
        conds.push_back({"grade", ">= L" + std::to_string(1 + rng() % 5)});
      if (rng() % 3 == 0) conds.push_back({"title", "contains eng"});
      Rule r = MakeRule("B" + std::to_string(i), conds, a[0], a[1]);
      base.push_back(r);
      AddRule(&p, r);
      people += "P" + std::to_string(i) + ",Dept" + std::to_string(i) +
                ",Senior Engineer,L5,\n";
    }
    std::set<std::pair<std::string, std::vector<std::string>>> planted;
    // Base rules each get at most one planted relative, so every planted
    // defect has exactly one expected finding.
    std::set<int> used;
    auto fresh_base = [&]() {
      int i;
      do {
        i = static_cast<int>(rng() % kBase);
      } while (used.count(i));
      used.insert(i);
      return i;
    };
    for (int k = 0; k < kPlant; ++k) {
      // A duplicate, spelled differently.
      int oi = (k * 7 + static_cast<int>(rng() % 7)) % kBase;
      while (used.count(oi)) oi = (oi + 1) % kBase;
      used.insert(oi);
      const Rule& orig = base[oi];
      Rule dup = orig;
      dup.id = "DUP" + std::to_string(k);
      for (Condition& c : dup.conditions) {
        if (c.attribute == "department") {
          c.predicate.values = {"  " + Upper(c.predicate.values[0])};
        }
      }
      dup.targets[0].app = Upper(dup.targets[0].app);
      AddRule(&p, dup);
      planted.insert({"duplicate", {orig.id, dup.id}});
      // Unsatisfiable: a reversed grade range, or two departments.
      const int di = static_cast<int>(rng() % kBase);
      const std::string dept = "Dept" + std::to_string(di);
      Rule unsat =
          k % 2
              ? MakeRule("UNSAT" + std::to_string(k),
                         {{"department", dept}, {"grade", "L4..L2"}}, "Okta")
              : MakeRule(
                    "UNSAT" + std::to_string(k),
                    {{"department", dept},
                     {"department", "Dept" + std::to_string((di + 1) % kBase)}},
                    "Okta");
      AddRule(&p, unsat);
      planted.insert({"unsatisfiable", {unsat.id}});
      Rule app = MakeRule("APP" + std::to_string(k), {{"department", dept}},
                          "Tool" + std::to_string(k));
      AddRule(&p, app);
      planted.insert({"unknown-app", {app.id}});
      Rule lvl = MakeRule("LVL" + std::to_string(k), {{"department", dept}},
                          "GitHub", "Owner");
      AddRule(&p, lvl);
      planted.insert({"unknown-level", {lvl.id}});
      Rule val = MakeRule("VAL" + std::to_string(k),
                          {{"department", "Renamed" + std::to_string(k)}},
                          "Okta", "Admin");
      AddRule(&p, val);
      planted.insert({"unknown-value", {val.id}});
      // Shadowed: a narrower copy of a base rule (a title every base
      // title condition admits), same app and level.
      const Rule& wide = base[fresh_base()];
      Rule sh = wide;
      sh.id = "SHADOW" + std::to_string(k);
      CellParse title = ParseCell("Sr Engineer P" + std::to_string(k));
      sh.conditions.push_back(Condition{"title", *title.predicate, "", {}});
      AddRule(&p, sh);
      planted.insert({"shadowed", {sh.id}});
      people += "PSH" + std::to_string(k) + "," +
                wide.conditions[0].predicate.values[0] + ",Sr Engineer P" +
                std::to_string(k) + ",L5,\n";
      // Level conflict: overlaps a base rule on its department (plus
      // people the base rule does not cover), needs a squad the base rule
      // does not ask for, at another level of the same app.
      const Rule& other = base[fresh_base()];
      const std::string other_app = other.targets[0].app;
      const std::string other_level = other.targets[0].level;
      const std::string conflict_level =
          other_app == "Okta" ? (other_level == "User" ? "Admin" : "User")
                              : (other_level == "Admin" ? "Read" : "Admin");
      const std::string other_dept = other.conditions[0].predicate.values[0];
      Rule lc = MakeRule(
          "CONFLICT" + std::to_string(k),
          {{"department", other_dept + " | Elsewhere" + std::to_string(k)},
           {"squads", "lc"}},
          other_app, conflict_level);
      AddRule(&p, lc);
      planted.insert({"level-conflict", {other.id, lc.id}});
      people += "PLC" + std::to_string(k) + ",Elsewhere" + std::to_string(k) +
                ",Clerk,L1,lc\n";
    }
    // Separation of duties: one toxic pair two planted grants make
    // reachable, one nobody can hold.
    Rule sod_a =
        MakeRule("SODA", {{"department", "SodDept"}}, "Slack", "Admin", "corp");
    Rule sod_b =
        MakeRule("SODB", {{"department", "SodDept"}}, "Slack", "Member", "eng");
    AddRule(&p, sod_a);
    AddRule(&p, sod_b);
    people += "PSOD,SodDept,Clerk,L1,\n";
    SodConstraint toxic;
    toxic.id = "SOD1";
    toxic.first = {"Slack", "corp", "Admin"};
    toxic.second = {"Slack", "eng", ""};
    toxic.location = SourceLocation{"sod.csv", 2, 0};
    p.sod.push_back(toxic);
    SodConstraint clean = toxic;
    clean.id = "SOD2";
    clean.second = {"GitHub", "", "Admin"};
    clean.location.line = 3;
    p.sod.push_back(clean);
    planted.insert({"sod-violation", {"SOD1", "SODA", "SODB"}});
    const Population hr = People(people);
    std::set<std::pair<std::string, std::vector<std::string>>> found;
    for (const Finding& f : RunCheck(p, &hr)) found.insert({f.code, f.rules});
    // Recall (nothing planted is missed) and precision (nothing else is
    // reported), listed separately so a failure names the difference.
    std::string missed, extra;
    for (const auto& [code, rules] : planted) {
      if (!found.count({code, rules}))
        missed += " " + code + ":" + ::testing::PrintToString(rules);
    }
    for (const auto& [code, rules] : found) {
      if (!planted.count({code, rules}))
        extra += " " + code + ":" + ::testing::PrintToString(rules);
    }
    EXPECT_EQ(missed, "") << "seed " << seed;
    EXPECT_EQ(extra, "") << "seed " << seed;
  }
}

// --- examples/acme golden
// --------------------------------------------------------

std::string ReadSource(const std::string& rel) {
  std::ifstream in(std::string(BIRTHRIGHT_SOURCE_DIR) + "/" + rel,
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CheckAcme, MatchesGoldenAndPlantedFindings) {
  Policy p;
  p.name = "rules";
  p.version = "unversioned";
  const std::string dir = "examples/acme/";
  ASSERT_TRUE(
      ImportSchema(ReadSource(dir + "schema.csv"), dir + "schema.csv", &p)
          .ok());
  ASSERT_TRUE(
      ImportCatalog(ReadSource(dir + "catalog.csv"), dir + "catalog.csv", &p)
          .ok());
  ASSERT_TRUE(
      ImportAliases(ReadSource(dir + "aliases.csv"), dir + "aliases.csv", &p)
          .ok());
  ImportReport report;
  ASSERT_TRUE(ImportRulesList(ReadSource(dir + "rules.csv"), dir + "rules.csv",
                              &p, &report)
                  .ok());
  auto hr =
      ImportPopulation(ReadSource(dir + "people.csv"), dir + "people.csv");
  ASSERT_TRUE(hr.ok());
  const std::vector<Finding> fs = RunCheck(p, &*hr);
  EXPECT_THAT(With(fs, "unknown-value"), ElementsAre(ElementsAre("R64")));
  EXPECT_THAT(With(fs, "duplicate"), IsEmpty());
  EXPECT_THAT(With(fs, "gap"), IsEmpty());
  EXPECT_THAT(With(fs, "unsatisfiable"), IsEmpty());
  // The planted shadowed row: R24 (VP of Sales -> Salesforce Admin) is
  // always removed by R25 (deny Admin outside Sales Ops).
  EXPECT_THAT(With(fs, "shadowed"), ElementsAre(ElementsAre("R24")));
  EXPECT_THAT(With(fs, "level-conflict"), IsEmpty());
  std::string jsonl;
  for (const Finding& f : fs) jsonl += FindingToJson(f) + "\n";
  EXPECT_EQ(jsonl, ReadSource("tests/testdata/acme_check.golden.jsonl"));
}

}  // namespace
}  // namespace birthright
