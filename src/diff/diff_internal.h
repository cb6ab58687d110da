// Internals shared by the diff's translation units (src/diff/).
#ifndef BIRTHRIGHT_SRC_DIFF_DIFF_INTERNAL_H_
#define BIRTHRIGHT_SRC_DIFF_DIFF_INTERNAL_H_

#include <string>
#include <utility>
#include <vector>

#include "birthright/diff.h"

namespace birthright {

// A rule's canonical form field by field (names as in FieldChange::field):
// what "modified" compares.
std::vector<std::pair<std::string, std::string>> RuleFieldsCanonical(
    const Policy& p, const Rule& r);

// The same fields as written (for display): `canonical` = false keeps the
// sheet's spelling and order.
std::vector<std::pair<std::string, std::string>> RuleFields(const Policy& p,
                                                            const Rule& r,
                                                            bool canonical);

// The fields that decide entitlements (everything but id, owner, notes and
// location), joined: equal strings mean the rule acts identically once both
// versions bind every attribute the same way.
std::string RuleSemanticCanon(const Policy& p, const Rule& r);

// The semantic diff of two versions bound (strictly) as `before_bound` and
// `after_bound`. Never fails: when no exact common universe exists the
// result says so (SemanticDiff::available = false).
SemanticDiff ComputeSemanticDiff(const Policy& before, const Policy& after,
                                 const BoundPolicy& before_bound,
                                 const BoundPolicy& after_bound,
                                 const Population* people,
                                 const DiffOptions& options);

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_DIFF_DIFF_INTERNAL_H_
