// Merging the layers of a layered app (see AppDag in src/compile/dag.h):
// the tables a merge reads, and the merge. Internal to the evaluator.
#ifndef BIRTHRIGHT_SRC_EVAL_LAYER_MERGE_H_
#define BIRTHRIGHT_SRC_EVAL_LAYER_MERGE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "compile/dag.h"

namespace birthright {

// Builds im->scope_rank and scope_fold, and the layer leaves' parts
// (Impl::MergePart) from their rules and `policy`'s rule targets, unless a
// snapshot brought them (part_begin already has leaves + 1 entries); then
// frees the leaves' rules. Part of PrepareEvaluation.
void PrepareMerge(const BoundPolicy& policy, CompiledPolicy::Impl* im);

// Working vectors of MergeLayers, reused across calls (one per thread).
struct MergeScratch {
  std::vector<const CompiledPolicy::Impl::MergePart*> parts;
  std::vector<uint32_t> scopes;
};

// The outcome of a layered app `dag` more than one of whose layers reached
// a non-empty leaf (`leaves`): the union of their applying rules resolved
// as ResolveOutcome does (deny beats grant, then priority, then level;
// reasons and scopes of the winning level), from the leaves' parts,
// appended to out->entitlements with its ranges in out->pool
// (kBufferRange). `dates` holds the person's date per attribute, for
// attribute expiries. Allocates nothing once `scratch` and `out` have grown.
void MergeLayers(const CompiledPolicy::Impl& im, const AppDag& dag,
                 std::span<const uint32_t> leaves,
                 std::span<const int32_t> dates, MergeScratch* scratch,
                 DecisionBuffer* out);

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_EVAL_LAYER_MERGE_H_
