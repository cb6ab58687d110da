// Person deltas, HR-sync classification, routing and time-bound access on a
// small hand-written policy (SPEC §6, §11). Every delta is computed on the
// compiled DAG and checked against the reference twin.
#include "birthright/delta.h"

#include <memory>
#include <string>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/import.h"
#include "birthright/reference_evaluator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace birthright {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kCatalog[] =
    "app,instance,levels,default level,owner,provisioning,monthly cost\n"
    "GitHub,,Read;Write;Admin,,eng@x.example,scim,21.00\n"
    "Slack,corp,Member;Admin,,it@x.example,scim,8.75\n"
    "Slack,guests,Member;Admin,,it@x.example,scim,0.00\n"
    "NetSuite,,Clerk;Approver,,fin@x.example,manual,129.00\n"
    "Carta,,Viewer;Editor,,,,\n"
    "Okta,,User;Admin,,it@x.example,api,6.00\n";
constexpr char kSchema[] =
    "attribute,type,order,case sensitive\n"
    "department,string,,no\n"
    "location,string,,no\n"
    "grade,ordinal,L1;L2;L3,no\n"
    "contract end,date,,no\n"
    "start date,date,,no\n"
    "termination date,date,,no\n";
constexpr char kAliases[] =
    "attribute,alias,canonical\n"
    "location,NYC,New York\n";
constexpr char kRules[] =
    "id,department,location,grade,start "
    "date,app,instance,level,scopes,effect,unless,expires,"
    "effective from,effective until\n"
    "R1,,,,,Okta,,User,,grant,,,,\n"
    "R2,Engineering,,,,GitHub,,Write,eng,grant,,,,\n"
    "R3,Sales,,,,GitHub,,Read,,grant,,,,\n"
    "R4,,New York,,,Slack,corp,Member,ny,grant,,,,\n"
    "R5,Finance,,,,NetSuite,,Clerk,,grant,,contract end,,\n"
    "R6,,,,>= 2026-09-01,Slack,corp,Member,new-hires,grant,termination date "
    "exists,,,\n"
    "R7,Finance,,,,Carta,,Viewer,,grant,,,2026-12-01,2026-12-20\n";

const Date kAsOf = *ParseIsoDate("2026-11-26");

Person P(const std::string& id,
         std::vector<std::pair<std::string, std::string>> attrs) {
  Person p;
  p.id = id;
  p.attributes = std::move(attrs);
  return p;
}

class DeltaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Policy policy;
    policy.name = "tiny";
    policy.version = "v1";
    ASSERT_TRUE(ImportSchema(kSchema, "schema.csv", &policy).ok());
    ASSERT_TRUE(ImportCatalog(kCatalog, "catalog.csv", &policy).ok());
    ASSERT_TRUE(ImportAliases(kAliases, "aliases.csv", &policy).ok());
    absl::Status s = ImportRulesList(kRules, "rules.csv", &policy, nullptr);
    ASSERT_TRUE(s.ok()) << s;
    auto bound = BoundPolicy::Bind(policy, nullptr, BindOptions{});
    ASSERT_TRUE(bound.ok()) << bound.status();
    bound_ = std::move(*bound);
    auto compiled = CompiledPolicy::Compile(bound_);
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    compiled_ = std::move(*compiled);
  }

  // The fast delta, after checking it against the oracle and the SPEC §6
  // invariant (before + delta == after).
  PersonDelta D(const Person* before, const Person* after,
                Date before_as_of = kAsOf, Date as_of = kAsOf) {
    const PersonDelta fast =
        Delta(*compiled_, before, after, before_as_of, as_of);
    const PersonDelta ref =
        DeltaReference(*bound_, before, after, before_as_of, as_of);
    EXPECT_EQ(PersonDeltaToJson(fast), PersonDeltaToJson(ref));
    const std::vector<Entitlement> b =
        before ? EvaluateReference(*bound_, *before, before_as_of).entitlements
               : std::vector<Entitlement>{};
    const std::vector<Entitlement> a =
        after ? EvaluateReference(*bound_, *after, as_of).entitlements
              : std::vector<Entitlement>{};
    EXPECT_EQ(ApplyDelta(b, fast), a);
    if (fast.kind == DeltaKind::kUnchanged) {
      EXPECT_FALSE(fast.has_actions());
    }
    return fast;
  }

  std::shared_ptr<const BoundPolicy> bound_;
  std::unique_ptr<CompiledPolicy> compiled_;
};

std::vector<std::string> Apps(const std::vector<Entitlement>& v) {
  std::vector<std::string> out;
  for (const Entitlement& e : v)
    out.push_back(e.instance.empty() ? e.app : e.app + "/" + e.instance);
  return out;
}

// --- DiffEntitlements / ApplyDelta -----------------------------------------

Entitlement E(std::string app, std::string instance, std::string level,
              std::vector<std::string> scopes = {},
              std::vector<std::string> reasons = {"R1"}) {
  Entitlement e;
  e.app = std::move(app);
  e.instance = std::move(instance);
  e.level = std::move(level);
  e.scopes = std::move(scopes);
  e.reasons = std::move(reasons);
  return e;
}

TEST(DiffEntitlementsTest, SortsActionsAndTreatsReasonOnlyDifferencesAsKeep) {
  const std::vector<Entitlement> before = {
      E("A", "", "Read"), E("B", "x", "Member", {"s1"}), E("C", "", "User"),
      E("D", "", "Read", {}, {"R9"})};
  std::vector<Entitlement> after = {
      E("B", "x", "Member", {"s1", "s2"}), E("C", "", "User"),
      E("D", "", "Read", {}, {"R10"}), E("E", "", "Viewer")};
  PersonDelta d;
  DiffEntitlements(before, after, &d);
  EXPECT_THAT(Apps(d.add), ElementsAre("E"));
  EXPECT_THAT(Apps(d.remove), ElementsAre("A"));
  ASSERT_EQ(d.change.size(), 1u);
  EXPECT_EQ(d.change[0].from.scopes, (std::vector<std::string>{"s1"}));
  EXPECT_EQ(d.change[0].to.scopes, (std::vector<std::string>{"s1", "s2"}));
  // D differs only in reasons: nothing to provision, and `keep` carries the
  // after entitlement (current reasons).
  EXPECT_THAT(Apps(d.keep), ElementsAre("C", "D"));
  EXPECT_EQ(d.keep[1].reasons, (std::vector<std::string>{"R10"}));
  EXPECT_EQ(ApplyDelta(before, d), after);
}

TEST(DiffEntitlementsTest, ExpiryOnlyIsAChangeAndNamesMatchCaseInsensitively) {
  Entitlement b = E("GitHub", "", "Read");
  b.expires = ParseIsoDate("2026-12-15");
  Entitlement a = E("github", "", "read");
  a.expires = ParseIsoDate("2027-03-31");
  PersonDelta d;
  DiffEntitlements({b}, {a}, &d);
  ASSERT_EQ(d.change.size(),
            1u);  // A contract extension is a provisioning action.
  a.expires = b.expires;
  DiffEntitlements({b}, {a}, &d);
  EXPECT_THAT(Apps(d.keep), ElementsAre("github"));
  EXPECT_THAT(d.change, IsEmpty());
}

TEST(PersonDeltaJsonTest, KeysInSpec11Order) {
  PersonDelta d;
  d.person_id = "E1";
  d.kind = DeltaKind::kMover;
  d.add = {E("A", "", "Read")};
  Entitlement to = E("B", "x", "Admin");
  to.expires = ParseIsoDate("2027-01-31");
  d.change = {EntitlementChange{E("B", "x", "Member"), to}};
  EXPECT_EQ(PersonDeltaToJson(d),
            "{\"person\":\"E1\",\"kind\":\"mover\","
            "\"add\":[{\"app\":\"A\",\"instance\":\"\",\"level\":\"Read\","
            "\"scopes\":[],"
            "\"expires\":null,\"reasons\":[\"R1\"]}],"
            "\"remove\":[],"
            "\"change\":[{\"app\":\"B\",\"instance\":\"x\","
            "\"from\":{\"app\":\"B\",\"instance\":\"x\",\"level\":\"Member\","
            "\"scopes\":[],"
            "\"expires\":null,\"reasons\":[\"R1\"]},"
            "\"to\":{\"app\":\"B\",\"instance\":\"x\",\"level\":\"Admin\","
            "\"scopes\":[],"
            "\"expires\":\"2027-01-31\",\"reasons\":[\"R1\"]}}],"
            "\"keep\":[]}");
}

// --- Classification (SPEC §6) ----------------------------------------------

TEST_F(DeltaTest, CaseOnlyWhitespaceAndAliasEditsAreUnchanged) {
  const Person before =
      P("E1", {{"department", "engineering"}, {"location", "NYC"}});
  const Person after =
      P("E1", {{"Department", "  ENGINEERING "}, {"location", "new york"}});
  const PersonDelta d = D(&before, &after);
  EXPECT_EQ(d.kind, DeltaKind::kUnchanged);
  EXPECT_THAT(Apps(d.keep), ElementsAre("GitHub", "Okta", "Slack/corp"));
  EXPECT_FALSE(AttributesDiffer(*bound_, before, after));
}

TEST_F(DeltaTest, ColumnsThePolicyNeverReadsDoNotMakeAMover) {
  const Person before = P("E1", {{"name", "Ann Lee"}, {"department", "Sales"}});
  const Person after =
      P("E1", {{"name", "Ann Lee-Park"}, {"department", "Sales"}});
  EXPECT_EQ(D(&before, &after).kind, DeltaKind::kUnchanged);
}

TEST_F(DeltaTest, UnparseableToEmptyIsNoChange) {
  // Both are missing to the evaluator (SPEC §2), so nothing the policy
  // reads has changed.
  const Person before = P("E1", {{"department", "Sales"}, {"grade", "n/a"}});
  const Person after = P("E1", {{"department", "Sales"}, {"grade", ""}});
  EXPECT_EQ(D(&before, &after).kind, DeltaKind::kUnchanged);
}

TEST_F(DeltaTest, MoverCarriesAddsRemovesAndChangesWithReasons) {
  const Person before =
      P("E1", {{"department", "Engineering"}, {"location", "Austin"}});
  const Person after = P("E1", {{"department", "Sales"}, {"location", "NYC"}});
  const PersonDelta d = D(&before, &after);
  EXPECT_EQ(d.kind, DeltaKind::kMover);
  EXPECT_THAT(Apps(d.add), ElementsAre("Slack/corp"));
  ASSERT_EQ(d.change.size(), 1u);
  EXPECT_EQ(d.change[0].from.level, "Write");
  EXPECT_EQ(d.change[0].from.reasons, (std::vector<std::string>{"R2"}));
  EXPECT_EQ(d.change[0].to.level, "Read");
  EXPECT_EQ(d.change[0].to.reasons, (std::vector<std::string>{"R3"}));
  EXPECT_THAT(Apps(d.keep), ElementsAre("Okta"));
}

TEST_F(DeltaTest, ContractExtensionIsAChangeOfExpiry) {
  const Person before =
      P("E1", {{"department", "Finance"}, {"contract end", "2026-12-15"}});
  const Person after =
      P("E1", {{"department", "Finance"}, {"contract end", "2027-03-31"}});
  const PersonDelta d = D(&before, &after);
  EXPECT_EQ(d.kind, DeltaKind::kMover);
  ASSERT_EQ(d.change.size(), 1u);
  EXPECT_EQ(d.change[0].to.app, "NetSuite");
  EXPECT_EQ(FormatIsoDate(*d.change[0].from.expires), "2026-12-15");
  EXPECT_EQ(FormatIsoDate(*d.change[0].to.expires), "2027-03-31");
}

TEST_F(DeltaTest, AttributeChangeWithoutAccessChangeIsAMoverWithNoActions) {
  const Person before = P("E1", {{"department", "Sales"}, {"grade", "L1"}});
  const Person after = P("E1", {{"department", "Sales"}, {"grade", "L2"}});
  const PersonDelta d = D(&before, &after);
  EXPECT_EQ(d.kind, DeltaKind::kMover);
  EXPECT_FALSE(d.has_actions());
}

TEST_F(DeltaTest, JoinersAndLeaversAgainstTheEmptyPerson) {
  const Person p = P("E1", {{"department", "Sales"}});
  const PersonDelta joiner = D(nullptr, &p);
  EXPECT_EQ(joiner.kind, DeltaKind::kJoiner);
  EXPECT_THAT(Apps(joiner.add), ElementsAre("GitHub", "Okta"));
  const PersonDelta leaver = D(&p, nullptr);
  EXPECT_EQ(leaver.kind, DeltaKind::kLeaver);
  EXPECT_THAT(Apps(leaver.remove), ElementsAre("GitHub", "Okta"));
  EXPECT_EQ(leaver.person_id, "E1");
}

TEST_F(DeltaTest, TerminationTransitions) {
  const Person active = P("E1", {{"department", "Sales"}});
  const Person gone =
      P("E1", {{"department", "Sales"}, {"termination date", "2026-11-20"}});
  const Person gone_moved =
      P("E1", {{"department", "Finance"}, {"termination date", "2026-11-20"}});
  const Person last_day =
      P("E1", {{"department", "Sales"}, {"termination date", "2026-11-26"}});
  // Active in before, terminated in after (HR keeps terminated people).
  const PersonDelta leaver = D(&active, &gone);
  EXPECT_EQ(leaver.kind, DeltaKind::kLeaver);
  EXPECT_THAT(Apps(leaver.remove), ElementsAre("GitHub", "Okta"));
  // Terminated in before, active in after: a rehire is a joiner.
  EXPECT_EQ(D(&gone, &active).kind, DeltaKind::kJoiner);
  // Terminated on both sides: nothing to provision, whatever HR edited.
  EXPECT_EQ(D(&gone, &gone_moved).kind, DeltaKind::kUnchanged);
  // A record that first appears already terminated, or disappears after
  // termination, has nothing to add or revoke.
  EXPECT_EQ(D(nullptr, &gone).kind, DeltaKind::kUnchanged);
  EXPECT_EQ(D(&gone, nullptr).kind, DeltaKind::kUnchanged);
  // SPEC §4.0: on the termination date itself the person still has access;
  // giving notice is an attribute change, not a leaver.
  const PersonDelta notice = D(&active, &last_day);
  EXPECT_EQ(notice.kind, DeltaKind::kMover);
  EXPECT_FALSE(notice.has_actions());
}

TEST_F(DeltaTest, TwoDatesMakeTimeDrivenChangesPartOfTheDelta) {
  const Person p =
      P("E1", {{"department", "Finance"}, {"contract end", "2026-11-28"}});
  // One date: HR did not edit anything, so nothing happens.
  EXPECT_EQ(D(&p, &p).kind, DeltaKind::kUnchanged);
  // Before export on 11-26, after export on 12-03: the contract lapsed and
  // the Carta window (R7, from 12-01) opened. Reported as a mover so no
  // action hides under "unchanged".
  const PersonDelta d = D(&p, &p, kAsOf, *ParseIsoDate("2026-12-03"));
  EXPECT_EQ(d.kind, DeltaKind::kMover);
  EXPECT_THAT(Apps(d.remove), ElementsAre("NetSuite"));
  EXPECT_THAT(Apps(d.add), ElementsAre("Carta"));
}

// Regression: CompiledPolicy::SlotsOf routes a `termination date` column
// only to the termination slot, so a rule that reads it as an attribute
// (R6: `unless termination date exists`) saw it missing on the DAG path.
// The delta stage fills both slots, as BindPerson does.
TEST_F(DeltaTest, TerminationDateAttributeReachesRulesOnTheFastPath) {
  const Person fixed_term = P("E1", {{"start date", "2026-10-01"},
                                     {"location", "Austin"},
                                     {"termination date", "2027-06-30"}});
  const PersonDelta d = D(nullptr, &fixed_term);
  EXPECT_EQ(d.kind, DeltaKind::kJoiner);
  EXPECT_THAT(Apps(d.add),
              ElementsAre("Okta"));  // No onboarding channels (R6 unless).
}

// --- HR sync ---------------------------------------------------------------

TEST_F(DeltaTest, HrSyncSortsIdsByCodePointAndCoversEitherInput) {
  Population before, after;
  before.file = "mon.csv";
  after.file = "tue.csv";
  before.people = {P("b", {{"department", "Sales"}}),
                   P("a10", {{"department", "Sales"}}),
                   P("\xC3\xA9", {{"department", "Sales"}})};
  after.people = {P("B", {{"department", "Sales"}}),
                  P("a9", {{"department", "Sales"}}),
                  P("b", {{"department", "SALES"}})};
  HrSyncOptions options;
  options.as_of = kAsOf;
  auto fast = HrSync(*compiled_, before, after, options);
  ASSERT_TRUE(fast.ok()) << fast.status();
  std::vector<std::string> ids;
  std::vector<DeltaKind> kinds;
  for (const PersonDelta& d : *fast) {
    ids.push_back(d.person_id);
    kinds.push_back(d.kind);
  }
  EXPECT_THAT(ids, ElementsAre("B", "a10", "a9", "b", "\xC3\xA9"));
  EXPECT_THAT(kinds, ElementsAre(DeltaKind::kJoiner, DeltaKind::kLeaver,
                                 DeltaKind::kJoiner, DeltaKind::kUnchanged,
                                 DeltaKind::kLeaver));
  auto ref = HrSyncReference(*bound_, before, after, options);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(*fast, *ref);
  options.threads = 4;
  auto threaded = HrSync(*compiled_, before, after, options);
  ASSERT_TRUE(threaded.ok());
  EXPECT_EQ(*threaded, *fast);
}

TEST_F(DeltaTest, HrSyncRejectsDuplicateIds) {
  Population before, after;
  before.file = "mon.csv";
  before.people = {P("E1", {}), P("E1", {})};
  HrSyncOptions options;
  options.as_of = kAsOf;
  auto r = HrSync(*compiled_, before, after, options);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::HasSubstr("duplicate person id 'E1'"));
}

// --- Routing and summary ---------------------------------------------------

TEST_F(DeltaTest, InstanceIndexMatchesLikeTheEvaluator) {
  const InstanceIndex index(*bound_);
  ASSERT_NE(index.FindInstance("github", ""), nullptr);
  EXPECT_EQ(index.FindInstance("github", "")->app, "GitHub");
  EXPECT_EQ(index.FindInstance("SLACK", "Corp")->instance, "corp");
  EXPECT_EQ(index.FindInstance("Slack", ""),
            nullptr);  // Two instances: ambiguous.
  EXPECT_EQ(index.FindInstance("Jira", ""), nullptr);
  EXPECT_TRUE(index.HasApp("slack"));
  EXPECT_FALSE(index.HasApp("jira"));
}

TEST_F(DeltaTest, SummaryCountsManualTasksPerOwnerAndLicenseCost) {
  const Person eng =
      P("E1", {{"department", "Engineering"}, {"location", "NYC"}});
  const Person fin =
      P("E2", {{"department", "Finance"}, {"contract end", "2027-01-01"}});
  std::vector<PersonDelta> deltas = {D(nullptr, &fin), D(&eng, nullptr)};
  const DeltaSummary s = Summarize(InstanceIndex(*bound_), deltas);
  EXPECT_EQ(s.joiners, 1);
  EXPECT_EQ(s.leavers, 1);
  EXPECT_EQ(s.adds, 2);     // Okta, NetSuite.
  EXPECT_EQ(s.removes, 3);  // GitHub, Okta, Slack corp.
  EXPECT_EQ(s.manual_tasks, 1);
  ASSERT_EQ(s.manual_by_owner.size(), 1u);
  EXPECT_EQ(s.manual_by_owner[0].owner, "fin@x.example");
  EXPECT_EQ(s.license_cents_per_month, 600 + 12900 - 2100 - 600 - 875);
  EXPECT_EQ(SummaryLine(s),
            "1 joiner, 0 movers, 1 leaver (0 unchanged): 2 adds, 3 removes, 0 "
            "changes; "
            "1 manual task for 1 owner; licenses +$99.25/month");
}

TEST(FormatCentsTest, Forms) {
  EXPECT_EQ(FormatCents(0, true), "+$0");
  EXPECT_EQ(FormatCents(16500, false), "$165");
  EXPECT_EQ(FormatCents(875, true), "+$8.75");
  EXPECT_EQ(FormatCents(-1250, true), "-$12.50");
  EXPECT_EQ(FormatCents(-5, false), "-$0.05");
}

TEST(ImpactTest, CountsWhoGainsLosesOrChanges) {
  PersonDelta a, b;
  a.person_id = "P2";
  a.add = {E("GitHub", "", "Read")};
  b.person_id = "P1";
  b.add = {E("GitHub", "", "Read")};
  b.remove = {E("Carta", "", "Viewer")};
  b.change = {EntitlementChange{E("Slack", "corp", "Member"),
                                E("Slack", "corp", "Admin")}};
  const std::vector<EntitlementImpact> impact = ImpactByEntitlement({a, b});
  ASSERT_EQ(impact.size(), 3u);
  EXPECT_EQ(impact[0].app, "Carta");
  EXPECT_THAT(impact[0].lost, ElementsAre("P1"));
  EXPECT_EQ(impact[1].app, "GitHub");
  EXPECT_THAT(impact[1].gained, ElementsAre("P1", "P2"));
  EXPECT_EQ(impact[2].instance, "corp");
  EXPECT_THAT(impact[2].changed, ElementsAre("P1"));
}

// --- Time-bound access -----------------------------------------------------

TEST_F(DeltaTest, UpcomingChangesListsLapsesAndWindowsExactly) {
  const Person p =
      P("E1", {{"department", "Finance"}, {"contract end", "2026-12-06"}});
  // 10 days from 11-26 reaches 12-06: the contract's last day is listed.
  std::vector<TimedChange> c = UpcomingChanges(*compiled_, p, kAsOf, 10);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(FormatIsoDate(c[0].effective), "2026-12-01");  // R7 window opens.
  EXPECT_FALSE(c[0].from.has_value());
  EXPECT_EQ(c[0].to->app, "Carta");
  EXPECT_EQ(FormatIsoDate(c[1].effective), "2026-12-07");  // NetSuite lapses.
  EXPECT_EQ(c[1].from->app, "NetSuite");
  EXPECT_FALSE(c[1].to.has_value());
  auto json = [](const std::vector<TimedChange>& v) {
    std::string out;
    for (const TimedChange& t : v) {
      out += t.person_id + " " + FormatIsoDate(t.effective) + " " +
             (t.from ? EntitlementToJson(*t.from) : "-") + " " +
             (t.to ? EntitlementToJson(*t.to) : "-") + "\n";
    }
    return out;
  };
  EXPECT_EQ(json(c), json(UpcomingChangesReference(*bound_, p, kAsOf, 10)));
  // 9 days stops at 12-05: the lapse is not listed yet.
  EXPECT_EQ(UpcomingChanges(*compiled_, p, kAsOf, 9).size(), 1u);
  // Over 40 days the window also closes (12-21) and nothing else happens.
  EXPECT_EQ(json(UpcomingChanges(*compiled_, p, kAsOf, 40)),
            json(UpcomingChangesReference(*bound_, p, kAsOf, 40)));
  EXPECT_EQ(UpcomingChanges(*compiled_, p, kAsOf, 40).size(), 3u);
}

TEST_F(DeltaTest, UpcomingChangesSeesATerminationDatePassing) {
  const Person p =
      P("E1", {{"department", "Sales"}, {"termination date", "2026-11-30"}});
  const std::vector<TimedChange> c = UpcomingChanges(*compiled_, p, kAsOf, 7);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(FormatIsoDate(c[0].effective), "2026-12-01");
  EXPECT_EQ(c[0].from->app, "GitHub");
  EXPECT_EQ(c[1].from->app, "Okta");
}

// --- Emergency leaver ------------------------------------------------------

TEST_F(DeltaTest, EmergencyLeaverIsCompleteAndAutomatedFirst) {
  // HR already terminated them: the policy alone would give nothing.
  const Person p = P("E1", {{"department", "Finance"},
                            {"location", "New York"},
                            {"contract end", "2027-01-01"},
                            {"termination date", "2026-11-01"}});
  std::vector<AccessRecord> access = {
      {"E1", "netsuite", "", "Approver", {"access.csv", 2, 0}},
      {"E1", "Zoom", "", "Pro", {"access.csv", 3, 0}},
      {"E2", "GitHub", "", "Read", {"access.csv", 4, 0}},
      {"E1", "GitHub", "", "Read", {"access.csv", 5, 0}},
  };
  const std::vector<RevokeItem> items =
      EmergencyLeaver(*compiled_, p, &access, kAsOf);
  std::vector<std::string> order;
  for (const RevokeItem& i : items) {
    order.push_back(std::string(ProvisioningName(i.provisioning)) + ":" +
                    i.app);
  }
  // scim, then api, then manual, then unspecified (unknown app).
  EXPECT_THAT(order, ElementsAre("scim:GitHub", "scim:Slack", "api:Okta",
                                 "manual:NetSuite", ":Zoom"));
  EXPECT_FALSE(items[0].granted.has_value());  // Only the export knows it.
  EXPECT_EQ(*items[0].actual_level, "Read");
  EXPECT_TRUE(items[3].granted.has_value());
  EXPECT_EQ(*items[3].actual_level, "Approver");
  EXPECT_EQ(items[3].location.line, 2);
  const PersonDelta d = RevokeListToDelta("E1", items);
  EXPECT_EQ(d.kind, DeltaKind::kLeaver);
  EXPECT_THAT(Apps(d.remove),
              ElementsAre("GitHub", "Slack/corp", "Okta", "NetSuite", "Zoom"));
}

}  // namespace
}  // namespace birthright
