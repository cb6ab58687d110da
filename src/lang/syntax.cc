#include "lang/syntax.h"

#include <initializer_list>

#include "util/text.h"

namespace birthright::lang {
namespace {

bool InList(std::string_view word, std::initializer_list<std::string_view> l) {
  for (std::string_view k : l) {
    if (EqualsIgnoreCase(word, k)) return true;
  }
  return false;
}

}  // namespace

bool IsDeclarationKeyword(std::string_view word) {
  return InList(word, {"policy", "attribute", "alias", "app", "sod", "rule"});
}

bool IsClauseKeyword(std::string_view word) {
  return InList(word, {"when", "unless", "priority", "expires", "from", "until",
                       "owner", "note", "notes"});
}

bool IsReservedWord(std::string_view word) {
  return IsDeclarationKeyword(word) || IsClauseKeyword(word) ||
         InList(word, {"version", "levels", "default", "provisioning", "cost",
                       "with", "message", "grant", "deny", "scopes",
                       "case-sensitive", "case"});
}

bool IsBareWord(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || IsAsciiSpace(c)) return false;
    if (kWordStops.find(c) != std::string_view::npos) return false;
  }
  return !IsReservedWord(s);
}

std::string QuoteToken(std::string_view s) {
  if (IsBareWord(s)) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

bool IsExprOperatorWord(std::string_view word) {
  return InList(word, {"in", "not", "contains", "starts", "ends", "matches",
                       "exists", "missing", "is", "and", "or"});
}

}  // namespace birthright::lang
