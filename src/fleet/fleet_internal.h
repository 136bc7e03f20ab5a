// Internal to fleet/: the install command that runs on the most machines.
#pragma once

#include "fleet/fleet.h"

namespace cudafit {

// Every CUDA build of the knowledge base (limited to `torch`), judged for each distinct machine
// profile (driver, CPU, Python, GPUs) by install's own rules (resolve_machine,
// verdict_for_build); the one that runs on the most machines wins, then, as install orders them,
// the newest release, the one `ok` on most, the highest CUDA.
FleetInstall cover_fleet(const FleetData& data, const KnowledgeBase& kb, const InstallFacts& facts,
                         const SpecifierSet& torch);

}  // namespace cudafit
