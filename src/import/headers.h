// Reserved headers of the rules list and the matrix (SPEC §8), folded as
// attribute names are (SPEC §2).
#ifndef BIRTHRIGHT_SRC_IMPORT_HEADERS_H_
#define BIRTHRIGHT_SRC_IMPORT_HEADERS_H_

#include <string_view>

namespace birthright {

enum class RuleColumn {
  kCondition,  // Not reserved: an attribute condition.
  kId,
  kApp,
  kInstance,
  kLevel,
  kScopes,
  kEffect,
  kUnless,
  kPriority,
  kExpires,
  kEffectiveFrom,
  kEffectiveUntil,
  kOwner,
  kNotes,
};

// Classifies a folded header. Unknown headers are conditions.
RuleColumn ClassifyRuleHeader(std::string_view folded);
std::string_view RuleColumnName(RuleColumn column);

// True when a folded attribute name is one of the reserved headers, so a
// rules list could not use it as a condition column (check warns, SPEC §7).
bool IsReservedHeader(std::string_view folded);

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_IMPORT_HEADERS_H_
