#include "birthright/policy.h"

#include "util/diagnostic.h"
#include "util/text.h"

namespace birthright {

std::string FormatSourceLocation(const SourceLocation& loc) {
  return FormatLocation(loc.file, loc.line, loc.column);
}

std::string_view AttrTypeName(AttrType type) {
  switch (type) {
    case AttrType::kString:
      return "string";
    case AttrType::kInt:
      return "int";
    case AttrType::kDate:
      return "date";
    case AttrType::kOrdinal:
      return "ordinal";
    case AttrType::kSet:
      return "set";
  }
  return "?";
}

std::optional<AttrType> ParseAttrType(std::string_view text) {
  const std::string t = FoldName(text);
  if (t.empty() || t == "string" || t == "text") return AttrType::kString;
  if (t == "int" || t == "integer" || t == "number") return AttrType::kInt;
  if (t == "date") return AttrType::kDate;
  if (t == "ordinal") return AttrType::kOrdinal;
  if (t == "set" || t == "list") return AttrType::kSet;
  return std::nullopt;
}

const char* ProvisioningLabel(Provisioning p) {
  switch (p) {
    case Provisioning::kUnspecified:
      return "unspecified";
    case Provisioning::kScim:
      return "scim";
    case Provisioning::kApi:
      return "api";
    case Provisioning::kManual:
      return "manual";
  }
  return "unspecified";
}

std::string_view ProvisioningName(Provisioning p) {
  return p == Provisioning::kUnspecified ? "" : ProvisioningLabel(p);
}

std::optional<std::string_view> Person::Get(std::string_view folded) const {
  for (const auto& [name, value] : attributes) {
    if (FoldName(name) == folded) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace birthright
