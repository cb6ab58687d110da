// Importers for the spreadsheet formats of SPEC §8 (CSV, RFC 4180).
//
// Each importer reads a parsed CsvTable (or a file) and appends to a Policy
// or returns a value. Errors are InvalidArgument "file:line:col: what was
// expected" (SPEC §10); limits are ResourceExhausted. Importers never
// partially grant: on error the caller must discard the policy.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_IMPORT_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_IMPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "birthright/policy.h"

namespace birthright {

// How the import read one column: "id", "app", "condition", "app column
// Slack [corp]", ... Reported so a user sees what was guessed (SPEC §8).
struct ColumnReading {
  std::string header;
  std::string role;
};

struct ImportReport {
  std::string file;
  std::string format;  // "rules list", "access matrix", ...
  std::vector<ColumnReading> columns;
  std::vector<std::string> notes;  // Anything else the user should know.
};

enum class RulesFormat { kAuto, kRulesList, kMatrix, kPolicyText, kSnapshot };

// Reads a rules list (one rule per row). Appends to policy->rules.
absl::Status ImportRulesList(std::string_view data, std::string_view file,
                             Policy* policy, ImportReport* report);

// Reads an access matrix: condition columns, then one column per app. Which
// columns are apps comes from `app_columns` (headers as written, e.g.
// "Slack [corp]") when non-empty, else from policy->catalog; with neither
// the import fails rather than guess.
absl::Status ImportMatrix(std::string_view data, std::string_view file,
                          const std::vector<std::string>& app_columns,
                          Policy* policy, ImportReport* report);

// Catalog, aliases, schema: append to the corresponding policy section.
absl::Status ImportCatalog(std::string_view data, std::string_view file,
                           Policy* policy);
absl::Status ImportAliases(std::string_view data, std::string_view file,
                           Policy* policy);
absl::Status ImportSchema(std::string_view data, std::string_view file,
                          Policy* policy);

// Separation-of-duties sheet (docs/formats.md): columns `id, first,
// second, message`; an entitlement is `App`, `App [instance]`, `App: Level`
// or `App [instance]: Level` (that level or higher). Appends to
// policy->sod; on error (InvalidArgument "file:line:col: ...") appends
// nothing. Names are resolved when the policy is bound.
absl::Status ImportSod(std::string_view data, std::string_view file,
                       Policy* policy);

// HR population: an `id` column plus attribute columns.
absl::StatusOr<Population> ImportPopulation(std::string_view data,
                                            std::string_view file);

// Access export: `person id, app, instance, level`.
absl::StatusOr<std::vector<AccessRecord>> ImportAccessExport(
    std::string_view data, std::string_view file);

// Guesses the format of a rules input from its content: a snapshot by its
// magic bytes, policy text when the first non-comment line starts with a
// declaration keyword (policy_text.h), a rules list when the CSV header has
// an `app` column, an access matrix for other CSV.
RulesFormat DetectRulesFormat(std::string_view data);

// Splits a matrix header "Slack [corp]" into app "Slack", instance "corp".
void SplitAppHeader(std::string_view header, std::string* app,
                    std::string* instance);

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_IMPORT_H_
