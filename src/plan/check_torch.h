// `check`'s torch item: the requirement resolved within the file's indexes by the installer the
// file belongs to, the other installer's pick when it differs, the --extra-index-url trap, and
// a fix. Internal to plan/check.cpp.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "plan/check.h"
#include "plan/package_check.h"

namespace cudafit {

struct TorchJudgement {
  CheckItem item;
  ResolvedTorch resolved;  // for the companions and frameworks beside it
};

TorchJudgement check_torch(const KnowledgeBase& kb, const InstallFacts& facts,
                           const TargetMachine& m, const RequirementSet& set,
                           const RequirementEntry& e, const std::vector<TorchPin>& pins,
                           Installer installer, IndexStrategy strategy,
                           const std::map<std::string, std::string>& env);

}  // namespace cudafit
