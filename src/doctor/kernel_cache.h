// KernelCache: what the fatbin reader found in each file, kept between doctor runs so that the
// default doctor reads third-party GPU code without rereading unchanged binaries.
//
// One file, $XDG_CACHE_HOME/cudafit/kernels-v1.tsv (else $HOME/.cache/cudafit/...; both from
// the Host's environment), on the described machine's disk (Host::disk_path). Each line is
// keyed by a path with its size and modification time and ends in a checksum of the line:
// a stale key is a miss, and a damaged line, header or file is ignored (read again from the
// binary), so the cache never changes an answer. Loading only indexes the lines by path; a
// line is checked and decoded when its path is first looked up (or when the file is saved),
// since a doctor run looks up each line at most once. Written whole to a temporary file and
// renamed over the old one, only when something changed; a cache that cannot be written is no
// error.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "binary/mapped_file.h"
#include "util/host.h"
#include "util/side_thread.h"
#include "verdict/code_compat.h"

namespace cudafit {

// A file's identity for the cache (from stat(2) on Host::disk_path).
struct FileStamp {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
// nullopt when the Host has no disk file for the path (MemoryHost) or stat fails.
std::optional<FileStamp> stamp_of(const Host& host, std::string_view path);

class KernelCache {
 public:
  using Containers = std::vector<std::vector<CodeEntry>>;  // runnable containers; empty: none

  // The cache file's machine path, "" when neither XDG_CACHE_HOME nor HOME is set.
  static std::string default_path(const Host& host);
  // Maps `path` (read through the Host where it has no disk file); a missing or damaged file
  // gives an empty cache.
  static KernelCache load(const Host& host, std::string path);
  KernelCache() = default;
  KernelCache(KernelCache&& other) noexcept;
  KernelCache& operator=(KernelCache&&) = delete;
  ~KernelCache();

  // Starts stat'ing every file the cache has a line for on a second thread (where this
  // process may run on a second CPU), while the caller detects the machine: a large venv has a
  // thousand stamps to take. stamp() hands them out. False when no thread was started (one
  // CPU, nothing cached): stamp() then takes each stamp when asked.
  bool prefetch_stamps(const Host& host);
  // The stamp of a library (or with `record`, of a RECORD), as stamp_of gives it: taken by
  // prefetch_stamps when it has got that far, else now. Never waits for the thread (a cache
  // may hold the lines of many environments, most of them not asked about in this run).
  std::optional<FileStamp> stamp(const Host& host, std::string_view path, bool record = false);
  // Waits for the prefetch to end (tests); how many stamps it has handed out.
  void finish_prefetch();
  std::size_t stamps_prefetched() const { return stamps_prefetched_; }

  const Containers* find_file(std::string_view path, const FileStamp& stamp);
  void put_file(std::string_view path, const FileStamp& stamp, Containers containers);
  // A dist-info RECORD's shared libraries (machine paths), as views of the cache's own text:
  // valid while the cache lives.
  const std::vector<std::string_view>* find_record(std::string_view path, const FileStamp& stamp);
  void put_record(std::string_view path, const FileStamp& stamp, std::vector<std::string> libs);

  // Checks every line not looked up yet, as save() does (the fuzzer and tests).
  void check_all();
  // Writes the cache when something changed since load(). Creates the cudafit folder, but not
  // its parent (~/.cache): a machine without one gets no cache.
  Status save(const Host& host);

  std::size_t lines_ignored() const { return ignored_; }  // damaged lines found so far

 private:
  template <typename T>
  struct Slot {
    FileStamp stamp;
    T value;
  };
  // A line read from the file, not checked yet: its path and the whole line, and where
  // prefetch_stamps puts the path's stamp.
  struct Pending {
    std::string_view path, line;
    std::uint32_t slot = 0;
    bool gone = false;  // looked up (and checked), replaced or damaged
  };
  // The lines of one kind by path, in path order (save() writes them so: loading appends),
  // looked up by binary search that first tries where the last lookup ended, since the scan
  // asks in nearly that order. No hash of each path, no node per line.
  class Unchecked {
   public:
    void append(std::string_view path, std::string_view line);
    void finish();  // after the last append: sorted, of equal paths the last kept
    Pending* find(std::string_view path);
    void erase(Pending& p);
    void erase(std::string_view path);
    std::size_t size() const { return live_; }
    template <typename F>
    void for_each(F f) {
      for (Pending& p : lines_)
        if (!p.gone) f(p);
    }

   private:
    std::vector<Pending> lines_;
    std::size_t live_ = 0;
    std::size_t next_ = 0;  // where the last lookup ended
    bool sorted_ = true;
  };
  template <typename T>
  const T* find(PathMap<Slot<T>>& decoded, Unchecked& unchecked, std::string_view path,
                const FileStamp& stamp);
  void damaged();

  std::string path_;
  std::shared_ptr<const MappedFile> text_;  // the file; Unchecked views point into it
  Unchecked unchecked_files_;
  Unchecked unchecked_records_;
  PathMap<Slot<Containers>> files_;  // checked or put
  PathMap<Slot<std::vector<std::string_view>>> records_;
  std::deque<std::string> put_libs_;  // the libraries put_record was given (records_ views them)
  std::size_t ignored_ = 0;
  bool dirty_ = false;
  // What prefetch_stamps' thread has found, a stamp a slot: each published with its `ready`
  // flag (release; stamp() reads it with acquire). `stop` ends the thread early.
  struct Prefetch {
    std::vector<BelowStat> stamps;
    std::unique_ptr<std::atomic<bool>[]> ready;
    std::atomic<bool> stop{false};
  };
  std::unique_ptr<Prefetch> prefetch_;
  SideThread worker_;
  bool prefetched_ = false;
  std::size_t stamps_prefetched_ = 0;
};

// How soon prefetch_stamps stats the files under a site-packages folder: 0 inside the active
// venv or conda env (VIRTUAL_ENV, CONDA_PREFIX), 1 inside an environment whose bin folder is on
// PATH, else 2 (environments doctor reads only with --env or --all-envs).
int prefetch_rank(const Host& host, std::string_view site_packages);

// "sm_80,compute_80@9.0;sm_90" <-> containers (exposed for tests and the fuzzer).
std::string encode_containers(const KernelCache::Containers& containers);
std::optional<KernelCache::Containers> decode_containers(std::string_view text);

}  // namespace cudafit
