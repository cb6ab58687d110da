// Text helpers shared by every stage: name folding (SPEC §2), value
// normalization, natural ordering and strict number parsing.
//
// Case folding is ASCII-only: bytes >= 0x80 (UTF-8 sequences) compare as
// they are. That keeps folding locale-free and deterministic; documented in
// docs/semantics.md.
#ifndef BIRTHRIGHT_SRC_UTIL_TEXT_H_
#define BIRTHRIGHT_SRC_UTIL_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace birthright {

inline bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}
inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Strips leading and trailing ASCII whitespace.
std::string_view TrimWhitespace(std::string_view s);

// Attribute/header folding (SPEC §2): lowercase, with spaces, '-' and '_'
// removed. "Job Title", "job_title" and "jobtitle" fold to "jobtitle".
std::string FoldName(std::string_view name);

// Value normalization (SPEC §2): trims, collapses each whitespace run to one
// space and, unless `case_sensitive`, lowercases. Writes into `*out`
// (cleared first) so hot paths can reuse a buffer.
//
// Inline: it is on the evaluation path. The usual value has nothing to trim
// or collapse (its only whitespace is single spaces between words), which
// one loop with no branch per byte checks while lowercasing; the general
// loop branched on every byte and cost ~8% of an evaluation.
// NormalizeIrregularValueInto is the general loop, for the other values.
void NormalizeIrregularValueInto(std::string_view value, bool case_sensitive,
                                 std::string* out);
inline void NormalizeValueInto(std::string_view value, bool case_sensitive,
                               std::string* out) {
  const size_t n = value.size();
  const unsigned char* v = reinterpret_cast<const unsigned char*>(value.data());
  out->resize(n);
  char* d = out->data();
  unsigned bad = n > 0 && (v[0] == ' ' || v[n - 1] == ' ');
  unsigned space = 0;
  for (size_t i = 0; i < n; ++i) {
    const unsigned c = v[i];
    const unsigned prev = space;
    space = c == ' ';
    bad |= (c - '\t' < 5) | (space & prev);  // \t \n \v \f \r, or "  "
    d[i] = static_cast<char>(case_sensitive || c - 'A' >= 26 ? c : c + 32);
  }
  if (bad != 0) NormalizeIrregularValueInto(value, case_sensitive, out);
}
std::string NormalizeValue(std::string_view value, bool case_sensitive);

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string AsciiLowercase(std::string_view s);

// Natural order: digit runs compare by numeric value, other runs
// byte-wise, so "L9" < "L10". Ties (e.g. "L07" vs "L7") are broken by plain
// byte order, so the order is total and agrees with string equality.
// Returns <0, 0 or >0.
int NaturalCompare(std::string_view a, std::string_view b);

// Strict decimal integer: optional sign, digits, no spaces inside, fits in
// int64. Surrounding whitespace is ignored.
std::optional<int64_t> ParseInt64(std::string_view s);

// True for tokens like "L7", "IC3", "M10": ASCII letters then digits.
bool LooksLikeOrdinalToken(std::string_view s);

// Splits on `sep`, trimming each piece, dropping empty pieces.
std::vector<std::string> SplitTrimmed(std::string_view s, char sep);

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_UTIL_TEXT_H_
