#include "cli/inputs.h"

#include <cstdio>

#include "birthright/policy_text.h"
#include "birthright/snapshot.h"
#include "util/csv.h"
#include "util/status_macros.h"
#include "util/text.h"

namespace birthright::cli {

namespace {
constexpr int64_t kMaxInputBytes = int64_t{256} << 20;

std::string Stem(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = base.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

// Adds the sections read from --schema/--catalog/--aliases (in `sheets`) to
// a policy read from policy text; an attribute or app declared in both is an
// input error naming both places.
absl::Status MergeSheets(const Policy& sheets, Policy* text) {
  for (const AttributeSpec& s : sheets.schema) {
    for (const AttributeSpec& t : text->schema) {
      if (FoldName(t.name) == FoldName(s.name)) {
        return absl::InvalidArgumentError(
            FormatSourceLocation(s.location) + ": attribute '" + s.name +
            "' is also declared in the policy file (" +
            FormatSourceLocation(t.location) + ")");
      }
    }
    text->schema.push_back(s);
  }
  for (const CatalogEntry& e : sheets.catalog) {
    for (const CatalogEntry& t : text->catalog) {
      if (EqualsIgnoreCase(t.app, e.app) &&
          EqualsIgnoreCase(t.instance, e.instance)) {
        return absl::InvalidArgumentError(
            FormatSourceLocation(e.location) + ": app " + e.app +
            (e.instance.empty() ? "" : " [" + e.instance + "]") +
            " is also declared in the policy file (" +
            FormatSourceLocation(t.location) + ")");
      }
    }
    text->catalog.push_back(e);
  }
  text->aliases.insert(text->aliases.end(), sheets.aliases.begin(),
                       sheets.aliases.end());
  text->sod.insert(text->sod.end(), sheets.sod.begin(), sheets.sod.end());
  return absl::OkStatus();
}
}  // namespace

const char kPolicyOptionsHelp[] =
    "Policy inputs:\n"
    "  --rules FILE           rules list or access matrix (CSV), policy text\n"
    "                         (.brp, docs/policy-language.md) or a compiled\n"
    "                         snapshot (`birthright compile -o`); detected "
    "from\n"
    "                         content (an 'app' column means a rules list)\n"
    "  --rules-format F       auto|list|matrix|text|snapshot: override the "
    "detection\n"
    "  --catalog FILE         app catalog: app, instance, levels, default "
    "level,\n"
    "                         owner, provisioning, monthly cost\n"
    "  --aliases FILE         value aliases: attribute, alias, canonical\n"
    "  --sod FILE             separation-of-duties pairs: id, first, second,\n"
    "                         message (e.g. 'NetSuite: AP Clerk'); check\n"
    "                         reports reachable pairs, eval flags holders\n"
    "  --schema FILE          attribute types: attribute, type, order, case "
    "sensitive\n"
    "  --app-columns LIST     matrix only: comma-separated app column "
    "headers,\n"
    "                         e.g. 'Salesforce,Slack [corp]' (default: "
    "catalog)\n"
    "  --name NAME            policy name for reasons (default: the policy\n"
    "                         file's `policy` line, else the rules file "
    "name)\n"
    "  --policy-version V     policy version label (default: unversioned)\n"
    "  --report               print how each column was read and inferred "
    "types\n";

std::vector<OptionSpec> PolicyOptionSpecs() {
  return {{"rules"},          {"rules-format"}, {"catalog"}, {"aliases"},
          {"schema"},         {"app-columns"},  {"sod"},     {"name"},
          {"policy-version"}, {"report", false}};
}

absl::StatusOr<LoadedPolicy> LoadPolicy(const Args& args,
                                        const std::string& rules_flag) {
  LoadedPolicy out;
  std::optional<std::string> rules_path = args.Get(rules_flag);
  if (!rules_path) {
    return absl::InvalidArgumentError("--" + rules_flag + " FILE is required");
  }
  Policy& policy = out.policy;
  policy.name = args.Get("name").value_or(Stem(*rules_path));
  policy.version = args.Get("policy-version").value_or("unversioned");
  if (auto p = args.Get("schema")) {
    BR_ASSIGN_OR_RETURN(std::string data, ReadFileToString(*p, kMaxInputBytes));
    BR_RETURN_IF_ERROR(ImportSchema(data, *p, &policy));
  }
  if (auto p = args.Get("catalog")) {
    BR_ASSIGN_OR_RETURN(std::string data, ReadFileToString(*p, kMaxInputBytes));
    BR_RETURN_IF_ERROR(ImportCatalog(data, *p, &policy));
  }
  if (auto p = args.Get("aliases")) {
    BR_ASSIGN_OR_RETURN(std::string data, ReadFileToString(*p, kMaxInputBytes));
    BR_RETURN_IF_ERROR(ImportAliases(data, *p, &policy));
  }
  if (auto p = args.Get("sod")) {
    BR_ASSIGN_OR_RETURN(std::string data, ReadFileToString(*p, kMaxInputBytes));
    BR_RETURN_IF_ERROR(ImportSod(data, *p, &policy));
  }
  BR_ASSIGN_OR_RETURN(std::string data,
                      ReadFileToString(*rules_path, kMaxInputBytes));
  RulesFormat format = RulesFormat::kAuto;
  const std::string f = args.Get("rules-format").value_or("auto");
  if (f == "list")
    format = RulesFormat::kRulesList;
  else if (f == "matrix")
    format = RulesFormat::kMatrix;
  else if (f == "snapshot")
    format = RulesFormat::kSnapshot;
  else if (f == "text" || f == "policy")
    format = RulesFormat::kPolicyText;
  else if (f != "auto") {
    return absl::InvalidArgumentError(
        "--rules-format: expected auto, list, matrix, text or snapshot, got "
        "'" +
        f + "'");
  }
  if (format == RulesFormat::kAuto) format = DetectRulesFormat(data);
  ImportReport report;
  switch (format) {
    case RulesFormat::kSnapshot: {
      for (const char* flag :
           {"catalog", "aliases", "schema", "app-columns", "sod"}) {
        if (args.Has(flag)) {
          return absl::InvalidArgumentError(
              std::string("--") + flag +
              " cannot be combined with a snapshot: it is "
              "compiled in");
        }
      }
      auto compiled = LoadSnapshot(data);
      if (!compiled.ok()) {
        return absl::Status(
            compiled.status().code(),
            *rules_path + ": " + std::string(compiled.status().message()));
      }
      out.snapshot = std::move(*compiled);
      return out;
    }
    case RulesFormat::kRulesList:
      BR_RETURN_IF_ERROR(ImportRulesList(data, *rules_path, &policy, &report));
      break;
    case RulesFormat::kMatrix: {
      std::vector<std::string> cols;
      if (auto c = args.Get("app-columns")) cols = SplitTrimmed(*c, ',');
      BR_RETURN_IF_ERROR(
          ImportMatrix(data, *rules_path, cols, &policy, &report));
      break;
    }
    case RulesFormat::kPolicyText: {
      if (args.Has("app-columns")) {
        return absl::InvalidArgumentError(
            "--app-columns applies to an access matrix, not to policy text");
      }
      BR_ASSIGN_OR_RETURN(Policy text, ParsePolicyText(data, *rules_path));
      BR_RETURN_IF_ERROR(MergeSheets(policy, &text));
      // --name / --policy-version override the file's `policy` line.
      if (auto n = args.Get("name")) {
        text.name = *n;
      } else if (text.name.empty()) {
        text.name = Stem(*rules_path);
      }
      if (auto v = args.Get("policy-version")) {
        text.version = *v;
      } else if (text.version.empty()) {
        text.version = "unversioned";
      }
      policy = std::move(text);
      report.file = *rules_path;
      report.format = "policy text";
      break;
    }
    default:
      return absl::InvalidArgumentError(
          *rules_path + ": this input format is not supported yet");
  }
  out.reports.push_back(std::move(report));
  return out;
}

absl::StatusOr<std::shared_ptr<const CompiledPolicy>> CompileLoaded(
    const LoadedPolicy& loaded, const Population* people,
    std::shared_ptr<const BoundPolicy>* bound, const CompileOptions& options) {
  if (loaded.snapshot) {
    *bound = loaded.snapshot->shared_policy();
    return loaded.snapshot;
  }
  BR_ASSIGN_OR_RETURN(std::unique_ptr<BoundPolicy> b,
                      BoundPolicy::Bind(loaded.policy, people, BindOptions{}));
  *bound = std::move(b);
  BR_ASSIGN_OR_RETURN(std::unique_ptr<CompiledPolicy> c,
                      CompiledPolicy::Compile(*bound, options));
  return std::shared_ptr<const CompiledPolicy>(std::move(c));
}

absl::StatusOr<Population> LoadPopulation(const std::string& path) {
  BR_ASSIGN_OR_RETURN(std::string data, ReadFileToString(path, kMaxInputBytes));
  return ImportPopulation(data, path);
}

void PrintImportReport(const LoadedPolicy& loaded, const BoundPolicy* bound) {
  for (const ImportReport& r : loaded.reports) {
    std::fprintf(stderr, "%s: read as %s\n", r.file.c_str(), r.format.c_str());
    for (const ColumnReading& c : r.columns) {
      std::fprintf(stderr, "  column %-24s %s\n",
                   ("'" + c.header + "'").c_str(), c.role.c_str());
    }
    for (const std::string& n : r.notes)
      std::fprintf(stderr, "  note: %s\n", n.c_str());
  }
  if (bound != nullptr) {
    for (const BindIssue& i : bound->issues()) {
      std::fprintf(stderr, "  %s: %s\n",
                   std::string(SeverityName(i.severity)).c_str(),
                   i.message.c_str());
    }
  }
}

}  // namespace birthright::cli
