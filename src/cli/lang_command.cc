// `birthright fmt` and `birthright migrate`: the policy language's
// formatter and the spreadsheet → policy file converter
// (docs/policy-language.md).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "birthright/import.h"
#include "birthright/policy_text.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "util/csv.h"
#include "util/text.h"

namespace birthright::cli {
namespace {

constexpr int64_t kMaxInputBytes = int64_t{256} << 20;

constexpr char kFmtHelp[] =
    "Usage: birthright fmt FILE... [-o OUT | --check | --in-place]\n"
    "\n"
    "Prints a policy file (.brp, docs/policy-language.md) in canonical form:\n"
    "sections in the order policy, attribute, alias, app, sod, rule; one\n"
    "clause per line; values quoted only where needed. Formatting is\n"
    "idempotent and never changes the policy's content hash (SPEC §9).\n"
    "Whole-line comments stay above the declaration that follows them;\n"
    "comments inside a declaration move above it.\n"
    "\n"
    "  -o, --output OUT   write the formatted policy to OUT (one FILE only)\n"
    "  --check            print nothing; exit 1 when a FILE is not formatted\n"
    "                     (for CI), 0 when all are\n"
    "  --in-place         rewrite each FILE that is not formatted\n"
    "  FILE may be '-' for standard input.\n"
    "\n"
    "Examples:\n"
    "  birthright fmt examples/acme/policy.brp\n"
    "  birthright fmt --check policies/*.brp\n"
    "\n"
    "Exit codes: 0 formatted, 1 --check found unformatted files, 2 usage or\n"
    "input error (a syntax error prints file:line:col and the line).\n";

constexpr char kMigrateHelp[] =
    "Usage: birthright migrate SHEET.csv [--catalog FILE] [--aliases FILE]\n"
    "                          [--schema FILE] [--sod FILE]\n"
    "                          [--rules-format list|matrix]\n"
    "                          [--app-columns LIST] [--name NAME]\n"
    "                          [--policy-version V] [-o POLICY.brp]\n"
    "\n"
    "Converts a rules list or an access matrix (SPEC §8) into one policy\n"
    "file with the catalog, aliases, schema and SoD pairs folded in. It\n"
    "normalizes without changing any decision:\n"
    "  * attribute names take the schema's spelling;\n"
    "  * alias values in = / in / != / not in take their canonical value;\n"
    "  * app, instance and level names take the catalog's spelling;\n"
    "  * exact duplicate rows are merged into the first (a comment records\n"
    "    the merged ids);\n"
    "and keeps every row's origin: its rule id (row-N when the sheet has\n"
    "none) and a '# from SHEET:LINE' comment. What changed is printed on\n"
    "stderr. The output is read back and must have the same content hash.\n"
    "\n"
    "  -o, --output FILE      write the policy to FILE (default: stdout)\n"
    "  --catalog FILE         app catalog CSV (needed for a matrix unless\n"
    "                         --app-columns names the app columns)\n"
    "  --aliases FILE         value aliases CSV\n"
    "  --schema FILE          attribute types CSV\n"
    "  --sod FILE             separation-of-duties pairs CSV (id, first,\n"
    "                         second, message): become `sod` declarations\n"
    "  --rules-format F       auto|list|matrix (default: detected)\n"
    "  --app-columns LIST     matrix only: comma-separated app column headers\n"
    "  --name NAME            policy name (default: the sheet's file name)\n"
    "  --policy-version V     version label (default: 1)\n"
    "  --quiet                do not list the changes\n"
    "\n"
    "Example (the bundled company):\n"
    "  birthright migrate examples/acme/rules.csv \\\n"
    "      --catalog examples/acme/catalog.csv --aliases "
    "examples/acme/aliases.csv \\\n"
    "      --schema examples/acme/schema.csv --sod examples/acme/sod.csv \\\n"
    "      --name acme-access \\\n"
    "      --policy-version 2.4 -o acme.brp\n"
    "  birthright eval --rules acme.brp --people examples/acme/people.csv\n"
    "\n"
    "Exit codes: 0 success, 2 usage or input error.\n";

// `-o` is the conventional spelling of --output.
std::vector<char*> WithLongOutput(int argc, char** argv) {
  std::vector<char*> out(argv, argv + argc);
  static char kOutput[] = "--output";
  for (char*& a : out) {
    if (std::string(a) == "-o") a = kOutput;
  }
  return out;
}

absl::StatusOr<std::string> ReadInput(const std::string& path) {
  if (path == "-") {
    std::string data((std::istreambuf_iterator<char>(std::cin)),
                     std::istreambuf_iterator<char>());
    return data;
  }
  return ReadFileToString(path, kMaxInputBytes);
}

bool WriteFile(const std::string& path, const std::string& data) {
  if (path == "-") {
    std::fwrite(data.data(), 1, data.size(), stdout);
    return true;
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
  f.close();
  return !f.fail();
}

std::string Stem(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = base.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

int RunFmt(int argc, char** argv) {
  std::vector<char*> argv2 = WithLongOutput(argc, argv);
  auto args = Args::Parse(
      argc, argv2.data(), 2,
      {{"output"}, {"check", false}, {"in-place", false}, {"help", false}});
  auto fail = [](const std::string& m) {
    std::fprintf(stderr, "birthright fmt: %s\n", m.c_str());
    return kExitUsage;
  };
  if (!args.ok()) return fail(std::string(args.status().message()));
  if (args->Has("help")) {
    std::fputs(kFmtHelp, stdout);
    return kExitOk;
  }
  const std::vector<std::string>& files = args->positional();
  if (files.empty()) {
    std::fputs(kFmtHelp, stderr);
    return kExitUsage;
  }
  const int modes = (args->Has("output") ? 1 : 0) +
                    (args->Has("check") ? 1 : 0) +
                    (args->Has("in-place") ? 1 : 0);
  if (modes > 1) return fail("choose one of -o, --check and --in-place");
  if (args->Has("output") && files.size() != 1) {
    return fail("-o takes exactly one FILE");
  }
  bool unformatted = false;
  for (const std::string& file : files) {
    absl::StatusOr<std::string> data = ReadInput(file);
    if (!data.ok()) return fail(std::string(data.status().message()));
    absl::StatusOr<ParsedPolicyText> parsed =
        ParsePolicyTextWithComments(*data, file == "-" ? "<stdin>" : file);
    if (!parsed.ok()) return fail(std::string(parsed.status().message()));
    const std::string formatted =
        FormatPolicyText(parsed->policy, &parsed->comments);
    if (args->Has("check")) {
      if (formatted != *data) {
        std::fprintf(stderr,
                     "%s: not formatted (run birthright fmt --in-place)\n",
                     file.c_str());
        unformatted = true;
      }
    } else if (args->Has("in-place")) {
      if (file == "-") return fail("--in-place needs a FILE, not '-'");
      if (formatted != *data && !WriteFile(file, formatted)) {
        return fail("cannot write " + file);
      }
    } else if (auto out = args->Get("output")) {
      if (!WriteFile(*out, formatted)) return fail("cannot write " + *out);
    } else {
      std::fwrite(formatted.data(), 1, formatted.size(), stdout);
    }
  }
  return unformatted ? kExitFindings : kExitOk;
}

int RunMigrate(int argc, char** argv) {
  std::vector<char*> argv2 = WithLongOutput(argc, argv);
  auto args = Args::Parse(argc, argv2.data(), 2,
                          {{"output"},
                           {"catalog"},
                           {"aliases"},
                           {"schema"},
                           {"sod"},
                           {"rules-format"},
                           {"app-columns"},
                           {"name"},
                           {"policy-version"},
                           {"quiet", false},
                           {"help", false}});
  auto fail = [](const std::string& m) {
    std::fprintf(stderr, "birthright migrate: %s\n", m.c_str());
    return kExitUsage;
  };
  if (!args.ok()) return fail(std::string(args.status().message()));
  if (args->Has("help")) {
    std::fputs(kMigrateHelp, stdout);
    return kExitOk;
  }
  if (args->positional().size() != 1) {
    std::fputs(kMigrateHelp, stderr);
    return kExitUsage;
  }
  const std::string sheet = args->positional()[0];
  Policy policy;
  policy.name = args->Get("name").value_or(Stem(sheet));
  policy.version = args->Get("policy-version").value_or("1");
  std::vector<std::string> inputs;
  auto load = [&](const char* flag, auto importer) -> absl::Status {
    auto p = args->Get(flag);
    if (!p) return absl::OkStatus();
    inputs.push_back(BaseName(*p));
    absl::StatusOr<std::string> data = ReadFileToString(*p, kMaxInputBytes);
    if (!data.ok()) return data.status();
    return importer(*data, *p, &policy);
  };
  for (absl::Status st :
       {load("schema", ImportSchema), load("catalog", ImportCatalog),
        load("aliases", ImportAliases), load("sod", ImportSod)}) {
    if (!st.ok()) return fail(std::string(st.message()));
  }
  absl::StatusOr<std::string> data = ReadFileToString(sheet, kMaxInputBytes);
  if (!data.ok()) return fail(std::string(data.status().message()));
  const std::string f = args->Get("rules-format").value_or("auto");
  RulesFormat format = f == "list"     ? RulesFormat::kRulesList
                       : f == "matrix" ? RulesFormat::kMatrix
                                       : RulesFormat::kAuto;
  if (f != "auto" && f != "list" && f != "matrix") {
    return fail("--rules-format: expected auto, list or matrix, got '" + f +
                "'");
  }
  if (format == RulesFormat::kAuto) format = DetectRulesFormat(*data);
  if (format != RulesFormat::kRulesList && format != RulesFormat::kMatrix) {
    return fail(sheet +
                ": expected a rules list or an access matrix (CSV); a policy "
                "file needs no migration (try birthright fmt)");
  }
  ImportReport report;
  absl::Status st;
  if (format == RulesFormat::kRulesList) {
    st = ImportRulesList(*data, sheet, &policy, &report);
  } else {
    std::vector<std::string> cols;
    if (auto c = args->Get("app-columns")) cols = SplitTrimmed(*c, ',');
    st = ImportMatrix(*data, sheet, cols, &policy, &report);
  }
  if (!st.ok()) return fail(std::string(st.message()));

  MigrationResult m = MigratePolicy(policy);
  std::string sources = BaseName(sheet);
  for (const std::string& i : inputs) sources += ", " + i;
  m.comments.policy = {
      "# Migrated by `birthright migrate` from " + sources + ".",
      "# Language reference: docs/policy-language.md"};
  const std::string text = FormatPolicyText(m.policy, &m.comments);

  // The file must read back as the same policy (SPEC §9 hash), or some
  // value was not expressible in the language.
  const std::string out_name = args->Get("output").value_or("<stdout>");
  absl::StatusOr<Policy> back = ParsePolicyText(text, out_name);
  if (!back.ok()) {
    return fail("the migrated policy does not read back: " +
                std::string(back.status().message()));
  }
  if (PolicyContentHash(*back) != PolicyContentHash(m.policy)) {
    return fail(
        "the migrated policy does not read back identically (a value the "
        "language cannot express, e.g. a regex holding '/'); nothing written");
  }
  if (!WriteFile(args->Get("output").value_or("-"), text)) {
    return fail("cannot write " + out_name);
  }
  if (!args->Has("quiet")) {
    std::fprintf(stderr, "%s: read as %s\n", report.file.c_str(),
                 report.format.c_str());
    for (const std::string& n : report.notes) {
      std::fprintf(stderr, "  note: %s\n", n.c_str());
    }
    for (const std::string& c : m.changes) {
      std::fprintf(stderr, "  %s\n", c.c_str());
    }
  }
  std::fprintf(stderr,
               "migrated %zu rules to %s (%d values canonicalized, %d names "
               "respelled, %d duplicates merged); hash %s\n",
               m.policy.rules.size(), out_name.c_str(), m.values_canonicalized,
               m.names_respelled, m.rules_merged,
               PolicyContentHash(m.policy).substr(0, 16).c_str());
  return kExitOk;
}

}  // namespace birthright::cli
