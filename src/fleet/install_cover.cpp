// The one install command for a fleet: install's rules (resolve_machine, verdict_for_build,
// install_commands), applied to each distinct machine profile rather than to each machine.
#include <algorithm>
#include <map>

#include "fleet/fleet_internal.h"
#include "plan/commands.h"
#include "plan/machine_spec.h"
#include "util/strings.h"

namespace cudafit {
namespace {

// What resolve_machine reads of a detected machine, rebuilt from a report.
Machine skeleton_of(const FleetData& d, const FleetMachine& fm) {
  Machine m;
  const std::string& arch = d.strings.str(fm.cpu_arch);
  if (!arch.empty()) m.host.cpu_arch = Fact<std::string>::of(arch, "report");
  m.driver.module_loaded = fm.module_loaded;
  if (auto v = DriverVersion::parse(d.strings.str(fm.driver)))
    m.driver.version = Fact<DriverVersion>::of(*v, "report");
  int index = 0;
  for (const auto& g : fm.gpus) {
    Gpu gpu;
    gpu.index = index++;
    gpu.visible = g.visible;
    if (g.name != 0) gpu.name = Fact<std::string>::of(d.strings.str(g.name), "report");
    const std::string& pci = d.strings.str(g.pci_id);
    if (pci.size() == 9)
      if (auto id = parse_hex(std::string_view(pci).substr(5))) gpu.device_id = *id;
    if (auto cc = ComputeCapability::parse(d.strings.str(g.cc)))
      gpu.compute_capability = Fact<ComputeCapability>::of(*cc, "report");
    m.gpus.push_back(std::move(gpu));
  }
  for (const auto& e : fm.envs) {
    if (!e.active || e.python == 0) continue;
    Environment env;
    env.path = d.strings.str(e.path);
    env.active = true;
    env.python = Fact<std::string>::of(d.strings.str(e.python), "report");
    m.environments.push_back(std::move(env));
  }
  return m;
}

// The fields resolve_machine reads, as one key: machines with equal keys get equal verdicts.
std::string profile_key(const FleetMachine& m) {
  std::string key;
  auto put = [&](Sym s) { key.append(reinterpret_cast<const char*>(&s), sizeof s); };
  put(m.driver);
  put(m.cpu_arch);
  key += m.module_loaded ? '1' : '0';
  for (const auto& e : m.envs)
    if (e.active) {
      put(e.python);
      break;
    }
  key += '|';
  for (const auto& g : m.gpus) {
    put(g.cc);
    put(g.pci_id);
    put(g.name);
    key += g.visible ? '1' : '0';
  }
  return key;
}

struct Profile {
  std::vector<std::size_t> machines;
  Result<TargetMachine> target = make_error("");
};

}  // namespace

FleetInstall cover_fleet(const FleetData& d, const KnowledgeBase& kb, const InstallFacts& facts,
                         const SpecifierSet& torch) {
  FleetInstall out;
  std::vector<Profile> profiles;
  std::map<std::string, std::size_t> by_key;
  const MemoryHost no_overrides;  // a report's machine: no UV_CUDA_DRIVER_VERSION here
  for (std::size_t i = 0; i < d.machines.size(); ++i) {
    auto [it, added] = by_key.try_emplace(profile_key(d.machines[i]), profiles.size());
    if (added) {
      profiles.emplace_back();
      Machine skeleton = skeleton_of(d, d.machines[i]);
      profiles.back().target = resolve_machine(MachineFlags{}, no_overrides, kb, &skeleton);
    }
    profiles[it->second].machines.push_back(i);
  }

  const TorchVariant* best = nullptr;
  int best_runs = -1, best_ok = -1;
  struct Scored {
    const TorchVariant* v;
    int runs_on, ok;
  };
  std::vector<Scored> scored;
  for (const TorchVariant& v : kb.torch_variants()) {
    if (!v.is_cuda() || !v.rocm.empty() || !torch.contains(v.torch)) continue;
    int runs_on = 0, ok = 0;
    for (const Profile& p : profiles) {
      if (!p.target) continue;
      const Verdict verdict = verdict_for_build(kb, v, *p.target).verdict;
      const int n = static_cast<int>(p.machines.size());
      if (runs(verdict)) runs_on += n;
      if (verdict == Verdict::kOk) ok += n;
    }
    scored.push_back({&v, runs_on, ok});
    // install's order: the newest release that runs, then within it `ok` before a caveat,
    // then the highest CUDA; here with "on the most machines" first.
    const bool better =
        best == nullptr || runs_on > best_runs ||
        (runs_on == best_runs &&
         (v.torch > best->torch ||
          (v.torch == best->torch && (ok > best_ok || (ok == best_ok && *v.cuda > *best->cuda)))));
    if (better) {
      best = &v;
      best_runs = runs_on;
      best_ok = ok;
    }
  }
  if (best == nullptr || best_runs <= 0) return out;
  const TorchRelease* release = kb.torch_release(best->torch);
  if (release == nullptr) return out;
  out.found = true;
  out.torch = release->version.str();
  out.variant = best->variant;
  out.runs_on = best_runs;
  out.ok = best_ok;
  std::optional<BuildVerdict> first_verdict;
  for (const Profile& p : profiles) {
    if (!p.target) {
      for (std::size_t i : p.machines)
        out.left_out.emplace_back(d.name_of(d.machines[i]), "report: " + p.target.error());
      continue;
    }
    BuildVerdict v = verdict_for_build(kb, *best, *p.target);
    if (runs(v.verdict)) {
      if (!first_verdict) first_verdict = v;
      continue;
    }
    std::string why = std::string(to_string(v.verdict));
    if (!v.problems.empty()) why += ": " + v.problems.front();
    for (std::size_t i : p.machines) out.left_out.emplace_back(d.name_of(d.machines[i]), why);
  }
  std::sort(out.left_out.begin(), out.left_out.end());
  // Newest release first; within one, the variant that runs on most (then ok on most).
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    if (!(a.v->torch == b.v->torch)) return a.v->torch > b.v->torch;
    if (a.runs_on != b.runs_on) return a.runs_on > b.runs_on;
    if (a.ok != b.ok) return a.ok > b.ok;
    return *a.v->cuda > *b.v->cuda;
  });
  int most = 0;
  for (std::size_t i = 0; i < scored.size(); ++i) {
    if (i > 0 && scored[i].v->torch == scored[i - 1].v->torch) continue;  // not the release's best
    if (scored[i].runs_on <= most) continue;
    most = scored[i].runs_on;
    out.newer_steps.push_back(
        {scored[i].v->torch.str(), scored[i].v->variant, scored[i].runs_on, scored[i].ok});
  }
  PlannedBuild build{release, best, first_verdict.value_or(BuildVerdict{})};
  out.command = install_commands(facts, build, {"torchvision", "torchaudio"}, {}).pip;
  return out;
}

}  // namespace cudafit
