// `check` beside torch: torchvision/torchaudio, the release pip takes beside the torch the file
// resolves to (their own torch requirement, torch-companion-releases.csv), and
// the packages data/frameworks.csv has rows for (xformers, flash-attn, vllm, bitsandbytes,
// triton, tensorflow, onnxruntime-gpu, cupy, jax): the torch they pin or were built for, their
// CUDA, their minimum GPU or arch list. A GPU package with no data gets an explicit "not
// judged" item; every other requirement is listed in a note. Nothing is dropped silently.
#pragma once

#include <string>
#include <vector>

#include "kb/images.h"
#include "plan/check.h"
#include "plan/requirements_file.h"

namespace cudafit {

// The torch the file resolves to (release null: it did not resolve).
struct ResolvedTorch {
  const TorchRelease* release = nullptr;
  const TorchVariant* variant = nullptr;
  BuildVerdict verdict;
};

// A requirement that narrows torch: torchvision==0.18.1 admits torch 2.3.1 only (its own
// Requires-Dist, torch-companion-releases.csv), xformers==0.0.27 pins torch==2.3.1 (its
// frameworks.csv row).
struct TorchPin {
  std::string by;           // "xformers==0.0.27 (requirements.txt:2)"
  std::string rests_on;     // "frameworks.csv:81", "torch-releases.csv"
  std::string wants;        // "torch==2.3.1", "torch paired with torchvision==0.18.1"
  SpecifierSet torch_spec;  // framework pins; empty for companions
  std::string companion;    // "torchvision" / "torchaudio"; "" for framework pins
  SpecifierSet companion_spec;
  bool admits(const KnowledgeBase& kb, const TorchRelease& r, const InstallFacts& facts) const;
};

// The pins the requirements put on torch (only exact or ranged framework versions and pinned
// companions narrow it: pip takes the newest of an unpinned one that fits).
std::vector<TorchPin> torch_pins(const KnowledgeBase& kb,
                                 const std::vector<RequirementEntry>& reqs);

// One item per non-torch GPU requirement; the names of the others go to *plain.
std::vector<CheckItem> check_packages(const KnowledgeBase& kb, const InstallFacts& facts,
                                      const TargetMachine& m,
                                      const std::vector<const RequirementEntry*>& reqs,
                                      const ResolvedTorch& torch, std::vector<std::string>* plain);

}  // namespace cudafit
