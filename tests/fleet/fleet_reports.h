// Real doctor reports for the fleet tests: `cudafit doctor --json` on the fixture machines
// (run in-process, once per machine), with the hostname a test gives.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_run.h"
#include "kb/images.h"
#include "kb/kb.h"

namespace cudafit::testing {

inline const std::string& report_of(const std::string& machine) {
  static std::map<std::string, std::string> cache;
  auto it = cache.find(machine);
  if (it != cache.end()) return it->second;
  const std::filesystem::path m =
      std::filesystem::path(CUDAFIT_SOURCE_DIR) / "tests/machines" / machine;
  CliRun r = run({"--root", (m / "root").string(), "--env-file", (m / "env.txt").string(), "doctor",
                  "--json", "--no-driver-libs"});
  return cache[machine] = r.out;
}

inline std::string with_host(const std::string& report, const std::string& host) {
  auto j = nlohmann::json::parse(report);
  j["host"]["hostname"] = host;
  return j.dump(2);
}

// The report on one line, ending with a newline (JSON lines).
inline std::string json_line(const std::string& report) {
  std::string line = nlohmann::json::parse(report).dump();
  line.push_back('\n');
  return line;
}

inline const KnowledgeBase& fleet_kb() {
  static std::shared_ptr<const KnowledgeBase> kb = *KnowledgeBase::embedded();
  return *kb;
}
inline const InstallFacts& fleet_facts() {
  static std::shared_ptr<const InstallFacts> facts = *InstallFacts::embedded();
  return *facts;
}

}  // namespace cudafit::testing
