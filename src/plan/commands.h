// The install commands for a chosen build, written the way PyTorch's published commands are
// (data/torch-pip-commands.csv, data/torch-conda.csv): pip, uv, conda, and a
// requirements.txt fragment.
#pragma once

#include <string>
#include <vector>

#include "kb/images.h"
#include "plan/choose.h"

namespace cudafit {

struct InstallCommands {
  std::string index_url;              // "" when the command needs no index (the PyPI default)
  std::string index_option;           // "--index-url https://download.pytorch.org/whl/cu121"
  std::vector<std::string> packages;  // "torch==2.3.1", "torchvision==0.18.1", ...
  std::string pip, uv;
  std::string conda;                 // "" when the release/variant is not on the pytorch channel
  std::string requirements;          // requirements.txt fragment (index line first)
  std::vector<std::string> notes;    // unknown companions, unknown command style
  std::vector<std::string> sources;  // data rows the command form came from
};

// `companions`: "torchvision", "torchaudio" (in that order when both), each pinned to the
// release that goes with the torch (plan/companions.h) or left out, with a note, when none
// does; `extra`: other requirements passed through as written.
InstallCommands install_commands(const KnowledgeBase& kb, const InstallFacts& facts,
                                 const PlannedBuild& build,
                                 const std::vector<std::string>& companions,
                                 const std::vector<std::string>& extra);
// The same with the embedded knowledge base's companions (the form `check` used before
// companions came from metadata; without companions the knowledge base is not asked).
InstallCommands install_commands(const InstallFacts& facts, const PlannedBuild& build,
                                 const std::vector<std::string>& companions,
                                 const std::vector<std::string>& extra);

// Quotes a shell word when it needs it ("torch>=2.1,<2.5" -> "\"torch>=2.1,<2.5\"").
std::string shell_quote(const std::string& word);

}  // namespace cudafit
