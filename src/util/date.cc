#include "birthright/date.h"

#include <cstdio>
#include <ctime>

#include "util/text.h"

namespace birthright {
namespace {

// Howard Hinnant's days_from_civil, for years 1 to 9999 (those ISO dates
// spell): the year is not negative even after the March shift, so it runs
// in unsigned arithmetic, without the general form's signed divisions.
int32_t DaysFromCivil(unsigned y, unsigned m, unsigned d) {
  y -= m <= 2;
  const unsigned era = y / 400;
  const unsigned yoe = y - era * 400;
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int32_t>(era * 146097 + doe) - 719468;
}

void CivilFromDays(int64_t z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (*m <= 2));
}

bool IsLeap(unsigned y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

// On the evaluation path: every date attribute of every person, and the
// contract end (usually empty). So only longer values pay for the trim, the
// eight digits are checked together, and the day count is unsigned.
std::optional<Date> ParseIsoDate(std::string_view text) {
  if (text.size() < 10) return std::nullopt;  // Trimming only shortens.
  if (text.size() > 10) {
    text = TrimWhitespace(text);
    if (text.size() != 10) return std::nullopt;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  unsigned digit[10];
  bool bad = p[4] != '-' || p[7] != '-';
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    digit[i] = static_cast<unsigned>(p[i]) - '0';  // Wraps below '0'.
    bad |= digit[i] > 9;
  }
  if (bad) return std::nullopt;
  const unsigned y =
      digit[0] * 1000 + digit[1] * 100 + digit[2] * 10 + digit[3];
  const unsigned m = digit[5] * 10 + digit[6];
  const unsigned d = digit[8] * 10 + digit[9];
  static constexpr unsigned kDaysIn[12] = {31, 28, 31, 30, 31, 30,
                                           31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1) return std::nullopt;
  if (d > kDaysIn[m - 1] + (m == 2 && IsLeap(y) ? 1 : 0)) return std::nullopt;
  return Date{DaysFromCivil(y, m, d)};
}

std::string FormatIsoDate(Date date) {
  int y;
  unsigned m, d;
  CivilFromDays(date.days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", y, m, d);
  return buf;
}

Date TodayUtc() {
  const std::time_t now = std::time(nullptr);
  return Date{static_cast<int32_t>(now / 86400)};
}

}  // namespace birthright
