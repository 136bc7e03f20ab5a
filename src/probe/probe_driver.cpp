// The driver: the kernel module (/sys/module, /proc/driver/nvidia), nouveau, the user-space
// libraries the loader would find, and (with --exec) nvidia-smi's header.
#include <algorithm>

#include "probe/probe_context.h"
#include "util/strings.h"

namespace cudafit {

namespace {

constexpr const char* kSysVersion = "/sys/module/nvidia/version";
constexpr const char* kProcVersion = "/proc/driver/nvidia/version";

// A driver version as it appears in file names: two or three parts, a 3+ digit branch.
std::optional<DriverVersion> driver_version_of_suffix(const std::string& suffix) {
  auto v = DriverVersion::parse(suffix);
  if (!v || v->parts().size() < 2 || suffix.find('.') < 3) return std::nullopt;
  return *v;
}

void probe_kernel_module(ProbeContext& ctx) {
  DriverInfo& d = ctx.m.driver;
  const std::string* sys = ctx.read(kSysVersion);
  const std::string* proc = ctx.read(kProcVersion);
  if (const std::string* modules = ctx.read("/proc/modules")) {
    for (const auto& name : parse_proc_modules(*modules)) {
      if (name == "nvidia") d.module_loaded = true;
      if (name == "nouveau") d.nouveau_loaded = true;
    }
  }
  if (sys != nullptr || proc != nullptr) d.module_loaded = true;

  std::optional<DriverVersion> proc_version;
  if (proc != nullptr) {
    auto nvrm = parse_nvrm_version(*proc);
    if (nvrm) {
      proc_version = nvrm->version;
      d.module_kind = Fact<std::string>::of(nvrm->open ? "open" : "proprietary", kProcVersion);
    } else {
      ctx.note(std::string(kProcVersion) + ": " + nvrm.error());
      d.module_kind = Fact<std::string>::unknown(std::string(kProcVersion) + ": " + nvrm.error());
    }
  } else {
    d.module_kind = Fact<std::string>::unknown(std::string(kProcVersion) + " is absent");
  }
  if (sys != nullptr) {
    auto v = parse_module_version(*sys);
    if (v) {
      d.version = Fact<DriverVersion>::of(*v, kSysVersion);
      if (proc_version && !(*proc_version == *v))
        d.version.note = std::string(kProcVersion) + " says " + proc_version->str();
    } else {
      ctx.note(std::string(kSysVersion) + ": " + v.error());
    }
  }
  if (!d.version.known() && proc_version)
    d.version = Fact<DriverVersion>::of(*proc_version, kProcVersion);
  if (!d.version.known()) {
    std::string why = d.module_loaded ? "the nvidia module's version files cannot be parsed"
                                      : "no NVIDIA kernel module is loaded";
    if (d.nouveau_loaded) why += " (nouveau is loaded instead)";
    if (ctx.m.host.wsl) why += " (WSL2: the Windows driver serves the GPU)";
    d.version = Fact<DriverVersion>::unknown(why);
  }
}

void add_library(ProbeContext& ctx, std::vector<std::string>& seen, const std::string& path,
                 std::string kind, std::optional<DriverVersion> version, bool stub) {
  std::string canon = ctx.canonical(path);
  if (std::find(seen.begin(), seen.end(), canon) != seen.end()) return;
  seen.push_back(canon);
  ctx.m.driver.libraries.push_back({path, std::move(kind), std::move(version), stub});
}

void find_libraries(ProbeContext& ctx) {
  std::vector<std::string> dirs = ctx.loader_dirs();
  // LIBRARY_PATH is for linking (where CUDA images put the stub); list it to show the stub.
  if (auto lp = ctx.host.env("LIBRARY_PATH"))
    for (std::string_view dir : split(*lp, ':'))
      if (!dir.empty() && dir.front() == '/') dirs.push_back(path_normalize(dir));
  std::vector<std::string> seen_dirs, seen_files;
  for (const auto& dir : dirs) {
    std::string canon = ctx.canonical(dir);
    if (std::find(seen_dirs.begin(), seen_dirs.end(), canon) != seen_dirs.end()) continue;
    seen_dirs.push_back(canon);
    if (path_basename(canon) == "compat") continue;  // forward compatibility: see container
    // A driver install leaves the soname links (ldconfig makes them, and the loader opens
    // nothing else), and the CUDA stub is libcuda.so: a folder with none of them is not
    // listed. That spares reading the 1,500 names of /usr/lib/x86_64-linux-gnu on every
    // machine without a driver, for two stats a folder.
    bool stubs = path_basename(canon) == "stubs";
    bool has_any = false;
    for (const char* name : {"libcuda.so.1", "libnvidia-ml.so.1"})
      has_any = has_any || ctx.host.stat(dir + "/" + name).has_value();
    if (stubs) has_any = has_any || ctx.host.stat(dir + "/libcuda.so").has_value();
    if (!has_any) continue;
    const auto* entries = ctx.list(dir);
    if (entries == nullptr) continue;
    bool wsl = canon == "/usr/lib/wsl/lib";
    for (const auto& e : *entries) {
      // System lib folders hold a thousand and more files: reject the others cheaply.
      if (!starts_with(e.name, "libcuda.so") && !starts_with(e.name, "libnvidia-ml.so")) continue;
      for (std::string_view stem : {"libcuda.so", "libnvidia-ml.so"}) {
        if (!starts_with(e.name, stem)) continue;
        std::string kind(stem.substr(0, stem.size() - 3));
        std::string path = dir + "/" + e.name;
        if (stubs) {
          if (e.name == stem) add_library(ctx, seen_files, path, kind, std::nullopt, true);
          continue;
        }
        auto suffix = so_version_suffix(e.name, stem);
        if (!suffix) continue;
        if (auto v = driver_version_of_suffix(*suffix)) {
          add_library(ctx, seen_files, path, kind, v, false);
        } else if (wsl && e.type != FileType::kSymlink && *suffix != "1") {
          // WSL2's libcuda.so.1.1 is the Windows driver's, without its version in the name.
          add_library(ctx, seen_files, path, kind, std::nullopt, false);
        }
      }
    }
  }
}

void probe_userspace(ProbeContext& ctx) {
  DriverInfo& d = ctx.m.driver;
  find_libraries(ctx);
  d.libcuda = ctx.resolve_library("libcuda.so.1");
  // NVML is what reports "Driver/library version mismatch"; libcuda is what CUDA loads. A
  // forward-compatibility libcuda is not the driver's (probe_container looks at it).
  const auto nvml = ctx.resolve_library("libnvidia-ml.so.1");
  const std::optional<LoadedLibrary>* const candidates[] = {&nvml, &d.libcuda};
  for (const std::optional<LoadedLibrary>* lib : candidates) {
    if (!*lib || !(*lib)->version) continue;
    const std::string folder = path_basename(path_dirname((*lib)->real));
    if (folder == "compat" || folder == "stubs") continue;
    d.userspace_version = Fact<DriverVersion>::of(*(*lib)->version, (*lib)->real);
    break;
  }
  if (!d.userspace_version.known()) {
    bool only_stub =
        !d.libraries.empty() && std::all_of(d.libraries.begin(), d.libraries.end(),
                                            [](const DriverLibrary& l) { return l.stub; });
    d.userspace_version = Fact<DriverVersion>::unknown(
        only_stub ? "only the CUDA stub library (not a driver) was found"
                  : "no versioned libcuda.so.1 / libnvidia-ml.so.1 on the loader's path");
  }
  if (d.version.known() && d.userspace_version.known() &&
      !(*d.version.value == *d.userspace_version.value)) {
    d.version_mismatch = true;
  }
}

void probe_nvidia_smi(ProbeContext& ctx) {
  DriverInfo& d = ctx.m.driver;
  RunResult r = ctx.host.run({"nvidia-smi"}, ctx.options.timeout_ms);
  if (r.timed_out || r.exit_code != 0) {
    std::string why = r.timed_out
                          ? "nvidia-smi timed out"
                          : "nvidia-smi failed: " + std::string(trim(r.out + r.err)).substr(0, 160);
    d.nvidia_smi_version = Fact<DriverVersion>::unknown(why);
    ctx.note(why);
    return;
  }
  auto after = [&](std::string_view label) -> std::string {
    size_t at = r.out.find(label);
    if (at == std::string::npos) return {};
    auto words = split_ws(std::string_view(r.out).substr(at + label.size()));
    return words.empty() ? std::string() : std::string(words[0]);
  };
  std::string ver = after("Driver Version:");
  if (ver.empty()) ver = after("KMD Version:");  // R610 and later
  std::string cuda = after("CUDA Version:");
  if (cuda.empty()) cuda = after("CUDA UMD Version:");
  auto v = DriverVersion::parse(ver);
  if (!v) {
    d.nvidia_smi_version = Fact<DriverVersion>::unknown("nvidia-smi printed no driver version");
    return;
  }
  d.nvidia_smi_version = Fact<DriverVersion>::of(*v, "nvidia-smi");
  if (!d.version.known()) d.version = Fact<DriverVersion>::of(*v, "nvidia-smi");
  if (auto c = CudaVersion::parse(cuda); c && !d.cuda.known())
    d.cuda = Fact<CudaVersion>::of(*c, "nvidia-smi");
}

}  // namespace

void probe_driver(ProbeContext& ctx) {
  probe_kernel_module(ctx);
  probe_userspace(ctx);
  DriverInfo& d = ctx.m.driver;
  if (ctx.options.exec) probe_nvidia_smi(ctx);
  if (!d.cuda.known() && d.version.known()) {
    Os os = ctx.m.host.wsl ? Os::kWindows : Os::kLinux;
    if (auto c = ctx.kb.highest_cuda_for_driver(*d.version.value, os)) {
      d.cuda = Fact<CudaVersion>::of(
          *c, "knowledge base: highest CUDA whose minimum driver <= " + d.version.value->str());
    } else {
      d.cuda = Fact<CudaVersion>::unknown("the knowledge base knows no CUDA release for driver " +
                                          d.version.value->str());
    }
  } else if (!d.cuda.known()) {
    d.cuda = Fact<CudaVersion>::unknown("the driver version is unknown");
  }
}

}  // namespace cudafit
