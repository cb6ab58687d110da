// Realistic access-spreadsheet rule sets for benchmarks: departments,
// titles, locations and grades, multi-instance apps, overlaps, duplicates,
// denies and priorities, shaped like the 2,000-row sheets IT teams keep.
#ifndef BIRTHRIGHT_BENCH_SPREADSHEET_GENERATOR_H_
#define BIRTHRIGHT_BENCH_SPREADSHEET_GENERATOR_H_

#include <cstdint>

#include "birthright/policy.h"

namespace birthright::bench {

struct Spreadsheet {
  Policy policy;
  Population people;
};

// `rules` rows over ~max(12, rules/40) departments with 8 titles each, 12
// locations, grades L1..L10 and 40 apps (three multi-instance); `people`
// HR records drawn from the same distributions. Deterministic per seed.
Spreadsheet GenerateSpreadsheet(int rules, int people, uint64_t seed = 42);

}  // namespace birthright::bench

#endif  // BIRTHRIGHT_BENCH_SPREADSHEET_GENERATOR_H_
