// Tests for the reference evaluator, the oracle of SPEC §2–§5: small
// policies built from CSV through the importers, bound with
// BoundPolicy::Bind (the HR population passed for type inference) and
// evaluated with EvaluateReference. Every test asserts exact outputs.
#include "birthright/reference_evaluator.h"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/decision.h"
#include "birthright/import.h"
#include "birthright/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace birthright {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kCatalog[] =
    "app,instance,levels,default level\n"
    "GitHub,acme-org,Read;Triage;Write;Maintain;Admin,\n"
    "Slack,corp,Member;Admin;Owner,\n"
    "Slack,eng,Guest;Member;Admin,Member\n"
    "Salesforce,,Read Only;Standard User;Manager;Admin,Standard User\n"
    "Okta,,User;Helpdesk Admin;Super Admin,\n"
    "Zoom,,Basic;Licensed,\n";

constexpr char kAsOf[] = "2026-11-26";

Date D(std::string_view iso) {
  std::optional<Date> d = ParseIsoDate(iso);
  EXPECT_TRUE(d.has_value()) << iso;
  return d.value_or(Date{});
}

struct Inputs {
  Inputs(std::string rules_csv, std::string people_csv,
         std::string catalog_csv = kCatalog, std::string schema_csv = "",
         std::string aliases_csv = "")
      : rules(std::move(rules_csv)),
        people(std::move(people_csv)),
        catalog(std::move(catalog_csv)),
        schema(std::move(schema_csv)),
        aliases(std::move(aliases_csv)) {}

  std::string rules;    // Rules list CSV.
  std::string people;   // HR CSV; passed to Bind for inference.
  std::string catalog;  // Empty = no catalog.
  std::string schema;
  std::string aliases;
};

struct World {
  Policy policy;
  Population people;
  std::unique_ptr<BoundPolicy> bound;

  const Person& Find(std::string_view id) const {
    for (const Person& p : people.people) {
      if (p.id == id) return p;
    }
    ADD_FAILURE() << "no person " << id;
    static const Person kNobody;
    return kNobody;
  }
  Decision Eval(std::string_view id, std::string_view as_of = kAsOf,
                bool explain = false) const {
    return EvaluateReference(*bound, Find(id), D(as_of), explain);
  }
};

// Imports and binds; the status is the first import or bind error.
absl::StatusOr<World> Load(const Inputs& in, bool strict = true,
                           bool infer_from_people = true) {
  World w;
  w.policy.name = "test-policy";
  w.policy.version = "v1";
  absl::Status s;
  if (!in.schema.empty()) {
    s = ImportSchema(in.schema, "schema.csv", &w.policy);
    if (!s.ok()) return s;
  }
  if (!in.catalog.empty()) {
    s = ImportCatalog(in.catalog, "catalog.csv", &w.policy);
    if (!s.ok()) return s;
  }
  if (!in.aliases.empty()) {
    s = ImportAliases(in.aliases, "aliases.csv", &w.policy);
    if (!s.ok()) return s;
  }
  s = ImportRulesList(in.rules, "rules.csv", &w.policy, nullptr);
  if (!s.ok()) return s;
  if (!in.people.empty()) {
    absl::StatusOr<Population> pop = ImportPopulation(in.people, "people.csv");
    if (!pop.ok()) return pop.status();
    w.people = std::move(*pop);
  }
  BindOptions options;
  options.strict = strict;
  absl::StatusOr<std::unique_ptr<BoundPolicy>> bound = BoundPolicy::Bind(
      w.policy, infer_from_people ? &w.people : nullptr, options);
  if (!bound.ok()) return bound.status();
  w.bound = std::move(*bound);
  return w;
}

#define ASSERT_LOADED(var, inputs)                 \
  absl::StatusOr<World> var##_or = Load(inputs);   \
  ASSERT_TRUE(var##_or.ok()) << var##_or.status(); \
  const World& var = *var##_or

// One line per entitlement: app|instance|level|scopes|expires|reasons.
std::string Ents(const Decision& d) {
  std::string out;
  for (const Entitlement& e : d.entitlements) {
    std::string scopes, reasons;
    for (const std::string& s : e.scopes)
      scopes += (scopes.empty() ? "" : ";") + s;
    for (const std::string& r : e.reasons)
      reasons += (reasons.empty() ? "" : ",") + r;
    out += e.app + "|" + e.instance + "|" + e.level + "|" + scopes + "|" +
           (e.expires ? FormatIsoDate(*e.expires) : "-") + "|" + reasons + "\n";
  }
  return out;
}

std::string Withheld(const Decision& d) {
  std::string out;
  for (const WithheldGrant& w : d.withheld) {
    out += w.rule_id + "|" + w.app + "|" + w.instance + "|" + w.level + "|" +
           w.why + "\n";
  }
  return out;
}

const BindIssue* FindIssue(const BoundPolicy& b, std::string_view code) {
  for (const BindIssue& i : b.issues()) {
    if (i.code == code) return &i;
  }
  return nullptr;
}

// ===========================================================================
// SPEC §2: attributes.

TEST(ReferenceEvaluatorTest, Spec2AttributeNamesFoldEverywhere) {
  ASSERT_LOADED(w,
                (Inputs{"id,Job Title,app,unless\n"
                        "G1,Engineer | Intern,Okta,job_title = intern\n",
                        "id,job-title\nP1,Engineer\nP2,Intern\nP3,Manager\n"}));
  EXPECT_EQ(Ents(w.Eval("P1")), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("P2")), "");
  EXPECT_EQ(Ents(w.Eval("P3")), "");
  // One attribute, spelled as the rules sheet first spells it.
  const AttrId id = w.bound->FindAttribute("jobtitle");
  ASSERT_GE(id, 0);
  EXPECT_EQ(w.bound->attributes()[id].name, "Job Title");
  EXPECT_EQ(w.bound->attributes().size(), 1u);
}

TEST(ReferenceEvaluatorTest, Spec2ValuesNormalizeCaseAndWhitespace) {
  ASSERT_LOADED(w, (Inputs{"id,job title,app\nG1,  SALES    engineer ,Okta\n",
                           "id,job title\nP1,Sales Engineer\nP2,\"  sales\t  "
                           "ENGINEER \"\nP3,SalesEngineer\n"}));
  EXPECT_EQ(Ents(w.Eval("P1")), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("P2")), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("P3")), "");
}

TEST(ReferenceEvaluatorTest, Spec2CaseSensitiveAttributeFromSchema) {
  ASSERT_LOADED(
      w, (Inputs{"id,manager,code,app,instance\n"
                 "G1,E001,,Okta,\n"
                 "G2,,contains AB,Zoom,\n"
                 "G3,,/^X/,Slack,corp\n",
                 "id,manager,code\nP1,E001,xAB\nP2,e001,xab\nP3,,Xy\nP4,,xy\n",
                 kCatalog,
                 "attribute,type,order,case "
                 "sensitive\nmanager,string,,yes\ncode,string,,yes\n"}));
  EXPECT_EQ(Ents(w.Eval("P1")), "Okta||User||-|G1\nZoom||Basic||-|G2\n");
  EXPECT_EQ(Ents(w.Eval("P2")), "");
  EXPECT_EQ(Ents(w.Eval("P3")), "Slack|corp|Member||-|G3\n");
  EXPECT_EQ(Ents(w.Eval("P4")), "");
}

constexpr char kDeptAliases[] =
    "attribute,alias,canonical\n"
    "department,Ent Sales,Sales - Enterprise\n"
    "Department,People Ops,Human Resources\n";

// SPEC §2: aliases canonicalize HR values and rule literals alike.
TEST(ReferenceEvaluatorTest, Spec2AliasesCanonicalizeBothSides) {
  ASSERT_LOADED(w,
                (Inputs{"id,department,app,level\n"
                        "G1,Sales - Enterprise,Okta,\n"  // Canonical literal.
                        "G2,People Ops,Zoom,\n",         // Alias literal.
                        "id,department\nP1,Ent Sales\nP2,  ENT   sales "
                        "\nP3,Sales - Enterprise\n"
                        "P4,Human Resources\nP5,people ops\nP6,Sales\n",
                        kCatalog, "", kDeptAliases}));
  EXPECT_EQ(Ents(w.Eval("P1")), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("P2")), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("P3")), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("P4")), "Zoom||Basic||-|G2\n");
  EXPECT_EQ(Ents(w.Eval("P5")), "Zoom||Basic||-|G2\n");
  EXPECT_EQ(Ents(w.Eval("P6")), "");
}

// SPEC §2: one step, no chains. A → B and B → C: an HR `A` reads as `B`, a
// rule literal `B` reads as `C`.
TEST(ReferenceEvaluatorTest, Spec2AliasesAreOneStepWithoutChains) {
  ASSERT_LOADED(w, (Inputs{"id,team,app,level\n"
                           "GA,A,Okta,\n"
                           "GB,B,Zoom,\n"
                           "GC,C,Salesforce,\n",
                           "id,team\nP_A,A\nP_B,B\nP_C,C\n", kCatalog, "",
                           "attribute,alias,canonical\nteam,A,B\nteam,B,C\n"}));
  // HR A → B. Literal A → B (match), literal B → C, literal C → C.
  EXPECT_EQ(Ents(w.Eval("P_A")), "Okta||User||-|GA\n");
  // HR B → C: matches literals B (→ C) and C, not A (→ B).
  EXPECT_EQ(Ents(w.Eval("P_B")),
            "Salesforce||Standard User||-|GC\nZoom||Basic||-|GB\n");
  EXPECT_EQ(Ents(w.Eval("P_C")),
            "Salesforce||Standard User||-|GC\nZoom||Basic||-|GB\n");
}

// SPEC §2: every predicate, substring and regex too, sees the canonical value.
TEST(ReferenceEvaluatorTest, Spec2SubstringAndRegexSeeTheCanonicalValue) {
  ASSERT_LOADED(w, (Inputs{"id,department,app,instance\n"
                           "G1,contains enterprise,Okta,\n"
                           "G2,starts with ent,Zoom,\n"
                           "G3,/^sales - enterprise$/,Slack,corp\n"
                           "G4,ends with Resources,Salesforce,\n",
                           "id,department\nP1,Ent Sales\nP2,People Ops\n",
                           kCatalog, "", kDeptAliases}));
  EXPECT_EQ(Ents(w.Eval("P1")), "Okta||User||-|G1\nSlack|corp|Member||-|G3\n");
  EXPECT_EQ(Ents(w.Eval("P2")), "Salesforce||Standard User||-|G4\n");
}

constexpr char kSquadsSchema[] =
    "attribute,type,order,case sensitive\nsquads,set,,\n";

// SPEC §2: on a set, a positive predicate holds when it holds for some
// member; a none-of holds when no member is in the list.
TEST(ReferenceEvaluatorTest, Spec2SetPredicates) {
  ASSERT_LOADED(
      w,
      (Inputs{
          "id,squads,app,level,instance\n"
          "ANY,platform | web,Okta,,\n"
          "NONE,not (contractors | restricted),Zoom,,\n"
          "SUB,contains plat,Salesforce,,\n"
          "RE,/^mob/,Slack,,corp\n"
          "EX,exists,GitHub,Read,acme-org\n",
          "id,squads\nP1,api; "
          "WEB\nP2,web;Restricted\nP3,platform\nP4,mobile;api\nP5,\nP6, ; \n",
          kCatalog, kSquadsSchema}));
  EXPECT_EQ(
      Ents(w.Eval("P1")),
      "GitHub|acme-org|Read||-|EX\nOkta||User||-|ANY\nZoom||Basic||-|NONE\n");
  EXPECT_EQ(Ents(w.Eval("P2")),
            "GitHub|acme-org|Read||-|EX\nOkta||User||-|ANY\n");
  EXPECT_EQ(Ents(w.Eval("P3")),
            "GitHub|acme-org|Read||-|EX\nOkta||User||-|ANY\nSalesforce||"
            "Standard User||-|SUB\n"
            "Zoom||Basic||-|NONE\n");
  EXPECT_EQ(Ents(w.Eval("P4")),
            "GitHub|acme-org|Read||-|EX\nSlack|corp|Member||-|RE\nZoom||Basic||"
            "-|NONE\n");
  // An empty set is missing: every positive and none-of predicate is UNKNOWN.
  Decision empty = w.Eval("P5");
  EXPECT_EQ(Ents(empty), "");
  EXPECT_THAT(empty.missing, ElementsAre("squads"));
  EXPECT_EQ(Ents(w.Eval("P6")), "");
}

TEST(ReferenceEvaluatorTest, Spec2SetMembersAreCanonicalizedThroughAliases) {
  ASSERT_LOADED(
      w, (Inputs{"id,squads,app\nG1,platform,Okta\nG2,not plat,Zoom\n",
                 "id,squads\nP1,plat;api\nP2,api\n", kCatalog, kSquadsSchema,
                 "attribute,alias,canonical\nsquads,plat,platform\n"}));
  EXPECT_EQ(Ents(w.Eval("P1")), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("P2")), "Zoom||Basic||-|G2\n");
}

TEST(ReferenceEvaluatorTest, Spec2SetNoneOfInUnless) {
  ASSERT_LOADED(
      w, (Inputs{"id,app,unless\nG1,Okta,\"squads not in (a, b)\"\n",
                 "id,squads\nP1,c;a\nP2,c;d\n", kCatalog, kSquadsSchema}));
  // unless TRUE for P2 (no member in the list), so no grant; FALSE for P1.
  EXPECT_EQ(Ents(w.Eval("P1")), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("P2")), "");
}

// SPEC §2: types are inferred from the HR values.
TEST(ReferenceEvaluatorTest, Spec2TypeInferredFromHrIntegers) {
  ASSERT_LOADED(
      w, (Inputs{"id,cost center,app,level\nG1,< 1000,Okta,\nG2,7,Zoom,\n",
                 "id,cost center\nP1,999\nP2,1000\nP3,007\nP4, 12 \n"}));
  const BoundAttribute& a =
      w.bound->attributes()[w.bound->FindAttribute("costcenter")];
  EXPECT_EQ(a.type, AttrType::kInt);
  EXPECT_EQ(a.inferred_from, "HR values");
  EXPECT_EQ(Ents(w.Eval("P1")),
            "Okta||User||-|G1\n");  // 999 < 1000 as numbers.
  EXPECT_EQ(Ents(w.Eval("P2")), "");
  EXPECT_EQ(Ents(w.Eval("P3")),
            "Okta||User||-|G1\nZoom||Basic||-|G2\n");  // 007 = 7.
  EXPECT_EQ(Ents(w.Eval("P4")), "Okta||User||-|G1\n");
  // Inference is reported so a user can pin it.
  const BindIssue* info = FindIssue(*w.bound, "inferred-type");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->severity, Severity::kInfo);
  EXPECT_EQ(info->message,
            "attribute 'cost center' inferred as int from HR values; declare "
            "it in the "
            "schema to pin it");
}

TEST(ReferenceEvaluatorTest, Spec2TypeInferredFromHrDates) {
  ASSERT_LOADED(
      w,
      (Inputs{"id,start date,app\nG1,>= "
              "2023-01-01,Okta\nG2,2019-01-01..2019-12-31,Zoom\n",
              "id,start date\nP1,2023-01-01\nP2,2022-12-31\nP3,2019-06-30\n"}));
  EXPECT_EQ(w.bound->attributes()[w.bound->FindAttribute("startdate")].type,
            AttrType::kDate);
  EXPECT_EQ(Ents(w.Eval("P1")), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("P2")), "");
  EXPECT_EQ(Ents(w.Eval("P3")), "Zoom||Basic||-|G2\n");
}

// SPEC §2: letters+digits like L7 → ordinal in natural order: L9 < L10.
TEST(ReferenceEvaluatorTest, Spec2TypeInferredOrdinalNaturalOrder) {
  ASSERT_LOADED(w, (Inputs{"id,grade,app,level\nG1,> "
                           "L9,Okta,\nG2,L2..L10,Zoom,\nG3,<= l9,Salesforce,\n",
                           "id,grade\nP9,L9\nP10,L10\nP2,L2\nP11,L11\n"}));
  const BoundAttribute& a =
      w.bound->attributes()[w.bound->FindAttribute("grade")];
  EXPECT_EQ(a.type, AttrType::kOrdinal);
  EXPECT_TRUE(a.order.empty());
  EXPECT_EQ(Ents(w.Eval("P9")),
            "Salesforce||Standard User||-|G3\nZoom||Basic||-|G2\n");
  EXPECT_EQ(Ents(w.Eval("P10")), "Okta||User||-|G1\nZoom||Basic||-|G2\n");
  EXPECT_EQ(Ents(w.Eval("P2")),
            "Salesforce||Standard User||-|G3\nZoom||Basic||-|G2\n");
  EXPECT_EQ(Ents(w.Eval("P11")), "Okta||User||-|G1\n");
}

// SPEC §2: when no person has the attribute, the rule literals decide.
TEST(ReferenceEvaluatorTest,
     Spec2TypeInferredFromRuleLiteralsWhenNoPersonHasIt) {
  const Inputs in{
      "id,tenure,hired,app,level\nG1,> 5,,Okta,\nG2,,>= 2020-01-01,Zoom,\n",
      "id,department\nP1,Sales\n"};
  for (bool with_people : {true, false}) {
    SCOPED_TRACE(with_people);
    absl::StatusOr<World> w = Load(in, /*strict=*/true, with_people);
    ASSERT_TRUE(w.ok()) << w.status();
    const BoundAttribute& tenure =
        w->bound->attributes()[w->bound->FindAttribute("tenure")];
    EXPECT_EQ(tenure.type, AttrType::kInt);
    EXPECT_EQ(tenure.inferred_from, "rule literals");
    EXPECT_EQ(w->bound->attributes()[w->bound->FindAttribute("hired")].type,
              AttrType::kDate);
    Person p;
    p.id = "X";
    p.attributes = {{"Tenure", "12"}, {"hired", "2021-05-05"}};
    // 12 > 5 only as numbers ("12" < "5" as text).
    EXPECT_EQ(Ents(EvaluateReference(*w->bound, p, D(kAsOf))),
              "Okta||User||-|G1\nZoom||Basic||-|G2\n");
  }
}

// SPEC §2: mixed HR values infer string, and an ordered comparison on a
// string is a type mismatch (an input error for eval).
TEST(ReferenceEvaluatorTest,
     Spec2MixedHrValuesInferStringAndOrderedOpIsABindError) {
  absl::StatusOr<World> w =
      Load(Inputs{"id,grade,app\nG1,> L4,Okta\n", "id,grade\nP1,L5\nP2,n/a\n"});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      w.status().message(),
      "rules.csv:2:4: ordered comparison '> L4' on string attribute 'grade'; "
      "declare it int, date or ordinal [type-mismatch]");
}

constexpr char kSeniority[] =
    "attribute,type,order,case "
    "sensitive\nseniority,ordinal,Junior;Mid;Senior,\n";

// SPEC §2: a declared ordinal compares in its declared order.
TEST(ReferenceEvaluatorTest, Spec2DeclaredOrdinalOrder) {
  ASSERT_LOADED(
      w, (Inputs{"id,seniority,app,level\nG1,>= Mid,Okta,\nG2,< "
                 "mid,Zoom,\nG3,Junior..Mid,Salesforce,\n",
                 "id,seniority\nPJ,junior\nPM,Mid\nPS,SENIOR\nPX,Staff\n",
                 kCatalog, kSeniority}));
  EXPECT_EQ(Ents(w.Eval("PJ")),
            "Salesforce||Standard User||-|G3\nZoom||Basic||-|G2\n");
  EXPECT_EQ(Ents(w.Eval("PM")),
            "Okta||User||-|G1\nSalesforce||Standard User||-|G3\n");
  EXPECT_EQ(Ents(w.Eval("PS")), "Okta||User||-|G1\n");
  // A value outside the declared order does not parse: it is missing.
  Decision x = w.Eval("PX");
  EXPECT_EQ(Ents(x), "");
  EXPECT_THAT(x.missing, ElementsAre("seniority"));
}

TEST(ReferenceEvaluatorTest, Spec2DeclaredOrdinalRejectsUndeclaredLiteral) {
  absl::StatusOr<World> w =
      Load(Inputs{"id,seniority,app\nG1,> Staff,Okta\n",
                  "id,seniority\nP1,Mid\n", kCatalog, kSeniority});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      w.status().message(),
      "rules.csv:2:4: 'Staff' is not a valid ordinal value for 'seniority'; "
      "expected "
      "one of the declared values (junior < mid < senior) [type-mismatch]");
}

// SPEC §2: a typed value that does not parse is treated as missing.
TEST(ReferenceEvaluatorTest, Spec2UnparseableTypedValueIsMissing) {
  ASSERT_LOADED(
      w,
      (Inputs{"id,cost center,start date,app,level\n"
              "G1,>= 100,,Okta,\n"
              "G2,missing,,Zoom,\n"
              "G3,,exists,Salesforce,\n",
              "id,cost center,start "
              "date\nP1,n/a,soon\nP2,150,2024-02-30\nP3,150,2024-02-29\n",
              kCatalog, "attribute,type\ncost center,int\nstart date,date\n"}));
  Decision p1 = w.Eval("P1");
  EXPECT_EQ(Ents(p1), "Zoom||Basic||-|G2\n");
  EXPECT_THAT(p1.missing, ElementsAre("cost center"));
  EXPECT_EQ(Ents(w.Eval("P2")), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("P3")),
            "Okta||User||-|G1\nSalesforce||Standard User||-|G3\n");
}

// SPEC §2: a grant applies only when its condition is TRUE and its
// `unless` is FALSE.
TEST(ReferenceEvaluatorTest, Spec2KleeneGrantNeedsTrueConditionAndFalseUnless) {
  ASSERT_LOADED(
      w,
      (Inputs{"id,department,app,unless\nG1,Sales,Okta,location = Berlin\n",
              "id,department,location\n"
              "TT,Sales,Paris\n"   // cond TRUE, unless FALSE → grant.
              "TU,Sales,\n"        // cond TRUE, unless UNKNOWN → withheld.
              "TX,Sales,Berlin\n"  // cond TRUE, unless TRUE → no.
              "UF,,Paris\n"        // cond UNKNOWN → withheld.
              "UX,,Berlin\n"  // cond UNKNOWN, unless TRUE → no (not withheld).
              "FU,Support,\n"}));  // cond FALSE → no.
  Decision tt = w.Eval("TT");
  EXPECT_EQ(Ents(tt), "Okta||User||-|G1\n");
  EXPECT_THAT(tt.missing, IsEmpty());
  Decision tu = w.Eval("TU");
  EXPECT_EQ(Ents(tu), "");
  EXPECT_THAT(tu.missing, ElementsAre("location"));
  Decision tx = w.Eval("TX");
  EXPECT_EQ(Ents(tx), "");
  EXPECT_THAT(tx.missing, IsEmpty());
  Decision uf = w.Eval("UF");
  EXPECT_EQ(Ents(uf), "");
  EXPECT_THAT(uf.missing, ElementsAre("department"));
  Decision ux = w.Eval("UX");
  EXPECT_EQ(Ents(ux), "");
  EXPECT_THAT(ux.missing, IsEmpty());
  Decision fu = w.Eval("FU");
  EXPECT_EQ(Ents(fu), "");
  EXPECT_THAT(fu.missing, IsEmpty());
}

// SPEC §2: a deny applies when its condition is TRUE or UNKNOWN and its
// `unless` is not TRUE (an exception to a deny must be proven).
TEST(ReferenceEvaluatorTest, Spec2KleeneDenyFiresOnUnknownUnlessProven) {
  ASSERT_LOADED(
      w,
      (Inputs{"id,employment type,app,effect,unless\n"
              "G1,,Okta,grant,\n"
              "D1,Contractor,Okta,deny,clearance = yes\n",
              "id,employment type,clearance\n"
              "TT,Contractor,yes\n"  // deny cond TRUE, unless TRUE → deny off.
              "TF,Contractor,no\n"   // cond TRUE, unless FALSE → denied.
              "TU,Contractor,\n"     // cond TRUE, unless UNKNOWN → denied.
              "UF,,no\n"             // cond UNKNOWN → denied.
              "UT,,yes\n"            // cond UNKNOWN, unless TRUE → deny off.
              "FF,Full-time,no\n"}));  // cond FALSE → deny off.
  Decision tt = w.Eval("TT");
  EXPECT_EQ(Ents(tt), "Okta||User||-|G1\n");
  EXPECT_THAT(tt.missing, IsEmpty());
  Decision tf = w.Eval("TF");
  EXPECT_EQ(Ents(tf), "");
  EXPECT_THAT(tf.missing, IsEmpty());
  Decision tu = w.Eval("TU");
  EXPECT_EQ(Ents(tu), "");
  EXPECT_THAT(tu.missing, ElementsAre("clearance"));
  Decision uf = w.Eval("UF");
  EXPECT_EQ(Ents(uf), "");
  EXPECT_THAT(uf.missing, ElementsAre("employment type"));
  Decision ut = w.Eval("UT");
  EXPECT_EQ(Ents(ut), "Okta||User||-|G1\n");
  EXPECT_THAT(ut.missing, IsEmpty());
  EXPECT_EQ(Ents(w.Eval("FF")), "Okta||User||-|G1\n");
}

// SPEC §2: `missing` names the attributes behind a withheld grant, an
// UNKNOWN-fired deny and a missing expiry attribute; sorted, spelled as the
// sheet spells them.
TEST(ReferenceEvaluatorTest,
     Spec2MissingListsTheAttributesThatChangedTheOutcome) {
  ASSERT_LOADED(w, (Inputs{"id,Grade,Department,app,level,effect,expires\n"
                           "G1,> L4,,Okta,,grant,\n"
                           "D1,,not Sales,Zoom,,deny,\n"
                           "G2,,,Zoom,,grant,\n"
                           "G3,,,Salesforce,,grant,Contract End\n",
                           "id,grade,department,contract_end\n"
                           "P1,,,\n"
                           "P2,L5,Sales,2027-01-01\n"
                           "P3,L1,,2027-01-01\n"}));
  Decision p1 = w.Eval("P1");
  EXPECT_EQ(Ents(p1), "");
  EXPECT_THAT(p1.missing, ElementsAre("Contract End", "Department", "Grade"));
  Decision p2 = w.Eval("P2");
  EXPECT_EQ(Ents(p2),
            "Okta||User||-|G1\nSalesforce||Standard "
            "User||2027-01-01|G3\nZoom||Basic||-|G2\n");
  EXPECT_THAT(p2.missing, IsEmpty());
  // Grade L1 makes G1 FALSE: nothing else is missing but the department.
  Decision p3 = w.Eval("P3");
  EXPECT_EQ(Ents(p3), "Salesforce||Standard User||2027-01-01|G3\n");
  EXPECT_THAT(p3.missing, ElementsAre("Department"));
}

// SPEC §2: an attribute whose value cannot change the outcome did not
// "change the outcome" and must not be reported.
TEST(ReferenceEvaluatorTest, Spec2MissingOmitsAttributesThatCannotMatter) {
  ASSERT_LOADED(w,
                (Inputs{"id,app,unless\nG1,Okta,(a = 1 and b = 2) or c = 3\n",
                        "id,a,b,c\nP1,,9,\nP2,1,2,\n"}));
  // unless = (UNKNOWN and FALSE) or UNKNOWN = UNKNOWN: withheld because of
  // c alone; no value of a can change anything.
  Decision p1 = w.Eval("P1");
  EXPECT_EQ(Ents(p1), "");
  // P2: unless TRUE whatever c is.
  EXPECT_THAT(w.Eval("P2").missing, IsEmpty());
  EXPECT_THAT(p1.missing, ElementsAre("c"));
}

// SPEC §2: two aliases of one value to different canonicals are an input
// error.
TEST(ReferenceEvaluatorTest, Spec2ConflictingAliasesAreABindError) {
  absl::StatusOr<World> w =
      Load(Inputs{"id,team,app\nG1,B,Okta\n", "id,team\nP1,A\n", kCatalog, "",
                  "attribute,alias,canonical\nteam,A,B\nTeam, a ,C\n"});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(w.status().message()),
              ::testing::MatchesRegex(
                  "aliases\\.csv:3(:[0-9]+)?: alias 'a' of 'Team' maps to "
                  "two canonical values \\[alias-conflict\\]"));
}

// SPEC §2: with a schema, an attribute it does not declare is inferred and
// bind warns (check reports it).
TEST(ReferenceEvaluatorTest, Spec2UndeclaredAttributeWithASchemaWarns) {
  ASSERT_LOADED(w, (Inputs{"id,grade,office,app\nG1,> L2,HQ,Okta\n",
                           "id,grade,office\nP1,L3,hq\n", kCatalog,
                           "attribute,type\ngrade,ordinal\n"}));
  const BindIssue* warn = FindIssue(*w.bound, "unknown-attribute");
  ASSERT_NE(warn, nullptr);
  EXPECT_EQ(warn->severity, Severity::kWarning);
  EXPECT_EQ(warn->message,
            "attribute 'office' is not in the schema; its type is inferred");
  EXPECT_EQ(FormatSourceLocation(warn->location), "rules.csv:2:9");
  EXPECT_EQ(Ents(w.Eval("P1")), "Okta||User||-|G1\n");
}

// ===========================================================================
// SPEC §3: cell forms evaluated.

TEST(ReferenceEvaluatorTest, Spec3CellFormsEvaluate) {
  ASSERT_LOADED(w,
                (Inputs{"id,title,dept,app,level,instance\n"
                        "EQ,Sales Engineer,,Okta,,\n"
                        "ANY,,Sales; Marketing,Zoom,,\n"
                        "NONE,!Contractor,,Salesforce,,\n"
                        "SW,starts with Sr,,Slack,,corp\n"
                        "EW,ends with Manager,,Slack,,eng\n"
                        "RE,/eng/,,GitHub,Read,acme-org\n"
                        "QUOTED,,\"\"\"R&D; Labs\"\"\",GitHub,Admin,acme-org\n",
                        "id,title,dept\n"
                        "P1,Sales Engineer,Sales\n"
                        "P2,Sr Account Manager,\"R&D; Labs\"\n"
                        "P3,Contractor,Marketing\n"
                        "P4,Head of Sales,R&D\n"}));
  EXPECT_EQ(Ents(w.Eval("P1")),
            "GitHub|acme-org|Read||-|RE\nOkta||User||-|EQ\n"
            "Salesforce||Standard User||-|NONE\nZoom||Basic||-|ANY\n");
  EXPECT_EQ(
      Ents(w.Eval("P2")),
      "GitHub|acme-org|Admin||-|QUOTED\nSalesforce||Standard User||-|NONE\n"
      "Slack|corp|Member||-|SW\nSlack|eng|Member||-|EW\n");
  EXPECT_EQ(Ents(w.Eval("P3")), "Zoom||Basic||-|ANY\n");
  EXPECT_EQ(Ents(w.Eval("P4")), "Salesforce||Standard User||-|NONE\n");
}

// SPEC §3: a regex is searched (partial match) unless anchored.
TEST(ReferenceEvaluatorTest, Spec3RegexIsPartialUnlessAnchored) {
  ASSERT_LOADED(w, (Inputs{"id,title,app\nPART,/engineer/,Okta\nANCH,/"
                           "^(Staff|Principal) Engineer$/,Zoom\n",
                           "id,title\nP1,Staff Engineer\nP2,Senior Staff "
                           "Engineer\nP3,  principal   ENGINEER\n"}));
  EXPECT_EQ(Ents(w.Eval("P1")), "Okta||User||-|PART\nZoom||Basic||-|ANCH\n");
  EXPECT_EQ(Ents(w.Eval("P2")), "Okta||User||-|PART\n");
  EXPECT_EQ(Ents(w.Eval("P3")), "Okta||User||-|PART\nZoom||Basic||-|ANCH\n");
}

// SPEC §3, §10: regexes are RE2 (linear time): a catastrophic-backtracking
// pattern on a long input returns quickly.
TEST(ReferenceEvaluatorTest, Spec3RegexIsLinearTime) {
  ASSERT_LOADED(
      w, (Inputs{"id,title,app\nG1,/(a+)+$/,Okta\nG2,/^(a|aa)+c$/,Zoom\n",
                 "id,title\nP0,a\n"}));
  EXPECT_EQ(Ents(w.Eval("P0")), "Okta||User||-|G1\n");
  Person no_match;
  no_match.id = "LONG1";
  no_match.attributes = {{"title", std::string(50000, 'a') + "!"}};
  Person match;
  match.id = "LONG2";
  match.attributes = {{"title", std::string(50000, 'a') + "c"}};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Ents(EvaluateReference(*w.bound, no_match, D(kAsOf))), "");
  EXPECT_EQ(Ents(EvaluateReference(*w.bound, match, D(kAsOf))),
            "Zoom||Basic||-|G2\n");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(
      std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(),
      2000);
}

TEST(ReferenceEvaluatorTest, Spec3PresenceTests) {
  ASSERT_LOADED(w, (Inputs{"id,dept,app\nE,exists,Okta\nM,missing,Zoom\n",
                           "id,dept\nP1,Sales\nP2,\nP3,\"   \"\n"}));
  Decision p1 = w.Eval("P1");
  EXPECT_EQ(Ents(p1), "Okta||User||-|E\n");
  Decision p2 = w.Eval("P2");
  EXPECT_EQ(Ents(p2), "Zoom||Basic||-|M\n");
  EXPECT_THAT(p2.missing, IsEmpty());  // exists/missing are never UNKNOWN.
  EXPECT_EQ(Ents(w.Eval("P3")), "Zoom||Basic||-|M\n");
}

// SPEC §4.1: a reversed range matches no present value; on a missing value
// it is UNKNOWN like every predicate.
TEST(ReferenceEvaluatorTest,
     Spec41ReversedRangeMatchesNothingButIsUnknownOnMissing) {
  ASSERT_LOADED(w, (Inputs{"id,grade,app,effect\nG1,,Okta,grant\nG2,L8..L3,"
                           "Zoom,grant\nD1,L8..L3,Okta,deny\n",
                           "id,grade\nP1,L5\nP2,L8\nP3,L3\nPM,\n"}));
  for (const char* id : {"P1", "P2", "P3"}) {
    SCOPED_TRACE(id);
    Decision d = w.Eval(id);
    EXPECT_EQ(Ents(d), "Okta||User||-|G1\n");
    EXPECT_THAT(d.missing, IsEmpty());
  }
  Decision m = w.Eval("PM");
  EXPECT_EQ(Ents(m), "");  // G2 withheld, D1 fires on UNKNOWN.
  EXPECT_THAT(m.missing, ElementsAre("grade"));
}

// ===========================================================================
// SPEC §4: rules and resolution.

constexpr char kLeaverRules[] = "id,app\nG1,Okta\n";

// SPEC §4.0: terminated before as_of → a leaver who gets nothing.
TEST(ReferenceEvaluatorTest, Spec40LeaverGetsNothing) {
  ASSERT_LOADED(
      w, (Inputs{kLeaverRules,
                 "id,Termination "
                 "Date\nGONE,2026-11-25\nLAST,2026-11-26\nLATER,2026-12-01\n"
                 "BAD,31/10/2026\nNONE,\n"}));
  Decision gone = w.Eval("GONE");
  EXPECT_TRUE(gone.leaver);
  EXPECT_EQ(Ents(gone), "");
  EXPECT_THAT(gone.missing, IsEmpty());
  EXPECT_EQ(DecisionToJson(gone),
            R"({"person":"GONE","entitlements":[],"missing":[]})");
  // Terminated on as_of itself is not "before as_of".
  Decision last = w.Eval("LAST");
  EXPECT_FALSE(last.leaver);
  EXPECT_EQ(Ents(last), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("LATER")), "Okta||User||-|G1\n");
  // An unparseable termination date is missing: not terminated.
  Decision bad = w.Eval("BAD");
  EXPECT_FALSE(bad.leaver);
  EXPECT_EQ(Ents(bad), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("NONE")), "Okta||User||-|G1\n");
  BoundPerson bp = BindPerson(*w.bound, w.Find("BAD"));
  EXPECT_TRUE(bp.termination_malformed);
  EXPECT_FALSE(bp.termination.has_value());
}

TEST(ReferenceEvaluatorTest, Spec40LeaveDateSynonymAndFolding) {
  for (const char* header :
       {"leave date", "Leave_Date", "termination-date", "TERMINATIONDATE"}) {
    SCOPED_TRACE(header);
    absl::StatusOr<World> w = Load(Inputs{
        kLeaverRules, std::string("id,") + header + "\nP1,2026-01-01\n"});
    ASSERT_TRUE(w.ok()) << w.status();
    Decision d = w->Eval("P1");
    EXPECT_TRUE(d.leaver);
    EXPECT_EQ(Ents(d), "");
  }
}

// SPEC §4.1: effective_from / effective_until are inclusive.
TEST(ReferenceEvaluatorTest, Spec41EffectiveWindowIsInclusive) {
  ASSERT_LOADED(w,
                (Inputs{"id,app,effect,level,effective from,effective until\n"
                        "G1,Okta,grant,,2026-10-01,2026-12-31\n"
                        "G2,Zoom,grant,,,\n"
                        "D1,Zoom,deny,,2026-11-01,2026-11-30\n",
                        "id,dept\nP1,x\n"}));
  EXPECT_EQ(Ents(w.Eval("P1", "2026-09-30")), "Zoom||Basic||-|G2\n");
  EXPECT_EQ(Ents(w.Eval("P1", "2026-10-01")),
            "Okta||User||-|G1\nZoom||Basic||-|G2\n");
  EXPECT_EQ(Ents(w.Eval("P1", "2026-11-01")), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("P1", "2026-11-30")), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("P1", "2026-12-01")),
            "Okta||User||-|G1\nZoom||Basic||-|G2\n");
  EXPECT_EQ(Ents(w.Eval("P1", "2026-12-31")),
            "Okta||User||-|G1\nZoom||Basic||-|G2\n");
  EXPECT_EQ(Ents(w.Eval("P1", "2027-01-01")), "Zoom||Basic||-|G2\n");
}

// SPEC §4.2: deny beats grant, whatever their priorities.
TEST(ReferenceEvaluatorTest, Spec42DenyBeatsGrantRegardlessOfPriority) {
  ASSERT_LOADED(w, (Inputs{"id,dept,app,instance,level,effect,priority\n"
                           "G1,,GitHub,acme-org,Admin,grant,1000\n"
                           "G2,,GitHub,acme-org,Read,grant,-1000\n"
                           "D1,Sales,GitHub,,,deny,-5\n",
                           "id,dept\nS,Sales\nE,Eng\n"}));
  EXPECT_EQ(Ents(w.Eval("S")), "");
  EXPECT_EQ(Ents(w.Eval("E")), "GitHub|acme-org|Admin||-|G1\n");
}

// SPEC §4.2: a deny with no instance covers every instance; with one, only
// that one.
TEST(ReferenceEvaluatorTest, Spec42DenyInstanceScope) {
  ASSERT_LOADED(w, (Inputs{"id,dept,app,instance,level,effect\n"
                           "G1,,Slack,corp,Member,grant\n"
                           "G2,,Slack,eng,Member,grant\n"
                           "G3,,Okta,,,grant\n"
                           "DALL,All,Slack,,,deny\n"
                           "DCORP,Corp,Slack,CORP,,deny\n",
                           "id,dept\nA,All\nC,Corp\nN,None\n"}));
  EXPECT_EQ(Ents(w.Eval("A")), "Okta||User||-|G3\n");
  EXPECT_EQ(Ents(w.Eval("C")), "Okta||User||-|G3\nSlack|eng|Member||-|G2\n");
  EXPECT_EQ(
      Ents(w.Eval("N")),
      "Okta||User||-|G3\nSlack|corp|Member||-|G1\nSlack|eng|Member||-|G2\n");
}

// SPEC §4.2: a deny naming level L is a cap: it removes grants at L and
// above; a grant below L still gives the app.
TEST(ReferenceEvaluatorTest, Spec42DenyWithLevelIsACap) {
  ASSERT_LOADED(w, (Inputs{"id,dept,app,instance,level,effect,priority,scopes\n"
                           "GADMIN,,GitHub,acme-org,Admin,grant,10,admins\n"
                           "GWRITE,,GitHub,acme-org,Write,grant,5,writers\n"
                           "GTRIAGE,,GitHub,acme-org,Triage,grant,0,triage\n"
                           "GREAD,,GitHub,acme-org,Read,grant,0,readers\n"
                           "DCAP,Capped,GitHub,acme-org,write,deny,,\n"
                           "DLOW,Low,GitHub,acme-org,Read,deny,,\n",
                           "id,dept\nCAP,Capped\nLOW,Low\nFREE,Free\n"}));
  // Admin and Write removed; of Triage and Read (equal priority) the higher
  // level wins.
  EXPECT_EQ(Ents(w.Eval("CAP")), "GitHub|acme-org|Triage|triage|-|GTRIAGE\n");
  // A cap at the lowest level removes everything.
  EXPECT_EQ(Ents(w.Eval("LOW")), "");
  EXPECT_EQ(Ents(w.Eval("FREE")), "GitHub|acme-org|Admin|admins|-|GADMIN\n");
}

// SPEC §4.3: an empty grant level is the catalog's default level, the
// lowest when the catalog leaves it empty.
TEST(ReferenceEvaluatorTest, Spec43EmptyLevelIsTheDefaultLevel) {
  ASSERT_LOADED(
      w,
      (Inputs{"id,app,instance,level\n"
              "G1,Salesforce,,\n"       // Default: Standard User.
              "G2,Okta,,\n"             // No default: lowest, User.
              "G3,Slack,eng,\n"         // Default Member.
              "G4,GitHub,acme-org,\n",  // The only instance of GitHub, named.
              "id,x\nP1,1\n"}));
  EXPECT_EQ(Ents(w.Eval("P1")),
            "GitHub|acme-org|Read||-|G4\nOkta||User||-|G2\nSalesforce||"
            "Standard User||-|G1\n"
            "Slack|eng|Member||-|G3\n");
}

TEST(ReferenceEvaluatorTest, Spec43EmptyInstanceTakesTheOnlyInstance) {
  ASSERT_LOADED(w, (Inputs{"id,app,level\nG1,GitHub,Write\n", "id,x\nP1,1\n"}));
  EXPECT_EQ(Ents(w.Eval("P1")), "GitHub|acme-org|Write||-|G1\n");
}

// SPEC §4.3: a grant with an empty instance on a multi-instance app is an
// input error; eval (strict bind) refuses, naming file:line.
TEST(ReferenceEvaluatorTest,
     Spec43EmptyInstanceOnMultiInstanceAppIsABindError) {
  absl::StatusOr<World> w =
      Load(Inputs{"id,dept,app,level\nG0,,Okta,\nG1,Sales,Slack,Member\n",
                  "id,dept\nP1,Sales\n"});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(w.status().message(),
            "rules.csv:3:10: app 'Slack' has several instances (corp, eng); "
            "expected an "
            "instance for this grant [ambiguous-instance]");
  // Non-strict (check): the rule is marked invalid and grants nothing.
  absl::StatusOr<World> lax =
      Load(Inputs{"id,dept,app,level\nG0,,Okta,\nG1,Sales,Slack,Member\n",
                  "id,dept\nP1,Sales\n"},
           /*strict=*/false);
  ASSERT_TRUE(lax.ok()) << lax.status();
  EXPECT_FALSE(lax->bound->rules()[1].valid);
  const BindIssue* issue = FindIssue(*lax->bound, "ambiguous-instance");
  ASSERT_NE(issue, nullptr);
  EXPECT_EQ(issue->rule_id, "G1");
  EXPECT_EQ(issue->severity, Severity::kError);
  EXPECT_EQ(Ents(lax->Eval("P1")), "Okta||User||-|G0\n");
}

// SPEC §4.3: app, instance and level names match case-insensitively; the
// output uses the catalog's spelling.
TEST(ReferenceEvaluatorTest,
     Spec43NamesMatchCaseInsensitivelyOutputUsesCatalogSpelling) {
  ASSERT_LOADED(w,
                (Inputs{"id,app,instance,level\nG1,github,ACME-ORG,maintain\n"
                        "G2,SALESFORCE,,read only\n",
                        "id,x\nP1,1\n"}));
  EXPECT_EQ(Ents(w.Eval("P1")),
            "GitHub|acme-org|Maintain||-|G1\nSalesforce||Read Only||-|G2\n");
}

// SPEC §4.6: unknown app / level / instance and type mismatches are input
// errors for eval; each names file:line:col and its code.
TEST(ReferenceEvaluatorTest, Spec46UnknownNamesAndTypeMismatchesAreBindErrors) {
  struct Case {
    std::string rules;
    std::string message;
  };
  const Case cases[] = {
      {"id,app\nG1,Nope\n",
       "rules.csv:2:4: app 'Nope' is not in the catalog [unknown-app]"},
      {"id,app,instance\nG1,Slack,hr\n",
       "rules.csv:2:4: app 'Slack' has no instance 'hr' in the catalog "
       "[unknown-instance]"},
      {"id,app,instance,level\nG1,GitHub,acme-org,Root\n",
       "rules.csv:2:4: level 'Root' is not a level of GitHub [acme-org]; "
       "expected one of: "
       "Read, Triage, Write, Maintain, Admin [unknown-level]"},
      {"id,app,effect,level\nD1,Okta,deny,Root\n",
       "rules.csv:2:4: level 'Root' is not a level of Okta; expected one of: "
       "User, "
       "Helpdesk Admin, Super Admin [unknown-level]"},
      {"id,cost center,app\nG1,abc,Okta\n",
       "rules.csv:2:4: 'abc' is not a valid int value for 'cost center'; "
       "expected an "
       "integer [type-mismatch]"},
      {"id,cost center,app\nG1,contains 5,Okta\n",
       "rules.csv:2:4: text match 'contains 5' on int attribute 'cost center'; "
       "only "
       "string and set attributes take substring and regex conditions "
       "[type-mismatch]"},
      {"id,dept,app\nG1,> x,Okta\n",
       "rules.csv:2:4: ordered comparison '> x' on string attribute 'dept'; "
       "declare it "
       "int, date or ordinal [type-mismatch]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.rules);
    absl::StatusOr<World> w =
        Load(Inputs{c.rules, "id,cost center,dept\nP1,10,Sales\n"});
    EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(w.status().message(), c.message);
  }
}

// SPEC §10: a bind error in an `unless` or `expires` cell names its column.
TEST(ReferenceEvaluatorTest, Spec10BindErrorsInUnlessAndExpiresNameAColumn) {
  absl::StatusOr<World> u = Load(Inputs{
      "id,app,unless\nG1,Okta,cost center = abc\n", "id,cost center\nP1,10\n"});
  EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<World> e =
      Load(Inputs{"id,app,expires\nG1,Okta,dept\n", "id,dept\nP1,Sales\n"});
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(u.status().message(),
            "rules.csv:2:9: 'abc' is not a valid int value for 'cost center'; "
            "expected an integer [type-mismatch]");
  EXPECT_EQ(
      e.status().message(),
      "rules.csv:2:9: expires names 'dept', a string attribute; expected a "
      "date attribute or an ISO date [type-mismatch]");

  // Within the cell: the offending predicate, also past a newline and a
  // `""` escape inside a CSV-quoted cell.
  absl::StatusOr<World> p = Load(
      Inputs{"id,app,unless\n"
             "G1,Okta,\"dept = a or\n  dept = \"\"b\"\" or cost center > x\"\n",
             "id,cost center,dept\nP1,10,Sales\n"});
  EXPECT_EQ(p.status().message(),
            "rules.csv:3:19: 'x' is not a valid int value for 'cost center'; "
            "expected an integer [type-mismatch]");
}

TEST(ReferenceEvaluatorTest, Spec46InvalidRegexIsABindError) {
  absl::StatusOr<World> w =
      Load(Inputs{"id,title,app\nG1,/(unclosed/,Okta\n", "id,title\nP,x\n"});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      std::string(w.status().message()),
      HasSubstr("rules.csv:2:4: invalid regular expression /(unclosed/: "));
  EXPECT_THAT(std::string(w.status().message()), HasSubstr("[invalid-regex]"));
}

TEST(ReferenceEvaluatorTest, Spec46StrictBindCountsFurtherErrors) {
  absl::StatusOr<World> w = Load(
      Inputs{"id,app\nG1,Nope\nG2,Okta\nG3,Nada\nG4,Zilch\n", "id,x\nP,1\n"});
  EXPECT_EQ(w.status().message(),
            "rules.csv:2:4: app 'Nope' is not in the catalog [unknown-app] "
            "(and 2 more; run "
            "`birthright check` to list them)");
}

// Non-strict binding (for `check`) keeps going; the invalid rules grant
// nothing while the valid ones still evaluate.
TEST(ReferenceEvaluatorTest, Spec46NonStrictBindIgnoresInvalidGrants) {
  absl::StatusOr<World> w = Load(
      Inputs{"id,grade,app,level\nG1,> L2,Okta,\nG2,,GitHub,Root\nG3,,Zoom,\n",
             "id,grade\nP1,Senior\n"},
      /*strict=*/false);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_FALSE(w->bound->rules()[0].valid);  // '> L2' on a string attribute.
  EXPECT_FALSE(w->bound->rules()[1].valid);
  EXPECT_TRUE(w->bound->rules()[2].valid);
  EXPECT_NE(FindIssue(*w->bound, "type-mismatch"), nullptr);
  EXPECT_NE(FindIssue(*w->bound, "unknown-level"), nullptr);
  EXPECT_EQ(Ents(w->Eval("P1")), "Zoom||Basic||-|G3\n");
}

// SPEC §5 "never grants on error": a deny that failed to bind must not
// silently open what it guards.
TEST(ReferenceEvaluatorTest, Spec5InvalidDenyDoesNotFailOpen) {
  absl::StatusOr<World> w =
      Load(Inputs{"id,grade,app,effect\nG1,,Okta,grant\nD1,> L2,Okta,deny\n",
                  "id,grade\nP1,Senior\n"},
           /*strict=*/false);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_FALSE(w->bound->rules()[1].valid);
  const std::string got = Ents(w->Eval("P1"));
  EXPECT_EQ(got, "");
}

// SPEC §4.4: the highest priority wins; among equal priorities the highest
// level in the app's order.
TEST(ReferenceEvaluatorTest, Spec44PriorityThenHighestLevel) {
  ASSERT_LOADED(w, (Inputs{"id,dept,app,instance,level,priority\n"
                           "G1,,GitHub,acme-org,Admin,\n"
                           "G2,Intern,GitHub,acme-org,Triage,5\n"
                           "G3,,Okta,,Helpdesk Admin,\n"
                           "G4,,Okta,,User,\n"
                           "G5,,Okta,,Super Admin,-1\n",
                           "id,dept\nI,Intern\nE,Eng\n"}));
  EXPECT_EQ(Ents(w.Eval("I")),
            "GitHub|acme-org|Triage||-|G2\nOkta||Helpdesk Admin||-|G3\n");
  EXPECT_EQ(Ents(w.Eval("E")),
            "GitHub|acme-org|Admin||-|G1\nOkta||Helpdesk Admin||-|G3\n");
}

// SPEC §4.4: scopes are the union over all applying grants that give the
// winning level, whatever their priority; reasons are those grants.
TEST(ReferenceEvaluatorTest, Spec44ScopesUnionOverGrantsGivingTheWinningLevel) {
  ASSERT_LOADED(w, (Inputs{"id,app,instance,level,priority,scopes\n"
                           "A,GitHub,acme-org,Write,5,api; web\n"
                           "B,GitHub,acme-org,write,0,infra;API\n"
                           "C,GitHub,acme-org,Admin,0,admins\n"
                           "D,GitHub,acme-org,Read,5,readers\n"
                           "E,GitHub,acme-org,Write,-3,docs\n",
                           "id,x\nP1,1\n"}));
  // "API" and "api" are one scope; the byte-smallest spelling is kept.
  EXPECT_EQ(Ents(w.Eval("P1")),
            "GitHub|acme-org|Write|API;docs;infra;web|-|A,B,E\n");
}

// SPEC §4.5: expires is the latest among the grants giving the winning
// level, or null when any of them never expires.
TEST(ReferenceEvaluatorTest, Spec45ExpiresIsLatestAmongWinningGrantsOrNull) {
  ASSERT_LOADED(
      w,
      (Inputs{"id,dept,app,instance,level,priority,expires\n"
              "A,,GitHub,acme-org,Write,5,2027-01-01\n"
              "B,,GitHub,acme-org,Write,0,contract end\n"
              "C,,GitHub,acme-org,Admin,0,\n"
              "N,Never,GitHub,acme-org,Write,0,\n"
              "Z1,,Zoom,,Licensed,,2026-12-15\n"
              "Z2,,Zoom,,Basic,,\n",
              "id,dept,contract "
              "end\nP1,x,2027-06-30\nP2,x,2026-12-01\nP3,Never,2026-12-01\n"}));
  EXPECT_EQ(
      Ents(w.Eval("P1")),
      "GitHub|acme-org|Write||2027-06-30|A,B\nZoom||Licensed||2026-12-15|Z1\n");
  EXPECT_EQ(
      Ents(w.Eval("P2")),
      "GitHub|acme-org|Write||2027-01-01|A,B\nZoom||Licensed||2026-12-15|Z1\n");
  EXPECT_EQ(Ents(w.Eval("P3")),
            "GitHub|acme-org|Write||-|A,B,N\nZoom||Licensed||2026-12-15|Z1\n");
}

// SPEC §4.5: a rule applies up to and including its expiry day; from the
// next day it does not (before merging, so another grant may still give
// the app).
TEST(ReferenceEvaluatorTest, Spec45ExpiryDayIsInclusive) {
  ASSERT_LOADED(w, (Inputs{"id,app,level,expires\n"
                           "FIXED,Zoom,Licensed,2026-11-26\n"
                           "BASE,Zoom,Basic,\n"
                           "ATTR,Okta,Helpdesk Admin,contract end\n",
                           "id,contract end\nP1,2026-11-26\n"}));
  EXPECT_EQ(Ents(w.Eval("P1", "2026-11-26")),
            "Okta||Helpdesk "
            "Admin||2026-11-26|ATTR\nZoom||Licensed||2026-11-26|FIXED\n");
  Decision next = w.Eval("P1", "2026-11-27");
  EXPECT_EQ(Ents(next), "Zoom||Basic||-|BASE\n");
  EXPECT_THAT(next.missing, IsEmpty());
}

// SPEC §4.5: a missing expiry attribute makes the grant UNKNOWN: withheld,
// and the attribute is reported missing. An unparseable date is missing.
TEST(ReferenceEvaluatorTest, Spec45MissingExpiryAttributeWithholdsTheGrant) {
  ASSERT_LOADED(w, (Inputs{"id,app,expires\nG1,Okta,Contract End\nG2,Zoom,\n",
                           "id,contract_end\nP1,\nP2,TBD\nP3,2027-01-01\n",
                           kCatalog, "attribute,type\ncontract end,date\n"}));
  Decision p1 = w.Eval("P1");
  EXPECT_EQ(Ents(p1), "Zoom||Basic||-|G2\n");
  EXPECT_THAT(p1.missing,
              ElementsAre("contract end"));  // The schema's spelling.
  Decision p2 = w.Eval("P2");
  EXPECT_EQ(Ents(p2), "Zoom||Basic||-|G2\n");
  EXPECT_THAT(p2.missing, ElementsAre("contract end"));
  EXPECT_EQ(Ents(w.Eval("P3")),
            "Okta||User||2027-01-01|G1\nZoom||Basic||-|G2\n");
}

// SPEC §4.5: expires applies to denies too; a deny whose expiry attribute
// is missing is UNKNOWN and so fires (fail closed).
TEST(ReferenceEvaluatorTest, Spec45DenyExpiry) {
  ASSERT_LOADED(
      w, (Inputs{"id,app,effect,expires\n"
                 "G1,Okta,grant,\n"
                 "G2,Zoom,grant,\n"
                 "D1,Okta,deny,2026-11-01\n"
                 "D2,Zoom,deny,probation end\n",
                 "id,probation end\nP1,2026-12-31\nP2,2026-11-01\nP3,\n"}));
  EXPECT_EQ(Ents(w.Eval("P1")), "Okta||User||-|G1\n");
  EXPECT_EQ(Ents(w.Eval("P1", "2026-11-01")), "");
  EXPECT_EQ(Ents(w.Eval("P2")), "Okta||User||-|G1\nZoom||Basic||-|G2\n");
  Decision p3 = w.Eval("P3");
  EXPECT_EQ(Ents(p3), "Okta||User||-|G1\n");
  EXPECT_THAT(p3.missing, ElementsAre("probation end"));
}

// SPEC §4.6: without a catalog, the levels of one app are ordered by first
// appearance (lowest first), and binding warns.
TEST(ReferenceEvaluatorTest, Spec46WithoutCatalogLevelsOrderByFirstAppearance) {
  ASSERT_LOADED(w, (Inputs{"id,dept,app,instance,level\n"
                           "G1,,Wiki,,Write\n"
                           "G2,Sales,wiki,,Read\n"
                           "G3,Eng,WIKI,,\n"
                           "G4,,Chat,corp,\n",
                           "id,dept\nS,Sales\nE,Eng\n",
                           /*catalog=*/""}));
  EXPECT_FALSE(w.bound->has_catalog());
  const BindIssue* warn = FindIssue(*w.bound, "no-catalog");
  ASSERT_NE(warn, nullptr);
  EXPECT_EQ(warn->severity, Severity::kWarning);
  // Write appeared first, so Read ranks above it.
  EXPECT_EQ(Ents(w.Eval("S")), "Chat|corp|||-|G4\nWiki||Read||-|G2\n");
  // An empty level takes the lowest level (first appearance).
  EXPECT_EQ(Ents(w.Eval("E")), "Chat|corp|||-|G4\nWiki||Write||-|G1,G3\n");
}

// SPEC §8: an access matrix row is one grant per app cell; `x` is the
// default level.
TEST(ReferenceEvaluatorTest, Spec8MatrixPolicyEvaluates) {
  Policy policy;
  ASSERT_TRUE(ImportCatalog(kCatalog, "catalog.csv", &policy).ok());
  ASSERT_TRUE(
      ImportMatrix(
          "id,department,grade,Salesforce,Slack [corp],Slack [eng],Zoom\n"
          "SALES,Sales,,x,Admin,,\n"
          "LEADS,Sales,>= L5,Manager,,,Licensed\n"
          "ENG,Engineering,,,x,yes,x\n",
          "matrix.csv", {}, &policy, nullptr)
          .ok());
  absl::StatusOr<Population> people = ImportPopulation(
      "id,department,grade\nS3,Sales,L3\nS6,Sales,L6\nE1,Engineering,L1\n"
      "SX,Sales,\n",
      "people.csv");
  ASSERT_TRUE(people.ok()) << people.status();
  absl::StatusOr<std::unique_ptr<BoundPolicy>> bound =
      BoundPolicy::Bind(policy, &*people, BindOptions{});
  ASSERT_TRUE(bound.ok()) << bound.status();
  const Date as_of = D(kAsOf);
  EXPECT_EQ(Ents(EvaluateReference(**bound, people->people[0], as_of)),
            "Salesforce||Standard User||-|SALES\nSlack|corp|Admin||-|SALES\n");
  EXPECT_EQ(Ents(EvaluateReference(**bound, people->people[1], as_of)),
            "Salesforce||Manager||-|LEADS\nSlack|corp|Admin||-|SALES\nZoom||"
            "Licensed||-|LEADS\n");
  EXPECT_EQ(Ents(EvaluateReference(**bound, people->people[2], as_of)),
            "Slack|corp|Member||-|ENG\nSlack|eng|Member||-|ENG\nZoom||Basic||-|"
            "ENG\n");
  Decision sx =
      EvaluateReference(**bound, people->people[3], as_of, /*explain=*/true);
  EXPECT_EQ(Ents(sx),
            "Salesforce||Standard User||-|SALES\nSlack|corp|Admin||-|SALES\n");
  EXPECT_THAT(sx.missing, ElementsAre("grade"));
  EXPECT_EQ(Withheld(sx),
            "LEADS|Salesforce||Manager|UNKNOWN: grade missing\n"
            "LEADS|Zoom||Licensed|UNKNOWN: grade missing\n");
}

// ===========================================================================
// SPEC §5: evaluation result.

// Sorted by (app, instance), whatever the rule order.
TEST(ReferenceEvaluatorTest, Spec5OutputSortedByAppThenInstance) {
  ASSERT_LOADED(w, (Inputs{"id,app,instance\nZ,Zoom,\nSE,Slack,eng\nO,Okta,"
                           "\nSC,Slack,corp\nGH,GitHub,acme-org\n",
                           "id,x\nP1,1\n"}));
  EXPECT_EQ(
      Ents(w.Eval("P1")),
      "GitHub|acme-org|Read||-|GH\nOkta||User||-|O\nSlack|corp|Member||-|SC\n"
      "Slack|eng|Member||-|SE\nZoom||Basic||-|Z\n");
}

// Reasons are the rule ids in policy order, not sorted by id.
TEST(ReferenceEvaluatorTest, Spec5ReasonsInPolicyOrder) {
  ASSERT_LOADED(
      w, (Inputs{"id,app,instance,scopes\nZ9,Slack,corp,b\nA1,Slack,corp,a\n"
                 "M5,Slack,corp,\n",
                 "id,x\nP1,1\n"}));
  Decision d = w.Eval("P1");
  ASSERT_EQ(d.entitlements.size(), 1u);
  EXPECT_THAT(d.entitlements[0].reasons, ElementsAre("Z9", "A1", "M5"));
  EXPECT_THAT(d.entitlements[0].scopes, ElementsAre("a", "b"));
}

// The §11 JSON line, exactly.
TEST(ReferenceEvaluatorTest, Spec11DecisionJson) {
  ASSERT_LOADED(w, (Inputs{"id,grade,app,instance,level,scopes,expires\n"
                           "G1,,GitHub,acme-org,Write,web;api,2027-01-31\n"
                           "G2,,Okta,,,,\n"
                           "G3,> L4,Zoom,,Licensed,,\n",
                           "id,grade\nP\"1,\n"}));
  EXPECT_EQ(
      DecisionToJson(w.Eval("P\"1")),
      R"({"person":"P\"1","entitlements":[)"
      R"({"app":"GitHub","instance":"acme-org","level":"Write","scopes":["api","web"],)"
      R"("expires":"2027-01-31","reasons":["G1"]},)"
      R"({"app":"Okta","instance":"","level":"User","scopes":[],"expires":null,)"
      R"("reasons":["G2"]}],"missing":["grade"]})");
}

// SPEC §5: deterministic: the same policy and person give identical bytes,
// whatever the HR column order or how often we ask.
TEST(ReferenceEvaluatorTest, Spec5Deterministic) {
  const std::string rules =
      "id,dept,grade,squads,app,instance,level,scopes,effect,priority,expires\n"
      "R1,Eng,,platform | web,GitHub,acme-org,Write,z;a;m,grant,,contract end\n"
      "R2,Eng,>= L5,,GitHub,acme-org,Write,q;b,grant,,\n"
      "R3,,,,Slack,corp,,general,grant,,\n"
      "R4,,,,Slack,eng,,eng-help,grant,,\n"
      "R5,Eng,,,Okta,,Helpdesk Admin,,grant,1,\n"
      "R6,,< L2,,Okta,,,,deny,,\n";
  const std::string schema = "attribute,type\nsquads,set\n";
  absl::StatusOr<World> a = Load(Inputs{
      rules,
      "id,dept,grade,squads,contract end\nP1,Eng,L6,web;api,2027-03-01\n",
      kCatalog, schema});
  absl::StatusOr<World> b = Load(Inputs{
      rules,
      "contract end,squads,grade,id,dept\n2027-03-01,api; WEB,l6,P1,eng\n",
      kCatalog, schema});
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  const std::string first = DecisionToJson(a->Eval("P1"));
  EXPECT_EQ(first, DecisionToJson(a->Eval("P1")));
  // The BoundPerson overload gives the same answer.
  EXPECT_EQ(first,
            DecisionToJson(EvaluateReference(
                *a->bound, BindPerson(*a->bound, a->Find("P1")), D(kAsOf))));
  EXPECT_EQ(first, DecisionToJson(b->Eval("P1")));
  EXPECT_EQ(
      Ents(a->Eval("P1")),
      "GitHub|acme-org|Write|a;b;m;q;z|-|R1,R2\nOkta||Helpdesk Admin||-|R5\n"
      "Slack|corp|Member|general|-|R3\nSlack|eng|Member|eng-help|-|R4\n");
}

// SPEC §5: explain mode also lists withheld grants and what stopped them.
TEST(ReferenceEvaluatorTest, Spec5ExplainListsWithheldGrants) {
  ASSERT_LOADED(
      w,
      (Inputs{"id,grade,employment type,app,instance,level,effect\n"
              "G1,,,GitHub,acme-org,Write,grant\n"
              "G2,> L4,,Okta,,Helpdesk Admin,grant\n"
              "G3,,,Zoom,,Licensed,grant\n"
              "D1,,Contractor,GitHub,acme-org,,deny\n"
              "D2,,Contractor,Zoom,,Licensed,deny\n"
              "G4,,,Zoom,,Basic,grant\n",
              "id,grade,employment type\nC1,,Contractor\nF1,L6,Full-time\n"}));
  Decision c1 = w.Eval("C1", kAsOf, /*explain=*/true);
  EXPECT_EQ(Ents(c1), "Zoom||Basic||-|G4\n");
  EXPECT_THAT(c1.missing, ElementsAre("grade"));
  EXPECT_EQ(Withheld(c1),
            "G1|GitHub|acme-org|Write|denied by rule D1\n"
            "G3|Zoom||Licensed|denied by rule D2\n"
            "G2|Okta||Helpdesk Admin|UNKNOWN: grade missing\n");
  // Without explain, nothing withheld is listed, and the answer is the same.
  Decision plain = w.Eval("C1");
  EXPECT_TRUE(plain.withheld.empty());
  EXPECT_EQ(plain, c1);
  Decision f1 = w.Eval("F1", kAsOf, /*explain=*/true);
  EXPECT_EQ(Withheld(f1), "");
  EXPECT_EQ(Ents(f1),
            "GitHub|acme-org|Write||-|G1\nOkta||Helpdesk Admin||-|G2\n"
            "Zoom||Licensed||-|G3\n");
}

TEST(ReferenceEvaluatorTest,
     Spec5ExplainNamesEveryMissingAttributeOfAWithheldGrant) {
  ASSERT_LOADED(
      w, (Inputs{"id,grade,dept,app,unless\nG1,> L4,Eng,Okta,site = HQ\n",
                 "id,grade,dept,site\nP1,,,\n"}));
  Decision d = w.Eval("P1", kAsOf, /*explain=*/true);
  EXPECT_EQ(Withheld(d), "G1|Okta||User|UNKNOWN: grade, dept, site missing\n");
  EXPECT_THAT(d.missing, ElementsAre("dept", "grade", "site"));
}

}  // namespace
}  // namespace birthright
