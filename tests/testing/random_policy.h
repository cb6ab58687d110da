// Seeded random policies and populations for differential tests and
// benchmarks. Deterministic for a given seed (std::mt19937_64 with
// explicit distributions we implement ourselves, so libstdc++ versions
// cannot change the stream).
#ifndef BIRTHRIGHT_TESTS_TESTING_RANDOM_POLICY_H_
#define BIRTHRIGHT_TESTS_TESTING_RANDOM_POLICY_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "birthright/policy.h"

namespace birthright::testing {

struct RandomPolicyOptions {
  int rules = 60;
  int people = 200;
  int apps = 6;
  // Spreadsheet-shaped: conditions mostly on department/title/location.
  bool realistic = false;
  bool with_unless = true;
  bool with_time = true;      // Windows, fixed and attribute expiries.
  bool with_patterns = true;  // contains / starts / ends / regex.
  bool with_sets = true;
  double missing_rate = 0.08;
};

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint64_t Next() { return gen_(); }
  int Uniform(int n) {
    return n <= 0 ? 0 : static_cast<int>(Next() % static_cast<uint64_t>(n));
  }
  bool Chance(double p) {
    return static_cast<double>(Next() % 1000000) < p * 1000000.0;
  }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Uniform(static_cast<int>(v.size()))];
  }

 private:
  std::mt19937_64 gen_;
};

// A policy with schema, aliases and catalog, plus a population.
struct RandomWorld {
  Policy policy;
  Population people;
};

RandomWorld MakeRandomWorld(uint64_t seed, const RandomPolicyOptions& options);

}  // namespace birthright::testing

#endif  // BIRTHRIGHT_TESTS_TESTING_RANDOM_POLICY_H_
