// The canonical spelling of conditions that the content hash (SPEC §9),
// the rule-level diff and duplicate detection compare: values normalized
// with the attribute's case sensitivity, any-of / none-of lists sorted and
// deduplicated. Internal to the library.
#ifndef BIRTHRIGHT_SRC_MODEL_CANONICAL_H_
#define BIRTHRIGHT_SRC_MODEL_CANONICAL_H_

#include <string_view>

#include "birthright/policy.h"
#include "birthright/predicate.h"

namespace birthright {

// Whether the schema marks `attr` (any spelling) case-sensitive.
bool SchemaCaseSensitive(const Policy& policy, std::string_view attr);

// `pred` on `attr` in canonical form (regex patterns are left as written).
Predicate CanonicalPredicate(const Policy& policy, std::string_view attr,
                             const Predicate& pred);

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_MODEL_CANONICAL_H_
