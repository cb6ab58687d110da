// `birthright check`: SPEC §7, §11, §12. See docs/check.md.
#include <cstdio>
#include <string>
#include <vector>

#include "birthright/check.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/inputs.h"
#include "util/json.h"

namespace birthright::cli {
namespace {

constexpr char kHelp[] =
    "Usage: birthright check --rules FILE [--catalog FILE] [--aliases FILE]\n"
    "                        [--schema FILE] [--sod FILE] [--people FILE]\n"
    "                        [--as-of DATE]\n"
    "                        [--format table|json|jsonl|sarif]\n"
    "                        [--fail-on error|warning|info]\n"
    "\n"
    "Finds what is wrong with a rule set before it ships: references the\n"
    "catalog or schema does not know, type mismatches, rules that can never\n"
    "apply, duplicate rules, shadowed rules (they never change anyone's\n"
    "access), level conflicts between overlapping grants and, with --sod,\n"
    "toxic combinations some person could hold (with a witness person);\n"
    "with --people, rule values no person has, people no grant covers and\n"
    "HR columns named like reserved headers.\n"
    "Codes and exactness: docs/check.md.\n"
    "\n"
    "Example:\n"
    "  birthright check --rules examples/acme/rules.csv \\\n"
    "      --catalog examples/acme/catalog.csv --schema "
    "examples/acme/schema.csv \\\n"
    "      --aliases examples/acme/aliases.csv --sod examples/acme/sod.csv \\\n"
    "      --fail-on warning --format jsonl\n"
    "\n"
    "  --people FILE          HR export (CSV) for unknown-value and gap\n"
    "  --as-of DATE           date gaps are evaluated at (default: today, "
    "UTC)\n"
    "  --format F             table (default: grouped by severity), json (one\n"
    "                         document), jsonl (one finding per line, SPEC "
    "§11)\n"
    "                         or sarif (SARIF 2.1.0 for CI annotations)\n"
    "  --fail-on S            exit 1 when a finding has severity S or higher\n"
    "                         (default: error)\n"
    "\n"
    "Exit codes: 0 no finding at or above --fail-on, 1 some, 2 usage or input "
    "error.\n"
    "\n";

void PrintTable(const std::vector<Finding>& findings) {
  const Severity order[] = {Severity::kError, Severity::kWarning,
                            Severity::kInfo};
  const char* titles[] = {"Errors", "Warnings", "Info"};
  for (int i = 0; i < 3; ++i) {
    size_t n = 0;
    for (const Finding& f : findings) n += f.severity == order[i];
    if (n == 0) continue;
    std::printf("%s (%zu)\n", titles[i], n);
    for (const Finding& f : findings) {
      if (f.severity != order[i]) continue;
      std::string where;
      for (const std::string& l : f.locations)
        where += (where.empty() ? "" : ", ") + l;
      std::printf("  [%s] %s\n", f.code.c_str(), f.message.c_str());
      if (!where.empty()) std::printf("      at %s\n", where.c_str());
      if (!f.witness.empty()) {
        std::string w;
        for (const auto& [k, v] : f.witness)
          w += (w.empty() ? "" : ", ") + k + "=" + v;
        std::printf("      e.g. %s\n", w.c_str());
      }
    }
    std::printf("\n");
  }
  if (findings.empty()) std::printf("No findings.\n");
}

}  // namespace

int RunCheck(int argc, char** argv) {
  std::vector<OptionSpec> specs = PolicyOptionSpecs();
  specs.insert(
      specs.end(),
      {{"people"}, {"as-of"}, {"format"}, {"fail-on"}, {"help", false}});
  Args parsed;
  if (std::optional<int> exit =
          ParseCommandLine("check", argc, argv, specs,
                           std::string(kHelp) + kPolicyOptionsHelp, &parsed)) {
    return *exit;
  }
  const Args* args = &parsed;
  auto fail = [](const absl::Status& s) { return UsageError("check", s); };
  const std::string format = args->Get("format").value_or("table");
  if (format != "table" && format != "json" && format != "jsonl" &&
      format != "sarif") {
    return fail(absl::InvalidArgumentError(
        "--format: expected table, json, jsonl or sarif"));
  }
  const std::string fail_on = args->Get("fail-on").value_or("error");
  Severity threshold;
  if (fail_on == "error") {
    threshold = Severity::kError;
  } else if (fail_on == "warning") {
    threshold = Severity::kWarning;
  } else if (fail_on == "info") {
    threshold = Severity::kInfo;
  } else {
    return fail(absl::InvalidArgumentError(
        "--fail-on: expected error, warning or info"));
  }
  CheckOptions options;
  options.as_of = TodayUtc();
  if (auto a = args->Get("as-of")) {
    std::optional<Date> d = ParseIsoDate(*a);
    if (!d) {
      return fail(absl::InvalidArgumentError(
          "--as-of: expected YYYY-MM-DD, got '" + *a + "'"));
    }
    options.as_of = *d;
  }
  auto loaded = LoadPolicy(*args);
  if (!loaded.ok()) return fail(loaded.status());
  if (loaded->snapshot) {
    return fail(
        absl::InvalidArgumentError("check needs the policy source (a rules "
                                   "list or matrix), not a compiled snapshot"));
  }
  Population people;
  const Population* hr = nullptr;
  if (auto p = args->Get("people")) {
    auto pop = LoadPopulation(*p);
    if (!pop.ok()) return fail(pop.status());
    people = std::move(*pop);
    hr = &people;
  }
  auto findings = Check(loaded->policy, hr, options);
  if (!findings.ok()) return fail(findings.status());

  std::string out;
  if (format == "table") {
    PrintTable(*findings);
  } else if (format == "sarif") {
    out = FindingsToSarif(*findings);
  } else if (format == "jsonl") {
    for (const Finding& f : *findings) out += FindingToJson(f) + "\n";
  } else {
    out = "{\"findings\":[";
    for (size_t i = 0; i < findings->size(); ++i) {
      out += (i > 0 ? "," : "") + FindingToJson((*findings)[i]);
    }
    out += "]}\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  for (const Finding& f : *findings) {
    if (f.severity >= threshold) return kExitFindings;
  }
  return kExitOk;
}

}  // namespace birthright::cli
