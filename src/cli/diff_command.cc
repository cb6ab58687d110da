// `birthright diff`: SPEC §9 (diff of two policy versions), §6 (policy
// change over a population), §11, §12.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "birthright/diff.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/inputs.h"
#include "util/text.h"

namespace birthright::cli {
namespace {

constexpr char kHelp[] =
    "Usage:\n"
    "  birthright diff OLD NEW [policy inputs] [--people HR] [--as-of DATE]\n"
    "  birthright diff --rules-before OLD --rules-after NEW ...\n"
    "      [--format table|json|jsonl] [--max-regions N]\n"
    "\n"
    "What changed between two versions of the rules, at three depths:\n"
    "\n"
    "  rules       rules added, removed and modified, matched by id; a rule\n"
    "              is modified when its canonical form differs (values\n"
    "              normalized, lists sorted: `Sales | Marketing` equals\n"
    "              `marketing; sales`), and the diff names the fields:\n"
    "              conditions, unless, targets, priority, expiry, window,\n"
    "              owner, notes. Catalog, alias, schema and SoD changes too.\n"
    "  semantic    EXACTLY who gets something different, as attribute\n"
    "              regions per app instance with the old and new outcome:\n"
    "                Salesforce\n"
    "                  department = sales and grade >= l5\n"
    "                    Standard -> Admin\n"
    "              Computed on one decision DAG holding both versions (a\n"
    "              product diagram): a person is in a region if and only if\n"
    "              the two versions give them different entitlements there.\n"
    "              Reasons (rule ids) do not count as a change. Without\n"
    "              --as-of, the evaluation date is part of the regions\n"
    "              (`as_of >= 2027-01-01` for a rule that starts then).\n"
    "              When the versions type an attribute differently or change\n"
    "              its aliases, no exact common DAG exists: the diff says so\n"
    "              and the other two depths still work.\n"
    "  population  with --people: who gains, loses or changes what, counts\n"
    "              per app instance, and the monthly license cost change\n"
    "              from the catalog's monthly cost (adds priced by the new\n"
    "              catalog, removes by the old).\n"
    "\n"
    "Options:\n"
    "  --rules-before FILE    the old rules (or the first positional)\n"
    "  --rules-after FILE     the new rules (or the second positional)\n"
    "                         --catalog, --aliases and --schema apply to both\n"
    "  --people FILE          HR export for the population impact\n"
    "  --as-of DATE           evaluate at DATE: the population's date\n"
    "                         (default: today, UTC) and the semantic diff's\n"
    "                         (default: every date)\n"
    "  --max-regions N        list at most N regions (default 1000); the\n"
    "                         output says when the listing was cut\n"
    "  --policy-version-before V, --policy-version-after V   version labels\n"
    "  --format F             table (default: summary line, then details),\n"
    "                         json (one document) or jsonl (one object per\n"
    "                         change, region and person; a summary first)\n"
    "  --threads N            population evaluation threads\n"
    "\n"
    "Exit codes: 0 the diff was computed (whether or not anything changed),\n"
    "2 usage or input error (a version that does not bind, e.g. an unknown\n"
    "app, is an input error as for eval).\n"
    "\n"
    "Example (the bundled company and an edited copy):\n"
    "  birthright diff examples/acme/rules.csv "
    "tests/testdata/acme_v2_rules.csv \\\n"
    "      --catalog examples/acme/catalog.csv \\\n"
    "      --aliases examples/acme/aliases.csv \\\n"
    "      --schema examples/acme/schema.csv \\\n"
    "      --people examples/acme/people.csv --as-of 2026-11-26\n"
    "More: docs/diff.md\n"
    "\n";

int Fail(std::string_view message) { return UsageError("diff", message); }

std::string Loc(const SourceLocation& l) {
  return l.file.empty() && l.line == 0 ? ""
                                       : " (" + FormatSourceLocation(l) + ")";
}

std::string InstanceName(const std::string& app, const std::string& inst) {
  return inst.empty() ? app : app + " [" + inst + "]";
}

std::string Describe(const Entitlement& e) {
  std::string out = InstanceName(e.app, e.instance) + " " + e.level;
  if (!e.scopes.empty()) {
    out += " [";
    for (size_t i = 0; i < e.scopes.size(); ++i)
      out += (i ? ";" : "") + e.scopes[i];
    out += "]";
  }
  if (e.expires) out += " until " + FormatIsoDate(*e.expires);
  return out;
}

void PrintItems(const char* title, const std::vector<ItemChange>& items) {
  if (items.empty()) return;
  std::printf("\n%s:\n", title);
  for (const ItemChange& c : items) {
    std::printf("  %-9s %s", std::string(ChangeKindName(c.kind)).c_str(),
                c.key.c_str());
    if (c.kind == ChangeKind::kAdded) std::printf(": %s", c.after.c_str());
    if (c.kind == ChangeKind::kRemoved) std::printf(": %s", c.before.c_str());
    std::printf("\n");
    for (const FieldChange& f : c.fields) {
      std::printf("              %s: %s -> %s\n", f.field.c_str(),
                  f.before.empty() ? "(none)" : f.before.c_str(),
                  f.after.empty() ? "(none)" : f.after.c_str());
    }
  }
}

void PrintTable(const PolicyDiff& d) {
  std::printf("diff %s %s -> %s %s\n%s\n", d.name_before.c_str(),
              d.version_before.c_str(), d.name_after.c_str(),
              d.version_after.c_str(), DiffSummaryLine(d).c_str());
  if (!d.rules.rules.empty()) {
    std::printf("\nRule changes:\n");
    for (const RuleChange& c : d.rules.rules) {
      const std::string kind(ChangeKindName(c.kind));
      if (c.kind == ChangeKind::kAdded) {
        std::printf("  %-9s %s: %s%s\n", kind.c_str(), c.id.c_str(),
                    c.after.c_str(), Loc(c.after_location).c_str());
      } else if (c.kind == ChangeKind::kRemoved) {
        std::printf("  %-9s %s: %s%s\n", kind.c_str(), c.id.c_str(),
                    c.before.c_str(), Loc(c.before_location).c_str());
      } else {
        std::printf("  %-9s %s%s\n", kind.c_str(), c.id.c_str(),
                    Loc(c.after_location).c_str());
        for (const FieldChange& f : c.fields) {
          std::printf("              %s: %s -> %s\n", f.field.c_str(),
                      f.before.empty() ? "(none)" : f.before.c_str(),
                      f.after.empty() ? "(none)" : f.after.c_str());
        }
      }
    }
  }
  PrintItems("Catalog changes", d.rules.catalog);
  PrintItems("Alias changes", d.rules.aliases);
  PrintItems("Schema changes", d.rules.schema);
  PrintItems("SoD changes", d.rules.sod);
  const SemanticDiff& s = d.semantic;
  std::printf("\nSemantic changes (exact, %s):\n",
              s.as_of ? ("as of " + FormatIsoDate(*s.as_of)).c_str()
                      : "over every date");
  if (!s.available) {
    std::printf("  unavailable: %s\n", s.unavailable_reason.c_str());
  } else if (s.regions == 0) {
    std::printf("  nobody's entitlements change\n");
  }
  for (const InstanceDiff& i : s.instances) {
    std::printf("  %s\n", InstanceName(i.app, i.instance).c_str());
    for (const Region& r : i.regions) {
      std::printf("    %s\n      %s -> %s%s\n", r.When().c_str(),
                  FormatDiffOutcome(r.before).c_str(),
                  FormatDiffOutcome(r.after).c_str(),
                  r.expiry_dependent ? "  (where the two dates differ)" : "");
    }
  }
  if (s.truncated) {
    std::printf(
        "  ... listing stopped at %lld regions (--max-regions); the DAG has "
        "%lld paths with a difference\n",
        static_cast<long long>(s.regions),
        static_cast<long long>(s.region_paths));
  }
  if (!d.population) return;
  const PopulationImpact& p = *d.population;
  std::printf(
      "\nPopulation impact (%s, as of %s): %lld people, %lld gain, "
      "%lld lose, %lld change, %lld unchanged; licenses %s/month",
      p.file.c_str(), FormatIsoDate(p.as_of).c_str(),
      static_cast<long long>(p.people), static_cast<long long>(p.gain),
      static_cast<long long>(p.lose), static_cast<long long>(p.change),
      static_cast<long long>(p.unchanged),
      FormatCents(p.license_cents_per_month, true).c_str());
  if (p.unpriced_actions > 0) {
    std::printf(" (%lld actions on instances without a cost)",
                static_cast<long long>(p.unpriced_actions));
  }
  std::printf("\n");
  if (!p.by_entitlement.empty()) {
    std::printf("  per app instance:\n");
    for (const EntitlementImpact& r : p.by_entitlement) {
      std::printf("    %-28s %3zu gain  %3zu lose  %3zu change\n",
                  InstanceName(r.app, r.instance).c_str(), r.gained.size(),
                  r.lost.size(), r.changed.size());
    }
  }
  if (!p.deltas.empty()) std::printf("  people:\n");
  for (const PersonDelta& pd : p.deltas) {
    std::printf("    %s\n", pd.person_id.c_str());
    for (const Entitlement& e : pd.add)
      std::printf("      add     %s\n", Describe(e).c_str());
    for (const Entitlement& e : pd.remove)
      std::printf("      remove  %s\n", Describe(e).c_str());
    for (const EntitlementChange& c : pd.change) {
      std::printf("      change  %s -> %s\n", Describe(c.from).c_str(),
                  Describe(c.to).c_str());
    }
  }
}

}  // namespace

int RunDiff(int argc, char** argv) {
  std::vector<OptionSpec> specs = PolicyOptionSpecs();
  specs.insert(specs.end(), {{"rules-before"},
                             {"rules-after"},
                             {"policy-version-before"},
                             {"policy-version-after"},
                             {"people"},
                             {"as-of"},
                             {"format"},
                             {"max-regions"},
                             {"threads"},
                             {"help", false}});
  absl::StatusOr<Args> args = Args();
  if (std::optional<int> exit = ParseCommandLine(
          "diff", argc, argv, specs, std::string(kHelp) + kPolicyOptionsHelp,
          &*args, /*allow_positional=*/true)) {
    return *exit;
  }
  if (args->Has("rules"))
    return Fail(
        "give the two versions (OLD NEW or --rules-before/--rules-after), not "
        "--rules");
  // `diff OLD NEW`: the positionals become --rules-before/--rules-after.
  const std::vector<std::string> pos = args->positional();
  if (!pos.empty()) {
    if (pos.size() != 2 || args->Has("rules-before") ||
        args->Has("rules-after")) {
      return Fail(
          "give exactly two versions: OLD NEW, or --rules-before OLD "
          "--rules-after NEW (see --help)");
    }
    std::vector<std::string> storage(argv, argv + argc);
    storage.insert(storage.end(),
                   {"--rules-before", pos[0], "--rules-after", pos[1]});
    // The positionals stay in the reparsed Args; nothing reads them.
    std::vector<char*> ptrs;
    for (std::string& s : storage) ptrs.push_back(s.data());
    auto reparsed =
        Args::Parse(static_cast<int>(ptrs.size()), ptrs.data(), 2, specs);
    if (!reparsed.ok()) return Fail(std::string(reparsed.status().message()));
    args = std::move(reparsed);
  }
  if (!args->Has("rules-before") || !args->Has("rules-after")) {
    return Fail(
        "give the two versions: birthright diff OLD NEW, or --rules-before "
        "OLD --rules-after NEW (see --help)");
  }
  const std::string format = args->Get("format").value_or("table");
  if (format != "table" && format != "json" && format != "jsonl")
    return Fail("--format: expected table, json or jsonl");
  DiffOptions options;
  options.population_as_of = TodayUtc();
  if (auto a = args->Get("as-of")) {
    std::optional<Date> d = ParseIsoDate(*a);
    if (!d) return Fail("--as-of: expected YYYY-MM-DD, got '" + *a + "'");
    options.population_as_of = *d;
    options.semantic_as_of = *d;
  }
  if (auto m = args->Get("max-regions")) {
    std::optional<int64_t> n = ParseInt64(*m);
    if (!n || *n < 0 || *n > 10'000'000)
      return Fail("--max-regions: expected 0..10000000");
    options.max_regions = *n;
  }
  if (auto t = args->Get("threads")) {
    std::optional<int64_t> n = ParseInt64(*t);
    if (!n || *n < 1 || *n > 256) return Fail("--threads: expected 1..256");
    options.threads = static_cast<int>(*n);
  }
  std::optional<Population> people;
  if (auto p = args->Get("people")) {
    auto loaded = LoadPopulation(*p);
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
    people = std::move(*loaded);
  }
  LoadedPolicy versions[2];
  const char* flags[2] = {"rules-before", "rules-after"};
  const char* version_flags[2] = {"policy-version-before",
                                  "policy-version-after"};
  for (int i = 0; i < 2; ++i) {
    auto loaded = LoadPolicy(*args, flags[i]);
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
    if (loaded->snapshot) {
      return Fail(
          "--" + std::string(flags[i]) +
          ": diff needs the policy source (rules list, matrix or policy "
          "text), not a compiled snapshot: a snapshot keeps no rule text to "
          "compare. For the population impact of two snapshots use `birthright "
          "delta --rules-before A --rules-after B --people HR`");
    }
    if (auto v = args->Get(version_flags[i])) loaded->policy.version = *v;
    if (args->Has("report")) PrintImportReport(*loaded, nullptr);
    versions[i] = std::move(*loaded);
  }
  auto diff = DiffPolicies(versions[0].policy, versions[1].policy,
                           people ? &*people : nullptr, options);
  if (!diff.ok()) return Fail(std::string(diff.status().message()));
  if (format == "json") {
    std::printf("%s\n", PolicyDiffToJson(*diff).c_str());
  } else if (format == "jsonl") {
    const std::string out = PolicyDiffToJsonl(*diff);
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fprintf(stderr, "birthright diff: %s\n",
                 DiffSummaryLine(*diff).c_str());
  } else {
    PrintTable(*diff);
  }
  return kExitOk;
}

}  // namespace birthright::cli
