// The flat layout of a compiled policy (CompiledPolicy::Impl): variables,
// per-app DAG nodes, edges and leaves in contiguous arrays with integer ids.
// This is the form the snapshot format serializes.
#ifndef BIRTHRIGHT_SRC_COMPILE_DAG_H_
#define BIRTHRIGHT_SRC_COMPILE_DAG_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "re2/set.h"
#include "util/string_index.h"

namespace birthright {

// What a variable reads and how its classes are numbered. Class 0 is always
// "missing" (absent, empty or unparseable), even where it cannot occur.
enum class VarKind : uint8_t {
  kScalar,    // Non-set attribute: 1 = other, 2+i = literal i (strings), or
              // interval positions (ordered types): 1 + position.
  kPattern,   // Substring/regex on a string attribute: 1 false, 2 true.
  kSetPred,   // A predicate on a set attribute: 1 false, 2 true.
  kPresence,  // Set attribute presence: 1 present.
  kExpiry,    // Date attribute vs as_of: 1 before as_of, 2 on or after.
  kAsOf,      // The evaluation date: 1 + interval position among points.
};

struct Var {
  VarKind kind = VarKind::kScalar;
  AttrId attr = -1;
  int32_t num_classes = 0;
  // kScalar on strings: canonical literal -> class.
  StringIndex literal_class;
  std::vector<std::string> literals;  // For DOT labels, class 2+i.
  // kScalar on ordered types and kAsOf: sorted distinct points.
  std::vector<Key> points;
  int32_t pattern_bit = -1;  // kPattern: index in the attribute's RE2::Set.
  BoundPredicate predicate;  // kSetPred.
};

// The class of `k` for an ordered variable (kScalar on ordered types, kAsOf)
// with sorted distinct `points`: 1 + 2i for the interval below points[i],
// 2 + 2i for points[i] itself, 1 + 2n above them all. `attr` orders the
// keys; null orders by `num` (dates, as_of), as do numeric attributes.
inline int32_t OrderedClass(const BoundAttribute* attr,
                            const std::vector<Key>& points, const Key& k) {
  auto find = [&](auto less) {
    auto it = std::lower_bound(points.begin(), points.end(), k, less);
    const int32_t i = static_cast<int32_t>(it - points.begin());
    const bool equal = it != points.end() && !less(k, *it);
    return 1 + (equal ? 2 * i + 1 : 2 * i);
  };
  if (attr == nullptr || attr->numeric()) {
    // Inline: this is on the evaluation path (grades, dates).
    return find([](const Key& x, const Key& y) { return x.num < y.num; });
  }
  return find(
      [attr](const Key& x, const Key& y) { return attr->Compare(x, y) < 0; });
}

// Per-attribute input processing, run once per evaluation.
struct AttrInput {
  AttrId attr = -1;
  int32_t scalar_var = -1;
  int32_t presence_var = -1;
  int32_t expiry_var = -1;
  std::vector<int32_t> pattern_vars;  // By RE2::Set pattern index.
  std::vector<int32_t> set_vars;
  std::unique_ptr<re2::RE2::Set> patterns;
  std::vector<std::string> pattern_text;  // In RE2::Set order (snapshots).
  // The pattern bits matching the interned literal of scalar class c are
  // literal_match[literal_match_begin[c] .. literal_match_begin[c + 1]), so
  // a known value skips RE2. Built by PrepareEvaluation after a compile (or
  // a snapshot older than format 5); format 5 on stores them.
  std::vector<uint32_t> literal_match_begin;
  std::vector<int32_t> literal_match;
  // A declared ordinal with a scalar variable: each value of its order
  // (normalized) -> its scalar class, so a grade costs one lookup. Built by
  // PrepareEvaluation.
  StringIndex ordinal_class;
};

// The DAG code: every node of every app packed into one array of 32-bit
// words. A child reference is a node's offset in that array, or a leaf id
// with kLeafBit set. Nodes are laid out depth-first in post-order, so a
// node's children come before it (offsets only go down on a walk: the DAG
// is acyclic by construction, which the snapshot validator checks) and a
// node sits next to the subtree it was reached from.
//
// Word 0 is `var << 1 | sparse`, word 1 the edge count, then:
//   dense  (count = the variable's number of classes): the child of class c
//          at word 2 + c — one load per step;
//   sparse (count = k, a multiple of 4): word 2 the default child, words
//          3 .. 3+k the exception classes in ascending order, words
//          3+k .. 3+2k their children. The exceptions are padded to a
//          multiple of 4 with kPadClass (which no class equals) and the
//          default child, so a step compares whole groups of four with no
//          branch on where the real ones end. Under `department = Sales`
//          a title node lists only the titles the live rules mention, not
//          every title of the policy.
// A node is dense when that takes at most twice the words of the sparse
// form (DenseIsCompact). Snapshots of formats 2 to 5 stored sparse nodes
// unpadded; their code is laid out again on load.
inline constexpr uint32_t kLeafBit = 0x80000000u;
// The compiler builds nodes over small domains (this many classes or fewer)
// in dense form; the layout re-encodes every node anyway.
inline constexpr int32_t kDenseMaxClasses = 32;

inline int32_t NodeVar(const uint32_t* n) {
  return static_cast<int32_t>(n[0] >> 1);
}
inline bool NodeSparse(const uint32_t* n) { return (n[0] & 1) != 0; }
// Pads a sparse node's exception classes; larger than every class.
inline constexpr uint32_t kPadClass = 0xffffffffu;
// The stored exceptions of a sparse node with `k` real ones.
inline constexpr uint32_t PaddedExceptions(uint32_t k) {
  return (k + 3) & ~uint32_t{3};
}
// Whether a node over `width` classes with `k` real exceptions is stored
// dense: when that takes at most twice the words of the sparse form.
inline constexpr bool DenseIsCompact(uint64_t width, uint32_t k) {
  return 2 + width <= 2 * (3 + 2 * uint64_t{PaddedExceptions(k)});
}
// The real (unpadded) exceptions of the sparse node at `n`: its classes
// before the trailing kPadClass entries.
inline uint32_t NodeExceptions(const uint32_t* n) {
  uint32_t k = n[1];
  while (k > 0 && n[3 + k - 1] == kPadClass) --k;
  return k;
}
inline uint32_t NodeWords(const uint32_t* n) {
  return NodeSparse(n) ? 3 + 2 * n[1] : 2 + n[1];
}

// Node and edge counts of DAG code (CompileStats): edges are the stored
// child slots, a sparse node's default and padding included.
inline void CountCode(const std::vector<uint32_t>& code, int64_t* nodes,
                      int64_t* edges) {
  *nodes = 0;
  *edges = 0;
  for (size_t at = 0; at < code.size(); at += NodeWords(&code[at])) {
    ++*nodes;
    *edges += code[at + 1] + (NodeSparse(&code[at]) ? 1 : 0);
  }
}

// The first of the `len` > 0 ascending words at `first` that is not below
// `key`, or first + len: a bisection without branches, for searches whose
// outcome is data the branch predictor cannot learn.
inline const uint32_t* LowerBound(const uint32_t* first, uint32_t len,
                                  uint32_t key) {
  while (len > 1) {
    const uint32_t half = len / 2;
    first = first[half] < key ? first + half : first;
    len -= half;
  }
  return first + (*first < key);
}

// The child of the node at `n` for class `c` (the hot path).
inline uint32_t NodeChild(const uint32_t* n, uint32_t c) {
  if (!NodeSparse(n)) return n[2 + c];
  const uint32_t count = n[1];
  const uint32_t* cls = n + 3;
  if (count <= 16) {
    // Few exceptions (the common case): compare groups of four and select
    // without branching. Which exception matches, if any, is data the
    // branch predictor cannot learn; a mispredicted branch here waited on
    // the node's load and cost most of the step.
    uint32_t child = n[2];
    for (uint32_t k = 0; k < count; k += 4) {
      child = cls[k] == c ? cls[count + k] : child;
      child = cls[k + 1] == c ? cls[count + k + 1] : child;
      child = cls[k + 2] == c ? cls[count + k + 2] : child;
      child = cls[k + 3] == c ? cls[count + k + 3] : child;
    }
    return child;
  }
  // More: bisect (the pads sort last).
  const uint32_t i = static_cast<uint32_t>(LowerBound(cls, count, c) - cls);
  return i < count && cls[i] == c ? cls[count + i] : n[2];
}

// A node as the compiler builds it (and as format-1 snapshots stored it):
// children are nodes with smaller ids or leaves, edges in two parallel
// arrays. dflt == kDenseNode marks a dense node with one edge per class.
struct BuiltNode {
  int32_t var = 0;
  uint32_t dflt = 0;
  uint32_t exc_begin = 0;
  uint32_t exc_count = 0;
};
inline constexpr uint32_t kDenseNode = 0xffffffffu;

// Lays built nodes out as DAG code (post-order from each root in turn, the
// default child last so it sits right before its parent) and rewrites the
// roots to code offsets. The encoding of each node (dense or sparse) is
// chosen here from its edges, whatever form it was built in. Nodes unreachable
// from every root are dropped. REQUIRES: the built nodes are well formed
// (children precede parents, edge ranges in bounds). Fails with
// ResourceExhausted when the code would not fit 31-bit offsets.
absl::Status LayOutCode(const std::vector<Var>& vars,
                        const std::vector<BuiltNode>& nodes,
                        const std::vector<uint32_t>& exc_class,
                        const std::vector<uint32_t>& exc_child,
                        std::vector<uint32_t*> roots,
                        std::vector<uint32_t>* code);

struct LeafEntitlement {
  int32_t instance = -1;
  int32_t level = -1;
  uint32_t scopes_begin = 0, scopes_count = 0;
  uint32_t reasons_begin = 0, reasons_count = 0;
  bool never_expires = true;
  int32_t expiry_literal = INT32_MIN;  // Latest fixed expiry, if any.
  uint32_t expiry_attrs_begin = 0, expiry_attrs_count = 0;
};

struct Leaf {
  uint32_t ents_begin = 0, ents_count = 0;
};

// A rule in a layer leaf's applying set (Impl::leaf_rules).
inline constexpr uint32_t LayerRule(int32_t rule, bool deny) {
  return static_cast<uint32_t>(rule) << 1 | (deny ? 1u : 0u);
}

// An atom: one rule predicate seen through one variable, as a truth table
// over the variable's classes.
struct Atom {
  int32_t var = -1;
  // By class, while compiling only: a compiled policy keeps the sparse
  // form below (dense tables grow as atoms x classes: 290 MB at 100,000
  // rules, against 19 MB for the DAG).
  std::vector<Tri> truth;
  AttrId missing_attr = -1;  // Attribute named when the atom is UNKNOWN.
  // Sparse form: the most common value and the classes that differ from it
  // (ascending), with their values: a range of Impl::exc_class and
  // Impl::exc_truth (read through Impl::exceptions and AtomTruth). A node
  // only expands the exception classes of the atoms still alive there;
  // every other class shares one default edge.
  Tri common = Tri::kFalse;
  uint32_t exc_begin = 0, exc_count = 0;
};

// Compact Kleene formula for `unless`: leaves are atoms. Its children are
// indices into the rule's formula (Impl::unless), stored in
// Impl::rule_pool (Impl::children).
struct FNode {
  Expr::Kind kind = Expr::Kind::kPredicate;
  int32_t atom = -1;
  uint32_t children_begin = 0, children_count = 0;
};

// A rule as atoms: its cells, window and expiry (a conjunction) and its
// `unless`. Kept after compilation to explain missing attributes. Flat
// (ranges of Impl::rule_pool and Impl::formula, read through Impl's
// accessors): one allocation for all rules, not four per rule.
struct RuleInfo {
  uint32_t cond_begin = 0, cond_count = 0;                  // Atoms.
  uint32_t unless_atoms_begin = 0, unless_atoms_count = 0;  // Distinct.
  uint32_t missing_begin = 0, missing_count = 0;  // Attributes, ascending.
  uint32_t unless_begin = 0, unless_count = 0;    // Root first; 0: none.
};

// One app (or group of apps, CompileOptions::max_apps_per_dag). Its rules
// form one DAG from `root`, or, for apps with many rules
// (CompileOptions::layer_min_rules), layers: `root` decides the rules
// keyed on the app's most selective variable (say, one department each),
// and each of `layer_roots` the rules keyed on the most selective variable
// of what is left (say, one job title each), the last one all the others
// (say, company-wide rules). One DAG would combine every department's
// rules with every outcome of the others; layers store each once. A
// layer's leaves carry the rules that apply, as merge parts
// (Impl::MergePart), besides their resolved outcome: when more than one
// layer reaches a non-empty leaf the evaluator resolves the union (deny
// beats grant across layers too). Unlayered apps have no layer_roots.
struct AppDag {
  int32_t first_instance = 0;  // Instances [first, last] of one app.
  int32_t last_instance = 0;
  uint32_t root = kLeafBit;           // Empty leaf 0 by default.
  std::vector<uint32_t> layer_roots;  // The second layer on; never leaf 0.
  int64_t nodes = 0;
};

struct CompiledPolicy::Impl {
  std::vector<Var> vars;
  std::vector<AttrInput> inputs;
  int32_t as_of_var = -1;
  int32_t slot_count = 0;
  std::vector<uint32_t> code;  // Nodes; see NodeChild().
  std::vector<Leaf> leaves;
  // The applying rules of layer leaf l (LayerRule values, ascending) are
  // leaf_rules[leaf_rules_begin[l] .. leaf_rules_begin[l + 1]); an ordinary
  // leaf has none. leaf_rules_begin has leaves.size() + 1 entries. Only
  // while compiling or loading a snapshot of format 3 or 4: the merge
  // parts are built from them, and then they are freed.
  std::vector<uint32_t> leaf_rules_begin;
  std::vector<uint32_t> leaf_rules;
  std::vector<LeafEntitlement> leaf_ents;
  std::vector<uint32_t> scope_pool;   // Into scopes.
  std::vector<uint32_t> reason_pool;  // Rule indices.
  std::vector<int32_t> attr_pool;     // Expiry attrs and missing candidates.
  std::vector<std::string> scopes;    // Interned scope strings.
  std::vector<AppDag> apps;
  // Missing-attribute explanation (SPEC §2), run only for people with a
  // missing attribute: the rules reading each attribute, and every rule as
  // atoms, evaluated in Kleene logic from the classes.
  std::vector<Atom> atoms;
  std::vector<int32_t> exc_class;  // Atoms' exception classes, by range.
  std::vector<Tri> exc_truth;      // Their values, parallel.
  std::span<const int32_t> exceptions(const Atom& a) const {
    return std::span<const int32_t>(exc_class).subspan(a.exc_begin,
                                                       a.exc_count);
  }
  std::span<const Tri> exception_truth(const Atom& a) const {
    return std::span<const Tri>(exc_truth).subspan(a.exc_begin, a.exc_count);
  }
  std::vector<RuleInfo> rules;     // By rule index; empty if invalid.
  std::vector<int32_t> rule_pool;  // Atoms, attributes, formula children.
  std::vector<FNode> formula;
  // A rule's condition atoms, the distinct atoms of its `unless`, the
  // attributes that make its condition UNKNOWN when missing, its `unless`
  // (root first; empty when it has none), and a formula node's children.
  std::span<const int32_t> cond_atoms(int32_t r) const {
    return Pool(rules[r].cond_begin, rules[r].cond_count);
  }
  std::span<const int32_t> unless_atoms(int32_t r) const {
    return Pool(rules[r].unless_atoms_begin, rules[r].unless_atoms_count);
  }
  std::span<const AttrId> cond_missing(int32_t r) const {
    return Pool(rules[r].missing_begin, rules[r].missing_count);
  }
  std::span<const FNode> unless(int32_t r) const {
    return std::span<const FNode>(formula).subspan(rules[r].unless_begin,
                                                   rules[r].unless_count);
  }
  std::span<const int32_t> children(const FNode& n) const {
    return Pool(n.children_begin, n.children_count);
  }
  // Valid rules reading an attribute: what the explanation index below is
  // built from (after a compile, or a snapshot of format 4 or older), then
  // freed.
  std::vector<std::vector<int32_t>> attr_rules;
  // attr_rules[a] indexed for the missing-attribute explanation: a rule
  // whose cheapest "guard" atom (on a variable not reading `a`) is FALSE for
  // the person cannot apply, so only the rules listed under the person's
  // class of each guard variable, plus the unguarded ones, are examined.
  // Flat, and stored as is from snapshot format 5: attribute a's guards are
  // explain_guards[guards_begin .. + guards_count) and its unguarded rules
  // explain_pool[unguarded_at .. + unguarded_count); a guard's rules for
  // class c of its variable are explain_pool[rules_at + b[c] .. rules_at +
  // b[c + 1]), where b = explain_pool + begin_at holds classes + 1 offsets.
  struct ExplainAttr {
    uint32_t guards_begin = 0, guards_count = 0;
    uint32_t unguarded_at = 0, unguarded_count = 0;
  };
  struct ExplainGuard {
    int32_t var = -1;
    uint32_t begin_at = 0, rules_at = 0;
  };
  std::vector<ExplainAttr> explain;  // By attribute.
  std::vector<ExplainGuard> explain_guards;
  std::vector<uint32_t> explain_pool;  // Class offsets and rule indices.

  // Derived from the above by PrepareEvaluation() after a compile or a
  // snapshot load, and never serialized, except the merge parts at the end,
  // which snapshots store from format 4 on.
  //
  // Leaf entitlements in output form, copied with one memmove; entitlements
  // with an attribute expiry get their date filled in per person.
  std::vector<CompactEntitlement> leaf_compact;  // By leaf_ents index.
  // By leaf, what its copy reads in one load: its records in leaf_compact,
  // and whether any of them has an attribute expiry.
  struct LeafOutput {
    uint32_t begin = 0;
    uint32_t count : 31 = 0;
    uint32_t attr_expiry : 1 = 0;
  };
  std::vector<LeafOutput> leaf_output;
  // Whether the DAG code, and the two tables above, outgrow a core's
  // caches: the evaluator then prefetches each walk round's nodes, and
  // every app's leaf before copying any (see Evaluate).
  bool prefetch_nodes = false;
  bool prefetch_leaves = false;
  // The walks of one evaluation, by rank: rank 0 starts at every app's
  // root, rank k > 0 at its k-th layer root (the empty leaf when it has
  // fewer layers). Per rank, the variable most of its roots test, and per
  // class of it the node (or leaf) each app's walk continues from:
  // dispatch[class * apps + app]; without one (dispatch_var -1), roots.
  //
  // Refined (refine_var >= 0): the walks take a second step at once, on
  // the variable most of the dispatched nodes test sparse (the job title,
  // after the department). Then dispatch's row for class c1 sends every
  // app whose node there is sparse on refine_var on to its default child,
  // and refine[refine_at[c1] ..] is c1's block, all a person's start
  // reads after the row, in one place (on a big policy each load in a
  // chain of loads is a cache miss):
  //   k, the number of refine_var classes such nodes list;
  //   those classes, ascending;
  //   per class, the end of its patch (the apps it sends elsewhere), in
  //   (app, child) pairs from the first class's;
  //   the pairs.
  // Classes c1 that list none share refine[0] = 0.
  struct WalkRank {
    std::vector<uint32_t> roots;  // By app.
    int32_t dispatch_var = -1;
    std::vector<uint32_t> dispatch;
    int32_t refine_var = -1;
    std::vector<uint32_t> refine_at, refine;
    // Writes where each app's walk of this rank starts, for the person's
    // `classes`, to refs[0 .. apps).
    void Start(const uint32_t* classes, size_t apps, uint32_t* refs) const {
      if (dispatch_var < 0) {
        std::copy(roots.begin(), roots.end(), refs);
        return;
      }
      const uint32_t c1 = classes[dispatch_var];
      const uint32_t* row = dispatch.data() + c1 * apps;
      std::copy(row, row + apps, refs);
      if (refine_var < 0) return;
      const uint32_t* block = refine.data() + refine_at[c1];
      const uint32_t k = block[0];
      if (k == 0) return;
      const uint32_t c2 = classes[refine_var];
      const uint32_t* keys = block + 1;
      const uint32_t* key = LowerBound(keys, k, c2);
      const size_t i = static_cast<size_t>(key - keys);
      if (i == k || *key != c2) return;
      const uint32_t* ends = keys + k;
      const uint32_t* pairs = ends + k;
      for (uint32_t p = i == 0 ? 0 : ends[i - 1]; p < ends[i]; ++p)
        refs[pairs[2 * p]] = pairs[2 * p + 1];
    }
  };
  std::vector<WalkRank> ranks;
  // Scope ids rank in byte order (scope_rank) and fold case-insensitively
  // (scope_fold: the lowest-ranked id alike), for merging layers' scopes.
  std::vector<uint32_t> scope_rank, scope_fold;
  // Each layer leaf's rules as partial outcomes, so that a merge reads a
  // few records per layer instead of every applying rule's targets: leaf
  // l's parts are parts[part_begin[l] .. part_begin[l + 1]), by instance
  // then level. Per instance, a record of level -1 holds the leaf's deny
  // cap (`priority`: the lowest level its denies remove, 0 for all); one
  // record per level its grants reach below that cap holds their highest
  // priority, their rules (ascending), their scopes (ascending rank,
  // case-insensitively unique) and their expiry, all in part_pool.
  struct MergePart {
    int32_t instance = -1;
    int32_t level = -1;
    int32_t priority = 0;
    int32_t expiry_literal = INT32_MIN;  // Latest fixed expiry.
    uint32_t reasons_begin = 0, reasons_count = 0;
    uint32_t scopes_begin = 0, scopes_count = 0;
    uint32_t attrs_begin = 0, attrs_count = 0;  // Expiry attributes.
    bool never_expires = false;
  };
  std::vector<uint32_t> part_begin;  // leaves.size() + 1 entries.
  std::vector<MergePart> parts;
  std::vector<uint32_t> part_pool;
  CompileStats stats;

 private:
  std::span<const int32_t> Pool(uint32_t begin, uint32_t count) const {
    return std::span<const int32_t>(rule_pool).subspan(begin, count);
  }
};

// The atom's value on class `c` of its variable, from the sparse form.
inline Tri AtomTruth(const CompiledPolicy::Impl& im, const Atom& a,
                     uint32_t c) {
  const std::span<const int32_t> exc = im.exceptions(a);
  const auto it =
      std::lower_bound(exc.begin(), exc.end(), static_cast<int32_t>(c));
  return it != exc.end() && *it == static_cast<int32_t>(c)
             ? im.exc_truth[a.exc_begin + static_cast<size_t>(it - exc.begin())]
             : a.common;
}

// On how many classes of its variable the atom is not FALSE, from the
// sparse form (so a variable with thousands of classes costs no more).
inline int64_t NotFalseClasses(const CompiledPolicy::Impl& im, const Atom& a) {
  if (a.common == Tri::kFalse) return a.exc_count;  // They differ: not FALSE.
  int64_t false_classes = 0;
  for (Tri t : im.exception_truth(a)) false_classes += t == Tri::kFalse;
  return im.vars[a.var].num_classes - false_classes;
}

// Builds the derived evaluation tables of `im` (leaf_compact, ranks,
// literal_match, scope_rank/scope_fold, and the explanation index and the
// parts unless a snapshot brought them) for `policy`. Called by Compile and
// FromParts (snapshot loading); defined with the evaluator in
// src/eval/dag_evaluator.cc, the merge's in src/eval/layer_merge.cc.
void PrepareEvaluation(const BoundPolicy& policy, CompiledPolicy::Impl* im);

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_COMPILE_DAG_H_
