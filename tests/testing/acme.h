// The bundled example company (examples/acme) as tests load it: the policy
// from its schema, catalog, aliases and rules sheets, and its HR export.
// Source locations name the sheets by their short names ("rules.csv").
#ifndef BIRTHRIGHT_TESTS_TESTING_ACME_H_
#define BIRTHRIGHT_TESTS_TESTING_ACME_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "birthright/bound_policy.h"
#include "birthright/policy.h"

namespace birthright::testing {

struct AcmeWorld {
  Policy policy;
  Population people;
  std::shared_ptr<const BoundPolicy> bound;  // Strictly bound.
};

// Reads examples/acme under `source_dir` (the repository root). Fails with
// the first import or bind error.
absl::StatusOr<AcmeWorld> LoadAcmeWorld(const std::string& source_dir,
                                        const std::string& name,
                                        const std::string& version);

}  // namespace birthright::testing

#endif  // BIRTHRIGHT_TESTS_TESTING_ACME_H_
