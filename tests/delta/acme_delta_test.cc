// Golden tests over examples/acme (SPEC §6, §11): the HR sync of
// people.csv → people-after.csv at 2026-12-03 and the reconcile of
// access.csv at 2026-11-26 must equal the golden files byte for byte, on
// the fast path and on the reference twins. The stories of
// examples/acme/README.md ("One week later", "Reconcile") are checked one
// by one, so a golden change that breaks a story fails readably.
//
// Regenerate the golden files (after checking the stories still hold),
// from examples/acme:
//   ../../build/birthright delta --rules rules.csv --catalog catalog.csv
//     --aliases aliases.csv --schema schema.csv --before people.csv
//     --after people-after.csv --as-of 2026-12-03 --format jsonl
//     > ../../tests/testdata/acme_delta.golden.jsonl
//   ../../build/birthright reconcile --rules rules.csv --catalog catalog.csv
//     --aliases aliases.csv --schema schema.csv --people people.csv
//     --access access.csv --exported-apps --as-of 2026-11-26 --format jsonl
//     > ../../tests/testdata/acme_reconcile.golden.jsonl
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/delta.h"
#include "birthright/import.h"
#include "birthright/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace birthright {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::string ReadFile(std::string_view relative) {
  const std::string path =
      std::string(BIRTHRIGHT_SOURCE_DIR) + "/" + std::string(relative);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Date kSyncDate = *ParseIsoDate("2026-12-03");
const Date kStoryDate = *ParseIsoDate("2026-11-26");

class AcmeDeltaTest : public ::testing::Test {
 protected:
  struct State {
    absl::Status status;
    Population before, after;
    std::vector<AccessRecord> access;
    std::shared_ptr<const BoundPolicy> bound;
    std::unique_ptr<CompiledPolicy> compiled;
  };

  static absl::Status Load(State* s) {
    Policy policy;
    policy.name = "rules";
    policy.version = "unversioned";
    // The same order as the CLI: schema, catalog, aliases, then rules.
    absl::Status st = ImportSchema(ReadFile("examples/acme/schema.csv"),
                                   "schema.csv", &policy);
    if (st.ok())
      st = ImportCatalog(ReadFile("examples/acme/catalog.csv"), "catalog.csv",
                         &policy);
    if (st.ok())
      st = ImportAliases(ReadFile("examples/acme/aliases.csv"), "aliases.csv",
                         &policy);
    if (st.ok()) {
      st = ImportRulesList(ReadFile("examples/acme/rules.csv"), "rules.csv",
                           &policy, nullptr);
    }
    if (!st.ok()) return st;
    auto before =
        ImportPopulation(ReadFile("examples/acme/people.csv"), "people.csv");
    if (!before.ok()) return before.status();
    auto after = ImportPopulation(ReadFile("examples/acme/people-after.csv"),
                                  "people-after.csv");
    if (!after.ok()) return after.status();
    auto access =
        ImportAccessExport(ReadFile("examples/acme/access.csv"), "access.csv");
    if (!access.ok()) return access.status();
    s->before = std::move(*before);
    s->after = std::move(*after);
    s->access = std::move(*access);
    // Types from both exports, as `birthright delta` binds them.
    Population both;
    both.people = s->before.people;
    both.people.insert(both.people.end(), s->after.people.begin(),
                       s->after.people.end());
    auto bound = BoundPolicy::Bind(policy, &both, BindOptions{});
    if (!bound.ok()) return bound.status();
    s->bound = std::move(*bound);
    auto compiled = CompiledPolicy::Compile(s->bound);
    if (!compiled.ok()) return compiled.status();
    s->compiled = std::move(*compiled);
    return absl::OkStatus();
  }

  static void SetUpTestSuite() {
    state_ = new State();
    state_->status = Load(state_);
    if (!state_->status.ok()) return;
    HrSyncOptions options;
    options.as_of = kSyncDate;
    auto sync =
        HrSync(*state_->compiled, state_->before, state_->after, options);
    if (!sync.ok()) {
      state_->status = sync.status();
      return;
    }
    sync_ = new std::vector<PersonDelta>(std::move(*sync));
  }
  static void TearDownTestSuite() {
    delete sync_;
    delete state_;
    sync_ = nullptr;
    state_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(state_->status.ok()) << state_->status; }

  static const PersonDelta& Of(std::string_view id) {
    for (const PersonDelta& d : *sync_) {
      if (d.person_id == id) return d;
    }
    static const PersonDelta kNone;
    ADD_FAILURE() << "no delta for " << id;
    return kNone;
  }

  static std::vector<std::string> Names(const std::vector<Entitlement>& v) {
    std::vector<std::string> out;
    for (const Entitlement& e : v)
      out.push_back(e.instance.empty() ? e.app : e.app + " " + e.instance);
    return out;
  }
  static std::vector<std::string> Names(
      const std::vector<EntitlementChange>& v) {
    std::vector<std::string> out;
    for (const EntitlementChange& c : v) {
      out.push_back(c.to.instance.empty() ? c.to.app
                                          : c.to.app + " " + c.to.instance);
    }
    return out;
  }

  static ReconcileOptions ExportedApps() {
    ReconcileOptions o;
    o.as_of = kStoryDate;
    o.apps = {"GitHub", "AWS", "Salesforce", "NetSuite", "PagerDuty"};
    return o;
  }

  static State* state_;
  static std::vector<PersonDelta>* sync_;
};

AcmeDeltaTest::State* AcmeDeltaTest::state_ = nullptr;
std::vector<PersonDelta>* AcmeDeltaTest::sync_ = nullptr;

// --- HR sync ---------------------------------------------------------------

TEST_F(AcmeDeltaTest, HrSyncJsonlMatchesGoldenFile) {
  std::string got;
  for (const PersonDelta& d : *sync_) got += PersonDeltaToJson(d) + "\n";
  EXPECT_EQ(got, ReadFile("tests/testdata/acme_delta.golden.jsonl"));
  // The oracle agrees byte for byte.
  HrSyncOptions options;
  options.as_of = kSyncDate;
  auto ref =
      HrSyncReference(*state_->bound, state_->before, state_->after, options);
  ASSERT_TRUE(ref.ok());
  std::string want;
  for (const PersonDelta& d : *ref) want += PersonDeltaToJson(d) + "\n";
  EXPECT_EQ(got, want);
}

TEST_F(AcmeDeltaTest, KindsMatchTheStoryTable) {
  std::map<std::string, std::string> kinds;
  for (const PersonDelta& d : *sync_) {
    if (d.kind != DeltaKind::kUnchanged)
      kinds[d.person_id] = std::string(DeltaKindName(d.kind));
  }
  EXPECT_THAT(
      kinds,
      ElementsAre(std::pair<const std::string, std::string>{"E007", "mover"},
                  std::pair<const std::string, std::string>{"E012", "mover"},
                  std::pair<const std::string, std::string>{"E018", "mover"},
                  std::pair<const std::string, std::string>{"E024", "leaver"},
                  std::pair<const std::string, std::string>{"E041", "joiner"}));
  EXPECT_EQ(sync_->size(), 41u);  // One line per person of either export.
  // `new york` → `New York` is a case-only edit; E039 was terminated in both.
  EXPECT_EQ(Of("E005").kind, DeltaKind::kUnchanged);
  EXPECT_EQ(Of("E039").kind, DeltaKind::kUnchanged);
  EXPECT_THAT(Of("E039").keep, IsEmpty());
}

TEST_F(AcmeDeltaTest, E018PromotedToSalesManager) {
  const PersonDelta& d = Of("E018");
  EXPECT_THAT(Names(d.add), ElementsAre("Tableau"));
  EXPECT_THAT(d.remove, IsEmpty());
  ASSERT_THAT(Names(d.change), ElementsAre("Lattice", "Salesforce"));
  EXPECT_EQ(d.change[0].from.level, "Employee");
  EXPECT_EQ(d.change[0].to.level, "Manager");
  EXPECT_EQ(d.change[1].from.level, "Standard User");
  EXPECT_EQ(d.change[1].to.level, "Manager");
  EXPECT_THAT(d.change[1].to.reasons, ElementsAre("R21"));
}

TEST_F(AcmeDeltaTest, E007MovesFromEngineeringToSalesEngineer) {
  const PersonDelta& d = Of("E007");
  EXPECT_THAT(Names(d.add), ElementsAre("Gong", "Salesforce"));
  EXPECT_THAT(Names(d.remove), ElementsAre("AWS staging", "Datadog", "Figma"));
  EXPECT_THAT(Names(d.change),
              ElementsAre("1Password", "GitHub acme-org", "Slack corp",
                          "Slack eng-shared", "Zoom"));
  const EntitlementChange& github = d.change[1];
  EXPECT_EQ(github.from.level, "Write");
  EXPECT_THAT(github.from.scopes, ElementsAre("infra", "platform"));
  EXPECT_EQ(github.to.level, "Read");
  EXPECT_THAT(github.to.scopes, ElementsAre("demos", "integrations"));
  EXPECT_THAT(d.change[0].from.scopes,
              ElementsAre("engineering-shared"));  // 1Password.
  EXPECT_THAT(d.change[0].to.scopes, IsEmpty());
  EXPECT_EQ(d.change[4].from.level, "Basic");
  EXPECT_EQ(d.change[4].to.level, "Licensed");
}

TEST_F(AcmeDeltaTest, E012ContractExtensionOnlyMovesExpiry) {
  const PersonDelta& d = Of("E012");
  EXPECT_THAT(d.add, IsEmpty());
  EXPECT_THAT(d.remove, IsEmpty());
  ASSERT_THAT(Names(d.change), ElementsAre("AWS staging", "GitHub acme-org",
                                           "M365 us", "Slack eng-shared"));
  for (const EntitlementChange& c : d.change) {
    EXPECT_EQ(c.from.level, c.to.level);
    EXPECT_EQ(c.from.scopes, c.to.scopes);
    EXPECT_EQ(FormatIsoDate(*c.from.expires), "2026-12-15");
    EXPECT_EQ(FormatIsoDate(*c.to.expires), "2027-03-31");
  }
}

TEST_F(AcmeDeltaTest, E024LeavesAndE041Joins) {
  const PersonDelta& leaver = Of("E024");
  EXPECT_THAT(leaver.add, IsEmpty());
  EXPECT_EQ(leaver.remove.size(), 11u);
  const PersonDelta& joiner = Of("E041");
  EXPECT_THAT(joiner.remove, IsEmpty());
  EXPECT_THAT(Names(joiner.add), ::testing::Contains("GitHub acme-org"));
  EXPECT_THAT(Names(joiner.add),
              ::testing::Contains("Cursor"));  // The Q4 pilot (R59).
}

TEST_F(AcmeDeltaTest, SummaryLineAPersonReadsFirst) {
  const DeltaSummary s = Summarize(InstanceIndex(*state_->bound), *sync_);
  EXPECT_EQ(SummaryLine(s),
            "1 joiner, 3 movers, 1 leaver (36 unchanged): 20 adds, 14 removes, "
            "11 changes; "
            "3 manual tasks for 2 owners; licenses +$165.50/month");
  // BambooHR (E024 out, E041 in) and the Cursor seat are manual.
  ASSERT_EQ(s.manual_by_owner.size(), 2u);
  EXPECT_EQ(s.manual_by_owner[0].owner, "eng-platform@acme.example");
  EXPECT_EQ(s.manual_by_owner[1].tasks, 2);
}

// --- Reconcile -------------------------------------------------------------

TEST_F(AcmeDeltaTest, ReconcileJsonlMatchesGoldenFile) {
  // Reconcile reads people.csv alone, as `birthright reconcile` does.
  auto fast = Reconcile(*state_->compiled, state_->before, state_->access,
                        ExportedApps());
  auto ref = ReconcileReference(*state_->bound, state_->before, state_->access,
                                ExportedApps());
  ASSERT_TRUE(fast.ok() && ref.ok());
  const InstanceIndex index(*state_->bound);
  std::string got, want;
  for (const ReconcileItem& i : fast->items)
    got += ReconcileItemToJson(i, index) + "\n";
  for (const ReconcileItem& i : ref->items)
    want += ReconcileItemToJson(i, index) + "\n";
  EXPECT_EQ(got, ReadFile("tests/testdata/acme_reconcile.golden.jsonl"));
  EXPECT_EQ(got, want);
  // Every one of the 63 rows is accounted for.
  int64_t rows_in_items = 0;
  for (const ReconcileItem& i : fast->items)
    rows_in_items += i.location.line > 0 ? 1 : 0;
  EXPECT_EQ(fast->consistent + rows_in_items + fast->duplicates, 63);
}

TEST_F(AcmeDeltaTest, ReconcileStories) {
  auto r = Reconcile(*state_->compiled, state_->before, state_->access,
                     ExportedApps());
  ASSERT_TRUE(r.ok());
  std::vector<std::string> missing, excess, mismatch;
  for (const ReconcileItem& i : r->items) {
    const std::string what = i.person_id + " " + i.app +
                             (i.instance.empty() ? "" : " " + i.instance);
    switch (i.kind) {
      case ReconcileKind::kMissing:
        missing.push_back(what + " " + i.desired->level);
        break;
      case ReconcileKind::kExcess:
        excess.push_back(what + " (" + std::string(ExcessReasonName(i.reason)) +
                         ")");
        break;
      case ReconcileKind::kLevelMismatch:
        mismatch.push_back(what + " " + i.actual_level + " -> " +
                           i.desired->level);
        break;
    }
  }
  EXPECT_THAT(missing, ElementsAre("E020 GitHub acme-org Read"));
  EXPECT_THAT(excess, UnorderedElementsAre("E023 GitHub acme-org (not granted)",
                                           "E036 AWS production (not granted)",
                                           "E012 AWS production (not granted)",
                                           "E039 Salesforce (terminated)",
                                           "E039 AWS sandbox (terminated)",
                                           "E999 GitHub acme-org (orphan)",
                                           "E999 AWS sandbox (orphan)"));
  EXPECT_THAT(mismatch, ElementsAre("E016 Salesforce Admin -> Manager",
                                    "E029 NetSuite AP Approver -> AP Clerk"));
  // E021's `salesforce,,standard user` row is consistent: no item names E021.
  for (const ReconcileItem& i : r->items) EXPECT_NE(i.person_id, "E021");
}

TEST_F(AcmeDeltaTest, ReconcileWithoutAnAppFilterReportsOtherAppsMissing) {
  ReconcileOptions o;
  o.as_of = kStoryDate;
  auto r = Reconcile(*state_->compiled, state_->before, state_->access, o);
  ASSERT_TRUE(r.ok());
  int64_t missing_okta = 0;
  for (const ReconcileItem& i : r->items) {
    missing_okta +=
        i.kind == ReconcileKind::kMissing && i.app == "Okta" ? 1 : 0;
  }
  // Every active person (all but the leaver E039): the export covers five
  // apps only, as the README warns.
  EXPECT_EQ(missing_okta, 39);
}

// --- Time-bound access and the emergency leaver ----------------------------

TEST_F(AcmeDeltaTest, DayEightyNoticeForAContractor) {
  // E012's contract ends 2026-12-15 in people.csv: ten days before, the
  // notice lists the four grants that run until contract end.
  const Person* e012 = nullptr;
  for (const Person& p : state_->before.people) {
    if (p.id == "E012") e012 = &p;
  }
  ASSERT_NE(e012, nullptr);
  const std::vector<TimedChange> c = UpcomingChanges(
      *state_->compiled, *e012, *ParseIsoDate("2026-12-05"), 10);
  std::vector<std::string> lapses;
  for (const TimedChange& t : c) {
    EXPECT_EQ(FormatIsoDate(t.effective), "2026-12-16");
    EXPECT_FALSE(t.to.has_value());
    lapses.push_back(t.from->app +
                     (t.from->instance.empty() ? "" : " " + t.from->instance));
  }
  EXPECT_THAT(lapses, ElementsAre("AWS staging", "GitHub acme-org", "M365 us",
                                  "Slack eng-shared"));
  EXPECT_THAT(
      UpcomingChanges(*state_->compiled, *e012, *ParseIsoDate("2026-12-05"), 9),
      IsEmpty());
}

TEST_F(AcmeDeltaTest, EmergencyLeaverForTheAlreadyTerminatedE039) {
  const Person* e039 = nullptr;
  for (const Person& p : state_->before.people) {
    if (p.id == "E039") e039 = &p;
  }
  ASSERT_NE(e039, nullptr);
  const std::vector<RevokeItem> items =
      EmergencyLeaver(*state_->compiled, *e039, &state_->access, kStoryDate);
  std::vector<std::string> names;
  bool manual_seen = false;
  for (const RevokeItem& i : items) {
    names.push_back(i.instance.empty() ? i.app : i.app + " " + i.instance);
    const bool automated = IsAutomated(i.provisioning);
    EXPECT_FALSE(automated && manual_seen) << "automated items come first";
    manual_seen = manual_seen || !automated;
  }
  // The accounts in the export are on the list although no rule gives AWS
  // sandbox to a Marketing manager.
  EXPECT_THAT(names, ::testing::Contains("AWS sandbox"));
  EXPECT_THAT(names, ::testing::Contains("Salesforce"));
  EXPECT_THAT(names, ::testing::Contains("HubSpot"));
  EXPECT_EQ(names.size(), 13u);
}

}  // namespace
}  // namespace birthright
