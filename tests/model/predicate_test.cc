#include "birthright/predicate.h"

#include "gtest/gtest.h"

namespace birthright {
namespace {

Predicate Cell(std::string_view s) {
  CellParse p = ParseCell(s);
  EXPECT_FALSE(p.error) << s << ": " << p.error->message;
  EXPECT_TRUE(p.predicate) << s;
  return p.predicate.value_or(Predicate{});
}

TEST(ParseCellTest, Spec3NoConstraint) {
  EXPECT_FALSE(ParseCell("").predicate);
  EXPECT_FALSE(ParseCell("  * ").predicate);
  EXPECT_FALSE(ParseCell("Any").predicate);
}

TEST(ParseCellTest, Spec3EqualsAndAnyOf) {
  EXPECT_EQ(Cell("Sales"), (Predicate{PredicateOp::kAnyOf, {"Sales"}}));
  EXPECT_EQ(Cell("Sales | Marketing"),
            (Predicate{PredicateOp::kAnyOf, {"Sales", "Marketing"}}));
  EXPECT_EQ(Cell("Sales; Marketing"),
            (Predicate{PredicateOp::kAnyOf, {"Sales", "Marketing"}}));
}

TEST(ParseCellTest, Spec3NoneOf) {
  EXPECT_EQ(Cell("not Contractor"),
            (Predicate{PredicateOp::kNoneOf, {"Contractor"}}));
  EXPECT_EQ(Cell("!Contractor"),
            (Predicate{PredicateOp::kNoneOf, {"Contractor"}}));
  EXPECT_EQ(Cell("not (A | B)"), (Predicate{PredicateOp::kNoneOf, {"A", "B"}}));
}

TEST(ParseCellTest, Spec3ComparisonsAndRanges) {
  EXPECT_EQ(Cell("> L4"), (Predicate{PredicateOp::kGreater, {"L4"}}));
  EXPECT_EQ(Cell(">= 2023-01-01"),
            (Predicate{PredicateOp::kGreaterEq, {"2023-01-01"}}));
  EXPECT_EQ(Cell("< 5"), (Predicate{PredicateOp::kLess, {"5"}}));
  EXPECT_EQ(Cell("<= L7"), (Predicate{PredicateOp::kLessEq, {"L7"}}));
  EXPECT_EQ(Cell("L3..L6"), (Predicate{PredicateOp::kRange, {"L3", "L6"}}));
  EXPECT_EQ(Cell("2023-01-01..2023-12-31"),
            (Predicate{PredicateOp::kRange, {"2023-01-01", "2023-12-31"}}));
}

TEST(ParseCellTest, Spec3SubstringsRegexPresence) {
  EXPECT_EQ(Cell("contains eng"), (Predicate{PredicateOp::kContains, {"eng"}}));
  EXPECT_EQ(Cell("starts with Sr"),
            (Predicate{PredicateOp::kStartsWith, {"Sr"}}));
  EXPECT_EQ(Cell("ends with Manager"),
            (Predicate{PredicateOp::kEndsWith, {"Manager"}}));
  EXPECT_EQ(Cell("/^(Staff|Principal) Engineer$/"),
            (Predicate{PredicateOp::kRegex, {"^(Staff|Principal) Engineer$"}}));
  EXPECT_EQ(Cell("exists"), (Predicate{PredicateOp::kExists, {}}));
  EXPECT_EQ(Cell("missing"), (Predicate{PredicateOp::kMissing, {}}));
}

TEST(ParseCellTest, Spec3QuotedValueWithReservedCharacters) {
  EXPECT_EQ(Cell("\"R&D; Labs\""),
            (Predicate{PredicateOp::kAnyOf, {"R&D; Labs"}}));
  EXPECT_EQ(Cell("\"R&D; Labs\" | Sales"),
            (Predicate{PredicateOp::kAnyOf, {"R&D; Labs", "Sales"}}));
  EXPECT_EQ(Cell("\"A..B\""), (Predicate{PredicateOp::kAnyOf, {"A..B"}}));
}

TEST(ParseCellTest, Spec10ErrorsSayWhereAndWhat) {
  CellParse p = ParseCell("Sales |");
  ASSERT_TRUE(p.error);
  EXPECT_EQ(p.error->message, "expected a value");
  p = ParseCell("\"open");
  ASSERT_TRUE(p.error);
  EXPECT_EQ(p.error->column, 1);
  p = ParseCell(">");
  ASSERT_TRUE(p.error);
  EXPECT_EQ(p.error->message, "expected a value after '>'");
  p = ParseCell("/abc");
  ASSERT_TRUE(p.error);
}

TEST(ParseExprTest, Spec3UnlessExpressions) {
  ExprParse e =
      ParseExpr("employment_type = Contractor or location in (EU, APAC)");
  ASSERT_TRUE(e.expr) << e.error->message;
  EXPECT_EQ(e.expr->kind, Expr::Kind::kOr);
  ASSERT_EQ(e.expr->children.size(), 2u);
  EXPECT_EQ(e.expr->children[0].attribute, "employment_type");
  EXPECT_EQ(e.expr->children[1].predicate,
            (Predicate{PredicateOp::kAnyOf, {"EU", "APAC"}}));
  EXPECT_EQ(FormatExpr(*e.expr),
            "employment_type = Contractor or location in (EU, APAC)");
}

TEST(ParseExprTest, MultiWordNamesAndValuesNotAndParens) {
  ExprParse e = ParseExpr(
      "not (employment type = Full Time) and job title starts with Sr");
  ASSERT_TRUE(e.expr) << e.error->message;
  EXPECT_EQ(e.expr->kind, Expr::Kind::kAnd);
  EXPECT_EQ(e.expr->children[0].kind, Expr::Kind::kNot);
  EXPECT_EQ(e.expr->children[0].children[0].attribute, "employment type");
  EXPECT_EQ(e.expr->children[0].children[0].predicate.values[0], "Full Time");
  EXPECT_EQ(e.expr->children[1].predicate.op, PredicateOp::kStartsWith);
}

TEST(ParseExprTest, OperatorsRoundTrip) {
  for (const char* text :
       {"grade > L5", "grade <= L5", "grade in L3..L6", "manager exists",
        "contract end missing", "title matches /^sr/", "dept != Sales",
        "dept not in (A, B)", "title contains eng", "title ends with lead"}) {
    ExprParse e = ParseExpr(text);
    ASSERT_TRUE(e.expr) << text << ": " << e.error->message;
    EXPECT_EQ(FormatExpr(*e.expr), text);
  }
}

TEST(ParseExprTest, Spec10ErrorsAndDepthLimit) {
  ExprParse e = ParseExpr("dept = ");
  ASSERT_TRUE(e.error);
  e = ParseExpr("(dept = A");
  ASSERT_TRUE(e.error);
  EXPECT_EQ(e.error->message, "expected ')'");
  e = ParseExpr("dept Sales");
  ASSERT_TRUE(e.error);
  std::string deep(200, '(');
  deep += "a = b";
  deep += std::string(200, ')');
  e = ParseExpr(deep);
  ASSERT_TRUE(e.error);
  EXPECT_TRUE(e.limit_hit);
}

// Regression (found by fuzz_expr): a '"' inside an unquoted value was kept,
// so the formatted expression could not be parsed back.
TEST(ParseExprTest, RegressionStrayQuoteInsideAValueIsAnError) {
  ExprParse e = ParseExpr("3<.&L&x;y\" and b ends with 6");
  ASSERT_TRUE(e.error);
  EXPECT_FALSE(e.expr);
  e = ParseExpr("dept = R&D\"x");
  ASSERT_TRUE(e.error);
}

// Regression (found by fuzz_expr): "a...b" parsed as a range that formatted
// back ambiguously; bounds may not start or end with '.'.
TEST(ParseCellTest, RegressionAmbiguousRangeDotsAreAnError) {
  EXPECT_TRUE(ParseCell("a...b").error);
  EXPECT_TRUE(ParseCell("a. ..b").error);
  EXPECT_TRUE(ParseExpr("x in a...b").error);
  EXPECT_EQ(ParseCell("L3..L6").predicate->op, PredicateOp::kRange);
}

// Regression (found by fuzz_expr): a quoted value made only of a form feed
// was written back unquoted, then trimmed away on reparse.
TEST(ParseExprTest, RegressionWhitespaceOnlyValuesStayQuoted) {
  ExprParse e = ParseExpr("x in (\"\f\", a)");
  ASSERT_TRUE(e.expr);
  const std::string formatted = FormatExpr(*e.expr);
  ExprParse again = ParseExpr(formatted);
  ASSERT_TRUE(again.expr) << formatted;
  EXPECT_EQ(again.expr->predicate, e.expr->predicate);
}

// Regression (found by fuzz_expr): a value ending in a keyword ("... or")
// was written back unquoted and reparsed as an operator.
TEST(ParseExprTest, RegressionValuesHoldingKeywordsAreQuoted) {
  ExprParse e = ParseExpr("location in (X tractor or)");
  ASSERT_TRUE(e.expr) << e.error->message;
  const std::string formatted = FormatExpr(*e.expr);
  EXPECT_EQ(formatted, "location = \"X tractor or\"");
  ExprParse again = ParseExpr(formatted);
  ASSERT_TRUE(again.expr);
  EXPECT_EQ(again.expr->predicate, e.expr->predicate);
}

}  // namespace
}  // namespace birthright
