#include "util/csv.h"

#include "gtest/gtest.h"

namespace birthright {
namespace {

// SPEC §8: RFC 4180, BOM, CRLF, quoted newlines.
TEST(CsvTest, Spec8ParsesQuotesBomCrlfAndEmbeddedNewlines) {
  auto t = ParseCsv("\xEF\xBB\xBFid,name\r\n1,\"a, \"\"b\"\"\nc\"\r\n2,x\r\n",
                    "f.csv");
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
  EXPECT_EQ(
      t.status().message(),
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
  EXPECT_EQ(t.status().message(),
            "f.csv:2:1: invalid UTF-8; expected a UTF-8 encoded file");
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

// SPEC §10: a field knows where its content starts and maps an offset in its
// text back to the source, past the opening quote, embedded newlines and
// `""` escapes (two source bytes for one byte of text).
TEST(CsvTest, Spec10FieldPositionsMapTextOffsetsToTheSource) {
  auto t = ParseCsv("a,\"x \"\"y\"\"\r\nz\"\nb,c", "f.csv");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->records.size(), 2u);
  const CsvField& a = t->records[0].fields[0];
  EXPECT_FALSE(a.quoted);
  EXPECT_EQ(a.content_line, 1);
  EXPECT_EQ(a.content_column, 1);
  EXPECT_EQ(a.EndPosition().column, 2);

  const CsvField& q = t->records[0].fields[1];
  ASSERT_EQ(q.text, "x \"y\"\r\nz");
  EXPECT_TRUE(q.quoted);
  EXPECT_EQ(q.line, 1);
  EXPECT_EQ(q.column, 3);  // The opening quote.
  EXPECT_EQ(q.content_line, 1);
  EXPECT_EQ(q.content_column, 4);
  auto at = [&](size_t offset) {
    const CsvPosition p = q.PositionOf(offset);
    return std::to_string(p.line) + ":" + std::to_string(p.column);
  };
  EXPECT_EQ(at(0), "1:4");   // x
  EXPECT_EQ(at(2), "1:6");   // The first '"', written `""`.
  EXPECT_EQ(at(3), "1:8");   // y
  EXPECT_EQ(at(5), "1:11");  // \r
  EXPECT_EQ(at(6), "1:12");  // \n
  EXPECT_EQ(at(7), "2:1");   // z
  EXPECT_EQ(at(8), "2:2");   // The closing quote.
  EXPECT_EQ(at(99), "2:2");  // Clamped to the end.
  const CsvPosition end = q.EndPosition();
  EXPECT_EQ(end.line, 2);
  EXPECT_EQ(end.column, 3);

  const CsvField& c = t->records[1].fields[1];
  EXPECT_EQ(c.content_line, 3);
  EXPECT_EQ(c.content_column, 3);
  EXPECT_EQ(c.PositionOf(0).column, 3);
}

// Columns are byte columns everywhere, also in the UTF-8 check.
TEST(CsvTest, Spec10InvalidUtf8ColumnCountsBytes) {
  auto t = ParseCsv("a\n\xC3\xA9\xff\n", "f.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "f.csv:2:3: invalid UTF-8; expected a UTF-8 encoded file");
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
