// The exact witness search behind `check`'s pair and coverage findings
// (shadowed, level-conflict, sod-violation; docs/check.md "Exactness").
//
// A question is a conjunction of formulas over three-valued literals on
// person attributes ("department is TRUE for `Sales`", "title is present
// and FALSE for `contains eng`", "grade is missing") at one fixed
// evaluation date. The search is a depth-first walk over the formulas'
// disjunctions; every time a literal is added, that attribute's literals
// are solved on the typed, alias-canonical domain the evaluator uses, and
// the branch is dropped when they have no common value. When every
// formula holds, the attribute values found are a concrete person (the
// witness) and a caller-supplied leaf decides from that person — with the
// evaluator's own predicate code — whether it answers the question.
//
// Exactness: an attribute's literals are decided exactly for equality
// lists, none-of lists, int/date/declared-ordinal intervals, and substring
// conditions whose candidates the solver can build; what it cannot decide
// (regular expressions against other patterns, natural-order ordinals
// between bounds) is "possible", which makes the whole answer kUnknown
// unless a witness is found elsewhere. A search-node budget bounds the
// work; hitting it also answers kUnknown. A kNone answer is a proof.
#ifndef BIRTHRIGHT_SRC_ANALYZE_WITNESS_SEARCH_H_
#define BIRTHRIGHT_SRC_ANALYZE_WITNESS_SEARCH_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/date.h"

namespace birthright::analyze {

enum class LitKind : uint8_t {
  kTrue,     // The predicate evaluates TRUE (so the attribute is present).
  kFalse,    // The attribute is present and the predicate is FALSE.
  kMissing,  // The attribute is missing.
  kPresent,  // The attribute is present.
};

struct Lit {
  AttrId attr = -1;
  const BoundPredicate* pred = nullptr;  // kTrue / kFalse only.
  LitKind kind = LitKind::kPresent;
};

struct Formula {
  enum class Kind : uint8_t { kConst, kLit, kAnd, kOr };
  Kind kind = Kind::kConst;
  bool value = true;  // kConst.
  Lit lit;            // kLit.
  std::vector<Formula> kids;

  static Formula Const(bool v);
  static Formula Of(Lit l);
  // Simplify constants away.
  static Formula And(std::vector<Formula> kids);
  static Formula Or(std::vector<Formula> kids);
};

// A concrete person and evaluation date.
struct Witness {
  Date as_of;
  std::vector<Value> values;  // One per attribute of the policy.
};

enum class Answer : uint8_t { kFound, kNone, kUnknown };

// Builds the applicability formulas of rules (SPEC §2, §4.1, §4.5) at a
// fixed date. Owns the synthetic date predicates it creates; formulas
// borrow them and the policy's predicates, so both must outlive them.
class RuleFormulas {
 public:
  explicit RuleFormulas(const BoundPolicy& policy) : policy_(policy) {}
  RuleFormulas(const RuleFormulas&) = delete;
  RuleFormulas& operator=(const RuleFormulas&) = delete;

  // The rule applies at `d`: a grant's condition is TRUE and its `unless`
  // FALSE; a deny's condition is TRUE or UNKNOWN and its `unless` not
  // TRUE; the window contains `d` and the rule has not expired. With
  // `with_unless` false the `unless` is ignored.
  Formula Applies(const BoundRule& r, Date d, bool with_unless = true);
  Formula NotApplies(const BoundRule& r, Date d);

  // `attr < days` (present), as a literal.
  Formula DateBelow(AttrId attr, int64_t days);
  Formula DateAbove(AttrId attr, int64_t days);

 private:
  const BoundPredicate* DatePred(AttrId attr, PredicateOp op, int64_t days);
  const BoundPolicy& policy_;
  std::deque<BoundPredicate> owned_;
  std::map<std::tuple<AttrId, int, int64_t>, const BoundPredicate*> cache_;
};

// Dates at which the applicability of `rules` can differ: `preferred`
// first, then one date in every interval between the rules' window,
// expiry and expiry-attribute boundaries.
std::vector<Date> RepresentativeDates(
    const BoundPolicy& policy, const std::vector<const BoundRule*>& rules,
    Date preferred);

// What a leaf decides about the person it is shown.
struct LeafVerdict {
  enum class Kind : uint8_t { kAccept, kReject, kRefine };
  Kind kind = Kind::kReject;
  // kRefine: keep searching in the same region with this formula added
  // (the leaf is then called again with refined = true).
  Formula refine;
  bool uncertain = false;  // kReject that is not a proof.
};
using LeafFn = std::function<LeafVerdict(const Witness&, bool refined)>;

class Search {
 public:
  Search(const BoundPolicy& policy, int64_t budget)
      : policy_(policy), budget_(budget) {}

  // Searches for a person satisfying every goal at `d` whom `leaf`
  // accepts (no leaf = accept). kFound fills `out`.
  Answer Run(Date d, const std::vector<const Formula*>& goals,
             const LeafFn& leaf, Witness* out);

 private:
  struct AttrLits {
    std::vector<Lit> lits;
  };
  bool Dfs(std::vector<const Formula*>* agenda, bool refined);
  bool AttrOk(AttrId a);
  bool MakeWitness();

  const BoundPolicy& policy_;
  int64_t budget_;
  int64_t nodes_ = 0;
  bool uncertain_ = false;
  const LeafFn* leaf_ = nullptr;
  Date date_;
  std::vector<AttrLits> attrs_;
  std::vector<AttrId> touched_;
  Witness witness_;
  std::deque<Formula> refinements_;
};

// Whether `r` applies to the person `values` at `d` — the evaluator's rule
// (reference_evaluator.cc), on typed values.
bool RuleAppliesTo(const BoundPolicy& policy, const BoundRule& r,
                   const std::vector<Value>& values, Date d);

// The text a person would carry for `v` of attribute `a` ("" = missing).
std::string ValueText(const BoundAttribute& a, const Value& v);

// The raw text a person would carry for canonical key `k` of `a`.
std::string KeyText(const BoundAttribute& a, const Key& k);

}  // namespace birthright::analyze

#endif  // BIRTHRIGHT_SRC_ANALYZE_WITNESS_SEARCH_H_
