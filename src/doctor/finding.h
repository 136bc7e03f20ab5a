// Finding: one thing `cudafit doctor` found wrong (or worth knowing) about a machine's GPU
// stack, with the facts that show it and the exact fix. Ids are stable once released:
// scripts and CI gates match on them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cudafit {

// error: it will fail; warning: it works with a caveat or a trap; info: worth knowing.
enum class Severity { kError, kWarning, kInfo };
std::string_view to_string(Severity severity);

struct Finding {
  std::string id;  // "driver-too-old", "arch-unsupported", ...
  Severity severity = Severity::kInfo;
  std::string summary;  // one line
  std::vector<std::string>
      evidence;     // facts with sources: "580.159.04 (from /proc/driver/nvidia/version)"
  std::string fix;  // a command or an action; "" when there is nothing to do
};

}  // namespace cudafit
