// Calendar dates as whole days since 1970-01-01 (proleptic Gregorian, UTC).
//
// Dates are the only notion of time in birthright: evaluation takes an
// `as_of` date as an input and never reads the clock (SPEC §5), so results
// do not depend on the time of day.
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_DATE_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_DATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace birthright {

// A day number; 0 is 1970-01-01. Plain value type, trivially copyable.
struct Date {
  int32_t days = 0;

  friend bool operator==(Date a, Date b) { return a.days == b.days; }
  friend auto operator<=>(Date a, Date b) { return a.days <=> b.days; }
};

// Parses strict ISO `YYYY-MM-DD` (years 0001..9999, a real calendar day).
// Surrounding whitespace is ignored. Returns nullopt for anything else.
std::optional<Date> ParseIsoDate(std::string_view text);

// Formats as `YYYY-MM-DD`.
std::string FormatIsoDate(Date date);

// Today's date in UTC. Only the CLI calls this, to default `--as-of`.
Date TodayUtc();

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_DATE_H_
