// The policy language (docs/policy-language.md): grammar, every error
// message with its file:line:col and caret excerpt (SPEC §10), limits
// (SPEC §10), canonical formatting and its idempotence, and the content hash
// (SPEC §9) staying put across formatting, comments and rule order.
#include "birthright/policy_text.h"

#include <algorithm>
#include <string>
#include <vector>

#include "birthright/import.h"
#include "birthright/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/random_policy.h"

namespace birthright {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Policy MustParse(std::string_view text) {
  absl::StatusOr<Policy> p = ParsePolicyText(text, "t.brp");
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : Policy{};
}

constexpr char kFull[] = R"(# The whole language in one file.
policy "acme-access" version "2.4"

attribute grade ordinal (L1, L2, L3)
attribute "job title" string
attribute manager string case-sensitive
attribute squads set
attribute start_date date

alias department "Eng" = Engineering

app Slack [corp] levels (Member, "Workspace Admin") default Member owner "it@acme" provisioning scim cost 8.75
app NetSuite levels ("AP Clerk", "AP Approver")
app Salesforce levels ("Read Only", Standard)

sod SOD1 NetSuite: "AP Clerk" with NetSuite: "AP Approver" message "clerks must not approve"

# Sales seniors.
rule R12 grant Salesforce: Standard scopes (emea, "north america")
  when department = Sales and job title starts with "Sr"
   and grade in L2..L3
  unless employment_type = Contractor  # trailing comment
  priority 10 expires contract_end from 2024-01-01 until 2024-12-31
  owner "sales-ops" note "line one\nline \"two\""

rule row-3 grant Slack [corp]: Member,
    NetSuite: "AP Clerk"
  when squads in (api, web)

rule D1 deny Slack
)";

// SPEC §1, §3, §4, §7, §9: every construct lands in the model.
TEST(PolicyTextGrammarTest, ParsesEveryConstruct) {
  absl::StatusOr<ParsedPolicyText> parsed =
      ParsePolicyTextWithComments(kFull, "acme.brp");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const Policy& p = parsed->policy;
  EXPECT_EQ(p.name, "acme-access");
  EXPECT_EQ(p.version, "2.4");
  ASSERT_EQ(p.schema.size(), 5u);
  EXPECT_EQ(p.schema[0].type, AttrType::kOrdinal);
  EXPECT_EQ(p.schema[0].order, (std::vector<std::string>{"L1", "L2", "L3"}));
  EXPECT_EQ(p.schema[1].name, "job title");
  EXPECT_TRUE(p.schema[2].case_sensitive);
  EXPECT_EQ(p.schema[3].type, AttrType::kSet);
  ASSERT_EQ(p.aliases.size(), 1u);
  EXPECT_EQ(p.aliases[0].alias, "Eng");
  EXPECT_EQ(p.aliases[0].canonical, "Engineering");
  ASSERT_EQ(p.catalog.size(), 3u);
  EXPECT_EQ(p.catalog[0].instance, "corp");
  EXPECT_EQ(p.catalog[0].levels,
            (std::vector<std::string>{"Member", "Workspace Admin"}));
  EXPECT_EQ(p.catalog[0].default_level, "Member");
  EXPECT_EQ(p.catalog[0].owner, "it@acme");
  EXPECT_EQ(p.catalog[0].provisioning, Provisioning::kScim);
  EXPECT_EQ(p.catalog[0].monthly_cost_cents, 875);
  ASSERT_EQ(p.sod.size(), 1u);
  EXPECT_EQ(p.sod[0].id, "SOD1");
  EXPECT_EQ(p.sod[0].first.level, "AP Clerk");
  EXPECT_EQ(p.sod[0].second.level, "AP Approver");
  EXPECT_EQ(p.sod[0].message, "clerks must not approve");
  ASSERT_EQ(p.rules.size(), 3u);
  const Rule& r = p.rules[0];
  EXPECT_EQ(r.id, "R12");
  EXPECT_EQ(r.effect, Effect::kGrant);
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].app, "Salesforce");
  EXPECT_EQ(r.targets[0].level, "Standard");
  EXPECT_EQ(r.targets[0].scopes,
            (std::vector<std::string>{"emea", "north america"}));
  ASSERT_EQ(r.conditions.size(), 3u);
  EXPECT_EQ(r.conditions[0].attribute, "department");
  EXPECT_EQ(r.conditions[0].predicate.op, PredicateOp::kAnyOf);
  EXPECT_EQ(r.conditions[1].attribute, "job title");
  EXPECT_EQ(r.conditions[1].predicate.op, PredicateOp::kStartsWith);
  EXPECT_EQ(r.conditions[2].predicate.op, PredicateOp::kRange);
  ASSERT_TRUE(r.unless.has_value());
  EXPECT_EQ(r.unless->attribute, "employment_type");
  EXPECT_EQ(r.priority, 10);
  EXPECT_EQ(r.expires.kind, Expiry::Kind::kAttribute);
  EXPECT_EQ(r.expires.attribute, "contract_end");
  EXPECT_EQ(FormatIsoDate(*r.effective_from), "2024-01-01");
  EXPECT_EQ(FormatIsoDate(*r.effective_until), "2024-12-31");
  EXPECT_EQ(r.owner, "sales-ops");
  EXPECT_EQ(r.notes, "line one\nline \"two\"");
  // A matrix-like row: several targets.
  ASSERT_EQ(p.rules[1].targets.size(), 2u);
  EXPECT_EQ(p.rules[1].targets[1].app, "NetSuite");
  EXPECT_EQ(p.rules[1].targets[1].level, "AP Clerk");
  EXPECT_EQ(p.rules[2].effect, Effect::kDeny);
  EXPECT_TRUE(p.rules[2].targets[0].level.empty());
  // Comments: the one above R12 and the trailing one inside it.
  ASSERT_GE(parsed->comments.rules.size(), 1u);
  EXPECT_EQ(
      parsed->comments.rules[0],
      (std::vector<std::string>{"# Sales seniors.", "# trailing comment"}));
  EXPECT_EQ(parsed->comments.policy,
            (std::vector<std::string>{"# The whole language in one file."}));
}

// SPEC §10: locations on every rule, id, condition, target and unless
// predicate, so `check` findings point into the file.
TEST(PolicyTextGrammarTest, SourceLocations) {
  const Policy p = MustParse(kFull);
  const Rule& r = p.rules[0];
  EXPECT_EQ(FormatSourceLocation(r.location), "t.brp:19");
  EXPECT_EQ(FormatSourceLocation(r.id_location), "t.brp:19:6");
  EXPECT_EQ(FormatSourceLocation(r.targets[0].location), "t.brp:19:16");
  EXPECT_EQ(FormatSourceLocation(r.conditions[0].location), "t.brp:20:8");
  EXPECT_EQ(FormatSourceLocation(r.conditions[1].location), "t.brp:20:31");
  EXPECT_EQ(FormatSourceLocation(r.conditions[2].location), "t.brp:21:8");
  EXPECT_EQ(FormatSourceLocation(r.unless_location), "t.brp:22:10");
  ASSERT_EQ(r.unless_predicate_locations.size(), 1u);
  EXPECT_EQ(FormatSourceLocation(r.unless_predicate_locations[0]),
            "t.brp:22:10");
  EXPECT_EQ(FormatSourceLocation(r.expires_location), "t.brp:23:23");
  EXPECT_EQ(FormatSourceLocation(p.rules[1].targets[1].location), "t.brp:27:5");
}

// SPEC §3: every cell form is expressible in `when`.
TEST(PolicyTextGrammarTest, EveryPredicateForm) {
  const Policy p = MustParse(
      "rule R1 grant A\n"
      "  when a = x and b in (x, \"y; z\") and c != x and d not in (x, y)\n"
      "   and e < 5 and f <= L7 and g > L4 and h >= 2023-01-01\n"
      "   and i in L3..L6 and j contains eng and k starts with Sr\n"
      "   and l ends with Manager and m matches /^(Staff|Principal) E$/\n"
      "   and n exists and o missing\n");
  ASSERT_EQ(p.rules.size(), 1u);
  const std::vector<PredicateOp> want = {
      PredicateOp::kAnyOf,    PredicateOp::kAnyOf,      PredicateOp::kNoneOf,
      PredicateOp::kNoneOf,   PredicateOp::kLess,       PredicateOp::kLessEq,
      PredicateOp::kGreater,  PredicateOp::kGreaterEq,  PredicateOp::kRange,
      PredicateOp::kContains, PredicateOp::kStartsWith, PredicateOp::kEndsWith,
      PredicateOp::kRegex,    PredicateOp::kExists,     PredicateOp::kMissing};
  ASSERT_EQ(p.rules[0].conditions.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(p.rules[0].conditions[i].predicate.op, want[i]) << i;
  }
  EXPECT_EQ(p.rules[0].conditions[1].predicate.values,
            (std::vector<std::string>{"x", "y; z"}));
  EXPECT_EQ(p.rules[0].conditions[12].predicate.values[0],
            "^(Staff|Principal) E$");
}

TEST(PolicyTextGrammarTest, KeywordsAreCaseInsensitiveAndLayoutIsFree) {
  const Policy p = MustParse(
      "RULE R1 GRANT Okta:User WHEN dept = x\n"
      "rule R2\n    deny\n  Okta\n");
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules[0].targets[0].level, "User");
  EXPECT_EQ(p.rules[1].effect, Effect::kDeny);
}

TEST(PolicyTextGrammarTest, QuotedKeywordsAreNames) {
  const Policy p = MustParse("rule \"rule\" grant \"default\": \"owner\"\n");
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(p.rules[0].id, "rule");
  EXPECT_EQ(p.rules[0].targets[0].app, "default");
  EXPECT_EQ(p.rules[0].targets[0].level, "owner");
}

TEST(PolicyTextGrammarTest, ExpiresDateOrAttribute) {
  const Policy p = MustParse(
      "rule R1 grant A\n  expires 2025-06-30\n"
      "rule R2 grant A\n  expires \"contract end\"\n");
  EXPECT_EQ(p.rules[0].expires.kind, Expiry::Kind::kDate);
  EXPECT_EQ(FormatIsoDate(p.rules[0].expires.date), "2025-06-30");
  EXPECT_EQ(p.rules[1].expires.kind, Expiry::Kind::kAttribute);
  EXPECT_EQ(p.rules[1].expires.attribute, "contract end");
}

// SPEC §12: --rules detects policy text from content.
TEST(PolicyTextGrammarTest, RulesFormatDetection) {
  EXPECT_EQ(DetectRulesFormat("# acme\npolicy acme version 1\n"),
            RulesFormat::kPolicyText);
  EXPECT_EQ(DetectRulesFormat("id,app\nR1,Okta\n"), RulesFormat::kRulesList);
  // A CSV header that starts with a keyword stays CSV.
  EXPECT_EQ(DetectRulesFormat("Rule ID,Application\n"),
            RulesFormat::kRulesList);
  EXPECT_EQ(DetectRulesFormat("rule R1 grant Okta, Slack [corp]\n"),
            RulesFormat::kPolicyText);
}

TEST(PolicyTextGrammarTest, DetectsPolicyText) {
  EXPECT_TRUE(LooksLikePolicyText("# c\n\nrule R1 grant A\n"));
  EXPECT_TRUE(LooksLikePolicyText("\xEF\xBB\xBFpolicy x\n"));
  EXPECT_FALSE(LooksLikePolicyText("id,app,level\nR1,A,\n"));
  EXPECT_FALSE(LooksLikePolicyText("rule,app\nR1,A\n"));
  EXPECT_FALSE(LooksLikePolicyText(""));
}

// ---------------------------------------------------------------------------
// Errors (SPEC §10): file:line:col, what was expected, and a caret excerpt.

struct ErrorCase {
  const char* text;
  const char* location;  // "t.brp:L:C"
  const char* message;   // A substring of the message.
};

class PolicyTextErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(PolicyTextErrorTest, PointsAtTheProblem) {
  const ErrorCase& c = GetParam();
  absl::StatusOr<Policy> p = ParsePolicyText(c.text, "t.brp");
  ASSERT_FALSE(p.ok()) << c.text;
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(p.status().message());
  EXPECT_THAT(msg, StartsWith(std::string(c.location) + ": ")) << msg;
  EXPECT_THAT(msg, HasSubstr(c.message)) << msg;
  // The caret excerpt: a second and third line, the caret last.
  EXPECT_EQ(std::count(msg.begin(), msg.end(), '\n'), 2) << msg;
  EXPECT_EQ(msg.back(), '^') << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Messages, PolicyTextErrorTest,
    ::testing::Values(
        ErrorCase{"bogus x\n", "t.brp:1:1",
                  "unexpected 'bogus'; expected a declaration"},
        ErrorCase{"rule R1 grnt Okta\n", "t.brp:1:9",
                  "expected 'grant' or 'deny' after the rule id, got 'grnt'"},
        ErrorCase{"rule R1 grant\n", "t.brp:2:1",
                  "expected an app name, got end of file"},
        ErrorCase{"rule R1 grant default\n", "t.brp:1:15",
                  "'default' is a keyword; quote it"},
        ErrorCase{"rule R1 grant Okta [corp\n", "t.brp:2:1",
                  "expected ']' to close the instance name"},
        ErrorCase{"rule R1 grant Okta: User extra\n", "t.brp:1:26",
                  "unexpected 'extra' in 'rule' declaration"},
        ErrorCase{"rule R1 grant Okta\n  when department = Sales or x = y\n",
                  "t.brp:2:8", "'when' takes predicates joined by 'and'"},
        ErrorCase{"rule R1 grant Okta\n  when not (department = Sales)\n",
                  "t.brp:2:8", "found 'not'"},
        ErrorCase{"rule R1 grant Okta\n  when department =\n", "t.brp:2:20",
                  "in 'when': expected a value after '='"},
        ErrorCase{"rule R1 grant Okta\n  when dept = a\n   and title starts\n",
                  "t.brp:3:20", "expected 'with' after 'starts'"},
        ErrorCase{"rule R1 grant Okta\n  when\n", "t.brp:2:8",
                  "expected a condition after 'when'"},
        ErrorCase{"rule R1 grant Okta\n  unless\n", "t.brp:2:10",
                  "expected an expression after 'unless'"},
        ErrorCase{"rule R1 grant Okta\n  unless (a = b\n", "t.brp:2:16",
                  "in 'unless': expected ')'"},
        ErrorCase{"rule R1 grant Okta\n  priority high\n", "t.brp:2:12",
                  "malformed priority 'high'"},
        ErrorCase{"rule R1 grant Okta\n  priority 1\n  priority 2\n",
                  "t.brp:3:3", "'priority' given twice in rule R1"},
        ErrorCase{"rule R1 grant Okta\n  expires 2025-13-01\n", "t.brp:2:11",
                  "malformed expiry '2025-13-01'"},
        ErrorCase{"rule R1 grant Okta\n  from 2025/01/01\n", "t.brp:2:8",
                  "malformed effective-from date '2025/01/01'"},
        ErrorCase{"rule R1 grant Okta\n  until soon\n", "t.brp:2:9",
                  "malformed effective-until date 'soon'"},
        ErrorCase{"rule R1 grant A\nrule R1 grant B\n", "t.brp:2:6",
                  "duplicate rule id 'R1' (first at t.brp:1:6)"},
        ErrorCase{"policy \"abc\n", "t.brp:1:8", "unterminated string"},
        ErrorCase{"policy \"a\\q\"\n", "t.brp:1:10", "unknown escape '\\q'"},
        ErrorCase{"policy a\npolicy b\n", "t.brp:2:1",
                  "second 'policy' declaration (first at line 1)"},
        ErrorCase{"attribute grade ordinal (L1, L2\n", "t.brp:2:1",
                  "expected ',' or ')' in the list of ordinal values"},
        ErrorCase{"attribute dept float\n", "t.brp:1:16",
                  "expected a type (string, int, date, ordinal or set)"},
        ErrorCase{"attribute dept string (a, b)\n", "t.brp:1:23",
                  "only meaningful for an ordinal attribute"},
        ErrorCase{"attribute dept string\nattribute Dept int\n", "t.brp:2:11",
                  "attribute 'Dept' declared twice (first at line 1)"},
        ErrorCase{"attribute x string case insensitive\n", "t.brp:1:25",
                  "expected 'sensitive' after 'case'"},
        ErrorCase{"alias department Eng Engineering\n", "t.brp:1:22",
                  "expected '=' between the alias and its canonical value"},
        ErrorCase{"app Okta levels (User, user)\n", "t.brp:1:24",
                  "level 'user' listed twice"},
        ErrorCase{"app Okta levels (User) default Admin\n", "t.brp:1:32",
                  "default level 'Admin' is not one of this app's levels"},
        ErrorCase{"app Okta levels (User) provisioning fax\n", "t.brp:1:37",
                  "unknown provisioning 'fax'"},
        ErrorCase{"app Okta levels (User) cost 1.234\n", "t.brp:1:29",
                  "malformed monthly cost '1.234'"},
        ErrorCase{"app Okta levels (User) cost 1 cost 2\n", "t.brp:1:31",
                  "'cost' given twice for this app"},
        ErrorCase{"app Okta users (User)\n", "t.brp:1:10",
                  "expected 'levels (LOW, ..., HIGH)'"},
        ErrorCase{"app Okta levels (A)\napp okta levels (B)\n", "t.brp:2:5",
                  "duplicate app okta (first at line 1)"},
        ErrorCase{"sod S1 NetSuite: \"AP Clerk\" NetSuite\n", "t.brp:1:29",
                  "expected 'with' between the two entitlements"},
        ErrorCase{"sod S1 A with B\nsod S1 C with D\n", "t.brp:2:5",
                  "duplicate sod id 'S1'"},
        ErrorCase{"rule R1 grant Okta\n  owner\n", "t.brp:3:1",
                  "expected the owner, got end of file"},
        ErrorCase{"rule R1 grant A \\\n", "t.brp:1:17",
                  "unexpected '\\' outside a quoted string"},
        ErrorCase{"attribute \"--\" string\n", "t.brp:1:11",
                  "expected an attribute name with letters or digits"},
        ErrorCase{"attribute x\n", "t.brp:2:1",
                  "expected a type (string, int, date, ordinal or set), got "
                  "end of file"},
        ErrorCase{"alias dept \"\" = x\n", "t.brp:1:12",
                  "expected a non-empty alias value"},
        ErrorCase{"alias dept x = \" \"\n", "t.brp:1:16",
                  "expected a non-empty canonical value"},
        ErrorCase{"policy \"a\\", "t.brp:1:10", "unterminated string escape"},
        ErrorCase{"rule \"\" grant A\n", "t.brp:1:6",
                  "expected a non-empty rule id"},
        ErrorCase{"rule R1 grant \"\"\n", "t.brp:1:15",
                  "expected a non-empty app name"},
        ErrorCase{"rule R1 grant A:\n", "t.brp:2:1",
                  "expected a level after ':', got end of file"},
        ErrorCase{"rule R1 grant A scopes x\n", "t.brp:1:24",
                  "expected '(' to start the list of scopes"},
        ErrorCase{"rule R1 grant A\n  expires \"--\"\n", "t.brp:2:11",
                  "expected a date attribute name"},
        ErrorCase{"app A levels (x) default\n", "t.brp:2:1",
                  "expected the default level, got end of file"},
        ErrorCase{"rule R1 grant A\n  when a = \"x\n", "t.brp:2:12",
                  "in 'when': unterminated quoted value"}));

TEST(PolicyTextErrorTest, CaretExcerptLinesUp) {
  absl::StatusOr<Policy> p =
      ParsePolicyText("rule R1 grant Okta\n\tpriority high\n", "f.brp");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "f.brp:2:11: malformed priority 'high'; expected an integer "
            "between -1000000000 and 1000000000\n"
            "  \tpriority high\n"
            "  \t         ^");
}

TEST(PolicyTextErrorTest, CaretAfterUtf8CountsCharacters) {
  EXPECT_EQ(FormatCaretError("app \xC3\x89t\xC3\xA9 x\n", "f", 1, 10, "m"),
            "f:1:10: m\n  app \xC3\x89t\xC3\xA9 x\n         ^");
}

// ---------------------------------------------------------------------------
// Limits (SPEC §10; docs/limits.md): ResourceExhausted with a location.

TEST(PolicyTextLimitsTest, FileSize) {
  PolicyTextLimits l;
  l.max_file_bytes = 10;
  absl::StatusOr<Policy> p = ParsePolicyText("rule R1 grant Okta\n", "t", l);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(p.status().message()), HasSubstr("limit 10 bytes"));
}

TEST(PolicyTextLimitsTest, RuleCount) {
  PolicyTextLimits l;
  l.max_rules = 2;
  absl::StatusOr<Policy> p = ParsePolicyText(
      "rule R1 grant A\nrule R2 grant A\nrule R3 grant A\n", "t", l);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(p.status().message()),
              StartsWith("t:3:1: too many rules (limit 2)"));
}

TEST(PolicyTextLimitsTest, TargetsPerRule) {
  PolicyTextLimits l;
  l.max_targets_per_rule = 2;
  absl::StatusOr<Policy> p = ParsePolicyText("rule R1 grant A, B, C\n", "t", l);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(p.status().message()),
              StartsWith("t:1:21: too many targets in one rule (limit 2)"));
}

TEST(PolicyTextLimitsTest, ListValues) {
  PolicyTextLimits l;
  l.max_list_values = 2;
  absl::StatusOr<Policy> p =
      ParsePolicyText("app A levels (x, y, z)\n", "t", l);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(p.status().message()),
              StartsWith("t:1:21: too many levels"));
}

TEST(PolicyTextLimitsTest, StringLength) {
  PolicyTextLimits l;
  l.max_string_bytes = 8;
  absl::StatusOr<Policy> p = ParsePolicyText("policy \"123456789\"\n", "t", l);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(p.status().message()),
              StartsWith("t:1:8: string longer"));
}

TEST(PolicyTextLimitsTest, NestingDepth) {
  std::string deep = "rule R1 grant A\n  unless ";
  for (int i = 0; i < 100; ++i) deep += "(";
  deep += "a = b";
  for (int i = 0; i < 100; ++i) deep += ")";
  absl::StatusOr<Policy> p = ParsePolicyText(deep + "\n", "t");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(p.status().message()),
              HasSubstr("nested too deeply (limit 64)"));
  EXPECT_THAT(std::string(p.status().message()), StartsWith("t:2:"));
}

TEST(PolicyTextLimitsTest, Declarations) {
  PolicyTextLimits l;
  l.max_declarations = 1;
  absl::StatusOr<Policy> p =
      ParsePolicyText("alias a b = c\nalias a d = e\n", "t", l);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kResourceExhausted);
}

// ---------------------------------------------------------------------------
// Formatting.

TEST(PolicyTextFormatTest, CanonicalForm) {
  const Policy p = MustParse(kFull);
  EXPECT_EQ(FormatPolicyText(p),
            R"(policy acme-access version 2.4

attribute grade ordinal (L1, L2, L3)
attribute "job title" string
attribute manager string case-sensitive
attribute squads set
attribute start_date date

alias department Eng = Engineering

app Slack [corp] levels (Member, "Workspace Admin") default Member owner it@acme provisioning scim cost 8.75
app NetSuite levels ("AP Clerk", "AP Approver")
app Salesforce levels ("Read Only", Standard)

sod SOD1 NetSuite: "AP Clerk" with NetSuite: "AP Approver" message "clerks must not approve"

rule R12 grant Salesforce: Standard scopes (emea, "north america")
  when department = Sales
   and job title starts with Sr
   and grade in L2..L3
  unless employment_type = Contractor
  priority 10
  expires contract_end
  from 2024-01-01
  until 2024-12-31
  owner sales-ops
  note "line one\nline \"two\""

rule row-3 grant Slack [corp]: Member,
    NetSuite: "AP Clerk"
  when squads in (api, web)

rule D1 deny Slack
)");
}

TEST(PolicyTextFormatTest, CommentsArePreserved) {
  absl::StatusOr<ParsedPolicyText> parsed =
      ParsePolicyTextWithComments(kFull, "t.brp");
  ASSERT_TRUE(parsed.ok());
  const std::string once = FormatPolicyText(parsed->policy, &parsed->comments);
  EXPECT_THAT(once, StartsWith("# The whole language in one file.\npolicy"));
  EXPECT_THAT(once,
              HasSubstr("# Sales seniors.\n# trailing comment\nrule R12"));
  absl::StatusOr<ParsedPolicyText> again =
      ParsePolicyTextWithComments(once, "t.brp");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(FormatPolicyText(again->policy, &again->comments), once);
}

TEST(PolicyTextFormatTest, TrailingCommentsStayAtTheEnd) {
  absl::StatusOr<ParsedPolicyText> parsed =
      ParsePolicyTextWithComments("rule R1 grant A\n# the end\n", "t");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(FormatPolicyText(parsed->policy, &parsed->comments),
            "rule R1 grant A\n\n# the end\n");
}

TEST(PolicyTextFormatTest, EmptyPolicyNameKeepsItsLineAndComment) {
  absl::StatusOr<ParsedPolicyText> parsed =
      ParsePolicyTextWithComments("# top\npolicy \"\"\nrule R1 grant A\n", "t");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const std::string once = FormatPolicyText(parsed->policy, &parsed->comments);
  EXPECT_EQ(once, "# top\npolicy \"\"\n\nrule R1 grant A\n");
  absl::StatusOr<ParsedPolicyText> again =
      ParsePolicyTextWithComments(once, "t");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(FormatPolicyText(again->policy, &again->comments), once);
}

TEST(PolicyTextFormatTest, QuotesWhatNeedsQuoting) {
  Policy p;
  Rule r;
  r.id = "R 1";
  Target t;
  t.app = "with";
  t.level = "a:b";
  t.scopes = {"x,y"};
  r.targets.push_back(t);
  Condition c;
  c.attribute = "cost in usd";  // `in` is an operator word: printed with _.
  c.predicate.op = PredicateOp::kAnyOf;
  c.predicate.values = {"not here", "a|b", "R&D; Labs", " padded "};
  r.conditions.push_back(c);
  p.rules.push_back(r);
  const std::string text = FormatPolicyText(p);
  EXPECT_EQ(text,
            "rule \"R 1\" grant \"with\": \"a:b\" scopes (\"x,y\")\n"
            "  when cost_in_usd in (\"not here\", \"a|b\", \"R&D; Labs\", "
            "\" padded \")\n");
  const Policy back = MustParse(text);
  EXPECT_EQ(PolicyContentHash(back), PolicyContentHash(p));
  EXPECT_EQ(back.rules[0].conditions[0].predicate.values, c.predicate.values);
}

// Single-child and/or nodes (which the expression parser never builds)
// print as their child; the hash (SPEC §9) sees them as different trees, so
// the random policies are normalized before hashes are compared.
void CollapseSingletons(Expr* e) {
  for (Expr& c : e->children) CollapseSingletons(&c);
  if ((e->kind == Expr::Kind::kAnd || e->kind == Expr::Kind::kOr) &&
      e->children.size() == 1) {
    Expr only = std::move(e->children[0]);
    *e = std::move(only);
  }
}

Policy Normalized(Policy p) {
  for (Rule& r : p.rules) {
    if (r.unless) CollapseSingletons(&*r.unless);
  }
  return p;
}

// fmt is idempotent and parse(format(p)) keeps the content hash (SPEC §9),
// on random policies of every shape (tests/testing/random_policy.h).
TEST(PolicyTextFormatTest, RoundTripOnRandomPolicies) {
  int checked = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    testing::RandomPolicyOptions o;
    o.rules = 5 + static_cast<int>(seed % 40);
    o.people = 0;
    o.realistic = seed % 3 == 0;
    o.with_sets = seed % 4 != 0;
    testing::RandomWorld w = testing::MakeRandomWorld(seed, o);
    w.policy.sod.push_back(SodConstraint{"S" + std::to_string(seed),
                                         {"App0", "inst1", "Write"},
                                         {"App1", "", ""},
                                         "no \"both\"",
                                         {}});
    const std::string once = FormatPolicyText(w.policy);
    absl::StatusOr<Policy> back = ParsePolicyText(once, "r.brp");
    ASSERT_TRUE(back.ok()) << "seed " << seed << ": " << back.status() << "\n"
                           << once;
    EXPECT_EQ(PolicyContentHash(*back), PolicyContentHash(Normalized(w.policy)))
        << "seed " << seed << "\n"
        << once;
    EXPECT_EQ(FormatPolicyText(*back), once) << "seed " << seed;
    EXPECT_EQ(back->name, w.policy.name);
    EXPECT_EQ(back->version, w.policy.version);
    ASSERT_EQ(back->rules.size(), w.policy.rules.size());
    if (HasFailure()) return;
    ++checked;
  }
  EXPECT_EQ(checked, 300);
}

// SPEC §9: the hash ignores layout, comments and rule order.
TEST(PolicyTextHashTest, StableUnderLayoutCommentsAndOrder) {
  const Policy a = MustParse(
      "policy p version 1\n"
      "rule R1 grant A: x\n  when dept = Sales and grade >= L3\n"
      "rule R2 deny B\n  unless t = c\n");
  const Policy b = MustParse(
      "# reordered, reformatted, commented\n"
      "rule R2 deny B unless t = c   # why\n"
      "policy p version 1\n"
      "rule R1\n grant\n A : x\n  when grade >= L3\n   and dept = \"sales\"\n");
  EXPECT_EQ(PolicyContentHash(a), PolicyContentHash(b));
  const Policy c = MustParse(
      "rule R1 grant A: x\n  when dept = Sales and grade >= L4\n"
      "rule R2 deny B\n  unless t = c\n");
  EXPECT_NE(PolicyContentHash(a), PolicyContentHash(c));
}

// Hostile input: byte mutations of valid files never crash, and whatever
// parses formats to a fixed point with the same hash (SPEC §10).
TEST(PolicyTextRobustnessTest, MutationsParseOrFailCleanly) {
  testing::RandomPolicyOptions o;
  o.rules = 12;
  o.people = 0;
  const std::string bases[] = {
      FormatPolicyText(testing::MakeRandomWorld(7, o).policy), kFull};
  testing::Rng rng(42);
  const std::string alphabet = " \n\"#()[],:=\\/abcLR1-.";
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = bases[i % 2];
    const int edits = 1 + rng.Uniform(4);
    for (int e = 0; e < edits; ++e) {
      const int pos = rng.Uniform(static_cast<int>(text.size()));
      switch (rng.Uniform(3)) {
        case 0:
          text[pos] = alphabet[rng.Uniform(static_cast<int>(alphabet.size()))];
          break;
        case 1:
          text.erase(pos, 1 + rng.Uniform(8));
          break;
        default:
          text.insert(pos, 1,
                      alphabet[rng.Uniform(static_cast<int>(alphabet.size()))]);
      }
    }
    absl::StatusOr<ParsedPolicyText> p = ParsePolicyTextWithComments(text, "m");
    if (!p.ok()) {
      EXPECT_THAT(std::string(p.status().message()), StartsWith("m:"))
          << "iteration " << i;
      continue;
    }
    ++parsed;
    const std::string once = FormatPolicyText(p->policy, &p->comments);
    absl::StatusOr<ParsedPolicyText> again =
        ParsePolicyTextWithComments(once, "m");
    ASSERT_TRUE(again.ok())
        << "iteration " << i << ": " << again.status() << "\n--- input\n"
        << text;
    EXPECT_EQ(FormatPolicyText(again->policy, &again->comments), once)
        << "iteration " << i;
    EXPECT_EQ(PolicyContentHash(again->policy), PolicyContentHash(p->policy))
        << "iteration " << i << "\n--- input\n"
        << text;
    if (HasFailure()) return;
  }
  EXPECT_GT(parsed, 100);
}

}  // namespace
}  // namespace birthright
