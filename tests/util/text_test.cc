#include "util/text.h"

#include <random>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace birthright {
namespace {

// SPEC §2: names fold case-insensitively with spaces, '-' and '_' removed.
TEST(FoldNameTest, Spec2FoldsSpellingsToOneAttribute) {
  EXPECT_EQ(FoldName("Job Title"), "jobtitle");
  EXPECT_EQ(FoldName("job_title"), "jobtitle");
  EXPECT_EQ(FoldName("job-title"), "jobtitle");
  EXPECT_EQ(FoldName("jobtitle"), "jobtitle");
}

// SPEC §2: values are trimmed, whitespace-collapsed, case-insensitive.
TEST(NormalizeValueTest, Spec2TrimsCollapsesAndLowercases) {
  EXPECT_EQ(NormalizeValue("  Sales   Engineer ", false), "sales engineer");
  EXPECT_EQ(NormalizeValue(" R&D\tLabs ", true), "R&D Labs");
}

// The plain statement of SPEC §2's normalization, for the differential test
// below: trim, collapse each whitespace run to one space, lowercase ASCII.
std::string PlainNormalize(std::string_view v, bool case_sensitive) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || (c >= '\t' && c <= '\r')) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(case_sensitive || c < 'A' || c > 'Z' ? c : c + ('a' - 'A'));
  }
  return out;
}

// NormalizeValueInto and NormalizeValueIn take a fast path for values with
// single inner spaces only, eight bytes at a time from eight bytes on, and
// fall back on the general loop otherwise: both must agree with the plain
// statement, on reused buffers too. The alphabets hold every whitespace
// byte, the letters at and around the case range's ends, and bytes >= 0x80
// (UTF-8, not folded); the second has no whitespace but the space, so that
// long values take the fast path too. Lengths reach 40: whole words, an
// overlapping last word, and pairs of spaces across a word boundary.
TEST(NormalizeValueTest, Spec2FastPathAgreesWithPlainNormalization) {
  const std::string alphabets[] = {"aB @Z[`{z\t\n\v\f\r\x80\xc3\x08\x0e",
                                   "aB @Z[`{z\x7f\x80\xc1\xda\xff\x08\x0e"
                                   "AZ"};
  std::mt19937 rng(20261127);
  std::string buf = "stale contents of a reused buffer";
  // NormalizeValueIn's storage only grows: after the first long value, a
  // shorter one leaves stale bytes past its end, which it must not return.
  NormalizeBuffer grown;
  // The fast path takes exactly the values that keep their length and hold
  // no \t..\r byte; count each path, short and long, to know all were
  // exercised.
  int fast[2] = {0, 0}, general[2] = {0, 0};
  for (int i = 0; i < 40000; ++i) {
    const std::string& alphabet = alphabets[i % 2];
    std::string v(rng() % 41, ' ');
    for (char& c : v) c = alphabet[rng() % alphabet.size()];
    const bool case_sensitive = rng() % 2 == 0;
    const std::string want = PlainNormalize(v, case_sensitive);
    NormalizeValueInto(v, case_sensitive, &buf);
    ASSERT_EQ(buf, want) << "value '" << v << "' case " << case_sensitive;
    ASSERT_EQ(NormalizeValueIn(v, case_sensitive, &grown), want)
        << "value '" << v << "' case " << case_sensitive;
    const bool has_control_space =
        v.find_first_of("\t\n\v\f\r") != std::string::npos;
    const int long_value = v.size() >= 8;
    (buf.size() == v.size() && !has_control_space ? fast
                                                  : general)[long_value] += 1;
  }
  for (int long_value : {0, 1}) {
    EXPECT_GT(fast[long_value], 1000) << long_value;
    EXPECT_GT(general[long_value], 1000) << long_value;
  }
  // Pairs of spaces at each position of three whole words, and of two
  // words and an overlapping last one; a space at either end of a long
  // value.
  for (size_t n : {24, 21}) {
    for (size_t at = 0; at + 1 < n; ++at) {
      std::string v(n, 'X');
      v[at] = v[at + 1] = ' ';
      ASSERT_EQ(NormalizeValue(v, false), PlainNormalize(v, false))
          << n << " " << at;
    }
  }
  EXPECT_EQ(NormalizeValue(" Senior Engineer", false), "senior engineer");
  EXPECT_EQ(NormalizeValue("Senior Engineer ", false), "senior engineer");
  EXPECT_EQ(NormalizeValue("New York", false), "new york");
  EXPECT_EQ(NormalizeValue("New  York", false), "new york");
  EXPECT_EQ(NormalizeValue("New\tYork", false), "new york");
  EXPECT_EQ(NormalizeValue(" York", false), "york");
  EXPECT_EQ(NormalizeValue("York ", false), "york");
  EXPECT_EQ(NormalizeValue(" ", false), "");
  EXPECT_EQ(NormalizeValue("", false), "");
}

// SPEC §2: undeclared ordinals compare in natural order: L9 < L10.
TEST(NaturalCompareTest, Spec2NaturalOrder) {
  EXPECT_LT(NaturalCompare("l9", "l10"), 0);
  EXPECT_GT(NaturalCompare("l10", "l9"), 0);
  EXPECT_EQ(NaturalCompare("l7", "l7"), 0);
  EXPECT_NE(NaturalCompare("l07", "l7"), 0);  // Total order.
  EXPECT_LT(NaturalCompare("a", "b"), 0);
}

TEST(ParseInt64Test, StrictDecimal) {
  EXPECT_EQ(ParseInt64(" 42 "), 42);
  EXPECT_EQ(ParseInt64("-7"), -7);
  EXPECT_FALSE(ParseInt64("4 2"));
  EXPECT_FALSE(ParseInt64("n/a"));
  EXPECT_FALSE(ParseInt64("99999999999999999999"));
  EXPECT_EQ(ParseInt64("-9223372036854775808"), INT64_MIN);
}

TEST(LooksLikeOrdinalTokenTest, LettersThenDigits) {
  EXPECT_TRUE(LooksLikeOrdinalToken("L7"));
  EXPECT_TRUE(LooksLikeOrdinalToken("IC10"));
  EXPECT_FALSE(LooksLikeOrdinalToken("7"));
  EXPECT_FALSE(LooksLikeOrdinalToken("Senior"));
}

}  // namespace
}  // namespace birthright
