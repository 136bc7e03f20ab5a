// `cudafit check`: will each component of a target (an exact build or requirement, a
// requirements.txt, a pyproject.toml, a Docker image reference, a Dockerfile) run on the
// machine? Each component gets a verdict, its reasons and a fix.
#pragma once

#include <string>
#include <vector>

#include "kb/images.h"
#include "plan/choose.h"
#include "plan/requirements_file.h"
#include "util/host.h"
#include "util/result.h"
#include "verdict/verdict.h"

namespace cudafit {

struct CheckItem {
  std::string component;  // "torch 2.3.1 cu121", "image nvidia/cuda:12.4.1-runtime-ubuntu22.04"
  std::string where;      // "requirements.txt:3", "Dockerfile:1", or the target itself
  BuildVerdict result;
  std::string fix;  // "" when it runs
};

struct CheckReport {
  std::vector<CheckItem> items;
  std::vector<std::string> notes;  // skipped lines, components with no facts
  // 0 all run (or are unknown), 1 something will not.
  int exit_code() const;
};

// `files` reads the target files (this machine's disk). Errors (exit 2) name the place.
Result<CheckReport> check_target(const KnowledgeBase& kb, const InstallFacts& facts,
                                 const Host& files, const TargetMachine& machine,
                                 const std::string& target);

// One requirement set (from any source) against the machine: torch entries are checked.
CheckReport check_requirements(const KnowledgeBase& kb, const InstallFacts& facts,
                               const TargetMachine& machine, const RequirementSet& set);

}  // namespace cudafit
