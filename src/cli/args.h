// A small per-subcommand argument parser: `--name value`, `--name=value`,
// repeated options and boolean switches. Unknown options are usage errors
// (exit 2) so a typo never silently changes what runs.
#ifndef BIRTHRIGHT_SRC_CLI_ARGS_H_
#define BIRTHRIGHT_SRC_CLI_ARGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace birthright::cli {

struct OptionSpec {
  std::string name;  // Without dashes.
  bool takes_value = true;
  bool repeated = false;
};

class Args {
 public:
  // Parses argv[first..argc). Positional arguments are collected in order.
  static absl::StatusOr<Args> Parse(int argc, char** argv, int first,
                                    const std::vector<OptionSpec>& specs);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> Get(const std::string& name) const;
  std::vector<std::string> GetAll(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// Prints "birthright SUBCOMMAND: message" on stderr and returns the usage
// exit code (2).
int UsageError(std::string_view subcommand, std::string_view message);
int UsageError(std::string_view subcommand, const absl::Status& status);

// The start every subcommand shares: parses argv[2..argc) against `specs`
// into *out. A parse error is printed and answered with exit 2; --help
// prints `help` and answers exit 0; a positional argument is a usage error
// unless `allow_positional`. Returns nullopt when the command should go on.
std::optional<int> ParseCommandLine(std::string_view subcommand, int argc,
                                    char** argv,
                                    const std::vector<OptionSpec>& specs,
                                    std::string_view help, Args* out,
                                    bool allow_positional = false);

}  // namespace birthright::cli

#endif  // BIRTHRIGHT_SRC_CLI_ARGS_H_
