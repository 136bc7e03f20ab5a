// Path helpers and the in-memory Host used by unit tests.
#include "util/host.h"

#include <algorithm>

#include "util/strings.h"

namespace cudafit {

Result<std::string> Host::read_head(std::string_view path, std::size_t bytes) const {
  auto text = read_file(path);
  if (text && text->size() > bytes) text->resize(bytes);
  return text;
}

RunResult Host::run_streaming(const std::vector<std::string>& argv, int timeout_ms,
                              const OutputSink& sink) const {
  RunResult r = run(argv, timeout_ms);
  if (sink && !r.out.empty()) sink(1, r.out);
  if (sink && !r.err.empty()) sink(2, r.err);
  return r;
}

Result<SharedListing> Host::listing(std::string_view path) const {
  auto entries = list_dir(path);
  if (!entries) return make_error(entries.error());
  return SharedListing(std::make_shared<const std::vector<DirEntry>>(std::move(*entries)));
}

void Host::stat_below(std::string_view, std::span<const std::string_view>,
                      std::span<BelowStat>) const {}

bool Host::is_dir(std::string_view path) const {
  auto info = stat(path);
  return info && info->type == FileType::kDirectory;
}

bool Host::is_file(std::string_view path) const {
  auto info = stat(path);
  return info && info->type == FileType::kFile;
}

std::string path_join(std::string_view base, std::string_view rel) {
  if (!rel.empty() && rel.front() == '/') return std::string(rel);
  if (base.empty()) return std::string(rel);
  std::string out(base);
  if (out.back() != '/') out += '/';
  out += rel;
  return out;
}

// "/a/b": absolute, no empty, "." or ".." component, no trailing slash. Most paths the
// probes build already are, and every file read normalizes its path.
bool path_is_normal(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path.size() == 1) return true;
  if (path.back() == '/') return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

std::string path_normalize(std::string_view path) {
  if (path_is_normal(path)) return std::string(path);
  std::vector<std::string_view> parts;
  for (std::string_view part : split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (std::string_view part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

namespace {
constexpr std::size_t kMaxPathBytes = 4096;  // Linux's PATH_MAX
}  // namespace

Result<std::string> CanonicalPaths::resolve(std::string_view path, const LinkOf& link_of) const {
  int links = 0;
  return resolve_normal(path_normalize(path), link_of, links);
}

bool CanonicalPaths::known_link_free(std::string_view normal_path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = done_.find(normal_path);
  return it != done_.end() && it->second.empty();
}

void CanonicalPaths::remember_link_free(std::string_view normal_path) const {
  if (normal_path.size() > kMaxPathBytes) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (done_.find(normal_path) == done_.end())
    done_.emplace(std::string(normal_path), std::string());
}

Result<std::string> CanonicalPaths::resolve_normal(const std::string& path, const LinkOf& link_of,
                                                   int& links) const {
  if (path == "/") return path;
  // The kernel opens nothing longer, and every prefix of a path is remembered: a longer one
  // (a garbage line from a .pth file) would cost memory by the square of its length.
  if (path.size() > kMaxPathBytes)
    return make_error(path.substr(0, 64) + "...: longer than " + std::to_string(kMaxPathBytes) +
                      " bytes");
  // The longest prefix already resolved (the root always is), found by walking up.
  std::size_t end = path.size();
  std::string cur;  // the canonical path of path[0, end); "" is the root
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (end > 1) {
      if (auto it = done_.find(std::string_view(path).substr(0, end)); it != done_.end()) {
        if (it->second.empty()) {
          cur.assign(path, 0, end);  // itself
        } else if (it->second != "/") {
          cur = it->second;
        }
        break;
      }
      end = path.rfind('/', end - 1);
    }
    if (end <= 1) end = 0;
  }
  // Then down, one component at a time, each prefix remembered: a thousand paths under one
  // folder look at that folder's components once. Only link targets recurse (at most 40
  // deep), never the components, so a path of thousands of components cannot exhaust the
  // stack.
  while (end < path.size()) {
    std::size_t stop = path.find('/', end + 1);
    if (stop == std::string::npos) stop = path.size();
    std::string next = cur;
    next += '/';
    next.append(path, end + 1, stop - end - 1);
    auto link = link_of(next);
    if (!link) return make_error(link.error());
    if (!link->has_value()) {
      cur = std::move(next);
    } else {
      if (++links > 40) return make_error(path + ": too many levels of symbolic links");
      // `cur` has no links left in it, so ".." in a relative target may be taken lexically;
      // an absolute target starts again at the root.
      const std::string& target = **link;
      auto resolved =
          resolve_normal(path_normalize(!target.empty() && target.front() == '/'
                                            ? target
                                            : path_join(cur.empty() ? "/" : cur, target)),
                         link_of, links);
      if (!resolved) return resolved;
      cur = *resolved == "/" ? std::string() : std::move(*resolved);
    }
    end = stop;
    // Only answers are kept: a link loop is rare, and its error depends on the walk so far.
    // A prefix that is its own canonical path (most are) keeps an empty answer: no copy.
    std::lock_guard<std::mutex> lock(mu_);
    const std::string_view prefix = std::string_view(path).substr(0, end);
    done_.emplace(std::string(prefix), cur == prefix ? std::string()
                                       : cur.empty() ? std::string("/")
                                                     : cur);
  }
  return cur.empty() ? std::string("/") : cur;
}

std::string path_dirname(std::string_view path) {
  // "/a/b/" names /a/b, whose parent is /a (as POSIX dirname says).
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t pos = path.rfind('/');
  if (pos == std::string_view::npos) return ".";
  if (pos == 0) return "/";
  return std::string(path.substr(0, pos));
}

std::string path_basename(std::string_view path) {
  if (!path.empty() && path.find_first_not_of('/') == std::string_view::npos) return "/";
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t pos = path.rfind('/');
  return std::string(pos == std::string_view::npos ? path : path.substr(pos + 1));
}

std::map<std::string, std::string> parse_env_dump(std::string_view text) {
  std::map<std::string, std::string> env;
  for (std::string_view line : split_lines(text)) {
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    std::string_view name = line.substr(0, eq);
    bool valid = std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!valid) continue;
    env[std::string(name)] = std::string(line.substr(eq + 1));
  }
  return env;
}

// ---- MemoryHost ----

void MemoryHost::add_file(std::string_view path, std::string content) {
  std::string p = path_normalize(path);
  add_dir(path_dirname(p));
  nodes_[p] = Node{FileType::kFile, std::move(content)};
}

void MemoryHost::add_dir(std::string_view path) {
  std::string p = path_normalize(path);
  while (true) {
    auto it = nodes_.find(p);
    if (it == nodes_.end()) nodes_[p] = Node{FileType::kDirectory, {}};
    if (p == "/") break;
    p = path_dirname(p);
  }
}

void MemoryHost::add_symlink(std::string_view path, std::string target) {
  std::string p = path_normalize(path);
  add_dir(path_dirname(p));
  nodes_[p] = Node{FileType::kSymlink, std::move(target)};
}

void MemoryHost::set_env(std::string name, std::string value) {
  env_[std::move(name)] = std::move(value);
}

void MemoryHost::set_run_result(std::string command_line, RunResult result) {
  runs_[std::move(command_line)] = std::move(result);
}

Result<std::string> MemoryHost::resolve(std::string_view path, bool follow_last) const {
  // Named: split() returns views into it, and a temporary in a range-for's initializer
  // would be gone before the loop body runs (C++20).
  const std::string normalized = path_normalize(path);
  std::vector<std::string> todo;
  for (std::string_view part : split(normalized, '/'))
    if (!part.empty()) todo.emplace(todo.begin(), part);
  std::string cur;
  int links = 0;
  while (!todo.empty()) {
    std::string comp = todo.back();
    todo.pop_back();
    if (comp == "." || comp.empty()) continue;
    if (comp == "..") {
      cur = cur.empty() ? "" : path_dirname(cur);
      if (cur == "/") cur.clear();
      continue;
    }
    std::string next = cur;
    next.append("/").append(comp);
    auto it = nodes_.find(next);
    if (it == nodes_.end() || (todo.empty() && !follow_last) ||
        it->second.type != FileType::kSymlink) {
      cur = next;
      continue;
    }
    if (++links > 40) return make_error(std::string(path) + ": too many levels of symbolic links");
    const std::string& target = it->second.data;
    if (!target.empty() && target.front() == '/') cur.clear();
    std::vector<std::string_view> parts = split(target, '/');
    for (auto p = parts.rbegin(); p != parts.rend(); ++p)
      if (!p->empty()) todo.emplace_back(*p);
  }
  return cur.empty() ? std::string("/") : cur;
}

Result<std::string> MemoryHost::read_file(std::string_view path, std::size_t limit) const {
  ++reads_;
  auto r = resolve(path, true);
  if (!r) return make_error(r.error());
  auto it = nodes_.find(*r);
  if (it == nodes_.end()) return make_error(std::string(path) + ": No such file or directory");
  if (it->second.type != FileType::kFile)
    return make_error(std::string(path) + ": not a regular file");
  if (it->second.data.size() > limit) return make_error(std::string(path) + ": file too large");
  return it->second.data;
}

Result<std::vector<DirEntry>> MemoryHost::list_dir(std::string_view path) const {
  ++reads_;
  auto r = resolve(path, true);
  if (!r) return make_error(r.error());
  auto it = nodes_.find(*r);
  if (it == nodes_.end()) return make_error(std::string(path) + ": No such file or directory");
  if (it->second.type != FileType::kDirectory)
    return make_error(std::string(path) + ": Not a directory");
  std::string prefix = *r == "/" ? "/" : *r + "/";
  std::vector<DirEntry> out;
  for (auto n = nodes_.upper_bound(prefix); n != nodes_.end() && starts_with(n->first, prefix);
       ++n) {
    std::string_view rest = std::string_view(n->first).substr(prefix.size());
    if (rest.empty() || rest.find('/') != std::string_view::npos) continue;
    out.push_back({std::string(rest), n->second.type});
  }
  return out;
}

std::optional<FileInfo> MemoryHost::stat(std::string_view path) const {
  auto r = resolve(path, true);
  if (!r) return std::nullopt;
  auto it = nodes_.find(*r);
  if (it == nodes_.end() || it->second.type == FileType::kSymlink) return std::nullopt;
  return FileInfo{it->second.type, it->second.data.size(), 0};
}

Result<std::string> MemoryHost::read_link(std::string_view path) const {
  auto r = resolve(path, false);
  if (!r) return make_error(r.error());
  auto it = nodes_.find(*r);
  if (it == nodes_.end() || it->second.type != FileType::kSymlink)
    return make_error(std::string(path) + ": not a symbolic link");
  return it->second.data;
}

Result<std::string> MemoryHost::canonical(std::string_view path) const {
  return resolve(path, true);
}

std::optional<std::string> MemoryHost::env(std::string_view name) const {
  auto it = env_.find(std::string(name));
  if (it == env_.end()) return std::nullopt;
  return it->second;
}

RunResult MemoryHost::run(const std::vector<std::string>& argv, int /*timeout_ms*/) const {
  std::vector<std::string> parts(argv.begin(), argv.end());
  auto it = runs_.find(join(parts, " "));
  if (it == runs_.end())
    return RunResult{127, false, "", argv.empty() ? "" : argv[0] + ": not found"};
  return it->second;
}

}  // namespace cudafit
