#include "util/csv.h"

#include "gtest/gtest.h"

namespace birthright {
namespace {

// SPEC §8: RFC 4180, BOM, CRLF, quoted newlines.
TEST(CsvTest, Spec8ParsesQuotesBomCrlfAndEmbeddedNewlines) {
  auto t = ParseCsv("\xEF\xBB\xBFid,name\r\n1,\"a, \"\"b\"\"\nc\"\r\n2,x\r\n", "f.csv");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->records.size(), 3u);
  EXPECT_EQ(t->records[0].fields[0].text, "id");
  EXPECT_EQ(t->records[1].fields[1].text, "a, \"b\"\nc");
  EXPECT_EQ(t->records[2].line, 4);
  EXPECT_EQ(t->records[2].number, 3);
}

TEST(CsvTest, Spec10UnterminatedQuoteNamesFileLineColumn) {
  auto t = ParseCsv("a,b\n1,\"oops\n", "rules.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "rules.csv:2:3: unterminated quoted field; expected a closing '\"'");
}

TEST(CsvTest, Spec10TextAfterClosingQuoteIsAnError) {
  auto t = ParseCsv("a\n\"x\"y\n", "f.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "f.csv:2:4: expected ',' or end of line after closing quote");
}

TEST(CsvTest, Spec10InvalidUtf8IsAnError) {
  auto t = ParseCsv("a\n\xff\n", "f.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "f.csv:2:1: invalid UTF-8; expected a UTF-8 encoded file");
}

TEST(CsvTest, Spec10LimitsAreEnforced) {
  CsvLimits limits;
  limits.max_fields = 2;
  auto t = ParseCsv("a,b,c\n", "f.csv", limits);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kResourceExhausted);
  limits = CsvLimits{};
  limits.max_field_bytes = 3;
  t = ParseCsv("abcd\n", "f.csv", limits);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kResourceExhausted);
  limits = CsvLimits{};
  limits.max_records = 2;
  t = ParseCsv("a\nb\nc\n", "f.csv", limits);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kResourceExhausted);
  limits = CsvLimits{};
  limits.max_bytes = 4;
  t = ParseCsv("a,b,c\n", "f.csv", limits);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(CsvTest, BlankRecordsAreKeptAndMarked) {
  auto t = ParseCsv("a\n\n,\nb", "f.csv");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->records.size(), 4u);
  EXPECT_TRUE(t->records[1].IsBlank());
  EXPECT_TRUE(t->records[2].IsBlank());
  EXPECT_FALSE(t->records[3].IsBlank());
}

}  // namespace
}  // namespace birthright
