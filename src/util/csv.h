// RFC 4180 CSV reader with source positions (SPEC §8, §10).
//
// Accepts UTF-8 with or without BOM, CRLF or LF, quoted fields with ""
// escapes and embedded newlines. Every record and field remembers the line
// and column it started at so import errors can say file:line:col.
#ifndef BIRTHRIGHT_SRC_UTIL_CSV_H_
#define BIRTHRIGHT_SRC_UTIL_CSV_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace birthright {

// Hard limits, enforced with ResourceExhausted (documented in docs/limits.md).
struct CsvLimits {
  int64_t max_bytes = int64_t{256} << 20;  // 256 MiB per file.
  int64_t max_records = 2'000'000;
  int32_t max_fields = 4096;           // Columns per record.
  int64_t max_field_bytes = 64 << 10;  // 64 KiB per cell.
};

// A 1-based line and byte column in the source text.
struct CsvPosition {
  int32_t line = 0;
  int32_t column = 0;
};

struct CsvField {
  std::string text;    // Unquoted content: `""` already folded to `"`.
  int32_t line = 0;    // 1-based line where the field starts.
  int32_t column = 0;  // 1-based byte column where the field starts (at the
                       // opening quote of a quoted field).
  // Where text[0] comes from: just after the opening quote of a quoted
  // field, else the same as line/column.
  int32_t content_line = 0;
  int32_t content_column = 0;
  bool quoted = false;  // Written as "..." in the source.

  // The source position of text[offset], so a diagnostic about a byte of the
  // cell points at that byte (SPEC §10). Counts the newlines a quoted field
  // may hold and the two source bytes of each `""` escape. An offset at or
  // past the end gives the position just after the content (the closing
  // quote of a quoted field).
  CsvPosition PositionOf(size_t offset) const;

  // The position just after the field's last source byte (after its closing
  // quote, if quoted): where a cell a short row lacks would begin.
  CsvPosition EndPosition() const;
};

struct CsvRecord {
  int64_t number = 0;  // 1-based record number; the header is record 1.
  int32_t line = 0;    // 1-based line where the record starts.
  std::vector<CsvField> fields;

  // True when every field is empty or whitespace (a blank spreadsheet row).
  bool IsBlank() const;
};

struct CsvTable {
  std::string file;                // Name used in messages.
  std::vector<CsvRecord> records;  // Blank records are kept; callers skip.
};

// Parses `data`. `file` names the input in error messages. On malformed
// input returns InvalidArgument "file:line:col: what was expected"; on a
// limit, ResourceExhausted. Invalid UTF-8 is an error (output is JSON).
absl::StatusOr<CsvTable> ParseCsv(std::string_view data, std::string_view file,
                                  const CsvLimits& limits = {});

// Reads a file and parses it. NotFound when it cannot be opened.
absl::StatusOr<CsvTable> ReadCsvFile(const std::string& path,
                                     const CsvLimits& limits = {});

// Reads a whole file into memory, refusing more than `max_bytes`.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             int64_t max_bytes);

}  // namespace birthright

#endif  // BIRTHRIGHT_SRC_UTIL_CSV_H_
