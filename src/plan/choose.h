// Choosing a torch build for a machine: the newest release that satisfies the request and
// runs, then its highest CUDA variant whose verdict is `ok` (else the highest that runs, with
// its caveat). Higher variants that need minor-version or forward compatibility are offered
// as alternatives. A build whose wheel for the machine's Python is only possibly there
// (unknown in torch-wheels.csv) is chosen only when no release known to have one fits, and
// the plan says so. When nothing fits, says what would.
#pragma once

#include <string>
#include <vector>

#include "kb/kb.h"
#include "verdict/verdict.h"
#include "versions/pep440.h"

namespace cudafit {

// --compat: minor prefers an ok-minor-compat higher variant; forward allows
// needs-forward-compat builds.
enum class CompatPolicy { kDefault, kMinor, kForward };

struct PlannedBuild {
  const TorchRelease* release = nullptr;
  const TorchVariant* variant = nullptr;
  BuildVerdict verdict;
};

struct InstallPlan {
  bool found = false;
  PlannedBuild chosen;
  std::vector<PlannedBuild> alternatives;  // other variants of the chosen release worth naming
  std::vector<std::string> skipped;        // newer matching releases passed over, with why
  std::string nothing_fits;                // when !found: why, and what would fit
  std::vector<std::string> notes;          // what the choice rests on that is unknown
};

// A companion's version constraint ("torchvision==0.18.*"): only torch releases whose
// companion (plan/companions.h: the one whose metadata admits the torch) satisfies it are
// candidates.
struct CompanionPin {
  std::string name;  // "torchvision" or "torchaudio"
  SpecifierSet spec;
};

// `torch_spec` empty = any release; `label` is the request as written ("torch==2.6.*").
InstallPlan choose_build(const KnowledgeBase& kb, const TargetMachine& machine,
                         const SpecifierSet& torch_spec, const std::string& label,
                         CompatPolicy policy, const std::vector<CompanionPin>& pins = {});

// The best variant of one release for the machine (nullptr verdicts: none of its variants
// were candidates). Used by `check` to suggest a fix. With `python_unknown_ok` false, a
// variant whose wheel for the machine's Python is not known to exist (torch-wheels.csv) is
// never picked: `choose_build` tries every release whose support is known first.
PlannedBuild best_variant_of(const KnowledgeBase& kb, const TargetMachine& machine,
                             const TorchRelease& release, CompatPolicy policy,
                             std::vector<PlannedBuild>* evaluated = nullptr,
                             bool python_unknown_ok = true);

}  // namespace cudafit
