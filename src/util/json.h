// Minimal JSON writing helpers: exact escaping, no floating point, so the
// same input always gives the same bytes (SPEC §5, §11).
#ifndef BIRTHRIGHT_SRC_UTIL_JSON_H_
#define BIRTHRIGHT_SRC_UTIL_JSON_H_

#include <string>
#include <string_view>
#include <vector>

namespace birthright {

// Appends `s` as a JSON string literal (quotes included). Input is UTF-8;
// control characters are \u-escaped.
void AppendJsonString(std::string* out, std::string_view s);
std::string JsonString(std::string_view s);
// ["a","b"]
void AppendJsonStringArray(std::string* out, const std::vector<std::string>& v);

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_UTIL_JSON_H_
