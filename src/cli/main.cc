// `birthright`: the command-line shell over the library.
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/commands.h"

namespace {

constexpr char kUsage[] =
    "birthright — access spreadsheets turned into exact, explainable answers.\n"
    "\n"
    "Usage: birthright SUBCOMMAND [options]   (birthright SUBCOMMAND --help)\n"
    "\n"
    "Subcommands:\n"
    "  eval      what should each person have, and why\n"
    "  check     what is wrong with the rules: unknown references, dead and\n"
    "            duplicate rules, stale values, people no grant covers\n"
    "  compile   compile the rules to decision DAGs: size, or a Graphviz "
    "drawing\n"
    "  delta     what to add, remove and change: joiners/movers/leavers "
    "between two\n"
    "            HR exports, a policy change, expiring access, an emergency "
    "leaver\n"
    "  reconcile desired vs actual access: missing, excess (orphans), level "
    "mismatch\n"
    "  fmt       print a policy file (.brp) in canonical form; --check for "
    "CI\n"
    "  migrate   convert a rules sheet or access matrix into a policy file\n"
    "  diff      what changed between two rule versions: rules added, "
    "removed and\n"
    "            modified, exactly who gets what differently, license cost\n"
    "\n"
    "Example (the bundled company):\n"
    "  birthright eval --rules examples/acme/rules.csv \\\n"
    "      --catalog examples/acme/catalog.csv --aliases "
    "examples/acme/aliases.csv \\\n"
    "      --schema examples/acme/schema.csv --people examples/acme/people.csv "
    "\\\n"
    "      --as-of 2026-11-26\n"
    "\n"
    "Exit codes: 0 success, 1 findings at or above --fail-on, 2 usage or input "
    "error.\n"
    "Docs: docs/README.md\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 ||
      std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "help") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? birthright::cli::kExitUsage : birthright::cli::kExitOk;
  }
  const std::string sub = argv[1];
  if (sub == "--version") {
    std::puts("birthright 0.1.0");
    return 0;
  }
  if (sub == "eval") return birthright::cli::RunEval(argc, argv);
  if (sub == "check") return birthright::cli::RunCheck(argc, argv);
  if (sub == "compile") return birthright::cli::RunCompile(argc, argv);
  if (sub == "delta") return birthright::cli::RunDelta(argc, argv);
  if (sub == "diff") return birthright::cli::RunDiff(argc, argv);
  if (sub == "reconcile") return birthright::cli::RunReconcile(argc, argv);
  if (sub == "fmt") return birthright::cli::RunFmt(argc, argv);
  if (sub == "migrate") return birthright::cli::RunMigrate(argc, argv);
  std::fprintf(stderr, "birthright: unknown subcommand '%s'\n\n%s", sub.c_str(),
               kUsage);
  return birthright::cli::kExitUsage;
}
