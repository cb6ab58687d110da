#include "util/diagnostic.h"

namespace birthright {

std::string FormatLocation(std::string_view file, int32_t line,
                           int32_t column) {
  std::string out(file.empty() ? std::string_view("<input>") : file);
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

absl::Status InputError(std::string_view file, int32_t line, int32_t column,
                        std::string_view message) {
  return absl::InvalidArgumentError(FormatLocation(file, line, column) + ": " +
                                    std::string(message));
}

absl::Status LimitError(std::string_view file, int32_t line, int32_t column,
                        std::string_view message) {
  return absl::ResourceExhaustedError(FormatLocation(file, line, column) +
                                      ": " + std::string(message));
}

}  // namespace birthright
