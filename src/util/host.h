// Host: the one seam between cudafit and the machine it describes.
//
// Every file read, directory listing, environment variable and subprocess goes through a
// Host. RootedHost reads a real tree under a root prefix (`--root DIR`, default "/"), with
// symlinks followed inside that root; MemoryHost is a machine made of strings for unit
// tests. Paths given to a Host are always paths *on the described machine* ("/proc/...").
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/result.h"

namespace cudafit {

enum class FileType { kFile, kDirectory, kSymlink, kOther };

struct DirEntry {
  std::string name;
  FileType type = FileType::kOther;  // of the entry itself (a link is kSymlink)
};

struct FileInfo {
  FileType type = FileType::kOther;  // after following links
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;  // last modification, ns since the epoch (0 where unknown)
};

struct RunResult {
  int exit_code = -1;  // -1 when it did not exit normally
  bool timed_out = false;
  std::string out;  // stdout
  std::string err;  // stderr
};

using SharedListing = std::shared_ptr<const std::vector<DirEntry>>;

// What Host::stat_below found of one file: `known` is false where only stat_once can answer
// (a link on the way, a path that is not plain, a Host without disk files).
struct BelowStat {
  bool known = false;
  std::optional<FileInfo> info;  // when known: nullopt for a file that is not there
};

class Host {
 public:
  virtual ~Host() = default;

  // Whole file, at most `limit` bytes (an error says the file is larger).
  virtual Result<std::string> read_file(std::string_view path,
                                        std::size_t limit = 64u << 20) const = 0;
  // The file's first `bytes` bytes (all of it when shorter): for a version define near the
  // top of a header that is a megabyte long (cuda.h), which costs a page fault per 4 KiB.
  virtual Result<std::string> read_head(std::string_view path, std::size_t bytes) const;
  // Entries sorted by name, without "." and "..".
  virtual Result<std::vector<DirEntry>> list_dir(std::string_view path) const = 0;
  // list_dir's answer shared, not copied: a CachedHost hands out the one it keeps (a
  // site-packages or a system lib folder has hundreds of entries, and is listed several times).
  virtual Result<SharedListing> listing(std::string_view path) const;
  // Follows links; nullopt when the path does not exist (or a link dangles).
  virtual std::optional<FileInfo> stat(std::string_view path) const = 0;
  // stat() of a file asked about once (the kernel cache's stamps, a thousand of them on a
  // large venv): a caching Host passes it through without keeping the answer.
  virtual std::optional<FileInfo> stat_once(std::string_view path) const { return stat(path); }
  // stat_once() of many files, named relative to the machine folder `dir` ("pkg/_C.so"), for
  // the kernel cache's stamps, which a second thread takes while detection runs: safe beside
  // any other call, since it remembers nothing and looks up only `dir` (under the Host's
  // locks). out[i] answers rels[i]; the default answers nothing (every `known` false).
  virtual void stat_below(std::string_view dir, std::span<const std::string_view> rels,
                          std::span<BelowStat> out) const;
  // The target text of a symlink, as stored.
  virtual Result<std::string> read_link(std::string_view path) const = 0;
  // The machine path with every link resolved inside the root ("/usr/local/cuda" ->
  // "/usr/local/cuda-13.0").
  virtual Result<std::string> canonical(std::string_view path) const = 0;
  // Where the machine path lives on this disk, for mmap (empty when it has no disk file).
  virtual std::string disk_path(std::string_view path) const = 0;

  virtual std::optional<std::string> env(std::string_view name) const = 0;
  virtual std::map<std::string, std::string> env_all() const = 0;

  // Runs argv[0] (a machine path or a name looked up in PATH) with a time limit.
  // Only commands behind explicit flags (--exec) call this.
  virtual RunResult run(const std::vector<std::string>& argv, int timeout_ms) const = 0;
  // The same, handing each piece of output to `sink` as it arrives (stream 1 = stdout,
  // 2 = stderr), for commands a user watches (`install --exec`). The default runs first and
  // hands the output over at the end.
  using OutputSink = std::function<void(int stream, std::string_view chunk)>;
  virtual RunResult run_streaming(const std::vector<std::string>& argv, int timeout_ms,
                                  const OutputSink& sink) const;

  // Number of read_file/list_dir calls so far (benchmarks check each file is read once).
  virtual std::uint64_t reads() const = 0;

  bool exists(std::string_view path) const { return stat(path).has_value(); }
  bool is_dir(std::string_view path) const;
  bool is_file(std::string_view path) const;
};

// Joins machine paths: join("/a", "b") == "/a/b"; an absolute `rel` replaces `base`.
std::string path_join(std::string_view base, std::string_view rel);
// "/a/b/../c/./d" -> "/a/c/d"; never climbs above "/".
std::string path_normalize(std::string_view path);
// True when path_normalize would return `path` unchanged (absolute, no "", "." or "..").
bool path_is_normal(std::string_view path);
// A map keyed by path that find() takes a string_view without copying it into a key.
struct PathHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename T>
using PathMap = std::unordered_map<std::string, T, PathHash, std::equal_to<>>;

// Machine paths with every link resolved, remembered. `link_of(path)` gives the link target of
// that one component, or nullopt when it is no link (or absent). Absolute targets start again
// at the root, ".." stops there, and over 40 links is an error. The one resolver behind
// RootedHost (under a root) and CachedHost (through its remembered read_link).
using LinkOf = std::function<Result<std::optional<std::string>>(const std::string& path)>;
class CanonicalPaths {
 public:
  Result<std::string> resolve(std::string_view path, const LinkOf& link_of) const;
  // True when `normal_path` (normalized) has been resolved already and has no link in it.
  bool known_link_free(std::string_view normal_path) const;
  // Records that `normal_path` has no link in it (its caller looked at every component).
  void remember_link_free(std::string_view normal_path) const;

 private:
  Result<std::string> resolve_normal(const std::string& path, const LinkOf& link_of,
                                     int& links) const;
  mutable std::mutex mu_;
  mutable PathMap<std::string> done_;  // path -> its canonical path; "" when it is itself
};
std::string path_dirname(std::string_view path);
std::string path_basename(std::string_view path);

// The real machine, seen under `root` ("/" or a fixture tree). `env` replaces the process
// environment when given (tests; `--env-file`).
class RootedHost final : public Host {
 public:
  explicit RootedHost(std::string root = "/",
                      std::optional<std::map<std::string, std::string>> env = std::nullopt);
  ~RootedHost() override;
  RootedHost(const RootedHost&) = delete;
  RootedHost& operator=(const RootedHost&) = delete;

  // The same default as Host's, so that calls on the concrete type compile too.
  Result<std::string> read_file(std::string_view path,
                                std::size_t limit = 64u << 20) const override;
  Result<std::string> read_head(std::string_view path, std::size_t bytes) const override;
  Result<std::vector<DirEntry>> list_dir(std::string_view path) const override;
  std::optional<FileInfo> stat(std::string_view path) const override;
  std::optional<FileInfo> stat_once(std::string_view path) const override;
  // Relative to `dir` opened once; each folder on the way checked once to be a folder, not a
  // link.
  void stat_below(std::string_view dir, std::span<const std::string_view> rels,
                  std::span<BelowStat> out) const override;
  Result<std::string> read_link(std::string_view path) const override;
  Result<std::string> canonical(std::string_view path) const override;
  std::string disk_path(std::string_view path) const override;
  std::optional<std::string> env(std::string_view name) const override;
  std::map<std::string, std::string> env_all() const override;
  RunResult run(const std::vector<std::string>& argv, int timeout_ms) const override;
  RunResult run_streaming(const std::vector<std::string>& argv, int timeout_ms,
                          const OutputSink& sink) const override;
  std::uint64_t reads() const override { return reads_; }

  const std::string& root() const { return root_; }

 private:
  // What lstat says of one path component under the root, remembered: every path read under
  // a root is resolved a component at a time, and stat() and read_link() answer from the same
  // entries instead of asking the kernel again.
  // A folder's listing answers for its entries too: a name it lacks does not exist, and one
  // it lists as a file or folder is no link. Only a size or time (stat) then needs the kernel.
  struct Entry {
    bool exists = false;
    bool stated = false;  // size and mtime_ns were read (false when known from a listing)
    FileType type = FileType::kOther;  // of the component itself (a link is kSymlink)
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::optional<std::string> link;  // the target, when it is a link
  };
  // `stated`: the caller needs size and time, not only whether it is there and a link.
  Result<Entry> entry(std::string_view path, bool stated = false) const;
  Result<std::optional<std::string>> component_link(const std::string& path) const;
  std::optional<FileInfo> stat_under_root(std::string_view path, bool once) const;
  // stat() of a normalized path without links, each component looked up in what is known;
  // nullopt (no answer) at a link, which takes canonical()'s long way. `once`: the file's own
  // answer is not remembered.
  std::optional<std::optional<FileInfo>> stat_link_free(std::string_view normal, bool once) const;
  // What the listing of folder `dir` (a canonical machine path) says of `name`: nullopt when
  // the folder was not listed or lists it as a link; an absent entry when it lacks the name.
  std::optional<Entry> listed(std::string_view dir, std::string_view name) const;
  // Whether the folders of `normal` up to `dir_end` are free of links (a link on the way, or
  // a folder missing from there on), each component looked up in what is known.
  enum class Folders { kLinkFree, kLink, kMissing };
  Folders walk_folders(std::string_view normal, std::size_t dir_end) const;
  // open(2) of a machine path under the root; `canonical` (when given) gets its canonical
  // machine path. A path without links takes no component-by-component resolution.
  Result<int> open_under_root(std::string_view path, int flags, std::string* canonical) const;
  // lstat of `normal`, a file in the link-free folder that ends at `dir_end`: relative to an
  // open anchor folder above it, so that the kernel walks the few components below the anchor
  // rather than the whole path (0.31 against 0.52 us a file on the bench tree).
  std::optional<FileInfo> lstat_link_free(std::string_view normal, std::size_t dir_end,
                                          bool& is_link) const;
  void remember_listing(const std::string& dir, const std::vector<DirEntry>& sorted) const;

  // A listing kept compactly: the names in one block, views of them in name order.
  struct Listing {
    std::string names;
    std::vector<std::pair<std::string_view, FileType>> entries;
  };

  std::string root_;  // "" for "/", else the prefix without a trailing slash
  std::map<std::string, std::string> env_;
  mutable std::uint64_t reads_ = 0;
  mutable std::mutex entries_mu_;
  mutable PathMap<Entry> entries_;
  mutable PathMap<Listing> listings_;
  // The anchor: a link-free folder held open (O_PATH), the nearest listed one above the files
  // stat_once was last asked about (site-packages, for the kernel cache's stamps).
  mutable std::mutex stat_mu_;  // guards the anchor and last_free_dir_
  mutable std::string anchor_;
  mutable int anchor_fd_ = -1;
  // The last folder walk_folders found link-free: the next file there (a package's
  // libraries come in a row) needs no walk.
  mutable std::string last_free_dir_;
  CanonicalPaths canonical_;
};

// A machine held in memory: files, directories, symlinks and an environment.
class MemoryHost final : public Host {
 public:
  void add_file(std::string_view path, std::string content);
  void add_dir(std::string_view path);
  void add_symlink(std::string_view path, std::string target);
  void set_env(std::string name, std::string value);
  // Canned answer for run(): argv joined by spaces -> result.
  void set_run_result(std::string command_line, RunResult result);

  // The same default as Host's, so that calls on the concrete type compile too.
  Result<std::string> read_file(std::string_view path,
                                std::size_t limit = 64u << 20) const override;
  Result<std::vector<DirEntry>> list_dir(std::string_view path) const override;
  std::optional<FileInfo> stat(std::string_view path) const override;
  Result<std::string> read_link(std::string_view path) const override;
  Result<std::string> canonical(std::string_view path) const override;
  std::string disk_path(std::string_view) const override { return {}; }
  std::optional<std::string> env(std::string_view name) const override;
  std::map<std::string, std::string> env_all() const override { return env_; }
  RunResult run(const std::vector<std::string>& argv, int timeout_ms) const override;
  std::uint64_t reads() const override { return reads_; }

 private:
  struct Node {
    FileType type = FileType::kFile;
    std::string data;  // file content or link target
  };
  Result<std::string> resolve(std::string_view path, bool follow_last) const;
  std::map<std::string, Node> nodes_;
  std::map<std::string, std::string> env_;
  std::map<std::string, RunResult> runs_;
  mutable std::uint64_t reads_ = 0;
};

// Reads KEY=VALUE lines (an `env` dump, such as outputs/env.txt) into a map.
std::map<std::string, std::string> parse_env_dump(std::string_view text);

}  // namespace cudafit
