#include "import/headers.h"

namespace birthright {

RuleColumn ClassifyRuleHeader(std::string_view f) {
  struct Entry {
    std::string_view folded;
    RuleColumn column;
  };
  static constexpr Entry kEntries[] = {
      {"id", RuleColumn::kId},
      {"rule", RuleColumn::kId},
      {"ruleid", RuleColumn::kId},
      {"app", RuleColumn::kApp},
      {"application", RuleColumn::kApp},
      {"instance", RuleColumn::kInstance},
      {"tenant", RuleColumn::kInstance},
      {"workspace", RuleColumn::kInstance},
      {"account", RuleColumn::kInstance},
      {"level", RuleColumn::kLevel},
      {"permission", RuleColumn::kLevel},
      {"access", RuleColumn::kLevel},
      {"roleinapp", RuleColumn::kLevel},
      {"scopes", RuleColumn::kScopes},
      {"teams", RuleColumn::kScopes},
      {"groups", RuleColumn::kScopes},
      {"channels", RuleColumn::kScopes},
      {"effect", RuleColumn::kEffect},
      {"grantdeny", RuleColumn::kEffect},
      {"grant|deny", RuleColumn::kEffect},
      {"unless", RuleColumn::kUnless},
      {"except", RuleColumn::kUnless},
      {"priority", RuleColumn::kPriority},
      {"expires", RuleColumn::kExpires},
      {"effectivefrom", RuleColumn::kEffectiveFrom},
      {"effectiveuntil", RuleColumn::kEffectiveUntil},
      {"owner", RuleColumn::kOwner},
      {"notes", RuleColumn::kNotes},
      {"justification", RuleColumn::kNotes},
      {"reason", RuleColumn::kNotes},
  };
  for (const Entry& e : kEntries) {
    if (e.folded == f) return e.column;
  }
  return RuleColumn::kCondition;
}

std::string_view RuleColumnName(RuleColumn column) {
  switch (column) {
    case RuleColumn::kCondition:
      return "condition";
    case RuleColumn::kId:
      return "id";
    case RuleColumn::kApp:
      return "app";
    case RuleColumn::kInstance:
      return "instance";
    case RuleColumn::kLevel:
      return "level";
    case RuleColumn::kScopes:
      return "scopes";
    case RuleColumn::kEffect:
      return "effect";
    case RuleColumn::kUnless:
      return "unless";
    case RuleColumn::kPriority:
      return "priority";
    case RuleColumn::kExpires:
      return "expires";
    case RuleColumn::kEffectiveFrom:
      return "effective from";
    case RuleColumn::kEffectiveUntil:
      return "effective until";
    case RuleColumn::kOwner:
      return "owner";
    case RuleColumn::kNotes:
      return "notes";
  }
  return "?";
}

bool IsReservedHeader(std::string_view folded) {
  return ClassifyRuleHeader(folded) != RuleColumn::kCondition;
}

}  // namespace birthright
