// Shared helpers of the plan tests: the embedded KB and small machines.
#pragma once

#include "kb/images.h"
#include "kb/kb.h"
#include "verdict/verdict.h"

namespace cudafit::testing {

inline const KnowledgeBase& kb() {
  static auto loaded = KnowledgeBase::embedded();
  return **loaded;
}

inline const InstallFacts& facts() {
  static auto loaded = InstallFacts::embedded();
  return **loaded;
}

inline TargetMachine machine(const std::string& driver, const std::vector<std::string>& ccs,
                             const std::string& python = "3.11",
                             Platform p = Platform::kLinuxX86_64,
                             std::optional<bool> datacenter = false) {
  TargetMachine m;
  if (driver == "none")
    m.no_driver = true;
  else if (!driver.empty())
    m.driver = Fact<DriverVersion>::of(*DriverVersion::parse(driver), "test");
  for (const auto& cc : ccs)
    m.gpus.push_back(TargetGpu{cc, *ComputeCapability::parse(cc), datacenter, "test"});
  m.gpus_known = true;
  m.no_gpu = m.gpus.empty();
  if (m.no_gpu && !m.driver.known()) m.no_driver = true;
  if (!python.empty()) m.python = Fact<std::string>::of(python, "test");
  m.platform = p;
  m.os = p == Platform::kWindowsX86_64 ? Os::kWindows : Os::kLinux;
  return m;
}

}  // namespace cudafit::testing
