#include "report/run_stamp.h"

#include <cmath>
#include <cstdio>

#include "util/strings.h"

namespace cudafit {

RunClock::RunClock()
    : wall_(std::chrono::system_clock::now()), start_(std::chrono::steady_clock::now()) {}

RunStamp RunClock::finish() const {
  using namespace std::chrono;
  return {duration_cast<milliseconds>(wall_.time_since_epoch()).count(),
          duration<double>(steady_clock::now() - start_).count()};
}

namespace {

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms, proleptic
// Gregorian): no time zone database, no locale, the same answer on every machine.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

}  // namespace

std::string utc_time_text(std::int64_t unix_seconds) {
  std::int64_t days = unix_seconds / 86400;
  std::int64_t rest = unix_seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(rest / 3600),
                static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
  return buf;
}

std::optional<std::int64_t> parse_utc_time(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') ||
      t[13] != ':' || t[16] != ':' || t.back() != 'Z')
    return std::nullopt;
  auto num = [&](std::size_t at, std::size_t n) -> std::optional<std::uint64_t> {
    std::string_view part = t.substr(at, n);
    if (leading_digits(part) != n) return std::nullopt;
    return parse_uint(part);
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
       s = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 ||
      *mi > 59 || *s > 60)
    return std::nullopt;
  std::string_view frac = t.substr(19, t.size() - 20);
  if (!frac.empty() &&
      (frac[0] != '.' || frac.size() < 2 || leading_digits(frac.substr(1)) != frac.size() - 1))
    return std::nullopt;
  return days_from_civil(static_cast<std::int64_t>(*y), static_cast<unsigned>(*mo),
                         static_cast<unsigned>(*d)) *
             86400 +
         static_cast<std::int64_t>(*h * 3600 + *mi * 60 + *s);
}

nlohmann::json run_to_json(const RunStamp& run) {
  const std::int64_t seconds =
      run.unix_ms >= 0 ? run.unix_ms / 1000 : -((-run.unix_ms + 999) / 1000);
  // Milliseconds are enough for ordering reports; rounding keeps the JSON short.
  return {{"time", utc_time_text(seconds)},
          {"unix_time", static_cast<double>(run.unix_ms) / 1000.0},
          {"duration_seconds", std::round(run.duration_s * 1e6) / 1e6}};
}

}  // namespace cudafit
