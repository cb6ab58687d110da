// Small status-propagation macros. Debian's Abseil 20220623 ships none, so the
// project keeps its own two, in the spirit of absl's internal ones.
#ifndef BIRTHRIGHT_SRC_UTIL_STATUS_MACROS_H_
#define BIRTHRIGHT_SRC_UTIL_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define BIRTHRIGHT_CONCAT_INNER_(a, b) a##b
#define BIRTHRIGHT_CONCAT_(a, b) BIRTHRIGHT_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status); returns it from the enclosing function
// when it is not OK.
#define BR_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status br_status_ = (expr);      \
    if (!br_status_.ok()) return br_status_; \
  } while (0)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns the status,
// otherwise move-assigns the value to `lhs` (which may be a declaration).
#define BR_ASSIGN_OR_RETURN(lhs, rexpr)                                      \
  BR_ASSIGN_OR_RETURN_IMPL_(BIRTHRIGHT_CONCAT_(br_statusor_, __LINE__), lhs, \
                            rexpr)
#define BR_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)    \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // BIRTHRIGHT_SRC_UTIL_STATUS_MACROS_H_
