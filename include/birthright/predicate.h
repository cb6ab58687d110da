// Conditions as written: the cell grammar of SPEC §3 and the boolean
// `unless` expressions built from the same predicates.
//
// These are syntax trees with literals kept as text. Typing, alias
// canonicalization and regex compilation happen when a Policy is bound
// (bound_policy.h), because types may be inferred from HR data (SPEC §2).
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_PREDICATE_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_PREDICATE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace birthright {

enum class PredicateOp : uint8_t {
  kAnyOf,       // `Sales`, `Sales | Marketing`, `Sales; Marketing`
  kNoneOf,      // `not Contractor`, `!Contractor`, `not (A | B)`
  kLess,        // `< 5`
  kLessEq,      // `<= L7`
  kGreater,     // `> L4`
  kGreaterEq,   // `>= 2023-01-01`
  kRange,       // `L3..L6` (inclusive)
  kContains,    // `contains eng`
  kStartsWith,  // `starts with Sr`
  kEndsWith,    // `ends with Manager`
  kRegex,       // `/^(Staff|Principal) Engineer$/`
  kExists,      // `exists`
  kMissing,     // `missing`
};

// Short name used in messages and the policy language ("any-of", ...).
std::string_view PredicateOpName(PredicateOp op);

// True for ops that compare in the attribute's order (<, <=, >, >=, range).
bool IsOrderedOp(PredicateOp op);
// True for substring and regex ops.
bool IsPatternOp(PredicateOp op);

struct Predicate {
  PredicateOp op = PredicateOp::kAnyOf;
  // Literals as written (unquoted, trimmed): the list for any-of/none-of,
  // one operand for comparisons and patterns, {low, high} for a range, none
  // for exists/missing.
  std::vector<std::string> values;

  friend bool operator==(const Predicate&, const Predicate&) = default;
};

// One parsed `unless` (or policy-language) expression. Kleene logic.
struct Expr {
  enum class Kind : uint8_t { kPredicate, kAnd, kOr, kNot };
  Kind kind = Kind::kPredicate;
  std::string attribute;  // kPredicate: the attribute as written.
  Predicate predicate;    // kPredicate.
  std::vector<Expr> children;
  int32_t column = 0;  // 1-based byte column within the source text.
};

// Limits for parsing cells and expressions (hard; ResourceExhausted).
struct ExprLimits {
  int32_t max_depth = 64;          // Parenthesis / `not` nesting.
  int32_t max_nodes = 4096;        // Nodes per expression.
  int32_t max_list_values = 4096;  // Values in one any-of / none-of list.
};

// A syntax error inside one cell or expression: the 1-based byte column
// within that text and what was expected.
struct SyntaxError {
  int32_t column = 1;
  std::string message;
};

// Parses one condition cell (SPEC §3 table). Returns nullopt for "no
// constraint" (empty, `*`, `any`). On error returns SyntaxError.
struct CellParse {
  std::optional<Predicate> predicate;
  std::optional<SyntaxError> error;
  bool limit_hit = false;
};
CellParse ParseCell(std::string_view cell, const ExprLimits& limits = {});

// Parses an expression: predicates `ATTR OP VALUE` joined by and/or/not and
// parentheses. Operators: `=`, `!=`, `in (A, B)`, `not in (A, B)`,
// `in L3..L6`, `<`, `<=`, `>`, `>=`, `contains`, `starts with`, `ends with`,
// `matches /re/`, `exists`, `missing`.
struct ExprParse {
  std::optional<Expr> expr;
  std::optional<SyntaxError> error;
  bool limit_hit = false;
};
ExprParse ParseExpr(std::string_view text, const ExprLimits& limits = {});

// Canonical text of a predicate in cell syntax (`Sales | Marketing`,
// `> L4`, ...) and of an expression; used by the formatter and messages.
std::string FormatPredicate(const Predicate& p);
std::string FormatExpr(const Expr& e);

// Calls `f` on every predicate node of `e`, depth-first, left to right: the
// order of Rule::unless_predicate_locations.
void ForEachPredicate(const Expr& e, const std::function<void(const Expr&)>& f);

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_PREDICATE_H_
