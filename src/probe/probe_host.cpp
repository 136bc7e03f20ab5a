// The host: OS, CPU architecture, kernel, glibc, WSL2; and the container around it.
#include <string.h>  // memmem

#include <algorithm>
#include <optional>

#include "binary/elf.h"
#include "binary/mapped_file.h"
#include "probe/probe_context.h"
#include "util/strings.h"

namespace cudafit {

namespace {

void probe_os(ProbeContext& ctx) {
  HostInfo& h = ctx.m.host;
  const char* from = "/etc/os-release";
  const std::string* text = ctx.read(from);
  if (text == nullptr) {
    from = "/usr/lib/os-release";
    text = ctx.read(from);
  }
  if (text == nullptr) {
    h.os_id = Fact<std::string>::unknown("no /etc/os-release or /usr/lib/os-release");
    h.os_version = h.os_id;
    h.os_pretty = h.os_id;
    return;
  }
  auto kv = parse_os_release(*text);
  auto fact = [&](const char* key) {
    auto it = kv.find(key);
    if (it == kv.end() || it->second.empty())
      return Fact<std::string>::unknown(std::string(from) + " has no " + key);
    return Fact<std::string>::of(it->second, from);
  };
  h.os_id = fact("ID");
  h.os_version = fact("VERSION_ID");
  h.os_pretty = fact("PRETTY_NAME");
}

// The kernel's name first: /etc/hostname may be stale, or absent where DHCP or cloud-init set it.
void probe_hostname(ProbeContext& ctx) {
  for (const char* from : {"/proc/sys/kernel/hostname", "/etc/hostname"}) {
    const std::string* text = ctx.read(from, 4096);
    std::string_view name = text != nullptr ? std::string_view(*text) : std::string_view();
    name = trim(name.substr(0, name.find('\n')));
    if (!name.empty()) {
      ctx.m.host.hostname = Fact<std::string>::of(std::string(name), from);
      return;
    }
  }
  ctx.m.host.hostname = Fact<std::string>::unknown("no /proc/sys/kernel/hostname or /etc/hostname");
}

void probe_arch(ProbeContext& ctx) {
  HostInfo& h = ctx.m.host;
  for (const auto& e : ctx.ld_cache()) {
    std::string arch = ld_cache_arch(e.flags);
    if (!arch.empty()) {
      h.cpu_arch = Fact<std::string>::of(arch, "/etc/ld.so.cache (entry flags)");
      return;
    }
  }
  // The dynamic loader's own name is fixed per architecture by its ABI.
  static constexpr std::pair<const char*, const char*> kLoaders[] = {
      {"/lib64/ld-linux-x86-64.so.2", "x86_64"}, {"/usr/lib64/ld-linux-x86-64.so.2", "x86_64"},
      {"/lib/ld-linux-aarch64.so.1", "aarch64"}, {"/usr/lib/ld-linux-aarch64.so.1", "aarch64"},
      {"/lib64/ld64.so.2", "ppc64le"},           {"/lib/ld-linux.so.2", "i686"}};
  for (const auto& [loader, arch] : kLoaders) {
    if (ctx.host.exists(loader)) {
      h.cpu_arch = Fact<std::string>::of(arch, loader);
      return;
    }
  }
  h.cpu_arch = Fact<std::string>::unknown("no ld.so.cache flags and no known dynamic loader");
}

void probe_kernel(ProbeContext& ctx) {
  HostInfo& h = ctx.m.host;
  if (const std::string* rel = ctx.read("/proc/sys/kernel/osrelease")) {
    std::string_view v = trim(*rel);
    if (!v.empty()) h.kernel = Fact<std::string>::of(std::string(v), "/proc/sys/kernel/osrelease");
  }
  const std::string* version = ctx.read("/proc/version");
  if (version != nullptr) {
    auto words = split_ws(*version);
    if (!h.kernel.known() && words.size() >= 3 && words[0] == "Linux" && words[1] == "version")
      h.kernel = Fact<std::string>::of(std::string(words[2]), "/proc/version");
    if (icontains(*version, "microsoft") || icontains(*version, "WSL")) {
      h.wsl = true;
      h.wsl_source = "/proc/version";
    }
  }
  if (!h.kernel.known())
    h.kernel = Fact<std::string>::unknown("no /proc/sys/kernel/osrelease or /proc/version");
  if (!h.wsl) {
    for (const char* marker : {"/usr/lib/wsl/lib", "/dev/dxg"}) {
      if (ctx.host.exists(marker)) {
        h.wsl = true;
        h.wsl_source = marker;
        break;
      }
    }
  }
}

// The banner ("GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36.") sits in
// .rodata, 1.6 MB into a 1.9 MB libc.so.6. Mapping the file and searching its data sections
// touches a few pages; reading it whole cost a page fault per 4 KiB, half of `detect`.
std::optional<std::string> glibc_banner_version(const Host& host, const std::string& path,
                                                std::string& problem) {
  auto file = MappedFile::open(host, path);
  if (!file) {
    problem = file.error();
    return std::nullopt;
  }
  std::string_view bytes = (*file)->bytes();
  std::vector<ByteRange> ranges;
  if (auto elf = read_elf(bytes); elf && !elf->is_cubin) ranges = elf->scan_ranges;
  static constexpr std::string_view kLibrary = "GNU C Library";
  for (const auto& r : ranges) {
    if (r.begin >= bytes.size() || r.end <= r.begin) continue;
    std::string_view part =
        bytes.substr(r.begin, std::min<std::uint64_t>(r.end, bytes.size()) - r.begin);
    const void* hit = memmem(part.data(), part.size(), kLibrary.data(), kLibrary.size());
    if (hit == nullptr) continue;
    auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - part.data());
    if (auto v = glibc_version_from_banner(part.substr(at, 256))) return v;
  }
  // Not an ELF file, or a banner worded otherwise: the whole file.
  return glibc_version_from_banner(bytes);
}

void probe_glibc(ProbeContext& ctx) {
  HostInfo& h = ctx.m.host;
  std::vector<std::string> candidates;
  for (const auto& e : ctx.ld_cache())
    if (e.soname == "libc.so.6") candidates.push_back(e.path);
  for (const char* d :
       {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"})
    candidates.push_back(std::string(d) + "/libc.so.6");
  for (const auto& path : candidates) {
    auto info = ctx.host.stat(path);
    if (!info || info->type != FileType::kFile) continue;
    // glibc before 2.34 names the file libc-2.31.so; libc.so.6 links to it.
    std::string real = path_basename(ctx.canonical(path));
    if (starts_with(real, "libc-") && ends_with(real, ".so")) {
      h.glibc = Fact<std::string>::of(real.substr(5, real.size() - 8), ctx.canonical(path));
      return;
    }
    if (info->size == 0) {
      h.glibc = Fact<std::string>::unknown(path + " is empty (a listing, not the library)");
      return;
    }
    std::string problem;
    if (auto v = glibc_banner_version(ctx.host, path, problem)) {
      h.glibc = Fact<std::string>::of(*v, path + " (version banner)");
      return;
    }
    if (!problem.empty()) {
      ctx.note("unreadable: " + problem);
      continue;
    }
    h.glibc = Fact<std::string>::unknown(path + " has no glibc version banner");
    return;
  }
  h.glibc = Fact<std::string>::unknown("no libc.so.6 found");
}

// Which forward-compatibility libcuda, if any, is the one the loader opens: the file itself
// (a compat/ folder on LD_LIBRARY_PATH or in ld.so.conf), or a copy of it in a system folder.
// Before its 2025 compat mode, the NVIDIA Container Toolkit bind-mounted the image's
// /usr/local/cuda/compat/lib*.so.* into the library folder unless their major equals the
// kernel module's, and ran ldconfig, which points libcuda.so.1 at the newest libcuda there
// (NVIDIA/libnvidia-container:src/nvc_mount.c@077f498c209832bc545e2ece46c3a2b7d1ed1e4c,
// nvc_driver_mount() and filter_libraries()).
// A bind mount is the same file: same name, same size.
void mark_forward_compat(ProbeContext& ctx) {
  ContainerInfo& c = ctx.m.container;
  DriverInfo& d = ctx.m.driver;
  std::optional<LoadedLibrary>& lib = d.libcuda;
  if (lib) {
    const std::string name = path_basename(lib->real);
    if (path_basename(path_dirname(lib->real)) == "compat") {
      lib->forward_compat = lib->real;
      // A compat folder elsewhere than under a toolkit (/opt/cuda-compat/compat): listed too.
      bool listed = std::any_of(c.compat_libs.begin(), c.compat_libs.end(),
                                [&](const auto& l) { return l.path == lib->real; });
      if (!listed && lib->version)
        c.compat_libs.push_back({lib->real, *lib->version, false, false, {}});
    }
    for (const auto& compat : c.compat_libs) {
      if (!lib->forward_compat.empty()) break;
      if (path_basename(compat.path) != name) continue;
      auto a = ctx.host.stat(lib->real);
      auto b = ctx.host.stat(compat.path);
      if (a && b && a->size == b->size) lib->forward_compat = compat.path;
    }
  }
  const bool compat_loaded = lib && !lib->forward_compat.empty();
  if (compat_loaded) {
    for (auto& l : d.libraries)
      if (l.kind == "libcuda" && ctx.canonical(l.path) == lib->real) l.forward_compat = true;
    // The user-space driver is then the host's own libcuda, not the compat build.
    if (d.userspace_version.known() && d.userspace_version.source == lib->real) {
      d.userspace_version = Fact<DriverVersion>::unknown(
          "libcuda.so.1 is a forward-compatibility build and no libnvidia-ml.so.1 was found");
      for (const auto& l : d.libraries)
        if (l.kind == "libcuda" && !l.stub && !l.forward_compat && l.version && d.version.known() &&
            *l.version == *d.version.value)
          d.userspace_version = Fact<DriverVersion>::of(*l.version, l.path);
      d.version_mismatch = d.version.known() && d.userspace_version.known() &&
                           !(*d.version.value == *d.userspace_version.value);
    }
  }
  const auto& driver = d.version;
  const std::string opened =
      lib ? lib->path + (lib->real != lib->path ? " -> " + lib->real : std::string()) + " (" +
                lib->how + ")"
          : std::string();
  for (auto& compat : c.compat_libs) {
    compat.loaded = compat_loaded && lib->forward_compat == compat.path;
    if (!compat.loaded) {
      compat.why = lib ? "not what the loader opens for libcuda.so.1: it opens " + opened
                       : "the loader finds no libcuda.so.1";
    } else if (!driver.known()) {
      compat.why = "the loader opens it (" + opened + "); the running driver is unknown";
    } else if (!(compat.version > *driver.value)) {
      compat.why = "the loader opens it (" + opened + "), but it is not newer than the driver " +
                   driver.value->str();
    } else {
      compat.usable = true;
      compat.why =
          "the loader opens it (" + opened + "); newer than the driver " + driver.value->str();
    }
  }
}

}  // namespace

void probe_host(ProbeContext& ctx) {
  probe_hostname(ctx);
  probe_os(ctx);
  probe_arch(ctx);
  probe_kernel(ctx);
  probe_glibc(ctx);

  ContainerInfo& c = ctx.m.container;
  if (ctx.host.exists("/.dockerenv")) {
    c.inside = true;
    c.runtime = "docker";
    c.source = "/.dockerenv";
  } else if (ctx.host.exists("/run/.containerenv")) {
    c.inside = true;
    c.runtime = "podman";
    c.source = "/run/.containerenv";
  } else if (const std::string* cg = ctx.read("/proc/1/cgroup")) {
    static constexpr std::pair<const char*, const char*> kMarks[] = {{"kubepods", "kubernetes"},
                                                                     {"docker", "docker"},
                                                                     {"containerd", "containerd"},
                                                                     {"libpod", "podman"},
                                                                     {"lxc", "lxc"}};
    for (const auto& [mark, runtime] : kMarks) {
      if (cg->find(mark) != std::string::npos) {
        c.inside = true;
        c.runtime = runtime;
        c.source = "/proc/1/cgroup";
        break;
      }
    }
  }
  ctx.inside_container = c.inside;
}

void probe_container(ProbeContext& ctx) {
  ContainerInfo& c = ctx.m.container;
  if (auto v = ctx.host.env("CUDA_VERSION")) {
    auto parsed = CudaVersion::parse(trim(*v));
    c.image_cuda = parsed
                       ? Fact<CudaVersion>::of(*parsed, "CUDA_VERSION")
                       : Fact<CudaVersion>::unknown("CUDA_VERSION='" + *v + "': " + parsed.error());
  } else {
    c.image_cuda = Fact<CudaVersion>::unknown("CUDA_VERSION is not set");
  }
  c.nvidia_require_cuda = ctx.host.env("NVIDIA_REQUIRE_CUDA").value_or("");

  // Forward-compatibility libraries under each toolkit's compat/ folder.
  std::vector<std::string> roots;
  for (const auto& tk : ctx.m.toolkits) roots.push_back(tk.path);
  if (const auto* local = ctx.list("/usr/local"))
    for (const auto& e : *local)
      if (starts_with(e.name, "cuda")) roots.push_back(ctx.canonical("/usr/local/" + e.name));
  std::sort(roots.begin(), roots.end());
  roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
  for (const auto& root : roots) {
    std::string dir = root + "/compat";
    const auto* entries = ctx.list(dir);
    if (entries == nullptr) continue;
    for (const auto& e : *entries) {
      auto suffix = so_version_suffix(e.name, "libcuda.so");
      if (!suffix) continue;
      auto v = DriverVersion::parse(*suffix);
      if (!v || v->parts().size() < 2) continue;
      c.compat_libs.push_back({dir + "/" + e.name, *v, false, false, {}});
    }
  }
  mark_forward_compat(ctx);
}

}  // namespace cudafit
