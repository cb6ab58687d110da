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

// How the rows that name no department (company-wide grants, and denies for
// every contractor) grow with the sheet.
enum class CompanyWide {
  // A fixed share: 10% of the grants and half the denies. Everyone matches
  // them, so a person's answer grows with the sheet (28 reasons per person
  // at 1,000 rows, 709 at 100,000).
  kShare,
  // As kShare up to kMaxCompanyWideRows such rows; later rows name the
  // department they drew. A bigger sheet then describes more departments,
  // not more access per person, and the answer stays the size of a
  // 2,000-row sheet's. The first 2,000 rows are the same either way.
  kBounded,
};
inline constexpr int kMaxCompanyWideRows = 250;

// `rules` rows over ~max(12, rules/40) departments with 8 titles each, 12
// locations, grades L1..L10 and 40 apps (three multi-instance); `people`
// HR records drawn from the same distributions. Deterministic per seed.
Spreadsheet GenerateSpreadsheet(int rules, int people, uint64_t seed = 42,
                                CompanyWide company_wide = CompanyWide::kShare);

}  // namespace birthright::bench

#endif  // BIRTHRIGHT_BENCH_SPREADSHEET_GENERATOR_H_
