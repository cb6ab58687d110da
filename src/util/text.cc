#include "util/text.h"

#include <limits>

namespace birthright {

std::string_view TrimWhitespace(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && IsAsciiSpace(s[b])) ++b;
  while (e > b && IsAsciiSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string FoldName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (IsAsciiSpace(c) || c == '-' || c == '_') continue;
    out.push_back(AsciiLower(c));
  }
  return out;
}

void NormalizeIrregularValueInto(std::string_view value, bool case_sensitive,
                                 std::string* out) {
  value = TrimWhitespace(value);
  // The result is never longer than the input (a run of spaces becomes at
  // most one), so write through a pointer.
  out->resize(value.size());
  char* d = out->data();
  bool in_space = false;
  for (char c : value) {
    if (IsAsciiSpace(c)) {
      in_space = true;
      continue;
    }
    if (in_space) *d++ = ' ';
    in_space = false;
    *d++ = case_sensitive ? c : AsciiLower(c);
  }
  out->resize(static_cast<size_t>(d - out->data()));
}

std::string NormalizeValue(std::string_view value, bool case_sensitive) {
  std::string out;
  NormalizeValueInto(value, case_sensitive, &out);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

std::string AsciiLowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

int NaturalCompare(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (IsAsciiDigit(a[i]) && IsAsciiDigit(b[j])) {
      // Compare digit runs by value: skip leading zeros, then by length,
      // then lexicographically.
      size_t ie = i, je = j;
      while (ie < a.size() && IsAsciiDigit(a[ie])) ++ie;
      while (je < b.size() && IsAsciiDigit(b[je])) ++je;
      size_t iz = i, jz = j;
      while (iz + 1 < ie && a[iz] == '0') ++iz;
      while (jz + 1 < je && b[jz] == '0') ++jz;
      const size_t la = ie - iz, lb = je - jz;
      if (la != lb) return la < lb ? -1 : 1;
      const int c = a.substr(iz, la).compare(b.substr(jz, lb));
      if (c != 0) return c < 0 ? -1 : 1;
      i = ie;
      j = je;
      continue;
    }
    const unsigned char ca = static_cast<unsigned char>(a[i]);
    const unsigned char cb = static_cast<unsigned char>(b[j]);
    if (ca != cb) return ca < cb ? -1 : 1;
    ++i;
    ++j;
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  const int c = a.compare(b);  // Tie-break: "L07" vs "L7".
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::optional<int64_t> ParseInt64(std::string_view s) {
  s = TrimWhitespace(s);
  if (s.empty()) return std::nullopt;
  bool negative = false;
  size_t i = 0;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) return std::nullopt;
  uint64_t v = 0;
  const uint64_t limit =
      negative ? uint64_t{1} << 63
               : static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  for (; i < s.size(); ++i) {
    if (!IsAsciiDigit(s[i])) return std::nullopt;
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (limit - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  if (negative) return static_cast<int64_t>(0 - v);
  return static_cast<int64_t>(v);
}

bool LooksLikeOrdinalToken(std::string_view s) {
  s = TrimWhitespace(s);
  size_t i = 0;
  while (i < s.size() && IsAsciiAlpha(s[i])) ++i;
  if (i == 0 || i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (!IsAsciiDigit(s[i])) return false;
  }
  return true;
}

std::vector<std::string> SplitTrimmed(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view piece = TrimWhitespace(s.substr(start, end - start));
    if (!piece.empty()) out.emplace_back(piece);
    start = end + 1;
  }
  return out;
}

}  // namespace birthright
