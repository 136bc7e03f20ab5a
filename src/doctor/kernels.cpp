#include "doctor/kernels.h"

#include <deque>
#include <set>
#include <unordered_set>

#include "binary/kernel_scan.h"
#include "doctor/checks.h"
#include "envs/metadata.h"
#include "util/strings.h"
#include "versions/requirement.h"

namespace cudafit {
namespace {

constexpr std::size_t kMaxRecord = 64u << 20;

bool nvidia_library(std::string_view name) {
  return starts_with(name, "nvidia-") || starts_with(name, "cuda-");
}

bool shared_library(std::string_view rel) {
  std::string_view base =
      rel.substr(rel.rfind('/') == std::string_view::npos ? 0 : rel.rfind('/') + 1);
  return ends_with(base, ".so") || base.find(".so.") != std::string_view::npos;
}

// RECORD lines are CSV "path,hash,size"; a path with a comma is quoted ("" for a quote).
std::string record_path(std::string_view line) {
  if (line.empty() || line[0] != '"') return std::string(line.substr(0, line.find(',')));
  std::string out;
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '"') {
      if (i + 1 < line.size() && line[i + 1] == '"') {
        out += '"';
        ++i;
        continue;
      }
      break;
    }
    out += line[i];
  }
  return out;
}

// The shared libraries a RECORD lists, as machine paths inside site-packages `sp`.
std::vector<std::string> record_libraries(std::string_view text, const std::string& sp) {
  std::vector<std::string> out;
  for (std::string_view line : split_lines(text)) {
    std::string rel = record_path(line);
    if (rel.empty() || rel[0] == '/' || starts_with(rel, "../") || !shared_library(rel)) continue;
    out.push_back(path_normalize(path_join(sp, rel)));
  }
  return out;
}

KernelCache::Containers runnable_containers(const BinaryCode& code) {
  KernelCache::Containers out;
  for (const FatbinContainer& c : code.containers) {
    if (!runnable(c.role)) continue;
    std::vector<CodeEntry> entries;
    for (const FatbinEntry& e : c.entries) {
      if (e.kind != CodeKind::kLtoIr)
        entries.push_back(CodeEntry{e.cc, e.kind == CodeKind::kPtx, e.ptx_isa});
    }
    if (!entries.empty()) out.push_back(std::move(entries));
  }
  return out;
}

// One library's runnable containers: from the cache when its size and mtime are unchanged.
KernelCache::Containers read_library(const Host& host, std::string_view path, KernelCache* cache,
                                     ScanScope scope) {
  std::optional<FileStamp> stamp = cache ? cache->stamp(host, path) : std::nullopt;
  if (stamp) {
    if (const auto* hit = cache->find_file(path, *stamp)) return *hit;
  }
  KernelCache::Containers out;
  for (const BinaryCode& code : scan_file(host, path, scope)) {
    if (!code.error.empty()) continue;
    for (auto& c : runnable_containers(code)) out.push_back(std::move(c));
  }
  if (stamp) cache->put_file(path, *stamp, out);
  return out;
}

// The RECORD's libraries, as views: of the cache's list when the RECORD is unchanged, else of
// paths read into `kept` (which never moves its elements).
std::vector<std::string_view> libraries_of(const Host& host, const std::string& record,
                                           const std::string& sp, KernelCache* cache,
                                           std::deque<std::string>& kept) {
  std::optional<FileStamp> stamp = cache ? cache->stamp(host, record, true) : std::nullopt;
  if (stamp) {
    if (const auto* hit = cache->find_record(record, *stamp)) return *hit;
  }
  std::vector<std::string> libs;
  if (auto text = host.read_file(record, kMaxRecord)) libs = record_libraries(*text, sp);
  if (stamp) cache->put_record(record, *stamp, libs);
  std::vector<std::string_view> out;
  out.reserve(libs.size());
  for (std::string& lib : libs) out.emplace_back(kept.emplace_back(std::move(lib)));
  return out;
}

// Whether the knowledge base carries the arch list of this environment's torch build.
bool torch_in_data(const KnowledgeBase& kb, const Machine& m, const Environment& env) {
  const InstalledPackage* torch = doctor::effective_torch(env);
  if (!torch || !torch->parsed) return false;
  return kb.arch_list(torch->parsed->without_local(), doctor::build_variant(*torch),
                      doctor::platform_of(m)) != nullptr;
}

void add(std::vector<PackageKernels>& out, const Environment& env, const std::string& name,
         const std::string& version, std::string_view lib, KernelCache::Containers containers) {
  if (containers.empty()) return;
  out.push_back(PackageKernels{env.path, name, version, std::string(lib), std::move(containers)});
}

}  // namespace

std::vector<PackageKernels> scan_package_kernels(const Host& host, const Machine& machine,
                                                 const KnowledgeBase& kb,
                                                 const KernelScanOptions& options) {
  std::vector<PackageKernels> out;
  if (doctor::visible_gpus(machine).empty()) return out;  // no GPU to judge the code against
  // Libraries already judged, per environment (views of paths in the cache or in `kept`).
  std::unordered_set<std::string_view> read;
  std::deque<std::string> kept;
  for (const Environment& env : machine.environments) {
    read.clear();
    const bool skip_torch = !options.everything && torch_in_data(kb, machine, env);
    std::set<std::string> with_record;
    for (const std::string& sp : env.site_packages) {
      auto entries = host.listing(sp);
      if (!entries) continue;
      for (const DirEntry& e : **entries) {
        if (!ends_with(e.name, ".dist-info")) continue;
        auto dist = parse_dist_dir_name(e.name);
        if (!dist) continue;
        const std::string name = normalize_package_name(dist->name);
        with_record.insert(name);
        if (nvidia_library(name) || (skip_torch && name == "torch")) continue;
        const std::string record = path_join(path_join(sp, e.name), "RECORD");
        for (std::string_view lib : libraries_of(host, record, sp, options.cache, kept)) {
          if (!read.insert(lib).second) continue;
          add(out, env, name, dist->version, lib,
              read_library(host, lib, options.cache, ScanScope::kNvccSections));
        }
      }
    }
    if (!options.everything) continue;
    // GPU packages without a RECORD (conda): their import folder, walked.
    for (const InstalledPackage& p : env.packages) {
      if (nvidia_library(p.name) || p.location.empty() || with_record.count(p.name)) continue;
      std::string import_name = p.name;
      for (char& ch : import_name)
        if (ch == '-') ch = '_';
      const std::string dir = path_join(p.location, import_name);
      if (!host.is_dir(dir)) continue;
      for (const BinaryCode& code : scan_paths(host, {dir}, /*recursive=*/true)) {
        if (!code.error.empty() || read.count(code.file) != 0) continue;
        add(out, env, p.name, p.version, code.file, runnable_containers(code));
      }
    }
  }
  return out;
}

}  // namespace cudafit
