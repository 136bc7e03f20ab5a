// Which torchvision / torchaudio goes with a torch release, from the companions' own PyPI
// metadata (torch-companion-releases.csv: the torch each one requires), then PyTorch's
// previous-versions page (torch-companions.csv). An exact pin first; then the page; then a
// range (said so); a companion that requires no particular torch only pairs with the torch
// current when it was uploaded. Several admit it: the one uploaded first on or after the torch
// (else the newest before it), the newest version on a tie. Yanked releases are never chosen.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kb/images.h"
#include "kb/kb.h"

namespace cudafit {

enum class PairingBasis { kPin, kPage, kRange, kDate, kNone };

struct CompanionPairing {
  std::optional<Pep440Version> version;  // none: no release of the package goes with it
  PairingBasis basis = PairingBasis::kNone;
  std::string why;                   // one sentence naming the rows
  std::vector<std::string> sources;  // the rows ("torch-companion-releases.csv:42")
};

// `facts` may be null (then the previous-versions page is not consulted).
CompanionPairing companion_for(const KnowledgeBase& kb, const InstallFacts* facts,
                               const TorchRelease& torch, std::string_view package);

}  // namespace cudafit
