#include "util/cached_host.h"

#include <vector>

#include "util/strings.h"

namespace cudafit {

namespace {

// The cached answer for `key`, computing it with `compute` the first time. The lock is not
// held while the inner Host works (canonical() calls read_link() on this same object).
template <typename Map, typename Compute>
typename Map::mapped_type remember(std::mutex& mu, Map& cache, std::string_view key,
                                   Compute compute) {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto value = compute();
  std::lock_guard<std::mutex> lock(mu);
  return cache.emplace(std::string(key), std::move(value)).first->second;
}

}  // namespace

Result<std::vector<DirEntry>> CachedHost::list_dir(std::string_view path) const {
  auto entries = listing(path);
  if (!entries) return make_error(entries.error());
  return std::vector<DirEntry>(**entries);
}

Result<SharedListing> CachedHost::listing(std::string_view path) const {
  return remember(mu_, dirs_, path, [&] { return inner_.listing(path); });
}

std::optional<FileInfo> CachedHost::stat(std::string_view path) const {
  return remember(mu_, stats_, path, [&] { return inner_.stat(path); });
}

Result<std::string> CachedHost::read_link(std::string_view path) const {
  return remember(mu_, links_, path, [&] { return inner_.read_link(path); });
}

Result<std::string> CachedHost::canonical(std::string_view path) const {
  // Through the remembered read_link: a thousand environments under one folder cost one
  // link lookup each rather than one per component.
  return canonical_.resolve(path, [this](const std::string& part) {
    auto target = read_link(part);  // an error: no link (or nothing) there
    return Result<std::optional<std::string>>(
        target ? std::optional<std::string>(std::move(*target)) : std::nullopt);
  });
}

}  // namespace cudafit
