// `check`: the SPEC §7 findings. See include/birthright/check.h and
// docs/check.md for what each code means and how exact it is.
//
// Every per-attribute answer is decided on the typed, alias-canonical
// domain the evaluator uses, and every "satisfiable" answer is backed by a
// witness value that BoundPolicy::EvalPredicate (the evaluator's own
// predicate code) accepts. "Unsatisfiable" is only reported with a proof:
// an exhausted finite candidate set, an empty integer interval, or
// incompatible prefixes/suffixes. What cannot be decided that way (regex
// against regex, gaps in natural ordinal order) is "possibly unsatisfiable"
// at info severity.
#include "birthright/check.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "analyze/witness_search.h"
#include "birthright/reference_evaluator.h"
#include "eval/resolve.h"
#include "import/headers.h"
#include "util/json.h"
#include "util/text.h"

namespace birthright {
namespace {

std::string Loc(const SourceLocation& l) {
  return l.file + ":" + std::to_string(l.line);
}

using analyze::KeyText;

enum class Sat { kSat, kUnsat, kPossible };

struct Solved {
  Sat sat = Sat::kSat;
  Key key;          // The witness value when kSat.
  std::string why;  // When not kSat.
};

using Preds = std::vector<const BoundPredicate*>;

class Solver {
 public:
  Solver(const BoundPolicy& policy, const BoundAttribute& attr)
      : policy_(policy), attr_(attr) {}

  bool Holds(const Preds& ps, const Key& k) const {
    Value v;
    v.present = true;
    if (attr_.type == AttrType::kSet) {
      v.members = {k.text};
    } else {
      v.scalar = k;
    }
    for (const BoundPredicate* p : ps) {
      if (policy_.EvalPredicate(*p, v) != Tri::kTrue) return false;
    }
    return true;
  }

  // A present value satisfying every predicate of `ps` (no presence ops),
  // all evaluated on one scalar (or one set member).
  Solved SolveScalar(const Preds& ps) const {
    for (const BoundPredicate* p : ps) {
      if (p->op == PredicateOp::kAnyOf) return SolveFinite(ps, p->keys);
    }
    return attr_.numeric() ? SolveInterval(ps) : SolveText(ps);
  }

  // Set attributes: positive predicates may hold on different members, and
  // every member must avoid the none-of lists (SPEC §2).
  Solved SolveSet(const Preds& ps, std::string* witness_text) const {
    Preds none, positive;
    for (const BoundPredicate* p : ps) {
      (p->op == PredicateOp::kNoneOf ? none : positive).push_back(p);
    }
    if (positive.empty()) {
      Solved s = SolveScalar(none);
      if (s.sat == Sat::kSat) *witness_text = s.key.text;
      return s;
    }
    std::vector<std::string> members;
    for (const BoundPredicate* p : positive) {
      Preds one = none;
      one.push_back(p);
      Solved s = SolveScalar(one);
      if (s.sat != Sat::kSat) return s;
      members.push_back(s.key.text);
    }
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    for (const std::string& m : members) {
      *witness_text += (witness_text->empty() ? "" : "; ") + m;
    }
    return Solved{};
  }

  // The integer domain of a numeric attribute.
  void Domain(int64_t* lo, int64_t* hi) const {
    if (attr_.type == AttrType::kOrdinal) {
      *lo = 0;
      *hi = static_cast<int64_t>(attr_.order.size()) - 1;
    } else if (attr_.type == AttrType::kDate) {
      *lo = ParseIsoDate("0001-01-01")->days;
      *hi = ParseIsoDate("9999-12-31")->days;
    } else {
      *lo = std::numeric_limits<int64_t>::min();
      *hi = std::numeric_limits<int64_t>::max();
    }
  }

  // Bounds from the ordered predicates, inclusive; false when empty.
  bool Bounds(const Preds& ps, int64_t* lo, int64_t* hi) const {
    Domain(lo, hi);
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    for (const BoundPredicate* p : ps) {
      switch (p->op) {
        case PredicateOp::kLess:
          if (p->keys[0].num == kMin) return false;
          *hi = std::min(*hi, p->keys[0].num - 1);
          break;
        case PredicateOp::kLessEq:
          *hi = std::min(*hi, p->keys[0].num);
          break;
        case PredicateOp::kGreater:
          if (p->keys[0].num == kMax) return false;
          *lo = std::max(*lo, p->keys[0].num + 1);
          break;
        case PredicateOp::kGreaterEq:
          *lo = std::max(*lo, p->keys[0].num);
          break;
        case PredicateOp::kRange:
          *lo = std::max(*lo, p->keys[0].num);
          *hi = std::min(*hi, p->keys[1].num);
          break;
        default:
          break;
      }
    }
    return *lo <= *hi;
  }

 private:
  Solved SolveFinite(const Preds& ps,
                     const std::vector<Key>& candidates) const {
    for (const Key& k : candidates) {
      if (Holds(ps, k)) return Solved{Sat::kSat, k, ""};
    }
    return Solved{Sat::kUnsat, Key{},
                  "no value of its any-of list on '" + attr_.name +
                      "' satisfies every condition on that attribute"};
  }

  Solved SolveInterval(const Preds& ps) const {
    int64_t lo, hi, dlo, dhi;
    Domain(&dlo, &dhi);
    if (!Bounds(ps, &lo, &hi)) {
      return Solved{Sat::kUnsat, Key{},
                    "the comparisons on '" + attr_.name + "' leave no value"};
    }
    size_t excluded = 0;
    for (const BoundPredicate* p : ps) {
      if (p->op == PredicateOp::kNoneOf) excluded += p->keys.size();
    }
    // Walk from one end; at most `excluded` values can be skipped, so
    // excluded + 1 steps (bounded by the interval) decide exactly.
    const bool down = lo == dlo && hi != dhi;
    int64_t x =
        down ? hi
             : (lo == dlo && hi == dhi ? std::clamp<int64_t>(0, lo, hi) : lo);
    for (size_t step = 0; step <= excluded; ++step) {
      if (Holds(ps, Key{x, ""})) return Solved{Sat::kSat, Key{x, ""}, ""};
      if (down ? x == lo : x == hi) break;
      x += down ? -1 : 1;
    }
    return Solved{Sat::kUnsat, Key{},
                  "every value the comparisons on '" + attr_.name +
                      "' allow is excluded by its none-of list"};
  }

  std::string Norm(std::string s) const {
    std::string n = NormalizeValue(s, attr_.case_sensitive);
    if (attr_.type == AttrType::kOrdinal && !attr_.case_sensitive)
      n = AsciiLowercase(n);
    return n;
  }

  Solved SolveText(const Preds& ps) const {
    std::vector<std::string> starts, ends, contains;
    std::vector<const Key*> lower, upper;  // Natural-ordinal bounds.
    bool strict_lower = false, strict_upper = false;
    int regexes = 0;
    size_t excluded = 0;
    for (const BoundPredicate* p : ps) {
      switch (p->op) {
        case PredicateOp::kStartsWith:
          starts.push_back(p->needle);
          break;
        case PredicateOp::kEndsWith:
          ends.push_back(p->needle);
          break;
        case PredicateOp::kContains:
          contains.push_back(p->needle);
          break;
        case PredicateOp::kRegex:
          ++regexes;
          break;
        case PredicateOp::kNoneOf:
          excluded += p->keys.size();
          break;
        case PredicateOp::kLess:
        case PredicateOp::kLessEq:
          upper.push_back(&p->keys[0]);
          break;
        case PredicateOp::kGreater:
        case PredicateOp::kGreaterEq:
          lower.push_back(&p->keys[0]);
          break;
        case PredicateOp::kRange:
          lower.push_back(&p->keys[0]);
          upper.push_back(&p->keys[1]);
          break;
        default:
          break;
      }
    }
    // Prefixes must nest, and so must suffixes: a proof of emptiness.
    auto longest = [](const std::vector<std::string>& v) {
      std::string best;
      for (const std::string& s : v)
        if (s.size() > best.size()) best = s;
      return best;
    };
    const std::string prefix = longest(starts), suffix = longest(ends);
    for (const std::string& s : starts) {
      if (!std::string_view(prefix).starts_with(s)) {
        return Solved{Sat::kUnsat, Key{},
                      "'" + attr_.name + "' cannot start with both '" + s +
                          "' and '" + prefix + "'"};
      }
    }
    for (const std::string& s : ends) {
      if (!std::string_view(suffix).ends_with(s)) {
        return Solved{Sat::kUnsat, Key{},
                      "'" + attr_.name + "' cannot end with both '" + s +
                          "' and '" + suffix + "'"};
      }
    }
    // Candidates: the substrings laid end to end, with fillers enough to
    // escape every none-of value.
    std::vector<std::string> cands;
    std::vector<std::string> fillers = {"", " "};
    for (size_t i = 0; i <= excluded; ++i)
      fillers.push_back(" zq" + std::to_string(i) + " ");
    for (const std::string& f : fillers) {
      std::string s = prefix;
      for (const std::string& c : contains) s += f + c;
      s += f + suffix;
      cands.push_back(s);
      cands.push_back(prefix + f + "x" + f + suffix);
    }
    cands.push_back(prefix + suffix);
    for (const Key* k : lower) {
      cands.push_back(k->text);
      cands.push_back(k->text + "5");
      cands.push_back(k->text + ".5");
    }
    for (const Key* k : upper) {
      cands.push_back(k->text);
      cands.push_back(k->text + ".5");
    }
    cands.push_back("0");
    cands.push_back("a");
    for (std::string& c : cands) {
      std::string n = Norm(c);
      if (n.empty()) continue;
      Key k{0, n};
      if (Holds(ps, k)) return Solved{Sat::kSat, k, ""};
    }
    if (!lower.empty() || !upper.empty()) {
      for (const BoundPredicate* p : ps) {
        strict_lower = strict_lower || p->op == PredicateOp::kGreater;
        strict_upper = strict_upper || p->op == PredicateOp::kLess;
      }
      for (const Key* l : lower) {
        for (const Key* u : upper) {
          const int c = attr_.Compare(*l, *u);
          if (c > 0 || (c == 0 && (strict_lower || strict_upper))) {
            return Solved{Sat::kUnsat, Key{},
                          "the comparisons on '" + attr_.name +
                              "' leave no value ('" + l->text +
                              "' is not below '" + u->text + "')"};
          }
        }
      }
      return Solved{Sat::kPossible, Key{},
                    "no value was found between the bounds on '" + attr_.name +
                        "' in natural order"};
    }
    if (regexes == 1 && starts.empty() && ends.empty() && contains.empty()) {
      // One regex (plus a finite none-of list): taken as satisfiable; see
      // docs/check.md (a regex that matches nothing is not detected).
      return Solved{Sat::kSat, Key{0, "(matches /" + RegexOf(ps) + "/)"}, ""};
    }
    return Solved{Sat::kPossible, Key{},
                  regexes > 0
                      ? "the regular expression(s) on '" + attr_.name +
                            "' may not match together with its other conditions"
                      : "no value was found for '" + attr_.name + "'"};
  }

  std::string RegexOf(const Preds& ps) const {
    for (const BoundPredicate* p : ps) {
      if (p->op == PredicateOp::kRegex) return policy_.regex_pattern(p->regex);
    }
    return "";
  }

  const BoundPolicy& policy_;
  const BoundAttribute& attr_;
};

// Conditions of `r` grouped by attribute (ids ascending), with the
// implicit `exists` a grant's expiry attribute carries (SPEC §4.5).
std::map<AttrId, Preds> GroupConditions(const BoundRule& r,
                                        const BoundPredicate* expiry_exists) {
  std::map<AttrId, Preds> out;
  for (const BoundPredicate& p : r.conditions) out[p.attr].push_back(&p);
  if (expiry_exists != nullptr)
    out[expiry_exists->attr].push_back(expiry_exists);
  return out;
}

struct RuleSat {
  Sat sat = Sat::kSat;
  std::string why;
  std::vector<std::pair<std::string, std::string>> witness;
};

// Whether some person makes the rule's condition apply: TRUE for a grant,
// TRUE or UNKNOWN for a deny (SPEC §2). The unless is not consulted; see
// docs/check.md.
RuleSat SolveRule(const BoundPolicy& policy, const BoundRule& r) {
  RuleSat out;
  if (r.effective_from && r.effective_until &&
      *r.effective_from > *r.effective_until) {
    out.sat = Sat::kUnsat;
    out.why = "its effective window is empty (from " +
              FormatIsoDate(*r.effective_from) + " is after until " +
              FormatIsoDate(*r.effective_until) + ")";
    return out;
  }
  if (r.expiry_kind == Expiry::Kind::kDate && r.effective_from &&
      r.expiry_date < *r.effective_from) {
    out.sat = Sat::kUnsat;
    out.why = "it expires on " + FormatIsoDate(r.expiry_date) +
              ", before it takes effect on " + FormatIsoDate(*r.effective_from);
    return out;
  }
  BoundPredicate expiry_exists;
  const bool grant = r.effect == Effect::kGrant;
  if (grant && r.expiry_kind == Expiry::Kind::kAttribute &&
      r.expiry_attr >= 0) {
    expiry_exists.attr = r.expiry_attr;
    expiry_exists.op = PredicateOp::kExists;
  }
  for (const auto& [attr_id, preds] :
       GroupConditions(r, expiry_exists.attr >= 0 ? &expiry_exists : nullptr)) {
    const BoundAttribute& a = policy.attributes()[attr_id];
    bool has_exists = false, has_missing = false;
    Preds rest;
    for (const BoundPredicate* p : preds) {
      if (p->op == PredicateOp::kExists) {
        has_exists = true;
      } else if (p->op == PredicateOp::kMissing) {
        has_missing = true;
      } else {
        rest.push_back(p);
      }
    }
    if (has_exists && has_missing) {
      out.sat = Sat::kUnsat;
      out.why = "'" + a.name + "' must both exist and be missing";
      return out;
    }
    if (has_missing || (!grant && !has_exists && rest.empty())) {
      if (grant && !rest.empty()) {
        out.sat = Sat::kUnsat;
        out.why = "'" + a.name +
                  "' must be missing, but another condition needs a value";
        return out;
      }
      out.witness.emplace_back(a.name, "");
      continue;
    }
    Solver solver(policy, a);
    std::string text;
    Solved s;
    if (a.type == AttrType::kSet) {
      s = solver.SolveSet(rest, &text);
    } else {
      s = solver.SolveScalar(rest);
      if (s.sat == Sat::kSat) text = KeyText(a, s.key);
    }
    if (s.sat == Sat::kSat) {
      out.witness.emplace_back(a.name, text);
      continue;
    }
    if (!grant && !has_exists) {
      // A deny also applies when the attribute is missing (UNKNOWN).
      out.witness.emplace_back(a.name, "");
      continue;
    }
    if (s.sat == Sat::kUnsat) {
      out.sat = Sat::kUnsat;
      out.why = s.why;
      return out;
    }
    out.sat = Sat::kPossible;
    out.why = s.why;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Canonical forms for `duplicate`.

void AppendKey(std::string* out, const BoundAttribute& a, const Key& k) {
  if (a.numeric()) {
    *out += "#" + std::to_string(k.num);
  } else {
    *out += std::to_string(k.text.size()) + ":" + k.text;
  }
  *out += ",";
}

std::string PredicateCanon(const BoundPolicy& policy, const BoundAttribute& a,
                           const BoundPredicate& p) {
  std::string s(PredicateOpName(p.op));
  s += "(";
  for (const Key& k : p.keys) AppendKey(&s, a, k);
  s += std::to_string(p.needle.size()) + ":" + p.needle;
  if (p.op == PredicateOp::kRegex)
    s += "/" + policy.regex_pattern(p.regex) + "/";
  return s + ")";
}

// A string equal for two per-attribute conjunctions only when they have
// the same truth value (three-valued) on every value of the attribute.
std::string AttributeCanon(const BoundPolicy& policy, const BoundAttribute& a,
                           const Preds& preds, bool grant) {
  bool has_exists = false, has_missing = false;
  Preds rest, none;
  for (const BoundPredicate* p : preds) {
    if (p->op == PredicateOp::kExists) {
      has_exists = true;
    } else if (p->op == PredicateOp::kMissing) {
      has_missing = true;
    } else if (p->op == PredicateOp::kNoneOf) {
      none.push_back(p);
      rest.push_back(p);
    } else {
      rest.push_back(p);
    }
  }
  // Under a grant, `exists` adds nothing to a predicate that already needs
  // a value; under a deny it turns UNKNOWN into FALSE, so it stays.
  std::string out;
  if (has_missing) out += "missing;";
  if (has_exists && !(grant && !rest.empty())) out += "exists;";
  if (rest.empty()) return out;
  Solver solver(policy, a);
  if (a.type != AttrType::kSet) {
    const BoundPredicate* any = nullptr;
    for (const BoundPredicate* p : rest)
      if (p->op == PredicateOp::kAnyOf) any = p;
    std::vector<Key> finite;
    bool is_finite = false;
    if (any != nullptr) {
      is_finite = true;
      for (const Key& k : any->keys)
        if (solver.Holds(rest, k)) finite.push_back(k);
    } else if (a.numeric()) {
      int64_t lo, hi;
      if (!solver.Bounds(rest, &lo, &hi)) {
        is_finite = true;
      } else if (static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) < 256) {
        is_finite = true;
        for (int64_t x = lo;; ++x) {
          if (solver.Holds(rest, Key{x, ""})) finite.push_back(Key{x, ""});
          if (x == hi) break;
        }
      } else {
        out += "[" + std::to_string(lo) + "," + std::to_string(hi) + "]-{";
        std::vector<int64_t> ex;
        for (const BoundPredicate* p : none) {
          for (const Key& k : p->keys)
            if (k.num >= lo && k.num <= hi) ex.push_back(k.num);
        }
        std::sort(ex.begin(), ex.end());
        ex.erase(std::unique(ex.begin(), ex.end()), ex.end());
        for (int64_t x : ex) out += std::to_string(x) + ",";
        return out + "}";
      }
    }
    if (is_finite) {
      out += "in{";
      for (const Key& k : finite) AppendKey(&out, a, k);
      return out + "}";
    }
  }
  // Sets and open text conditions: the predicates themselves, sorted, with
  // the none-of lists merged into one.
  std::vector<std::string> parts;
  std::vector<Key> excluded;
  for (const BoundPredicate* p : rest) {
    if (p->op == PredicateOp::kNoneOf) {
      excluded.insert(excluded.end(), p->keys.begin(), p->keys.end());
    } else {
      parts.push_back(PredicateCanon(policy, a, *p));
    }
  }
  if (!excluded.empty()) {
    auto less = [&](const Key& x, const Key& y) { return a.Compare(x, y) < 0; };
    std::sort(excluded.begin(), excluded.end(), less);
    excluded.erase(std::unique(excluded.begin(), excluded.end(),
                               [&](const Key& x, const Key& y) {
                                 return a.Compare(x, y) == 0;
                               }),
                   excluded.end());
    std::string n = "none-of(";
    for (const Key& k : excluded) AppendKey(&n, a, k);
    parts.push_back(n + ")");
  }
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  for (const std::string& p : parts) out += p + ";";
  return out;
}

void ExprCanon(const BoundPolicy& policy, const BoundExpr& e,
               std::string* out) {
  switch (e.kind) {
    case Expr::Kind::kPredicate: {
      const BoundAttribute& a = policy.attributes()[e.predicate.attr];
      *out += a.folded + ":" + PredicateCanon(policy, a, e.predicate);
      return;
    }
    case Expr::Kind::kAnd:
      *out += "and(";
      break;
    case Expr::Kind::kOr:
      *out += "or(";
      break;
    case Expr::Kind::kNot:
      *out += "not(";
      break;
  }
  for (const BoundExpr& c : e.children) {
    ExprCanon(policy, c, out);
    *out += ",";
  }
  *out += ")";
}

std::string RuleCanon(const BoundPolicy& policy, const BoundRule& r) {
  std::string s = r.effect == Effect::kGrant ? "grant|" : "deny|";
  s += std::to_string(r.priority) + "|";
  s += std::to_string(static_cast<int>(r.expiry_kind)) + ":";
  if (r.expiry_kind == Expiry::Kind::kDate)
    s += std::to_string(r.expiry_date.days);
  if (r.expiry_kind == Expiry::Kind::kAttribute)
    s += std::to_string(r.expiry_attr);
  s += "|" + (r.effective_from ? std::to_string(r.effective_from->days) : "-");
  s += ".." +
       (r.effective_until ? std::to_string(r.effective_until->days) : "-") +
       "|";
  std::vector<std::string> targets;
  for (const BoundTarget& t : r.targets) {
    std::string ts =
        std::to_string(t.instance) + "/" + std::to_string(t.level) + "/";
    for (const std::string& sc : t.scopes) ts += AsciiLowercase(sc) + ";";
    targets.push_back(ts);
  }
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  for (const std::string& t : targets) s += t + ",";
  s += "|";
  const bool grant = r.effect == Effect::kGrant;
  for (const auto& [attr_id, preds] : GroupConditions(r, nullptr)) {
    const BoundAttribute& a = policy.attributes()[attr_id];
    const std::string c = AttributeCanon(policy, a, preds, grant);
    if (!c.empty()) s += a.folded + "{" + c + "}";
  }
  s += "|";
  if (r.unless) ExprCanon(policy, *r.unless, &s);
  return s;
}

// ---------------------------------------------------------------------------
// Findings.

class Checker {
 public:
  Checker(const Policy& policy, const BoundPolicy& bound, const Population* hr,
          const CheckOptions& options)
      : policy_(policy), bound_(bound), hr_(hr), options_(options) {
    for (const BoundRule& r : bound_.rules())
      rule_index_.try_emplace(r.id, r.index);
  }

  std::vector<Finding> Run() {
    BindIssues();
    std::vector<const BoundRule*> live;
    for (const BoundRule& r : bound_.rules()) {
      if (!r.valid) continue;
      RuleSat s = SolveRule(bound_, r);
      if (s.sat == Sat::kSat) {
        live.push_back(&r);
        witness_[r.index] = std::move(s.witness);
        continue;
      }
      Finding f;
      f.code = "unsatisfiable";
      f.severity = s.sat == Sat::kUnsat ? Severity::kError : Severity::kInfo;
      f.rules = {r.id};
      f.locations = {Loc(r.location)};
      f.message = (s.sat == Sat::kUnsat
                       ? "rule " + r.id + " can never apply: "
                       : "rule " + r.id + " is possibly unsatisfiable: ") +
                  s.why;
      if (s.sat == Sat::kPossible) live.push_back(&r);
      Add(std::move(f));
    }
    Duplicates(live);
    BuildIndex(live);
    Shadowed(live);
    LevelConflicts();
    SodFindings();
    if (hr_ != nullptr) {
      ReservedHeaders();
      UnknownValues();
      Gaps();
    }
    std::sort(findings_.begin(), findings_.end(),
              [&](const Finding& a, const Finding& b) {
                return SortKey(a) < SortKey(b);
              });
    return std::move(findings_);
  }

 private:
  void Add(Finding f) { findings_.push_back(std::move(f)); }

  std::tuple<int, std::string, int64_t, std::string, std::string> SortKey(
      const Finding& f) const {
    int64_t first = std::numeric_limits<int64_t>::max();
    if (!f.rules.empty()) {
      auto it = rule_index_.find(f.rules[0]);
      if (it != rule_index_.end()) first = it->second;
    }
    return {-static_cast<int>(f.severity), f.code, first,
            f.locations.empty() ? "" : f.locations[0], f.message};
  }

  void BindIssues() {
    for (const BindIssue& issue : bound_.issues()) {
      Finding f;
      f.code = issue.code;
      f.severity = issue.severity;
      if (!issue.rule_id.empty()) f.rules = {issue.rule_id};
      if (issue.location.line > 0) f.locations = {Loc(issue.location)};
      f.message = issue.message;
      Add(std::move(f));
    }
  }

  void Duplicates(const std::vector<const BoundRule*>& live) {
    std::map<std::string, std::vector<const BoundRule*>> groups;
    std::vector<std::string> order;
    for (const BoundRule* r : live) {
      std::string key = RuleCanon(bound_, *r);
      auto& g = groups[key];
      if (g.empty()) order.push_back(key);
      g.push_back(r);
    }
    for (const std::string& key : order) {
      const auto& g = groups[key];
      if (g.size() < 2) continue;
      Finding f;
      f.code = "duplicate";
      f.severity = Severity::kWarning;
      std::string ids;
      for (const BoundRule* r : g) {
        dup_leader_[r->index] = g[0]->index;
        dup_members_[g[0]->index].push_back(r);
        f.rules.push_back(r->id);
        f.locations.push_back(Loc(r->location));
        ids += (ids.empty() ? "" : ", ") + r->id;
      }
      f.message = "rules " + ids +
                  " are equivalent: the same conditions, effect, entitlements, "
                  "priority, expiry and window; keep one";
      auto w = witness_.find(g[0]->index);
      if (w != witness_.end()) f.witness = WitnessOf(w->second);
      Add(std::move(f));
    }
  }

  static std::vector<std::pair<std::string, std::string>> WitnessOf(
      const std::vector<std::pair<std::string, std::string>>& w) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [k, v] : w) {
      if (!v.empty()) out.emplace_back(k, v);
    }
    return out;
  }

  void ReservedHeaders() {
    for (const std::string& c : hr_->columns) {
      if (!IsReservedHeader(FoldName(c))) continue;
      Finding f;
      f.code = "reserved-attribute";
      f.severity = Severity::kWarning;
      f.locations = {hr_->file + ":1"};
      f.message =
          "HR attribute '" + c +
          "' has the name of a reserved rules-list header (SPEC §8); a "
          "condition column with that header would not be read as a "
          "condition. Rename it in the rules (e.g. via the schema) to use it";
      Add(std::move(f));
    }
  }

  // Values present in the HR data, per attribute, as canonical keys.
  void CollectHrValues() {
    hr_values_.resize(bound_.attributes().size());
    hr_has_.assign(bound_.attributes().size(), false);
    for (const std::string& c : hr_->columns) {
      const AttrId id = bound_.FindAttribute(FoldName(c));
      if (id >= 0) hr_has_[id] = true;
    }
    for (const Person& p : hr_->people) {
      const BoundPerson bp = BindPerson(bound_, p);
      for (size_t i = 0; i < bp.values.size(); ++i) {
        const Value& v = bp.values[i];
        if (!v.present) continue;
        const BoundAttribute& a = bound_.attributes()[i];
        if (a.type == AttrType::kSet) {
          for (const std::string& m : v.members) hr_values_[i].insert(m);
        } else {
          hr_values_[i].insert(a.numeric() ? "#" + std::to_string(v.scalar.num)
                                           : v.scalar.text);
        }
      }
    }
  }

  void CheckLiteral(const Rule& rule, const std::string& attr_name,
                    const Predicate& p, const SourceLocation& loc) {
    if (p.op != PredicateOp::kAnyOf && p.op != PredicateOp::kNoneOf) return;
    const AttrId id = bound_.FindAttribute(FoldName(attr_name));
    if (id < 0 || !hr_has_[id]) return;
    const BoundAttribute& a = bound_.attributes()[id];
    for (const std::string& raw : p.values) {
      std::optional<Key> k = a.type == AttrType::kSet
                                 ? std::optional<Key>(Key{0, a.Canonical(raw)})
                                 : a.ParseScalar(raw);
      if (!k) continue;  // A type mismatch, reported by the binder.
      const std::string key =
          a.numeric() ? "#" + std::to_string(k->num) : k->text;
      if (hr_values_[id].count(key)) continue;
      Finding f;
      f.code = "unknown-value";
      f.severity = Severity::kWarning;
      f.rules = {rule.id};
      f.locations = {Loc(loc.line > 0 ? loc : rule.location)};
      f.message = "rule " + rule.id + " names " + a.name + " '" + raw +
                  "', which no person in " + hr_->file + " has" +
                  (p.op == PredicateOp::kAnyOf ? "" : " (in a none-of list)");
      Add(std::move(f));
    }
  }

  void UnknownValues() {
    CollectHrValues();
    for (const BoundRule& br : bound_.rules()) {
      if (!br.valid) continue;
      const Rule& r = policy_.rules[br.index];
      for (const Condition& c : r.conditions) {
        CheckLiteral(r, c.attribute, c.predicate, c.location);
      }
      if (r.unless) {
        const SourceLocation& loc =
            r.unless_location.line > 0 ? r.unless_location : r.location;
        ForEachPredicate(*r.unless, [&](const Expr& e) {
          CheckLiteral(r, e.attribute, e.predicate, loc);
        });
      }
    }
  }

  void Gaps() {
    const AttrId dept = bound_.FindAttribute("department");
    struct Group {
      std::string label;
      std::vector<const Person*> people;
    };
    std::map<std::string, Group> groups;
    int64_t total = 0;
    for (const Person& p : hr_->people) {
      const BoundPerson bp = BindPerson(bound_, p);
      if (bp.termination && *bp.termination < options_.as_of)
        continue;  // Leaver.
      const Decision d = EvaluateReference(bound_, bp, options_.as_of);
      if (!d.entitlements.empty()) continue;
      ++total;
      std::string key, label;
      if (dept >= 0) {
        const Value& v = bp.values[dept];
        key = v.present ? KeyText(bound_.attributes()[dept], v.scalar) : "";
        if (bound_.attributes()[dept].type == AttrType::kSet && v.present) {
          key.clear();
          for (const std::string& m : v.members)
            key += (key.empty() ? "" : "; ") + m;
        }
        std::optional<std::string_view> raw = p.Get("department");
        label = v.present && raw
                    ? "department '" + std::string(TrimWhitespace(*raw)) + "'"
                    : "no department";
      }
      Group& g = groups[key];
      if (g.label.empty()) g.label = label;
      g.people.push_back(&p);
    }
    for (auto& [key, g] : groups) {
      Finding f;
      f.code = "gap";
      f.severity = Severity::kWarning;
      std::string ids;
      for (const Person* p : g.people) {
        if (p->location.line > 0) f.locations.push_back(Loc(p->location));
        ids += (ids.empty() ? "" : ", ") + p->id;
      }
      const size_t n = g.people.size();
      f.message = std::to_string(n) + (n == 1 ? " person" : " people") +
                  (g.label.empty() ? "" : " in " + g.label) + " (of " +
                  std::to_string(total) + " uncovered in " + hr_->file +
                  ") get no access from any grant as of " +
                  FormatIsoDate(options_.as_of) + ": " + ids;
      for (const auto& [name, value] : g.people[0]->attributes) {
        if (!TrimWhitespace(value).empty()) f.witness.emplace_back(name, value);
      }
      Add(std::move(f));
    }
  }

  // -------------------------------------------------------------------------
  // Pair and coverage analyses (shadowed, level-conflict, sod-violation):
  // exact witness search (analyze/witness_search.h) over the rules that can
  // meet, found through a per-instance index bucketed on one equality
  // attribute so 20,000 rules are not compared pairwise.

  struct InstanceIndex {
    std::vector<const BoundRule*> rules;  // Grants and denies on it.
    AttrId bucket_attr = -1;
    std::map<std::string, std::vector<const BoundRule*>> buckets;
    std::vector<const BoundRule*> wild;  // No equality on bucket_attr.
  };

  static constexpr int64_t kPairBudget = 2'000;
  static constexpr int64_t kCoverBudget = 4'000;

  // The canonical keys of the smallest positive any-of of `r` on `attr`;
  // false when it has none (the rule can meet any value).
  bool BucketKeys(const BoundRule& r, AttrId attr,
                  std::vector<std::string>* keys) const {
    const BoundPredicate* best = nullptr;
    for (const BoundPredicate& p : r.conditions) {
      if (p.attr == attr && p.op == PredicateOp::kAnyOf &&
          (best == nullptr || p.keys.size() < best->keys.size()))
        best = &p;
    }
    if (best == nullptr) return false;
    const BoundAttribute& a = bound_.attributes()[attr];
    for (const Key& k : best->keys)
      keys->push_back(a.numeric() ? "#" + std::to_string(k.num) : k.text);
    return true;
  }

  void BuildIndex(const std::vector<const BoundRule*>& live) {
    index_.assign(bound_.instances().size(), InstanceIndex{});
    for (const BoundRule* r : live) {
      std::set<int32_t> seen;
      for (const BoundTarget& t : r->targets) {
        if (seen.insert(t.instance).second)
          index_[t.instance].rules.push_back(r);
      }
    }
    for (InstanceIndex& ix : index_) {
      std::map<AttrId, int> count;
      for (const BoundRule* r : ix.rules) {
        std::set<AttrId> attrs;
        for (const BoundPredicate& p : r->conditions) {
          if (p.op == PredicateOp::kAnyOf &&
              bound_.attributes()[p.attr].type != AttrType::kSet)
            attrs.insert(p.attr);
        }
        for (AttrId a : attrs) ++count[a];
      }
      int best = 0;
      for (const auto& [a, n] : count) {
        if (n > best) {
          best = n;
          ix.bucket_attr = a;
        }
      }
      for (const BoundRule* r : ix.rules) {
        std::vector<std::string> keys;
        if (ix.bucket_attr < 0 || !BucketKeys(*r, ix.bucket_attr, &keys)) {
          ix.wild.push_back(r);
          continue;
        }
        for (const std::string& k : keys) ix.buckets[k].push_back(r);
      }
    }
  }

  // Rules on `inst` that may apply together with `r` (a superset), in
  // policy order.
  std::vector<const BoundRule*> Candidates(const BoundRule& r, int32_t inst) {
    const InstanceIndex& ix = index_[inst];
    std::vector<std::string> keys;
    if (ix.bucket_attr < 0 || !BucketKeys(r, ix.bucket_attr, &keys))
      return ix.rules;
    std::vector<const BoundRule*> out = ix.wild;
    for (const std::string& k : keys) {
      auto it = ix.buckets.find(k);
      if (it != ix.buckets.end())
        out.insert(out.end(), it->second.begin(), it->second.end());
    }
    std::sort(out.begin(), out.end(),
              [](const BoundRule* a, const BoundRule* b) {
                return a->index < b->index;
              });
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // Cached applicability formulas; kind 0 applies, 1 does not apply, 2
  // applies ignoring `unless`, 3 decided either way (does not / does).
  const analyze::Formula* F(const BoundRule& r, Date d, int kind) {
    auto key = std::make_tuple(r.index, d.days, kind);
    auto it = formulas_.find(key);
    if (it != formulas_.end()) return it->second.get();
    analyze::Formula f;
    switch (kind) {
      case 0:
        f = rule_formulas_.Applies(r, d);
        break;
      case 1:
        f = rule_formulas_.NotApplies(r, d);
        break;
      case 2:
        f = rule_formulas_.Applies(r, d, /*with_unless=*/false);
        break;
      default:
        f = analyze::Formula::Or(
            {rule_formulas_.NotApplies(r, d), rule_formulas_.Applies(r, d)});
        break;
    }
    auto owned = std::make_unique<analyze::Formula>(std::move(f));
    const analyze::Formula* ptr = owned.get();
    formulas_.emplace(key, std::move(owned));
    return ptr;
  }

  // Is there a person and date for which every (rule, kind) holds?
  analyze::Answer Exists(
      const std::vector<std::pair<const BoundRule*, int>>& parts,
      analyze::Witness* w, int64_t budget = kPairBudget) {
    std::vector<const BoundRule*> rules;
    for (const auto& [r, k] : parts) rules.push_back(r);
    bool unknown = false;
    for (Date d : analyze::RepresentativeDates(bound_, rules, options_.as_of)) {
      std::vector<const analyze::Formula*> goals;
      for (const auto& [r, k] : parts) goals.push_back(F(*r, d, k));
      analyze::Search search(bound_, budget);
      const analyze::Answer a = search.Run(d, goals, nullptr, w);
      if (a == analyze::Answer::kFound) return a;
      unknown = unknown || a == analyze::Answer::kUnknown;
    }
    return unknown ? analyze::Answer::kUnknown : analyze::Answer::kNone;
  }

  // Canonical value -> the first spelling a rule literal uses, per
  // attribute, so witnesses read like the sheet ("Finance", not "finance").
  void BuildSpellings() {
    spelling_.assign(bound_.attributes().size(), {});
    auto note = [&](const std::string& attr_name, const Predicate& p) {
      const AttrId id = bound_.FindAttribute(FoldName(attr_name));
      if (id < 0) return;
      const BoundAttribute& a = bound_.attributes()[id];
      if (a.numeric()) return;
      for (const std::string& raw : p.values) {
        const std::string k =
            a.type == AttrType::kSet
                ? a.Canonical(raw)
                : (a.ParseScalar(raw) ? a.ParseScalar(raw)->text : "");
        if (!k.empty())
          spelling_[id].try_emplace(k, std::string(TrimWhitespace(raw)));
      }
    };
    for (const Rule& r : policy_.rules) {
      for (const Condition& c : r.conditions) note(c.attribute, c.predicate);
      if (r.unless) {
        ForEachPredicate(
            *r.unless, [&](const Expr& e) { note(e.attribute, e.predicate); });
      }
    }
  }

  std::string Spelled(AttrId a, const std::string& text) const {
    auto it = spelling_[a].find(text);
    return it == spelling_[a].end() ? text : it->second;
  }

  std::vector<std::pair<std::string, std::string>> WitnessPairs(
      const analyze::Witness& w) {
    if (spelling_.empty()) BuildSpellings();
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t a = 0; a < w.values.size(); ++a) {
      const Value& v = w.values[a];
      if (!v.present) continue;
      const BoundAttribute& attr = bound_.attributes()[a];
      std::string text;
      if (attr.type == AttrType::kSet) {
        for (const std::string& m : v.members)
          text += (text.empty() ? "" : "; ") + Spelled(a, m);
      } else if (attr.type == AttrType::kOrdinal && attr.numeric()) {
        text = analyze::ValueText(attr, v);
        // The schema's spelling of the rank (the bound order is folded).
        for (const AttributeSpec& spec : policy_.schema) {
          if (FoldName(spec.name) == attr.folded && v.scalar.num >= 0 &&
              v.scalar.num < static_cast<int64_t>(spec.order.size()))
            text = std::string(TrimWhitespace(spec.order[v.scalar.num]));
        }
      } else if (attr.numeric()) {
        text = analyze::ValueText(attr, v);
      } else {
        text = Spelled(a, v.scalar.text);
      }
      out.emplace_back(attr.name, text);
    }
    return out;
  }

  std::string AsOfNote(const analyze::Witness& w) const {
    return w.as_of.days == options_.as_of.days
               ? ""
               : " (as of " + FormatIsoDate(w.as_of) + ")";
  }

  std::string InstanceName(int32_t inst) const {
    const AppInstance& i = bound_.instances()[inst];
    return i.app + (i.instance.empty() ? "" : " [" + i.instance + "]");
  }

  std::string LevelName(int32_t inst, int32_t level) const {
    return bound_.instances()[inst].levels[level];
  }

  // --- shadowed ------------------------------------------------------------

  // Whether removing `r` changes the entitlement on `inst` for the person
  // `w`, given the rules of `ctx` (the only others that can apply).
  analyze::LeafVerdict ShadowLeaf(const BoundRule& r, int32_t inst,
                                  const std::vector<const BoundRule*>& ctx,
                                  const analyze::Witness& w, bool refined,
                                  std::set<int32_t>* blockers) {
    using analyze::LeafVerdict;
    std::vector<int32_t> grants, denies;
    for (const BoundRule* q : ctx) {
      if (!analyze::RuleAppliesTo(bound_, *q, w.values, w.as_of)) continue;
      (q->effect == Effect::kGrant ? grants : denies).push_back(q->index);
    }
    std::vector<int32_t> with = grants;
    with.insert(std::upper_bound(with.begin(), with.end(), r.index), r.index);
    std::vector<ResolvedEntitlement> a, b;
    ResolveOutcome(bound_, with, denies, &a, nullptr);
    ResolveOutcome(bound_, grants, denies, &b, nullptr);
    auto find = [&](const std::vector<ResolvedEntitlement>& v) {
      const ResolvedEntitlement* e = nullptr;
      for (const ResolvedEntitlement& x : v)
        if (x.instance == inst) e = &x;
      return e;
    };
    const ResolvedEntitlement* ea = find(a);
    const ResolvedEntitlement* eb = find(b);
    LeafVerdict v;
    v.kind = LeafVerdict::Kind::kAccept;
    if ((ea == nullptr) != (eb == nullptr)) return v;
    if (ea != nullptr && (ea->level != eb->level || ea->scopes != eb->scopes))
      return v;
    auto date_of = [&](AttrId attr) -> std::optional<Date> {
      const Value& val = w.values[attr];
      if (!val.present) return std::nullopt;
      return Date{static_cast<int32_t>(val.scalar.num)};
    };
    if (ea != nullptr && ResolveExpiry(bound_, ea->reasons, date_of) !=
                             ResolveExpiry(bound_, eb->reasons, date_of))
      return v;
    // No change here: remember what stood in the way.
    v.kind = LeafVerdict::Kind::kReject;
    for (int32_t d : denies) blockers->insert(d);
    if (eb != nullptr) {
      for (int32_t g : eb->reasons) blockers->insert(g);
    }
    if (ea == nullptr || refined) return v;
    if (std::find(ea->reasons.begin(), ea->reasons.end(), r.index) ==
        ea->reasons.end())
      return v;
    // `r` gives the winning level too: it would still change `expires`
    // where its expiry is later than every other contributor's. Those
    // comparisons are constraints on the person; search for them.
    if (r.expiry_kind == Expiry::Kind::kNever) return v;
    std::vector<analyze::Formula> later;
    for (int32_t g : eb->reasons) {
      const BoundRule& q = bound_.rules()[g];
      if (q.expiry_kind == Expiry::Kind::kNever) return v;
      if (r.expiry_kind == Expiry::Kind::kDate) {
        if (q.expiry_kind == Expiry::Kind::kDate) {
          later.push_back(
              analyze::Formula::Const(q.expiry_date < r.expiry_date));
        } else {
          later.push_back(
              rule_formulas_.DateBelow(q.expiry_attr, r.expiry_date.days));
        }
      } else if (q.expiry_kind == Expiry::Kind::kDate) {
        later.push_back(
            rule_formulas_.DateAbove(r.expiry_attr, q.expiry_date.days));
      } else if (q.expiry_attr == r.expiry_attr) {
        return v;
      } else {
        // Two different expiry attributes compared with each other: beyond
        // the per-attribute solver (docs/check.md).
        v.uncertain = true;
        return v;
      }
    }
    v.refine = analyze::Formula::And(std::move(later));
    if (v.refine.kind == analyze::Formula::Kind::kConst) return v;
    v.kind = LeafVerdict::Kind::kRefine;
    return v;
  }

  // True when `q`, which applies whenever `r` does, makes `r` irrelevant
  // on `inst` for everyone (docs/check.md "shadowed"): a deny removing r's
  // target; or a grant no deny of `ctx` can remove without removing r's
  // too, with priority >= r's, and either the same level with a superset
  // of r's scopes and an expiry no earlier (never, or the same), or a
  // higher level that no other grant at r's level can outrank.
  bool Dominates(const BoundRule& r, const BoundRule& q, int32_t inst,
                 const std::vector<const BoundRule*>& ctx) const {
    const int32_t rl = LevelOn(r, inst);
    if (q.effect == Effect::kDeny) {
      for (const BoundTarget& t : q.targets) {
        if (t.instance == inst && (t.level < 0 || rl >= t.level)) return true;
      }
      return false;
    }
    const int32_t ql = LevelOn(q, inst);
    if (ql < 0 || q.priority < r.priority || ql < rl) return false;
    for (const BoundRule* d : ctx) {
      if (d->effect != Effect::kDeny) continue;
      for (const BoundTarget& t : d->targets) {
        if (t.instance != inst) continue;
        const bool removes_q = t.level < 0 || ql >= t.level;
        const bool removes_r = t.level < 0 || rl >= t.level;
        if (removes_q && !removes_r) return false;
      }
    }
    if (ql == rl) {
      const std::vector<std::string>& qs = q.targets[0].scopes;
      for (const BoundTarget& t : q.targets) {
        if (t.instance != inst) continue;
        for (const BoundTarget& rt : r.targets) {
          if (rt.instance != inst) continue;
          for (const std::string& sc : rt.scopes) {
            bool has = false;
            for (const std::string& x : t.scopes)
              has = has || EqualsIgnoreCase(x, sc);
            if (!has) return false;
          }
        }
      }
      (void)qs;
      if (q.expiry_kind == Expiry::Kind::kNever) return true;
      return q.expiry_kind == r.expiry_kind &&
             (q.expiry_kind == Expiry::Kind::kDate
                  ? q.expiry_date.days >= r.expiry_date.days
                  : q.expiry_attr == r.expiry_attr);
    }
    for (const BoundRule* g : ctx) {
      if (g->effect == Effect::kGrant && g->priority > q.priority &&
          LevelOn(*g, inst) == rl)
        return false;
    }
    return true;
  }

  // kFound: some person's entitlement on `inst` changes without `r` (and
  // its duplicates `group`); kNone: proof that none does.
  analyze::Answer ShadowOn(const BoundRule& r,
                           const std::vector<const BoundRule*>& group,
                           int32_t inst, std::set<int32_t>* blockers) {
    std::vector<const BoundRule*> cands;
    for (const BoundRule* q : Candidates(r, inst)) {
      if (std::find(group.begin(), group.end(), q) == group.end())
        cands.push_back(q);
    }
    // Cheap refutation first: the rule's own witness with every other
    // attribute missing, then present with an unmatched value.
    analyze::Witness w;
    if (Exists({{&r, 0}}, &w) == analyze::Answer::kFound) {
      std::set<int32_t> ignore;
      if (ShadowLeaf(r, inst, cands, w, true, &ignore).kind ==
          analyze::LeafVerdict::Kind::kAccept)
        return analyze::Answer::kFound;
    }
    // A rule that settles the outcome whenever it applies (judged against
    // every candidate, a superset of the rules that can meet r) and that
    // always applies with r: a proof before any classification.
    for (const BoundRule* q : cands) {
      if (!Dominates(r, *q, inst, cands)) continue;
      analyze::Witness ignore;
      if (Exists({{&r, 0}, {q, 1}}, &ignore) == analyze::Answer::kNone) {
        blockers->insert(q->index);
        return analyze::Answer::kNone;
      }
    }
    // Classify the others: never together with r (dropped), always with r
    // (kept, no choice) or either (a decision for the search).
    std::vector<const BoundRule*> ctx, open;
    for (const BoundRule* q : cands) {
      analyze::Witness ignore;
      if (Exists({{&r, 0}, {q, 0}}, &ignore) == analyze::Answer::kNone)
        continue;
      ctx.push_back(q);
      if (Exists({{&r, 0}, {q, 1}}, &ignore) != analyze::Answer::kNone)
        open.push_back(q);
    }
    // A single rule that always applies with `r` and settles the outcome
    // is a proof without search (the common case).
    for (const BoundRule* q : ctx) {
      if (std::find(open.begin(), open.end(), q) != open.end()) continue;
      if (Dominates(r, *q, inst, ctx)) {
        blockers->insert(q->index);
        return analyze::Answer::kNone;
      }
    }
    std::vector<const BoundRule*> all = ctx;
    all.push_back(&r);
    bool unknown = false;
    for (Date d : analyze::RepresentativeDates(bound_, all, options_.as_of)) {
      // Where a dominating rule applies, r cannot matter: search only
      // where it does not (exact pruning of the decision tree).
      std::vector<const analyze::Formula*> goals = {F(r, d, 0)};
      for (const BoundRule* q : open) {
        const bool dominating = Dominates(r, *q, inst, ctx);
        if (dominating) blockers->insert(q->index);
        goals.push_back(F(*q, d, dominating ? 1 : 3));
      }
      analyze::LeafFn leaf = [&](const analyze::Witness& lw, bool refined) {
        return ShadowLeaf(r, inst, ctx, lw, refined, blockers);
      };
      analyze::Search search(bound_, kCoverBudget);
      analyze::Witness found;
      const analyze::Answer a = search.Run(d, goals, leaf, &found);
      if (a == analyze::Answer::kFound) return a;
      unknown = unknown || a == analyze::Answer::kUnknown;
    }
    return unknown ? analyze::Answer::kUnknown : analyze::Answer::kNone;
  }

  void Shadowed(const std::vector<const BoundRule*>& live) {
    for (const BoundRule* r : live) {
      if (r->effect != Effect::kGrant) continue;
      auto leader = dup_leader_.find(r->index);
      if (leader != dup_leader_.end() && leader->second != r->index) continue;
      std::vector<const BoundRule*> group = {r};
      auto members = dup_members_.find(r->index);
      if (members != dup_members_.end()) group = members->second;
      std::set<int32_t> insts;
      for (const BoundTarget& t : r->targets) insts.insert(t.instance);
      bool changes = false, unknown = false;
      std::set<int32_t> blockers;
      for (int32_t inst : insts) {
        const analyze::Answer a = ShadowOn(*r, group, inst, &blockers);
        if (a == analyze::Answer::kFound) {
          changes = true;
          break;
        }
        unknown = unknown || a == analyze::Answer::kUnknown;
      }
      if (changes) continue;
      for (const BoundRule* g : group) blockers.erase(g->index);
      Finding f;
      f.code = "shadowed";
      f.severity = unknown ? Severity::kInfo : Severity::kWarning;
      std::string ids;
      for (const BoundRule* g : group) {
        f.rules.push_back(g->id);
        f.locations.push_back(Loc(g->location));
        ids += (ids.empty() ? "" : ", ") + g->id;
      }
      std::string by;
      int n = 0;
      for (int32_t b : blockers) {
        if (++n > 5) {
          by += ", ...";
          break;
        }
        by += (by.empty() ? "" : ", ") + bound_.rules()[b].id;
      }
      const std::string what =
          group.size() > 1 ? "rules " + ids + " (duplicates) never change"
                           : "rule " + ids + " never changes";
      f.message =
          (unknown ? "possibly shadowed: " : "") + what +
          " anyone's access: wherever " +
          (group.size() > 1 ? "they apply" : "it applies") +
          ", the same level, scopes and expiry come from other rules or it "
          "is denied" +
          (by.empty() ? "" : " (" + by + ")") +
          (unknown ? "; the exact search could not finish (a regular "
                     "expression, compared expiry attributes or the search "
                     "budget; see docs/check.md)"
                   : "; remove it or change what it grants");
      // Who the rule is written for: a person it applies to.
      analyze::Witness w;
      if (Exists({{r, 0}}, &w) == analyze::Answer::kFound)
        f.witness = WitnessPairs(w);
      Add(std::move(f));
    }
  }

  // --- level-conflict --------------------------------------------------------

  int32_t LevelOn(const BoundRule& r, int32_t inst) const {
    for (const BoundTarget& t : r.targets)
      if (t.instance == inst) return t.level;
    return -1;
  }

  void LevelConflicts() {
    std::set<std::pair<int32_t, int32_t>> done;
    for (size_t inst = 0; inst < index_.size(); ++inst) {
      const int32_t i = static_cast<int32_t>(inst);
      for (const BoundRule* a : index_[inst].rules) {
        if (a->effect != Effect::kGrant) continue;
        for (const BoundRule* b : Candidates(*a, i)) {
          if (b->index <= a->index || b->effect != Effect::kGrant) continue;
          if (a->priority != b->priority) continue;
          const int32_t la = LevelOn(*a, i), lb = LevelOn(*b, i);
          if (la == lb) continue;
          if (!done.insert({a->index, b->index}).second) continue;
          LevelPair(*a, *b, i, la, lb);
        }
      }
    }
  }

  void LevelPair(const BoundRule& a, const BoundRule& b, int32_t inst,
                 int32_t la, int32_t lb) {
    analyze::Witness w;
    const analyze::Answer both = Exists({{&a, 0}, {&b, 0}}, &w);
    const std::string where = InstanceName(inst);
    const std::string levels = a.id + " at " + LevelName(inst, la) + ", " +
                               b.id + " at " + LevelName(inst, lb);
    auto finding = [&](const std::string& code, Severity sev,
                       const std::string& msg, const analyze::Witness* wit) {
      Finding f;
      f.code = code;
      f.severity = sev;
      f.rules = {a.id, b.id};
      f.locations = {Loc(a.location), Loc(b.location)};
      f.message = msg;
      if (wit != nullptr) f.witness = WitnessPairs(*wit);
      Add(std::move(f));
    };
    if (both == analyze::Answer::kNone) {
      if (!a.unless && !b.unless) return;
      // Apart only because of an `unless`: the intended exception.
      analyze::Witness cw;
      if (Exists({{&a, 2}, {&b, 2}}, &cw) != analyze::Answer::kFound) return;
      finding("intended-exception", Severity::kInfo,
              "rules " + levels + " on " + where +
                  " would overlap, but an unless keeps them apart: an "
                  "intended exception, not a level conflict",
              &cw);
      return;
    }
    if (both == analyze::Answer::kUnknown) {
      finding("level-conflict", Severity::kInfo,
              "possible level conflict: rules " + levels + " on " + where +
                  " at the same priority may apply to the same person; the "
                  "analysis cannot decide whether their regular expressions "
                  "(or other undecided conditions) meet (docs/check.md)",
              nullptr);
      return;
    }
    analyze::Witness only_a, only_b;
    const analyze::Answer a_not_b = Exists({{&a, 0}, {&b, 1}}, &only_a);
    const analyze::Answer b_not_a = Exists({{&b, 0}, {&a, 1}}, &only_b);
    const bool a_implies_b = a_not_b == analyze::Answer::kNone;
    const bool b_implies_a = b_not_a == analyze::Answer::kNone;
    const std::string high =
        la > lb ? LevelName(inst, la) : LevelName(inst, lb);
    if (a_implies_b || b_implies_a) {
      const bool narrower_is_higher =
          (a_implies_b && !b_implies_a && la > lb) ||
          (b_implies_a && !a_implies_b && lb > la);
      if (!narrower_is_higher) return;  // Equal, or shadowing: see shadowed.
      const BoundRule& narrow = a_implies_b ? a : b;
      const BoundRule& broad = a_implies_b ? b : a;
      finding("intended-exception", Severity::kInfo,
              "rule " + narrow.id + " grants " + where + " at " + high +
                  " to a subset of the people rule " + broad.id +
                  " covers at a lower level: an intended exception, not a "
                  "level conflict",
              &w);
      return;
    }
    const bool sure = a_not_b == analyze::Answer::kFound &&
                      b_not_a == analyze::Answer::kFound;
    finding("level-conflict", sure ? Severity::kWarning : Severity::kInfo,
            std::string(sure ? "" : "possible level conflict: ") + "rules " +
                levels + " grant " + where +
                " at the same priority to overlapping people, and neither "
                "condition implies the other: a person matching both gets " +
                high + AsOfNote(w) +
                "; give one a priority, narrow it, or add an unless",
            &w);
  }

  // --- sod-violation ---------------------------------------------------------

  // Grants on `part`'s instance at its level or higher.
  std::vector<const BoundRule*> GrantsFor(const BoundSodSide::Part& part) {
    std::vector<const BoundRule*> out;
    for (const BoundRule* r : index_[part.instance].rules) {
      if (r->effect == Effect::kGrant &&
          LevelOn(*r, part.instance) >= part.min_level)
        out.push_back(r);
    }
    return out;
  }

  bool Holds(const std::vector<ResolvedEntitlement>& ents,
             const BoundSodSide::Part& part) const {
    for (const ResolvedEntitlement& e : ents)
      if (e.instance == part.instance && e.level >= part.min_level) return true;
    return false;
  }

  // A person holding both parts, through grants g1 and g2.
  analyze::Answer SodPair(const BoundRule& g1, const BoundRule& g2,
                          const BoundSodSide::Part& p1,
                          const BoundSodSide::Part& p2, analyze::Witness* w) {
    if (Exists({{&g1, 0}, {&g2, 0}}, w) == analyze::Answer::kNone)
      return analyze::Answer::kNone;
    std::vector<const BoundRule*> ctx;
    std::set<const BoundRule*> seen = {&g1, &g2};
    for (const auto& [g, inst] :
         {std::pair{&g1, p1.instance}, std::pair{&g2, p2.instance}}) {
      for (const BoundRule* q : Candidates(*g, inst)) {
        if (!seen.insert(q).second) continue;
        analyze::Witness ignore;
        if (Exists({{&g1, 0}, {&g2, 0}, {q, 0}}, &ignore) ==
            analyze::Answer::kNone)
          continue;
        ctx.push_back(q);
      }
    }
    std::vector<const BoundRule*> all = ctx;
    all.push_back(&g1);
    all.push_back(&g2);
    bool unknown = false;
    for (Date d : analyze::RepresentativeDates(bound_, all, options_.as_of)) {
      std::vector<const analyze::Formula*> goals = {F(g1, d, 0), F(g2, d, 0)};
      for (const BoundRule* q : ctx) goals.push_back(F(*q, d, 3));
      analyze::LeafFn leaf = [&](const analyze::Witness& lw, bool) {
        std::vector<int32_t> grants = {g1.index}, denies;
        if (g2.index != g1.index) grants.push_back(g2.index);
        for (const BoundRule* q : ctx) {
          if (!analyze::RuleAppliesTo(bound_, *q, lw.values, lw.as_of))
            continue;
          (q->effect == Effect::kGrant ? grants : denies).push_back(q->index);
        }
        std::sort(grants.begin(), grants.end());
        std::sort(denies.begin(), denies.end());
        std::vector<ResolvedEntitlement> ents;
        ResolveOutcome(bound_, grants, denies, &ents, nullptr);
        analyze::LeafVerdict v;
        v.kind = Holds(ents, p1) && Holds(ents, p2)
                     ? analyze::LeafVerdict::Kind::kAccept
                     : analyze::LeafVerdict::Kind::kReject;
        return v;
      };
      analyze::Search search(bound_, kCoverBudget);
      const analyze::Answer a = search.Run(d, goals, leaf, w);
      if (a == analyze::Answer::kFound) return a;
      unknown = unknown || a == analyze::Answer::kUnknown;
    }
    return unknown ? analyze::Answer::kUnknown : analyze::Answer::kNone;
  }

  void SodFindings() {
    for (const BoundSod& s : bound_.sod()) {
      if (!s.valid) continue;
      bool found = false, unknown = false;
      analyze::Witness w;
      std::string held1, held2;
      std::vector<std::string> via;
      for (const BoundSodSide::Part& p1 : s.first.parts) {
        for (const BoundSodSide::Part& p2 : s.second.parts) {
          for (const BoundRule* g1 : GrantsFor(p1)) {
            for (const BoundRule* g2 : GrantsFor(p2)) {
              const analyze::Answer a = SodPair(*g1, *g2, p1, p2, &w);
              if (a == analyze::Answer::kFound) {
                found = true;
                via = {g1->id};
                if (g2 != g1) via.push_back(g2->id);
                held1 = InstanceName(p1.instance) + ": " +
                        LevelName(p1.instance, p1.min_level);
                held2 = InstanceName(p2.instance) + ": " +
                        LevelName(p2.instance, p2.min_level);
                break;
              }
              unknown = unknown || a == analyze::Answer::kUnknown;
            }
            if (found) break;
          }
          if (found) break;
        }
        if (found) break;
      }
      if (!found && !unknown) continue;
      Finding f;
      f.code = "sod-violation";
      f.severity = found ? Severity::kError : Severity::kInfo;
      f.rules = {s.id};
      f.locations = {Loc(s.location)};
      if (found) {
        for (const std::string& id : via) {
          f.rules.push_back(id);
          f.locations.push_back(Loc(bound_.rules()[rule_index_[id]].location));
        }
        f.message = "separation of duties " + s.id +
                    (s.message.empty() ? "" : " (" + s.message + ")") +
                    ": a person can hold both " + held1 + " (or higher) and " +
                    held2 + " (or higher), through rules " + via[0] +
                    (via.size() > 1 ? " and " + via[1] : "") + AsOfNote(w);
        f.witness = WitnessPairs(w);
      } else {
        f.message = "possible separation-of-duties violation " + s.id +
                    ": the analysis could not decide whether one person can "
                    "hold both sides (docs/check.md)";
      }
      Add(std::move(f));
    }
  }

  const Policy& policy_;
  const BoundPolicy& bound_;
  const Population* hr_;
  const CheckOptions& options_;
  absl::flat_hash_map<std::string, int32_t> rule_index_;
  std::map<int32_t, std::vector<std::pair<std::string, std::string>>> witness_;
  std::vector<absl::flat_hash_set<std::string>> hr_values_;
  std::vector<bool> hr_has_;
  std::vector<Finding> findings_;
  std::vector<absl::flat_hash_map<std::string, std::string>> spelling_;
  std::vector<InstanceIndex> index_;
  std::map<int32_t, int32_t> dup_leader_;
  std::map<int32_t, std::vector<const BoundRule*>> dup_members_;
  analyze::RuleFormulas rule_formulas_{bound_};
  std::map<std::tuple<int32_t, int32_t, int>, std::unique_ptr<analyze::Formula>>
      formulas_;
};

}  // namespace

absl::StatusOr<std::vector<Finding>> Check(const Policy& policy,
                                           const Population* hr,
                                           const CheckOptions& options) {
  BindOptions bind;
  bind.strict = false;
  bind.max_rules = options.max_rules;
  auto bound = BoundPolicy::Bind(policy, hr, bind);
  if (!bound.ok()) return bound.status();
  return Checker(policy, **bound, hr, options).Run();
}

std::string FindingToJson(const Finding& f) {
  std::string out = "{\"code\":";
  AppendJsonString(&out, f.code);
  out += ",\"severity\":";
  AppendJsonString(&out, SeverityName(f.severity));
  out += ",\"rules\":";
  AppendJsonStringArray(&out, f.rules);
  out += ",\"locations\":";
  AppendJsonStringArray(&out, f.locations);
  out += ",\"message\":";
  AppendJsonString(&out, f.message);
  if (!f.witness.empty()) {
    out += ",\"witness\":{";
    for (size_t i = 0; i < f.witness.size(); ++i) {
      if (i > 0) out += ",";
      AppendJsonString(&out, f.witness[i].first);
      out += ":";
      AppendJsonString(&out, f.witness[i].second);
    }
    out += "}";
  }
  return out + "}";
}

std::string FindingsToSarif(const std::vector<Finding>& findings) {
  std::set<std::string> codes;
  for (const Finding& f : findings) codes.insert(f.code);
  std::string out =
      "{\"version\":\"2.1.0\",\"$schema\":"
      "\"https://json.schemastore.org/sarif-2.1.0.json\",\"runs\":[{\"tool\":{"
      "\"driver\":{\"name\":\"birthright\",\"informationUri\":"
      "\"https://example.invalid/birthright/docs/check.md\",\"rules\":[";
  bool first = true;
  for (const std::string& c : codes) {
    if (!first) out += ",";
    first = false;
    out += "{\"id\":";
    AppendJsonString(&out, c);
    out += ",\"shortDescription\":{\"text\":";
    AppendJsonString(&out, "birthright check: " + c);
    out += "}}";
  }
  out += "]}},\"results\":[";
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    if (i > 0) out += ",";
    out += "{\"ruleId\":";
    AppendJsonString(&out, f.code);
    out += ",\"level\":";
    AppendJsonString(&out, f.severity == Severity::kError     ? "error"
                           : f.severity == Severity::kWarning ? "warning"
                                                              : "note");
    out += ",\"message\":{\"text\":";
    AppendJsonString(&out, f.message);
    out += "},\"locations\":[";
    bool first_loc = true;
    for (const std::string& l : f.locations) {
      const size_t colon = l.rfind(':');
      if (colon == std::string::npos) continue;
      const std::optional<int64_t> line = ParseInt64(l.substr(colon + 1));
      if (!first_loc) out += ",";
      first_loc = false;
      out += "{\"physicalLocation\":{\"artifactLocation\":{\"uri\":";
      AppendJsonString(&out, l.substr(0, colon));
      out += "}";
      if (line && *line > 0)
        out += ",\"region\":{\"startLine\":" + std::to_string(*line) + "}";
      out += "}}";
    }
    out += "]}";
  }
  return out + "]}]}\n";
}

}  // namespace birthright
