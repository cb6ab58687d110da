// Text helpers shared by every stage: name folding (SPEC §2), value
// normalization, natural ordering and strict number parsing.
//
// Case folding is ASCII-only: bytes >= 0x80 (UTF-8 sequences) compare as
// they are. That keeps folding locale-free and deterministic; documented in
// docs/semantics.md.
#ifndef BIRTHRIGHT_SRC_UTIL_TEXT_H_
#define BIRTHRIGHT_SRC_UTIL_TEXT_H_

#include <bit>
#include <cstdint>
#include <cstring>
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
// NormalizeRegularValue checks while lowercasing, eight bytes at a time;
// NormalizeIrregularValueInto is the general loop, for the other values.
void NormalizeIrregularValueInto(std::string_view value, bool case_sensitive,
                                 std::string* out);

namespace text_internal {

inline constexpr uint64_t EveryByte(uint8_t b) {
  return 0x0101010101010101ull * b;
}
inline constexpr uint64_t kHighBits = EveryByte(0x80);

// Lowercases the eight bytes in `x` when `fold` is all ones (ASCII A-Z
// only), and adds to `*bad` a flag for each \t..\r byte and each space
// that follows a space: the previous word's last byte, if a space, is
// `*carry` (bit 7), and is replaced by this word's. Byte order is memory
// order (little-endian). Per byte without carries between bytes: the
// additions run on the low seven bits, and bytes >= 0x80 are masked out.
inline uint64_t NormalizeWord(uint64_t x, uint64_t fold, uint64_t* carry,
                              uint64_t* bad) {
  const uint64_t low = x & ~kHighBits;
  const uint64_t ascii = ~x & kHighBits;
  const uint64_t upper = (low + EveryByte(0x80 - 'A')) &
                         ~(low + EveryByte(0x80 - 'Z' - 1)) & ascii;
  const uint64_t control = (low + EveryByte(0x80 - '\t')) &
                           ~(low + EveryByte(0x80 - '\r' - 1)) & ascii;
  const uint64_t t = x ^ EveryByte(' ');  // Zero where a byte is a space.
  const uint64_t space = ~(((t & ~kHighBits) + ~kHighBits) | t) & kHighBits;
  *bad |= control | (space & ((space << 8) | *carry));
  *carry = space >> 56;
  return x | ((upper & fold) >> 2);  // 0x80 >> 2 is the case bit.
}

}  // namespace text_internal

// The normalization of `value` into `d` (value.size() bytes), when it is
// regular (see above); returns false, with `d` unspecified, otherwise.
inline bool NormalizeRegularValue(std::string_view value, bool case_sensitive,
                                  char* d) {
  const size_t n = value.size();
  const unsigned char* v = reinterpret_cast<const unsigned char*>(value.data());
  if (n == 0) return true;
  uint64_t bad = v[0] == ' ' || v[n - 1] == ' ';
  if constexpr (std::endian::native == std::endian::little) {
    const uint64_t fold = case_sensitive ? 0 : ~uint64_t{0};
    uint64_t carry = 0;
    uint64_t x;
    if (n < 8) {
      // One word, from two overlapping loads (or three bytes), zero above
      // the value: a zero byte is not a space, a control or a capital.
      uint32_t lo, hi;
      const unsigned at = 8 * (n >= 4 ? n - 4 : n / 2);
      if (n >= 4) {
        std::memcpy(&lo, v, 4);
        std::memcpy(&hi, v + n - 4, 4);
        x = lo | uint64_t{hi} << at;
      } else {
        x = v[0] | uint64_t{v[n / 2]} << at | uint64_t{v[n - 1]} << 8 * (n - 1);
      }
      x = text_internal::NormalizeWord(x, fold, &carry, &bad);
      if (n >= 4) {
        lo = static_cast<uint32_t>(x);
        hi = static_cast<uint32_t>(x >> at);
        std::memcpy(d, &lo, 4);
        std::memcpy(d + n - 4, &hi, 4);
      } else {
        d[0] = static_cast<char>(x);
        d[n / 2] = static_cast<char>(x >> at);
        d[n - 1] = static_cast<char>(x >> 8 * (n - 1));
      }
      return bad == 0;
    }
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::memcpy(&x, v + i, 8);
      x = text_internal::NormalizeWord(x, fold, &carry, &bad);
      std::memcpy(d + i, &x, 8);
    }
    if (i < n) {
      // The last eight bytes, overlapping the words before: their pairs of
      // spaces all lie inside it, so it carries nothing in.
      carry = 0;
      std::memcpy(&x, v + n - 8, 8);
      x = text_internal::NormalizeWord(x, fold, &carry, &bad);
      std::memcpy(d + n - 8, &x, 8);
    }
    return bad == 0;
  }
  // Big-endian: byte by byte.
  unsigned space = 0;
  for (size_t i = 0; i < n; ++i) {
    const unsigned c = v[i];
    const unsigned prev = space;
    space = c == ' ';
    bad |= (c - '\t' < 5) | (space & prev);  // \t \n \v \f \r, or "  "
    d[i] = static_cast<char>(case_sensitive || c - 'A' >= 26 ? c : c + 32);
  }
  return bad == 0;
}

inline void NormalizeValueInto(std::string_view value, bool case_sensitive,
                               std::string* out) {
  out->resize(value.size());
  if (!NormalizeRegularValue(value, case_sensitive, out->data()))
    NormalizeIrregularValueInto(value, case_sensitive, out);
}
std::string NormalizeValue(std::string_view value, bool case_sensitive);

// Storage for normalizing one value after another on a hot path (the
// evaluator's classification). The usual value goes to `regular`, which
// only grows: NormalizeValueInto resizes its string to each value, and
// growing it back zero-fills. The others go to `irregular`.
struct NormalizeBuffer {
  std::string regular;
  std::string irregular;
};
// The normalization of `value`, as NormalizeValue's, held in `*buf` until
// the next call with it.
inline std::string_view NormalizeValueIn(std::string_view value,
                                         bool case_sensitive,
                                         NormalizeBuffer* buf) {
  if (buf->regular.size() < value.size()) buf->regular.resize(value.size());
  if (NormalizeRegularValue(value, case_sensitive, buf->regular.data()))
    return std::string_view(buf->regular.data(), value.size());
  NormalizeIrregularValueInto(value, case_sensitive, &buf->irregular);
  return buf->irregular;
}

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
