// Spreadsheet importers (SPEC §8). Each one validates as it reads and
// reports the first error with file:line:col and what was expected.
#include "birthright/import.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "birthright/policy_text.h"
#include "import/headers.h"
#include "util/csv.h"
#include "util/diagnostic.h"
#include "util/status_macros.h"
#include "util/text.h"

namespace birthright {
namespace {

std::string Trimmed(const CsvField& f) {
  return std::string(TrimWhitespace(f.text));
}

// The cell of `record` at `col`, or an empty field for a cell a ragged
// (short) row lacks. Only its text is meaningful: positions come from At()
// and CellPosition(), which place a missing cell after the row's last cell.
const CsvField& Cell(const CsvRecord& record, size_t col) {
  static const CsvField kEmpty;
  return col < record.fields.size() ? record.fields[col] : kEmpty;
}

// Where a cell a short row lacks would begin: just after the row's last
// cell, so diagnostics about it still name a column (SPEC §10).
CsvPosition MissingCellPosition(const CsvRecord& r) {
  if (r.fields.empty()) return CsvPosition{r.line, 1};
  return r.fields.back().EndPosition();
}

// The source position of byte `offset` of the text of cell `col`.
CsvPosition CellPosition(const CsvRecord& r, size_t col, size_t offset) {
  if (col >= r.fields.size()) return MissingCellPosition(r);
  return r.fields[col].PositionOf(offset);
}

SourceLocation At(const CsvTable& t, const CsvRecord& r) {
  return SourceLocation{t.file, r.line, 0};
}
// The cell itself (its opening quote, if quoted).
SourceLocation At(const CsvTable& t, const CsvRecord& r, size_t col) {
  if (col >= r.fields.size()) {
    const CsvPosition p = MissingCellPosition(r);
    return SourceLocation{t.file, p.line, p.column};
  }
  const CsvField& f = r.fields[col];
  return SourceLocation{t.file, f.line, f.column};
}

absl::Status ErrorAt(const SourceLocation& loc, std::string_view message) {
  return InputError(loc.file, loc.line, loc.column, message);
}

// Rejects non-empty cells beyond the header (a ragged long row).
absl::Status CheckRowWidth(const CsvTable& t, const CsvRecord& r,
                           size_t header_width) {
  for (size_t c = header_width; c < r.fields.size(); ++c) {
    if (!TrimWhitespace(r.fields[c].text).empty()) {
      return ErrorAt(At(t, r, c),
                     "cell beyond the last header column (" +
                         std::to_string(header_width) +
                         " columns); expected the row to end or a header "
                         "for this column");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CsvTable> ParseWithHeader(std::string_view data,
                                         std::string_view file,
                                         std::string_view what) {
  BR_ASSIGN_OR_RETURN(CsvTable table, ParseCsv(data, file));
  size_t first = 0;
  while (first < table.records.size() && table.records[first].IsBlank())
    ++first;
  if (first == table.records.size()) {
    return InputError(
        file, 1, 1,
        "empty file; expected a header row for " + std::string(what));
  }
  if (first > 0) {
    table.records.erase(table.records.begin(), table.records.begin() + first);
    // SPEC §8 numbers records from the header (= 1), so blank records above
    // it do not shift the row-N ids. Lines stay as they are in the file.
    for (CsvRecord& r : table.records) r.number -= static_cast<int64_t>(first);
  }
  // Duplicate headers (after folding) would make cells ambiguous.
  std::map<std::string, size_t> seen;
  const CsvRecord& header = table.records[0];
  for (size_t c = 0; c < header.fields.size(); ++c) {
    const std::string folded = FoldName(header.fields[c].text);
    if (folded.empty()) continue;
    auto [it, inserted] = seen.emplace(folded, c);
    if (!inserted) {
      return ErrorAt(At(table, header, c),
                     "duplicate column '" + Trimmed(header.fields[c]) +
                         "' (same as column " + std::to_string(it->second + 1) +
                         " after ignoring case, spaces, '-' and '_')");
    }
  }
  return table;
}

// Finds a column by folded name among `names`; -1 when absent.
int FindColumn(const CsvRecord& header,
               std::initializer_list<std::string_view> names) {
  for (size_t c = 0; c < header.fields.size(); ++c) {
    const std::string f = FoldName(header.fields[c].text);
    for (std::string_view n : names) {
      if (f == n) return static_cast<int>(c);
    }
  }
  return -1;
}

absl::Status CellSyntaxError(const CsvTable& t, const CsvRecord& r, size_t col,
                             const SyntaxError& e, bool limit,
                             std::string_view what) {
  const CsvField& f = Cell(r, col);
  // e.column is 1-based in the cell's text; map it back to the source, past
  // an opening quote, embedded newlines and `""` escapes.
  const CsvPosition pos = CellPosition(
      r, col, e.column > 1 ? static_cast<size_t>(e.column - 1) : 0);
  const std::string message = std::string(what) + " '" +
                              std::string(TrimWhitespace(f.text)) +
                              "': " + e.message;
  return limit ? LimitError(t.file, pos.line, pos.column, message)
               : InputError(t.file, pos.line, pos.column, message);
}

// Where each predicate of `e` starts in the source, in the order a
// depth-first, left-to-right walk reaches them (see
// Rule::unless_predicate_locations). `field` is the cell `e` was parsed from.
void CollectPredicateLocations(const CsvTable& t, const CsvField& field,
                               const Expr& e,
                               std::vector<SourceLocation>* out) {
  ForEachPredicate(e, [&](const Expr& p) {
    const CsvPosition pos =
        field.PositionOf(p.column > 1 ? static_cast<size_t>(p.column - 1) : 0);
    out->push_back(SourceLocation{t.file, pos.line, pos.column});
  });
}

absl::StatusOr<std::optional<Date>> OptionalDate(const CsvTable& t,
                                                 const CsvRecord& r, int col,
                                                 std::string_view what) {
  if (col < 0) return std::optional<Date>();
  const std::string v = Trimmed(Cell(r, col));
  if (v.empty()) return std::optional<Date>();
  std::optional<Date> d = ParseIsoDate(v);
  if (!d) {
    return ErrorAt(At(t, r, col), "malformed " + std::string(what) + " '" + v +
                                      "'; expected an ISO date YYYY-MM-DD");
  }
  return d;
}

// Sets the id of `rule` and where it was written: the id cell, or column 1
// of the row for a generated `row-N` (N the record number, header = 1).
void SetRowId(const CsvTable& t, const CsvRecord& r, int id_col, Rule* rule) {
  rule->id = id_col >= 0 ? Trimmed(Cell(r, id_col)) : std::string();
  if (!rule->id.empty()) {
    rule->id_location = At(t, r, id_col);
    return;
  }
  rule->id = "row-" + std::to_string(r.number);
  rule->id_location = SourceLocation{t.file, r.line, 1};
}

// The id cell of `rule`, or its row for a rule built without one.
const SourceLocation& IdLocation(const Rule& rule) {
  return rule.id_location.line > 0 ? rule.id_location : rule.location;
}

absl::Status CheckUniqueRuleIds(const Policy& policy, size_t first_new) {
  std::map<std::string, const Rule*> ids;
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const Rule& rule = policy.rules[i];
    auto [it, inserted] = ids.emplace(rule.id, &rule);
    if (!inserted && i >= first_new) {
      return ErrorAt(IdLocation(rule),
                     "duplicate rule id '" + rule.id + "' (first at " +
                         FormatSourceLocation(IdLocation(*it->second)) +
                         "); expected unique ids");
    }
  }
  return absl::OkStatus();
}

}  // namespace

void SplitAppHeader(std::string_view header, std::string* app,
                    std::string* instance) {
  header = TrimWhitespace(header);
  instance->clear();
  if (!header.empty() && header.back() == ']') {
    const size_t open = header.rfind('[');
    if (open != std::string_view::npos) {
      *instance = std::string(
          TrimWhitespace(header.substr(open + 1, header.size() - open - 2)));
      *app = std::string(TrimWhitespace(header.substr(0, open)));
      return;
    }
  }
  *app = std::string(header);
}

namespace {

// True when the first non-blank line, split at commas, has a field that is
// a reserved rules-list header ("Rule ID,Application"): a CSV header that
// happens to start with a policy-language keyword.
bool FirstLineNamesRuleColumns(std::string_view data) {
  if (data.starts_with("\xEF\xBB\xBF")) data.remove_prefix(3);
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    const std::string_view line = data.substr(pos, end - pos);
    pos = end + 1;
    if (TrimWhitespace(line).empty()) continue;
    if (line.find(',') == std::string_view::npos) return false;
    for (const std::string& field : SplitTrimmed(line, ',')) {
      if (ClassifyRuleHeader(FoldName(field)) != RuleColumn::kCondition) {
        return true;
      }
    }
    return false;
  }
  return false;
}

}  // namespace

RulesFormat DetectRulesFormat(std::string_view data) {
  if (data.size() >= 8 && data.substr(4, 4) == "BRSN")
    return RulesFormat::kSnapshot;
  if (LooksLikePolicyText(data) && !FirstLineNamesRuleColumns(data)) {
    return RulesFormat::kPolicyText;
  }
  auto table = ParseCsv(data.substr(0, std::min<size_t>(data.size(), 1 << 16)),
                        "<detect>");
  if (table.ok()) {
    for (const CsvRecord& r : table->records) {
      if (r.IsBlank()) continue;
      for (const CsvField& f : r.fields) {
        if (ClassifyRuleHeader(FoldName(f.text)) == RuleColumn::kApp) {
          return RulesFormat::kRulesList;
        }
      }
      break;
    }
  }
  return RulesFormat::kMatrix;
}

absl::Status ImportRulesList(std::string_view data, std::string_view file,
                             Policy* policy, ImportReport* report) {
  BR_ASSIGN_OR_RETURN(CsvTable table,
                      ParseWithHeader(data, file, "a rules list"));
  const CsvRecord& header = table.records[0];
  std::vector<RuleColumn> roles(header.fields.size(), RuleColumn::kCondition);
  std::map<RuleColumn, int> col_of;
  if (report != nullptr) {
    report->file = std::string(file);
    report->format = "rules list";
  }
  for (size_t c = 0; c < header.fields.size(); ++c) {
    const std::string folded = FoldName(header.fields[c].text);
    if (folded.empty()) {
      roles[c] = RuleColumn::kCondition;
      if (report) report->columns.push_back({"", "ignored (no header)"});
      continue;
    }
    roles[c] = ClassifyRuleHeader(folded);
    if (roles[c] != RuleColumn::kCondition) {
      if (col_of.count(roles[c])) {
        return ErrorAt(At(table, header, c),
                       "column '" + Trimmed(header.fields[c]) +
                           "' repeats the " +
                           std::string(RuleColumnName(roles[c])) +
                           " column (synonyms count as the same)");
      }
      col_of[roles[c]] = static_cast<int>(c);
    }
    if (report) {
      report->columns.push_back(
          {Trimmed(header.fields[c]),
           roles[c] == RuleColumn::kCondition
               ? "condition on attribute '" + Trimmed(header.fields[c]) + "'"
               : std::string(RuleColumnName(roles[c]))});
    }
  }
  if (!col_of.count(RuleColumn::kApp)) {
    return ErrorAt(SourceLocation{table.file, header.line, 1},
                   "no 'app' column; expected a rules list header with an "
                   "'app' column (or import the sheet as an access matrix)");
  }
  auto col = [&](RuleColumn c) {
    auto it = col_of.find(c);
    return it == col_of.end() ? -1 : it->second;
  };
  const size_t first_new = policy->rules.size();
  ExprLimits expr_limits;
  for (size_t ri = 1; ri < table.records.size(); ++ri) {
    const CsvRecord& r = table.records[ri];
    if (r.IsBlank()) continue;
    BR_RETURN_IF_ERROR(CheckRowWidth(table, r, header.fields.size()));
    Rule rule;
    rule.location = At(table, r);
    SetRowId(table, r, col(RuleColumn::kId), &rule);
    for (size_t c = 0; c < header.fields.size(); ++c) {
      if (roles[c] != RuleColumn::kCondition) continue;
      if (TrimWhitespace(header.fields[c].text).empty()) {
        if (!TrimWhitespace(Cell(r, c).text).empty()) {
          return ErrorAt(At(table, r, c),
                         "value in a column without a header; expected a "
                         "header naming the attribute");
        }
        continue;
      }
      CellParse parsed = ParseCell(Cell(r, c).text, expr_limits);
      if (parsed.error) {
        return CellSyntaxError(table, r, c, *parsed.error, parsed.limit_hit,
                               "condition");
      }
      if (!parsed.predicate) continue;
      Condition cond;
      cond.attribute = Trimmed(header.fields[c]);
      cond.predicate = std::move(*parsed.predicate);
      cond.text = Trimmed(Cell(r, c));
      cond.location = At(table, r, c);
      rule.conditions.push_back(std::move(cond));
    }
    // Effect.
    if (int c = col(RuleColumn::kEffect); c >= 0) {
      const std::string v = FoldName(Cell(r, c).text);
      if (v.empty() || v == "grant" || v == "allow") {
        rule.effect = Effect::kGrant;
      } else if (v == "deny" || v == "revoke") {
        rule.effect = Effect::kDeny;
      } else {
        return ErrorAt(At(table, r, c), "unknown effect '" +
                                            Trimmed(Cell(r, c)) +
                                            "'; expected 'grant' or 'deny'");
      }
    }
    // Target.
    Target target;
    target.app = Trimmed(Cell(r, col(RuleColumn::kApp)));
    target.location = At(table, r, col(RuleColumn::kApp));
    if (target.app.empty()) {
      return ErrorAt(
          At(table, r, col(RuleColumn::kApp)),
          "empty app; expected the app this rule " +
              std::string(rule.effect == Effect::kGrant ? "grants" : "denies"));
    }
    if (int c = col(RuleColumn::kInstance); c >= 0)
      target.instance = Trimmed(Cell(r, c));
    if (int c = col(RuleColumn::kLevel); c >= 0)
      target.level = Trimmed(Cell(r, c));
    if (int c = col(RuleColumn::kScopes); c >= 0) {
      target.scopes = SplitTrimmed(Cell(r, c).text, ';');
    }
    rule.targets.push_back(std::move(target));
    // Unless.
    if (int c = col(RuleColumn::kUnless); c >= 0) {
      const std::string text = Trimmed(Cell(r, c));
      if (!text.empty()) {
        ExprParse parsed = ParseExpr(Cell(r, c).text, expr_limits);
        if (parsed.error) {
          return CellSyntaxError(table, r, c, *parsed.error, parsed.limit_hit,
                                 "unless expression");
        }
        rule.unless_location = At(table, r, c);
        CollectPredicateLocations(table, Cell(r, c), *parsed.expr,
                                  &rule.unless_predicate_locations);
        rule.unless = std::move(*parsed.expr);
        rule.unless_text = text;
      }
    }
    if (int c = col(RuleColumn::kPriority); c >= 0) {
      const std::string v = Trimmed(Cell(r, c));
      if (!v.empty()) {
        std::optional<int64_t> p = ParseInt64(v);
        if (!p || *p < -1'000'000'000 || *p > 1'000'000'000) {
          return ErrorAt(At(table, r, c),
                         "malformed priority '" + v + "'; expected an integer");
        }
        rule.priority = static_cast<int32_t>(*p);
      }
    }
    if (int c = col(RuleColumn::kExpires); c >= 0) {
      const std::string v = Trimmed(Cell(r, c));
      if (!v.empty()) {
        rule.expires_location = At(table, r, c);
        if (std::optional<Date> d = ParseIsoDate(v)) {
          rule.expires.kind = Expiry::Kind::kDate;
          rule.expires.date = *d;
        } else if (IsAsciiDigit(v[0])) {
          return ErrorAt(At(table, r, c),
                         "malformed expiry '" + v +
                             "'; expected an ISO date YYYY-MM-DD or the name "
                             "of a date attribute");
        } else {
          rule.expires.kind = Expiry::Kind::kAttribute;
          rule.expires.attribute = v;
        }
      }
    }
    BR_ASSIGN_OR_RETURN(rule.effective_from,
                        OptionalDate(table, r, col(RuleColumn::kEffectiveFrom),
                                     "effective from date"));
    BR_ASSIGN_OR_RETURN(rule.effective_until,
                        OptionalDate(table, r, col(RuleColumn::kEffectiveUntil),
                                     "effective until date"));
    if (int c = col(RuleColumn::kOwner); c >= 0)
      rule.owner = Trimmed(Cell(r, c));
    if (int c = col(RuleColumn::kNotes); c >= 0)
      rule.notes = Trimmed(Cell(r, c));
    policy->rules.push_back(std::move(rule));
  }
  return CheckUniqueRuleIds(*policy, first_new);
}

absl::Status ImportMatrix(std::string_view data, std::string_view file,
                          const std::vector<std::string>& app_columns,
                          Policy* policy, ImportReport* report) {
  BR_ASSIGN_OR_RETURN(CsvTable table,
                      ParseWithHeader(data, file, "an access matrix"));
  const CsvRecord& header = table.records[0];
  if (app_columns.empty() && policy->catalog.empty()) {
    return ErrorAt(SourceLocation{table.file, header.line, 1},
                   "cannot tell which columns are apps; expected a catalog "
                   "(--catalog) or the app columns (--app-columns)");
  }
  if (report != nullptr) {
    report->file = std::string(file);
    report->format = "access matrix";
  }
  enum class Role { kCondition, kId, kNotes, kOwner, kApp, kIgnored };
  struct Column {
    Role role = Role::kCondition;
    std::string app, instance;
  };
  std::vector<Column> columns(header.fields.size());
  std::set<std::string> explicit_apps;
  for (const std::string& a : app_columns) {
    std::string app, inst;
    SplitAppHeader(a, &app, &inst);
    explicit_apps.insert(AsciiLowercase(app) + "\x1f" + AsciiLowercase(inst));
  }
  std::set<std::string> used_explicit;
  int id_col = -1;
  for (size_t c = 0; c < header.fields.size(); ++c) {
    const std::string h = Trimmed(header.fields[c]);
    const std::string folded = FoldName(h);
    Column& col = columns[c];
    std::string role_text;
    if (folded.empty()) {
      col.role = Role::kIgnored;
      role_text = "ignored (no header)";
    } else if (ClassifyRuleHeader(folded) == RuleColumn::kId) {
      col.role = Role::kId;
      id_col = static_cast<int>(c);
      role_text = "id";
    } else if (ClassifyRuleHeader(folded) == RuleColumn::kNotes) {
      col.role = Role::kNotes;
      role_text = "notes";
    } else if (ClassifyRuleHeader(folded) == RuleColumn::kOwner) {
      col.role = Role::kOwner;
      role_text = "owner";
    } else {
      std::string app, inst;
      SplitAppHeader(h, &app, &inst);
      bool is_app = false;
      if (!app_columns.empty()) {
        const std::string key =
            AsciiLowercase(app) + "\x1f" + AsciiLowercase(inst);
        is_app = explicit_apps.count(key) > 0;
        if (is_app) used_explicit.insert(key);
      } else {
        for (const CatalogEntry& e : policy->catalog) {
          if (EqualsIgnoreCase(e.app, app) &&
              (inst.empty() || EqualsIgnoreCase(e.instance, inst))) {
            is_app = true;
            break;
          }
        }
      }
      if (is_app) {
        col.role = Role::kApp;
        col.app = app;
        col.instance = inst;
        role_text =
            "app " + app + (inst.empty() ? "" : " instance " + inst) +
            (app_columns.empty() ? " (in catalog)" : " (--app-columns)");
      } else {
        col.role = Role::kCondition;
        role_text = "condition on attribute '" + h + "'";
      }
    }
    if (report) report->columns.push_back({h, role_text});
  }
  for (const std::string& a : app_columns) {
    std::string app, inst;
    SplitAppHeader(a, &app, &inst);
    if (!used_explicit.count(AsciiLowercase(app) + "\x1f" +
                             AsciiLowercase(inst))) {
      return ErrorAt(SourceLocation{table.file, header.line, 1},
                     "app column '" + a +
                         "' given with --app-columns is not "
                         "in the header");
    }
  }
  const size_t first_new = policy->rules.size();
  ExprLimits expr_limits;
  for (size_t ri = 1; ri < table.records.size(); ++ri) {
    const CsvRecord& r = table.records[ri];
    if (r.IsBlank()) continue;
    BR_RETURN_IF_ERROR(CheckRowWidth(table, r, header.fields.size()));
    Rule rule;
    rule.location = At(table, r);
    SetRowId(table, r, id_col, &rule);
    for (size_t c = 0; c < header.fields.size(); ++c) {
      const CsvField& f = Cell(r, c);
      const std::string v = Trimmed(f);
      switch (columns[c].role) {
        case Role::kIgnored:
          if (!v.empty()) {
            return ErrorAt(At(table, r, c),
                           "value in a column without a header; expected a "
                           "header naming the attribute or app");
          }
          break;
        case Role::kId:
          break;
        case Role::kNotes:
          rule.notes = v;
          break;
        case Role::kOwner:
          rule.owner = v;
          break;
        case Role::kCondition: {
          CellParse parsed = ParseCell(f.text, expr_limits);
          if (parsed.error) {
            return CellSyntaxError(table, r, c, *parsed.error, parsed.limit_hit,
                                   "condition");
          }
          if (!parsed.predicate) break;
          Condition cond;
          cond.attribute = Trimmed(header.fields[c]);
          cond.predicate = std::move(*parsed.predicate);
          cond.text = v;
          cond.location = At(table, r, c);
          rule.conditions.push_back(std::move(cond));
          break;
        }
        case Role::kApp: {
          if (v.empty()) break;
          Target t;
          t.app = columns[c].app;
          t.instance = columns[c].instance;
          const std::string lower = AsciiLowercase(v);
          if (lower == "x" || lower == "yes" || v == "\xE2\x9C\x93" ||
              v == "\xE2\x9C\x94") {
            t.level.clear();  // The app's default level.
          } else {
            t.level = v;
          }
          t.location = At(table, r, c);
          rule.targets.push_back(std::move(t));
          break;
        }
      }
    }
    if (rule.targets.empty()) {
      if (report) {
        report->notes.push_back(FormatSourceLocation(rule.location) +
                                ": row grants no app; skipped");
      }
      continue;
    }
    policy->rules.push_back(std::move(rule));
  }
  return CheckUniqueRuleIds(*policy, first_new);
}

absl::Status ImportCatalog(std::string_view data, std::string_view file,
                           Policy* policy) {
  BR_ASSIGN_OR_RETURN(CsvTable table, ParseWithHeader(data, file, "a catalog"));
  const CsvRecord& header = table.records[0];
  const int app_col = FindColumn(header, {"app", "application"});
  const int inst_col =
      FindColumn(header, {"instance", "tenant", "workspace", "account"});
  const int levels_col = FindColumn(header, {"levels", "level"});
  const int default_col = FindColumn(header, {"defaultlevel", "default"});
  const int owner_col = FindColumn(header, {"owner"});
  const int prov_col = FindColumn(header, {"provisioning"});
  const int cost_col = FindColumn(header, {"monthlycost", "cost"});
  if (app_col < 0 || levels_col < 0) {
    return ErrorAt(SourceLocation{table.file, header.line, 1},
                   "expected catalog columns 'app' and 'levels' (app, "
                   "instance, levels, default level, owner, provisioning, "
                   "monthly cost)");
  }
  std::map<std::string, SourceLocation> seen;
  for (const CatalogEntry& e : policy->catalog) {
    seen[AsciiLowercase(e.app) + "\x1f" + AsciiLowercase(e.instance)] =
        e.location;
  }
  for (size_t ri = 1; ri < table.records.size(); ++ri) {
    const CsvRecord& r = table.records[ri];
    if (r.IsBlank()) continue;
    BR_RETURN_IF_ERROR(CheckRowWidth(table, r, header.fields.size()));
    CatalogEntry e;
    e.location = At(table, r);
    e.app = Trimmed(Cell(r, app_col));
    if (e.app.empty())
      return ErrorAt(At(table, r, app_col), "empty app; expected an app name");
    if (inst_col >= 0) e.instance = Trimmed(Cell(r, inst_col));
    e.levels = SplitTrimmed(Cell(r, levels_col).text, ';');
    if (e.levels.empty()) {
      return ErrorAt(At(table, r, levels_col),
                     "no levels; expected levels low to high separated by ';'");
    }
    for (size_t i = 0; i < e.levels.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (EqualsIgnoreCase(e.levels[i], e.levels[j])) {
          return ErrorAt(At(table, r, levels_col),
                         "level '" + e.levels[i] + "' listed twice");
        }
      }
    }
    if (default_col >= 0) {
      e.default_level = Trimmed(Cell(r, default_col));
      if (!e.default_level.empty()) {
        bool found = false;
        for (const std::string& l : e.levels) {
          if (EqualsIgnoreCase(l, e.default_level)) {
            e.default_level = l;
            found = true;
          }
        }
        if (!found) {
          return ErrorAt(At(table, r, default_col),
                         "default level '" + e.default_level +
                             "' is not one of this row's levels");
        }
      }
    }
    if (owner_col >= 0) e.owner = Trimmed(Cell(r, owner_col));
    if (prov_col >= 0) {
      const std::string p = FoldName(Cell(r, prov_col).text);
      if (p.empty())
        e.provisioning = Provisioning::kUnspecified;
      else if (p == "scim")
        e.provisioning = Provisioning::kScim;
      else if (p == "api")
        e.provisioning = Provisioning::kApi;
      else if (p == "manual")
        e.provisioning = Provisioning::kManual;
      else {
        return ErrorAt(At(table, r, prov_col),
                       "unknown provisioning '" + Trimmed(Cell(r, prov_col)) +
                           "'; expected scim, api or manual");
      }
    }
    if (cost_col >= 0) {
      std::string v = Trimmed(Cell(r, cost_col));
      if (!v.empty()) {
        if (v[0] == '$') v.erase(0, 1);
        const size_t dot = v.find('.');
        std::string whole = v.substr(0, dot);
        std::string frac = dot == std::string::npos ? "" : v.substr(dot + 1);
        std::optional<int64_t> w = ParseInt64(whole.empty() ? "0" : whole);
        std::optional<int64_t> f =
            frac.empty() ? std::optional<int64_t>(0) : ParseInt64(frac);
        if (!w || !f || *w < 0 || *w > 1'000'000'000 || frac.size() > 2 ||
            (!frac.empty() && !IsAsciiDigit(frac[0]))) {
          return ErrorAt(At(table, r, cost_col),
                         "malformed monthly cost '" +
                             Trimmed(Cell(r, cost_col)) +
                             "'; expected a number like 12.50");
        }
        if (frac.size() == 1) *f *= 10;
        e.monthly_cost_cents = *w * 100 + *f;
      }
    }
    const std::string key =
        AsciiLowercase(e.app) + "\x1f" + AsciiLowercase(e.instance);
    const SourceLocation app_cell = At(table, r, app_col);
    auto [it, inserted] = seen.emplace(key, app_cell);
    if (!inserted) {
      return ErrorAt(
          app_cell, "duplicate catalog entry for " + e.app +
                        (e.instance.empty() ? "" : " [" + e.instance + "]") +
                        " (first at " + FormatSourceLocation(it->second) + ")");
    }
    policy->catalog.push_back(std::move(e));
  }
  return absl::OkStatus();
}

absl::Status ImportAliases(std::string_view data, std::string_view file,
                           Policy* policy) {
  BR_ASSIGN_OR_RETURN(CsvTable table, ParseWithHeader(data, file, "aliases"));
  const CsvRecord& header = table.records[0];
  const int attr_col = FindColumn(header, {"attribute"});
  const int alias_col = FindColumn(header, {"alias"});
  const int canon_col = FindColumn(header, {"canonical"});
  if (attr_col < 0 || alias_col < 0 || canon_col < 0) {
    return ErrorAt(SourceLocation{table.file, header.line, 1},
                   "expected alias columns 'attribute, alias, canonical'");
  }
  for (size_t ri = 1; ri < table.records.size(); ++ri) {
    const CsvRecord& r = table.records[ri];
    if (r.IsBlank()) continue;
    BR_RETURN_IF_ERROR(CheckRowWidth(table, r, header.fields.size()));
    Alias a;
    a.location = At(table, r, alias_col);
    a.attribute = Trimmed(Cell(r, attr_col));
    a.alias = Trimmed(Cell(r, alias_col));
    a.canonical = Trimmed(Cell(r, canon_col));
    if (a.attribute.empty())
      return ErrorAt(At(table, r, attr_col), "expected an attribute name");
    if (a.alias.empty())
      return ErrorAt(At(table, r, alias_col), "expected an alias value");
    if (a.canonical.empty())
      return ErrorAt(At(table, r, canon_col), "expected a canonical value");
    policy->aliases.push_back(std::move(a));
  }
  return absl::OkStatus();
}

absl::Status ImportSchema(std::string_view data, std::string_view file,
                          Policy* policy) {
  BR_ASSIGN_OR_RETURN(CsvTable table, ParseWithHeader(data, file, "a schema"));
  const CsvRecord& header = table.records[0];
  const int attr_col = FindColumn(header, {"attribute", "name"});
  const int type_col = FindColumn(header, {"type"});
  const int order_col = FindColumn(header, {"order"});
  const int case_col = FindColumn(header, {"casesensitive"});
  if (attr_col < 0 || type_col < 0) {
    return ErrorAt(SourceLocation{table.file, header.line, 1},
                   "expected schema columns 'attribute, type, order, case "
                   "sensitive'");
  }
  std::map<std::string, SourceLocation> seen;
  for (size_t ri = 1; ri < table.records.size(); ++ri) {
    const CsvRecord& r = table.records[ri];
    if (r.IsBlank()) continue;
    BR_RETURN_IF_ERROR(CheckRowWidth(table, r, header.fields.size()));
    AttributeSpec s;
    s.location = At(table, r);
    s.name = Trimmed(Cell(r, attr_col));
    if (FoldName(s.name).empty()) {
      return ErrorAt(At(table, r, attr_col), "expected an attribute name");
    }
    std::optional<AttrType> type = ParseAttrType(Cell(r, type_col).text);
    if (!type) {
      return ErrorAt(At(table, r, type_col),
                     "unknown type '" + Trimmed(Cell(r, type_col)) +
                         "'; expected string, int, date, ordinal or set");
    }
    s.type = *type;
    if (order_col >= 0) s.order = SplitTrimmed(Cell(r, order_col).text, ';');
    if (!s.order.empty() && s.type != AttrType::kOrdinal) {
      return ErrorAt(At(table, r, order_col),
                     "an order is only meaningful for an ordinal attribute");
    }
    if (case_col >= 0) {
      const std::string v = FoldName(Cell(r, case_col).text);
      if (v == "yes" || v == "true" || v == "y")
        s.case_sensitive = true;
      else if (v.empty() || v == "no" || v == "false" || v == "n")
        s.case_sensitive = false;
      else {
        return ErrorAt(At(table, r, case_col), "expected 'yes' or 'no'");
      }
    }
    const SourceLocation name_cell = At(table, r, attr_col);
    auto [it, inserted] = seen.emplace(FoldName(s.name), name_cell);
    if (!inserted) {
      return ErrorAt(name_cell, "attribute '" + s.name +
                                    "' declared twice (first at " +
                                    FormatSourceLocation(it->second) + ")");
    }
    policy->schema.push_back(std::move(s));
  }
  return absl::OkStatus();
}

absl::StatusOr<Population> ImportPopulation(std::string_view data,
                                            std::string_view file) {
  BR_ASSIGN_OR_RETURN(CsvTable table,
                      ParseWithHeader(data, file, "an HR population"));
  const CsvRecord& header = table.records[0];
  const int id_col = FindColumn(header, {"id", "personid", "employeeid"});
  if (id_col < 0) {
    return ErrorAt(SourceLocation{table.file, header.line, 1},
                   "no 'id' column; expected an HR export with an id column");
  }
  Population pop;
  pop.file = std::string(file);
  std::vector<std::string> names(header.fields.size());
  for (size_t c = 0; c < header.fields.size(); ++c) {
    names[c] = Trimmed(header.fields[c]);
    if (static_cast<int>(c) != id_col && !names[c].empty())
      pop.columns.push_back(names[c]);
  }
  std::map<std::string, SourceLocation> seen;
  for (size_t ri = 1; ri < table.records.size(); ++ri) {
    const CsvRecord& r = table.records[ri];
    if (r.IsBlank()) continue;
    BR_RETURN_IF_ERROR(CheckRowWidth(table, r, header.fields.size()));
    Person p;
    p.location = At(table, r);
    p.id = Trimmed(Cell(r, id_col));
    if (p.id.empty())
      return ErrorAt(At(table, r, id_col), "empty person id; expected an id");
    const SourceLocation id_cell = At(table, r, id_col);
    auto [it, inserted] = seen.emplace(p.id, id_cell);
    if (!inserted) {
      return ErrorAt(id_cell, "duplicate person id '" + p.id + "' (first at " +
                                  FormatSourceLocation(it->second) + ")");
    }
    for (size_t c = 0; c < header.fields.size(); ++c) {
      if (static_cast<int>(c) == id_col || names[c].empty()) continue;
      p.attributes.emplace_back(names[c], Cell(r, c).text);
    }
    pop.people.push_back(std::move(p));
  }
  return pop;
}

absl::StatusOr<std::vector<AccessRecord>> ImportAccessExport(
    std::string_view data, std::string_view file) {
  BR_ASSIGN_OR_RETURN(CsvTable table,
                      ParseWithHeader(data, file, "an access export"));
  const CsvRecord& header = table.records[0];
  const int id_col = FindColumn(header, {"personid", "id", "employeeid"});
  const int app_col = FindColumn(header, {"app", "application"});
  const int inst_col =
      FindColumn(header, {"instance", "tenant", "workspace", "account"});
  const int level_col =
      FindColumn(header, {"level", "permission", "access", "roleinapp"});
  if (id_col < 0 || app_col < 0) {
    return ErrorAt(
        SourceLocation{table.file, header.line, 1},
        "expected access export columns 'person id, app, instance, level'");
  }
  std::vector<AccessRecord> out;
  for (size_t ri = 1; ri < table.records.size(); ++ri) {
    const CsvRecord& r = table.records[ri];
    if (r.IsBlank()) continue;
    BR_RETURN_IF_ERROR(CheckRowWidth(table, r, header.fields.size()));
    AccessRecord a;
    a.location = At(table, r);
    a.person_id = Trimmed(Cell(r, id_col));
    a.app = Trimmed(Cell(r, app_col));
    if (inst_col >= 0) a.instance = Trimmed(Cell(r, inst_col));
    if (level_col >= 0) a.level = Trimmed(Cell(r, level_col));
    if (a.person_id.empty())
      return ErrorAt(At(table, r, id_col), "expected a person id");
    if (a.app.empty()) return ErrorAt(At(table, r, app_col), "expected an app");
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace birthright
