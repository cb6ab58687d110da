#include "testing/acme.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "birthright/import.h"

namespace birthright::testing {

absl::StatusOr<AcmeWorld> LoadAcmeWorld(const std::string& source_dir,
                                        const std::string& name,
                                        const std::string& version) {
  const std::string dir = source_dir + "/examples/acme/";
  auto read = [&](const char* file) -> absl::StatusOr<std::string> {
    std::ifstream in(dir + file, std::ios::binary);
    if (!in) return absl::NotFoundError(dir + file + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  };
  AcmeWorld w;
  w.policy.name = name;
  w.policy.version = version;
  struct Sheet {
    const char* file;
    absl::Status (*import)(std::string_view, std::string_view, Policy*);
  };
  for (const Sheet& s : {Sheet{"schema.csv", &ImportSchema},
                         Sheet{"catalog.csv", &ImportCatalog},
                         Sheet{"aliases.csv", &ImportAliases}}) {
    absl::StatusOr<std::string> data = read(s.file);
    if (!data.ok()) return data.status();
    if (absl::Status st = s.import(*data, s.file, &w.policy); !st.ok()) {
      return st;
    }
  }
  absl::StatusOr<std::string> rules = read("rules.csv");
  if (!rules.ok()) return rules.status();
  if (absl::Status st = ImportRulesList(*rules, "rules.csv", &w.policy,
                                        /*report=*/nullptr);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<std::string> people = read("people.csv");
  if (!people.ok()) return people.status();
  absl::StatusOr<Population> population =
      ImportPopulation(*people, "people.csv");
  if (!population.ok()) return population.status();
  w.people = std::move(*population);
  auto bound = BoundPolicy::Bind(w.policy, &w.people, BindOptions{});
  if (!bound.ok()) return bound.status();
  w.bound = std::move(*bound);
  return w;
}

}  // namespace birthright::testing
