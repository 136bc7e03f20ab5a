#include <algorithm>

#include "doctor/checks.h"
#include "util/host.h"
#include "util/strings.h"

namespace cudafit::doctor {

std::string with_source(const std::string& value, const std::string& source) {
  if (source.empty()) return value;
  return value + " (from " + source + ")";
}

Os driver_os(const Machine& m) { return m.host.wsl ? Os::kWindows : Os::kLinux; }

Platform platform_of(const Machine& m) {
  if (m.host.cpu_arch.known() &&
      (*m.host.cpu_arch.value == "aarch64" || *m.host.cpu_arch.value == "arm64"))
    return Platform::kLinuxAarch64;
  return Platform::kLinuxX86_64;
}

std::optional<DriverVersion> running_driver(const Machine& m) {
  if (m.driver.version.known()) return m.driver.version.value;
  if (m.host.wsl && m.driver.userspace_version.known()) return m.driver.userspace_version.value;
  return std::nullopt;
}

const ContainerInfo::CompatLib* forward_compat_in_use(const Machine& m) {
  for (const auto& lib : m.container.compat_libs)
    if (lib.usable) return &lib;
  return nullptr;
}

ForwardCompatCheck check_forward_compat(const KnowledgeBase& kb, const Machine& m,
                                        const ContainerInfo::CompatLib& lib) {
  ForwardCompatCheck r;
  r.cuda = kb.highest_cuda_for_driver(lib.version, Os::kLinux);
  for (const Gpu& g : m.gpus) {
    if (!g.visible) continue;
    const GpuProduct* product = nullptr;
    for (const GpuProduct& p : kb.gpu_products())
      for (unsigned id : p.pci_device_ids)
        if (id == g.device_id && !product) product = &p;
    if (!product) {
      r.gpus_known = false;
      r.evidence.push_back(gpu_label(g) + " " + g.pci_id() +
                           ": not in data/gpus.csv, so not known to be a data-center GPU");
    } else {
      r.gpus_allowed = r.gpus_allowed && product->datacenter;
      r.evidence.push_back(gpu_label(g) + " is " + product->name + ", " +
                           (product->datacenter ? "a data-center GPU" : "not a data-center GPU") +
                           " (" + product->from.where() + ")");
    }
  }
  const auto driver = running_driver(m);
  if (r.cuda && driver) {
    const ForwardCompat* row = kb.forward_compat_for(r.cuda->major_minor_only(), driver->branch());
    r.branch_allowed = row && row->supported;
    r.evidence.push_back(
        "CUDA " + r.cuda->major_minor() + " forward compatibility on driver branch R" +
        std::to_string(driver->branch()) + ": " +
        (row ? row->status + " (" + row->from.where() + ")"
             : std::string("not in NVIDIA's table (cuda-forward-compat.csv); branches it does "
                           "not list are end of life and not supported targets")));
  } else {
    r.evidence.push_back(r.cuda ? std::string("the running driver is unknown")
                                : "no CUDA release in cuda.csv pairs with driver " +
                                      lib.version.str());
  }
  return r;
}

std::optional<DriverVersion> cuda_driver(const KnowledgeBase& kb, const Machine& m) {
  auto driver = running_driver(m);
  if (const auto* lib = forward_compat_in_use(m))
    if (check_forward_compat(kb, m, *lib).allowed() && (!driver || lib->version > *driver))
      driver = lib->version;
  return driver;
}

std::string driver_evidence(const Machine& m) {
  if (m.driver.version.known())
    return "driver " + with_source(m.driver.version.value->str(), m.driver.version.source);
  if (m.driver.userspace_version.known())
    return "driver " +
           with_source(m.driver.userspace_version.value->str(), m.driver.userspace_version.source);
  return "no driver version found";
}

std::optional<DriverVersion> min_driver(const KnowledgeBase& kb, const Machine& m,
                                        const CudaVersion& cuda) {
  auto v = kb.minimum_driver_for(cuda, driver_os(m));
  if (!v && driver_os(m) != Os::kLinux) v = kb.minimum_driver_for(cuda, Os::kLinux);
  return v;
}

std::optional<DriverVersion> minor_floor(const KnowledgeBase& kb, const Machine& m,
                                         int cuda_major) {
  const MinorCompat* mc = kb.minor_compat_for(cuda_major);
  if (!mc) return std::nullopt;
  if (driver_os(m) == Os::kWindows && mc->windows_floor) return mc->windows_floor;
  return mc->linux_floor;
}

std::string driver_ptx_isa(const KnowledgeBase& kb, const Machine& m) {
  if (!m.driver.cuda.known()) return "";
  const CudaRelease* r = kb.cuda_release(m.driver.cuda.value->major_minor_only());
  return r ? r->ptx_isa : "";
}

std::vector<const Gpu*> visible_gpus(const Machine& m) {
  std::vector<const Gpu*> gpus;
  for (const Gpu& g : m.gpus)
    if (g.visible && g.compute_capability.known()) gpus.push_back(&g);
  return gpus;
}

std::string gpu_label(const Gpu& g) {
  std::string s = "GPU " + std::to_string(g.index);
  if (g.name.known()) s += " " + *g.name.value;
  if (g.compute_capability.known()) s += " (" + g.compute_capability.value->sm() + ")";
  return s;
}

std::string build_variant(const InstalledPackage& p) {
  if (p.parsed) {
    for (const std::string& part : p.parsed->local()) {
      if (starts_with(part, "cu") || starts_with(part, "cpu") || starts_with(part, "rocm"))
        return part;
    }
  }
  if (p.cuda) return p.cuda->variant();
  if (p.cpu_only) return "cpu";
  return "";
}

std::string pip_install(const Environment& env, const std::string& args) {
  std::string python =
      env.interpreter.empty() ? path_join(env.path, "bin/python") : env.interpreter;
  bool uv = false;
  for (const auto& p : env.packages)
    if (p.installer == "uv") uv = true;
  if (uv) return "uv pip install --python " + python + " " + args;
  return python + " -m pip install " + args;
}

std::string env_label(const Environment& env) {
  return env.path + " (" + (env.kind.empty() ? std::string("environment") : env.kind) + ")";
}

std::string package_label(const InstalledPackage& p) {
  std::string s = p.name + " " + p.version;
  std::string where = !p.metadata_path.empty() ? p.metadata_path : p.location;
  if (!where.empty()) s += " (from " + where + ")";
  return s;
}

const InstalledPackage* effective_torch(const Environment& env) {
  const InstalledPackage* best = nullptr;
  std::size_t best_rank = static_cast<std::size_t>(-1);
  for (const auto& p : env.packages) {
    if (p.name != "torch") continue;
    auto it = std::find(env.sys_path.begin(), env.sys_path.end(), p.location);
    std::size_t rank = it == env.sys_path.end()
                           ? env.sys_path.size()
                           : static_cast<std::size_t>(it - env.sys_path.begin());
    if (!best || rank < best_rank) {
      best = &p;
      best_rank = rank;
    }
  }
  return best;
}

std::optional<int> recommended_branch(const KnowledgeBase& kb, const Machine& m) {
  std::optional<int> cap;
  for (const Gpu& g : m.gpus) {
    if (!g.compute_capability.known()) continue;
    const GpuArch* arch = kb.arch_of_cc(*g.compute_capability.value);
    if (arch && arch->last_driver_branch)
      cap = cap ? std::min(*cap, *arch->last_driver_branch) : *arch->last_driver_branch;
  }
  std::optional<int> best;
  for (const DriverBranch& b : kb.driver_branches()) {
    if (cap && b.branch > *cap) continue;
    if (!b.cuda) continue;  // announced, not yet released
    bool production = starts_with(b.designation, "LTSB") || starts_with(b.designation, "PB");
    if (!production && !(cap && b.branch == *cap)) continue;
    if (!best || b.branch > *best) best = b.branch;
  }
  return best;
}

}  // namespace cudafit::doctor
