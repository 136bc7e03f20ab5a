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
  return remember(mu_, dirs_, path, [&] { return inner_.list_dir(path); });
}

std::optional<FileInfo> CachedHost::stat(std::string_view path) const {
  return remember(mu_, stats_, path, [&] { return inner_.stat(path); });
}

Result<std::string> CachedHost::read_link(std::string_view path) const {
  return remember(mu_, links_, path, [&] { return inner_.read_link(path); });
}

Result<std::string> CachedHost::canonical(std::string_view path) const {
  return remember(mu_, canonical_, path, [&]() -> Result<std::string> {
    // Components still to walk, last first; `cur` is resolved so far ("" is the root).
    const std::string normalized = path_normalize(path);
    std::vector<std::string> todo;
    for (std::string_view part : split(normalized, '/'))
      if (!part.empty()) todo.emplace(todo.begin(), part);
    std::string cur;
    int links = 0;
    while (!todo.empty()) {
      std::string comp = std::move(todo.back());
      todo.pop_back();
      if (comp == "." || comp.empty()) continue;
      if (comp == "..") {
        cur = cur.empty() ? "" : path_dirname(cur);
        if (cur == "/") cur.clear();
        continue;
      }
      std::string next = cur + "/" + comp;
      auto target = read_link(next);
      if (!target) {  // not a link (or not there): the component stays
        cur = std::move(next);
        continue;
      }
      if (++links > 40)
        return make_error(std::string(path) + ": too many levels of symbolic links");
      // An absolute target starts again at the root (the described machine's root).
      if (!target->empty() && target->front() == '/') cur.clear();
      std::vector<std::string_view> parts = split(*target, '/');
      for (auto p = parts.rbegin(); p != parts.rend(); ++p)
        if (!p->empty()) todo.emplace_back(*p);
    }
    return cur.empty() ? std::string("/") : cur;
  });
}

}  // namespace cudafit
