// A small per-subcommand argument parser: `--name value`, `--name=value`,
// repeated options and boolean switches. Unknown options are usage errors
// (exit 2) so a typo never silently changes what runs.
#ifndef BIRTHRIGHT_SRC_CLI_ARGS_H_
#define BIRTHRIGHT_SRC_CLI_ARGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
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

}  // namespace birthright::cli

#endif  // BIRTHRIGHT_SRC_CLI_ARGS_H_
