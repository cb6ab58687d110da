// Loading the inputs every subcommand shares: rules (+ catalog, aliases,
// schema) into a BoundPolicy, and HR populations.
#ifndef BIRTHRIGHT_SRC_CLI_INPUTS_H_
#define BIRTHRIGHT_SRC_CLI_INPUTS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "birthright/bound_policy.h"
#include "birthright/compiled_policy.h"
#include "birthright/import.h"
#include "birthright/policy.h"
#include "cli/args.h"

namespace birthright::cli {

// Options every policy-reading subcommand accepts.
std::vector<OptionSpec> PolicyOptionSpecs();
extern const char kPolicyOptionsHelp[];

struct LoadedPolicy {
  Policy policy;
  std::vector<ImportReport> reports;
  // Set instead of `policy` when the rules input is a compiled snapshot.
  std::shared_ptr<const CompiledPolicy> snapshot;
};

// Binds and compiles `loaded` (or returns its snapshot). `people`, when
// given, is used for type inference. `bound` receives the bound policy.
absl::StatusOr<std::shared_ptr<const CompiledPolicy>> CompileLoaded(
    const LoadedPolicy& loaded, const Population* people,
    std::shared_ptr<const BoundPolicy>* bound,
    const CompileOptions& options = {});

// Reads --rules/--catalog/--aliases/--schema (and --rules-format,
// --app-columns, --name, --policy-version) from `args`, using `rules_flag`
// as the rules option name.
absl::StatusOr<LoadedPolicy> LoadPolicy(
    const Args& args, const std::string& rules_flag = "rules");

absl::StatusOr<Population> LoadPopulation(const std::string& path);

// Prints import reports and bind issues (info and up) to stderr.
void PrintImportReport(const LoadedPolicy& loaded, const BoundPolicy* bound);

}  // namespace birthright::cli

#endif  // BIRTHRIGHT_SRC_CLI_INPUTS_H_
