// `birthright eval`: SPEC §5, §11, §12.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "birthright/batch.h"
#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/decision.h"
#include "birthright/reference_evaluator.h"
#include "birthright/sod.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/inputs.h"
#include "util/json.h"
#include "util/text.h"

namespace birthright::cli {
namespace {

constexpr char kHelp[] =
    "Usage: birthright eval --rules FILE [--catalog FILE] [--aliases FILE]\n"
    "                       [--schema FILE] (--people FILE [--person ID] |\n"
    "                       --attr NAME=VALUE ...) [--as-of DATE]\n"
    "                       [--format table|json|jsonl] [--explain]\n"
    "                       [--sod FILE]\n"
    "\n"
    "Answers what each person should have, and which rule (and policy\n"
    "version) granted it. Deny beats grant; a grant needs its condition\n"
    "proven TRUE, so a missing attribute withholds it and is reported.\n"
    "\n"
    "People:\n"
    "  --people FILE          HR export (CSV): an id column plus attributes\n"
    "  --person ID            only this person of --people\n"
    "  --attr NAME=VALUE      evaluate one ad-hoc person (repeatable), e.g.\n"
    "                         --attr 'job title=Sales Engineer' --attr "
    "department=Sales\n"
    "  --as-of DATE           evaluation date, YYYY-MM-DD (default: today, "
    "UTC);\n"
    "                         decides leavers, expiries and effective windows\n"
    "\n"
    "Output:\n"
    "  --format F             table (default; for people), jsonl (one line "
    "per\n"
    "                         person, SPEC §11) or json (one document)\n"
    "  --explain              also show withheld grants and what stopped them\n"
    "  --reference            use the reference evaluator (the test oracle; "
    "slow)\n"
    "                         instead of the compiled decision DAG\n"
    "  --threads N            evaluate on N threads (default 1; output order "
    "is\n"
    "                         the input order whatever N is)\n"
    "  --progress             report progress on stderr (default: when stderr "
    "is\n"
    "                         a terminal and there are over 10,000 people)\n"
    "\n";

std::string FormatReason(const BoundPolicy& policy,
                         const std::string& rule_id) {
  for (const BoundRule& r : policy.rules()) {
    if (r.id == rule_id) {
      return "rule " + r.id + " (" + policy.name() + " " + policy.version() +
             ", line " + std::to_string(r.location.line) + ")";
    }
  }
  return "rule " + rule_id;
}

void PrintTable(const BoundPolicy& policy, const Decision& d, Date as_of,
                bool explain) {
  std::printf("%s  (as of %s)\n", d.person_id.c_str(),
              FormatIsoDate(as_of).c_str());
  if (d.leaver) {
    std::printf("  leaver: terminated before %s, gets nothing\n\n",
                FormatIsoDate(as_of).c_str());
    return;
  }
  if (d.entitlements.empty()) std::printf("  (no entitlements)\n");
  int w_app = 3, w_inst = 8, w_level = 5;
  for (const Entitlement& e : d.entitlements) {
    w_app = std::max(w_app, static_cast<int>(e.app.size()));
    w_inst = std::max(w_inst, static_cast<int>(e.instance.size()));
    w_level = std::max(w_level, static_cast<int>(e.level.size()));
  }
  if (!d.entitlements.empty()) {
    std::printf("  %-*s  %-*s  %-*s  %-10s  %s\n", w_app, "APP", w_inst,
                "INSTANCE", w_level, "LEVEL", "EXPIRES", "GRANTED BY");
  }
  for (const Entitlement& e : d.entitlements) {
    std::string reasons;
    for (const std::string& r : e.reasons)
      reasons += (reasons.empty() ? "" : ", ") + r;
    std::printf("  %-*s  %-*s  %-*s  %-10s  %s\n", w_app, e.app.c_str(), w_inst,
                e.instance.c_str(), w_level, e.level.c_str(),
                e.expires ? FormatIsoDate(*e.expires).c_str() : "-",
                reasons.c_str());
    if (!e.scopes.empty()) {
      std::string scopes;
      for (const std::string& s : e.scopes)
        scopes += (scopes.empty() ? "" : ", ") + s;
      std::printf("  %-*s  scopes: %s\n", w_app, "", scopes.c_str());
    }
  }
  if (!d.missing.empty()) {
    std::string m;
    for (const std::string& a : d.missing) m += (m.empty() ? "" : ", ") + a;
    std::printf("  missing attributes that changed the outcome: %s\n",
                m.c_str());
  }
  if (explain) {
    for (const Entitlement& e : d.entitlements) {
      for (const std::string& r : e.reasons) {
        std::printf("  %s%s%s %s: granted by %s\n", e.app.c_str(),
                    e.instance.empty() ? "" : " ", e.instance.c_str(),
                    e.level.c_str(), FormatReason(policy, r).c_str());
      }
    }
    for (const WithheldGrant& w : d.withheld) {
      std::printf("  withheld: %s%s%s %s (rule %s): %s\n", w.app.c_str(),
                  w.instance.empty() ? "" : " ", w.instance.c_str(),
                  w.level.c_str(), w.rule_id.c_str(), w.why.c_str());
    }
  }
  std::printf("\n");
}

std::string WithheldJson(const Decision& d) {
  std::string out = "[";
  for (size_t i = 0; i < d.withheld.size(); ++i) {
    const WithheldGrant& w = d.withheld[i];
    if (i > 0) out += ",";
    out += "{\"rule\":" + JsonString(w.rule_id) +
           ",\"app\":" + JsonString(w.app) +
           ",\"instance\":" + JsonString(w.instance) +
           ",\"level\":" + JsonString(w.level) +
           ",\"why\":" + JsonString(w.why) + "}";
  }
  return out + "]";
}

}  // namespace

int RunEval(int argc, char** argv) {
  std::vector<OptionSpec> specs = PolicyOptionSpecs();
  specs.insert(specs.end(), {{"people"},
                             {"person"},
                             {"attr", true, true},
                             {"as-of"},
                             {"format"},
                             {"explain", false},
                             {"reference", false},
                             {"threads"},
                             {"progress", false},
                             {"help", false}});
  Args parsed;
  if (std::optional<int> exit =
          ParseCommandLine("eval", argc, argv, specs,
                           std::string(kHelp) + kPolicyOptionsHelp, &parsed)) {
    return *exit;
  }
  const Args* args = &parsed;
  auto fail = [](const absl::Status& s) { return UsageError("eval", s); };
  const std::string format = args->Get("format").value_or("table");
  if (format != "table" && format != "json" && format != "jsonl") {
    return fail(
        absl::InvalidArgumentError("--format: expected table, json or jsonl"));
  }
  Date as_of = TodayUtc();
  if (auto a = args->Get("as-of")) {
    std::optional<Date> d = ParseIsoDate(*a);
    if (!d)
      return fail(absl::InvalidArgumentError(
          "--as-of: expected YYYY-MM-DD, got '" + *a + "'"));
    as_of = *d;
  }
  auto loaded = LoadPolicy(*args);
  if (!loaded.ok()) return fail(loaded.status());

  Population people;
  if (auto p = args->Get("people")) {
    auto pop = LoadPopulation(*p);
    if (!pop.ok()) return fail(pop.status());
    people = std::move(*pop);
    if (args->Has("attr")) {
      return fail(
          absl::InvalidArgumentError("give --people or --attr, not both"));
    }
  } else if (args->Has("attr")) {
    Person person;
    person.id = "adhoc";
    for (const std::string& kv : args->GetAll("attr")) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return fail(absl::InvalidArgumentError(
            "--attr: expected NAME=VALUE, got '" + kv + "'"));
      }
      person.attributes.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    people.people.push_back(std::move(person));
  } else {
    return fail(
        absl::InvalidArgumentError("give --people FILE or --attr NAME=VALUE"));
  }
  if (auto id = args->Get("person")) {
    std::vector<Person> keep;
    for (Person& p : people.people) {
      if (p.id == *id) keep.push_back(std::move(p));
    }
    if (keep.empty()) {
      return fail(
          absl::NotFoundError("person '" + *id + "' is not in " + people.file));
    }
    people.people = std::move(keep);
  }

  const bool explain = args->Has("explain");
  // The compiled DAG answers; the reference evaluator explains (it is the
  // one that knows which grants were withheld and why) and stays reachable
  // with --reference.
  const bool reference = args->Has("reference") || explain;
  if (reference && loaded->snapshot) {
    return fail(
        absl::InvalidArgumentError("--reference and --explain need the policy "
                                   "source, not a compiled snapshot"));
  }
  std::shared_ptr<const BoundPolicy> shared;
  std::vector<Decision> decisions;
  if (reference) {
    auto bound = BoundPolicy::Bind(loaded->policy, &people, BindOptions{});
    if (!bound.ok()) return fail(bound.status());
    if (args->Has("report")) PrintImportReport(*loaded, bound->get());
    shared = std::move(*bound);
    for (const Person& person : people.people) {
      decisions.push_back(EvaluateReference(*shared, person, as_of, explain));
    }
  } else {
    auto compiled = CompileLoaded(*loaded, &people, &shared);
    if (!compiled.ok()) return fail(compiled.status());
    if (args->Has("report")) PrintImportReport(*loaded, shared.get());
    BatchOptions batch;
    if (auto t = args->Get("threads")) {
      std::optional<int64_t> n = ParseInt64(*t);
      if (!n || *n < 1 || *n > 256) {
        return fail(absl::InvalidArgumentError("--threads: expected 1..256"));
      }
      batch.threads = static_cast<int>(*n);
    }
    const bool progress =
        args->Has("progress") || (isatty(2) && people.people.size() > 10000);
    if (progress) {
      batch.progress = [](int64_t done, int64_t total) {
        std::fprintf(stderr, "\revaluated %lld / %lld people",
                     static_cast<long long>(done),
                     static_cast<long long>(total));
        if (done == total) std::fprintf(stderr, "\n");
      };
    }
    decisions = EvaluateMany(**compiled, people.people, as_of, batch);
  }
  std::string out;
  if (format == "json") {
    out = "{\"policy\":" + JsonString(shared->name()) +
          ",\"version\":" + JsonString(shared->version()) +
          ",\"as_of\":" + JsonString(FormatIsoDate(as_of)) + ",\"decisions\":[";
  }
  bool first = true;
  for (const Decision& d : decisions) {
    const std::vector<SodViolation> sod = SodViolations(*shared, d);
    if (format == "table") {
      PrintTable(*shared, d, as_of, explain);
      for (const SodViolation& v : sod) {
        const std::string why = v.message.empty() ? "" : " (" + v.message + ")";
        std::printf("  WARNING: separation of duties %s%s: holds %s and %s\n",
                    v.id.c_str(), why.c_str(), v.first.c_str(),
                    v.second.c_str());
      }
      continue;
    }
    std::string line = DecisionToJson(d);
    if (explain) {
      line.pop_back();
      line += ",\"withheld\":" + WithheldJson(d) + "}";
    }
    if (!sod.empty()) {
      // After the SPEC §11 keys, and only when non-empty, so existing
      // consumers and golden files are unaffected.
      line.pop_back();
      line += ",\"sod\":[";
      for (size_t i = 0; i < sod.size(); ++i)
        line += (i > 0 ? "," : "") + SodViolationToJson(sod[i]);
      line += "]}";
    }
    if (format == "jsonl") {
      out += line;
      out += "\n";
    } else {
      if (!first) out += ",";
      out += line;
    }
    first = false;
  }
  if (format == "json") out += "]}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace birthright::cli
