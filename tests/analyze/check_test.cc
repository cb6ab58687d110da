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
    std::string people = "id,department,title,grade\n";
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
                ",Senior Engineer,L5\n";
    }
    std::set<std::pair<std::string, std::vector<std::string>>> planted;
    for (int k = 0; k < kPlant; ++k) {
      // A duplicate, spelled differently.
      const Rule& orig = base[(k * 7 + rng() % 7) % kBase];
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
    }
    const Population hr = People(people);
    std::set<std::pair<std::string, std::vector<std::string>>> found;
    for (const Finding& f : RunCheck(p, &hr)) found.insert({f.code, f.rules});
    EXPECT_EQ(found, planted) << "seed " << seed;
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
  std::string jsonl;
  for (const Finding& f : fs) jsonl += FindingToJson(f) + "\n";
  EXPECT_EQ(jsonl, ReadSource("tests/testdata/acme_check.golden.jsonl"));
}

}  // namespace
}  // namespace birthright
