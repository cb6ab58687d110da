// Reconcile (SPEC §6): desired vs actual on a small hand-written policy,
// fast path checked against the reference twin on every case.
#include <memory>
#include <string>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/delta.h"
#include "birthright/import.h"
#include "birthright/snapshot.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace birthright {
namespace {

using ::testing::ElementsAre;

constexpr char kCatalog[] =
    "app,instance,levels,default level,owner,provisioning,monthly cost\n"
    "GitHub,,Read;Write;Admin,,eng@x.example,scim,21.00\n"
    "Slack,corp,Member;Admin,,it@x.example,scim,8.75\n"
    "Slack,guests,Member;Admin,,it@x.example,scim,0.00\n"
    "NetSuite,,Clerk;Approver,,fin@x.example,manual,129.00\n";
constexpr char kRules[] =
    "id,department,app,instance,level\n"
    "R1,Engineering,GitHub,,Write\n"
    "R2,,Slack,corp,Member\n"
    "R3,Finance,NetSuite,,Clerk\n";

const Date kAsOf = *ParseIsoDate("2026-11-26");

class ReconcileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Policy policy;
    policy.name = "tiny";
    policy.version = "v1";
    ASSERT_TRUE(ImportCatalog(kCatalog, "catalog.csv", &policy).ok());
    ASSERT_TRUE(ImportRulesList(kRules, "rules.csv", &policy, nullptr).ok());
    auto bound = BoundPolicy::Bind(policy, nullptr, BindOptions{});
    ASSERT_TRUE(bound.ok()) << bound.status();
    bound_ = std::move(*bound);
    auto compiled = CompiledPolicy::Compile(bound_);
    ASSERT_TRUE(compiled.ok());
    compiled_ = std::move(*compiled);
    hr_.file = "hr.csv";
    hr_.people = {
        Person{"E1", {{"department", "Engineering"}}, {}},
        Person{"E2", {{"department", "Finance"}}, {}},
        Person{"E3",
               {{"department", "Finance"}, {"termination date", "2026-10-31"}},
               {}}};
  }

  void Add(std::string id, std::string app, std::string instance,
           std::string level) {
    access_.push_back(AccessRecord{
        std::move(id), std::move(app), std::move(instance), std::move(level),
        SourceLocation{"access.csv", static_cast<int32_t>(access_.size() + 2),
                       0}});
  }

  // "kind person app/instance reason" per item, after checking the fast
  // path against the oracle.
  std::vector<std::string> Run(const ReconcileOptions& options,
                               ReconcileResult* out = nullptr) {
    auto fast = Reconcile(*compiled_, hr_, access_, options);
    EXPECT_TRUE(fast.ok()) << fast.status();
    auto ref = ReconcileReference(*bound_, hr_, access_, options);
    EXPECT_TRUE(ref.ok());
    const InstanceIndex index(*bound_);
    std::vector<std::string> lines;
    for (size_t i = 0; i < fast->items.size(); ++i) {
      const ReconcileItem& item = fast->items[i];
      EXPECT_EQ(ReconcileItemToJson(item, index),
                ReconcileItemToJson(ref->items[i], index));
      std::string line = std::string(ReconcileKindName(item.kind)) + " " +
                         item.person_id + " " + item.app + "/" + item.instance;
      if (item.reason != ExcessReason::kNone)
        line += " " + std::string(ExcessReasonName(item.reason));
      lines.push_back(line);
    }
    EXPECT_EQ(fast->items.size(), ref->items.size());
    EXPECT_EQ(fast->consistent, ref->consistent);
    if (out != nullptr) *out = *fast;
    return lines;
  }

  ReconcileOptions Options() {
    ReconcileOptions o;
    o.as_of = kAsOf;
    return o;
  }

  std::shared_ptr<const BoundPolicy> bound_;
  std::unique_ptr<CompiledPolicy> compiled_;
  Population hr_;
  std::vector<AccessRecord> access_;
};

TEST_F(ReconcileTest, EverythingConsistentWhenTheExportMatches) {
  Add("E1", "GitHub", "", "Write");
  Add("E1", "Slack", "corp", "Member");
  Add("E2", "NetSuite", "", "Clerk");
  Add("E2", "Slack", "corp", "Member");
  ReconcileResult r;
  EXPECT_TRUE(Run(Options(), &r).empty());
  EXPECT_EQ(r.consistent, 4);
  EXPECT_EQ(r.people, 3);
}

TEST_F(ReconcileTest, MissingExcessAndLevelMismatch) {
  Add("E1", "GitHub", "", "Admin");  // Mismatch: should be Write.
  Add("E2", "NetSuite", "", "Clerk");
  Add("E2", "GitHub", "", "Read");  // Excess: not granted.
  // E1 and E2 lack Slack corp: missing.
  ReconcileResult r;
  EXPECT_THAT(
      Run(Options(), &r),
      ElementsAre("level-mismatch E1 GitHub/", "missing E1 Slack/corp",
                  "excess E2 GitHub/ not granted", "missing E2 Slack/corp"));
  EXPECT_EQ(r.consistent, 1);
  EXPECT_EQ(r.items[0].actual_level, "Admin");
  EXPECT_EQ(r.items[0].desired->level, "Write");
  EXPECT_EQ(r.items[0].location.line, 2);
}

TEST_F(ReconcileTest, OrphansTerminatedAndUnknownApps) {
  Add("E1", "GitHub", "", "Write");
  Add("E1", "Slack", "corp", "Member");
  Add("E1", "Jira", "", "User");       // Not in the catalog.
  Add("E1", "Slack", "", "Member");    // Slack has two instances: which?
  Add("E3", "NetSuite", "", "Clerk");  // Terminated 2026-10-31.
  Add("E9", "GitHub", "", "Read");     // Not in HR.
  Add("E2", "NetSuite", "", "Clerk");
  Add("E2", "Slack", "corp", "Member");
  EXPECT_THAT(Run(Options()), ElementsAre("excess E1 Jira/ unknown app",
                                          "excess E1 Slack/ unknown app",
                                          "excess E3 NetSuite/ terminated",
                                          "excess E9 GitHub/ orphan"));
}

TEST_F(ReconcileTest,
       NamesMatchCaseInsensitivelyAndEmptyInstanceNamesTheOnlyOne) {
  hr_.people.resize(1);  // E1 only.
  Add("E1", "github", "", "write");
  Add("E1", "SLACK", "CORP", "member");
  ReconcileResult r;
  EXPECT_TRUE(Run(Options(), &r).empty());
  EXPECT_EQ(r.consistent, 2);
}

TEST_F(ReconcileTest, DuplicateRowsAreCountedOnceAndExtraLevelsAreMismatches) {
  hr_.people.resize(1);  // E1 only.
  Add("E1", "GitHub", "", "Write");
  Add("E1", "GitHub", "", "Write");  // The same account listed twice.
  Add("E1", "GitHub", "", "Read");   // A second account at another level.
  Add("E1", "Slack", "corp", "Member");
  ReconcileResult r;
  EXPECT_THAT(Run(Options(), &r), ElementsAre("level-mismatch E1 GitHub/"));
  EXPECT_EQ(r.duplicates, 1);
  EXPECT_EQ(r.consistent, 2);
}

TEST_F(ReconcileTest, AppsFilterLimitsBothSides) {
  Add("E1", "GitHub", "", "Write");
  Add("E9", "Slack", "corp", "Member");  // An orphan outside the filter.
  ReconcileOptions o = Options();
  o.apps = {"github", "NetSuite"};
  // Slack corp is neither missing for E1/E2 nor excess for E9.
  EXPECT_THAT(Run(o), ElementsAre("missing E2 NetSuite/"));
}

TEST_F(ReconcileTest, ItemJsonCarriesRouting) {
  Add("E2", "NetSuite", "", "Approver");
  Add("E2", "Slack", "corp", "Member");
  ReconcileResult r;
  Run(Options(), &r);
  ASSERT_EQ(r.items.size(), 3u);  // E1 GitHub and Slack are missing too.
  const InstanceIndex index(*bound_);
  auto fast = Reconcile(*compiled_, hr_, access_, Options());
  const ReconcileItem* mismatch = nullptr;
  for (const ReconcileItem& i : fast->items) {
    if (i.kind == ReconcileKind::kLevelMismatch) mismatch = &i;
  }
  ASSERT_NE(mismatch, nullptr);
  EXPECT_EQ(ReconcileItemToJson(*mismatch, index),
            "{\"person\":\"E2\",\"kind\":\"level-mismatch\",\"app\":"
            "\"NetSuite\",\"instance\":\"\","
            "\"desired\":{\"app\":\"NetSuite\",\"instance\":\"\",\"level\":"
            "\"Clerk\",\"scopes\":[],"
            "\"expires\":null,\"reasons\":[\"R3\"]},"
            "\"actual\":{\"level\":\"Approver\",\"location\":\"access.csv:2\"},"
            "\"reason\":null,"
            "\"owner\":\"fin@x.example\",\"provisioning\":\"manual\",\"monthly_"
            "cost_cents\":12900}");
}

TEST_F(ReconcileTest, DuplicateHrIdIsAnInputError) {
  hr_.people.push_back(hr_.people[0]);
  auto r = Reconcile(*compiled_, hr_, access_, Options());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

// Issue 6: an account that is excess because a deny removes the grant names
// the deny (SPEC §4.2 "deny beats grant", §6 reconcile): the fix is to drop
// the account or to revisit the deny, not to look for a missing rule.
TEST(ReconcileDenyTest, ExcessNamesTheDenyThatWithholdsTheGrant) {
  Policy policy;
  policy.name = "denies";
  ASSERT_TRUE(ImportCatalog(kCatalog, "catalog.csv", &policy).ok());
  // D2 caps Slack corp below Admin for contractors (removing G3's Admin);
  // D3 removes every Slack level from engineering contractors (G2's
  // Member). Each withheld grant names the first deny that removes it.
  ASSERT_TRUE(ImportRulesList("id,department,employment type,app,instance,"
                              "level,effect\n"
                              "G1,Engineering,,GitHub,,Write,grant\n"
                              "D1,,Contractor,GitHub,,,deny\n"
                              "G2,Engineering,,Slack,corp,Member,grant\n"
                              "G3,,Contractor,Slack,corp,Admin,grant\n"
                              "D2,,Contractor,Slack,corp,Admin,deny\n"
                              "D3,Engineering,Contractor,Slack,,,deny\n",
                              "rules.csv", &policy, nullptr)
                  .ok());
  auto bound = BoundPolicy::Bind(policy, nullptr, BindOptions{});
  ASSERT_TRUE(bound.ok()) << bound.status();
  std::shared_ptr<const BoundPolicy> shared = std::move(*bound);
  auto compiled = CompiledPolicy::Compile(shared);
  ASSERT_TRUE(compiled.ok());
  Population hr;
  hr.people = {
      Person{"C1",
             {{"department", "Engineering"}, {"employment type", "Contractor"}},
             {}},
      Person{"F1",
             {{"department", "Finance"}, {"employment type", "Full-time"}},
             {}},
  };
  std::vector<AccessRecord> access = {
      {"C1", "GitHub", "", "Write", {"access.csv", 2, 0}},
      {"C1", "Slack", "corp", "Member", {"access.csv", 3, 0}},
      {"C1", "Slack", "guests", "Member", {"access.csv", 4, 0}},
      {"F1", "GitHub", "", "Read", {"access.csv", 5, 0}},
  };
  ReconcileOptions options;
  options.as_of = kAsOf;
  auto fast = Reconcile(**compiled, hr, access, options);
  ASSERT_TRUE(fast.ok()) << fast.status();
  auto ref = ReconcileReference(*shared, hr, access, options);
  ASSERT_TRUE(ref.ok());
  const InstanceIndex index(*shared);
  ASSERT_EQ(fast->items.size(), 4u);
  for (size_t i = 0; i < fast->items.size(); ++i) {
    EXPECT_EQ(ReconcileItemToJson(fast->items[i], index),
              ReconcileItemToJson(ref->items[i], index));
  }
  // C1 GitHub: G1 would grant Write; D1 removes it.
  EXPECT_EQ(fast->items[0].app, "GitHub");
  EXPECT_THAT(fast->items[0].denied_by, ElementsAre("D1"));
  // C1 Slack corp: two grants withheld by two denies; both are named, in
  // policy order.
  EXPECT_EQ(fast->items[1].instance, "corp");
  EXPECT_THAT(fast->items[1].denied_by, ElementsAre("D2", "D3"));
  // C1 Slack guests: no rule grants it at all; nothing was denied.
  EXPECT_EQ(fast->items[2].instance, "guests");
  EXPECT_EQ(fast->items[2].reason, ExcessReason::kNotGranted);
  EXPECT_TRUE(fast->items[2].denied_by.empty());
  // F1 GitHub: no grant for Finance, so no deny to name.
  EXPECT_EQ(fast->items[3].person_id, "F1");
  EXPECT_TRUE(fast->items[3].denied_by.empty());
  EXPECT_EQ(ReconcileItemToJson(fast->items[0], index),
            "{\"person\":\"C1\",\"kind\":\"excess\",\"app\":\"GitHub\","
            "\"instance\":\"\",\"desired\":null,\"actual\":{\"level\":"
            "\"Write\",\"location\":\"access.csv:2\"},\"reason\":\"not "
            "granted\",\"denied_by\":[\"D1\"],\"owner\":\"eng@x.example\","
            "\"provisioning\":\"scim\",\"monthly_cost_cents\":2100}");
  // "denied_by" appears only when non-empty.
  EXPECT_EQ(ReconcileItemToJson(fast->items[3], index).find("denied_by"),
            std::string::npos);

  // A policy loaded from a snapshot keeps its conditions only in the DAG:
  // the items are the same, but no deny is named (rather than a wrong one).
  auto loaded = LoadSnapshot(WriteSnapshot(**compiled));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto from_snapshot = Reconcile(**loaded, hr, access, options);
  ASSERT_TRUE(from_snapshot.ok());
  ASSERT_EQ(from_snapshot->items.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(from_snapshot->items[i].app, fast->items[i].app);
    EXPECT_EQ(from_snapshot->items[i].reason, fast->items[i].reason);
    EXPECT_TRUE(from_snapshot->items[i].denied_by.empty());
  }
}

}  // namespace
}  // namespace birthright
