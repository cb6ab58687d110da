#include "birthright/date.h"

#include "gtest/gtest.h"

namespace birthright {
namespace {

TEST(DateTest, ParsesAndFormatsIso) {
  std::optional<Date> d = ParseIsoDate("2026-11-26");
  ASSERT_TRUE(d);
  EXPECT_EQ(FormatIsoDate(*d), "2026-11-26");
  EXPECT_EQ(ParseIsoDate("1970-01-01")->days, 0);
  EXPECT_EQ(ParseIsoDate("1970-01-02")->days, 1);
  EXPECT_LT(*ParseIsoDate("2023-12-31"), *ParseIsoDate("2024-01-01"));
}

TEST(DateTest, RejectsMalformedDates) {
  EXPECT_FALSE(ParseIsoDate("2026-02-29"));  // Not a leap year.
  EXPECT_TRUE(ParseIsoDate("2024-02-29"));
  EXPECT_FALSE(ParseIsoDate("2026-13-01"));
  EXPECT_FALSE(ParseIsoDate("26-11-2026"));
  EXPECT_FALSE(ParseIsoDate("2026/11/26"));
  EXPECT_FALSE(ParseIsoDate(""));
  EXPECT_FALSE(ParseIsoDate("n/a"));
}

}  // namespace
}  // namespace birthright
