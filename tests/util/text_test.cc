#include "util/text.h"

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
