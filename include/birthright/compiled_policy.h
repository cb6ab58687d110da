// The compiled policy: an immutable, flat, reduced decision DAG that answers
// "what should this person have" without scanning rules (SPEC §1, §5).
//
// Compile() turns a BoundPolicy into one decision DAG per app (the app's
// grants and denies never interact with another app's, so per-app DAGs
// merge by concatenation). Every DAG node tests one variable — an
// attribute's value class (interned equality literals or ordered intervals,
// plus a missing class for three-valued logic), one substring/regex
// predicate (all of an attribute's patterns run through one RE2::Set), a
// set-attribute predicate, an expiry date against `as_of`, or `as_of`
// itself — with a multiway edge per class. Leaves hold the fully resolved
// outcome: entitlements with their reasons. Nodes and leaves are
// hash-consed; arrays and integer ids throughout. See docs/dag.md.
//
// Thread safety: a CompiledPolicy is immutable; Evaluate() is const,
// lock-free and may be called from any number of threads.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_COMPILED_POLICY_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_COMPILED_POLICY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "birthright/bound_policy.h"
#include "birthright/date.h"
#include "birthright/decision.h"
#include "birthright/policy.h"

namespace birthright {

// Hard limits for compilation (ResourceExhausted when hit).
struct CompileOptions {
  int64_t max_nodes = 20'000'000;  // Decision nodes, all apps.
  // Edges as the compiler builds them, all apps: every class of a node
  // built dense, the edges besides the default of one built sparse.
  // CompileStats::edges counts the slots stored after layout, which picks
  // each node's form again and pads sparse ones, so the two differ.
  int64_t max_edges = 200'000'000;
  int64_t max_nodes_per_app = 5'000'000;
  int64_t max_leaves = 5'000'000;  // Distinct outcomes, all apps.
  // Words stored for the outcomes (records, reasons, scopes, layer rules
  // and their hash-consing keys), all apps: bounds that memory at ~4 bytes
  // x this.
  int64_t max_leaf_words = 150'000'000;
  int32_t max_unless_atoms = 64;  // Predicates in one `unless`.
  // Working memory of the construction (memoized states), in 32-bit words
  // per app: bounds compile memory at ~4 bytes x this.
  int64_t max_state_words = 500'000'000;
  // Apps sharing one DAG. Apps never interact, so any grouping is exact;
  // fewer DAGs mean fewer walks per evaluation, bigger DAGs cost compile
  // time and memory. See docs/dag.md.
  int32_t max_apps_per_dag = 1;
  // An app (DAG group) with at least this many rules, whose one DAG
  // overflows one_dag_nodes_per_rule, is compiled as layers whose outcomes
  // are merged at evaluation: the rules keyed on its most selective
  // variable (say, one department each), then, while what is left has at
  // least layer_split_min_rules rules and there are fewer than max_layers,
  // the rules keyed on the most selective variable of the rest (say, one
  // job title each), and last the others (say, company-wide rules). Exact
  // either way; layers keep big sheets small (one DAG multiplies the kinds
  // of rules), one DAG answers with fewer steps. INT32_MAX turns layering
  // off. See docs/dag.md.
  int32_t layer_min_rules = 128;
  // Such an app is first compiled as one DAG, within a budget of this many
  // nodes per rule of the app (and compile work in proportion), and is
  // layered only when that overflows, the trial undone: one DAG answers
  // with fewer walks and no merges, layers stay small where one DAG would
  // multiply (many company-wide rules). 0 layers every such app at once.
  int32_t one_dag_nodes_per_rule = 32;
  // The trial is skipped, and the app layered at once, when its rules can
  // apply on more than this many classes of the variable one DAG would
  // test first, on average: one DAG repeats a rule's tests under each of
  // them (a company-wide rule under every department), and such a trial
  // overflows after spending its budget. INT32_MAX always tries.
  int32_t one_dag_max_spread = 16;
  int32_t layer_split_min_rules = 32;
  int32_t max_layers = 8;
};

struct CompileStats {
  int64_t rules = 0;
  int64_t apps = 0;
  int64_t layered_apps = 0;  // Compiled as layers (layer_min_rules).
  int64_t layers = 0;        // The layers of those apps, in all.
  int64_t variables = 0;
  int64_t nodes = 0;
  // Stored child slots, a sparse node's default and padding included
  // (docs/dag.md).
  int64_t edges = 0;
  int64_t leaves = 0;
  // Approximate heap footprint of a compile: the DAG code, its outcomes
  // and the atoms kept to explain missing attributes, not the tables
  // derived for evaluation. For a loaded snapshot, its size in bytes.
  int64_t memory_bytes = 0;
};

// Where an HR attribute goes in a compiled policy's input slots
// (CompiledPolicy::SlotOf): its attribute's slot, or -1 when no rule reads
// it, and whether it is the termination date, which feeds the last slot
// (the leaver check) besides.
struct SlotTarget {
  int32_t attribute = -1;
  bool termination = false;
  bool used() const { return attribute >= 0 || termination; }
  // Puts `value` where this attribute goes among `slots`, which holds
  // CompiledPolicy::slot_count() of them; a view, so `value` must outlive
  // the slots' use.
  void Place(std::string_view value, std::span<std::string_view> slots) const {
    if (termination) slots.back() = value;
    if (attribute >= 0) slots[static_cast<size_t>(attribute)] = value;
  }
};

// The answer in compact form, reusable across calls so steady-state
// evaluation does not allocate. Indices refer to the CompiledPolicy, or,
// for ranges marked kBufferRange, to the DecisionBuffer's pool.
struct CompactEntitlement {
  int32_t instance = -1;  // BoundPolicy::instances() index.
  int32_t level = -1;
  uint32_t scopes_begin = 0, scopes_count = 0;    // CompiledPolicy::scope().
  uint32_t reasons_begin = 0, reasons_count = 0;  // CompiledPolicy::reason().
  std::optional<Date> expires;
};
// Marks a scope or reason range that lives in DecisionBuffer::pool: the
// outcome of a layered app (docs/dag.md) merged at evaluation.
inline constexpr uint32_t kBufferRange = 0x80000000u;
struct DecisionBuffer {
  bool leaver = false;
  std::vector<CompactEntitlement> entitlements;
  std::vector<AttrId> missing;  // Sorted by name.
  std::vector<uint32_t> pool;   // Scope ids and rule indices; see above.
};

class CompiledPolicy {
 public:
  // Compiles `policy`, which must outlive nothing: the result shares
  // ownership. Rules marked invalid are ignored. Fails with
  // ResourceExhausted when a CompileOptions limit is hit.
  static absl::StatusOr<std::unique_ptr<CompiledPolicy>> Compile(
      std::shared_ptr<const BoundPolicy> policy,
      const CompileOptions& options = {});

  CompiledPolicy(const CompiledPolicy&) = delete;  // Immutable, shared.
  CompiledPolicy& operator=(const CompiledPolicy&) = delete;
  ~CompiledPolicy();

  // Inputs are raw HR strings, one per slot: slot i < attributes().size()
  // is attribute i of the BoundPolicy; the last slot is the termination
  // date. Empty = missing.
  int32_t slot_count() const;
  // Where an attribute called `name`, spelled as an HR export spells it
  // (folded here), goes: SlotsOf's rule for one column, for callers that
  // decide it once per column rather than once per person. A termination
  // date ("termination date", "leave date") feeds the last slot, and its
  // attribute's slot too when rules read it.
  SlotTarget SlotOf(std::string_view name) const;
  // Slot values of `person` (views into its strings; `person` must outlive
  // the result's use).
  std::vector<std::string_view> SlotsOf(const Person& person) const;

  // The hot path. REQUIRES: slots.size() == slot_count(). Thread-safe;
  // allocates only while `out` grows and for set-valued attributes.
  void Evaluate(std::span<const std::string_view> slots, Date as_of,
                DecisionBuffer* out) const;

  // Convenience: evaluates and converts to strings (allocates).
  Decision Evaluate(const Person& person, Date as_of) const;
  Decision ToDecision(std::string person_id, const DecisionBuffer& buf) const;

  const BoundPolicy& policy() const { return *policy_; }
  std::shared_ptr<const BoundPolicy> shared_policy() const { return policy_; }
  // Scope and reason entry `i` of a CompactEntitlement range of `buf`: e.g.
  // scope(buf, e.scopes_begin + k) for k < e.scopes_count.
  const std::string& scope(const DecisionBuffer& buf, uint32_t i) const;
  const BoundRule& reason(const DecisionBuffer& buf, uint32_t i) const;
  const CompileStats& stats() const;

  // Graphviz DOT of the DAGs (for small policies; see `compile --dot`).
  std::string ToDot() const;

  // Internal representation (src/compile/dag.h); for the snapshot codec
  // and white-box tests.
  struct Impl;
  const Impl& impl() const { return *impl_; }
  // Assembles a compiled policy from decoded parts (snapshot loading).
  static std::unique_ptr<CompiledPolicy> FromParts(
      std::shared_ptr<const BoundPolicy> policy, std::unique_ptr<Impl> impl);

 private:
  CompiledPolicy();
  std::shared_ptr<const BoundPolicy> policy_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_COMPILED_POLICY_H_
