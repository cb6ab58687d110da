// `birthright delta`: SPEC §6, §11, §12 — HR sync, policy change, expiring
// access and the emergency leaver.
#include <algorithm>
#include <cstdio>
#include <iterator>
#include <memory>
#include <optional>
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
    "Usage:\n"
    "  HR sync:           birthright delta --rules FILE --before HR1\n"
    "                         --after HR2\n"
    "  policy change:     birthright delta --rules-before FILE\n"
    "                         --rules-after FILE --people HR\n"
    "  expiring access:   birthright delta --rules FILE --people HR\n"
    "                         --expiring-within 10d\n"
    "  emergency leaver:  birthright delta --rules FILE --people HR\n"
    "                         --leaver ID [--access FILE]\n"
    "  each with the policy inputs below, [--as-of DATE] [--person ID] and\n"
    "  [--format table|json|jsonl]\n"
    "\n"
    "Says exactly what to provision when people join, move or leave, or\n"
    "when the rules change: `add` (a new entitlement), `remove`, `change`\n"
    "(same app and instance, another level, scope set or expiry: a contract\n"
    "extension is a change), and `keep`. Every entitlement carries the rule\n"
    "ids that justify it; table and json output add who does the work\n"
    "(catalog owner, provisioning scim/api/manual) and the license cost.\n"
    "\n"
    "HR sync (--before/--after: two HR exports; terminated people stay in\n"
    "them):\n"
    "  joiner     only in --after, or terminated before and active after\n"
    "             (a rehire)\n"
    "  leaver     only in --before, or active before and terminated after\n"
    "  mover      active in both, and an attribute the rules read changed;\n"
    "             a case-only or alias-only edit ('new york' -> 'New York')\n"
    "             is not a move\n"
    "  unchanged  everything else (never has actions)\n"
    "  --as-of DATE          the after export's date (default: today, UTC);\n"
    "                        a termination date before it makes a leaver\n"
    "  --before-as-of DATE   the before export's date (default: --as-of).\n"
    "                        With two dates, changes that time alone makes\n"
    "                        between them (an expiry, a pilot window closing,\n"
    "                        a termination date passing) are in the delta;\n"
    "                        with one, only HR edits are. Pass it for\n"
    "                        scheduled syncs, or a termination date that\n"
    "                        passes between the exports makes no leaver\n"
    "  --threads N           compute on N threads (the output does not\n"
    "                        depend on N)\n"
    "\n"
    "Policy change (--rules-before/--rules-after, one --people): per person,\n"
    "what the new rules add, remove or change; then who gains, loses or\n"
    "changes each app instance. A person whose access changes is a `mover`.\n"
    "  --policy-version-before V, --policy-version-after V   version labels\n"
    "\n"
    "Expiring access (--expiring-within Nd with --people): every change that\n"
    "time alone makes within N days of --as-of. An entitlement whose\n"
    "`expires` is at most N days away lapses (or falls back to what another\n"
    "grant gives), an effective window opens or closes, a termination date\n"
    "passes. 10d lists a contractor whose contract ends in 10 days.\n"
    "\n"
    "Emergency leaver (--leaver ID with --people): the complete revoke list\n"
    "for one person, automated first (scim, then api), then manual: all the\n"
    "rules give them while active, even if HR already terminated them, plus\n"
    "every account of theirs in --access FILE (an access export: person id,\n"
    "app, instance, level).\n"
    "\n"
    "Output:\n"
    "  --format F            table (default: the summary first, then each\n"
    "                        person with actions), jsonl (one SPEC line per\n"
    "                        person of either input, ids sorted; the summary\n"
    "                        goes to stderr) or json (one document: summary,\n"
    "                        deltas, routed actions)\n"
    "  --person ID           only this person\n"
    "  --reference           use the reference evaluator (the test oracle;\n"
    "                        slow) instead of the compiled policy\n"
    "\n"
    "Example (the bundled company, one week of HR changes):\n"
    "  birthright delta --rules examples/acme/rules.csv \\\n"
    "      --catalog examples/acme/catalog.csv \\\n"
    "      --aliases examples/acme/aliases.csv \\\n"
    "      --schema examples/acme/schema.csv \\\n"
    "      --before examples/acme/people.csv \\\n"
    "      --after examples/acme/people-after.csv --as-of 2026-12-03\n"
    "More: docs/deltas.md\n"
    "\n";

class DeltaCommand {
 public:
  explicit DeltaCommand(const Args& args) : args_(args) {}
  int Run();

 private:
  int Fail(const absl::Status& s) {
    std::fprintf(stderr, "birthright delta: %s\n",
                 std::string(s.message()).c_str());
    return kExitUsage;
  }
  int Fail(const std::string& message) {
    return Fail(absl::InvalidArgumentError(message));
  }

  // A policy ready to use: bound always; compiled unless --reference.
  struct Loaded {
    std::shared_ptr<const BoundPolicy> bound;
    std::shared_ptr<const CompiledPolicy> compiled;
  };
  absl::StatusOr<Loaded> Load(const std::string& rules_flag,
                              const Population& hr, const char* version_flag,
                              bool need_compiled);
  absl::Status FilterPerson(Population* pop, bool required);

  int RunHrSync();
  int RunPolicyChange();
  int RunExpiring();
  int RunLeaver();

  void PrintDeltas(const BoundPolicy& policy,
                   const std::vector<PersonDelta>& deltas,
                   const std::string& header, const std::string& json_header,
                   const std::vector<EntitlementImpact>* impact);
  std::string Summary(const DeltaSummary& s) const {
    return SummaryLine(s, policy_change_);
  }

  const Args& args_;
  std::string format_;
  Date as_of_;
  bool reference_ = false;
  int threads_ = 1;
  bool policy_change_ = false;
};

// ---------------------------------------------------------------------------
// Shared helpers.

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string Describe(const Entitlement& e) {
  std::string out = e.level.empty() ? "(default)" : e.level;
  if (!e.scopes.empty()) out += " [" + Join(e.scopes, ";") + "]";
  if (e.expires) out += " until " + FormatIsoDate(*e.expires);
  return out;
}

std::string AppName(const std::string& app, const std::string& instance) {
  return instance.empty() ? app : app + " " + instance;
}

std::string RouteText(const InstanceIndex& index, const std::string& app,
                      const std::string& instance, int sign) {
  const AppInstance* inst = index.FindInstance(app, instance);
  if (inst == nullptr) return "not in catalog (manual)";
  std::string prov(ProvisioningName(inst->provisioning));
  if (prov.empty()) prov = "unspecified";
  std::string out =
      prov + "  " + (inst->owner.empty() ? "(no owner)" : inst->owner);
  if (inst->monthly_cost_cents && *inst->monthly_cost_cents != 0 && sign != 0) {
    out += "  " + FormatCents(sign * *inst->monthly_cost_cents, true) + "/mo";
  }
  return out;
}

void AppendRouteJson(std::string* out, const InstanceIndex& index,
                     const std::string& app, const std::string& instance) {
  const AppInstance* inst = index.FindInstance(app, instance);
  *out += ",\"owner\":";
  AppendJsonString(out, inst != nullptr ? inst->owner : "");
  *out += ",\"provisioning\":";
  const std::string_view prov =
      inst != nullptr ? ProvisioningName(inst->provisioning) : "";
  AppendJsonString(out, prov.empty() ? "unspecified" : prov);
  *out += ",\"monthly_cost_cents\":";
  *out += inst != nullptr && inst->monthly_cost_cents
              ? std::to_string(*inst->monthly_cost_cents)
              : "null";
}

std::string SummaryJson(const DeltaSummary& s, bool policy_change) {
  std::string out = "{\"text\":" + JsonString(SummaryLine(s, policy_change));
  auto num = [&](const char* key, int64_t v) {
    out += ",\"";
    out += key;
    out += "\":" + std::to_string(v);
  };
  num("people", s.people);
  num("joiners", s.joiners);
  num("movers", s.movers);
  num("leavers", s.leavers);
  num("unchanged", s.unchanged);
  num("adds", s.adds);
  num("removes", s.removes);
  num("changes", s.changes);
  num("keeps", s.keeps);
  num("automated_tasks", s.automated_tasks);
  num("manual_tasks", s.manual_tasks);
  out += ",\"manual_tasks_by_owner\":[";
  for (size_t i = 0; i < s.manual_by_owner.size(); ++i) {
    if (i > 0) out += ",";
    out += "{\"owner\":" + JsonString(s.manual_by_owner[i].owner) +
           ",\"tasks\":" + std::to_string(s.manual_by_owner[i].tasks) + "}";
  }
  out += "]";
  num("license_cents_per_month", s.license_cents_per_month);
  num("unpriced_actions", s.unpriced_actions);
  out += "}";
  return out;
}

// One routed work item per action, for hosts that dispatch the work.
std::string ActionsJson(const InstanceIndex& index,
                        const std::vector<PersonDelta>& deltas) {
  std::string out = "[";
  bool first = true;
  auto item = [&](const PersonDelta& d, const char* action,
                  const Entitlement* from, const Entitlement* to) {
    const Entitlement& e = to != nullptr ? *to : *from;
    if (!first) out += ",";
    first = false;
    out += "{\"person\":" + JsonString(d.person_id) +
           ",\"kind\":" + JsonString(DeltaKindName(d.kind)) + ",\"action\":\"" +
           action + "\",\"app\":" + JsonString(e.app) +
           ",\"instance\":" + JsonString(e.instance) +
           ",\"from\":" + (from != nullptr ? JsonString(from->level) : "null") +
           ",\"to\":" + (to != nullptr ? JsonString(to->level) : "null");
    AppendRouteJson(&out, index, e.app, e.instance);
    out += "}";
  };
  for (const PersonDelta& d : deltas) {
    for (const Entitlement& e : d.add) item(d, "add", nullptr, &e);
    for (const EntitlementChange& c : d.change)
      item(d, "change", &c.from, &c.to);
    for (const Entitlement& e : d.remove) item(d, "remove", &e, nullptr);
  }
  return out + "]";
}

void PrintActionTable(const InstanceIndex& index, const PersonDelta& d) {
  struct Row {
    std::string action, app, what, why, route;
  };
  std::vector<Row> rows;
  for (const Entitlement& e : d.add) {
    rows.push_back({"add", AppName(e.app, e.instance), Describe(e),
                    Join(e.reasons, ","),
                    RouteText(index, e.app, e.instance, +1)});
  }
  for (const EntitlementChange& c : d.change) {
    rows.push_back(
        {"change", AppName(c.to.app, c.to.instance),
         Describe(c.from) + " -> " + Describe(c.to),
         Join(c.from.reasons, ",") + " -> " + Join(c.to.reasons, ","),
         RouteText(index, c.to.app, c.to.instance, 0)});
  }
  for (const Entitlement& e : d.remove) {
    rows.push_back({"remove", AppName(e.app, e.instance), Describe(e),
                    "was " + Join(e.reasons, ","),
                    RouteText(index, e.app, e.instance, -1)});
  }
  size_t w_app = 3, w_what = 4, w_why = 3;
  for (const Row& r : rows) {
    w_app = std::max(w_app, r.app.size());
    w_what = std::max(w_what, r.what.size());
    w_why = std::max(w_why, r.why.size());
  }
  if (!rows.empty()) {
    std::printf("  %-6s  %-*s  %-*s  %-*s  %s\n", "ACTION",
                static_cast<int>(w_app), "APP", static_cast<int>(w_what),
                "WHAT", static_cast<int>(w_why), "WHY",
                "ROUTE (provisioning, owner, license)");
  }
  for (const Row& r : rows) {
    std::printf("  %-6s  %-*s  %-*s  %-*s  %s\n", r.action.c_str(),
                static_cast<int>(w_app), r.app.c_str(),
                static_cast<int>(w_what), r.what.c_str(),
                static_cast<int>(w_why), r.why.c_str(), r.route.c_str());
  }
  if (!d.keep.empty()) {
    std::vector<std::string> kept;
    for (const Entitlement& e : d.keep)
      kept.push_back(AppName(e.app, e.instance));
    std::printf("  keep    %s\n", Join(kept, ", ").c_str());
  }
}

std::optional<int32_t> ParseDays(const std::string& text) {
  std::string t(TrimWhitespace(text));
  if (!t.empty() && (t.back() == 'd' || t.back() == 'D')) t.pop_back();
  std::optional<int64_t> n = ParseInt64(t);
  if (!n || *n < 0 || *n > 36600) return std::nullopt;
  return static_cast<int32_t>(*n);
}

// ---------------------------------------------------------------------------

absl::StatusOr<DeltaCommand::Loaded> DeltaCommand::Load(
    const std::string& rules_flag, const Population& hr,
    const char* version_flag, bool need_compiled) {
  auto loaded = LoadPolicy(args_, rules_flag);
  if (!loaded.ok()) return loaded.status();
  if (version_flag != nullptr) {
    if (auto v = args_.Get(version_flag)) {
      if (loaded->snapshot) {
        return absl::InvalidArgumentError(
            std::string("--") + version_flag +
            ": a compiled snapshot records its own version");
      }
      loaded->policy.version = *v;
    }
  }
  Loaded out;
  if (reference_ || !need_compiled) {
    if (loaded->snapshot) {
      if (reference_) {
        return absl::InvalidArgumentError(
            "--reference needs the policy source, not a compiled snapshot");
      }
      out.bound = loaded->snapshot->shared_policy();
      out.compiled = loaded->snapshot;
    } else {
      BindOptions options;
      options.strict =
          true;  // As eval: an unknown app or level is an input error.
      auto bound = BoundPolicy::Bind(loaded->policy, &hr, options);
      if (!bound.ok()) return bound.status();
      out.bound = std::move(*bound);
    }
  } else {
    auto compiled = CompileLoaded(*loaded, &hr, &out.bound);
    if (!compiled.ok()) return compiled.status();
    out.compiled = std::move(*compiled);
  }
  if (args_.Has("report")) PrintImportReport(*loaded, out.bound.get());
  return out;
}

absl::Status DeltaCommand::FilterPerson(Population* pop, bool required) {
  auto id = args_.Get("person");
  if (!id) return absl::OkStatus();
  std::vector<Person> keep;
  for (Person& p : pop->people) {
    if (p.id == *id) keep.push_back(std::move(p));
  }
  if (keep.empty() && required) {
    return absl::NotFoundError("person '" + *id + "' is not in " + pop->file);
  }
  pop->people = std::move(keep);
  return absl::OkStatus();
}

int DeltaCommand::Run() {
  format_ = args_.Get("format").value_or("table");
  if (format_ != "table" && format_ != "json" && format_ != "jsonl") {
    return Fail("--format: expected table, json or jsonl");
  }
  as_of_ = TodayUtc();
  if (auto a = args_.Get("as-of")) {
    std::optional<Date> d = ParseIsoDate(*a);
    if (!d) return Fail("--as-of: expected YYYY-MM-DD, got '" + *a + "'");
    as_of_ = *d;
  }
  reference_ = args_.Has("reference");
  if (auto t = args_.Get("threads")) {
    std::optional<int64_t> n = ParseInt64(*t);
    if (!n || *n < 1 || *n > 256) return Fail("--threads: expected 1..256");
    threads_ = static_cast<int>(*n);
  }
  const bool sync = args_.Has("before") || args_.Has("after");
  const bool policy_change =
      args_.Has("rules-before") || args_.Has("rules-after");
  const bool expiring = args_.Has("expiring-within");
  const bool leaver = args_.Has("leaver");
  const int modes =
      int{sync} + int{policy_change} + int{expiring} + int{leaver};
  if (modes != 1) {
    return Fail(
        modes == 0
            ? "say what to compare: --before/--after (HR sync), --rules-before/"
              "--rules-after (policy change), --expiring-within, or --leaver "
              "(see --help)"
            : "give one of --before/--after, --rules-before/--rules-after, "
              "--expiring-within, --leaver");
  }
  if (sync) return RunHrSync();
  policy_change_ = policy_change;
  if (policy_change) return RunPolicyChange();
  if (expiring) return RunExpiring();
  return RunLeaver();
}

void DeltaCommand::PrintDeltas(const BoundPolicy& policy,
                               const std::vector<PersonDelta>& deltas,
                               const std::string& header,
                               const std::string& json_header,
                               const std::vector<EntitlementImpact>* impact) {
  const InstanceIndex index(policy);
  const DeltaSummary summary = Summarize(index, deltas);
  if (format_ == "jsonl") {
    // Streamed in ~1 MB blocks: a 100k-person sync is over 100 MB of jsonl.
    std::string out;
    for (const PersonDelta& d : deltas) {
      out += PersonDeltaToJson(d);
      out += "\n";
      if (out.size() > (1 << 20)) {
        std::fwrite(out.data(), 1, out.size(), stdout);
        out.clear();
      }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fprintf(stderr, "birthright delta: %s\n", Summary(summary).c_str());
    return;
  }
  if (format_ == "json") {
    std::string out = "{" + json_header +
                      ",\"summary\":" + SummaryJson(summary, policy_change_);
    if (impact != nullptr) {
      out += ",\"impact\":[";
      for (size_t i = 0; i < impact->size(); ++i) {
        if (i > 0) out += ",";
        out += EntitlementImpactToJson((*impact)[i]);
      }
      out += "]";
    }
    out += ",\"deltas\":[";
    for (size_t i = 0; i < deltas.size(); ++i) {
      if (i > 0) out += ",";
      out += PersonDeltaToJson(deltas[i]);
    }
    out += "],\"actions\":" + ActionsJson(index, deltas) + "}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return;
  }
  // Table: what a person reads first, then the work.
  std::printf("%s\n%s\n", header.c_str(), Summary(summary).c_str());
  if (!summary.manual_by_owner.empty()) {
    std::vector<std::string> owners;
    for (const OwnerTasks& o : summary.manual_by_owner) {
      owners.push_back(o.owner + " " + std::to_string(o.tasks));
    }
    std::printf("manual tasks by owner: %s\n", Join(owners, ", ").c_str());
  }
  if (impact != nullptr && !impact->empty()) {
    std::printf("\nby entitlement (people who gain / lose / change it):\n");
    size_t w = 3;
    for (const EntitlementImpact& r : *impact)
      w = std::max(w, AppName(r.app, r.instance).size());
    for (const EntitlementImpact& r : *impact) {
      std::printf("  %-*s  +%zu  -%zu  ~%zu\n", static_cast<int>(w),
                  AppName(r.app, r.instance).c_str(), r.gained.size(),
                  r.lost.size(), r.changed.size());
    }
  }
  std::vector<std::string> quiet;
  for (const PersonDelta& d : deltas) {
    if (d.kind == DeltaKind::kUnchanged) continue;
    std::printf(
        "\n%s  %s%s\n", d.person_id.c_str(),
        std::string(DeltaKindName(d.kind)).c_str(),
        d.has_actions() ? "" : " (attributes changed; access does not)");
    PrintActionTable(index, d);
  }
  std::printf("\n");
}

int DeltaCommand::RunHrSync() {
  auto before_path = args_.Get("before");
  auto after_path = args_.Get("after");
  if (!before_path || !after_path)
    return Fail("HR sync needs both --before FILE and --after FILE");
  if (args_.Has("people"))
    return Fail("HR sync reads --before/--after; drop --people");
  std::optional<Date> before_as_of;
  if (auto a = args_.Get("before-as-of")) {
    before_as_of = ParseIsoDate(*a);
    if (!before_as_of)
      return Fail("--before-as-of: expected YYYY-MM-DD, got '" + *a + "'");
    if (*before_as_of > as_of_) return Fail("--before-as-of is after --as-of");
  }
  auto before = LoadPopulation(*before_path);
  if (!before.ok()) return Fail(before.status());
  auto after = LoadPopulation(*after_path);
  if (!after.ok()) return Fail(after.status());
  if (auto id = args_.Get("person")) {
    (void)FilterPerson(&*before, false);  // Cannot fail when not required.
    (void)FilterPerson(&*after, false);
    if (before->people.empty() && after->people.empty()) {
      return Fail(
          absl::NotFoundError("person '" + *id + "' is in neither export"));
    }
  }
  // Types are inferred from both exports together, so one attribute has one
  // type on both sides. The people are moved, not copied, and moved back.
  Population both;
  both.file = before->file + "+" + after->file;
  const size_t n_before = before->people.size();
  both.people = std::move(before->people);
  both.people.insert(both.people.end(),
                     std::make_move_iterator(after->people.begin()),
                     std::make_move_iterator(after->people.end()));
  auto policy = Load("rules", both, nullptr, true);
  after->people.assign(std::make_move_iterator(both.people.begin() + n_before),
                       std::make_move_iterator(both.people.end()));
  both.people.resize(n_before);
  before->people = std::move(both.people);
  if (!policy.ok()) return Fail(policy.status());
  const BoundPolicy& bound = *policy->bound;
  HrSyncOptions options;
  options.as_of = as_of_;
  options.before_as_of = before_as_of;
  options.threads = threads_;
  absl::StatusOr<std::vector<PersonDelta>> deltas;
  if (reference_) {
    deltas = HrSyncReference(bound, *before, *after, options);
  } else {
    deltas = HrSync(*policy->compiled, *before, *after, options);
  }
  if (!deltas.ok()) return Fail(deltas.status());
  const Date bdate = before_as_of.value_or(as_of_);
  const std::string header = "HR sync " + before->file + " (" +
                             FormatIsoDate(bdate) + ") -> " + after->file +
                             " (" + FormatIsoDate(as_of_) + "), policy " +
                             bound.name() + " " + bound.version();
  const std::string json_header =
      "\"policy\":" + JsonString(bound.name()) +
      ",\"version\":" + JsonString(bound.version()) +
      ",\"before_as_of\":" + JsonString(FormatIsoDate(bdate)) +
      ",\"as_of\":" + JsonString(FormatIsoDate(as_of_));
  PrintDeltas(bound, *deltas, header, json_header, nullptr);
  return kExitOk;
}

int DeltaCommand::RunPolicyChange() {
  if (!args_.Has("rules-before") || !args_.Has("rules-after")) {
    return Fail(
        "a policy change needs both --rules-before FILE and --rules-after "
        "FILE");
  }
  if (args_.Has("rules"))
    return Fail("give --rules-before/--rules-after, not --rules");
  auto people_path = args_.Get("people");
  if (!people_path)
    return Fail(
        "a policy change needs --people FILE (the population to compare)");
  auto people = LoadPopulation(*people_path);
  if (!people.ok()) return Fail(people.status());
  if (absl::Status s = FilterPerson(&*people, true); !s.ok()) return Fail(s);
  auto before = Load("rules-before", *people, "policy-version-before", true);
  if (!before.ok()) return Fail(before.status());
  auto after = Load("rules-after", *people, "policy-version-after", true);
  if (!after.ok()) return Fail(after.status());
  std::vector<PersonDelta> deltas;
  if (reference_) {
    std::vector<const Person*> sorted;
    for (const Person& p : people->people) sorted.push_back(&p);
    std::sort(sorted.begin(), sorted.end(),
              [](const Person* a, const Person* b) { return a->id < b->id; });
    for (const Person* p : sorted) {
      deltas.push_back(
          PolicyDeltaReference(*before->bound, *after->bound, *p, as_of_));
    }
  } else {
    auto d = PolicyDeltaPopulation(*before->compiled, *after->compiled, *people,
                                   as_of_, threads_);
    if (!d.ok()) return Fail(d.status());
    deltas = std::move(*d);
  }
  const std::vector<EntitlementImpact> impact = ImpactByEntitlement(deltas);
  const BoundPolicy& b = *before->bound;
  const BoundPolicy& a = *after->bound;
  const std::string header = "policy change " + b.name() + " " + b.version() +
                             " -> " + a.name() + " " + a.version() + " over " +
                             people->file + " (as of " + FormatIsoDate(as_of_) +
                             ")";
  const std::string json_header =
      "\"policy_before\":{\"name\":" + JsonString(b.name()) +
      ",\"version\":" + JsonString(b.version()) +
      "},\"policy_after\":{\"name\":" + JsonString(a.name()) +
      ",\"version\":" + JsonString(a.version()) +
      "},\"as_of\":" + JsonString(FormatIsoDate(as_of_));
  // Routing follows the new policy's catalog: that is where the work lands.
  PrintDeltas(a, deltas, header, json_header, &impact);
  return kExitOk;
}

int DeltaCommand::RunExpiring() {
  std::optional<int32_t> days = ParseDays(*args_.Get("expiring-within"));
  if (!days)
    return Fail(
        "--expiring-within: expected a number of days such as 10d (0..36600)");
  auto people_path = args_.Get("people");
  if (!people_path) return Fail("--expiring-within needs --people FILE");
  auto people = LoadPopulation(*people_path);
  if (!people.ok()) return Fail(people.status());
  if (absl::Status s = FilterPerson(&*people, true); !s.ok()) return Fail(s);
  auto policy = Load("rules", *people, nullptr, true);
  if (!policy.ok()) return Fail(policy.status());
  const BoundPolicy& bound = *policy->bound;
  std::vector<const Person*> sorted;
  for (const Person& p : people->people) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(),
            [](const Person* a, const Person* b) { return a->id < b->id; });
  std::vector<TimedChange> changes;
  for (const Person* p : sorted) {
    std::vector<TimedChange> c =
        reference_ ? UpcomingChangesReference(bound, *p, as_of_, *days)
                   : UpcomingChanges(*policy->compiled, *p, as_of_, *days);
    for (TimedChange& t : c) changes.push_back(std::move(t));
  }
  // What lapses first comes first; people in id order within a day.
  std::stable_sort(changes.begin(), changes.end(),
                   [](const TimedChange& a, const TimedChange& b) {
                     return a.effective < b.effective;
                   });
  const InstanceIndex index(bound);
  auto json_of = [&](const TimedChange& t) {
    const Entitlement& e = t.from ? *t.from : *t.to;
    std::string out =
        "{\"person\":" + JsonString(t.person_id) +
        ",\"effective\":" + JsonString(FormatIsoDate(t.effective)) +
        ",\"last_day\":" +
        JsonString(FormatIsoDate(Date{t.effective.days - 1})) +
        ",\"app\":" + JsonString(e.app) +
        ",\"instance\":" + JsonString(e.instance) +
        ",\"from\":" + (t.from ? EntitlementToJson(*t.from) : "null") +
        ",\"to\":" + (t.to ? EntitlementToJson(*t.to) : "null");
    AppendRouteJson(&out, index, e.app, e.instance);
    return out + "}";
  };
  if (format_ == "jsonl") {
    std::string out;
    for (const TimedChange& t : changes) out += json_of(t) + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fprintf(stderr, "birthright delta: %zu changes within %d days of %s\n",
                 changes.size(), *days, FormatIsoDate(as_of_).c_str());
    return kExitOk;
  }
  if (format_ == "json") {
    std::string out = "{\"as_of\":" + JsonString(FormatIsoDate(as_of_)) +
                      ",\"within_days\":" + std::to_string(*days) +
                      ",\"changes\":[";
    for (size_t i = 0; i < changes.size(); ++i)
      out += (i > 0 ? "," : "") + json_of(changes[i]);
    out += "]}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kExitOk;
  }
  int64_t lapses = 0;
  for (const TimedChange& t : changes) lapses += t.to ? 0 : 1;
  std::printf(
      "access that changes with time alone within %d days of %s (through %s)\n",
      *days, FormatIsoDate(as_of_).c_str(),
      FormatIsoDate(Date{as_of_.days + *days}).c_str());
  const long long others = static_cast<long long>(changes.size()) - lapses;
  std::printf("%zu change%s: %lld lapse%s, %lld other change%s or start%s\n\n",
              changes.size(), changes.size() == 1 ? "" : "s",
              static_cast<long long>(lapses), lapses == 1 ? "" : "s", others,
              others == 1 ? "" : "s", others == 1 ? "" : "s");
  for (const TimedChange& t : changes) {
    const Entitlement& e = t.from ? *t.from : *t.to;
    std::string what;
    if (t.from && !t.to) {
      what = "lapses: " + Describe(*t.from) + " (" +
             Join(t.from->reasons, ",") + ")";
    } else if (t.from && t.to) {
      what = "changes: " + Describe(*t.from) + " -> " + Describe(*t.to) + " (" +
             Join(t.to->reasons, ",") + ")";
    } else {
      what =
          "starts: " + Describe(*t.to) + " (" + Join(t.to->reasons, ",") + ")";
    }
    std::printf("  %s  last day %s  %-8s %-22s %s\n    route: %s\n",
                FormatIsoDate(t.effective).c_str(),
                FormatIsoDate(Date{t.effective.days - 1}).c_str(),
                t.person_id.c_str(), AppName(e.app, e.instance).c_str(),
                what.c_str(),
                RouteText(index, e.app, e.instance, t.to ? 0 : -1).c_str());
  }
  return kExitOk;
}

int DeltaCommand::RunLeaver() {
  const std::string id = *args_.Get("leaver");
  auto people_path = args_.Get("people");
  if (!people_path) return Fail("--leaver needs --people FILE (the HR export)");
  if (args_.Has("person"))
    return Fail("--leaver names the person; drop --person");
  auto people = LoadPopulation(*people_path);
  if (!people.ok()) return Fail(people.status());
  std::optional<std::vector<AccessRecord>> access;
  if (auto a = args_.Get("access")) {
    auto data = ReadFileToString(*a, int64_t{256} << 20);
    if (!data.ok()) return Fail(data.status());
    auto rows = ImportAccessExport(*data, *a);
    if (!rows.ok()) return Fail(rows.status());
    access = std::move(*rows);
  }
  const Person* person = nullptr;
  for (const Person& p : people->people) {
    if (p.id == id) person = &p;
  }
  Person absent;
  if (person == nullptr) {
    if (!access) {
      return Fail(absl::NotFoundError(
          "person '" + id + "' is not in " + people->file +
          "; give --access FILE to revoke their accounts anyway"));
    }
    std::fprintf(
        stderr,
        "birthright delta: '%s' is not in %s; the revoke list comes from the "
        "access export only\n",
        id.c_str(), people->file.c_str());
    absent.id = id;
    person = &absent;
  }
  if (reference_)
    return Fail("--leaver runs on the compiled policy; drop --reference");
  auto policy = Load("rules", *people, nullptr, true);
  if (!policy.ok()) return Fail(policy.status());
  std::vector<RevokeItem> items = EmergencyLeaver(
      *policy->compiled, *person, access ? &*access : nullptr, as_of_);
  if (person == &absent) {
    // Nothing in HR: the policy's answer for an empty record is not theirs.
    std::vector<RevokeItem> exported;
    for (RevokeItem& i : items) {
      if (!i.actual_level) continue;
      i.granted.reset();
      exported.push_back(std::move(i));
    }
    items = std::move(exported);
  }
  int64_t automated = 0;
  for (const RevokeItem& i : items)
    automated += IsAutomated(i.provisioning) ? 1 : 0;
  const int64_t manual = static_cast<int64_t>(items.size()) - automated;
  if (format_ == "jsonl") {
    std::string out = PersonDeltaToJson(RevokeListToDelta(id, items)) + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fprintf(
        stderr,
        "birthright delta: revoke %zu for %s: %lld automated, %lld manual\n",
        items.size(), id.c_str(), static_cast<long long>(automated),
        static_cast<long long>(manual));
    return kExitOk;
  }
  if (format_ == "json") {
    std::string out = "{\"person\":" + JsonString(id) +
                      ",\"as_of\":" + JsonString(FormatIsoDate(as_of_)) +
                      ",\"automated\":" + std::to_string(automated) +
                      ",\"manual\":" + std::to_string(manual) + ",\"revoke\":[";
    for (size_t k = 0; k < items.size(); ++k) {
      const RevokeItem& i = items[k];
      if (k > 0) out += ",";
      out += "{\"app\":" + JsonString(i.app) +
             ",\"instance\":" + JsonString(i.instance) + ",\"granted\":" +
             (i.granted ? EntitlementToJson(*i.granted) : "null") +
             ",\"actual\":";
      if (i.actual_level) {
        out += "{\"level\":" + JsonString(*i.actual_level) +
               ",\"location\":" + JsonString(FormatSourceLocation(i.location)) +
               "}";
      } else {
        out += "null";
      }
      out += ",\"owner\":" + JsonString(i.owner) + ",\"provisioning\":";
      const std::string_view prov = ProvisioningName(i.provisioning);
      out += JsonString(prov.empty() ? "unspecified" : prov);
      out += ",\"monthly_cost_cents\":" +
             (i.monthly_cost_cents ? std::to_string(*i.monthly_cost_cents)
                                   : "null") +
             "}";
    }
    out += "]}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kExitOk;
  }
  std::printf(
      "emergency leaver %s (as of %s): revoke %zu: %lld automated first, then "
      "%lld "
      "manual\n\n",
      id.c_str(), FormatIsoDate(as_of_).c_str(), items.size(),
      static_cast<long long>(automated), static_cast<long long>(manual));
  size_t w = 3;
  for (const RevokeItem& i : items)
    w = std::max(w, AppName(i.app, i.instance).size());
  int n = 0;
  for (const RevokeItem& i : items) {
    std::string prov(ProvisioningName(i.provisioning));
    if (prov.empty()) prov = "unspecified";
    std::string what =
        i.granted
            ? Describe(*i.granted) + " (" + Join(i.granted->reasons, ",") + ")"
            : "account only in the export (no rule gives it)";
    if (i.actual_level) {
      what += "; account " + *i.actual_level + " at " +
              FormatSourceLocation(i.location);
    }
    std::printf("  %2d. %-11s %-*s  %s  owner %s\n", ++n, prov.c_str(),
                static_cast<int>(w), AppName(i.app, i.instance).c_str(),
                what.c_str(), i.owner.empty() ? "(none)" : i.owner.c_str());
  }
  return kExitOk;
}

}  // namespace

int RunDelta(int argc, char** argv) {
  std::vector<OptionSpec> specs = PolicyOptionSpecs();
  specs.insert(specs.end(), {{"rules-before"},
                             {"rules-after"},
                             {"policy-version-before"},
                             {"policy-version-after"},
                             {"before"},
                             {"after"},
                             {"people"},
                             {"person"},
                             {"as-of"},
                             {"before-as-of"},
                             {"expiring-within"},
                             {"leaver"},
                             {"access"},
                             {"format"},
                             {"reference", false},
                             {"threads"},
                             {"help", false}});
  Args args;
  if (std::optional<int> exit =
          ParseCommandLine("delta", argc, argv, specs,
                           std::string(kHelp) + kPolicyOptionsHelp, &args)) {
    return *exit;
  }
  return DeltaCommand(args).Run();
}

}  // namespace birthright::cli
