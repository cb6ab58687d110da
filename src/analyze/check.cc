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
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "birthright/reference_evaluator.h"
#include "import/headers.h"
#include "util/json.h"
#include "util/text.h"

namespace birthright {
namespace {

std::string Loc(const SourceLocation& l) {
  return l.file + ":" + std::to_string(l.line);
}

// The raw text a person would carry for canonical key `k` of `a`.
std::string KeyText(const BoundAttribute& a, const Key& k) {
  switch (a.type) {
    case AttrType::kInt:
      return std::to_string(k.num);
    case AttrType::kDate:
      return FormatIsoDate(Date{static_cast<int32_t>(k.num)});
    case AttrType::kOrdinal:
      if (!a.order.empty()) {
        return k.num >= 0 && k.num < static_cast<int64_t>(a.order.size())
                   ? a.order[k.num]
                   : std::to_string(k.num);
      }
      return k.text;
    default:
      return k.text;
  }
}

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

  static void WalkExpr(const Expr& e,
                       const std::function<void(const Expr&)>& f) {
    if (e.kind == Expr::Kind::kPredicate) {
      f(e);
      return;
    }
    for (const Expr& c : e.children) WalkExpr(c, f);
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
        WalkExpr(*r.unless, [&](const Expr& e) {
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

  const Policy& policy_;
  const BoundPolicy& bound_;
  const Population* hr_;
  const CheckOptions& options_;
  absl::flat_hash_map<std::string, int32_t> rule_index_;
  std::map<int32_t, std::vector<std::pair<std::string, std::string>>> witness_;
  std::vector<absl::flat_hash_set<std::string>> hr_values_;
  std::vector<bool> hr_has_;
  std::vector<Finding> findings_;
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
