// ProbeContext: what the probe files share while detect_machine runs: the Host, the KB,
// the options, the report being filled, and a cache so that each file is read once.
// Internal to probe/.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kb/kb.h"
#include "probe/detect.h"
#include "probe/parsers.h"

namespace cudafit {

class ProbeContext {
 public:
  ProbeContext(const Host& h, const KnowledgeBase& k, const DetectOptions& o, Machine& machine)
      : host(h), kb(k), options(o), m(machine) {}

  const Host& host;
  const KnowledgeBase& kb;
  const DetectOptions& options;
  Machine& m;

  // The file's text, or nullptr when it does not exist. A file that exists but cannot be
  // read adds a note and also gives nullptr. Cached: each path is read once.
  const std::string* read(std::string_view path, std::size_t limit = 4u << 20);
  // The file's first `bytes` bytes, like read() otherwise (cached apart from whole reads).
  const std::string* read_head(std::string_view path, std::size_t bytes);
  // The directory's entries, or nullptr (missing or unreadable). Cached.
  const std::vector<DirEntry>* list(std::string_view path);
  // The path with links resolved (inside the root), or the path itself.
  std::string canonical(std::string_view path) const;
  void note(std::string text) { m.notes.push_back(std::move(text)); }

  // /etc/ld.so.cache, parsed once (empty when absent or unreadable).
  const std::vector<LdCacheEntry>& ld_cache();
  // LD_LIBRARY_PATH's directories, in order, non-empty.
  std::vector<std::string> ld_library_path() const;
  // The PATH's directories, in order.
  std::vector<std::string> path_dirs() const;
  // Directories the dynamic loader searches, in its order: LD_LIBRARY_PATH, the folders
  // of ld.so.cache entries, the default folders, /usr/lib/wsl/lib. No duplicates.
  const std::vector<std::string>& loader_dirs();
  // What the dynamic loader opens for `soname` (glibc's order; machine.h LoadedLibrary),
  // or nullopt when it finds nothing.
  std::optional<LoadedLibrary> resolve_library(const std::string& soname);

  // Machine facts other probes need (filled as detection proceeds).
  bool inside_container = false;

 private:
  std::map<std::string, std::optional<std::string>, std::less<>> files_;
  std::map<std::string, std::optional<std::string>, std::less<>> heads_;
  std::map<std::string, SharedListing, std::less<>> dirs_;  // null: not a readable folder
  // canonical() is asked for the same few folders hundreds of times (every ld.so.cache entry).
  mutable std::map<std::string, std::string, std::less<>> canonical_;
  std::optional<std::vector<LdCacheEntry>> ld_cache_;
  std::optional<std::vector<std::string>> loader_dirs_;
};

// Each fills its part of ctx.m. Order matters: host, driver, gpus, toolkits, cudnn, container.
void probe_host(ProbeContext& ctx);
void probe_driver(ProbeContext& ctx);
void probe_gpus(ProbeContext& ctx);
void probe_toolkits(ProbeContext& ctx);
void probe_cudnn(ProbeContext& ctx);
void probe_container(ProbeContext& ctx);
// Loads the driver libraries when the options and the facts call for it.
void probe_driver_libraries(ProbeContext& ctx);

}  // namespace cudafit
