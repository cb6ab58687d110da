// `diff` on small hand-written policies (SPEC §9 last bullet, §6 policy
// change, §11): rule-level change detection, semantic regions rendered as
// conditions, the unavailable case, the region limit and the population
// impact with license cost.
#include "birthright/diff.h"

#include <string>
#include <vector>

#include "birthright/import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace birthright {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kCatalog[] =
    "app,instance,levels,default level,owner,provisioning,monthly cost\n"
    "Salesforce,,Read Only;Standard;Admin,Standard,sales@x.example,scim,"
    "165.00\n"
    "Slack,corp,Member;Admin,,it@x.example,scim,8.75\n"
    "GitHub,,Read;Write;Admin,,eng@x.example,scim,21.00\n";
constexpr char kSchema[] =
    "attribute,type,order,case sensitive\n"
    "department,string,,no\n"
    "grade,ordinal,L1;L2;L3;L4;L5;L6,no\n"
    "contract end,date,,no\n"
    "employment type,string,,no\n";
constexpr char kHeader[] =
    "id,department,grade,employment type,app,instance,level,scopes,effect,"
    "unless,priority,expires,owner,notes\n";

Policy Load(const std::string& rows, const std::string& file,
            const char* catalog = kCatalog) {
  Policy p;
  p.name = file;
  p.version = file;
  ImportReport report;
  EXPECT_TRUE(ImportSchema(kSchema, "schema.csv", &p).ok());
  EXPECT_TRUE(ImportCatalog(catalog, "catalog.csv", &p).ok());
  absl::Status s =
      ImportRulesList(std::string(kHeader) + rows, file, &p, &report);
  EXPECT_TRUE(s.ok()) << s;
  return p;
}

Population People(const std::string& csv) {
  auto p = ImportPopulation(csv, "hr.csv");
  EXPECT_TRUE(p.ok()) << p.status();
  return *p;
}

PolicyDiff Diff(const Policy& a, const Policy& b,
                const Population* people = nullptr, DiffOptions o = {}) {
  if (o.population_as_of.days == 0)
    o.population_as_of = *ParseIsoDate("2026-11-26");
  auto d = DiffPolicies(a, b, people, o);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : PolicyDiff{};
}

const RuleChange* FindRule(const PolicyDiff& d, const std::string& id) {
  for (const RuleChange& c : d.rules.rules)
    if (c.id == id) return &c;
  return nullptr;
}

std::vector<std::string> FieldNames(const RuleChange& c) {
  std::vector<std::string> out;
  for (const FieldChange& f : c.fields) out.push_back(f.field);
  return out;
}

// SPEC §9: rule-level changes, matched by id.
TEST(DiffRuleLevelTest, AddedRemovedModifiedWithFields) {
  const Policy a = Load(
      "R1,Sales,,,Salesforce,,Standard,,grant,,,,ops@x,CRM\n"
      "R2,Engineering,,,GitHub,,Write,,grant,,,,eng@x,repos\n"
      "R3,,,,Slack,corp,Member,general,grant,,,,it@x,baseline\n",
      "a.csv");
  const Policy b = Load(
      "R1,Sales | Marketing,,,Salesforce,,Admin,,grant,,5,,ops@x,CRM\n"
      "R3,,,,Slack,corp,Member,general;random,grant,,,,it@x,baseline v2\n"
      "R4,,,Contractor,GitHub,,,,deny,,,,sec@x,no contractors\n",
      "b.csv");
  const PolicyDiff d = Diff(a, b);
  EXPECT_EQ(d.rules.added, 1);
  EXPECT_EQ(d.rules.removed, 1);
  EXPECT_EQ(d.rules.modified, 2);
  ASSERT_EQ(d.rules.rules.size(), 4u);
  EXPECT_EQ(FindRule(d, "R2")->kind, ChangeKind::kRemoved);
  EXPECT_EQ(FindRule(d, "R4")->kind, ChangeKind::kAdded);
  EXPECT_THAT(FieldNames(*FindRule(d, "R1")),
              ElementsAre("conditions", "targets", "priority"));
  EXPECT_THAT(FieldNames(*FindRule(d, "R3")), ElementsAre("targets", "notes"));
  EXPECT_EQ(FindRule(d, "R1")->after_location.file, "b.csv");
  EXPECT_NE(d.rules.hash_before, d.rules.hash_after);
}

// SPEC §9/§7: equivalent spellings are no change; ids sort by byte order.
TEST(DiffRuleLevelTest, CanonicalFormIgnoresSpellingAndOrder) {
  const Policy a = Load(
      "R1,Sales | Marketing,,,Salesforce,,Standard,,grant,,,,,\n"
      "R2,,,,Slack,corp,,b;a,grant,,,,,\n",
      "a.csv");
  const Policy b = Load(
      "R2,,,,slack,CORP,,a;b,grant,,,,,\n"
      "R1,marketing;  SALES,,,Salesforce,,standard,,grant,,,,,\n",
      "b.csv");
  const PolicyDiff d = Diff(a, b);
  EXPECT_THAT(d.rules.rules, IsEmpty());
  EXPECT_TRUE(d.rules.empty());
  EXPECT_EQ(d.semantic.regions, 0);
  EXPECT_THAT(DiffSummaryLine(d),
              HasSubstr("no rule changes; no entitlement changes"));
}

// SPEC §9: catalog changes are reported with their fields.
TEST(DiffRuleLevelTest, CatalogChanges) {
  const std::string cat2 =
      "app,instance,levels,default level,owner,provisioning,monthly cost\n"
      "Salesforce,,Read Only;Standard;Admin,Standard,sales@x.example,scim,"
      "180.00\n"
      "Slack,corp,Member;Admin,,it@x.example,scim,8.75\n"
      "GitHub,,Read;Write;Admin,,eng@x.example,scim,21.00\n"
      "Cursor,,Member,,eng@x.example,manual,40.00\n";
  const Policy a = Load("R1,Sales,,,Salesforce,,,,grant,,,,,\n", "a.csv");
  const Policy b =
      Load("R1,Sales,,,Salesforce,,,,grant,,,,,\n", "b.csv", cat2.c_str());
  const PolicyDiff d = Diff(a, b);
  ASSERT_EQ(d.rules.catalog.size(), 2u);
  EXPECT_EQ(d.rules.catalog[0].key, "Cursor");
  EXPECT_EQ(d.rules.catalog[0].kind, ChangeKind::kAdded);
  EXPECT_EQ(d.rules.catalog[1].key, "Salesforce");
  ASSERT_EQ(d.rules.catalog[1].fields.size(), 1u);
  EXPECT_EQ(d.rules.catalog[1].fields[0].field, "monthly cost");
  EXPECT_EQ(d.rules.catalog[1].fields[0].before, "$165");
  EXPECT_EQ(d.rules.catalog[1].fields[0].after, "$180");
  // A cost change alone changes nobody's entitlements.
  EXPECT_EQ(d.semantic.regions, 0);
}

// SPEC §9: the semantic diff names the region and both outcomes.
TEST(DiffSemanticTest, RegionOfAWidenedCondition) {
  const Policy a =
      Load("R1,Sales,,,Salesforce,,Standard,,grant,,,,,\n", "a.csv");
  const Policy b = Load(
      "R1,Sales | Marketing,,,Salesforce,,Standard,,grant,,,,,\n", "b.csv");
  const PolicyDiff d = Diff(a, b);
  ASSERT_TRUE(d.semantic.available) << d.semantic.unavailable_reason;
  ASSERT_EQ(d.semantic.instances.size(), 1u);
  const InstanceDiff& i = d.semantic.instances[0];
  EXPECT_EQ(i.app, "Salesforce");
  ASSERT_EQ(i.regions.size(), 1u);
  // SPEC §11: values as the sheet spells them, not normalized.
  EXPECT_EQ(i.regions[0].When(), "department = Marketing");
  EXPECT_FALSE(i.regions[0].before.granted);
  EXPECT_TRUE(i.regions[0].after.granted);
  EXPECT_EQ(i.regions[0].after.level, "Standard");
  EXPECT_EQ(FormatDiffOutcome(i.regions[0].before), "nothing");
  Person p{"P1", {{"department", "Marketing"}}, {}};
  Person q{"P2", {{"department", "Sales"}}, {}};
  const Date day = *ParseIsoDate("2026-01-01");
  EXPECT_TRUE(d.semantic.Contains(i.regions[0], p, day));
  EXPECT_FALSE(d.semantic.Contains(i.regions[0], q, day));
}

// SPEC §4.2 through the diff: a new cap changes only those above it, and
// ordered regions render as ranges.
TEST(DiffSemanticTest, CapAndOrderedRanges) {
  const Policy a =
      Load("R1,Engineering,,,GitHub,,Admin,,grant,,,,,\n", "a.csv");
  const Policy b = Load(
      "R1,Engineering,,,GitHub,,Admin,,grant,,,,,\n"
      "R2,,< L4,,GitHub,,Write,,deny,,,,,\n",
      "b.csv");
  const PolicyDiff d = Diff(a, b);
  ASSERT_EQ(d.semantic.instances.size(), 1u);
  ASSERT_EQ(d.semantic.instances[0].regions.size(), 1u);
  const Region& r = d.semantic.instances[0].regions[0];
  // A deny fires on UNKNOWN (SPEC §2): a missing grade loses Admin too.
  EXPECT_EQ(r.When(),
            "department = Engineering and (grade missing or grade <= L3)");
  EXPECT_EQ(FormatDiffOutcome(r.before), "Admin");
  EXPECT_EQ(FormatDiffOutcome(r.after), "nothing");
}

// SPEC §4.5: a change of expiry that can coincide is expiry-dependent.
TEST(DiffSemanticTest, ExpiryDependentRegion) {
  const Policy a =
      Load("R1,Sales,,,Salesforce,,,,grant,,,contract end,,\n", "a.csv");
  const Policy b = Load(
      "R1,Sales,,,Salesforce,,,,grant,,,contract end,,\n"
      "R2,Sales,,,Salesforce,,,,grant,,,2027-01-31,,\n",
      "b.csv");
  const PolicyDiff d = Diff(a, b);
  bool dependent = false;
  for (const InstanceDiff& i : d.semantic.instances)
    for (const Region& r : i.regions) dependent |= r.expiry_dependent;
  EXPECT_TRUE(dependent);
  const Date day = *ParseIsoDate("2026-01-01");
  Person late{
      "P1", {{"department", "Sales"}, {"contract end", "2027-06-30"}}, {}};
  Person early{
      "P2", {{"department", "Sales"}, {"contract end", "2026-06-30"}}, {}};
  bool late_in = false, early_in = false;
  for (const InstanceDiff& i : d.semantic.instances) {
    for (const Region& r : i.regions) {
      late_in |= d.semantic.Contains(r, late, day);
      early_in |= d.semantic.Contains(r, early, day);
    }
  }
  // Latest of (2027-06-30, 2027-01-31) = 2027-06-30: unchanged.
  EXPECT_FALSE(late_in);
  EXPECT_TRUE(early_in);
}

// issue 5 item 4: when the versions type an attribute differently, no exact
// common DAG exists; the diff says so and still does the rest.
TEST(DiffSemanticTest, UnavailableWhenBindingsDiffer) {
  Policy a = Load("R1,Sales,,,Salesforce,,,,grant,,,,,\n", "a.csv");
  Policy b = a;
  b.aliases.push_back(Alias{"department", "Ent Sales", "Sales", {}});
  const PolicyDiff d = Diff(a, b);
  EXPECT_FALSE(d.semantic.available);
  EXPECT_THAT(d.semantic.unavailable_reason,
              HasSubstr("aliases of 'department' changed"));
  ASSERT_EQ(d.rules.aliases.size(), 1u);
  EXPECT_EQ(d.rules.aliases[0].kind, ChangeKind::kAdded);
  EXPECT_THAT(DiffSummaryLine(d), HasSubstr("semantic diff unavailable"));
}

// DiffOptions::max_regions: a limit with counts, never a hang.
TEST(DiffSemanticTest, RegionLimit) {
  const Policy a = Load("", "a.csv");
  const Policy b = Load(
      "R1,Sales,,,Salesforce,,,,grant,,,,,\n"
      "R2,Marketing,,,Slack,corp,,,grant,,,,,\n"
      "R3,Engineering,,,GitHub,,,,grant,,,,,\n",
      "b.csv");
  DiffOptions o;
  o.max_regions = 2;
  const PolicyDiff d = Diff(a, b, nullptr, o);
  EXPECT_TRUE(d.semantic.truncated);
  EXPECT_EQ(d.semantic.regions, 2);
  EXPECT_EQ(d.semantic.region_paths, 3);
  EXPECT_THAT(DiffSummaryLine(d), HasSubstr("more than 2 regions change"));
}

// CompileOptions limits apply to the merged DAG: a limit makes the semantic
// diff unavailable with the compiler's message, never a hang or a crash.
TEST(DiffSemanticTest, CompileLimitMakesSemanticUnavailable) {
  const Policy a =
      Load("R1,Sales,,,Salesforce,,Standard,,grant,,,,,\n", "a.csv");
  const Policy b = Load(
      "R1,Sales | Marketing,,,Salesforce,,Standard,,grant,,,,,\n"
      "R2,,L2..L4,,Salesforce,,Admin,,grant,,,,,\n",
      "b.csv");
  DiffOptions o;
  o.compile.max_nodes_per_app = 1;
  const PolicyDiff d = Diff(a, b, nullptr, o);
  EXPECT_FALSE(d.semantic.available);
  EXPECT_THAT(d.semantic.unavailable_reason, HasSubstr("max_nodes_per_app"));
  EXPECT_EQ(d.rules.modified, 1);
  EXPECT_EQ(d.rules.added, 1);
}

// SPEC §6 policy change over a population, with the license cost.
TEST(DiffPopulationTest, GainLoseChangeAndCost) {
  const Policy a = Load(
      "R1,Sales,,,Salesforce,,Standard,,grant,,,,,\n"
      "R2,Engineering,,,GitHub,,Write,,grant,,,,,\n",
      "a.csv");
  const Policy b = Load(
      "R1,Sales | Marketing,,,Salesforce,,Standard,,grant,,,,,\n"
      "R2,Engineering,,,GitHub,,Admin,,grant,,,,,\n"
      "R3,,,Contractor,GitHub,,,,deny,,,,,\n",
      "b.csv");
  const Population hr = People(
      "id,department,employment type\n"
      "P1,Sales,Full-time\n"
      "P2,Marketing,Full-time\n"
      "P3,Engineering,Full-time\n"
      "P4,Engineering,Contractor\n"
      "P5,Finance,Full-time\n");
  const PolicyDiff d = Diff(a, b, &hr);
  ASSERT_TRUE(d.population.has_value());
  const PopulationImpact& p = *d.population;
  EXPECT_EQ(p.people, 5);
  EXPECT_EQ(p.gain, 1);       // P2 gains Salesforce.
  EXPECT_EQ(p.lose, 1);       // P4 loses GitHub.
  EXPECT_EQ(p.change, 1);     // P3: Write -> Admin.
  EXPECT_EQ(p.unchanged, 2);  // P1, P5.
  EXPECT_EQ(p.license_cents_per_month, 16500 - 2100);
  ASSERT_EQ(p.deltas.size(), 3u);
  EXPECT_EQ(p.deltas[0].person_id, "P2");
  EXPECT_THAT(DiffSummaryLine(d),
              HasSubstr("3 people affected: 1 gain, 1 lose, 1 change; "
                        "licenses +$144/month"));
}

// SPEC §11: machine output is deterministic and starts with the versions.
TEST(DiffFormatTest, JsonIsStable) {
  const Policy a =
      Load("R1,Sales,,,Salesforce,,Standard,,grant,,,,,\n", "a.csv");
  const Policy b = Load(
      "R1,Sales | Marketing,,,Salesforce,,Standard,,grant,,,,,\n", "b.csv");
  const std::string j1 = PolicyDiffToJson(Diff(a, b));
  const std::string j2 = PolicyDiffToJson(Diff(a, b));
  EXPECT_EQ(j1, j2);
  EXPECT_THAT(j1, HasSubstr("{\"before\":{\"name\":\"a.csv\""));
  EXPECT_THAT(j1, HasSubstr("\"when\":\"department = Marketing\""));
  const std::string l = PolicyDiffToJsonl(Diff(a, b));
  EXPECT_EQ(l.rfind("{\"type\":\"summary\"", 0), 0u);
  EXPECT_THAT(l, HasSubstr("{\"type\":\"region\",\"app\":\"Salesforce\""));
}

}  // namespace
}  // namespace birthright
