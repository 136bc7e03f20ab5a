// What every format shares: the build install would choose, and which environment a finding is
// about.
#include "export/export.h"
#include "plan/machine_spec.h"

namespace cudafit {

std::optional<PlannedBuild> install_choice(const KnowledgeBase& kb, const Host& host,
                                           const Machine& machine) {
  auto target = resolve_machine(MachineFlags{}, host, kb, &machine);
  if (!target) return std::nullopt;
  InstallPlan plan = choose_build(kb, *target, SpecifierSet{}, "torch", CompatPolicy::kDefault);
  if (!plan.found) return std::nullopt;
  return plan.chosen;
}

std::string finding_environment(const Finding& finding, const std::vector<Environment>& envs) {
  std::string best;
  for (const auto& env : envs) {
    // doctor's env_label(): "PATH (KIND)".
    const std::string label = env.path + " (" + env.kind + ")";
    if (env.path.size() > best.size() && finding.summary.find(label) != std::string::npos)
      best = env.path;
  }
  return best;
}

const Environment* main_environment(const Machine& machine) {
  for (const auto& env : machine.environments)
    if (env.active) return &env;
  for (const auto& env : machine.environments)
    if (env.find("torch") != nullptr) return &env;
  return nullptr;
}

}  // namespace cudafit
