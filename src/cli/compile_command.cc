// `birthright compile`: compile a policy to its decision DAG; show its size
// or draw it (snapshots to files arrive with the snapshot format).
#include <cstdio>
#include <memory>
#include <string>

#include "birthright/compiled_policy.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/inputs.h"
#include "util/json.h"

namespace birthright::cli {
namespace {

constexpr char kHelp[] =
    "Usage: birthright compile --rules FILE [--catalog FILE] [--aliases FILE]\n"
    "                          [--schema FILE] [--people FILE] (--stats | --dot)\n"
    "\n"
    "Compiles the rules into per-app decision DAGs (docs/dag.md) and reports\n"
    "their size, or prints them as Graphviz DOT so you can see your policy:\n"
    "  birthright compile --rules r.csv --catalog c.csv --dot | dot -Tsvg > dag.svg\n"
    "\n"
    "  --stats                print rules, variables, nodes, edges, leaves and\n"
    "                         bytes as JSON (the default)\n"
    "  --dot                  print the DAGs as Graphviz DOT\n"
    "  --people FILE          HR export used only to infer attribute types\n"
    "\n";

}  // namespace

int RunCompile(int argc, char** argv) {
  std::vector<OptionSpec> specs = PolicyOptionSpecs();
  specs.insert(specs.end(), {{"people"}, {"dot", false}, {"stats", false}, {"help", false}});
  auto args = Args::Parse(argc, argv, 2, specs);
  auto fail = [](const absl::Status& s) {
    std::fprintf(stderr, "birthright compile: %s\n", std::string(s.message()).c_str());
    return kExitUsage;
  };
  if (!args.ok()) return fail(args.status());
  if (args->Has("help")) {
    std::printf("%s%s", kHelp, kPolicyOptionsHelp);
    return kExitOk;
  }
  if (!args->positional().empty()) {
    return fail(absl::InvalidArgumentError("unexpected argument '" + args->positional()[0] +
                                           "' (snapshot output is not available yet)"));
  }
  auto loaded = LoadPolicy(*args);
  if (!loaded.ok()) return fail(loaded.status());
  Population people;
  if (auto p = args->Get("people")) {
    auto pop = LoadPopulation(*p);
    if (!pop.ok()) return fail(pop.status());
    people = std::move(*pop);
  }
  auto bound = BoundPolicy::Bind(loaded->policy, &people, BindOptions{});
  if (!bound.ok()) return fail(bound.status());
  if (args->Has("report")) PrintImportReport(*loaded, bound->get());
  std::shared_ptr<const BoundPolicy> shared = std::move(*bound);
  auto compiled = CompiledPolicy::Compile(shared);
  if (!compiled.ok()) return fail(compiled.status());
  if (args->Has("dot")) {
    std::fputs((*compiled)->ToDot().c_str(), stdout);
    return kExitOk;
  }
  const CompileStats& s = (*compiled)->stats();
  std::printf(
      "{\"policy\":%s,\"version\":%s,\"rules\":%lld,\"apps\":%lld,\"variables\":%lld,"
      "\"nodes\":%lld,\"edges\":%lld,\"leaves\":%lld,\"bytes\":%lld}\n",
      JsonString(shared->name()).c_str(), JsonString(shared->version()).c_str(),
      static_cast<long long>(s.rules), static_cast<long long>(s.apps),
      static_cast<long long>(s.variables), static_cast<long long>(s.nodes),
      static_cast<long long>(s.edges), static_cast<long long>(s.leaves),
      static_cast<long long>(s.memory_bytes));
  return kExitOk;
}

}  // namespace birthright::cli
