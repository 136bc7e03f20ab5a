// The host: OS, CPU architecture, kernel, glibc, WSL2; and the container around it.
#include <string.h>  // memmem

#include <algorithm>
#include <optional>
#include <set>

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
  const auto& driver = ctx.m.driver.version;
  // The folders the loader searches, made canonical: asked only when a compat/ folder exists.
  std::optional<std::set<std::string>> loader_folders;
  auto on_loader_path = [&](const std::string& dir) {
    if (!loader_folders) {
      loader_folders.emplace();
      for (const auto& d : ctx.loader_dirs()) loader_folders->insert(ctx.canonical(d));
    }
    return loader_folders->count(dir) > 0;
  };
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
    const bool loaded = on_loader_path(dir);
    for (const auto& e : *entries) {
      auto suffix = so_version_suffix(e.name, "libcuda.so");
      if (!suffix) continue;
      auto v = DriverVersion::parse(*suffix);
      if (!v || v->parts().size() < 2) continue;
      ContainerInfo::CompatLib lib{dir + "/" + e.name, *v, false, {}};
      if (!driver.known()) {
        lib.why = "the running driver is unknown";
      } else if (!(*v > *driver.value)) {
        lib.why = "not newer than the running driver " + driver.value->str() + ": not used";
      } else if (!loaded) {
        lib.why = "newer than the driver " + driver.value->str() +
                  ", but its folder is not on LD_LIBRARY_PATH or in ld.so.cache: not used";
      } else {
        lib.usable = true;
        lib.why = "newer than the driver " + driver.value->str() + " and on the loader's path";
      }
      c.compat_libs.push_back(std::move(lib));
    }
  }
}

}  // namespace cudafit
