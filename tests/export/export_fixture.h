// A fixture machine read and diagnosed as `cudafit doctor` does (detect, environments,
// checks), and what `export` adds (install's choice, a fixed run time), for the format tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "doctor/doctor.h"
#include "envs/discover.h"
#include "export/export.h"
#include "probe/detect.h"

namespace cudafit::testing {

inline const KnowledgeBase& export_kb() {
  static std::shared_ptr<const KnowledgeBase> kb = *KnowledgeBase::embedded();
  return *kb;
}

struct Diagnosed {
  Machine machine;
  std::vector<Finding> findings;
  std::optional<PlannedBuild> best;
  RunStamp run{1796391669123, 0.0042};  // 2026-12-04T13:41:09.123Z
  ExportInput input() const { return {machine, findings, export_kb(), best, run}; }
};

// tests/machines/NAME (root/ and env.txt), or a machine made in code.
inline Diagnosed diagnosed(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(CUDAFIT_SOURCE_DIR) / "tests/machines" / name;
  std::ifstream env_file(dir / "env.txt");
  std::stringstream env;
  env << env_file.rdbuf();
  RootedHost host((dir / "root").string(), parse_env_dump(env.str()));
  DetectOptions detect;
  detect.driver_libs = DetectOptions::DriverLibs::kNever;
  Diagnosed d;
  d.machine = detect_machine(host, export_kb(), detect);
  EnvOptions envs;
  envs.cwd = "/";
  d.machine.environments = discover_environments(host, envs);
  d.findings = diagnose(DoctorInput{d.machine, export_kb(), {}});
  d.best = install_choice(export_kb(), host, d.machine);
  return d;
}

inline Diagnosed diagnosed(Machine m) {
  Diagnosed d;
  d.machine = std::move(m);
  d.findings = diagnose(DoctorInput{d.machine, export_kb(), {}});
  MemoryHost none;
  d.best = install_choice(export_kb(), none, d.machine);
  return d;
}

}  // namespace cudafit::testing
