// `birthright reconcile`: SPEC §6, §12 — desired (the rules) vs actual (an
// access export).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/delta.h"
#include "birthright/import.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/inputs.h"
#include "util/csv.h"
#include "util/json.h"
#include "util/text.h"

namespace birthright::cli {
namespace {

constexpr char kHelp[] =
    "Usage: birthright reconcile --rules FILE [--catalog FILE]\n"
    "           [--aliases FILE] [--schema FILE] --people FILE --access FILE\n"
    "           [--as-of DATE] [--apps LIST | --exported-apps] [--person ID]\n"
    "           [--format table|json|jsonl]\n"
    "\n"
    "Compares what the rules say each person should have (desired) with what\n"
    "an access export says they hold (actual), and lists the drift:\n"
    "  missing         the rules give it; the export has no account\n"
    "  excess          an account the rules do not give, with the reason:\n"
    "                    not granted  the person is in HR; no rule gives it\n"
    "                    orphan       the person id is not in the HR export\n"
    "                    terminated   the termination date is before --as-of\n"
    "                    unknown app  the app or instance is not in the\n"
    "                                 catalog\n"
    "  level-mismatch  an account on a desired app instance at another level\n"
    "Names match case-insensitively ('salesforce,,standard user' is\n"
    "Salesforce Standard User); an empty instance names a single-instance\n"
    "app's instance.\n"
    "\n"
    "Inputs:\n"
    "  --people FILE         HR export (CSV): an id column plus attributes\n"
    "  --access FILE         access export (CSV): person id, app, instance,\n"
    "                        level\n"
    "  --as-of DATE          evaluation date, YYYY-MM-DD (default: today,\n"
    "                        UTC)\n"
    "  --apps LIST           compare only these apps (comma-separated): an\n"
    "                        export that covers a few systems would otherwise\n"
    "                        make every other desired entitlement `missing`\n"
    "  --exported-apps       compare only the apps the access export mentions\n"
    "  --person ID           only this person\n"
    "\n"
    "Output:\n"
    "  --format F            table (default: the summary first), jsonl (one\n"
    "                        line per item; the summary goes to stderr) or\n"
    "                        json\n"
    "  --reference           use the reference evaluator (the test oracle;\n"
    "                        slow) instead of the compiled policy\n"
    "\n"
    "Example (the bundled company; the export covers five apps):\n"
    "  birthright reconcile --rules examples/acme/rules.csv \\\n"
    "      --catalog examples/acme/catalog.csv \\\n"
    "      --aliases examples/acme/aliases.csv \\\n"
    "      --schema examples/acme/schema.csv \\\n"
    "      --people examples/acme/people.csv \\\n"
    "      --access examples/acme/access.csv --exported-apps \\\n"
    "      --as-of 2026-11-26\n"
    "More: docs/deltas.md\n"
    "\n";

int Fail(const absl::Status& s) { return UsageError("reconcile", s); }
int Fail(const std::string& m) { return UsageError("reconcile", m); }

struct Counts {
  int64_t missing = 0, excess = 0, mismatch = 0, orphan = 0, terminated = 0,
          unknown = 0;
};

Counts CountItems(const ReconcileResult& r) {
  Counts c;
  for (const ReconcileItem& i : r.items) {
    switch (i.kind) {
      case ReconcileKind::kMissing:
        ++c.missing;
        break;
      case ReconcileKind::kLevelMismatch:
        ++c.mismatch;
        break;
      case ReconcileKind::kExcess:
        ++c.excess;
        if (i.reason == ExcessReason::kOrphan) ++c.orphan;
        if (i.reason == ExcessReason::kTerminated) ++c.terminated;
        if (i.reason == ExcessReason::kUnknownApp) ++c.unknown;
        break;
    }
  }
  return c;
}

std::string SummaryText(const ReconcileResult& r, const Counts& c) {
  std::string out =
      std::to_string(r.people) + " people: " + std::to_string(r.consistent) +
      " accounts consistent; " + std::to_string(c.missing) + " missing, " +
      std::to_string(c.excess) + " excess (" + std::to_string(c.orphan) +
      " orphaned, " + std::to_string(c.terminated) + " of terminated people";
  if (c.unknown > 0)
    out += ", " + std::to_string(c.unknown) + " in unknown apps";
  out += "), " + std::to_string(c.mismatch) + " level mismatch" +
         (c.mismatch == 1 ? "" : "es");
  if (r.duplicates > 0)
    out += "; " + std::to_string(r.duplicates) + " duplicate rows ignored";
  return out;
}

std::string AppName(const std::string& app, const std::string& instance) {
  return instance.empty() ? app : app + " " + instance;
}

std::string Route(const InstanceIndex& index, const ReconcileItem& i) {
  const AppInstance* inst = index.FindInstance(i.app, i.instance);
  if (inst == nullptr) return "not in catalog";
  std::string prov(ProvisioningName(inst->provisioning));
  return (prov.empty() ? "unspecified" : prov) + "  " +
         (inst->owner.empty() ? "(no owner)" : inst->owner);
}

}  // namespace

int RunReconcile(int argc, char** argv) {
  std::vector<OptionSpec> specs = PolicyOptionSpecs();
  specs.insert(specs.end(), {{"people"},
                             {"access"},
                             {"person"},
                             {"as-of"},
                             {"apps"},
                             {"exported-apps", false},
                             {"format"},
                             {"reference", false},
                             {"help", false}});
  Args parsed;
  if (std::optional<int> exit =
          ParseCommandLine("reconcile", argc, argv, specs,
                           std::string(kHelp) + kPolicyOptionsHelp, &parsed)) {
    return *exit;
  }
  const Args* args = &parsed;
  const std::string format = args->Get("format").value_or("table");
  if (format != "table" && format != "json" && format != "jsonl") {
    return Fail("--format: expected table, json or jsonl");
  }
  ReconcileOptions options;
  options.as_of = TodayUtc();
  if (auto a = args->Get("as-of")) {
    std::optional<Date> d = ParseIsoDate(*a);
    if (!d) return Fail("--as-of: expected YYYY-MM-DD, got '" + *a + "'");
    options.as_of = *d;
  }
  auto people_path = args->Get("people");
  auto access_path = args->Get("access");
  if (!people_path || !access_path) {
    return Fail(
        "reconcile needs --people FILE (HR) and --access FILE (the access "
        "export)");
  }
  if (args->Has("apps") && args->Has("exported-apps")) {
    return Fail("give --apps or --exported-apps, not both");
  }
  auto people = LoadPopulation(*people_path);
  if (!people.ok()) return Fail(people.status());
  auto data = ReadFileToString(*access_path, int64_t{256} << 20);
  if (!data.ok()) return Fail(data.status());
  auto access = ImportAccessExport(*data, *access_path);
  if (!access.ok()) return Fail(access.status());
  if (auto apps = args->Get("apps")) options.apps = SplitTrimmed(*apps, ',');
  if (args->Has("exported-apps")) {
    std::set<std::string> seen;
    for (const AccessRecord& r : *access) {
      if (seen.insert(AsciiLowercase(r.app)).second)
        options.apps.push_back(r.app);
    }
    if (options.apps.empty())
      return Fail(*access_path + ": the export lists no accounts");
  }
  if (auto id = args->Get("person")) {
    std::vector<Person> keep;
    for (Person& p : people->people) {
      if (p.id == *id) keep.push_back(std::move(p));
    }
    people->people = std::move(keep);
    std::vector<AccessRecord> rows;
    for (AccessRecord& r : *access) {
      if (r.person_id == *id) rows.push_back(std::move(r));
    }
    *access = std::move(rows);
    if (people->people.empty() && access->empty()) {
      return Fail(
          absl::NotFoundError("person '" + *id + "' is in neither input"));
    }
  }

  auto loaded = LoadPolicy(*args);
  if (!loaded.ok()) return Fail(loaded.status());
  const bool reference = args->Has("reference");
  if (reference && loaded->snapshot) {
    return Fail("--reference needs the policy source, not a compiled snapshot");
  }
  std::shared_ptr<const BoundPolicy> shared;
  absl::StatusOr<ReconcileResult> result;
  if (reference) {
    BindOptions bind_options;
    bind_options.strict =
        true;  // As eval: an unknown app or level is an input error.
    auto bound = BoundPolicy::Bind(loaded->policy, &*people, bind_options);
    if (!bound.ok()) return Fail(bound.status());
    shared = std::move(*bound);
    if (args->Has("report")) PrintImportReport(*loaded, shared.get());
    result = ReconcileReference(*shared, *people, *access, options);
  } else {
    auto compiled = CompileLoaded(*loaded, &*people, &shared);
    if (!compiled.ok()) return Fail(compiled.status());
    if (args->Has("report")) PrintImportReport(*loaded, shared.get());
    result = Reconcile(**compiled, *people, *access, options);
    if (loaded->snapshot) {
      std::fprintf(stderr,
                   "birthright reconcile: note: a snapshot keeps no rule "
                   "conditions, so no excess account names the deny behind "
                   "it (denied_by); pass the policy source for that\n");
    }
  }
  if (!result.ok()) return Fail(result.status());
  const InstanceIndex index(*shared);
  const Counts counts = CountItems(*result);
  const std::string summary = SummaryText(*result, counts);

  if (format == "jsonl") {
    std::string out;
    for (const ReconcileItem& i : result->items)
      out += ReconcileItemToJson(i, index) + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fprintf(stderr, "birthright reconcile: %s\n", summary.c_str());
    return kExitOk;
  }
  if (format == "json") {
    std::string out = "{\"policy\":" + JsonString(shared->name()) +
                      ",\"version\":" + JsonString(shared->version()) +
                      ",\"as_of\":" + JsonString(FormatIsoDate(options.as_of)) +
                      ",\"apps\":";
    AppendJsonStringArray(&out, options.apps);
    out += ",\"summary\":{\"text\":" + JsonString(summary) +
           ",\"people\":" + std::to_string(result->people) +
           ",\"consistent\":" + std::to_string(result->consistent) +
           ",\"missing\":" + std::to_string(counts.missing) +
           ",\"excess\":" + std::to_string(counts.excess) +
           ",\"orphaned\":" + std::to_string(counts.orphan) +
           ",\"terminated\":" + std::to_string(counts.terminated) +
           ",\"unknown_app\":" + std::to_string(counts.unknown) +
           ",\"level_mismatch\":" + std::to_string(counts.mismatch) +
           ",\"duplicates\":" + std::to_string(result->duplicates) +
           "},\"items\":[";
    for (size_t k = 0; k < result->items.size(); ++k) {
      if (k > 0) out += ",";
      out += ReconcileItemToJson(result->items[k], index);
    }
    out += "]}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kExitOk;
  }
  std::printf(
      "reconcile %s against %s (as of %s)%s\n%s\n", people->file.c_str(),
      access_path->c_str(), FormatIsoDate(options.as_of).c_str(),
      options.apps.empty() ? ""
                           : (", apps: " +
                              [&] {
                                std::string s;
                                for (const std::string& a : options.apps)
                                  s += (s.empty() ? "" : ", ") + a;
                                return s;
                              }())
                                 .c_str(),
      summary.c_str());
  const ReconcileKind order[] = {ReconcileKind::kMissing,
                                 ReconcileKind::kExcess,
                                 ReconcileKind::kLevelMismatch};
  for (ReconcileKind kind : order) {
    std::vector<const ReconcileItem*> items;
    for (const ReconcileItem& i : result->items) {
      if (i.kind == kind) items.push_back(&i);
    }
    if (items.empty()) continue;
    std::printf("\n%s:\n", std::string(ReconcileKindName(kind)).c_str());
    size_t w = 3;
    for (const ReconcileItem* i : items)
      w = std::max(w, AppName(i->app, i->instance).size());
    for (const ReconcileItem* i : items) {
      std::string what;
      if (kind == ReconcileKind::kMissing) {
        std::string reasons;
        for (const std::string& r : i->desired->reasons)
          reasons += (reasons.empty() ? "" : ",") + r;
        what = "should have " + i->desired->level + " (" + reasons + ")";
      } else if (kind == ReconcileKind::kExcess) {
        what = "holds " +
               (i->actual_level.empty() ? std::string("an account")
                                        : i->actual_level) +
               " (" + std::string(ExcessReasonName(i->reason));
        if (!i->denied_by.empty()) {
          what += ", denied by";
          for (const std::string& r : i->denied_by) what += " " + r;
        }
        what += ")";
      } else {
        std::string reasons;
        for (const std::string& r : i->desired->reasons)
          reasons += (reasons.empty() ? "" : ",") + r;
        what = "holds " + i->actual_level + ", should have " +
               i->desired->level + " (" + reasons + ")";
      }
      std::string where = i->location.line > 0
                              ? "  [" + FormatSourceLocation(i->location) + "]"
                              : "";
      std::printf("  %-8s %-*s  %s  -> %s%s\n", i->person_id.c_str(),
                  static_cast<int>(w), AppName(i->app, i->instance).c_str(),
                  what.c_str(), Route(index, *i).c_str(), where.c_str());
    }
  }
  std::printf("\n");
  return kExitOk;
}

}  // namespace birthright::cli
