#include "spreadsheet_generator.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace birthright::bench {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  int Uniform(int n) {
    return static_cast<int>(gen_() % static_cast<uint64_t>(n));
  }
  bool Chance(int percent) { return Uniform(100) < percent; }
  // Skewed towards small indices: big departments have more rules.
  int Skewed(int n) {
    const int a = Uniform(n), b = Uniform(n);
    return std::min(a, b);
  }

 private:
  std::mt19937_64 gen_;
};

const char* const kTitleStems[] = {"Engineer",    "Manager",  "Analyst",
                                   "Specialist",  "Lead",     "Director",
                                   "Coordinator", "Associate"};
const char* const kLocations[] = {
    "New York", "San Francisco", "Austin",    "Chicago", "London",  "Berlin",
    "Dublin",   "Paris",         "Singapore", "Sydney",  "Toronto", "Tokyo"};
const char* const kLevels[] = {"Read", "Write", "Admin"};

std::string Dept(int d) { return "Dept " + std::to_string(d); }
std::string Title(int d, int t) {
  return (t % 3 == 2 ? "Sr " : "") + std::string(kTitleStems[t]) + " " +
         std::to_string(d);
}

}  // namespace

Spreadsheet GenerateSpreadsheet(int rules, int people, uint64_t seed,
                                CompanyWide company_wide) {
  Rng r(seed);
  Spreadsheet s;
  Policy& p = s.policy;
  p.name = "generated";
  p.version = std::to_string(rules);
  p.schema = {{"department", AttrType::kString, {}, false, {}},
              {"job title", AttrType::kString, {}, false, {}},
              {"location", AttrType::kString, {}, false, {}},
              {"employment type", AttrType::kString, {}, false, {}},
              {"grade",
               AttrType::kOrdinal,
               {"L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "L9", "L10"},
               false,
               {}},
              {"contract end", AttrType::kDate, {}, false, {}}};
  const int apps = 40;
  for (int a = 0; a < apps; ++a) {
    const int instances = a < 3 ? 3 : 1;
    for (int i = 0; i < instances; ++i) {
      CatalogEntry e;
      e.app = "App" + std::to_string(100 + a);
      e.instance = instances > 1 ? "inst" + std::to_string(i) : "";
      e.levels = {"Read", "Write", "Admin"};
      e.provisioning = a % 3 == 0 ? Provisioning::kManual : Provisioning::kScim;
      e.monthly_cost_cents = 500 + 100 * a;
      p.catalog.push_back(e);
    }
  }
  const int depts = std::max(12, rules / 40);
  int company_wide_rows = 0;
  // Whether a row that drew no department condition gets its department
  // anyway (CompanyWide::kBounded). Draws nothing, so the random stream,
  // and with it every other cell, is the same as with kShare.
  auto scope_to_department = [&] {
    if (company_wide == CompanyWide::kBounded &&
        company_wide_rows >= kMaxCompanyWideRows) {
      return true;
    }
    ++company_wide_rows;
    return false;
  };
  for (int i = 0; i < rules; ++i) {
    Rule rule;
    rule.id = "R" + std::to_string(i + 1);
    rule.location = SourceLocation{"generated.csv", i + 2, 0};
    if (i > 0 && r.Chance(2)) {  // An accidental duplicate row.
      rule = p.rules[r.Uniform(i)];
      rule.id = "R" + std::to_string(i + 1);
      rule.location.line = i + 2;
      const bool names_department = std::any_of(
          rule.conditions.begin(), rule.conditions.end(),
          [](const Condition& c) { return c.attribute == "department"; });
      if (!names_department && scope_to_department()) {
        rule.conditions.push_back(
            {"department", {PredicateOp::kAnyOf, {Dept(i % depts)}}, "", {}});
      }
      p.rules.push_back(std::move(rule));
      continue;
    }
    const int d = r.Skewed(depts);
    const bool deny = r.Chance(4);
    if (deny) {
      rule.effect = Effect::kDeny;
      rule.conditions.push_back(
          {"employment type", {PredicateOp::kAnyOf, {"Contractor"}}, "", {}});
      if (r.Chance(50) || scope_to_department()) {
        rule.conditions.push_back(
            {"department", {PredicateOp::kAnyOf, {Dept(d)}}, "", {}});
      }
    } else {
      const int roll = r.Uniform(100);
      if (roll < 80) {
        rule.conditions.push_back(
            {"department", {PredicateOp::kAnyOf, {Dept(d)}}, "", {}});
      } else if (roll < 90) {
        rule.conditions.push_back(
            {"department",
             {PredicateOp::kAnyOf, {Dept(d), Dept(r.Skewed(depts))}},
             "",
             {}});
      } else if (scope_to_department()) {
        rule.conditions.push_back(
            {"department", {PredicateOp::kAnyOf, {Dept(d)}}, "", {}});
      }
      const int t = r.Uniform(100);
      if (t < 55) {
        rule.conditions.push_back(
            {"job title",
             {PredicateOp::kAnyOf, {Title(d, r.Uniform(8))}},
             "",
             {}});
      } else if (t < 62) {
        rule.conditions.push_back(
            {"job title",
             {PredicateOp::kContains, {kTitleStems[r.Uniform(8)]}},
             "",
             {}});
      } else if (t < 66) {
        rule.conditions.push_back(
            {"job title", {PredicateOp::kStartsWith, {"Sr"}}, "", {}});
      }
      if (r.Chance(25)) {
        std::vector<std::string> locs;
        for (int k = 0; k < 1 + r.Uniform(3); ++k)
          locs.push_back(kLocations[r.Uniform(12)]);
        rule.conditions.push_back(
            {"location", {PredicateOp::kAnyOf, locs}, "", {}});
      }
      if (r.Chance(15)) {
        rule.conditions.push_back({"grade",
                                   {PredicateOp::kGreaterEq,
                                    {"L" + std::to_string(3 + r.Uniform(5))}},
                                   "",
                                   {}});
      }
      if (r.Chance(8)) {
        rule.conditions.push_back({"employment type",
                                   {PredicateOp::kNoneOf, {"Contractor"}},
                                   "",
                                   {}});
      }
      if (r.Chance(5)) {
        rule.expires.kind = Expiry::Kind::kAttribute;
        rule.expires.attribute = "contract end";
      }
      if (r.Chance(10)) rule.priority = 10;
    }
    Target target;
    const int app = r.Uniform(apps);
    target.app = "App" + std::to_string(100 + app);
    if (app < 3) target.instance = "inst" + std::to_string(r.Uniform(3));
    if (!deny || r.Chance(50))
      target.level =
          kLevels[r.Uniform(deny ? 3 : 2) + (deny ? 0 : r.Uniform(2))];
    if (r.Chance(20)) target.scopes = {"team-" + std::to_string(r.Uniform(20))};
    rule.targets.push_back(std::move(target));
    p.rules.push_back(std::move(rule));
  }
  s.people.file = "generated-people.csv";
  s.people.columns = {"department",      "job title", "location",
                      "employment type", "grade",     "contract end",
                      "termination date"};
  for (int i = 0; i < people; ++i) {
    const int d = r.Skewed(depts);
    Person person;
    person.id = "E" + std::to_string(1000000 + i);
    person.attributes = {
        {"department", Dept(d)},
        {"job title", Title(d, r.Uniform(8))},
        {"location", kLocations[r.Uniform(12)]},
        {"employment type", r.Chance(10) ? "Contractor" : "Employee"},
        {"grade", r.Chance(3) ? "" : "L" + std::to_string(1 + r.Uniform(10))},
        {"contract end",
         r.Chance(50) ? "2027-0" + std::to_string(1 + r.Uniform(9)) + "-15"
                      : ""},
        {"termination date", ""},
    };
    s.people.people.push_back(std::move(person));
  }
  return s;
}

}  // namespace birthright::bench
