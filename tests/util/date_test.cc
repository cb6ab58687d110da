#include "birthright/date.h"

#include <cstdint>
#include <random>
#include <string>

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

bool Leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysIn(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
  return kDays[m - 1] + (m == 2 && Leap(y) ? 1 : 0);
}

std::string Iso(int y, int m, int d) {
  std::string s = "0000-00-00";
  for (int i = 3; i >= 0; --i, y /= 10) s[i] = static_cast<char>('0' + y % 10);
  s[5] = static_cast<char>('0' + m / 10);
  s[6] = static_cast<char>('0' + m % 10);
  s[8] = static_cast<char>('0' + d / 10);
  s[9] = static_cast<char>('0' + d % 10);
  return s;
}

// Every day ISO spells, in order: each parses to the day after the one
// before (counted from 0001-01-01, 719,162 days before 1970-01-01) and
// formats back; the day after each month's last does not parse.
TEST(DateTest, EveryDayFromYear1To9999) {
  int32_t expected = -719162;
  for (int y = 1; y <= 9999; ++y) {
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= DaysIn(y, m); ++d, ++expected) {
        const std::string iso = Iso(y, m, d);
        std::optional<Date> got = ParseIsoDate(iso);
        ASSERT_TRUE(got) << iso;
        ASSERT_EQ(got->days, expected) << iso;
        if (d == 1 || d == DaysIn(y, m)) {
          ASSERT_EQ(FormatIsoDate(*got), iso);
        }
      }
      ASSERT_FALSE(ParseIsoDate(Iso(y, m, DaysIn(y, m) + 1))) << y << m;
      ASSERT_FALSE(ParseIsoDate(Iso(y, m, 0))) << y << m;
    }
    ASSERT_FALSE(ParseIsoDate(Iso(y, 0, 1))) << y;
    ASSERT_FALSE(ParseIsoDate(Iso(y, 13, 1))) << y;
  }
  EXPECT_FALSE(ParseIsoDate("0000-01-01"));
}

// What a plain parser accepts: trimmed of ASCII whitespace, exactly
// dddd-dd-dd, a real day of a year from 1. Returns it trimmed, or "".
std::string PlainAccepts(std::string s) {
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (!s.empty() && space(s.front())) s.erase(s.begin());
  while (!s.empty() && space(s.back())) s.pop_back();
  if (s.size() != 10) return "";
  for (int i = 0; i < 10; ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return "";
  }
  const int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)),
            d = std::stoi(s.substr(8, 2));
  const bool day = y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= DaysIn(y, m);
  return day ? s : "";
}

// Mutated dates: bytes around the digits and dashes (wrapping below '0'
// and above '9' included), whitespace around them, lengths off by one;
// an accepted one formats as its trimmed self.
TEST(DateTest, MutatedDatesParseAsAPlainParserSays) {
  std::mt19937 rng(20261127);
  const std::string bytes = std::string("0123456789-/ \t\n:9") + '\0' +
                            "\x80\xff" + static_cast<char>('0' - 1) +
                            static_cast<char>('9' + 1);
  int accepted = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string s =
        Iso(1 + static_cast<int>(rng() % 9999), static_cast<int>(rng() % 14),
            static_cast<int>(rng() % 33));
    for (int k = static_cast<int>(rng() % 3); k > 0; --k) {
      const size_t at = rng() % (s.size() + 1);
      const char b = bytes[rng() % bytes.size()];
      switch (rng() % 3) {
        case 0:
          if (at < s.size()) s[at] = b;
          break;
        case 1:
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), b);
          break;
        default:
          if (at < s.size()) s.erase(at, 1);
          break;
      }
    }
    const std::string plain = PlainAccepts(s);
    std::optional<Date> got = ParseIsoDate(s);
    ASSERT_EQ(got.has_value(), !plain.empty()) << '"' << s << '"';
    if (!got) continue;
    ++accepted;
    // The day of its trimmed form, which EveryDayFromYear1To9999 checks.
    ASSERT_EQ(FormatIsoDate(*got), plain) << '"' << s << '"';
  }
  // Most draws are mangled or out of range, but not all.
  EXPECT_GT(accepted, 20000);
  EXPECT_LT(accepted, 180000);
}

}  // namespace
}  // namespace birthright
