// Tests for the spreadsheet importers (SPEC §2, §3, §8, §10): every importer
// of birthright/import.h, the reserved headers and their synonyms, the cell
// grammar end to end, CSV framing (BOM, CRLF, quoted newlines, ragged rows)
// and one bad-input test per error path with its exact file:line:col message.
#include "birthright/import.h"

#include <string>
#include <string_view>
#include <vector>

#include "birthright/policy.h"
#include "birthright/predicate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace birthright {
namespace {

using ::testing::ElementsAre;
using ::testing::MatchesRegex;

constexpr char kCheck[] = "\xE2\x9C\x93";       // ✓
constexpr char kHeavyCheck[] = "\xE2\x9C\x94";  // ✔

Policy RulesOk(std::string_view csv, ImportReport* report = nullptr) {
  Policy p;
  absl::Status s = ImportRulesList(csv, "rules.csv", &p, report);
  EXPECT_TRUE(s.ok()) << s;
  return p;
}

// The message of a rules-list import that must fail with InvalidArgument.
std::string RulesError(std::string_view csv) {
  Policy p;
  absl::Status s = ImportRulesList(csv, "rules.csv", &p, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message());
}

std::string MatrixError(std::string_view csv,
                        const std::vector<std::string>& apps, Policy* p) {
  absl::Status s = ImportMatrix(csv, "matrix.csv", apps, p, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message());
}

std::string CatalogError(std::string_view csv) {
  Policy p;
  absl::Status s = ImportCatalog(csv, "catalog.csv", &p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message());
}

std::string AliasesError(std::string_view csv) {
  Policy p;
  absl::Status s = ImportAliases(csv, "aliases.csv", &p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message());
}

std::string SchemaError(std::string_view csv) {
  Policy p;
  absl::Status s = ImportSchema(csv, "schema.csv", &p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message());
}

std::string PopulationError(std::string_view csv) {
  auto pop = ImportPopulation(csv, "people.csv");
  EXPECT_EQ(pop.status().code(), absl::StatusCode::kInvalidArgument)
      << pop.status();
  return std::string(pop.status().message());
}

std::string AccessError(std::string_view csv) {
  auto a = ImportAccessExport(csv, "access.csv");
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument)
      << a.status();
  return std::string(a.status().message());
}

// The single predicate a one-condition-column rules list reads from `cell`
// (already CSV-encoded), or nullopt for "no constraint".
std::optional<Predicate> CellThroughImporter(std::string_view csv_cell) {
  Policy p =
      RulesOk("id,department,app\nR1," + std::string(csv_cell) + ",Okta\n");
  if (p.rules.size() != 1) {
    ADD_FAILURE() << "expected one rule for cell " << csv_cell;
    return std::nullopt;
  }
  if (p.rules[0].conditions.empty()) return std::nullopt;
  EXPECT_EQ(p.rules[0].conditions.size(), 1u);
  return p.rules[0].conditions[0].predicate;
}

// ===========================================================================
// Rules list (SPEC §8).

TEST(ImportRulesListTest, Spec8ReadsEveryReservedColumn) {
  ImportReport report;
  Policy p = RulesOk(
      "id,department,job title,app,instance,level,scopes,effect,unless,"
      "priority,expires,effective from,effective until,owner,notes\n"
      "R7,Sales | Marketing,,GitHub,acme-org,Write,api; web,deny,"
      "employment type in (Contractor; Intern),-3,2027-01-31,2026-01-01,"
      "2026-12-31,it@acme,\"a note, with comma\"\n",
      &report);
  ASSERT_EQ(p.rules.size(), 1u);
  const Rule& r = p.rules[0];
  EXPECT_EQ(r.id, "R7");
  EXPECT_EQ(r.effect, Effect::kDeny);
  ASSERT_EQ(r.conditions.size(), 1u);  // The empty job title cell adds nothing.
  EXPECT_EQ(r.conditions[0].attribute, "department");
  EXPECT_EQ(r.conditions[0].predicate,
            (Predicate{PredicateOp::kAnyOf, {"Sales", "Marketing"}}));
  EXPECT_EQ(r.conditions[0].text, "Sales | Marketing");
  EXPECT_EQ(FormatSourceLocation(r.conditions[0].location), "rules.csv:2:4");
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].app, "GitHub");
  EXPECT_EQ(r.targets[0].instance, "acme-org");
  EXPECT_EQ(r.targets[0].level, "Write");
  EXPECT_THAT(r.targets[0].scopes, ElementsAre("api", "web"));
  EXPECT_EQ(FormatSourceLocation(r.targets[0].location), "rules.csv:2:23");
  ASSERT_TRUE(r.unless.has_value());
  EXPECT_EQ(r.unless->kind, Expr::Kind::kPredicate);
  EXPECT_EQ(r.unless->attribute, "employment type");
  EXPECT_EQ(r.unless->predicate,
            (Predicate{PredicateOp::kAnyOf, {"Contractor", "Intern"}}));
  EXPECT_EQ(r.unless_text, "employment type in (Contractor; Intern)");
  EXPECT_EQ(r.priority, -3);
  EXPECT_EQ(r.expires.kind, Expiry::Kind::kDate);
  EXPECT_EQ(FormatIsoDate(r.expires.date), "2027-01-31");
  ASSERT_TRUE(r.effective_from.has_value());
  EXPECT_EQ(FormatIsoDate(*r.effective_from), "2026-01-01");
  ASSERT_TRUE(r.effective_until.has_value());
  EXPECT_EQ(FormatIsoDate(*r.effective_until), "2026-12-31");
  EXPECT_EQ(r.owner, "it@acme");
  EXPECT_EQ(r.notes, "a note, with comma");
  EXPECT_EQ(FormatSourceLocation(r.location), "rules.csv:2");

  EXPECT_EQ(report.file, "rules.csv");
  EXPECT_EQ(report.format, "rules list");
  ASSERT_EQ(report.columns.size(), 15u);
  EXPECT_EQ(report.columns[0].role, "id");
  EXPECT_EQ(report.columns[1].header, "department");
  EXPECT_EQ(report.columns[1].role, "condition on attribute 'department'");
  EXPECT_EQ(report.columns[2].role, "condition on attribute 'job title'");
  EXPECT_EQ(report.columns[3].role, "app");
  EXPECT_EQ(report.columns[4].role, "instance");
  EXPECT_EQ(report.columns[5].role, "level");
  EXPECT_EQ(report.columns[6].role, "scopes");
  EXPECT_EQ(report.columns[7].role, "effect");
  EXPECT_EQ(report.columns[8].role, "unless");
  EXPECT_EQ(report.columns[9].role, "priority");
  EXPECT_EQ(report.columns[10].role, "expires");
  EXPECT_EQ(report.columns[11].role, "effective from");
  EXPECT_EQ(report.columns[12].role, "effective until");
  EXPECT_EQ(report.columns[13].role, "owner");
  EXPECT_EQ(report.columns[14].role, "notes");
}

TEST(ImportRulesListTest, Spec8DefaultsWhenOptionalColumnsAreAbsent) {
  Policy p = RulesOk("app\nOkta\n");
  ASSERT_EQ(p.rules.size(), 1u);
  const Rule& r = p.rules[0];
  EXPECT_EQ(r.id, "row-2");
  EXPECT_EQ(r.effect, Effect::kGrant);
  EXPECT_TRUE(r.conditions.empty());
  EXPECT_FALSE(r.unless.has_value());
  EXPECT_EQ(r.priority, 0);
  EXPECT_EQ(r.expires.kind, Expiry::Kind::kNever);
  EXPECT_FALSE(r.effective_from.has_value());
  EXPECT_FALSE(r.effective_until.has_value());
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].app, "Okta");
  EXPECT_EQ(r.targets[0].instance, "");
  EXPECT_EQ(r.targets[0].level, "");
  EXPECT_TRUE(r.targets[0].scopes.empty());
}

// SPEC §8: reserved headers fold as attribute names do (§2), and each has
// its synonyms.
TEST(ImportRulesListTest, Spec8ReservedHeaderSynonymsAndFolding) {
  // Each header row uses different spellings of the same roles.
  const char* kCsvs[] = {
      "Rule ID,APPLICATION,Tenant,Permission,Teams,Effect,Except,Priority,"
      "Expires,Effective-From,effective_until,OWNER,Justification\n"
      "X1,Slack,corp,Admin,a;b,deny,grade missing,4,contract end,2026-01-01,"
      "2026-02-01,me,why\n",
      "rule,app,Workspace,Access,groups,grant|deny,unless,PRIORITY,expires,"
      "EffectiveFrom,Effective Until,owner,Reason\n"
      "X1,Slack,corp,Admin,a;b,Deny,grade missing,4,contract end,2026-01-01,"
      "2026-02-01,me,why\n",
      "rule_id,Application,account,Role in App,Channels,GRANT-DENY,EXCEPT,"
      "priority,Expires,effective from,EFFECTIVE UNTIL,Owner,notes\n"
      "X1,Slack,corp,Admin,a;b,DENY,grade missing,4,contract end,2026-01-01,"
      "2026-02-01,me,why\n",
      "Rule-Id,app,instance,role_in_app,scopes,effect,unless,priority,expires,"
      "effective from,effective until,owner,notes\n"
      "X1,Slack,corp,Admin,a;b,deny,grade missing,4,contract end,2026-01-01,"
      "2026-02-01,me,why\n",
  };
  for (const char* csv : kCsvs) {
    SCOPED_TRACE(csv);
    Policy p = RulesOk(csv);
    ASSERT_EQ(p.rules.size(), 1u);
    const Rule& r = p.rules[0];
    EXPECT_EQ(r.id, "X1");
    EXPECT_TRUE(r.conditions.empty()) << "a reserved header became a condition";
    ASSERT_EQ(r.targets.size(), 1u);
    EXPECT_EQ(r.targets[0].app, "Slack");
    EXPECT_EQ(r.targets[0].instance, "corp");
    EXPECT_EQ(r.targets[0].level, "Admin");
    EXPECT_THAT(r.targets[0].scopes, ElementsAre("a", "b"));
    EXPECT_EQ(r.effect, Effect::kDeny);
    ASSERT_TRUE(r.unless.has_value());
    EXPECT_EQ(r.unless->attribute, "grade");
    EXPECT_EQ(r.unless->predicate.op, PredicateOp::kMissing);
    EXPECT_EQ(r.priority, 4);
    EXPECT_EQ(r.expires.kind, Expiry::Kind::kAttribute);
    EXPECT_EQ(r.expires.attribute, "contract end");
    ASSERT_TRUE(r.effective_from.has_value());
    EXPECT_EQ(FormatIsoDate(*r.effective_from), "2026-01-01");
    ASSERT_TRUE(r.effective_until.has_value());
    EXPECT_EQ(FormatIsoDate(*r.effective_until), "2026-02-01");
    EXPECT_EQ(r.owner, "me");
    EXPECT_EQ(r.notes, "why");
  }
}

// SPEC §2: condition headers keep the sheet's spelling; folding happens at
// bind time.
TEST(ImportRulesListTest, Spec2ConditionHeadersKeepTheirSpelling) {
  Policy p =
      RulesOk("id, Job Title ,employment_type,app\nR1,Engineer,FTE,Okta\n");
  ASSERT_EQ(p.rules[0].conditions.size(), 2u);
  EXPECT_EQ(p.rules[0].conditions[0].attribute, "Job Title");
  EXPECT_EQ(p.rules[0].conditions[1].attribute, "employment_type");
}

// SPEC §8: rows without an id get row-N, N being the CSV record number
// (header = 1). Blank records count; a quoted newline does not.
TEST(ImportRulesListTest, Spec8RowIdsAreCsvRecordNumbers) {
  Policy p = RulesOk(
      "id,app,notes\n"
      ",Okta,\"two\nlines\"\n"
      "  ,Zoom,\n"
      "\n"
      "R9,Jira,\n"
      ",Slack,\n");
  ASSERT_EQ(p.rules.size(), 4u);
  EXPECT_EQ(p.rules[0].id, "row-2");
  EXPECT_EQ(p.rules[0].notes, "two\nlines");
  EXPECT_EQ(p.rules[1].id, "row-3");
  EXPECT_EQ(FormatSourceLocation(p.rules[1].location), "rules.csv:4");
  EXPECT_EQ(p.rules[2].id, "R9");
  EXPECT_EQ(p.rules[3].id, "row-6");
  EXPECT_EQ(FormatSourceLocation(p.rules[3].location), "rules.csv:7");

  // Without an id column at all.
  Policy q = RulesOk("app\nOkta\nZoom\n");
  ASSERT_EQ(q.rules.size(), 2u);
  EXPECT_EQ(q.rules[0].id, "row-2");
  EXPECT_EQ(q.rules[1].id, "row-3");
}

// Regression: blank records above the header shifted row-N (the first rule
// became row-4). SPEC §8 counts from the header, which is record 1; source
// lines stay the file's lines.
TEST(ImportRulesListTest, Spec8RowIdsCountFromTheHeaderAfterBlankLines) {
  Policy p = RulesOk("\n , \nid,app\n,Okta\n\n,Zoom\n");
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules[0].id, "row-2");
  EXPECT_EQ(FormatSourceLocation(p.rules[0].location), "rules.csv:4");
  EXPECT_EQ(FormatSourceLocation(p.rules[0].id_location), "rules.csv:4:1");
  EXPECT_EQ(p.rules[1].id, "row-4");

  // The same in an access matrix.
  Policy m;
  absl::Status s = ImportMatrix("\xEF\xBB\xBF\r\n\r\nTeam,Zoom\r\nA,x\r\n",
                                "matrix.csv", {"Zoom"}, &m, nullptr);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(m.rules.size(), 1u);
  EXPECT_EQ(m.rules[0].id, "row-2");
  EXPECT_EQ(FormatSourceLocation(m.rules[0].location), "matrix.csv:4");
}

// SPEC §10: the importer records where the id, `unless` and `expires` cells
// and each `unless` predicate are, so bind errors can name a column.
TEST(ImportRulesListTest, Spec10CellLocationsAreRecorded) {
  Policy p = RulesOk(
      "id,app,unless,expires\n"
      "R1,Okta,\"a = 1 or\n (b = \"\"x\"\" and c exists)\",end date\n"
      ",Zoom,,\n");
  ASSERT_EQ(p.rules.size(), 2u);
  const Rule& r = p.rules[0];
  EXPECT_EQ(FormatSourceLocation(r.id_location), "rules.csv:2:1");
  EXPECT_EQ(FormatSourceLocation(r.unless_location), "rules.csv:2:9");
  ASSERT_EQ(r.unless_predicate_locations.size(), 3u);
  EXPECT_EQ(FormatSourceLocation(r.unless_predicate_locations[0]),
            "rules.csv:2:10");
  EXPECT_EQ(FormatSourceLocation(r.unless_predicate_locations[1]),
            "rules.csv:3:3");
  // `""x""` is five source bytes for three bytes of text.
  EXPECT_EQ(FormatSourceLocation(r.unless_predicate_locations[2]),
            "rules.csv:3:17");
  EXPECT_EQ(FormatSourceLocation(r.expires_location), "rules.csv:3:28");

  // Empty cells have no location; a generated id sits at column 1.
  const Rule& q = p.rules[1];
  EXPECT_EQ(q.id, "row-3");  // Record 3, line 4.
  EXPECT_EQ(FormatSourceLocation(q.id_location), "rules.csv:4:1");
  EXPECT_EQ(q.unless_location.line, 0);
  EXPECT_TRUE(q.unless_predicate_locations.empty());
  EXPECT_EQ(q.expires_location.line, 0);
}

TEST(ImportRulesListTest, Spec8EffectDefaultsToGrant) {
  Policy p = RulesOk(
      "id,app,effect\nA,Okta,\nB,Okta,grant\nC,Okta,GRANT\nD,Okta,Deny\n"
      "E,Okta, deny \n");
  ASSERT_EQ(p.rules.size(), 5u);
  EXPECT_EQ(p.rules[0].effect, Effect::kGrant);
  EXPECT_EQ(p.rules[1].effect, Effect::kGrant);
  EXPECT_EQ(p.rules[2].effect, Effect::kGrant);
  EXPECT_EQ(p.rules[3].effect, Effect::kDeny);
  EXPECT_EQ(p.rules[4].effect, Effect::kDeny);
}

TEST(ImportRulesListTest, Spec4PriorityIsAnInteger) {
  Policy p =
      RulesOk("id,app,priority\nA,Okta,\nB,Okta,10\nC,Okta, -5 \nD,Okta,+2\n");
  ASSERT_EQ(p.rules.size(), 4u);
  EXPECT_EQ(p.rules[0].priority, 0);
  EXPECT_EQ(p.rules[1].priority, 10);
  EXPECT_EQ(p.rules[2].priority, -5);
  EXPECT_EQ(p.rules[3].priority, 2);
}

// SPEC §4.5: `expires` names a date or a date attribute.
TEST(ImportRulesListTest, Spec45ExpiresDateVersusAttribute) {
  Policy p = RulesOk(
      "id,app,expires\nA,Okta,2027-01-31\nB,Okta, contract end \nC,Okta,\n"
      "D,Okta,Contract_End\n");
  ASSERT_EQ(p.rules.size(), 4u);
  EXPECT_EQ(p.rules[0].expires.kind, Expiry::Kind::kDate);
  EXPECT_EQ(FormatIsoDate(p.rules[0].expires.date), "2027-01-31");
  EXPECT_EQ(p.rules[1].expires.kind, Expiry::Kind::kAttribute);
  EXPECT_EQ(p.rules[1].expires.attribute, "contract end");
  EXPECT_EQ(p.rules[2].expires.kind, Expiry::Kind::kNever);
  EXPECT_EQ(p.rules[3].expires.kind, Expiry::Kind::kAttribute);
  EXPECT_EQ(p.rules[3].expires.attribute, "Contract_End");
}

TEST(ImportRulesListTest, Spec41EffectiveWindowDates) {
  Policy p = RulesOk(
      "id,app,effective from,effective until\nA,Okta,2026-10-01,\n"
      "B,Okta,,2026-12-31\nC,Okta,,\n");
  ASSERT_EQ(p.rules.size(), 3u);
  ASSERT_TRUE(p.rules[0].effective_from.has_value());
  EXPECT_EQ(FormatIsoDate(*p.rules[0].effective_from), "2026-10-01");
  EXPECT_FALSE(p.rules[0].effective_until.has_value());
  EXPECT_FALSE(p.rules[1].effective_from.has_value());
  ASSERT_TRUE(p.rules[1].effective_until.has_value());
  EXPECT_EQ(FormatIsoDate(*p.rules[1].effective_until), "2026-12-31");
  EXPECT_FALSE(p.rules[2].effective_from.has_value());
  EXPECT_FALSE(p.rules[2].effective_until.has_value());
}

// SPEC §8: scopes are ';'-separated; pieces are trimmed, empty ones dropped.
TEST(ImportRulesListTest, Spec8ScopesAreSemicolonSeparated) {
  Policy p =
      RulesOk("id,app,scopes\nA,GitHub, api ; web;;Mobile Team ;\nB,GitHub,\n");
  EXPECT_THAT(p.rules[0].targets[0].scopes,
              ElementsAre("api", "web", "Mobile Team"));
  EXPECT_TRUE(p.rules[1].targets[0].scopes.empty());
}

// SPEC §3: every cell form of the grammar, read through the importer.
TEST(ImportRulesListTest, Spec3EveryCellFormEndToEnd) {
  EXPECT_FALSE(CellThroughImporter(""));
  EXPECT_FALSE(CellThroughImporter("*"));
  EXPECT_FALSE(CellThroughImporter(" any "));
  EXPECT_FALSE(CellThroughImporter("ANY"));
  EXPECT_EQ(CellThroughImporter("Sales"),
            (Predicate{PredicateOp::kAnyOf, {"Sales"}}));
  EXPECT_EQ(CellThroughImporter("Sales | Marketing"),
            (Predicate{PredicateOp::kAnyOf, {"Sales", "Marketing"}}));
  EXPECT_EQ(CellThroughImporter("Sales; Marketing"),
            (Predicate{PredicateOp::kAnyOf, {"Sales", "Marketing"}}));
  EXPECT_EQ(CellThroughImporter("not Contractor"),
            (Predicate{PredicateOp::kNoneOf, {"Contractor"}}));
  EXPECT_EQ(CellThroughImporter("!Contractor"),
            (Predicate{PredicateOp::kNoneOf, {"Contractor"}}));
  EXPECT_EQ(CellThroughImporter("not (A | B)"),
            (Predicate{PredicateOp::kNoneOf, {"A", "B"}}));
  EXPECT_EQ(CellThroughImporter("> L4"),
            (Predicate{PredicateOp::kGreater, {"L4"}}));
  EXPECT_EQ(CellThroughImporter(">= 2023-01-01"),
            (Predicate{PredicateOp::kGreaterEq, {"2023-01-01"}}));
  EXPECT_EQ(CellThroughImporter("< 5"), (Predicate{PredicateOp::kLess, {"5"}}));
  EXPECT_EQ(CellThroughImporter("<= L7"),
            (Predicate{PredicateOp::kLessEq, {"L7"}}));
  EXPECT_EQ(CellThroughImporter("L3..L6"),
            (Predicate{PredicateOp::kRange, {"L3", "L6"}}));
  EXPECT_EQ(CellThroughImporter("2023-01-01..2023-12-31"),
            (Predicate{PredicateOp::kRange, {"2023-01-01", "2023-12-31"}}));
  EXPECT_EQ(CellThroughImporter("contains eng"),
            (Predicate{PredicateOp::kContains, {"eng"}}));
  EXPECT_EQ(CellThroughImporter("starts with Sr"),
            (Predicate{PredicateOp::kStartsWith, {"Sr"}}));
  EXPECT_EQ(CellThroughImporter("ends with Manager"),
            (Predicate{PredicateOp::kEndsWith, {"Manager"}}));
  EXPECT_EQ(CellThroughImporter("/^(Staff|Principal) Engineer$/"),
            (Predicate{PredicateOp::kRegex, {"^(Staff|Principal) Engineer$"}}));
  EXPECT_EQ(CellThroughImporter("exists"),
            (Predicate{PredicateOp::kExists, {}}));
  EXPECT_EQ(CellThroughImporter("missing"),
            (Predicate{PredicateOp::kMissing, {}}));
  // A value with a reserved character, double-quoted inside a CSV-quoted cell.
  EXPECT_EQ(CellThroughImporter("\"\"\"R&D; Labs\"\"\""),
            (Predicate{PredicateOp::kAnyOf, {"R&D; Labs"}}));
  // A CSV-quoted cell whose content has a comma.
  EXPECT_EQ(CellThroughImporter("\"Sales, EMEA | Sales, US\""),
            (Predicate{PredicateOp::kAnyOf, {"Sales, EMEA", "Sales, US"}}));
}

// SPEC §3: `unless` uses the same predicates joined by and/or/not.
TEST(ImportRulesListTest, Spec3UnlessExpressionsParse) {
  Policy p = RulesOk(
      "id,app,unless\n"
      "A,Okta,\"not (employment type = Full-time and grade >= L4)\"\n"
      "B,Okta,start date > 2026-08-31 or not (employment_type = Full-time)\n"
      "C,Okta,location not in (New York; Austin)\n"
      "D,Okta,\n");
  ASSERT_EQ(p.rules.size(), 4u);
  ASSERT_TRUE(p.rules[0].unless.has_value());
  const Expr& a = *p.rules[0].unless;
  EXPECT_EQ(a.kind, Expr::Kind::kNot);
  ASSERT_EQ(a.children.size(), 1u);
  EXPECT_EQ(a.children[0].kind, Expr::Kind::kAnd);
  ASSERT_EQ(a.children[0].children.size(), 2u);
  EXPECT_EQ(a.children[0].children[0].attribute, "employment type");
  EXPECT_EQ(a.children[0].children[0].predicate,
            (Predicate{PredicateOp::kAnyOf, {"Full-time"}}));
  EXPECT_EQ(a.children[0].children[1].attribute, "grade");
  EXPECT_EQ(a.children[0].children[1].predicate,
            (Predicate{PredicateOp::kGreaterEq, {"L4"}}));
  EXPECT_EQ(p.rules[0].unless_text,
            "not (employment type = Full-time and grade >= L4)");

  ASSERT_TRUE(p.rules[1].unless.has_value());
  EXPECT_EQ(FormatExpr(*p.rules[1].unless),
            "start date > 2026-08-31 or not (employment_type = Full-time)");
  ASSERT_TRUE(p.rules[2].unless.has_value());
  EXPECT_EQ(p.rules[2].unless->predicate,
            (Predicate{PredicateOp::kNoneOf, {"New York", "Austin"}}));
  EXPECT_FALSE(p.rules[3].unless.has_value());
  EXPECT_EQ(p.rules[3].unless_text, "");
}

// SPEC §8: a second rules file appends; ids must stay unique across both.
TEST(ImportRulesListTest, Spec8AppendsToAnExistingPolicy) {
  Policy p;
  ASSERT_TRUE(ImportRulesList("id,app\nR1,Okta\n", "a.csv", &p, nullptr).ok());
  ASSERT_TRUE(ImportRulesList("id,app\nR2,Zoom\n", "b.csv", &p, nullptr).ok());
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules[1].location.file, "b.csv");
  absl::Status s = ImportRulesList("id,app\n\nR1,Jira\n", "c.csv", &p, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "c.csv:3:1: duplicate rule id 'R1' (first at a.csv:2:1); expected "
            "unique ids");
}

TEST(ImportRulesListTest, Spec8HeaderlessEmptyColumnIsIgnored) {
  ImportReport report;
  Policy p = RulesOk("id,,app\nR1,,Okta\nR2, ,Zoom\n", &report);
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_TRUE(p.rules[0].conditions.empty());
  ASSERT_EQ(report.columns.size(), 3u);
  EXPECT_EQ(report.columns[1].header, "");
  EXPECT_EQ(report.columns[1].role, "ignored (no header)");
}

// SPEC §8: UTF-8 with or without BOM; CRLF or LF; quoted newlines.
TEST(ImportRulesListTest, Spec8BomCrlfAndQuotedNewlines) {
  Policy p = RulesOk(
      "\xEF\xBB\xBFid,department,app,level,notes\r\n"
      "R1,Sales,Salesforce,Manager,\"first\r\nsecond\"\r\n"
      "R2,Support,Zendesk,Agent,\r\n");
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules[0].id, "R1");  // The BOM is not part of the header.
  ASSERT_EQ(p.rules[0].conditions.size(), 1u);
  EXPECT_EQ(p.rules[0].conditions[0].attribute, "department");
  EXPECT_EQ(p.rules[0].targets[0].level, "Manager");  // No stray '\r'.
  EXPECT_EQ(p.rules[0].notes, "first\r\nsecond");
  EXPECT_EQ(p.rules[1].id, "R2");
  EXPECT_EQ(FormatSourceLocation(p.rules[1].location), "rules.csv:4");
  EXPECT_EQ(p.rules[1].targets[0].level, "Agent");
}

// SPEC §8: short rows are padded with empty cells; trailing empty cells
// beyond the header are harmless.
TEST(ImportRulesListTest, Spec8RaggedShortRowsArePadded) {
  Policy p = RulesOk("id,app,level,scopes,notes\nR1,Okta\nR2,Zoom,Basic,,,,\n");
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules[0].targets[0].app, "Okta");
  EXPECT_EQ(p.rules[0].targets[0].level, "");
  EXPECT_TRUE(p.rules[0].targets[0].scopes.empty());
  EXPECT_EQ(p.rules[0].notes, "");
  EXPECT_EQ(p.rules[1].targets[0].level, "Basic");
}

TEST(ImportRulesListTest, Spec8LeadingBlankRowsAndBlankRowsAreSkipped) {
  Policy p = RulesOk("\n , \nid,app\n\n,Okta\n , \n");
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(p.rules[0].targets[0].app, "Okta");
  EXPECT_EQ(FormatSourceLocation(p.rules[0].location), "rules.csv:5");
}

// --- Rules list: one test per error path (SPEC §10) ------------------------

TEST(ImportRulesListErrorTest, Spec10EmptyFile) {
  EXPECT_EQ(
      RulesError(""),
      "rules.csv:1:1: empty file; expected a header row for a rules list");
  EXPECT_EQ(
      RulesError("\n ,  \n\n"),
      "rules.csv:1:1: empty file; expected a header row for a rules list");
}

TEST(ImportRulesListErrorTest, Spec10CsvSyntaxErrorPropagates) {
  EXPECT_EQ(
      RulesError("id,app\nR1,\"Okta\n"),
      "rules.csv:2:4: unterminated quoted field; expected a closing '\"'");
}

TEST(ImportRulesListErrorTest, Spec10DuplicateColumnAfterFolding) {
  EXPECT_EQ(
      RulesError("id,Job Title,job_title,app\n"),
      "rules.csv:1:14: duplicate column 'job_title' (same as column 2 after "
      "ignoring case, spaces, '-' and '_')");
}

TEST(ImportRulesListErrorTest, Spec10ReservedColumnRepeatedThroughSynonym) {
  EXPECT_EQ(
      RulesError("id,app,level,Permission\n"),
      "rules.csv:1:14: column 'Permission' repeats the level column (synonyms "
      "count as the same)");
  EXPECT_EQ(
      RulesError("id,app,Application\n"),
      "rules.csv:1:8: column 'Application' repeats the app column (synonyms "
      "count as the same)");
}

TEST(ImportRulesListErrorTest, Spec10NoAppColumn) {
  EXPECT_EQ(
      RulesError("id,department\nR1,Sales\n"),
      "rules.csv:1:1: no 'app' column; expected a rules list header with an "
      "'app' column (or import the sheet as an access matrix)");
}

TEST(ImportRulesListErrorTest, Spec10ValueInColumnWithoutHeader) {
  EXPECT_EQ(
      RulesError("id,,app\nR1,x,Okta\n"),
      "rules.csv:2:4: value in a column without a header; expected a header "
      "naming the attribute");
}

TEST(ImportRulesListErrorTest, Spec10CellBeyondLastHeaderColumn) {
  EXPECT_EQ(RulesError("id,app\nR1,Okta,,extra\n"),
            "rules.csv:2:10: cell beyond the last header column (2 columns); "
            "expected "
            "the row to end or a header for this column");
}

TEST(ImportRulesListErrorTest, Spec10ConditionSyntaxError) {
  // Column = cell start + offset inside the cell.
  EXPECT_EQ(RulesError("id,department,app\nR1,Sales | ,Okta\n"),
            "rules.csv:2:11: condition 'Sales |': expected a value");
  EXPECT_EQ(RulesError("id,grade,app\nR1,>=,Okta\n"),
            "rules.csv:2:6: condition '>=': expected a value after '>='");
  EXPECT_EQ(
      RulesError("id,title,app\nR1,/Staff,Okta\n"),
      "rules.csv:2:4: condition '/Staff': unterminated regular expression; "
      "expected a closing '/'");
  EXPECT_EQ(
      RulesError("id,grade,app\nR1,L8..,Okta\n"),
      "rules.csv:2:4: condition 'L8..': malformed range; expected LOW..HIGH");
}

// SPEC §10: the column of a syntax error inside a CSV-quoted cell must point
// at the offending character (the opening quote shifts the content by one).
TEST(ImportRulesListErrorTest, Spec10ConditionSyntaxErrorColumnInQuotedCell) {
  // `R1,"Sales | "`: the space after '|' is byte 12 of the line.
  EXPECT_EQ(RulesError("id,department,app\nR1,\"Sales | \",Okta\n"),
            "rules.csv:2:12: condition 'Sales |': expected a value");
}

// Regression: CellSyntaxError counted from the opening quote and ignored
// newlines inside the cell. A `""` escape is two source bytes.
TEST(ImportRulesListErrorTest, Spec10SyntaxErrorPositionAfterNewlineInCell) {
  // Line 3 of the file is `Support |  ",Okta`; the error is at the
  // space after '|' (column 10).
  EXPECT_EQ(RulesError("id,department,app\nR1,\"Sales |\nSupport |  \",Okta\n"),
            "rules.csv:3:10: condition 'Sales |\nSupport |': expected a value");
  // A CRLF inside the cell ends line 2 as well.
  EXPECT_EQ(RulesError("id,department,app\r\nR1,\"Sales\r\n | \",Okta\r\n"),
            "rules.csv:3:3: condition 'Sales\r\n |': expected a value");
  // `"""b"" |  "` holds `"b" |  `; the error is at its byte 6, which the
  // two escapes push to column 12.
  EXPECT_EQ(RulesError("id,department,app\nR1,\"\"\"b\"\" |  \",Okta\n"),
            "rules.csv:2:12: condition '\"b\" |': expected a value");
}

TEST(ImportRulesListErrorTest, Spec10UnknownEffect) {
  EXPECT_EQ(
      RulesError("id,app,effect\nR1,Okta,maybe\n"),
      "rules.csv:2:9: unknown effect 'maybe'; expected 'grant' or 'deny'");
}

TEST(ImportRulesListErrorTest, Spec10EmptyApp) {
  EXPECT_EQ(RulesError("id,app,level\nR1, ,User\n"),
            "rules.csv:2:4: empty app; expected the app this rule grants");
  EXPECT_EQ(RulesError("id,app,effect\nR1,,deny\n"),
            "rules.csv:2:4: empty app; expected the app this rule denies");
}

// SPEC §10: every error names a column, also for a cell a short row lacks.
TEST(ImportRulesListErrorTest, Spec10EmptyAppInShortRowNamesAColumn) {
  // The missing cell sits just after `Sales` (columns 4-8).
  EXPECT_EQ(RulesError("id,department,app\nR1,Sales\n"),
            "rules.csv:2:9: empty app; expected the app this rule grants");
  // After a quoted last cell: just past its closing quote.
  EXPECT_EQ(RulesError("id,department,app\nR1,\"a\nb\"\n"),
            "rules.csv:3:3: empty app; expected the app this rule grants");
}

TEST(ImportRulesListErrorTest, Spec10UnlessSyntaxError) {
  EXPECT_EQ(RulesError("id,app,unless\nR1,Okta,department =\n"),
            "rules.csv:2:21: unless expression 'department =': expected a "
            "value after '='");
  EXPECT_EQ(RulesError("id,app,unless\nR1,Okta,(a = 1\n"),
            "rules.csv:2:15: unless expression '(a = 1': expected ')'");
  EXPECT_EQ(RulesError("id,app,unless\nR1,Okta,grade\n"),
            "rules.csv:2:14: unless expression 'grade': expected an operator "
            "(=, !=, in, "
            "not in, <, <=, >, >=, contains, starts with, ends with, matches, "
            "exists, "
            "missing) after 'grade'");
}

TEST(ImportRulesListErrorTest, Spec10MalformedPriority) {
  EXPECT_EQ(RulesError("id,app,priority\nR1,Okta,high\n"),
            "rules.csv:2:9: malformed priority 'high'; expected an integer");
  EXPECT_EQ(RulesError("id,app,priority\nR1,Okta,1.5\n"),
            "rules.csv:2:9: malformed priority '1.5'; expected an integer");
  EXPECT_EQ(
      RulesError("id,app,priority\nR1,Okta,2000000000\n"),
      "rules.csv:2:9: malformed priority '2000000000'; expected an integer");
}

TEST(ImportRulesListErrorTest, Spec10MalformedExpiry) {
  EXPECT_EQ(
      RulesError("id,app,expires\nR1,Okta,2027-02-30\n"),
      "rules.csv:2:9: malformed expiry '2027-02-30'; expected an ISO date "
      "YYYY-MM-DD or the name of a date attribute");
  EXPECT_EQ(
      RulesError("id,app,expires\nR1,Okta,31/01/2027\n"),
      "rules.csv:2:9: malformed expiry '31/01/2027'; expected an ISO date "
      "YYYY-MM-DD or the name of a date attribute");
}

TEST(ImportRulesListErrorTest, Spec10MalformedEffectiveDates) {
  EXPECT_EQ(
      RulesError("id,app,effective from\nR1,Okta,2026-13-01\n"),
      "rules.csv:2:9: malformed effective from date '2026-13-01'; expected an "
      "ISO date YYYY-MM-DD");
  EXPECT_EQ(
      RulesError("id,app,effective until\nR1,Okta,next year\n"),
      "rules.csv:2:9: malformed effective until date 'next year'; expected an "
      "ISO date YYYY-MM-DD");
}

TEST(ImportRulesListErrorTest, Spec10DuplicateRuleId) {
  EXPECT_EQ(RulesError("id,app\nR1,Okta\nR2,Zoom\nR1,Jira\n"),
            "rules.csv:4:1: duplicate rule id 'R1' (first at rules.csv:2:1); "
            "expected unique ids");
  // The id cell, wherever its column is.
  EXPECT_EQ(RulesError("app,id\nOkta,R1\nJira, R1\n"),
            "rules.csv:3:6: duplicate rule id 'R1' (first at rules.csv:2:6); "
            "expected unique ids");
  // A generated id clashing with a written one: column 1 of its row.
  EXPECT_EQ(RulesError("id,app\nrow-3,Okta\n,Jira\n"),
            "rules.csv:3:1: duplicate rule id 'row-3' (first at "
            "rules.csv:2:1); expected unique ids");
}

// Rule ids across two imports into one policy keep their own files.
TEST(ImportRulesListErrorTest, Spec10DuplicateRuleIdAcrossImports) {
  Policy p;
  ASSERT_TRUE(ImportRulesList("app,id\nOkta,R1\n", "a.csv", &p, nullptr).ok());
  absl::Status s = ImportRulesList("id,app\nR1,Zoom\n", "b.csv", &p, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "b.csv:2:1: duplicate rule id 'R1' (first at a.csv:2:6); expected "
            "unique ids");
}

TEST(ImportRulesListErrorTest, Spec10DuplicateRuleIdStillFailsWithoutColumn) {
  // Whatever the column, the path exists and names both rows.
  const std::string msg = RulesError("id,app\nR1,Okta\nR1,Jira\n");
  EXPECT_THAT(
      msg, MatchesRegex("rules\\.csv:3(:1)?: duplicate rule id 'R1' \\(first "
                        "at rules\\.csv:2(:1)?\\); expected unique ids"));
}

TEST(ImportRulesListErrorTest, Spec10ListLimitIsResourceExhausted) {
  std::string cell;
  for (int i = 0; i < 4097; ++i) cell += (i ? "|v" : "v");
  Policy p;
  absl::Status s = ImportRulesList("id,dept,app\nR1," + cell + ",Okta\n",
                                   "rules.csv", &p, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(
      std::string(s.message()),
      MatchesRegex("rules\\.csv:2:[0-9]+: condition '.*': too many values in "
                   "one list \\(limit 4096\\)"));
}

TEST(ImportRulesListErrorTest, Spec10UnlessNestingLimitIsResourceExhausted) {
  std::string expr(70, '(');
  expr += "a = 1";
  expr += std::string(70, ')');
  Policy p;
  absl::Status s = ImportRulesList("id,app,unless\nR1,Okta," + expr + "\n",
                                   "rules.csv", &p, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(
      std::string(s.message()),
      MatchesRegex("rules\\.csv:2:[0-9]+: unless expression '.*': expression "
                   "nested too deeply \\(limit 64\\)"));
}

// ===========================================================================
// Access matrix (SPEC §8).

constexpr char kMatrixCatalog[] =
    "app,instance,levels,default level\n"
    "Salesforce,,Read Only;Standard User;Manager;Admin,Standard User\n"
    "Slack,corp,Member;Admin,\n"
    "Slack,eng,Guest;Member;Admin,Member\n"
    "Zoom,,Basic;Licensed,\n";

Policy WithCatalog() {
  Policy p;
  absl::Status s = ImportCatalog(kMatrixCatalog, "catalog.csv", &p);
  EXPECT_TRUE(s.ok()) << s;
  return p;
}

TEST(ImportMatrixTest, Spec8AppColumnsFromCatalog) {
  Policy p = WithCatalog();
  ImportReport report;
  const std::string csv =
      std::string(
          "id,Department,Location,Salesforce,Slack [corp],slack "
          "[ENG],Zoom,notes,owner\n") +
      "Sales,Sales,not Berlin,Manager,x,,yes,sales row,ops@x\n" +
      "Eng,Engineering,,," + kCheck + ",Admin,YES,,\n" + ",Support,,X,," +
      kHeavyCheck + ",,,\n";
  absl::Status s = ImportMatrix(csv, "matrix.csv", {}, &p, &report);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(p.rules.size(), 3u);

  const Rule& sales = p.rules[0];
  EXPECT_EQ(sales.id, "Sales");
  EXPECT_EQ(sales.effect, Effect::kGrant);
  EXPECT_EQ(sales.notes, "sales row");
  EXPECT_EQ(sales.owner, "ops@x");
  ASSERT_EQ(sales.conditions.size(), 2u);
  EXPECT_EQ(sales.conditions[0].attribute, "Department");
  EXPECT_EQ(sales.conditions[0].predicate,
            (Predicate{PredicateOp::kAnyOf, {"Sales"}}));
  EXPECT_EQ(sales.conditions[1].attribute, "Location");
  EXPECT_EQ(sales.conditions[1].predicate,
            (Predicate{PredicateOp::kNoneOf, {"Berlin"}}));
  ASSERT_EQ(sales.targets.size(), 3u);
  EXPECT_EQ(sales.targets[0].app, "Salesforce");
  EXPECT_EQ(sales.targets[0].instance, "");
  EXPECT_EQ(sales.targets[0].level, "Manager");
  EXPECT_EQ(FormatSourceLocation(sales.targets[0].location), "matrix.csv:2:24");
  EXPECT_EQ(sales.targets[1].app, "Slack");
  EXPECT_EQ(sales.targets[1].instance, "corp");
  EXPECT_EQ(sales.targets[1].level, "");  // x = the default level.
  EXPECT_EQ(sales.targets[2].app, "Zoom");
  EXPECT_EQ(sales.targets[2].level, "");  // yes = the default level.

  const Rule& eng = p.rules[1];
  EXPECT_EQ(eng.id, "Eng");
  ASSERT_EQ(eng.targets.size(), 3u);
  EXPECT_EQ(eng.targets[0].app, "Slack");
  EXPECT_EQ(eng.targets[0].instance, "corp");
  EXPECT_EQ(eng.targets[0].level, "");     // ✓
  EXPECT_EQ(eng.targets[1].app, "slack");  // As the header spells it.
  EXPECT_EQ(eng.targets[1].instance, "ENG");
  EXPECT_EQ(eng.targets[1].level, "Admin");
  EXPECT_EQ(eng.targets[2].app, "Zoom");
  EXPECT_EQ(eng.targets[2].level, "");  // YES

  const Rule& support = p.rules[2];
  EXPECT_EQ(support.id, "row-4");
  ASSERT_EQ(support.targets.size(), 2u);
  EXPECT_EQ(support.targets[0].app, "Salesforce");
  EXPECT_EQ(support.targets[0].level, "");  // X
  EXPECT_EQ(support.targets[1].instance, "ENG");
  EXPECT_EQ(support.targets[1].level, "");  // ✔

  EXPECT_EQ(report.file, "matrix.csv");
  EXPECT_EQ(report.format, "access matrix");
  ASSERT_EQ(report.columns.size(), 9u);
  EXPECT_EQ(report.columns[0].role, "id");
  EXPECT_EQ(report.columns[1].role, "condition on attribute 'Department'");
  EXPECT_EQ(report.columns[2].role, "condition on attribute 'Location'");
  EXPECT_EQ(report.columns[3].role, "app Salesforce (in catalog)");
  EXPECT_EQ(report.columns[4].header, "Slack [corp]");
  EXPECT_EQ(report.columns[4].role, "app Slack instance corp (in catalog)");
  EXPECT_EQ(report.columns[5].role, "app slack instance ENG (in catalog)");
  EXPECT_EQ(report.columns[6].role, "app Zoom (in catalog)");
  EXPECT_EQ(report.columns[7].role, "notes");
  EXPECT_EQ(report.columns[8].role, "owner");
}

// SPEC §8: a column is an app only when the catalog (or the option) says
// so; everything else is a condition, and the report says which.
TEST(ImportMatrixTest, Spec8UnknownHeaderIsAConditionNotAnApp) {
  Policy p = WithCatalog();
  ImportReport report;
  ASSERT_TRUE(ImportMatrix("Department,Slack [nope],Zoom\nSales,x,x\n", "m.csv",
                           {}, &p, &report)
                  .ok());
  ASSERT_EQ(p.rules.size(), 1u);
  ASSERT_EQ(p.rules[0].conditions.size(), 2u);
  EXPECT_EQ(p.rules[0].conditions[1].attribute, "Slack [nope]");
  ASSERT_EQ(p.rules[0].targets.size(), 1u);
  EXPECT_EQ(p.rules[0].targets[0].app, "Zoom");
  EXPECT_EQ(report.columns[1].role, "condition on attribute 'Slack [nope]'");
}

TEST(ImportMatrixTest, Spec8ExplicitAppColumns) {
  Policy p;  // No catalog: the option alone decides.
  ImportReport report;
  absl::Status s = ImportMatrix(
      "Role,Team,GitHub,Slack [corp],Figma\n"
      "Dev,Platform,Write,x,\n"
      "Designer,Design,,x,Editor\n",
      "m.csv", {"GitHub", " slack [CORP] "}, &p, &report);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules[0].id, "row-2");
  ASSERT_EQ(p.rules[0].conditions.size(), 2u);
  EXPECT_EQ(p.rules[0].conditions[0].attribute, "Role");
  ASSERT_EQ(p.rules[0].targets.size(), 2u);
  EXPECT_EQ(p.rules[0].targets[0].app, "GitHub");
  EXPECT_EQ(p.rules[0].targets[0].level, "Write");
  EXPECT_EQ(p.rules[0].targets[1].app, "Slack");
  EXPECT_EQ(p.rules[0].targets[1].instance, "corp");
  EXPECT_EQ(p.rules[0].targets[1].level, "");
  // Figma was not named, so it is a condition column.
  ASSERT_EQ(p.rules[1].conditions.size(), 3u);
  EXPECT_EQ(p.rules[1].conditions[2].attribute, "Figma");
  ASSERT_EQ(p.rules[1].targets.size(), 1u);
  EXPECT_EQ(report.columns[2].role, "app GitHub (--app-columns)");
  EXPECT_EQ(report.columns[3].role, "app Slack instance corp (--app-columns)");
  EXPECT_EQ(report.columns[4].role, "condition on attribute 'Figma'");
}

TEST(ImportMatrixTest, Spec8RowGrantingNothingIsSkippedWithANote) {
  Policy p = WithCatalog();
  ImportReport report;
  ASSERT_TRUE(ImportMatrix("Department,Zoom\nSales,\nSupport,Licensed\n",
                           "m.csv", {}, &p, &report)
                  .ok());
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(p.rules[0].id, "row-3");
  EXPECT_THAT(report.notes, ElementsAre("m.csv:2: row grants no app; skipped"));
}

TEST(ImportMatrixTest, Spec8BomCrlfQuotedNewlinesAndShortRows) {
  Policy p = WithCatalog();
  absl::Status s = ImportMatrix(
      "\xEF\xBB\xBFid,Department,Zoom,Salesforce\r\n"
      "A,\"Sales |\r\nSupport\",Licensed,x\r\n"
      "B,Finance,x\r\n",
      "m.csv", {}, &p, nullptr);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules[0].id, "A");
  EXPECT_EQ(p.rules[0].conditions[0].predicate,
            (Predicate{PredicateOp::kAnyOf, {"Sales", "Support"}}));
  EXPECT_EQ(p.rules[0].targets[0].level, "Licensed");
  EXPECT_EQ(p.rules[1].id, "B");
  EXPECT_EQ(FormatSourceLocation(p.rules[1].location), "m.csv:4");
  ASSERT_EQ(p.rules[1].targets.size(), 1u);  // The short row lacks Salesforce.
  EXPECT_EQ(p.rules[1].targets[0].app, "Zoom");
}

TEST(ImportMatrixErrorTest, Spec8NeitherCatalogNorAppColumns) {
  Policy p;
  EXPECT_EQ(
      MatrixError("Department,Zoom\nSales,x\n", {}, &p),
      "matrix.csv:1:1: cannot tell which columns are apps; expected a catalog "
      "(--catalog) or the app columns (--app-columns)");
}

TEST(ImportMatrixErrorTest, Spec10EmptyFile) {
  Policy p = WithCatalog();
  EXPECT_EQ(
      MatrixError("", {}, &p),
      "matrix.csv:1:1: empty file; expected a header row for an access matrix");
}

TEST(ImportMatrixErrorTest, Spec10DuplicateColumn) {
  Policy p = WithCatalog();
  EXPECT_EQ(MatrixError("Department,Zoom,ZOOM\n", {}, &p),
            "matrix.csv:1:17: duplicate column 'ZOOM' (same as column 2 after "
            "ignoring "
            "case, spaces, '-' and '_')");
}

TEST(ImportMatrixErrorTest, Spec10AppColumnOptionNotInHeader) {
  Policy p;
  EXPECT_EQ(
      MatrixError("Department,Zoom\nSales,x\n", {"Zoom", "Slack [corp]"}, &p),
      "matrix.csv:1:1: app column 'Slack [corp]' given with --app-columns is "
      "not "
      "in the header");
}

TEST(ImportMatrixErrorTest, Spec10ValueInColumnWithoutHeader) {
  Policy p = WithCatalog();
  EXPECT_EQ(
      MatrixError("Department,,Zoom\nSales,oops,x\n", {}, &p),
      "matrix.csv:2:7: value in a column without a header; expected a header "
      "naming the attribute or app");
}

TEST(ImportMatrixErrorTest, Spec10CellBeyondLastHeaderColumn) {
  Policy p = WithCatalog();
  EXPECT_EQ(MatrixError("Department,Zoom\nSales,x,Admin\n", {}, &p),
            "matrix.csv:2:9: cell beyond the last header column (2 columns); "
            "expected "
            "the row to end or a header for this column");
}

TEST(ImportMatrixErrorTest, Spec10ConditionSyntaxError) {
  Policy p = WithCatalog();
  EXPECT_EQ(
      MatrixError("Department,Zoom\nnot (Sales,x\n", {}, &p),
      "matrix.csv:2:11: condition 'not (Sales': expected ')' to close 'not ('");
}

TEST(ImportMatrixErrorTest, Spec10DuplicateRowId) {
  Policy p = WithCatalog();
  EXPECT_EQ(MatrixError("id,Zoom\nA,x\nA,Licensed\n", {}, &p),
            "matrix.csv:3:1: duplicate rule id 'A' (first at matrix.csv:2:1); "
            "expected unique ids");
  Policy q = WithCatalog();
  EXPECT_EQ(MatrixError("Zoom,id\nx,A\nLicensed,A\n", {}, &q),
            "matrix.csv:3:10: duplicate rule id 'A' (first at "
            "matrix.csv:2:3); expected unique ids");
}

// ===========================================================================
// Catalog (SPEC §8).

TEST(ImportCatalogTest, Spec8ReadsEveryColumn) {
  Policy p;
  absl::Status s = ImportCatalog(
      "app,instance,levels,default level,owner,provisioning,monthly cost\n"
      "Okta,,User; Helpdesk Admin ;Super Admin,,it@x,api,6.00\n"
      "Slack,corp,Member;Owner,owner,it@x,SCIM,8.75\n"
      "Slack,eng,Guest;Member,,,manual,$12.5\n"
      "Zoom,,Basic,,,,\n"
      "Cursor,,Member,,,,40\n"
      "Free,,Member,,,,.5\n",
      "catalog.csv", &p);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(p.catalog.size(), 6u);
  const CatalogEntry& okta = p.catalog[0];
  EXPECT_EQ(okta.app, "Okta");
  EXPECT_EQ(okta.instance, "");
  EXPECT_THAT(okta.levels,
              ElementsAre("User", "Helpdesk Admin", "Super Admin"));
  EXPECT_EQ(okta.default_level, "");
  EXPECT_EQ(okta.owner, "it@x");
  EXPECT_EQ(okta.provisioning, Provisioning::kApi);
  EXPECT_EQ(okta.monthly_cost_cents, 600);
  EXPECT_EQ(FormatSourceLocation(okta.location), "catalog.csv:2");
  const CatalogEntry& corp = p.catalog[1];
  EXPECT_EQ(corp.instance, "corp");
  EXPECT_EQ(corp.default_level, "Owner");  // The catalog's spelling.
  EXPECT_EQ(corp.provisioning, Provisioning::kScim);
  EXPECT_EQ(corp.monthly_cost_cents, 875);
  EXPECT_EQ(p.catalog[2].provisioning, Provisioning::kManual);
  EXPECT_EQ(p.catalog[2].monthly_cost_cents, 1250);
  EXPECT_EQ(p.catalog[3].provisioning, Provisioning::kUnspecified);
  EXPECT_FALSE(p.catalog[3].monthly_cost_cents.has_value());
  EXPECT_EQ(p.catalog[4].monthly_cost_cents, 4000);
  EXPECT_EQ(p.catalog[5].monthly_cost_cents, 50);
}

TEST(ImportCatalogTest, Spec8HeaderSynonymsAndOptionalColumns) {
  Policy p;
  absl::Status s = ImportCatalog(
      "Application,Tenant,Level,Default,Cost\nAWS,prod,ReadOnly;Admin,admin,1\n"
      "AWS,dev,ReadOnly,,\n",
      "c.csv", &p);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(p.catalog.size(), 2u);
  EXPECT_EQ(p.catalog[0].app, "AWS");
  EXPECT_EQ(p.catalog[0].instance, "prod");
  EXPECT_EQ(p.catalog[0].default_level, "Admin");
  EXPECT_EQ(p.catalog[0].monthly_cost_cents, 100);
  Policy q;
  ASSERT_TRUE(ImportCatalog("app,levels\nOkta,User\n", "c.csv", &q).ok());
  EXPECT_EQ(q.catalog[0].instance, "");
  EXPECT_EQ(q.catalog[0].provisioning, Provisioning::kUnspecified);
}

TEST(ImportCatalogTest, Spec8BomCrlfAndShortRows) {
  Policy p;
  absl::Status s = ImportCatalog(
      "\xEF\xBB\xBF"
      "app,instance,levels,default level,owner\r\nOkta,,User;Admin\r\n",
      "c.csv", &p);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(p.catalog.size(), 1u);
  EXPECT_EQ(p.catalog[0].app, "Okta");
  EXPECT_THAT(p.catalog[0].levels, ElementsAre("User", "Admin"));
  EXPECT_EQ(p.catalog[0].owner, "");
}

TEST(ImportCatalogErrorTest, Spec10EmptyFile) {
  EXPECT_EQ(CatalogError(""),
            "catalog.csv:1:1: empty file; expected a header row for a catalog");
}

TEST(ImportCatalogErrorTest, Spec10MissingRequiredColumns) {
  EXPECT_EQ(
      CatalogError("app,instance\nOkta,\n"),
      "catalog.csv:1:1: expected catalog columns 'app' and 'levels' (app, "
      "instance, levels, default level, owner, provisioning, monthly cost)");
}

TEST(ImportCatalogErrorTest, Spec10CellBeyondLastHeaderColumn) {
  EXPECT_EQ(CatalogError("app,levels\nOkta,User,extra\n"),
            "catalog.csv:2:11: cell beyond the last header column (2 columns); "
            "expected the row to end or a header for this column");
}

TEST(ImportCatalogErrorTest, Spec10EmptyApp) {
  EXPECT_EQ(CatalogError("app,levels\n ,User\n"),
            "catalog.csv:2:1: empty app; expected an app name");
}

TEST(ImportCatalogErrorTest, Spec10NoLevels) {
  EXPECT_EQ(CatalogError("app,levels\nOkta, ; \n"),
            "catalog.csv:2:6: no levels; expected levels low to high separated "
            "by ';'");
}

TEST(ImportCatalogErrorTest, Spec10LevelListedTwice) {
  EXPECT_EQ(CatalogError("app,levels\nOkta,User;Admin;user\n"),
            "catalog.csv:2:6: level 'user' listed twice");
}

TEST(ImportCatalogErrorTest, Spec10DefaultLevelNotALevel) {
  EXPECT_EQ(CatalogError("app,levels,default level\nOkta,User;Admin,Owner\n"),
            "catalog.csv:2:17: default level 'Owner' is not one of this row's "
            "levels");
}

TEST(ImportCatalogErrorTest, Spec10UnknownProvisioning) {
  EXPECT_EQ(CatalogError("app,levels,provisioning\nOkta,User,ldap\n"),
            "catalog.csv:2:11: unknown provisioning 'ldap'; expected scim, api "
            "or manual");
}

TEST(ImportCatalogErrorTest, Spec10MalformedMonthlyCost) {
  for (const char* cost : {"abc", "1.234", "-5", "12.x", "1.-5", "12 EUR"}) {
    SCOPED_TRACE(cost);
    EXPECT_EQ(CatalogError(std::string("app,levels,monthly cost\nOkta,User,") +
                           cost + "\n"),
              std::string("catalog.csv:2:11: malformed monthly cost '") + cost +
                  "'; expected a number like 12.50");
  }
}

TEST(ImportCatalogErrorTest, Spec10DuplicateEntry) {
  EXPECT_EQ(
      CatalogError("app,instance,levels\nSlack,corp,Member\nSlack,eng,Member\n"
                   "slack,CORP,Member\n"),
      "catalog.csv:4:1: duplicate catalog entry for slack [CORP] (first at "
      "catalog.csv:2:1)");
  // The app cell, wherever its column is.
  EXPECT_EQ(CatalogError("levels,app\nUser,Okta\nUser, okta\n"),
            "catalog.csv:3:6: duplicate catalog entry for okta (first at "
            "catalog.csv:2:6)");
}

TEST(ImportCatalogErrorTest, Spec10DuplicateEntryFoldsCaseAcrossImports) {
  Policy p;
  ASSERT_TRUE(ImportCatalog("app,levels\nOkta,User\n", "a.csv", &p).ok());
  absl::Status s = ImportCatalog("app,levels\nOKTA,User\n", "b.csv", &p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      std::string(s.message()),
      MatchesRegex(
          "b\\.csv:2(:1)?: duplicate catalog entry for OKTA \\(first at "
          "a\\.csv:2(:1)?\\)"));
}

// ===========================================================================
// Aliases (SPEC §2, §8).

TEST(ImportAliasesTest, Spec8ReadsRows) {
  Policy p;
  absl::Status s = ImportAliases(
      "\xEF\xBB\xBF"
      "Attribute,Alias,Canonical\r\ndepartment, Ent Sales ,Sales - "
      "Enterprise\r\n"
      "\r\nlocation,NYC,New York\r\n",
      "aliases.csv", &p);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(p.aliases.size(), 2u);
  EXPECT_EQ(p.aliases[0].attribute, "department");
  EXPECT_EQ(p.aliases[0].alias, "Ent Sales");
  EXPECT_EQ(p.aliases[0].canonical, "Sales - Enterprise");
  // The alias cell, so a conflict between two aliases points at it.
  EXPECT_EQ(FormatSourceLocation(p.aliases[0].location), "aliases.csv:2:12");
  EXPECT_EQ(p.aliases[1].attribute, "location");
  EXPECT_EQ(FormatSourceLocation(p.aliases[1].location), "aliases.csv:4:10");
}

TEST(ImportAliasesErrorTest, Spec10EmptyFile) {
  EXPECT_EQ(AliasesError(" \n"),
            "aliases.csv:1:1: empty file; expected a header row for aliases");
}

TEST(ImportAliasesErrorTest, Spec10MissingColumns) {
  EXPECT_EQ(
      AliasesError("attribute,alias\ndepartment,HR\n"),
      "aliases.csv:1:1: expected alias columns 'attribute, alias, canonical'");
}

TEST(ImportAliasesErrorTest, Spec10CellBeyondLastHeaderColumn) {
  EXPECT_EQ(AliasesError("attribute,alias,canonical\nd,a,c,x\n"),
            "aliases.csv:2:7: cell beyond the last header column (3 columns); "
            "expected "
            "the row to end or a header for this column");
}

TEST(ImportAliasesErrorTest, Spec10EmptyCells) {
  EXPECT_EQ(AliasesError("attribute,alias,canonical\n,HR,Human Resources\n"),
            "aliases.csv:2:1: expected an attribute name");
  EXPECT_EQ(
      AliasesError("attribute,alias,canonical\ndepartment,,Human Resources\n"),
      "aliases.csv:2:12: expected an alias value");
  EXPECT_EQ(AliasesError("attribute,alias,canonical\ndepartment,HR, \n"),
            "aliases.csv:2:15: expected a canonical value");
}

// ===========================================================================
// Schema (SPEC §2, §8).

TEST(ImportSchemaTest, Spec8ReadsTypesOrderAndCaseSensitivity) {
  Policy p;
  absl::Status s = ImportSchema(
      "attribute,type,order,case sensitive\n"
      "department,string,,no\n"
      "cost center,int,,\n"
      "start date,Date,,\n"
      "grade,ordinal,Junior; Mid ;Senior,\n"
      "level code,ordinal,,\n"
      "squads,set,,\n"
      "manager,,,yes\n"
      "badge,integer,,Y\n"
      "tags,list,,false\n",
      "schema.csv", &p);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(p.schema.size(), 9u);
  EXPECT_EQ(p.schema[0].name, "department");
  EXPECT_EQ(p.schema[0].type, AttrType::kString);
  EXPECT_FALSE(p.schema[0].case_sensitive);
  EXPECT_EQ(p.schema[1].type, AttrType::kInt);
  EXPECT_EQ(p.schema[2].type, AttrType::kDate);
  EXPECT_EQ(p.schema[3].type, AttrType::kOrdinal);
  EXPECT_THAT(p.schema[3].order, ElementsAre("Junior", "Mid", "Senior"));
  EXPECT_EQ(p.schema[4].type, AttrType::kOrdinal);
  EXPECT_TRUE(p.schema[4].order.empty());
  EXPECT_EQ(p.schema[5].type, AttrType::kSet);
  EXPECT_EQ(p.schema[6].type, AttrType::kString);  // Empty type = string.
  EXPECT_TRUE(p.schema[6].case_sensitive);
  EXPECT_EQ(p.schema[7].type, AttrType::kInt);
  EXPECT_TRUE(p.schema[7].case_sensitive);
  EXPECT_EQ(p.schema[8].type, AttrType::kSet);
  EXPECT_FALSE(p.schema[8].case_sensitive);
  EXPECT_EQ(FormatSourceLocation(p.schema[8].location), "schema.csv:10");
}

TEST(ImportSchemaTest, Spec8NameSynonymAndMinimalColumns) {
  Policy p;
  ASSERT_TRUE(ImportSchema("Name,Type\r\ngrade,ordinal\r\n", "s.csv", &p).ok());
  ASSERT_EQ(p.schema.size(), 1u);
  EXPECT_EQ(p.schema[0].name, "grade");
  EXPECT_EQ(p.schema[0].type, AttrType::kOrdinal);
  EXPECT_FALSE(p.schema[0].case_sensitive);
}

TEST(ImportSchemaErrorTest, Spec10EmptyFile) {
  EXPECT_EQ(SchemaError(""),
            "schema.csv:1:1: empty file; expected a header row for a schema");
}

TEST(ImportSchemaErrorTest, Spec10MissingColumns) {
  EXPECT_EQ(
      SchemaError("attribute,order\ngrade,L1\n"),
      "schema.csv:1:1: expected schema columns 'attribute, type, order, case "
      "sensitive'");
}

TEST(ImportSchemaErrorTest, Spec10CellBeyondLastHeaderColumn) {
  EXPECT_EQ(SchemaError("attribute,type\ngrade,ordinal,L1;L2\n"),
            "schema.csv:2:15: cell beyond the last header column (2 columns); "
            "expected "
            "the row to end or a header for this column");
}

TEST(ImportSchemaErrorTest, Spec10EmptyAttributeName) {
  EXPECT_EQ(SchemaError("attribute,type\n - ,int\n"),
            "schema.csv:2:1: expected an attribute name");
}

TEST(ImportSchemaErrorTest, Spec10UnknownType) {
  EXPECT_EQ(SchemaError("attribute,type\ngrade,float\n"),
            "schema.csv:2:7: unknown type 'float'; expected string, int, date, "
            "ordinal or set");
}

TEST(ImportSchemaErrorTest, Spec10OrderOnNonOrdinal) {
  EXPECT_EQ(
      SchemaError("attribute,type,order\ngrade,string,L1;L2\n"),
      "schema.csv:2:14: an order is only meaningful for an ordinal attribute");
}

TEST(ImportSchemaErrorTest, Spec10BadCaseSensitiveFlag) {
  EXPECT_EQ(
      SchemaError("attribute,type,case sensitive\nmanager,string,maybe\n"),
      "schema.csv:2:16: expected 'yes' or 'no'");
}

TEST(ImportSchemaErrorTest, Spec10DuplicateAttributeAfterFolding) {
  EXPECT_EQ(SchemaError("attribute,type\nJob Title,string\ngrade,ordinal\n"
                        "job_title,string\n"),
            "schema.csv:4:1: attribute 'job_title' declared twice (first at "
            "schema.csv:2:1)");
  EXPECT_EQ(SchemaError("type,attribute\nint,grade\nint,GRADE\n"),
            "schema.csv:3:5: attribute 'GRADE' declared twice (first at "
            "schema.csv:2:5)");
}

// ===========================================================================
// HR population (SPEC §8).

TEST(ImportPopulationTest, Spec8ReadsPeopleInFileOrder) {
  auto pop = ImportPopulation(
      "\xEF\xBB\xBF"
      "name,Employee ID,Department,,squads\r\n"
      "Ann, E2 ,  sales ,,a;b\r\n"
      "\r\n"
      "\"Bob\nJr\",E1,Support\r\n",
      "people.csv");
  ASSERT_TRUE(pop.ok()) << pop.status();
  EXPECT_EQ(pop->file, "people.csv");
  EXPECT_THAT(pop->columns, ElementsAre("name", "Department", "squads"));
  ASSERT_EQ(pop->people.size(), 2u);
  const Person& ann = pop->people[0];
  EXPECT_EQ(ann.id, "E2");
  ASSERT_EQ(ann.attributes.size(), 3u);
  EXPECT_EQ(ann.attributes[0],
            (std::pair<std::string, std::string>("name", "Ann")));
  // Values are kept raw; normalization happens when they are typed.
  EXPECT_EQ(ann.attributes[1],
            (std::pair<std::string, std::string>("Department", "  sales ")));
  EXPECT_EQ(ann.attributes[2],
            (std::pair<std::string, std::string>("squads", "a;b")));
  EXPECT_EQ(FormatSourceLocation(ann.location), "people.csv:2");
  EXPECT_EQ(ann.Get("department"), std::optional<std::string_view>("  sales "));
  EXPECT_EQ(ann.Get("nosuch"), std::nullopt);
  const Person& bob = pop->people[1];
  EXPECT_EQ(bob.id, "E1");
  EXPECT_EQ(bob.attributes[0].second, "Bob\nJr");
  EXPECT_EQ(bob.attributes[2].second, "");  // Short row padded.
  EXPECT_EQ(FormatSourceLocation(bob.location), "people.csv:4");
}

TEST(ImportPopulationTest, Spec8IdColumnSynonyms) {
  for (const char* header :
       {"id", "ID", "Person ID", "person_id", "employee-id"}) {
    SCOPED_TRACE(header);
    auto pop =
        ImportPopulation(std::string(header) + ",dept\nP1,Sales\n", "p.csv");
    ASSERT_TRUE(pop.ok()) << pop.status();
    ASSERT_EQ(pop->people.size(), 1u);
    EXPECT_EQ(pop->people[0].id, "P1");
    EXPECT_THAT(pop->columns, ElementsAre("dept"));
  }
}

TEST(ImportPopulationErrorTest, Spec10EmptyFile) {
  EXPECT_EQ(
      PopulationError(""),
      "people.csv:1:1: empty file; expected a header row for an HR population");
}

TEST(ImportPopulationErrorTest, Spec10NoIdColumn) {
  EXPECT_EQ(PopulationError("name,department\nAnn,Sales\n"),
            "people.csv:1:1: no 'id' column; expected an HR export with an id "
            "column");
}

TEST(ImportPopulationErrorTest, Spec10DuplicateColumn) {
  EXPECT_EQ(
      PopulationError("id,Job Title,JOB-TITLE\n"),
      "people.csv:1:14: duplicate column 'JOB-TITLE' (same as column 2 after "
      "ignoring case, spaces, '-' and '_')");
}

TEST(ImportPopulationErrorTest, Spec10CellBeyondLastHeaderColumn) {
  EXPECT_EQ(PopulationError("id,dept\nE1,Sales,x\n"),
            "people.csv:2:10: cell beyond the last header column (2 columns); "
            "expected "
            "the row to end or a header for this column");
}

TEST(ImportPopulationErrorTest, Spec10EmptyId) {
  EXPECT_EQ(PopulationError("dept,id\nSales,  \n"),
            "people.csv:2:7: empty person id; expected an id");
}

TEST(ImportPopulationErrorTest, Spec10DuplicateId) {
  EXPECT_EQ(
      PopulationError("id,dept\nE1,Sales\nE2,HR\nE1,IT\n"),
      "people.csv:4:1: duplicate person id 'E1' (first at people.csv:2:1)");
  EXPECT_EQ(
      PopulationError("dept,id\nSales,E1\nIT,\"E1\"\n"),
      "people.csv:3:4: duplicate person id 'E1' (first at people.csv:2:7)");
}

// ===========================================================================
// Access export (SPEC §8).

TEST(ImportAccessExportTest, Spec8ReadsRows) {
  auto rows = ImportAccessExport(
      "\xEF\xBB\xBF"
      "person id,app,instance,level\r\n"
      "E1,GitHub,acme-org,Write\r\n"
      "E2,salesforce,,standard user\r\n"
      "\r\n"
      "E3,Okta\r\n",
      "access.csv");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].person_id, "E1");
  EXPECT_EQ((*rows)[0].app, "GitHub");
  EXPECT_EQ((*rows)[0].instance, "acme-org");
  EXPECT_EQ((*rows)[0].level, "Write");
  EXPECT_EQ((*rows)[1].app, "salesforce");
  EXPECT_EQ((*rows)[1].instance, "");
  EXPECT_EQ((*rows)[1].level, "standard user");
  EXPECT_EQ((*rows)[2].person_id, "E3");
  EXPECT_EQ((*rows)[2].level, "");
  EXPECT_EQ(FormatSourceLocation((*rows)[2].location), "access.csv:5");
}

TEST(ImportAccessExportTest, Spec8HeaderSynonyms) {
  auto rows = ImportAccessExport(
      "Employee ID,Application,Tenant,Permission\nE1,AWS,prod,Admin\n",
      "a.csv");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].person_id, "E1");
  EXPECT_EQ((*rows)[0].app, "AWS");
  EXPECT_EQ((*rows)[0].instance, "prod");
  EXPECT_EQ((*rows)[0].level, "Admin");
}

TEST(ImportAccessExportErrorTest, Spec10EmptyFile) {
  EXPECT_EQ(
      AccessError("\n"),
      "access.csv:1:1: empty file; expected a header row for an access export");
}

TEST(ImportAccessExportErrorTest, Spec10MissingColumns) {
  EXPECT_EQ(AccessError("person id,level\nE1,Admin\n"),
            "access.csv:1:1: expected access export columns 'person id, app, "
            "instance, "
            "level'");
}

TEST(ImportAccessExportErrorTest, Spec10CellBeyondLastHeaderColumn) {
  EXPECT_EQ(AccessError("person id,app\nE1,Okta,User\n"),
            "access.csv:2:9: cell beyond the last header column (2 columns); "
            "expected "
            "the row to end or a header for this column");
}

TEST(ImportAccessExportErrorTest, Spec10EmptyPersonId) {
  EXPECT_EQ(AccessError("person id,app\n ,Okta\n"),
            "access.csv:2:1: expected a person id");
}

TEST(ImportAccessExportErrorTest, Spec10EmptyApp) {
  EXPECT_EQ(AccessError("person id,app,level\nE1,,User\n"),
            "access.csv:2:4: expected an app");
}

// ===========================================================================
// Format detection and matrix headers.

TEST(DetectRulesFormatTest, Spec12DetectsFromContent) {
  EXPECT_EQ(DetectRulesFormat("id,department,app,level\nR1,Sales,Okta,User\n"),
            RulesFormat::kRulesList);
  EXPECT_EQ(DetectRulesFormat("\xEF\xBB\xBF\n\nRule ID,Application\n"),
            RulesFormat::kRulesList);
  EXPECT_EQ(
      DetectRulesFormat("Department,Salesforce,Slack [corp]\nSales,x,x\n"),
      RulesFormat::kMatrix);
  // Only the first non-blank record is the header.
  EXPECT_EQ(DetectRulesFormat("Department,Zoom\napp,x\n"),
            RulesFormat::kMatrix);
  EXPECT_EQ(DetectRulesFormat(std::string("\x10\0\0\0BRSN\0\0", 10)),
            RulesFormat::kSnapshot);
  EXPECT_EQ(DetectRulesFormat(""), RulesFormat::kMatrix);
}

TEST(SplitAppHeaderTest, Spec8InstanceInBrackets) {
  std::string app, inst;
  SplitAppHeader("Slack [corp]", &app, &inst);
  EXPECT_EQ(app, "Slack");
  EXPECT_EQ(inst, "corp");
  SplitAppHeader("  M365[ eu ] ", &app, &inst);
  EXPECT_EQ(app, "M365");
  EXPECT_EQ(inst, "eu");
  SplitAppHeader("Salesforce", &app, &inst);
  EXPECT_EQ(app, "Salesforce");
  EXPECT_EQ(inst, "");
  SplitAppHeader("AWS [a] [b]", &app, &inst);
  EXPECT_EQ(app, "AWS [a]");
  EXPECT_EQ(inst, "b");
  SplitAppHeader("Odd]", &app, &inst);
  EXPECT_EQ(app, "Odd]");
  EXPECT_EQ(inst, "");
}

}  // namespace
}  // namespace birthright
