// `cudafit check`: will each component of a target (an exact build or requirement, a
// requirements.txt, a pyproject.toml, a Docker image reference, a Dockerfile) run on the
// machine? torch is resolved within the indexes the file names, as the installer the file
// belongs to would (plan/index_resolve.h); the other GPU packages are judged from their data
// (plan/package_check.h). Each component gets a verdict, its reasons and a fix.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kb/images.h"
#include "plan/choose.h"
#include "plan/index_resolve.h"
#include "plan/requirements_file.h"
#include "util/host.h"
#include "util/result.h"
#include "verdict/verdict.h"

namespace cudafit {

struct CheckItem {
  std::string component;  // "torch 2.3.1 cu121", "image nvidia/cuda:12.4.1-runtime-ubuntu22.04"
  std::string where;      // "requirements.txt:3", "Dockerfile:1", or the target itself
  std::string installer;  // torch: who was judged ("pip", "uv (first-index)")
  BuildVerdict result;
  std::string fix;    // "" when it runs
  std::string other;  // torch: what the other installer would take, when it differs
};

// How to judge. Unset: the installer the file belongs to (pip for requirements files,
// `pip install` lines and plain pyproject.toml; uv for `uv pip install` lines and pyproject.toml
// with [tool.uv] tables) and its index strategy (uv: first-index unless the file says).
struct CheckOptions {
  std::optional<Installer> tool;
  std::optional<IndexStrategy> strategy;
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
                                 const std::string& target, const CheckOptions& options = {});

// One requirement set (from any source) against the machine: torch, its companions and the
// other GPU packages.
CheckReport check_requirements(const KnowledgeBase& kb, const InstallFacts& facts,
                               const TargetMachine& machine, const RequirementSet& set,
                               const CheckOptions& options = {});

}  // namespace cudafit
