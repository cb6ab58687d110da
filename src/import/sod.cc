// The separation-of-duties sheet (docs/formats.md "SoD"): one toxic pair
// per row, `id, first, second, message`, each entitlement written
// `App`, `App [instance]`, `App: Level` or `App [instance]: Level`.
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "birthright/import.h"
#include "util/csv.h"
#include "util/diagnostic.h"
#include "util/status_macros.h"
#include "util/text.h"

namespace birthright {
namespace {

const CsvField& CellOf(const CsvRecord& r, int col) {
  static const CsvField kEmpty;
  return col >= 0 && static_cast<size_t>(col) < r.fields.size() ? r.fields[col]
                                                                : kEmpty;
}

absl::Status ErrorAtCell(const CsvTable& t, const CsvRecord& r, int col,
                         size_t offset, std::string_view message) {
  if (col < 0 || static_cast<size_t>(col) >= r.fields.size()) {
    int32_t column = 1;
    if (!r.fields.empty()) column = r.fields.back().EndPosition().column;
    return InputError(t.file, r.line, column, message);
  }
  const CsvPosition p = r.fields[col].PositionOf(offset);
  return InputError(t.file, p.line, p.column, message);
}

int Find(const CsvRecord& header, std::initializer_list<std::string_view> n) {
  for (size_t c = 0; c < header.fields.size(); ++c) {
    const std::string f = FoldName(header.fields[c].text);
    for (std::string_view x : n) {
      if (f == x) return static_cast<int>(c);
    }
  }
  return -1;
}

constexpr std::string_view kSyntax =
    "expected an entitlement 'App', 'App [instance]', 'App: Level' or "
    "'App [instance]: Level'";

// Parses one entitlement cell; errors point at the offending byte.
absl::Status ParseEntitlement(const CsvTable& t, const CsvRecord& r, int col,
                              SodEntitlement* out) {
  const std::string& text = CellOf(r, col).text;
  std::string_view s = text;
  size_t app_end = s.find_first_of("[:");
  if (app_end == std::string_view::npos) app_end = s.size();
  out->app = std::string(TrimWhitespace(s.substr(0, app_end)));
  if (out->app.empty()) return ErrorAtCell(t, r, col, 0, kSyntax);
  size_t pos = app_end;
  if (pos < s.size() && s[pos] == '[') {
    const size_t close = s.find(']', pos);
    if (close == std::string_view::npos) {
      return ErrorAtCell(t, r, col, s.size(),
                         "expected ']' closing the instance");
    }
    out->instance =
        std::string(TrimWhitespace(s.substr(pos + 1, close - pos - 1)));
    if (out->instance.empty()) {
      return ErrorAtCell(t, r, col, pos + 1,
                         "expected an instance name inside '[ ]'");
    }
    pos = close + 1;
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
  }
  if (pos < s.size()) {
    if (s[pos] != ':') return ErrorAtCell(t, r, col, pos, kSyntax);
    out->level = std::string(TrimWhitespace(s.substr(pos + 1)));
    if (out->level.empty()) {
      return ErrorAtCell(t, r, col, pos + 1, "expected a level after ':'");
    }
    if (out->level.find_first_of("[]:") != std::string::npos) {
      return ErrorAtCell(
          t, r, col, pos + 1 + s.substr(pos + 1).find_first_of("[]:"), kSyntax);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ImportSod(std::string_view data, std::string_view file,
                       Policy* policy) {
  BR_ASSIGN_OR_RETURN(CsvTable table, ParseCsv(data, file));
  size_t first = 0;
  while (first < table.records.size() && table.records[first].IsBlank())
    ++first;
  if (first == table.records.size()) {
    return InputError(file, 1, 1,
                      "empty file; expected a header row 'id, first, second, "
                      "message' for a separation-of-duties sheet");
  }
  const CsvRecord& header = table.records[first];
  const int id_col = Find(header, {"id", "rule", "ruleid"});
  const int first_col = Find(header, {"first"});
  const int second_col = Find(header, {"second"});
  const int msg_col = Find(header, {"message", "reason", "notes"});
  if (first_col < 0 || second_col < 0) {
    return InputError(file, header.line, 1,
                      "expected separation-of-duties columns 'id, first, "
                      "second, message'");
  }
  std::vector<SodConstraint> rows;
  std::set<std::string> ids;
  for (size_t ri = first + 1; ri < table.records.size(); ++ri) {
    const CsvRecord& r = table.records[ri];
    if (r.IsBlank()) continue;
    for (size_t c = header.fields.size(); c < r.fields.size(); ++c) {
      if (!TrimWhitespace(r.fields[c].text).empty()) {
        return ErrorAtCell(table, r, static_cast<int>(c), 0,
                           "cell beyond the last header column; expected the "
                           "row to end or a header for this column");
      }
    }
    SodConstraint s;
    s.location = SourceLocation{table.file, r.line, 0};
    s.id = std::string(TrimWhitespace(CellOf(r, id_col).text));
    if (s.id.empty()) {
      // Like the rules list (SPEC §8): row-N, N the record number counted
      // from the header.
      s.id = "row-" + std::to_string(r.number - header.number + 1);
    }
    if (!ids.insert(AsciiLowercase(s.id)).second) {
      return ErrorAtCell(table, r, id_col, 0,
                         "duplicate id '" + s.id +
                             "'; expected each separation-of-duties row to "
                             "have its own id");
    }
    BR_RETURN_IF_ERROR(ParseEntitlement(table, r, first_col, &s.first));
    BR_RETURN_IF_ERROR(ParseEntitlement(table, r, second_col, &s.second));
    s.message = std::string(TrimWhitespace(CellOf(r, msg_col).text));
    rows.push_back(std::move(s));
  }
  for (SodConstraint& s : rows) policy->sod.push_back(std::move(s));
  return absl::OkStatus();
}

}  // namespace birthright
