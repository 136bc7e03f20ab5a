// CachedHost: a Host that remembers what it was told for the length of one command.
//
// Detection and environment discovery ask the same questions many times: the same
// site-packages listed for sys.path and for packages, the same folders stat'ed, every
// environment's path made canonical through the same parent folders. cudafit changes nothing
// while it runs, so within one command the answers cannot go stale. File contents are not
// kept (each is read once, and some are large); listings, stat results, link targets and
// canonical paths are.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "util/host.h"

namespace cudafit {

class CachedHost final : public Host {
 public:
  explicit CachedHost(const Host& inner) : inner_(inner) {}

  // The same default as Host's, so that calls on the concrete type compile too.
  Result<std::string> read_file(std::string_view path,
                                std::size_t limit = 64u << 20) const override {
    return inner_.read_file(path, limit);
  }
  Result<std::string> read_head(std::string_view path, std::size_t bytes) const override {
    return inner_.read_head(path, bytes);
  }
  Result<std::vector<DirEntry>> list_dir(std::string_view path) const override;
  Result<SharedListing> listing(std::string_view path) const override;
  std::optional<FileInfo> stat(std::string_view path) const override;
  std::optional<FileInfo> stat_once(std::string_view path) const override {
    return inner_.stat_once(path);
  }
  void stat_below(std::string_view dir, std::span<const std::string_view> rels,
                  std::span<BelowStat> out) const override {
    inner_.stat_below(dir, rels, out);
  }
  Result<std::string> read_link(std::string_view path) const override;
  // Resolved one component at a time through read_link, so that a thousand environments
  // under one folder cost one link lookup each rather than one per component.
  Result<std::string> canonical(std::string_view path) const override;
  std::string disk_path(std::string_view path) const override { return inner_.disk_path(path); }
  std::optional<std::string> env(std::string_view name) const override { return inner_.env(name); }
  std::map<std::string, std::string> env_all() const override { return inner_.env_all(); }
  RunResult run(const std::vector<std::string>& argv, int timeout_ms) const override {
    return inner_.run(argv, timeout_ms);
  }
  RunResult run_streaming(const std::vector<std::string>& argv, int timeout_ms,
                          const OutputSink& sink) const override {
    return inner_.run_streaming(argv, timeout_ms, sink);
  }
  std::uint64_t reads() const override { return inner_.reads(); }

 private:
  const Host& inner_;
  mutable std::mutex mu_;
  mutable PathMap<Result<SharedListing>> dirs_;
  mutable PathMap<std::optional<FileInfo>> stats_;
  mutable PathMap<Result<std::string>> links_;
  CanonicalPaths canonical_;
};

}  // namespace cudafit
