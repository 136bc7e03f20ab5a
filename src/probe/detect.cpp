// detect_machine and the shared ProbeContext (file cache, loader search path).
#include "probe/detect.h"

#include <algorithm>

#include "probe/probe_context.h"
#include "util/strings.h"

namespace cudafit {

std::string Gpu::pci_id() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned v : {vendor_id, device_id}) {
    if (!out.empty()) out += ':';
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(v >> shift) & 0xfu];
  }
  return out;
}

namespace {

template <typename ReadFn>
const std::string* cached_read(
    std::map<std::string, std::optional<std::string>, std::less<>>& cache, ProbeContext& ctx,
    std::string_view key, std::string_view path, ReadFn read) {
  auto it = cache.find(key);
  if (it != cache.end()) return it->second ? &*it->second : nullptr;
  std::optional<std::string> value;
  auto info = ctx.host.stat(path);
  if (info && info->type != FileType::kDirectory) {
    auto text = read();
    if (text) {
      value = std::move(*text);
    } else {
      ctx.note("unreadable: " + text.error());
    }
  }
  auto pos = cache.emplace(std::string(key), std::move(value)).first;
  return pos->second ? &*pos->second : nullptr;
}

}  // namespace

const std::string* ProbeContext::read(std::string_view path, std::size_t limit) {
  return cached_read(files_, *this, path, path, [&] { return host.read_file(path, limit); });
}

const std::string* ProbeContext::read_head(std::string_view path, std::size_t bytes) {
  // Keyed by size too: a longer head may be asked for when a shorter one fell short.
  std::string key = std::string(path) + '\0' + std::to_string(bytes);
  return cached_read(heads_, *this, key, path, [&] { return host.read_head(path, bytes); });
}

const std::vector<DirEntry>* ProbeContext::list(std::string_view path) {
  auto it = dirs_.find(path);
  if (it != dirs_.end()) return it->second.get();
  SharedListing value;
  if (host.is_dir(path)) {
    auto entries = host.listing(path);
    if (entries) {
      value = std::move(*entries);
    } else {
      note("unreadable: " + entries.error());
    }
  }
  auto [pos, inserted] = dirs_.emplace(std::string(path), std::move(value));
  (void)inserted;
  return pos->second.get();
}

std::string ProbeContext::canonical(std::string_view path) const {
  if (auto hit = canonical_.find(path); hit != canonical_.end()) return hit->second;
  auto c = host.canonical(path);
  std::string result = c ? *c : path_normalize(path);
  canonical_.emplace(std::string(path), result);
  return result;
}

const std::vector<LdCacheEntry>& ProbeContext::ld_cache() {
  if (ld_cache_) return *ld_cache_;
  ld_cache_.emplace();
  if (const std::string* data = read("/etc/ld.so.cache", 16u << 20)) {
    auto parsed = parse_ld_so_cache(*data);
    if (parsed) {
      *ld_cache_ = std::move(*parsed);
    } else {
      note("/etc/ld.so.cache: " + parsed.error());
    }
  }
  return *ld_cache_;
}

namespace {
std::vector<std::string> split_path_list(std::optional<std::string> value) {
  std::vector<std::string> out;
  if (!value) return out;
  for (std::string_view dir : split(*value, ':')) {
    dir = trim(dir);
    if (!dir.empty() && dir.front() == '/') out.push_back(path_normalize(dir));
  }
  return out;
}
}  // namespace

std::vector<std::string> ProbeContext::ld_library_path() const {
  return split_path_list(host.env("LD_LIBRARY_PATH"));
}

std::vector<std::string> ProbeContext::path_dirs() const {
  return split_path_list(host.env("PATH"));
}

const std::vector<std::string>& ProbeContext::loader_dirs() {
  if (loader_dirs_) return *loader_dirs_;
  std::vector<std::string> dirs = ld_library_path();
  // ld.so.cache names about a thousand libraries in a dozen folders: each folder once.
  std::string_view last;
  for (const auto& e : ld_cache()) {
    std::string_view folder(e.path);
    folder = folder.substr(0, folder.rfind('/'));
    if (folder == last) continue;
    last = folder;
    dirs.push_back(folder.empty() ? std::string("/") : std::string(folder));
  }
  // The loader's built-in folders (glibc's system search path) and the WSL driver folder.
  for (const char* d : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                        "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64",
                        "/usr/lib64", "/lib", "/usr/lib", "/usr/lib/wsl/lib"})
    dirs.emplace_back(d);
  std::vector<std::string> unique;
  for (auto& d : dirs)
    if (std::find(unique.begin(), unique.end(), d) == unique.end()) unique.push_back(std::move(d));
  loader_dirs_ = std::move(unique);
  return *loader_dirs_;
}

// glibc's _dl_map_object() (bminor/glibc:elf/dl-load.c@630da022cb07d67ab53b4e9335352e44e9b7c5e2)
// for a name without '/': the caller's RPATH, then
// LD_LIBRARY_PATH, then the caller's RUNPATH, then the ld.so.cache entry for the name (when
// its file opens), then the built-in system folders. CUDA programs dlopen libcuda.so.1 from
// libcudart, whose RUNPATH holds no driver: that step is left out.
std::optional<LoadedLibrary> ProbeContext::resolve_library(const std::string& soname) {
  auto chosen = [&](std::string path, std::string how) {
    LoadedLibrary lib;
    lib.real = canonical(path);
    lib.path = std::move(path);
    lib.how = std::move(how);
    std::string name = path_basename(lib.real);
    std::string stem = soname.substr(0, soname.rfind(".so") + 3);
    if (auto suffix = so_version_suffix(name, stem)) {
      auto v = DriverVersion::parse(*suffix);
      if (v && v->parts().size() >= 2 && suffix->find('.') >= 3) lib.version = *v;
    }
    return lib;
  };
  for (const auto& dir : ld_library_path())
    if (host.is_file(dir + "/" + soname)) return chosen(dir + "/" + soname, "LD_LIBRARY_PATH");
  const auto& cache = ld_cache();
  if (cache.empty()) {
    // No cache to read (a tree captured without it): the folders it would name, in order.
    for (const auto& dir : loader_dirs())
      if (host.is_file(dir + "/" + soname))
        return chosen(dir + "/" + soname, "folder order (no /etc/ld.so.cache)");
    return std::nullopt;
  }
  const std::string arch = m.host.cpu_arch.value.value_or("");
  for (const auto& e : cache) {
    if (e.soname != soname) continue;
    std::string entry_arch = ld_cache_arch(e.flags);
    if (!arch.empty() && !entry_arch.empty() && entry_arch != arch) continue;
    if (host.is_file(e.path)) return chosen(e.path, "/etc/ld.so.cache");
    break;  // the cached file is gone: the loader goes on to its default folders
  }
  for (const char* d :
       {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"}) {
    std::string path = std::string(d) + "/" + soname;
    if (host.is_file(path)) return chosen(path, "default folder");
  }
  return std::nullopt;
}

Machine detect_machine(const Host& host, const KnowledgeBase& kb, const DetectOptions& options) {
  Machine m;
  ProbeContext ctx(host, kb, options, m);
  probe_host(ctx);
  probe_driver(ctx);
  probe_gpus(ctx);
  probe_driver_libraries(ctx);
  probe_toolkits(ctx);
  probe_cudnn(ctx);
  probe_container(ctx);
  return m;
}

}  // namespace cudafit
