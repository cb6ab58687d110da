#include "util/csv.h"

#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "util/diagnostic.h"
#include "util/text.h"

namespace birthright {
namespace {

// Returns the byte length of the UTF-8 sequence at `p`, or 0 if invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t len;
  uint32_t min;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

CsvPosition CsvField::PositionOf(size_t offset) const {
  // A field built by hand (not by ParseCsv) has no content position.
  CsvPosition pos = content_line > 0 ? CsvPosition{content_line, content_column}
                                     : CsvPosition{line, column};
  const size_t end = offset < text.size() ? offset : text.size();
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      // Inside quotes a '"' was written as `""`.
      pos.column += (quoted && text[i] == '"') ? 2 : 1;
    }
  }
  return pos;
}

CsvPosition CsvField::EndPosition() const {
  CsvPosition pos = PositionOf(text.size());
  if (quoted) ++pos.column;  // The closing quote.
  return pos;
}

bool CsvRecord::IsBlank() const {
  for (const CsvField& f : fields) {
    if (!TrimWhitespace(f.text).empty()) return false;
  }
  return true;
}

absl::StatusOr<CsvTable> ParseCsv(std::string_view data, std::string_view file,
                                  const CsvLimits& limits) {
  CsvTable table;
  table.file = std::string(file);
  if (static_cast<int64_t>(data.size()) > limits.max_bytes) {
    return LimitError(file, 0, 0,
                      "file is larger than the limit of " +
                          std::to_string(limits.max_bytes) + " bytes");
  }
  if (data.size() >= 3 && data.substr(0, 3) == "\xEF\xBB\xBF") {
    data.remove_prefix(3);
  }
  // Validate UTF-8 up front so every later stage can assume it.
  {
    int32_t line = 1, col = 1;
    for (size_t i = 0; i < data.size();) {
      if (data[i] == '\0') {
        return InputError(file, line, col, "NUL byte in text input");
      }
      const size_t len = Utf8SequenceLength(data, i);
      if (len == 0) {
        return InputError(file, line, col,
                          "invalid UTF-8; expected a UTF-8 encoded file");
      }
      if (data[i] == '\n') {
        ++line;
        col = 1;
      } else {
        col += static_cast<int32_t>(len);  // Columns count bytes.
      }
      i += len;
    }
  }

  size_t i = 0;
  int32_t line = 1;
  size_t line_start = 0;
  int64_t number = 0;
  while (i < data.size()) {
    CsvRecord record;
    record.number = ++number;
    record.line = line;
    if (number > limits.max_records) {
      return LimitError(
          file, line, 1,
          "more than " + std::to_string(limits.max_records) + " records");
    }
    bool end_of_record = false;
    while (!end_of_record) {
      CsvField field;
      field.line = line;
      field.column = static_cast<int32_t>(i - line_start) + 1;
      field.content_line = field.line;
      field.content_column = field.column;
      if (static_cast<int32_t>(record.fields.size()) >= limits.max_fields) {
        return LimitError(
            file, line, field.column,
            "more than " + std::to_string(limits.max_fields) + " columns");
      }
      if (i < data.size() && data[i] == '"') {
        const int32_t open_line = line, open_col = field.column;
        ++i;
        field.quoted = true;
        field.content_column = open_col + 1;
        bool closed = false;
        while (i < data.size()) {
          const char c = data[i];
          if (c == '"') {
            if (i + 1 < data.size() && data[i + 1] == '"') {
              field.text.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (c == '\n') {
            ++line;
            line_start = i + 1;
          }
          field.text.push_back(c);
          ++i;
          if (static_cast<int64_t>(field.text.size()) >
              limits.max_field_bytes) {
            return LimitError(file, open_line, open_col,
                              "field longer than " +
                                  std::to_string(limits.max_field_bytes) +
                                  " bytes");
          }
        }
        if (!closed) {
          return InputError(file, open_line, open_col,
                            "unterminated quoted field; expected a closing "
                            "'\"'");
        }
        // After a closing quote only a separator or end of line may follow.
        if (i < data.size() && data[i] != ',' && data[i] != '\n' &&
            data[i] != '\r') {
          return InputError(file, line,
                            static_cast<int32_t>(i - line_start) + 1,
                            "expected ',' or end of line after closing quote");
        }
      } else {
        while (i < data.size() && data[i] != ',' && data[i] != '\n' &&
               data[i] != '\r') {
          field.text.push_back(data[i]);
          ++i;
        }
        if (static_cast<int64_t>(field.text.size()) > limits.max_field_bytes) {
          return LimitError(file, field.line, field.column,
                            "field longer than " +
                                std::to_string(limits.max_field_bytes) +
                                " bytes");
        }
      }
      record.fields.push_back(std::move(field));
      if (i >= data.size()) {
        end_of_record = true;
      } else if (data[i] == ',') {
        ++i;
        if (i >= data.size()) {
          // Trailing separator at end of input: one more empty field.
          CsvField empty;
          empty.line = line;
          empty.column = static_cast<int32_t>(i - line_start) + 1;
          empty.content_line = empty.line;
          empty.content_column = empty.column;
          record.fields.push_back(std::move(empty));
          end_of_record = true;
        }
      } else {
        if (data[i] == '\r') ++i;
        if (i < data.size() && data[i] == '\n') ++i;
        ++line;
        line_start = i;
        end_of_record = true;
      }
    }
    table.records.push_back(std::move(record));
  }
  return table;
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             int64_t max_bytes) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return absl::NotFoundError(path + ": cannot open file");
  }
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
    out.append(buf, n);
    if (static_cast<int64_t>(out.size()) > max_bytes) {
      std::fclose(f);
      return absl::ResourceExhaustedError(
          path + ": file is larger than the limit of " +
          std::to_string(max_bytes) + " bytes");
    }
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return absl::DataLossError(path + ": read error");
  return out;
}

absl::StatusOr<CsvTable> ReadCsvFile(const std::string& path,
                                     const CsvLimits& limits) {
  auto data = ReadFileToString(path, limits.max_bytes);
  if (!data.ok()) return data.status();
  return ParseCsv(*data, path, limits);
}

}  // namespace birthright
