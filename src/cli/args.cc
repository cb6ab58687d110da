#include "cli/args.h"

#include <cstdio>

#include "absl/status/status.h"
#include "cli/commands.h"

namespace birthright::cli {

int UsageError(std::string_view subcommand, std::string_view message) {
  std::fprintf(stderr, "birthright %.*s: %.*s\n",
               static_cast<int>(subcommand.size()), subcommand.data(),
               static_cast<int>(message.size()), message.data());
  return kExitUsage;
}

int UsageError(std::string_view subcommand, const absl::Status& status) {
  return UsageError(subcommand, std::string(status.message()));
}

std::optional<int> ParseCommandLine(std::string_view subcommand, int argc,
                                    char** argv,
                                    const std::vector<OptionSpec>& specs,
                                    std::string_view help, Args* out,
                                    bool allow_positional) {
  absl::StatusOr<Args> args = Args::Parse(argc, argv, 2, specs);
  if (!args.ok()) return UsageError(subcommand, args.status());
  if (args->Has("help")) {
    std::fwrite(help.data(), 1, help.size(), stdout);
    return kExitOk;
  }
  if (!allow_positional && !args->positional().empty()) {
    return UsageError(subcommand,
                      "unexpected argument '" + args->positional()[0] + "'");
  }
  *out = std::move(*args);
  return std::nullopt;
}

absl::StatusOr<Args> Args::Parse(int argc, char** argv, int first,
                                 const std::vector<OptionSpec>& specs) {
  Args args;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() < 3 || a.substr(0, 2) != "--") {
      if (a == "-h") {
        args.values_["help"].push_back("");
        continue;
      }
      args.positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) {
      return absl::InvalidArgumentError("unknown option --" + name +
                                        " (see --help)");
    }
    std::string value;
    if (spec->takes_value) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError("option --" + name +
                                          " needs a value");
      }
    } else if (inline_value) {
      return absl::InvalidArgumentError("option --" + name + " takes no value");
    }
    auto& slot = args.values_[name];
    if (!slot.empty() && !spec->repeated) {
      return absl::InvalidArgumentError("option --" + name + " given twice");
    }
    slot.push_back(std::move(value));
  }
  return args;
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace birthright::cli
