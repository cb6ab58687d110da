// Positioned input errors: "file:line:col: message" (SPEC §10).
#ifndef BIRTHRIGHT_SRC_UTIL_DIAGNOSTIC_H_
#define BIRTHRIGHT_SRC_UTIL_DIAGNOSTIC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace birthright {

// "file:line:col" with zero parts omitted ("file:line", "file").
std::string FormatLocation(std::string_view file, int32_t line, int32_t column);

// InvalidArgument "file:line:col: message".
absl::Status InputError(std::string_view file, int32_t line, int32_t column,
                        std::string_view message);

// ResourceExhausted "file:line:col: message" for a documented limit.
absl::Status LimitError(std::string_view file, int32_t line, int32_t column,
                        std::string_view message);

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_UTIL_DIAGNOSTIC_H_
