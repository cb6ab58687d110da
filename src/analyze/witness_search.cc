// See witness_search.h.
#include "analyze/witness_search.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/text.h"

namespace birthright::analyze {
namespace {

// Strings a regular expression may match, built from a common subset of
// RE2 syntax (literals, groups, alternation, classes, escapes,
// quantifiers): candidates only — every one is checked with RE2 by the
// caller. Variant `k` picks alternative k (mod count) in each group.
class RegexSampler {
 public:
  RegexSampler(std::string_view pattern, int k) : p_(pattern), k_(k) {}

  bool Sample(std::string* out) {
    ok_ = true;
    *out = Alternation();
    return ok_ && pos_ == p_.size();
  }

 private:
  std::string Alternation() {
    std::vector<std::string> alts = {Sequence()};
    while (pos_ < p_.size() && p_[pos_] == '|') {
      ++pos_;
      alts.push_back(Sequence());
    }
    return alts[static_cast<size_t>(k_) % alts.size()];
  }

  std::string Sequence() {
    std::string out;
    while (ok_ && pos_ < p_.size() && p_[pos_] != '|' && p_[pos_] != ')') {
      std::string atom = Atom();
      int times = 1;
      if (pos_ < p_.size()) {
        const char q = p_[pos_];
        if (q == '?' || q == '*') {
          times = 0;
          ++pos_;
        } else if (q == '+') {
          ++pos_;
        } else if (q == '{') {
          const size_t close = p_.find('}', pos_);
          if (close == std::string_view::npos) {
            ok_ = false;
            break;
          }
          times = std::atoi(std::string(p_.substr(pos_ + 1)).c_str());
          if (times > 64) times = 64;
          pos_ = close + 1;
        }
        if (pos_ < p_.size() && p_[pos_] == '?') ++pos_;  // Lazy.
      }
      for (int i = 0; i < times; ++i) out += atom;
    }
    return out;
  }

  std::string Atom() {
    const char c = p_[pos_++];
    switch (c) {
      case '^':
      case '$':
        return "";
      case '.':
        return "a";
      case '(': {
        if (p_.substr(pos_).starts_with("?:")) {
          pos_ += 2;
        } else if (pos_ < p_.size() && p_[pos_] == '?') {
          // Flags like (?i) or (?i:...).
          while (pos_ < p_.size() && p_[pos_] != ')' && p_[pos_] != ':') ++pos_;
          if (pos_ < p_.size() && p_[pos_] == ')') {
            ++pos_;
            return "";
          }
          ++pos_;
        }
        if (++depth_ > kMaxDepth) {  // Bounded recursion on hostile input.
          ok_ = false;
          return "";
        }
        std::string inner = Alternation();
        --depth_;
        if (pos_ >= p_.size() || p_[pos_] != ')') {
          ok_ = false;
          return "";
        }
        ++pos_;
        return inner;
      }
      case '[': {
        bool negated = false;
        if (pos_ < p_.size() && p_[pos_] == '^') {
          negated = true;
          ++pos_;
        }
        std::string members;
        bool first = true;
        while (pos_ < p_.size() && (p_[pos_] != ']' || first)) {
          first = false;
          if (p_[pos_] == '\\' && pos_ + 1 < p_.size()) {
            members += Escape(p_[pos_ + 1]);
            pos_ += 2;
          } else {
            members += p_[pos_++];
          }
        }
        if (pos_ >= p_.size()) {
          ok_ = false;
          return "";
        }
        ++pos_;
        if (!negated) return members.empty() ? "" : members.substr(0, 1);
        for (char x : std::string_view("qzx0 _")) {
          if (members.find(x) == std::string::npos) return std::string(1, x);
        }
        ok_ = false;
        return "";
      }
      case '\\': {
        if (pos_ >= p_.size()) {
          ok_ = false;
          return "";
        }
        const char e = p_[pos_++];
        if (e == 'b' || e == 'B' || e == 'A' || e == 'z') return "";
        return Escape(e);
      }
      default:
        return std::string(1, c);
    }
  }

  static std::string Escape(char e) {
    switch (e) {
      case 'd':
        return "0";
      case 'w':
        return "a";
      case 's':
        return " ";
      case 'D':
      case 'W':
      case 'S':
        return "-";
      default:
        return std::string(1, e);
    }
  }

  static constexpr int kMaxDepth = 64;
  std::string_view p_;
  int k_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool ok_ = true;
};

// Per-attribute solving: is there one value (or none) meeting every literal?
enum class Sat : uint8_t { kSat, kUnsat, kPossible };

struct AttrSolution {
  Sat sat = Sat::kSat;
  Value value;  // When kSat.
};

using Preds = std::vector<const BoundPredicate*>;

class AttrSolver {
 public:
  AttrSolver(const BoundPolicy& policy, AttrId id)
      : policy_(policy), id_(id), a_(policy.attributes()[id]) {}

  AttrSolution Solve(const std::vector<Lit>& lits) {
    bool missing = false, present = false;
    Preds pos, neg;
    for (const Lit& l : lits) {
      switch (l.kind) {
        case LitKind::kMissing:
          missing = true;
          break;
        case LitKind::kPresent:
          present = true;
          break;
        case LitKind::kTrue:
          present = true;
          pos.push_back(l.pred);
          break;
        case LitKind::kFalse:
          present = true;
          neg.push_back(l.pred);
          break;
      }
    }
    AttrSolution out;
    if (missing && present) {
      out.sat = Sat::kUnsat;
      return out;
    }
    if (!present) return out;  // Missing: value.present = false.
    if (a_.type == AttrType::kSet) {
      // On a set, "none-of is FALSE" means some member is in the list: a
      // positive any-of for one member. Every other negation is checked
      // member by member.
      Preds rest;
      for (const BoundPredicate* p : neg) {
        if (p->op == PredicateOp::kNoneOf) {
          pos.push_back(Own(PredicateOp::kAnyOf, p->keys));
        } else {
          rest.push_back(p);
        }
      }
      return SolveSet(pos, rest);
    }
    Key k;
    const Sat s = SolveScalar(pos, neg, &k);
    out.sat = s;
    if (s == Sat::kSat) {
      out.value.present = true;
      out.value.scalar = k;
    }
    return out;
  }

 private:
  const BoundPredicate* Own(PredicateOp op, std::vector<Key> keys) {
    BoundPredicate p;
    p.attr = id_;
    p.op = op;
    p.keys = std::move(keys);
    owned_.push_back(std::move(p));
    return &owned_.back();
  }

  bool Holds(const Preds& pos, const Preds& neg, const Key& k) const {
    Value v;
    v.present = true;
    if (a_.type == AttrType::kSet) {
      v.members = {k.text};
    } else {
      v.scalar = k;
    }
    for (const BoundPredicate* p : pos) {
      if (Eval(*p, v) != Tri::kTrue) return false;
    }
    for (const BoundPredicate* p : neg) {
      if (Eval(*p, v) != Tri::kFalse) return false;
    }
    return true;
  }

  Tri Eval(const BoundPredicate& p, const Value& v) const {
    return policy_.EvalPredicate(p, v);
  }

  // Sets (SPEC §2): every member must meet the none-of lists and the
  // negated patterns; each other positive predicate needs some member.
  AttrSolution SolveSet(const Preds& pos, const Preds& neg) {
    Preds all_pos, some;
    for (const BoundPredicate* p : pos) {
      (p->op == PredicateOp::kNoneOf ? all_pos : some).push_back(p);
    }
    AttrSolution out;
    std::set<std::string> members;
    if (some.empty()) {
      Key k;
      out.sat = SolveScalar(all_pos, neg, &k);
      if (out.sat == Sat::kSat) members.insert(k.text);
    }
    for (const BoundPredicate* p : some) {
      Preds one = all_pos;
      one.push_back(p);
      Key k;
      const Sat s = SolveScalar(one, neg, &k);
      if (s != Sat::kSat) {
        out.sat = s;
        return out;
      }
      members.insert(k.text);
    }
    if (out.sat == Sat::kSat) {
      out.value.present = true;
      out.value.members.assign(members.begin(), members.end());
    }
    return out;
  }

  Sat SolveScalar(const Preds& pos, const Preds& neg, Key* k) {
    // A finite candidate list: a positive any-of, or a none-of that must be
    // FALSE (the value is one of its keys). Negated predicates are checked
    // by Holds(): on a present value each is two-valued, so "FALSE" is
    // exactly the complement.
    const BoundPredicate* any = nullptr;
    for (const BoundPredicate* p : pos) {
      if (p->op == PredicateOp::kAnyOf &&
          (any == nullptr || p->keys.size() < any->keys.size()))
        any = p;
    }
    for (const BoundPredicate* p : neg) {
      if (p->op == PredicateOp::kNoneOf &&
          (any == nullptr || p->keys.size() < any->keys.size()))
        any = p;
    }
    if (any != nullptr) {
      for (const Key& c : any->keys) {
        if (Holds(pos, neg, c)) {
          *k = c;
          return Sat::kSat;
        }
      }
      return Sat::kUnsat;
    }
    if (a_.numeric()) return SolveNumeric(pos, neg, k);
    return SolveText(pos, neg, k);
  }

  Sat SolveNumeric(const Preds& pos, const Preds& neg, Key* k) {
    int64_t lo, hi;
    if (a_.type == AttrType::kOrdinal) {
      lo = 0;
      hi = static_cast<int64_t>(a_.order.size()) - 1;
    } else if (a_.type == AttrType::kDate) {
      lo = ParseIsoDate("0001-01-01")->days;
      hi = ParseIsoDate("9999-12-31")->days;
    } else {
      lo = std::numeric_limits<int64_t>::min() / 4;
      hi = std::numeric_limits<int64_t>::max() / 4;
    }
    // Forbidden intervals: none-of values and negated ranges.
    std::vector<std::pair<int64_t, int64_t>> forbidden;
    for (const BoundPredicate* p : pos) {
      const int64_t x = p->keys.empty() ? 0 : p->keys[0].num;
      switch (p->op) {
        case PredicateOp::kLess:
          hi = std::min(hi, x - 1);
          break;
        case PredicateOp::kLessEq:
          hi = std::min(hi, x);
          break;
        case PredicateOp::kGreater:
          lo = std::max(lo, x + 1);
          break;
        case PredicateOp::kGreaterEq:
          lo = std::max(lo, x);
          break;
        case PredicateOp::kRange:
          lo = std::max(lo, p->keys[0].num);
          hi = std::min(hi, p->keys[1].num);
          break;
        case PredicateOp::kNoneOf:
          for (const Key& key : p->keys)
            forbidden.push_back({key.num, key.num});
          break;
        default:
          break;
      }
    }
    for (const BoundPredicate* p : neg) {
      const int64_t x = p->keys.empty() ? 0 : p->keys[0].num;
      switch (p->op) {
        case PredicateOp::kLess:  // NOT < x: >= x.
          lo = std::max(lo, x);
          break;
        case PredicateOp::kLessEq:
          lo = std::max(lo, x + 1);
          break;
        case PredicateOp::kGreater:
          hi = std::min(hi, x);
          break;
        case PredicateOp::kGreaterEq:
          hi = std::min(hi, x - 1);
          break;
        case PredicateOp::kRange:
          if (p->keys[0].num <= p->keys[1].num)
            forbidden.push_back({p->keys[0].num, p->keys[1].num});
          break;
        case PredicateOp::kAnyOf:
          for (const Key& key : p->keys)
            forbidden.push_back({key.num, key.num});
          break;
        default:
          break;
      }
    }
    std::sort(forbidden.begin(), forbidden.end());
    // Prefer a value near 0 / the low end: walk up from lo, jumping over
    // forbidden intervals (each at most once).
    // Start at a natural value (0; 2026-01-01) when the bounds allow it, so
    // witnesses read well; walk up, then from `lo` if that runs out.
    int64_t x = lo;
    const int64_t natural =
        a_.type == AttrType::kInt
            ? 0
            : (a_.type == AttrType::kDate ? ParseIsoDate("2026-01-01")->days
                                          : lo);
    if (lo <= natural && natural <= hi) x = natural;
    const bool from_natural = x != lo;
    bool moved = true;
    while (moved && x <= hi) {
      moved = false;
      for (const auto& [f_lo, f_hi] : forbidden) {
        if (x >= f_lo && x <= f_hi) {
          x = f_hi + 1;
          moved = true;
        }
      }
    }
    if (x > hi) {
      if (from_natural) {
        // Started at 0: also try below it.
        x = lo;
        moved = true;
        while (moved && x <= hi) {
          moved = false;
          for (const auto& [f_lo, f_hi] : forbidden) {
            if (x >= f_lo && x <= f_hi) {
              x = f_hi + 1;
              moved = true;
            }
          }
        }
        if (x > hi) return Sat::kUnsat;
      } else {
        return Sat::kUnsat;
      }
    }
    if (!Holds(pos, neg, Key{x, ""})) return Sat::kPossible;
    *k = Key{x, ""};
    return Sat::kSat;
  }

  std::string Norm(const std::string& s) const {
    std::string n = NormalizeValue(s, a_.case_sensitive);
    if (a_.type == AttrType::kOrdinal && !a_.case_sensitive)
      n = AsciiLowercase(n);
    return n;
  }

  Sat SolveText(const Preds& pos, const Preds& neg, Key* k) {
    std::vector<std::string> starts, ends, contains, bounds, samples;
    size_t excluded = 0;
    for (const BoundPredicate* p : pos) {
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
        case PredicateOp::kNoneOf:
          excluded += p->keys.size();
          break;
        case PredicateOp::kLess:
        case PredicateOp::kLessEq:
        case PredicateOp::kGreater:
        case PredicateOp::kGreaterEq:
        case PredicateOp::kRange:
          for (const Key& key : p->keys) bounds.push_back(key.text);
          break;
        case PredicateOp::kRegex:
          for (int k = 0; k < 8; ++k) {
            std::string sample;
            if (RegexSampler(policy_.regex_pattern(p->regex), k)
                    .Sample(&sample))
              samples.push_back(sample);
          }
          break;
        default:
          break;
      }
    }
    for (const BoundPredicate* p : neg) {
      switch (p->op) {
        case PredicateOp::kAnyOf:
          excluded += p->keys.size();
          break;
        case PredicateOp::kLess:
        case PredicateOp::kLessEq:
        case PredicateOp::kGreater:
        case PredicateOp::kGreaterEq:
        case PredicateOp::kRange:
          for (const Key& key : p->keys) bounds.push_back(key.text);
          break;
        default:
          ++excluded;
      }
    }
    auto longest = [](const std::vector<std::string>& v) {
      std::string best;
      for (const std::string& s : v)
        if (s.size() > best.size()) best = s;
      return best;
    };
    const std::string prefix = longest(starts), suffix = longest(ends);
    for (const std::string& s : starts) {
      if (!std::string_view(prefix).starts_with(s)) return Sat::kUnsat;
    }
    for (const std::string& s : ends) {
      if (!std::string_view(suffix).ends_with(s)) return Sat::kUnsat;
    }
    // A negated substring that a required piece contains is a proof.
    for (const BoundPredicate* p : neg) {
      if (p->needle.empty() && p->op != PredicateOp::kRegex) continue;
      if (p->op == PredicateOp::kContains) {
        for (const std::string& c : contains)
          if (c.find(p->needle) != std::string::npos) return Sat::kUnsat;
        if (prefix.find(p->needle) != std::string::npos ||
            suffix.find(p->needle) != std::string::npos)
          return Sat::kUnsat;
      } else if (p->op == PredicateOp::kStartsWith) {
        if (std::string_view(prefix).starts_with(p->needle)) return Sat::kUnsat;
      } else if (p->op == PredicateOp::kEndsWith) {
        if (std::string_view(suffix).ends_with(p->needle)) return Sat::kUnsat;
      }
    }
    // Candidates, tried as they are built (the first usually holds): the
    // pieces laid end to end with fillers enough to escape every excluded
    // value, then values around the bounds and regex samples.
    auto attempt = [&](const std::string& c) {
      std::string n = Norm(c);
      if (n.empty()) return false;
      Key key{0, std::move(n)};
      if (!Holds(pos, neg, key)) return false;
      *k = std::move(key);
      return true;
    };
    for (size_t i = 0; i <= excluded + 2; ++i) {
      const std::string f =
          i == 0 ? " " : (i == 1 ? "" : " zq" + std::to_string(i - 2) + " ");
      if (attempt(prefix + f + "x" + f + suffix)) return Sat::kSat;
      std::string s = prefix;
      for (const std::string& c : contains) s += f + c;
      if (attempt(s + f + suffix)) return Sat::kSat;
    }
    if (attempt(prefix + suffix)) return Sat::kSat;
    for (const std::string& b : bounds) {
      if (attempt(b) || attempt(b + "5") || attempt(b + ".5")) return Sat::kSat;
    }
    for (const std::string& r : samples) {
      if (attempt(r) || attempt(prefix + r + suffix)) return Sat::kSat;
    }
    if (attempt("0") || attempt("a")) return Sat::kSat;
    // Every condition was a substring (with none-of lists); the candidates
    // above escape each of those, so this branch holds regexes or natural
    // ordinal bounds: undecided.
    return Sat::kPossible;
  }

  const BoundPolicy& policy_;
  AttrId id_;
  const BoundAttribute& a_;
  std::deque<BoundPredicate> owned_;
};

// T, F, not-T and not-F of one predicate (SPEC §2 three-valued logic).
Formula T(const BoundPredicate& p) {
  if (p.op == PredicateOp::kExists)
    return Formula::Of(Lit{p.attr, nullptr, LitKind::kPresent});
  if (p.op == PredicateOp::kMissing)
    return Formula::Of(Lit{p.attr, nullptr, LitKind::kMissing});
  return Formula::Of(Lit{p.attr, &p, LitKind::kTrue});
}
Formula F(const BoundPredicate& p) {
  if (p.op == PredicateOp::kExists)
    return Formula::Of(Lit{p.attr, nullptr, LitKind::kMissing});
  if (p.op == PredicateOp::kMissing)
    return Formula::Of(Lit{p.attr, nullptr, LitKind::kPresent});
  return Formula::Of(Lit{p.attr, &p, LitKind::kFalse});
}
Formula NotT(const BoundPredicate& p) {
  if (p.op == PredicateOp::kExists || p.op == PredicateOp::kMissing)
    return F(p);
  return Formula::Or(
      {F(p), Formula::Of(Lit{p.attr, nullptr, LitKind::kMissing})});
}
Formula NotF(const BoundPredicate& p) {
  if (p.op == PredicateOp::kExists || p.op == PredicateOp::kMissing)
    return T(p);
  return Formula::Or(
      {T(p), Formula::Of(Lit{p.attr, nullptr, LitKind::kMissing})});
}

enum class Want : uint8_t { kT, kF, kNotT, kNotF };

Formula ExprFormula(const BoundExpr& e, Want w) {
  switch (e.kind) {
    case Expr::Kind::kPredicate:
      switch (w) {
        case Want::kT:
          return T(e.predicate);
        case Want::kF:
          return F(e.predicate);
        case Want::kNotT:
          return NotT(e.predicate);
        case Want::kNotF:
          return NotF(e.predicate);
      }
      break;
    case Expr::Kind::kNot: {
      const Want flip = w == Want::kT      ? Want::kF
                        : w == Want::kF    ? Want::kT
                        : w == Want::kNotT ? Want::kNotF
                                           : Want::kNotT;
      return ExprFormula(e.children[0], flip);
    }
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      // T(and) = all T; F(and) = some F; notT(and) = some notT;
      // notF(and) = all notF; dually for or.
      const bool is_and = e.kind == Expr::Kind::kAnd;
      const bool all = (w == Want::kT || w == Want::kNotF) == is_and;
      std::vector<Formula> kids;
      for (const BoundExpr& c : e.children) kids.push_back(ExprFormula(c, w));
      return all ? Formula::And(std::move(kids)) : Formula::Or(std::move(kids));
    }
  }
  return Formula::Const(false);
}

}  // namespace

Formula Formula::Const(bool v) {
  Formula f;
  f.kind = Kind::kConst;
  f.value = v;
  return f;
}

Formula Formula::Of(Lit l) {
  Formula f;
  f.kind = Kind::kLit;
  f.lit = l;
  return f;
}

Formula Formula::And(std::vector<Formula> kids) {
  Formula f;
  f.kind = Kind::kAnd;
  for (Formula& k : kids) {
    if (k.kind == Kind::kConst) {
      if (!k.value) return Const(false);
      continue;
    }
    f.kids.push_back(std::move(k));
  }
  if (f.kids.empty()) return Const(true);
  if (f.kids.size() == 1) return std::move(f.kids[0]);
  return f;
}

Formula Formula::Or(std::vector<Formula> kids) {
  Formula f;
  f.kind = Kind::kOr;
  for (Formula& k : kids) {
    if (k.kind == Kind::kConst) {
      if (k.value) return Const(true);
      continue;
    }
    f.kids.push_back(std::move(k));
  }
  if (f.kids.empty()) return Const(false);
  if (f.kids.size() == 1) return std::move(f.kids[0]);
  return f;
}

const BoundPredicate* RuleFormulas::DatePred(AttrId attr, PredicateOp op,
                                             int64_t days) {
  auto key = std::make_tuple(attr, static_cast<int>(op), days);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  BoundPredicate p;
  p.attr = attr;
  p.op = op;
  p.keys = {Key{days, ""}};
  owned_.push_back(std::move(p));
  cache_.emplace(key, &owned_.back());
  return &owned_.back();
}

Formula RuleFormulas::DateBelow(AttrId attr, int64_t days) {
  return T(*DatePred(attr, PredicateOp::kLess, days));
}
Formula RuleFormulas::DateAbove(AttrId attr, int64_t days) {
  return T(*DatePred(attr, PredicateOp::kGreater, days));
}

namespace {
bool InTime(const BoundRule& r, Date d) {
  if (r.effective_from && d < *r.effective_from) return false;
  if (r.effective_until && d > *r.effective_until) return false;
  if (r.expiry_kind == Expiry::Kind::kDate && d > r.expiry_date) return false;
  return true;
}
}  // namespace

Formula RuleFormulas::Applies(const BoundRule& r, Date d, bool with_unless) {
  if (!InTime(r, d)) return Formula::Const(false);
  const bool grant = r.effect == Effect::kGrant;
  std::vector<Formula> parts;
  for (const BoundPredicate& p : r.conditions)
    parts.push_back(grant ? T(p) : NotF(p));
  if (r.expiry_kind == Expiry::Kind::kAttribute && r.expiry_attr >= 0) {
    const BoundPredicate& ge =
        *DatePred(r.expiry_attr, PredicateOp::kGreaterEq, d.days);
    parts.push_back(grant ? T(ge) : NotF(ge));
  }
  if (with_unless && r.unless)
    parts.push_back(ExprFormula(*r.unless, grant ? Want::kF : Want::kNotT));
  return Formula::And(std::move(parts));
}

Formula RuleFormulas::NotApplies(const BoundRule& r, Date d) {
  if (!InTime(r, d)) return Formula::Const(true);
  const bool grant = r.effect == Effect::kGrant;
  std::vector<Formula> parts;
  // Grants: withheld by a missing attribute first (the cheapest way out).
  for (const BoundPredicate& p : r.conditions)
    parts.push_back(grant ? NotT(p) : F(p));
  if (r.expiry_kind == Expiry::Kind::kAttribute && r.expiry_attr >= 0) {
    const BoundPredicate& ge =
        *DatePred(r.expiry_attr, PredicateOp::kGreaterEq, d.days);
    parts.push_back(grant ? NotT(ge) : F(ge));
  }
  if (r.unless)
    parts.push_back(ExprFormula(*r.unless, grant ? Want::kNotF : Want::kT));
  return Formula::Or(std::move(parts));
}

std::vector<Date> RepresentativeDates(
    const BoundPolicy& policy, const std::vector<const BoundRule*>& rules,
    Date preferred) {
  bool timeless = true;
  for (const BoundRule* r : rules) {
    timeless = timeless && !r->effective_from && !r->effective_until &&
               r->expiry_kind == Expiry::Kind::kNever;
  }
  if (timeless) return {preferred};
  std::set<int32_t> points;
  std::set<AttrId> expiry_attrs;
  for (const BoundRule* r : rules) {
    if (r->effective_from) points.insert(r->effective_from->days);
    if (r->effective_until) points.insert(r->effective_until->days + 1);
    if (r->expiry_kind == Expiry::Kind::kDate)
      points.insert(r->expiry_date.days + 1);
    if (r->expiry_kind == Expiry::Kind::kAttribute)
      expiry_attrs.insert(r->expiry_attr);
  }
  // Conditions on an expiry attribute compare it with literals while its
  // expiry compares it with the date: those literals are boundaries too.
  if (!expiry_attrs.empty()) {
    for (const BoundRule* r : rules) {
      for (const BoundPredicate& p : r->conditions) {
        if (!expiry_attrs.count(p.attr)) continue;
        for (const Key& k : p.keys) {
          points.insert(static_cast<int32_t>(k.num));
          points.insert(static_cast<int32_t>(k.num + 1));
        }
      }
    }
  }
  std::vector<Date> out = {preferred};
  if (!points.empty()) out.push_back(Date{*points.begin() - 1});
  for (int32_t p : points) out.push_back(Date{p});
  std::vector<Date> unique;
  std::set<int32_t> seen;
  for (Date d : out) {
    if (seen.insert(d.days).second) unique.push_back(d);
  }
  (void)policy;
  return unique;
}

bool Search::AttrOk(AttrId a) {
  AttrSolver s(policy_, static_cast<AttrId>(a));
  const AttrSolution sol = s.Solve(attrs_[a].lits);
  if (sol.sat == Sat::kPossible) uncertain_ = true;
  return sol.sat == Sat::kSat;
}

bool Search::MakeWitness() {
  witness_.as_of = date_;
  witness_.values.assign(policy_.attributes().size(), Value{});
  for (size_t a = 0; a < attrs_.size(); ++a) {
    if (attrs_[a].lits.empty()) continue;
    AttrSolver s(policy_, static_cast<AttrId>(a));
    AttrSolution sol = s.Solve(attrs_[a].lits);
    if (sol.sat != Sat::kSat) return false;
    witness_.values[a] = std::move(sol.value);
  }
  return true;
}

bool Search::Dfs(std::vector<const Formula*>* agenda, bool refined) {
  if (++nodes_ > budget_) {
    uncertain_ = true;
    return false;
  }
  if (agenda->empty()) {
    if (!MakeWitness()) return false;
    if (leaf_ == nullptr || !*leaf_) return true;
    LeafVerdict v = (*leaf_)(witness_, refined);
    if (v.uncertain) uncertain_ = true;
    if (v.kind == LeafVerdict::Kind::kAccept) return true;
    if (v.kind == LeafVerdict::Kind::kReject) return false;
    if (refined) {  // A leaf refines once per region.
      uncertain_ = true;
      return false;
    }
    refinements_.push_back(std::move(v.refine));
    agenda->push_back(&refinements_.back());
    const bool r = Dfs(agenda, true);
    agenda->pop_back();
    return r;
  }
  const Formula* f = agenda->back();
  agenda->pop_back();
  bool r = false;
  switch (f->kind) {
    case Formula::Kind::kConst:
      r = f->value && Dfs(agenda, refined);
      break;
    case Formula::Kind::kLit: {
      const AttrId a = f->lit.attr;
      attrs_[a].lits.push_back(f->lit);
      if (AttrOk(a)) r = Dfs(agenda, refined);
      attrs_[a].lits.pop_back();
      break;
    }
    case Formula::Kind::kAnd:
      for (auto it = f->kids.rbegin(); it != f->kids.rend(); ++it)
        agenda->push_back(&*it);
      r = Dfs(agenda, refined);
      agenda->resize(agenda->size() - f->kids.size());
      break;
    case Formula::Kind::kOr:
      for (const Formula& k : f->kids) {
        agenda->push_back(&k);
        r = Dfs(agenda, refined);
        agenda->pop_back();
        if (r || nodes_ > budget_) break;
      }
      break;
  }
  agenda->push_back(f);
  return r;
}

Answer Search::Run(Date d, const std::vector<const Formula*>& goals,
                   const LeafFn& leaf, Witness* out) {
  date_ = d;
  nodes_ = 0;
  uncertain_ = false;
  attrs_.assign(policy_.attributes().size(), AttrLits{});
  refinements_.clear();
  leaf_ = &leaf;
  std::vector<const Formula*> agenda(goals.rbegin(), goals.rend());
  const bool found = Dfs(&agenda, false);
  leaf_ = nullptr;
  if (found) {
    if (out != nullptr) *out = witness_;
    return Answer::kFound;
  }
  return uncertain_ ? Answer::kUnknown : Answer::kNone;
}

bool RuleAppliesTo(const BoundPolicy& policy, const BoundRule& r,
                   const std::vector<Value>& values, Date d) {
  if (!InTime(r, d)) return false;
  Tri cond = Tri::kTrue;
  for (const BoundPredicate& p : r.conditions)
    cond = TriAnd(cond, policy.EvalPredicate(p, values[p.attr]));
  if (r.expiry_kind == Expiry::Kind::kAttribute) {
    const Value& v = values[r.expiry_attr];
    cond = TriAnd(
        cond, !v.present ? Tri::kUnknown
                         : (v.scalar.num >= d.days ? Tri::kTrue : Tri::kFalse));
  }
  std::function<Tri(const BoundExpr&)> eval = [&](const BoundExpr& e) -> Tri {
    switch (e.kind) {
      case Expr::Kind::kPredicate:
        return policy.EvalPredicate(e.predicate, values[e.predicate.attr]);
      case Expr::Kind::kNot:
        return TriNot(eval(e.children[0]));
      case Expr::Kind::kAnd:
      case Expr::Kind::kOr: {
        const bool is_and = e.kind == Expr::Kind::kAnd;
        Tri acc = is_and ? Tri::kTrue : Tri::kFalse;
        for (const BoundExpr& c : e.children)
          acc = is_and ? TriAnd(acc, eval(c)) : TriOr(acc, eval(c));
        return acc;
      }
    }
    return Tri::kUnknown;
  };
  const Tri unless = r.unless ? eval(*r.unless) : Tri::kFalse;
  if (r.effect == Effect::kGrant)
    return cond == Tri::kTrue && unless == Tri::kFalse;
  return cond != Tri::kFalse && unless != Tri::kTrue;
}

std::string ValueText(const BoundAttribute& a, const Value& v) {
  if (!v.present) return "";
  if (a.type == AttrType::kSet) {
    std::string out;
    for (const std::string& m : v.members) out += (out.empty() ? "" : "; ") + m;
    return out;
  }
  return KeyText(a, v.scalar);
}

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

}  // namespace birthright::analyze
