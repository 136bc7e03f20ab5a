// When files cannot answer (a GPU's PCI id unknown to the knowledge base, WSL2 without
// /proc/driver/nvidia) or `--driver-libs` asks, loads NVML/libcuda through driver_lib.h and
// merges what they say into the report.
#include <algorithm>

#include "probe/driver_lib.h"
#include "probe/probe_context.h"
#include "util/strings.h"

namespace cudafit {

namespace {

bool needed(ProbeContext& ctx) {
  using DL = DetectOptions::DriverLibs;
  if (ctx.options.driver_libs == DL::kNever) return false;
  if (ctx.options.driver_libs == DL::kAlways) return true;
  for (const auto& g : ctx.m.gpus)
    if (!g.compute_capability.known()) return true;
  return ctx.m.host.wsl && !ctx.m.driver.version.known() &&
         std::any_of(ctx.m.driver.libraries.begin(), ctx.m.driver.libraries.end(),
                     [](const DriverLibrary& l) { return !l.stub && l.kind == "libcuda"; });
}

// The disk path of the library the loader would open for `soname` ("" when none).
std::string library_to_load(ProbeContext& ctx, const std::string& soname) {
  for (const auto& dir : ctx.loader_dirs()) {
    std::string name = path_basename(ctx.canonical(dir));
    if (name == "stubs" || name == "compat") continue;
    std::string path = dir + "/" + soname;
    if (ctx.host.is_file(path)) return ctx.host.disk_path(path);
  }
  return {};
}

// "00000000:00:06.0" and "0000:00:06.0" name the same device.
std::string bus_key(std::string_view bus) {
  std::string lower = to_lower(trim(bus));
  size_t colon = lower.find(':');
  if (colon == std::string::npos) return lower;
  std::string_view domain = std::string_view(lower).substr(0, colon);
  while (domain.size() > 4 && domain.front() == '0') domain.remove_prefix(1);
  return std::string(domain) + lower.substr(colon);
}

void merge_gpu(Gpu& gpu, const DriverLibGpu& g, const std::string& from) {
  if (!g.name.empty() && !gpu.name.known()) gpu.name = Fact<std::string>::of(g.name, from);
  if (!g.uuid.empty() && !gpu.uuid.known()) gpu.uuid = Fact<std::string>::of(g.uuid, from);
  if (g.cc_major >= 0 && g.cc_minor >= 0) {
    ComputeCapability cc(g.cc_major, g.cc_minor);
    if (!gpu.compute_capability.known()) {
      gpu.compute_capability = Fact<ComputeCapability>::of(cc, from);
    } else if (!(*gpu.compute_capability.value == cc)) {
      gpu.compute_capability.note = from + " says " + cc.str();
    }
  }
  if (g.memory_mib > 0) gpu.memory_mib = Fact<unsigned long long>::of(g.memory_mib, from);
  if (g.mig_mode >= 0) gpu.mig_enabled = Fact<bool>::of(g.mig_mode == 1, from);
}

}  // namespace

void probe_driver_libraries(ProbeContext& ctx) {
  if (!needed(ctx)) return;
  std::string nvml = library_to_load(ctx, "libnvidia-ml.so.1");
  std::string cuda = library_to_load(ctx, "libcuda.so.1");
  if (nvml.empty() && cuda.empty()) {
    ctx.note("driver libraries: no libnvidia-ml.so.1 or libcuda.so.1 to load");
    return;
  }
  bool any_gpu_unknown = std::any_of(ctx.m.gpus.begin(), ctx.m.gpus.end(),
                                     [](const Gpu& g) { return !g.compute_capability.known(); });
  // cuInit is slow (about 0.1 s); only when NVML is missing and devices are still unknown.
  bool cuda_init = nvml.empty() && (any_gpu_unknown || ctx.m.gpus.empty());
  DriverLibReport r = query_driver_libraries(nvml, cuda, ctx.options.timeout_ms, cuda_init);
  for (const auto& e : r.errors) ctx.note("driver libraries: " + e);

  DriverInfo& d = ctx.m.driver;
  if (!r.driver_version.empty()) {
    auto v = DriverVersion::parse(r.driver_version);
    if (v && !d.version.known())
      d.version = Fact<DriverVersion>::of(*v, "nvmlSystemGetDriverVersion");
    if (v && !d.userspace_version.known())
      d.userspace_version = Fact<DriverVersion>::of(*v, "nvmlSystemGetDriverVersion");
  }
  if (r.cuda_driver_version > 0) {
    if (auto c = CudaVersion::from_int(r.cuda_driver_version))
      d.cuda = Fact<CudaVersion>::of(*c, r.cuda_version_from);
  }
  std::string from = r.nvml_loaded ? "NVML" : "libcuda";
  for (const auto& g : r.gpus) {
    auto it = std::find_if(ctx.m.gpus.begin(), ctx.m.gpus.end(), [&](const Gpu& gpu) {
      return !g.pci_bus.empty() && bus_key(gpu.pci_bus) == bus_key(g.pci_bus);
    });
    if (it == ctx.m.gpus.end()) {
      // Not in /sys (WSL2's paravirtual GPUs): the library is the only witness.
      Gpu gpu;
      gpu.index = static_cast<int>(ctx.m.gpus.size());
      gpu.pci_bus = g.pci_bus;
      gpu.device_id = g.pci_device_id;
      if (gpu.device_id != 0)
        if (const PciDevice* dev = ctx.kb.pci_device(gpu.device_id); dev && !dev->chip.empty())
          gpu.chip = Fact<std::string>::of(dev->chip, "knowledge base: PCI id " + gpu.pci_id());
      ctx.m.gpus.push_back(std::move(gpu));
      it = ctx.m.gpus.end() - 1;
    }
    merge_gpu(*it, g, from);
  }
}

}  // namespace cudafit
