// The flat layout of a compiled policy (CompiledPolicy::Impl): variables,
// per-app DAG nodes, edges and leaves in contiguous arrays with integer ids.
// This is the form the snapshot format serializes.
#ifndef BIRTHRIGHT_SRC_COMPILE_DAG_H_
#define BIRTHRIGHT_SRC_COMPILE_DAG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "re2/set.h"

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
  absl::flat_hash_map<std::string, int32_t> literal_class;
  std::vector<std::string> literals;  // For DOT labels, class 2+i.
  // kScalar on ordered types and kAsOf: sorted distinct points.
  std::vector<Key> points;
  int32_t pattern_bit = -1;  // kPattern: index in the attribute's RE2::Set.
  BoundPredicate predicate;  // kSetPred.
};

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
};

// Node edges: a child reference has kLeafBit set for leaves.
inline constexpr uint32_t kLeafBit = 0x80000000u;

// A sparse multiway node: classes listed in exc_class[exc_begin ..
// exc_begin + exc_count) (sorted) go to the matching exc_child; every other
// class goes to `dflt`. Under `department = Sales` a title node lists only
// the titles the live rules mention, not every title of the policy.
//
// Nodes over small domains (kDenseMaxClasses classes or fewer), or whose
// exceptions cover a quarter of the classes or more, are dense instead:
// exc_child[exc_begin + c] is the child of class c (exc_count = number of
// classes, dflt = kDense), one load and no search.
struct Node {
  int32_t var = 0;
  uint32_t dflt = 0;
  uint32_t exc_begin = 0;
  uint32_t exc_count = 0;
};
inline constexpr uint32_t kDense = 0xffffffffu;
inline constexpr int32_t kDenseMaxClasses = 32;

// The child of `n` for class `c`.
inline uint32_t NodeChild(const Node& n, const uint32_t* exc_class,
                          const uint32_t* exc_child, uint32_t c) {
  if (n.dflt == kDense) return exc_child[n.exc_begin + c];
  const uint32_t* cls = exc_class + n.exc_begin;
  uint32_t lo = 0, hi = n.exc_count;
  while (lo < hi) {
    const uint32_t mid = (lo + hi) / 2;
    if (cls[mid] < c) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < n.exc_count && cls[lo] == c ? exc_child[n.exc_begin + lo]
                                          : n.dflt;
}

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

// An atom: one rule predicate seen through one variable, as a truth table
// over the variable's classes.
struct Atom {
  int32_t var = -1;
  std::vector<Tri> truth;
  AttrId missing_attr = -1;  // Attribute named when the atom is UNKNOWN.
  // Sparse view of `truth`: the most common value and the classes that
  // differ from it. A node only expands the exception classes of the atoms
  // still alive there; every other class shares one default edge.
  Tri common = Tri::kFalse;
  std::vector<int32_t> exceptions;
};

// Compact Kleene formula for `unless`: leaves are atoms.
struct FNode {
  Expr::Kind kind = Expr::Kind::kPredicate;
  int32_t atom = -1;
  std::vector<int32_t> children;  // Indices into the rule's formula.
};

// A rule as atoms: its cells, window and expiry (a conjunction) and its
// `unless`. Kept after compilation to explain missing attributes.
struct RuleInfo {
  std::vector<int32_t> cond_atoms;
  std::vector<FNode> unless;          // Root at index 0; empty = no unless.
  std::vector<int32_t> unless_atoms;  // Distinct atoms of the formula.
  std::vector<AttrId> cond_missing;   // Sorted, unique.
};

struct AppDag {
  int32_t first_instance = 0;  // Instances [first, last] of one app.
  int32_t last_instance = 0;
  uint32_t root = kLeafBit;  // Empty leaf 0 by default.
  int64_t nodes = 0;
};

struct CompiledPolicy::Impl {
  std::vector<Var> vars;
  std::vector<AttrInput> inputs;
  int32_t as_of_var = -1;
  int32_t slot_count = 0;
  std::vector<Node> nodes;
  std::vector<uint32_t> exc_class;
  std::vector<uint32_t> exc_child;
  std::vector<Leaf> leaves;
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
  std::vector<RuleInfo> rules;  // By rule index; empty if invalid.
  std::vector<std::vector<int32_t>>
      attr_rules;  // Valid rules reading an attribute.
  CompileStats stats;
};

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_COMPILE_DAG_H_
