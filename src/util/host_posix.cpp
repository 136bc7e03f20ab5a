// RootedHost: the real filesystem under a root prefix, and subprocesses with a time limit.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/host.h"
#include "util/strings.h"

extern char** environ;

namespace cudafit {

namespace {

std::string errno_message(std::string_view path) {
  return std::string(path) + ": " + std::strerror(errno);
}

FileType type_of(mode_t mode) {
  if (S_ISREG(mode)) return FileType::kFile;
  if (S_ISDIR(mode)) return FileType::kDirectory;
  if (S_ISLNK(mode)) return FileType::kSymlink;
  return FileType::kOther;
}

std::int64_t mtime_ns_of(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

FileInfo info_of(const struct stat& st) {
  return FileInfo{type_of(st.st_mode), static_cast<std::uint64_t>(st.st_size), mtime_ns_of(st)};
}

// An errno of a path that is not there (a missing component, or a file where a folder is).
bool absent(int err) { return err == ENOENT || err == ENOTDIR; }

// root + path, NUL-ended, in `buf` (on the stack: this runs once per file the kernel cache
// stamps); false when it does not fit.
template <std::size_t N>
bool disk_path_into(std::string_view root, std::string_view path, char (&buf)[N]) {
  if (root.size() + path.size() >= N) return false;
  std::memcpy(buf, root.data(), root.size());
  std::memcpy(buf + root.size(), path.data(), path.size());
  buf[root.size() + path.size()] = '\0';
  return true;
}

long long now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// The disk path of a machine path, or the error that stops it resolving (a link loop): never
// a half-resolved path that the kernel would finish outside the root.
Result<std::string> resolved_disk_path(const RootedHost& host, std::string_view path) {
  if (host.root().empty()) return path_normalize(path);
  auto canon = host.canonical(path);
  if (!canon) return make_error(canon.error());
  return host.root() + *canon;
}

}  // namespace

RootedHost::RootedHost(std::string root, std::optional<std::map<std::string, std::string>> env) {
  // A relative root ("--root fixtures/x") is relative to the working directory, not to "/".
  if (!root.empty() && root.front() != '/') {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) != nullptr) root = std::string(cwd) + "/" + root;
  }
  root_ = root.empty() ? std::string() : path_normalize(root);
  if (root_ == "/") root_.clear();
  if (env) {
    env_ = std::move(*env);
  } else {
    for (char** e = environ; e && *e; ++e) {
      std::string_view kv(*e);
      size_t eq = kv.find('=');
      if (eq == std::string_view::npos) continue;
      env_[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
    }
  }
}

RootedHost::~RootedHost() {
  if (anchor_fd_ >= 0) close(anchor_fd_);
}

std::optional<RootedHost::Entry> RootedHost::listed(std::string_view dir,
                                                    std::string_view name) const {
  auto it = listings_.find(dir);
  if (it == listings_.end()) return std::nullopt;
  const auto& entries = it->second.entries;
  auto at = std::lower_bound(entries.begin(), entries.end(), name,
                             [](const auto& e, std::string_view n) { return e.first < n; });
  if (at == entries.end() || at->first != name) return Entry{};
  if (at->second == FileType::kSymlink) return std::nullopt;  // its target needs readlink
  Entry e;
  e.exists = true;
  e.type = at->second;
  return e;
}

void RootedHost::remember_listing(const std::string& dir,
                                  const std::vector<DirEntry>& sorted) const {
  std::lock_guard<std::mutex> lock(entries_mu_);
  auto [it, fresh] = listings_.try_emplace(dir);
  if (!fresh) return;
  Listing& l = it->second;
  std::size_t bytes = 0;
  for (const DirEntry& e : sorted) bytes += e.name.size();
  l.names.reserve(bytes);  // never grows past this: the views below stay valid
  l.entries.reserve(sorted.size());
  for (const DirEntry& e : sorted) {
    const std::size_t at = l.names.size();
    l.names += e.name;
    l.entries.emplace_back(std::string_view(l.names).substr(at, e.name.size()), e.type);
  }
}

Result<RootedHost::Entry> RootedHost::entry(std::string_view path, bool stated) const {
  // Every file read under a root resolves each component of its path: a fixture run asked
  // the kernel about the same few folders over a thousand times. Within one RootedHost's
  // life the tree is taken as fixed (tests that change a tree use a new host).
  {
    std::lock_guard<std::mutex> lock(entries_mu_);
    auto it = entries_.find(path);
    if (it != entries_.end() && (!stated || it->second.stated || !it->second.exists))
      return it->second;
    if (it == entries_.end()) {
      const std::size_t slash = path.rfind('/');
      const std::string_view parent = path.substr(0, slash == 0 ? 1 : slash);
      // Nothing lives under a missing component or a file: no need to ask.
      if (parent != "/")
        if (auto p = entries_.find(parent);
            p != entries_.end() && (!p->second.exists || p->second.type == FileType::kFile))
          return entries_.emplace(std::string(path), Entry{}).first->second;
      // The parent's listing knows whether the name is there and whether it is a link; a
      // size or a time still needs lstat.
      if (slash != std::string_view::npos && slash + 1 < path.size())
        if (auto known = listed(parent, path.substr(slash + 1));
            known && (!stated || !known->exists))
          return entries_.emplace(std::string(path), std::move(*known)).first->second;
    }
  }
  Entry value;
  value.stated = true;
  char disk[2 * PATH_MAX];
  if (!disk_path_into(root_, path, disk)) {
    errno = ENAMETOOLONG;
    return make_error(errno_message(path));
  }
  struct stat st {};
  if (lstat(disk, &st) == 0) {
    value.exists = true;
    value.type = type_of(st.st_mode);
    value.size = static_cast<std::uint64_t>(st.st_size);
    value.mtime_ns = mtime_ns_of(st);
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : PATH_MAX), '\0');
      ssize_t n = readlink(disk, target.data(), target.size());
      if (n < 0) return make_error(errno_message(path));
      target.resize(static_cast<size_t>(n));
      value.link = std::move(target);
    }
  }
  std::lock_guard<std::mutex> lock(entries_mu_);
  auto [it, fresh] = entries_.try_emplace(std::string(path));
  it->second = std::move(value);
  return it->second;
}

Result<std::optional<std::string>> RootedHost::component_link(const std::string& path) const {
  auto e = entry(path);
  if (!e) return make_error(e.error());
  return std::move(e->link);
}

Result<std::string> RootedHost::canonical(std::string_view path) const {
  if (root_.empty()) {
    // The kernel resolves links inside "/" already; ask it only for canonical().
    std::string normalized = path_normalize(path);
    char buf[PATH_MAX];
    if (realpath(normalized.c_str(), buf) != nullptr) return std::string(buf);
    return normalized;
  }
  // An absolute target stays inside the root: that is what makes fixture trees safe.
  return canonical_.resolve(path, [this](const std::string& part) { return component_link(part); });
}

std::string RootedHost::disk_path(std::string_view path) const {
  if (root_.empty()) return path_normalize(path);
  auto canon = canonical(path);
  return root_ + (canon ? *canon : path_normalize(path));
}

namespace {

// Reads an open file: all of it (an error past `limit`), or with `prefix` only its first
// `limit` bytes. Closes fd.
Result<std::string> read_open_file(int fd, std::string_view path, std::size_t limit, bool prefix) {
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return make_error(std::string(path) + ": Is a directory");
  }
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
    close(fd);
    return make_error(std::string(path) + ": not a regular file");
  }
  // Read straight into the string: regular files state their size (one read() when it
  // fits); /proc and /sys files state 0 or 4096 and are read in steps to the end.
  const bool sized = S_ISREG(st.st_mode) && st.st_size > 0;
  std::string out;
  std::size_t want = sized ? static_cast<std::size_t>(st.st_size) : 4096;
  want = std::min(want, limit + (prefix ? 0 : 1));
  out.resize(want);
  std::size_t have = 0;
  for (;;) {
    if (have == out.size()) {
      if (prefix && have >= limit) break;
      if (sized && have == static_cast<std::size_t>(st.st_size)) break;
      out.resize(std::min(out.size() * 2, limit + (prefix ? 0 : 1)));
      if (have == out.size()) break;
    }
    ssize_t n = read(fd, out.data() + have, out.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string msg = errno_message(path);
      close(fd);
      return make_error(msg);
    }
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
    if (!prefix && have > limit) {
      close(fd);
      return make_error(std::string(path) + ": file larger than " + std::to_string(limit) +
                        " bytes");
    }
  }
  close(fd);
  out.resize(have);
  return out;
}

}  // namespace

Result<std::string> RootedHost::read_file(std::string_view path, std::size_t limit) const {
  ++reads_;
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  auto fd = open_under_root(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, nullptr);
  if (!fd) return make_error(fd.error());
  return read_open_file(*fd, path, limit, false);
}

Result<std::string> RootedHost::read_head(std::string_view path, std::size_t bytes) const {
  ++reads_;
  auto fd = open_under_root(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, nullptr);
  if (!fd) return make_error(fd.error());
  return read_open_file(*fd, path, bytes, true);
}

Result<std::vector<DirEntry>> RootedHost::list_dir(std::string_view path) const {
  ++reads_;
  std::string canonical;
  auto fd = open_under_root(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, &canonical);
  if (!fd) return make_error(fd.error());
  DIR* dir = fdopendir(*fd);
  if (dir == nullptr) {
    std::string msg = errno_message(path);
    close(*fd);
    return make_error(msg);
  }
  const std::string disk = root_ + canonical;
  std::vector<DirEntry> out;
  while (dirent* e = readdir(dir)) {
    std::string_view name(e->d_name);
    if (name == "." || name == "..") continue;
    FileType type = FileType::kOther;
    switch (e->d_type) {
      case DT_REG:
        type = FileType::kFile;
        break;
      case DT_DIR:
        type = FileType::kDirectory;
        break;
      case DT_LNK:
        type = FileType::kSymlink;
        break;
      case DT_UNKNOWN: {
        struct stat st {};
        if (lstat((disk + "/" + std::string(name)).c_str(), &st) == 0) type = type_of(st.st_mode);
        break;
      }
      default:
        break;
    }
    out.push_back({std::string(name), type});
  }
  closedir(dir);
  // Sort (8-byte prefix key, position) pairs, then move each entry once: system lib folders
  // have 1,500 entries, and comparing and swapping whole strings was most of listing one.
  // The key compares like the name's first 8 bytes (big-endian, zero-padded); ties fall back
  // to the whole name, so the order is exactly the names' byte order.
  auto key_of = [](const std::string& name) {
    std::uint64_t k = 0;
    for (std::size_t i = 0; i < 8; ++i)
      k = (k << 8) | (i < name.size() ? static_cast<unsigned char>(name[i]) : 0u);
    return k;
  };
  std::vector<std::pair<std::uint64_t, std::uint32_t>> order(out.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = {key_of(out[i].name), i};
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return std::string_view(out[a.second].name) < std::string_view(out[b.second].name);
  });
  std::vector<DirEntry> sorted;
  sorted.reserve(out.size());
  for (const auto& [key, i] : order) sorted.push_back(std::move(out[i]));
  if (!root_.empty()) {
    remember_listing(canonical, sorted);  // the folder's canonical machine path
  }
  return sorted;
}

std::optional<std::optional<FileInfo>> RootedHost::stat_link_free(std::string_view normal,
                                                                  bool once) const {
  // The common case: the thousands of files under one site-packages, stat'ed for the kernel
  // cache.
  if (normal.size() > PATH_MAX) return std::nullopt;  // canonical() gives the error
  const std::size_t dir_end = normal.rfind('/');
  switch (walk_folders(normal, dir_end)) {
    case Folders::kLink:
      return std::nullopt;
    case Folders::kMissing:
      return std::optional<FileInfo>();
    case Folders::kLinkFree:
      break;
  }
  if (!once) {
    auto e = entry(normal, /*stated=*/true);
    if (!e || e->link) return std::nullopt;
    if (!e->exists) return std::optional<FileInfo>();
    return std::optional<FileInfo>(FileInfo{e->type, e->size, e->mtime_ns});
  }
  // A file asked about once: one lstat, nothing looked up or remembered. A link takes the
  // long way.
  bool is_link = false;
  auto info = lstat_link_free(normal, dir_end, is_link);
  if (is_link) return std::nullopt;
  return std::optional<std::optional<FileInfo>>(info);
}

RootedHost::Folders RootedHost::walk_folders(std::string_view normal, std::size_t dir_end) const {
  const std::string_view dir = normal.substr(0, dir_end);
  {
    std::lock_guard<std::mutex> lock(stat_mu_);
    if (!last_free_dir_.empty() && dir == last_free_dir_) return Folders::kLinkFree;
  }
  // Up from the file to the nearest folder known to be free of links ("/" is)...
  std::size_t end = dir_end;
  while (end > 0 && !canonical_.known_link_free(normal.substr(0, end)))
    end = normal.rfind('/', end - 1);
  // ...then down again, each folder answered by its parent's listing or by one lstat.
  while (end < dir_end) {
    const std::size_t next = normal.find('/', end + 1);
    auto e = entry(normal.substr(0, next));
    if (!e || e->link) return Folders::kLink;
    if (!e->exists || e->type != FileType::kDirectory) return Folders::kMissing;
    end = next;
    canonical_.remember_link_free(normal.substr(0, end));  // the next file here walks no more
  }
  std::lock_guard<std::mutex> lock(stat_mu_);
  last_free_dir_.assign(dir);
  return Folders::kLinkFree;
}

Result<int> RootedHost::open_under_root(std::string_view path, int flags,
                                        std::string* canonical) const {
  if (!root_.empty()) {
    // The common case: a file in folders without links (a METADATA in its dist-info folder)
    // opens without resolving each component; O_NOFOLLOW sends a link at the end the long way.
    std::string copy;
    std::string_view normal = path;
    if (!path_is_normal(path)) normal = copy = path_normalize(path);
    char disk[2 * PATH_MAX];
    if (normal.size() > 1 && normal.size() <= PATH_MAX &&
        walk_folders(normal, normal.rfind('/')) != Folders::kLink &&
        disk_path_into(root_, normal, disk)) {
      // A link at the end fails with ELOOP, or with ENOTDIR under O_DIRECTORY (as does a
      // file, which the long way then finds again).
      const int fd = open(disk, flags | O_NOFOLLOW);
      if (fd >= 0 || (errno != ELOOP && errno != ENOTDIR)) {
        if (fd < 0) return make_error(errno_message(path));
        if (canonical) canonical->assign(normal);
        return fd;
      }
    }
  }
  auto disk = resolved_disk_path(*this, path);
  if (!disk) return make_error(disk.error());
  const int fd = open(disk->c_str(), flags);
  if (fd < 0) return make_error(errno_message(path));
  if (canonical) canonical->assign(std::string_view(*disk).substr(root_.size()));
  return fd;
}

std::optional<FileInfo> RootedHost::lstat_link_free(std::string_view normal, std::size_t dir_end,
                                                    bool& is_link) const {
  struct stat st {};
  int rc = -1;
  bool relative = false;
  {
    std::lock_guard<std::mutex> lock(stat_mu_);
    auto under_anchor = [&] {
      return !anchor_.empty() && normal.size() > anchor_.size() + 1 &&
             normal[anchor_.size()] == '/' && normal.compare(0, anchor_.size(), anchor_) == 0;
    };
    if (!under_anchor() && dir_end > 0) {
      // A new anchor: the nearest folder above this file that was listed (the folders a
      // scan goes through), else the file's own. Every folder above a link-free one is
      // link-free too.
      std::string_view pick = normal.substr(0, dir_end);
      {
        std::lock_guard<std::mutex> entries_lock(entries_mu_);
        for (std::string_view up = pick; !up.empty(); up = up.substr(0, up.rfind('/'))) {
          if (listings_.find(up) != listings_.end()) {
            pick = up;
            break;
          }
        }
      }
      if (anchor_fd_ >= 0) close(anchor_fd_);
      anchor_.assign(pick);
      char disk[2 * PATH_MAX];
      anchor_fd_ = disk_path_into(root_, anchor_, disk)
                       ? open(disk, O_PATH | O_DIRECTORY | O_CLOEXEC)
                       : -1;  // no anchor: the files below it take the whole path
    }
    if (anchor_fd_ >= 0 && under_anchor()) {
      char rel[PATH_MAX + 1];
      const std::string_view tail = normal.substr(anchor_.size() + 1);
      std::memcpy(rel, tail.data(), tail.size());
      rel[tail.size()] = '\0';
      rc = fstatat(anchor_fd_, rel, &st, AT_SYMLINK_NOFOLLOW);
      relative = true;
    }
  }
  if (!relative) {
    char disk[2 * PATH_MAX];
    if (!disk_path_into(root_, normal, disk)) return std::nullopt;
    rc = lstat(disk, &st);
  }
  if (rc != 0) return std::nullopt;
  if (S_ISLNK(st.st_mode)) {
    is_link = true;
    return std::nullopt;
  }
  return info_of(st);
}

namespace {

// A plain relative path: no leading or doubled slash, no "." or ".." component.
bool plain_relative(std::string_view rel) {
  if (rel.empty() || rel.front() == '/' || rel.back() == '/') return false;
  for (std::size_t start = 0; start <= rel.size();) {
    std::size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    const std::string_view part = rel.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

// The length of the longest run of whole components that `a` and `b` both start with.
std::size_t common_folders(std::string_view a, std::string_view b) {
  std::size_t common = 0;
  for (std::size_t k = 0; k < a.size() && k < b.size() && a[k] == b[k];) {
    ++k;
    if ((k == a.size() || a[k] == '/') && (k == b.size() || b[k] == '/')) common = k;
  }
  return common;
}

}  // namespace

void RootedHost::stat_below(std::string_view dir, std::span<const std::string_view> rels,
                            std::span<BelowStat> out) const {
  // Only the root and the kernel are asked: nothing shared with other calls is touched
  // after the folder's disk path is found.
  auto disk = resolved_disk_path(*this, dir);
  if (!disk) return;
  const int dfd = open(disk->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return;
  // The folders below `dir` seen last: `good` is link-free, `bad` has a link on the way (its
  // files take the long way) or is missing (its files are not there).
  std::string_view good;
  std::string_view bad;
  bool bad_missing = false;
  char rel[PATH_MAX + 1];
  struct stat st {};
  for (std::size_t i = 0; i < rels.size() && i < out.size(); ++i) {
    const std::string_view r = rels[i];
    if (r.size() > PATH_MAX || !plain_relative(r)) continue;
    std::memcpy(rel, r.data(), r.size());
    rel[r.size()] = '\0';
    // Under "/" the kernel's links are the machine's: one stat, as stat_once.
    if (root_.empty()) {
      if (::fstatat(dfd, rel, &st, 0) == 0)
        out[i] = BelowStat{true, info_of(st)};
      else if (absent(errno))
        out[i] = BelowStat{true, std::nullopt};
      continue;
    }
    const std::size_t slash = r.rfind('/');
    const std::string_view folder = r.substr(0, slash == std::string_view::npos ? 0 : slash);
    if (!folder.empty() && folder != good) {
      if (folder == bad) {
        if (bad_missing) out[i] = BelowStat{true, std::nullopt};
        continue;
      }
      // Each folder not checked yet, from the top: a folder, not a link.
      bool ok = true;
      for (std::size_t end = common_folders(folder, good); ok && end < folder.size();) {
        end = folder.find('/', end + 1);
        if (end == std::string_view::npos) end = folder.size();
        rel[end] = '\0';  // the folder alone: `r` has a '/' there, since its file follows
        const int rc = fstatat(dfd, rel, &st, AT_SYMLINK_NOFOLLOW);
        rel[end] = '/';
        if (rc != 0 || !S_ISDIR(st.st_mode)) {
          ok = false;
          bad = folder;
          bad_missing = rc != 0 ? absent(errno) : !S_ISLNK(st.st_mode);
        }
      }
      if (!ok) {
        if (bad_missing) out[i] = BelowStat{true, std::nullopt};
        continue;
      }
      good = folder;
    }
    if (fstatat(dfd, rel, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (absent(errno)) out[i] = BelowStat{true, std::nullopt};
      continue;
    }
    if (S_ISLNK(st.st_mode)) continue;  // resolved inside the root by stat_once
    out[i] = BelowStat{true, info_of(st)};
  }
  close(dfd);
}

std::optional<FileInfo> RootedHost::stat(std::string_view path) const {
  return stat_under_root(path, false);
}

std::optional<FileInfo> RootedHost::stat_once(std::string_view path) const {
  return stat_under_root(path, true);
}

std::optional<FileInfo> RootedHost::stat_under_root(std::string_view path, bool once) const {
  if (!root_.empty()) {
    // The common case first: a file in a folder already resolved to itself (the thousands of
    // files under one site-packages) is one lookup and one lstat; a link takes the long way.
    std::string copy;
    std::string_view normal = path;
    if (!path_is_normal(path)) normal = copy = path_normalize(path);
    if (auto answer = stat_link_free(normal, once)) return *answer;
    // A link on the way: canonical() looks at every component, the last one included.
    auto canon = canonical(path);
    if (!canon) return std::nullopt;
    auto e = entry(*canon, /*stated=*/true);
    if (!e || !e->exists || e->link) return std::nullopt;
    return FileInfo{e->type, e->size, e->mtime_ns};
  }
  auto disk = resolved_disk_path(*this, path);
  if (!disk) return std::nullopt;
  struct stat st {};
  if (::stat(disk->c_str(), &st) != 0) return std::nullopt;
  return info_of(st);
}

Result<std::string> RootedHost::read_link(std::string_view path) const {
  // Resolve the parent inside the root, then read the last component's link itself.
  std::string normalized = path_normalize(path);
  if (!root_.empty() && normalized != "/") {
    auto parent = canonical(path_dirname(normalized));
    if (!parent) return make_error(parent.error());
    auto e = entry(path_join(*parent, path_basename(normalized)));
    if (!e) return make_error(e.error());
    if (e->link) return std::move(*e->link);
    errno = e->exists ? EINVAL : ENOENT;
    return make_error(errno_message(path));
  }
  std::string disk = disk_path(path_dirname(normalized));
  if (disk.empty() || disk.back() != '/') disk += '/';
  disk += path_basename(normalized);
  char buf[PATH_MAX];
  ssize_t n = readlink(disk.c_str(), buf, sizeof buf);
  if (n < 0) return make_error(errno_message(path));
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<std::string> RootedHost::env(std::string_view name) const {
  auto it = env_.find(std::string(name));
  if (it == env_.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, std::string> RootedHost::env_all() const { return env_; }

RunResult RootedHost::run(const std::vector<std::string>& argv, int timeout_ms) const {
  return run_streaming(argv, timeout_ms, nullptr);
}

RunResult RootedHost::run_streaming(const std::vector<std::string>& argv, int timeout_ms,
                                    const OutputSink& sink) const {
  RunResult result;
  if (argv.empty()) return result;
  std::string program = argv[0];
  if (program.find('/') != std::string::npos) {
    program = disk_path(program);
  } else {
    std::string found;
    const std::string path_var = env("PATH").value_or("/usr/bin:/bin");  // outlives the views
    for (std::string_view dir : split(path_var, ':')) {
      if (dir.empty()) continue;
      std::string candidate = disk_path(path_join(dir, argv[0]));
      if (access(candidate.c_str(), X_OK) == 0) {
        found = candidate;
        break;
      }
    }
    if (found.empty()) {
      result.exit_code = 127;
      result.err = argv[0] + ": not found on PATH";
      return result;
    }
    program = found;
  }

  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return result;
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so a timeout kills the children it started too.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);

  std::vector<std::string> env_strings;
  env_strings.reserve(env_.size());
  for (const auto& [k, v] : env_) env_strings.push_back(std::string(k).append("=").append(v));
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args(argv);
  std::vector<char*> cargs;
  cargs.reserve(args.size() + 1);
  for (auto& s : args) cargs.push_back(s.data());
  cargs.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawn(&pid, program.c_str(), &actions, &attr, cargs.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.exit_code = 127;
    result.err = program + ": " + std::strerror(rc);
    return result;
  }

  long long deadline = now_ms() + timeout_ms;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    long long left = deadline - now_ms();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    int n = poll(fds, 2, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got > 0) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(got));
        if (sink) sink(i + 1, std::string_view(buf, static_cast<size_t>(got)));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  if (result.timed_out) kill(-pid, SIGKILL);
  int status = 0;
  // A child that closed its pipes but keeps running is also bounded by the deadline.
  while (true) {
    pid_t w = waitpid(pid, &status, result.timed_out ? 0 : WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (now_ms() >= deadline) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      continue;
    }
    struct timespec ts {
      0, 2000000
    };
    nanosleep(&ts, nullptr);
  }
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

}  // namespace cudafit
