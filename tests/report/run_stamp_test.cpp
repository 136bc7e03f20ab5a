// The run's UTC time in every report: civil dates from Unix seconds and back, with no time zone
// database. Expected values: `date -u -d @SECONDS +%FT%TZ` (GNU coreutils).
#include <gtest/gtest.h>

#include "report/run_stamp.h"

namespace cudafit {
namespace {

TEST(RunStamp, UtcTimeText) {
  struct Row {
    std::int64_t seconds;
    const char* text;
  };
  const Row rows[] = {
      {0, "1970-01-01T00:00:00Z"},
      {951782400, "2000-02-29T00:00:00Z"},  // a leap day of a year divisible by 400
      {1796391669, "2026-12-04T13:41:09Z"},
      {4107542399, "2100-02-28T23:59:59Z"},  // 2100 is not a leap year
      {4107542400, "2100-03-01T00:00:00Z"},
      {-1, "1969-12-31T23:59:59Z"},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(utc_time_text(r.seconds), r.text) << r.seconds;
    EXPECT_EQ(parse_utc_time(r.text), r.seconds) << r.text;
  }
}

TEST(RunStamp, ParseRejectsOtherForms) {
  EXPECT_EQ(parse_utc_time("2026-12-04T13:41:09.123Z"), 1796391669);
  EXPECT_EQ(parse_utc_time("2026-12-04 13:41:09Z"), 1796391669);
  for (const char* bad :
       {"", "2026-12-04", "2026-12-04T13:41:09", "2026-13-04T13:41:09Z", "2026-12-04T25:41:09Z",
        "2026-12-04T13:41:09+01:00", "2026-12-04T13:41:09.Z", "20x6-12-04T13:41:09Z"})
    EXPECT_FALSE(parse_utc_time(bad)) << bad;
}

TEST(RunStamp, Json) {
  auto j = run_to_json(RunStamp{1796391669123, 0.0042});
  EXPECT_EQ(j["time"], "2026-12-04T13:41:09Z");
  EXPECT_DOUBLE_EQ(j["unix_time"].get<double>(), 1796391669.123);
  EXPECT_DOUBLE_EQ(j["duration_seconds"].get<double>(), 0.0042);
  RunClock clock;
  RunStamp now = clock.finish();
  EXPECT_GT(now.unix_ms, 1700000000000);  // after 2023-11
  EXPECT_GE(now.duration_s, 0.0);
}

}  // namespace
}  // namespace cudafit
