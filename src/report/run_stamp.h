// RunStamp: when a run looked at the machine and how long it took, so that reports from many
// machines (`cudafit fleet`) and exported metrics can be told apart and ordered.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace cudafit {

struct RunStamp {
  std::int64_t unix_ms = 0;  // wall clock at the start of the run (UTC)
  double duration_s = 0;     // from the start to the report
};

// Starts a stamp now; finish() sets the duration.
class RunClock {
 public:
  RunClock();
  RunStamp finish() const;

 private:
  std::chrono::system_clock::time_point wall_;
  std::chrono::steady_clock::time_point start_;
};

// "2026-12-04T13:41:09Z" (whole seconds, UTC).
std::string utc_time_text(std::int64_t unix_seconds);
// The inverse, for "YYYY-MM-DDTHH:MM:SSZ" (fractions of a second allowed); nullopt otherwise.
std::optional<std::int64_t> parse_utc_time(std::string_view text);
// {"time": "2026-12-04T13:41:09Z", "unix_time": 1796391669.123, "duration_seconds": 0.004}:
// the `run` object of `detect --json` and `doctor --json`.
nlohmann::json run_to_json(const RunStamp& run);

}  // namespace cudafit
