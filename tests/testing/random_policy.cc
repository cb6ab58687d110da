#include "testing/random_policy.h"

#include <algorithm>

#include "birthright/date.h"

namespace birthright::testing {
namespace {

const std::vector<std::string> kDepartments = {
    "Sales",     "Engineering", "Finance", "Human Resources",
    "Marketing", "Legal",       "Support", "IT",
    "Product",   "R&D; Labs",   "Design",  "Operations"};
const std::vector<std::string> kTitles = {"Sales Engineer",
                                          "Account Executive",
                                          "Sales Manager",
                                          "Staff Engineer",
                                          "Principal Engineer",
                                          "Software Engineer",
                                          "Sr Software Engineer",
                                          "Engineering Manager",
                                          "Controller",
                                          "AP Clerk",
                                          "HR Partner",
                                          "Recruiter",
                                          "Designer",
                                          "Product Manager",
                                          "Support Agent",
                                          "IT Admin",
                                          "Counsel",
                                          "Intern"};
const std::vector<std::string> kLocations = {
    "New York", "London", "Berlin", "San Francisco", "Austin", "Dublin"};
const std::vector<std::string> kTypes = {"Employee", "Contractor", "Intern"};
const std::vector<std::string> kGrades = {"L1", "L2", "L3", "L4",
                                          "L5", "L6", "L7", "L8"};
const std::vector<std::string> kSquads = {
    "platform", "api", "web", "mobile", "data", "infra", "security"};
const std::vector<std::string> kLevels = {"Read", "Write", "Maintain", "Admin"};
const std::vector<std::string> kScopes = {"alpha", "beta", "gamma", "delta",
                                          "Alpha"};

std::string RandomDate(Rng& r, int base_year = 2024) {
  const int y = base_year + r.Uniform(4);
  const int m = 1 + r.Uniform(12);
  const int d = 1 + r.Uniform(28);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
  return buf;
}

// A literal for `attr`, sometimes with case or spacing noise so
// normalization is exercised.
std::string Noisy(Rng& r, std::string v) {
  if (r.Chance(0.15)) {
    for (char& c : v)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (r.Chance(0.1)) v = "  " + v + " ";
  return v;
}

Predicate RandomPredicate(Rng& r, const std::string& attr,
                          const RandomPolicyOptions& o) {
  Predicate p;
  auto list = [&](const std::vector<std::string>& pool, int max) {
    std::vector<std::string> out;
    const int n = 1 + r.Uniform(max);
    for (int i = 0; i < n; ++i) out.push_back(Noisy(r, r.Pick(pool)));
    return out;
  };
  const int roll = r.Uniform(100);
  if (roll < 3) {
    p.op = r.Chance(0.5) ? PredicateOp::kExists : PredicateOp::kMissing;
    return p;
  }
  if (attr == "department" || attr == "location" || attr == "employment type") {
    const auto& pool = attr == "department" ? kDepartments
                       : attr == "location" ? kLocations
                                            : kTypes;
    p.op = roll < 75 ? PredicateOp::kAnyOf : PredicateOp::kNoneOf;
    p.values = list(pool, 3);
    if (attr == "department" && r.Chance(0.1)) p.values.push_back("Ent Sales");
    return p;
  }
  if (attr == "job title") {
    if (o.with_patterns && roll < 45) {
      const int k = r.Uniform(4);
      static const std::vector<std::string> needles = {
          "engineer", "Sr", "Manager", "eng", "Clerk"};
      static const std::vector<std::string> regexes = {
          "^(Staff|Principal) Engineer$", "engineer$", "^s", "(a+)+$", "man"};
      p.op = k == 0   ? PredicateOp::kContains
             : k == 1 ? PredicateOp::kStartsWith
             : k == 2 ? PredicateOp::kEndsWith
                      : PredicateOp::kRegex;
      p.values = {k == 3 ? r.Pick(regexes) : r.Pick(needles)};
      return p;
    }
    p.op = roll < 85 ? PredicateOp::kAnyOf : PredicateOp::kNoneOf;
    p.values = list(kTitles, 3);
    return p;
  }
  if (attr == "grade" || attr == "band" || attr == "cost center" ||
      attr == "start date") {
    auto lit = [&]() -> std::string {
      if (attr == "grade" || attr == "band") return r.Pick(kGrades);
      if (attr == "cost center")
        return std::to_string(4000 + 100 * r.Uniform(8));
      return RandomDate(r, 2021);
    };
    const int k = r.Uniform(7);
    static const PredicateOp ops[] = {
        PredicateOp::kLess,      PredicateOp::kLessEq, PredicateOp::kGreater,
        PredicateOp::kGreaterEq, PredicateOp::kRange,  PredicateOp::kAnyOf,
        PredicateOp::kNoneOf};
    p.op = ops[k];
    if (p.op == PredicateOp::kRange) {
      p.values = {lit(), lit()};  // Sometimes reversed: matches nothing.
    } else if (p.op == PredicateOp::kAnyOf || p.op == PredicateOp::kNoneOf) {
      p.values = {lit(), lit()};
    } else {
      p.values = {lit()};
    }
    return p;
  }
  // squads (set)
  const int k = r.Uniform(4);
  if (k == 0 && o.with_patterns) {
    p.op = PredicateOp::kContains;
    p.values = {"a"};
    return p;
  }
  p.op = k == 1 ? PredicateOp::kNoneOf : PredicateOp::kAnyOf;
  p.values = list(kSquads, 2);
  return p;
}

}  // namespace

RandomWorld MakeRandomWorld(uint64_t seed, const RandomPolicyOptions& o) {
  Rng r(seed);
  RandomWorld w;
  Policy& policy = w.policy;
  policy.name = "random-" + std::to_string(seed);
  policy.version = "v1";
  policy.schema = {
      {"department", AttrType::kString, {}, false, {}},
      {"job title", AttrType::kString, {}, false, {}},
      {"location", AttrType::kString, {}, false, {}},
      {"employment type", AttrType::kString, {}, false, {}},
      {"grade", AttrType::kOrdinal, kGrades, false, {}},
      {"band", AttrType::kOrdinal, {}, false, {}},  // Natural order.
      {"cost center", AttrType::kInt, {}, false, {}},
      {"start date", AttrType::kDate, {}, false, {}},
      {"contract end", AttrType::kDate, {}, false, {}},
  };
  if (o.with_sets)
    policy.schema.push_back({"squads", AttrType::kSet, {}, false, {}});
  policy.aliases = {{"department", "Ent Sales", "Sales", {}},
                    {"department", "HR", "Human Resources", {}},
                    {"location", "NYC", "New York", {}}};
  // Catalog: app 0 has three instances; the rest one.
  for (int a = 0; a < o.apps; ++a) {
    const std::string app = "App" + std::to_string(a);
    const int instances = a == 0 ? 3 : 1;
    for (int i = 0; i < instances; ++i) {
      CatalogEntry e;
      e.app = app;
      e.instance = instances > 1 ? "inst" + std::to_string(i) : "";
      const int nlevels = 1 + r.Uniform(4);
      e.levels.assign(kLevels.begin(), kLevels.begin() + nlevels);
      if (r.Chance(0.3)) e.default_level = e.levels[r.Uniform(nlevels)];
      e.provisioning = static_cast<Provisioning>(1 + r.Uniform(3));
      e.monthly_cost_cents = 100 * r.Uniform(50);
      policy.catalog.push_back(e);
    }
  }
  std::vector<std::string> cond_attrs = {
      "department", "job title", "location",    "employment type",
      "grade",      "band",      "cost center", "start date"};
  if (o.with_sets) cond_attrs.push_back("squads");
  for (int i = 0; i < o.rules; ++i) {
    Rule rule;
    rule.id = "R" + std::to_string(i + 1);
    rule.location = SourceLocation{"random.csv", i + 2, 0};
    rule.effect = r.Chance(0.15) ? Effect::kDeny : Effect::kGrant;
    const int nconds = o.realistic ? 1 + r.Uniform(3) : r.Uniform(4);
    for (int c = 0; c < nconds; ++c) {
      const std::string& attr = o.realistic
                                    ? cond_attrs[r.Uniform(c == 0 ? 2 : 3)]
                                    : r.Pick(cond_attrs);
      Condition cond;
      cond.attribute = r.Chance(0.2) ? "Job_Title" : attr;
      if (cond.attribute == "Job_Title" && attr != "job title")
        cond.attribute = attr;
      cond.predicate = RandomPredicate(r, attr, o);
      rule.conditions.push_back(std::move(cond));
    }
    if (o.with_unless && r.Chance(0.15)) {
      Expr e;
      e.kind = r.Chance(0.5) ? Expr::Kind::kOr : Expr::Kind::kAnd;
      const int n = 1 + r.Uniform(3);
      for (int k = 0; k < n; ++k) {
        Expr leaf;
        leaf.kind = Expr::Kind::kPredicate;
        leaf.attribute = r.Pick(cond_attrs);
        leaf.predicate = RandomPredicate(r, leaf.attribute, o);
        if (r.Chance(0.2)) {
          Expr neg;
          neg.kind = Expr::Kind::kNot;
          neg.children.push_back(std::move(leaf));
          e.children.push_back(std::move(neg));
        } else {
          e.children.push_back(std::move(leaf));
        }
      }
      rule.unless = std::move(e);
    }
    Target t;
    const int app = r.Uniform(o.apps);
    t.app = "App" + std::to_string(app);
    if (app == 0) {
      // Grants need an instance on the multi-instance app; denies may omit it.
      if (rule.effect == Effect::kGrant || r.Chance(0.6)) {
        t.instance = "inst" + std::to_string(r.Uniform(3));
      }
    }
    // Levels: pick from the instance's levels (or empty for default/all).
    std::vector<std::string> levels;
    for (const CatalogEntry& e : policy.catalog) {
      if (e.app == t.app && (t.instance.empty() || e.instance == t.instance)) {
        levels = e.levels;
        break;
      }
    }
    if (!r.Chance(0.25)) t.level = r.Pick(levels);
    if (r.Chance(0.3)) {
      const int n = 1 + r.Uniform(3);
      for (int k = 0; k < n; ++k) t.scopes.push_back(r.Pick(kScopes));
    }
    rule.targets.push_back(std::move(t));
    if (r.Chance(0.3)) rule.priority = r.Uniform(3) * 5;
    if (o.with_time) {
      const int k = r.Uniform(10);
      if (k == 0) {
        rule.expires.kind = Expiry::Kind::kDate;
        rule.expires.date = *ParseIsoDate(RandomDate(r, 2025));
      } else if (k <= 2) {
        rule.expires.kind = Expiry::Kind::kAttribute;
        rule.expires.attribute = "contract end";
      }
      if (r.Chance(0.1))
        rule.effective_from = ParseIsoDate(RandomDate(r, 2025));
      if (r.Chance(0.1))
        rule.effective_until = ParseIsoDate(RandomDate(r, 2025));
    }
    policy.rules.push_back(std::move(rule));
  }
  // People.
  w.people.file = "people.csv";
  w.people.columns = {"Department",       "job_title",  "location",
                      "employment type",  "grade",      "band",
                      "cost center",      "start date", "contract end",
                      "termination date", "squads"};
  for (int i = 0; i < o.people; ++i) {
    Person p;
    p.id = "P" + std::to_string(100000 + i);
    auto maybe = [&](std::string v) {
      return r.Chance(o.missing_rate) ? std::string() : v;
    };
    std::string dept = r.Pick(kDepartments);
    if (r.Chance(0.1)) dept = r.Chance(0.5) ? "Ent Sales" : "HR";
    p.attributes = {
        {"Department", maybe(Noisy(r, dept))},
        {"job_title", maybe(Noisy(r, r.Pick(kTitles)))},
        {"location", maybe(r.Chance(0.1) ? "nyc" : r.Pick(kLocations))},
        {"employment type", maybe(r.Pick(kTypes))},
        {"grade", maybe(r.Chance(0.05) ? "L99" : r.Pick(kGrades))},
        {"band", maybe(r.Pick(kGrades))},
        {"cost center",
         maybe(r.Chance(0.05) ? "n/a"
                              : std::to_string(4000 + 100 * r.Uniform(8)))},
        {"start date", maybe(RandomDate(r, 2021))},
        {"contract end", maybe(RandomDate(r, 2025))},
        {"termination date",
         r.Chance(0.05) ? RandomDate(r, 2025) : std::string()},
    };
    if (o.with_sets) {
      std::string squads;
      const int n = r.Uniform(3);
      for (int k = 0; k < n; ++k) squads += (k ? ";" : "") + r.Pick(kSquads);
      p.attributes.emplace_back("squads", squads);
    }
    w.people.people.push_back(std::move(p));
  }
  return w;
}

}  // namespace birthright::testing
