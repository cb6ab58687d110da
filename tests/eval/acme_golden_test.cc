// Golden test over examples/acme (SPEC §5, §11): the reference evaluator's
// jsonl for every person at 2026-11-26 must equal
// tests/testdata/acme_eval.golden.jsonl byte for byte. The stories of
// examples/acme/README.md are also checked one by one, so a change in the
// golden file that breaks a story fails with a readable message.
//
// Regenerate the golden file (after checking the stories still hold) with
// one command line:
//   build/birthright eval --rules examples/acme/rules.csv
//     --catalog examples/acme/catalog.csv --aliases examples/acme/aliases.csv
//     --schema examples/acme/schema.csv --people examples/acme/people.csv
//     --as-of 2026-11-26 --format jsonl > tests/testdata/acme_eval.golden.jsonl
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/decision.h"
#include "birthright/import.h"
#include "birthright/policy.h"
#include "birthright/reference_evaluator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace birthright {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string SourcePath(std::string_view relative) {
  return std::string(BIRTHRIGHT_SOURCE_DIR) + "/" + std::string(relative);
}

std::string ReadFile(std::string_view relative) {
  std::ifstream in(SourcePath(relative), std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << SourcePath(relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class AcmeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto* s = new State();
    Policy& policy = s->policy;
    policy.name = "rules";
    policy.version = "unversioned";
    // The same order as the CLI: schema, catalog, aliases, then rules.
    s->status = ImportSchema(ReadFile("examples/acme/schema.csv"), "schema.csv",
                             &policy);
    if (s->status.ok()) {
      s->status = ImportCatalog(ReadFile("examples/acme/catalog.csv"),
                                "catalog.csv", &policy);
    }
    if (s->status.ok()) {
      s->status = ImportAliases(ReadFile("examples/acme/aliases.csv"),
                                "aliases.csv", &policy);
    }
    if (s->status.ok()) {
      s->status = ImportRulesList(ReadFile("examples/acme/rules.csv"),
                                  "rules.csv", &policy, nullptr);
    }
    if (s->status.ok()) {
      absl::StatusOr<Population> pop =
          ImportPopulation(ReadFile("examples/acme/people.csv"), "people.csv");
      if (pop.ok()) {
        s->people = std::move(*pop);
      } else {
        s->status = pop.status();
      }
    }
    if (s->status.ok()) {
      BindOptions options;
      options.strict = true;  // What eval does.
      absl::StatusOr<std::unique_ptr<BoundPolicy>> bound =
          BoundPolicy::Bind(policy, &s->people, options);
      if (bound.ok()) {
        s->bound = std::move(*bound);
      } else {
        s->status = bound.status();
      }
    }
    state_ = s;
  }
  static void TearDownTestSuite() {
    delete state_;
    state_ = nullptr;
  }

  void SetUp() override { ASSERT_TRUE(state_->status.ok()) << state_->status; }

  static Decision Eval(std::string_view id, bool explain = false) {
    for (const Person& p : state_->people.people) {
      if (p.id == id) {
        return EvaluateReference(*state_->bound, p, *ParseIsoDate("2026-11-26"),
                                 explain);
      }
    }
    ADD_FAILURE() << "no person " << id;
    return Decision{};
  }

  // The entitlement on (app, instance), or nullptr.
  static const Entitlement* Find(const Decision& d, std::string_view app,
                                 std::string_view instance = "") {
    for (const Entitlement& e : d.entitlements) {
      if (e.app == app && e.instance == instance) return &e;
    }
    return nullptr;
  }

  static std::string LevelOf(const Decision& d, std::string_view app,
                             std::string_view instance = "") {
    const Entitlement* e = Find(d, app, instance);
    return e == nullptr ? "(none)" : e->level;
  }

  struct State {
    absl::Status status;
    Policy policy;
    Population people;
    std::unique_ptr<BoundPolicy> bound;
  };
  static State* state_;
};

AcmeTest::State* AcmeTest::state_ = nullptr;

// SPEC §5, §11: byte-identical jsonl for all people, in file order.
TEST_F(AcmeTest, Spec11JsonlMatchesGoldenFile) {
  std::string got;
  for (const Person& p : state_->people.people) {
    got += DecisionToJson(
        EvaluateReference(*state_->bound, p, *ParseIsoDate("2026-11-26")));
    got += "\n";
  }
  const std::string want = ReadFile("tests/testdata/acme_eval.golden.jsonl");
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(state_->people.people.size(), 40u);
  // Compare line by line first for a readable failure, then the bytes.
  std::istringstream g(got), w(want);
  std::string gl, wl;
  int line = 0;
  while (std::getline(w, wl)) {
    ++line;
    ASSERT_TRUE(std::getline(g, gl))
        << "output ends before golden line " << line;
    EXPECT_EQ(gl, wl) << "golden line " << line;
  }
  EXPECT_FALSE(std::getline(g, gl))
      << "output has more lines than the golden file";
  EXPECT_EQ(got, want);
}

// SPEC §5: deterministic across binds and runs.
TEST_F(AcmeTest, Spec5SameBytesOnASecondBind) {
  BindOptions options;
  absl::StatusOr<std::unique_ptr<BoundPolicy>> again =
      BoundPolicy::Bind(state_->policy, &state_->people, options);
  ASSERT_TRUE(again.ok()) << again.status();
  for (const Person& p : state_->people.people) {
    const Date as_of = *ParseIsoDate("2026-11-26");
    EXPECT_EQ(DecisionToJson(EvaluateReference(**again, p, as_of)),
              DecisionToJson(EvaluateReference(*state_->bound, p, as_of)))
        << p.id;
  }
}

// --- The README stories (worked out by hand from the SPEC). ---------------

TEST_F(AcmeTest, StoryCeoHasBaselinePlusLatticeManager) {
  Decision d = Eval("E001");
  EXPECT_EQ(LevelOf(d, "Lattice"), "Manager");
  EXPECT_THAT(Find(d, "Lattice")->reasons, ElementsAre("R11"));
  EXPECT_EQ(LevelOf(d, "Okta"), "User");
  EXPECT_EQ(LevelOf(d, "Slack", "corp"), "Member");
  EXPECT_EQ(LevelOf(d, "M365", "us"), "Business Standard");
  EXPECT_EQ(LevelOf(d, "Zoom"), "Basic");
  EXPECT_EQ(LevelOf(d, "GitHub", "acme-org"), "(none)");
  EXPECT_THAT(d.missing, IsEmpty());
}

TEST_F(AcmeTest, StoryNewSalesEngineer) {
  Decision d = Eval("E020");
  EXPECT_EQ(LevelOf(d, "Salesforce"), "Standard User");
  EXPECT_EQ(LevelOf(d, "Gong"), "Recorded User");
  EXPECT_EQ(LevelOf(d, "Zoom"), "Licensed");
  const Entitlement* corp = Find(d, "Slack", "corp");
  ASSERT_NE(corp, nullptr);
  EXPECT_THAT(corp->scopes, ElementsAre("announcements", "deal-desk", "general",
                                        "new-hires", "onboarding", "random",
                                        "sales", "se-team", "solutions"));
  EXPECT_THAT(corp->reasons, ElementsAre("R2", "R14", "R30", "R34"));
  EXPECT_EQ(LevelOf(d, "Slack", "eng-shared"), "Member");
  const Entitlement* gh = Find(d, "GitHub", "acme-org");
  ASSERT_NE(gh, nullptr);
  EXPECT_EQ(gh->level, "Read");
  EXPECT_THAT(gh->scopes, ElementsAre("demos", "integrations"));
  EXPECT_EQ(LevelOf(d, "AWS", "sandbox"), "PowerUser");
  EXPECT_EQ(LevelOf(d, "Jira"), "User");
  EXPECT_EQ(LevelOf(d, "Carta"), "(none)");  // Start date after the R13 range.
  EXPECT_EQ(LevelOf(d, "M365", "us"), "Business Standard");  // SF is an alias.
}

TEST_F(AcmeTest, StorySalesLevelsAndTheR25Cap) {
  EXPECT_EQ(LevelOf(Eval("E018"), "Salesforce"), "Standard User");
  EXPECT_EQ(LevelOf(Eval("E018"), "M365", "us"),
            "Business Standard");  // NYC alias.
  EXPECT_EQ(LevelOf(Eval("E017"), "Salesforce"), "Manager");
  EXPECT_EQ(LevelOf(Eval("E017"), "Tableau"), "Explorer");
  Decision vp = Eval("E016", /*explain=*/true);
  const Entitlement* sf = Find(vp, "Salesforce");
  ASSERT_NE(sf, nullptr);
  EXPECT_EQ(sf->level, "Manager");
  EXPECT_THAT(sf->reasons, ElementsAre("R21"));
  ASSERT_EQ(vp.withheld.size(), 1u);
  EXPECT_EQ(vp.withheld[0].rule_id, "R24");
  EXPECT_EQ(vp.withheld[0].level, "Admin");
  EXPECT_EQ(vp.withheld[0].why, "denied by rule R25");
  EXPECT_EQ(LevelOf(Eval("E022"), "Salesforce"), "Admin");
  EXPECT_EQ(LevelOf(Eval("E019"), "DocuSign"), "Sender");  // Ent Sales alias.
  EXPECT_EQ(LevelOf(Eval("E019"), "Salesforce"), "Standard User");
  // "  sales " is Sales: E021 gets exactly what E018 (department Sales, same
  // baseline) gets.
  auto without_person = [](const Decision& d) {
    const std::string json = DecisionToJson(d);
    return json.substr(json.find(",\"entitlements\""));
  };
  EXPECT_EQ(without_person(Eval("E021")), without_person(Eval("E018")));
  EXPECT_EQ(LevelOf(Eval("E021"), "Salesforce"), "Standard User");
  EXPECT_EQ(LevelOf(Eval("E021"), "Gong"), "Recorded User");
  EXPECT_EQ(LevelOf(Eval("E021"), "Zoom"), "Licensed");
}

TEST_F(AcmeTest, StoryContractors) {
  for (const char* id : {"E010", "E011", "E012"}) {
    SCOPED_TRACE(id);
    Decision d = Eval(id);
    EXPECT_EQ(LevelOf(d, "Slack", "corp"), "(none)");
    const Entitlement* shared = Find(d, "Slack", "eng-shared");
    ASSERT_NE(shared, nullptr);
    ASSERT_TRUE(shared->expires.has_value());
  }
  Decision e010 = Eval("E010");
  EXPECT_EQ(FormatIsoDate(*Find(e010, "Slack", "eng-shared")->expires),
            "2026-12-31");
  EXPECT_EQ(LevelOf(e010, "GitHub", "acme-org"), "Read");
  EXPECT_EQ(FormatIsoDate(*Find(e010, "GitHub", "acme-org")->expires),
            "2026-12-31");
  // No grade: the AWS staging grants are UNKNOWN, so withheld.
  EXPECT_EQ(LevelOf(e010, "AWS", "staging"), "(none)");
  EXPECT_THAT(e010.missing, ElementsAre("grade"));

  Decision e011 = Eval("E011");
  EXPECT_EQ(LevelOf(e011, "Figma"), "Editor");
  EXPECT_EQ(FormatIsoDate(*Find(e011, "Figma")->expires), "2027-01-15");
  EXPECT_EQ(FormatIsoDate(*Find(e011, "M365", "eu")->expires), "2027-01-15");

  Decision e012 = Eval("E012", /*explain=*/true);
  EXPECT_EQ(LevelOf(e012, "AWS", "production"), "(none)");  // Denied by R35.
  EXPECT_EQ(LevelOf(e012, "AWS", "staging"), "PowerUser");
  EXPECT_EQ(FormatIsoDate(*Find(e012, "AWS", "staging")->expires),
            "2026-12-15");
  EXPECT_EQ(LevelOf(e012, "PagerDuty"), "(none)");  // R55's unless.
  EXPECT_EQ(LevelOf(e012, "GitHub", "acme-org"), "Read");
  bool denied_by_r35 = false;
  for (const WithheldGrant& w : e012.withheld) {
    denied_by_r35 =
        denied_by_r35 || (w.app == "AWS" && w.instance == "production" &&
                          w.why == "denied by rule R35");
  }
  EXPECT_TRUE(denied_by_r35);
}

TEST_F(AcmeTest, StoryEngineering) {
  const Decision d005 = Eval("E005");
  const Entitlement* e005 = Find(d005, "GitHub", "acme-org");
  ASSERT_NE(e005, nullptr);
  EXPECT_EQ(e005->level, "Write");
  EXPECT_THAT(e005->scopes, ElementsAre("api", "mobile", "web"));
  EXPECT_EQ(LevelOf(Eval("E003"), "GitHub", "acme-org"), "Admin");
  EXPECT_EQ(LevelOf(Eval("E004"), "GitHub", "acme-org"), "Admin");
  const Decision d040 = Eval("E040");
  const Entitlement* intern = Find(d040, "GitHub", "acme-org");
  ASSERT_NE(intern, nullptr);
  EXPECT_EQ(intern->level, "Triage");
  EXPECT_THAT(intern->scopes, ElementsAre("interns"));
  EXPECT_EQ(LevelOf(Eval("E040"), "AWS", "staging"), "ReadOnly");
  EXPECT_EQ(LevelOf(Eval("E007"), "AWS", "staging"), "PowerUser");
  EXPECT_EQ(LevelOf(Eval("E002"), "AWS", "sandbox"), "PowerUser");
  EXPECT_EQ(LevelOf(Eval("E002"), "AWS", "production"), "ReadOnly");
  EXPECT_EQ(LevelOf(Eval("E003"), "AWS", "production"), "PowerUser");
  EXPECT_EQ(LevelOf(Eval("E008"), "AWS", "production"), "PowerUser");
  EXPECT_EQ(LevelOf(Eval("E008"), "PagerDuty"), "Responder");
  EXPECT_EQ(LevelOf(Eval("E026"), "PagerDuty"), "Responder");
  EXPECT_EQ(LevelOf(Eval("E002"), "PagerDuty"), "Manager");
  EXPECT_EQ(LevelOf(Eval("E027"), "PagerDuty"), "Manager");
  // The Cursor pilot reaches E004, E005 and E006 only.
  for (const Person& p : state_->people.people) {
    const bool in_pilot = p.id == "E004" || p.id == "E005" || p.id == "E006";
    EXPECT_EQ(LevelOf(Eval(p.id), "Cursor"), in_pilot ? "Member" : "(none)")
        << p.id;
  }
  EXPECT_EQ(LevelOf(Eval("E006"), "Datadog"), "Standard");  // ENGINEERING.
  EXPECT_EQ(LevelOf(Eval("E005"), "M365", "us"),
            "Business Standard");  // new york.
}

TEST_F(AcmeTest, StoryFinanceAndHumanResources) {
  EXPECT_EQ(LevelOf(Eval("E029"), "NetSuite"), "AP Clerk");
  EXPECT_EQ(LevelOf(Eval("E030"), "NetSuite"), "AP Approver");
  EXPECT_EQ(LevelOf(Eval("E028"), "NetSuite"), "Controller");
  EXPECT_EQ(LevelOf(Eval("E031"), "Tableau"), "Explorer");
  for (const char* id : {"E032", "E033", "E034"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(LevelOf(Eval(id), "BambooHR"), "Admin");
    EXPECT_EQ(LevelOf(Eval(id), "Greenhouse"), "Job Admin");
  }
  const Decision d032 = Eval("E032");
  const Entitlement* carta = Find(d032, "Carta");
  ASSERT_NE(carta, nullptr);
  EXPECT_EQ(carta->level, "Editor");
  EXPECT_THAT(carta->reasons, ElementsAre("R73"));
}

TEST_F(AcmeTest, StoryLabsMissingDepartmentLeaverWindowAndExpiry) {
  EXPECT_EQ(LevelOf(Eval("E037"), "AWS", "sandbox"), "Administrator");
  Decision e038 = Eval("E038");
  EXPECT_EQ(LevelOf(e038, "Confluence"), "Viewer");
  EXPECT_THAT(Find(e038, "Confluence")->reasons, ElementsAre("R18"));
  // The README names `department`; `squads` is also behind withheld grants
  // (R41–R43, R53: department and squads both UNKNOWN).
  EXPECT_THAT(e038.missing, ElementsAre("department", "squads"));
  Decision e039 = Eval("E039");
  EXPECT_TRUE(e039.leaver);
  EXPECT_THAT(e039.entitlements, IsEmpty());
  EXPECT_EQ(DecisionToJson(e039),
            R"({"person":"E039","entitlements":[],"missing":[]})");
  const Decision d025 = Eval("E025");
  const Entitlement* gong = Find(d025, "Gong");
  ASSERT_NE(gong, nullptr);
  EXPECT_EQ(gong->level, "Viewer");
  ASSERT_TRUE(gong->expires.has_value());
  EXPECT_EQ(FormatIsoDate(*gong->expires), "2027-01-31");
}

}  // namespace
}  // namespace birthright
