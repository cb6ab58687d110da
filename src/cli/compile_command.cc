// `birthright compile`: compile a policy to its decision DAG; write it as a
// snapshot, show its size or draw it.
#include <climits>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "birthright/compiled_policy.h"
#include "birthright/snapshot.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/inputs.h"
#include "util/json.h"
#include "util/text.h"

namespace birthright::cli {
namespace {

constexpr char kHelp[] =
    "Usage: birthright compile --rules FILE [--catalog FILE] [--aliases FILE]\n"
    "                          [--schema FILE] [--people FILE]\n"
    "                          [--layer-min-rules N] [--layer-split N]\n"
    "                          [--one-dag-nodes N] [--one-dag-spread N]\n"
    "                          (-o SNAPSHOT | --stats | --dot)\n"
    "\n"
    "Compiles the rules into per-app decision DAGs (docs/dag.md) and writes\n"
    "them as a snapshot a host loads without recompiling "
    "(docs/snapshot-format.md),\n"
    "reports their size, or prints them as Graphviz DOT:\n"
    "  birthright compile --rules r.csv --catalog c.csv -o acme.brs\n"
    "  birthright eval --rules acme.brs --people hr.csv\n"
    "  birthright compile --rules r.csv --catalog c.csv --dot | dot -Tsvg > "
    "dag.svg\n"
    "\n"
    "  -o, --output FILE      write the compiled snapshot to FILE\n"
    "  --stats                print rules, apps, layered apps and layers,\n"
    "                         variables, nodes, edges, leaves and bytes as\n"
    "                         JSON (the default); with a snapshot as\n"
    "                         --rules, also its header (format, library, "
    "hash)\n"
    "  --dot                  print the DAGs as Graphviz DOT\n"
    "  --people FILE          HR export used only to infer attribute types\n"
    "  --layer-min-rules N    compile apps with at least N rules as layers\n"
    "                         merged at evaluation, when one DAG would be too\n"
    "                         big (default 128; 'never' = one DAG per app);\n"
    "                         see docs/dag.md\n"
    "  --one-dag-nodes N      one DAG is too big past N nodes per rule of\n"
    "                         the app, or the compile work of that many\n"
    "                         (default 32); 0 layers every such app that\n"
    "                         splits\n"
    "  --one-dag-spread N     do not try one DAG when the app's rules apply\n"
    "                         on more than N classes of its first variable\n"
    "                         on average, as company-wide rules do on every\n"
    "                         department (default 16)\n"
    "  --layer-split N        split what is left of a layered app again while\n"
    "                         it has at least N rules (default 32), into at\n"
    "                         most 8 layers\n"
    "\n";

}  // namespace

int RunCompile(int argc, char** argv) {
  std::vector<OptionSpec> specs = PolicyOptionSpecs();
  specs.insert(specs.end(), {{"people"},
                             {"dot", false},
                             {"stats", false},
                             {"output"},
                             {"layer-min-rules"},
                             {"layer-split"},
                             {"one-dag-nodes"},
                             {"one-dag-spread"},
                             {"help", false}});
  // `-o FILE` is the conventional spelling of --output.
  std::vector<char*> argv2(argv, argv + argc);
  static char kOutput[] = "--output";
  for (char*& a : argv2) {
    if (std::string(a) == "-o") a = kOutput;
  }
  Args parsed;
  if (std::optional<int> exit =
          ParseCommandLine("compile", argc, argv2.data(), specs,
                           std::string(kHelp) + kPolicyOptionsHelp, &parsed)) {
    return *exit;
  }
  const Args* args = &parsed;
  auto fail = [](const absl::Status& s) { return UsageError("compile", s); };
  auto loaded = LoadPolicy(*args);
  if (!loaded.ok()) return fail(loaded.status());
  Population people;
  if (auto p = args->Get("people")) {
    auto pop = LoadPopulation(*p);
    if (!pop.ok()) return fail(pop.status());
    people = std::move(*pop);
  }
  CompileOptions options;
  // A count option into `*field`, at least `min`; `what` is what it
  // expects. With `never` allowed, `never` stores INT32_MAX (no layers).
  auto count = [&](const char* name, int64_t min, bool never, const char* what,
                   int32_t* field) -> absl::Status {
    const std::optional<std::string> m = args->Get(name);
    if (!m) return absl::OkStatus();
    const std::optional<int64_t> n = ParseInt64(*m);
    if (never && *m == "never") {
      *field = INT32_MAX;
    } else if (!n || *n < min || *n > INT32_MAX) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, ": expected ", what));
    } else {
      *field = static_cast<int32_t>(*n);
    }
    return absl::OkStatus();
  };
  for (const absl::Status& st :
       {count("layer-min-rules", 0, true, "a rule count or 'never'",
              &options.layer_min_rules),
        count("layer-split", 1, false, "a rule count of at least 1",
              &options.layer_split_min_rules),
        count("one-dag-nodes", 0, false, "a node count per rule",
              &options.one_dag_nodes_per_rule),
        count("one-dag-spread", 0, false, "a class count",
              &options.one_dag_max_spread)}) {
    if (!st.ok()) return fail(st);
  }
  std::shared_ptr<const BoundPolicy> shared;
  auto compiled = CompileLoaded(*loaded, &people, &shared, options);
  if (!compiled.ok()) return fail(compiled.status());
  if (args->Has("report")) PrintImportReport(*loaded, shared.get());
  if (auto out = args->Get("output")) {
    const std::string bytes = WriteSnapshot(**compiled);
    std::FILE* f = std::fopen(out->c_str(), "wb");
    if (f == nullptr ||
        std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() ||
        std::fclose(f) != 0) {
      return fail(absl::UnavailableError(*out + ": cannot write snapshot"));
    }
    std::fprintf(stderr, "wrote %s: %zu bytes, policy %s %s, hash %s\n",
                 out->c_str(), bytes.size(), shared->name().c_str(),
                 shared->version().c_str(),
                 shared->hash().substr(0, 12).c_str());
    return kExitOk;
  }
  if (args->Has("dot")) {
    std::fputs((*compiled)->ToDot().c_str(), stdout);
    return kExitOk;
  }
  const CompileStats& s = (*compiled)->stats();
  std::printf(
      "{\"policy\":%s,\"version\":%s,\"hash\":%s,\"rules\":%lld,\"apps\":%lld,"
      "\"variables\":%lld,\"layered_apps\":%lld,\"layers\":%lld,"
      "\"nodes\":%lld,\"edges\":%lld,\"leaves\":%lld,\"bytes\":%lld}\n",
      JsonString(shared->name()).c_str(), JsonString(shared->version()).c_str(),
      JsonString(shared->hash()).c_str(), static_cast<long long>(s.rules),
      static_cast<long long>(s.apps), static_cast<long long>(s.variables),
      static_cast<long long>(s.layered_apps), static_cast<long long>(s.layers),
      static_cast<long long>(s.nodes), static_cast<long long>(s.edges),
      static_cast<long long>(s.leaves), static_cast<long long>(s.memory_bytes));
  return kExitOk;
}

}  // namespace birthright::cli
