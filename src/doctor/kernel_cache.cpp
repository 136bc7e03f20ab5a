// File format (kernels-v1.tsv), one record a line, fields separated by tabs:
//   cudafit-kernel-cache 1
//   F <path> <size> <mtime_ns> <containers> <checksum>    containers: "-" (no runnable code) or
//                                                          "sm_80,compute_80@9.0;sm_90", a run
//                                                          of equal neighbours as "1376*sm_90a"
//   R <RECORD path> <size> <mtime_ns> <lib>\x1f<lib>... <checksum>
// checksum: FNV-1a 64 over 8-byte words of everything before its tab, in hex. Paths with a tab,
// newline or \x1f are not cached.
#include "doctor/kernel_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "binary/mapped_file.h"
#include "util/strings.h"

namespace cudafit {
namespace {

constexpr std::string_view kHeader = "cudafit-kernel-cache 1";
constexpr char kListSep = '\x1f';

// FNV-1a over 8-byte words (then the tail bytes): a damage detector, not a cryptographic hash.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 1099511628211ull;
  }
  for (; i < s.size(); ++i) h = (h ^ static_cast<unsigned char>(s[i])) * 1099511628211ull;
  return h ^ (h >> 29);
}

std::string hex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// The checksum field read back: exactly 16 lower-case hex digits (what hex() writes).
std::optional<std::uint64_t> parse_hex16(std::string_view s) {
  if (s.size() != 16) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  return v;
}

// The five fields before the checksum, without a vector per line; false unless exactly five.
bool split_fields(std::string_view s, std::array<std::string_view, 5>& out) {
  std::size_t n = 0;
  while (true) {
    auto tab = s.find('\t');
    if (n == out.size()) return false;
    out[n++] = s.substr(0, tab);
    if (tab == std::string_view::npos) break;
    s.remove_prefix(tab + 1);
  }
  return n == out.size();
}

bool cacheable(std::string_view path) {
  // A loop rather than find_first_of, which asks memchr once per character of the path.
  return !path.empty() && std::none_of(path.begin(), path.end(), [](char c) {
    return c == '\t' || c == '\n' || c == '\r' || c == kListSep;
  });
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  bool negative = !s.empty() && s[0] == '-';
  auto v = parse_uint(negative ? s.substr(1) : s);
  if (!v || *v > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return negative ? -static_cast<std::int64_t>(*v) : static_cast<std::int64_t>(*v);
}

std::string entry_text(const CodeEntry& e) {
  std::string s = e.is_ptx ? e.cc.compute() : e.cc.sm();
  if (e.is_ptx && !e.ptx_isa.empty()) s += "@" + e.ptx_isa;
  return s;
}

}  // namespace

namespace {

// More code entries (containers times the entries each) than any real library carries (cuFFT:
// about 24,000 containers of one or two): a count past it is damage, and would otherwise make a
// few bytes of cache allocate gigabytes ("862633*" before a list of four entries held 190 MB
// and ran the fuzzer out of memory).
constexpr std::uint64_t kMaxEntries = 1u << 20;

bool same_entries(const std::vector<CodeEntry>& a, const std::vector<CodeEntry>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const CodeEntry& x, const CodeEntry& y) {
                      return x.cc == y.cc && x.is_ptx == y.is_ptx && x.ptx_isa == y.ptx_isa;
                    });
}

std::optional<std::vector<CodeEntry>> decode_entries(std::string_view c) {
  std::vector<CodeEntry> entries;
  for (std::string_view word : split(c, ',')) {
    CodeEntry e;
    std::string_view target = word;
    if (auto at = word.find('@'); at != std::string_view::npos) {
      e.ptx_isa = std::string(word.substr(at + 1));
      target = word.substr(0, at);
      if (e.ptx_isa.empty()) return std::nullopt;
    }
    e.is_ptx = starts_with(target, "compute_");
    if (!e.is_ptx && !starts_with(target, "sm_")) return std::nullopt;
    if (!e.is_ptx && !e.ptx_isa.empty()) return std::nullopt;
    auto cc = ComputeCapability::parse(target);
    if (!cc) return std::nullopt;
    e.cc = *cc;
    if (entry_text(e) != word) return std::nullopt;  // only the canonical spelling
    entries.push_back(std::move(e));
  }
  if (entries.empty()) return std::nullopt;
  return entries;
}

}  // namespace

// Consecutive equal containers are written once with their count ("1376*sm_90a"): a library
// built for one arch list repeats the same list thousands of times, and the cache is read on
// every doctor run.
std::string encode_containers(const KernelCache::Containers& containers) {
  if (containers.empty()) return "-";
  std::string out;
  for (std::size_t i = 0; i < containers.size();) {
    std::size_t run = 1;
    while (i + run < containers.size() && same_entries(containers[i + run], containers[i])) ++run;
    if (!out.empty()) out += ';';
    if (run > 1) out += std::to_string(run) + '*';
    std::string entries;
    for (const CodeEntry& e : containers[i]) {
      if (!entries.empty()) entries += ',';
      entries += entry_text(e);
    }
    out += entries;
    i += run;
  }
  return out;
}

std::optional<KernelCache::Containers> decode_containers(std::string_view text) {
  KernelCache::Containers out;
  if (text == "-") return out;
  if (text.empty()) return std::nullopt;
  std::size_t last_run_start = 0;
  std::uint64_t total = 0;  // entries decoded so far
  for (std::string_view group : split(text, ';')) {
    std::uint64_t count = 1;
    if (auto star = group.find('*'); star != std::string_view::npos) {
      std::string_view digits = group.substr(0, star);
      auto n = parse_uint(digits);
      // Canonical only: no count of 0 or 1, no leading zero.
      if (!n || *n < 2 || digits.front() == '0') return std::nullopt;
      count = *n;
      group.remove_prefix(star + 1);
    }
    auto entries = decode_entries(group);
    if (!entries || count > (kMaxEntries - total) / entries->size()) return std::nullopt;
    total += count * entries->size();
    // A run split in two is not how encode writes it.
    if (!out.empty() && same_entries(out[last_run_start], *entries)) return std::nullopt;
    last_run_start = out.size();
    for (std::uint64_t k = 1; k < count; ++k) out.push_back(*entries);
    out.push_back(std::move(*entries));
  }
  return out;
}

namespace {

// A regular file's stamp. A host that knows no time (MemoryHost) gives none: nothing is cached
// from it.
std::optional<FileStamp> stamp_from(const std::optional<FileInfo>& info) {
  if (!info || info->type != FileType::kFile || info->mtime_ns == 0) return std::nullopt;
  return FileStamp{info->size, info->mtime_ns};
}

}  // namespace

std::optional<FileStamp> stamp_of(const Host& host, std::string_view path) {
  // Each file's stamp is asked for once: not kept by CachedHost.
  return stamp_from(host.stat_once(path));
}

KernelCache::KernelCache(KernelCache&& other) noexcept = default;

KernelCache::~KernelCache() {
  if (prefetch_) prefetch_->stop.store(true, std::memory_order_relaxed);
  worker_.join();  // within one chunk of stat calls
}

void KernelCache::finish_prefetch() { worker_.join(); }

int prefetch_rank(const Host& host, std::string_view site_packages) {
  auto under = [&](std::string_view prefix) {
    while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
    return prefix.size() > 1 && site_packages.size() > prefix.size() &&
           site_packages[prefix.size()] == '/' && starts_with(site_packages, prefix);
  };
  for (const char* active : {"VIRTUAL_ENV", "CONDA_PREFIX"})
    if (auto prefix = host.env(active); prefix && under(*prefix)) return 0;
  if (auto path = host.env("PATH"))
    for (std::string_view dir : split(*path, ':'))
      if (ends_with(dir, "/bin") && under(dir.substr(0, dir.size() - 4))) return 1;
  return 2;
}

bool KernelCache::prefetch_stamps(const Host& host) {
  if (prefetched_) return false;
  prefetched_ = true;
  const std::size_t n = unchecked_files_.size() + unchecked_records_.size();
  // One CPU: stamp() takes each stamp when asked, as without a prefetch.
  if (n == 0 || !SideThread::available()) return false;
  // Each line's path relative to its site-packages (the folder above a RECORD's dist-info),
  // with its slot; a path under none is stamped when asked.
  struct Folder {
    std::string path;
    std::vector<std::pair<std::string_view, std::uint32_t>> rels;
    // Room for the thread's work, made here: a thread that allocates gets its own malloc
    // arena (a 128 MiB mapping and its mprotect calls).
    std::vector<std::string_view> sorted;
    std::vector<BelowStat> answers;
    int rank = 0;  // prefetch_rank
  };
  std::vector<Folder> folders;
  unchecked_records_.for_each([&](Pending& pending) {
    const std::string sp = path_dirname(path_dirname(pending.path));
    if (sp.size() > 1 &&
        std::none_of(folders.begin(), folders.end(), [&](const Folder& f) { return f.path == sp; }))
      folders.push_back(Folder{sp, {}, {}, {}, 0});
  });
  std::uint32_t slot = 0;
  for (Unchecked* unchecked : {&unchecked_records_, &unchecked_files_}) {
    unchecked->for_each([&](Pending& pending) {
      pending.slot = slot++;
      const std::string_view path = pending.path;
      for (Folder& f : folders) {
        if (path.size() > f.path.size() + 1 && path[f.path.size()] == '/' &&
            starts_with(path, f.path)) {
          f.rels.emplace_back(path.substr(f.path.size() + 1), pending.slot);
          break;
        }
      }
    });
  }
  for (Folder& f : folders) {
    f.sorted.resize(f.rels.size());
    f.answers.resize(f.rels.size());
  }
  // The environments doctor reads by default first: the cache may hold many.
  for (Folder& f : folders) f.rank = prefetch_rank(host, f.path);
  std::stable_sort(folders.begin(), folders.end(),
                   [](const Folder& a, const Folder& b) { return a.rank < b.rank; });
  prefetch_ = std::make_unique<Prefetch>();
  prefetch_->stamps.assign(n, BelowStat{});
  prefetch_->ready.reset(new std::atomic<bool>[n]());
  // std::function wants a copyable callable: the folders are shared, not copied.
  auto work = std::make_shared<std::vector<Folder>>(std::move(folders));
  const bool started = worker_.start([&host, work, p = prefetch_.get()] {
    // Published a chunk at a time, so that the scan finds most stamps ready even when the
    // thread is still at work on other environments' lines.
    constexpr std::size_t kChunk = 64;
    for (Folder& f : *work) {
      // In path order: a package's files side by side, each folder checked once.
      std::sort(f.rels.begin(), f.rels.end());
      for (std::size_t i = 0; i < f.rels.size(); ++i) f.sorted[i] = f.rels[i].first;
      for (std::size_t at = 0; at < f.rels.size(); at += kChunk) {
        if (p->stop.load(std::memory_order_relaxed)) return;
        const std::size_t count = std::min(kChunk, f.rels.size() - at);
        host.stat_below(f.path, std::span(f.sorted).subspan(at, count),
                        std::span(f.answers).subspan(at, count));
        for (std::size_t i = at; i < at + count; ++i) {
          const std::uint32_t at_slot = f.rels[i].second;
          p->stamps[at_slot] = f.answers[i];
          p->ready[at_slot].store(true, std::memory_order_release);
        }
      }
    }
  });
  if (!started) prefetch_.reset();
  return started;
}

std::optional<FileStamp> KernelCache::stamp(const Host& host, std::string_view path, bool record) {
  if (prefetch_) {
    const Pending* pending = (record ? unchecked_records_ : unchecked_files_).find(path);
    if (pending != nullptr && prefetch_->ready[pending->slot].load(std::memory_order_acquire)) {
      const BelowStat& answer = prefetch_->stamps[pending->slot];
      if (answer.known) {
        ++stamps_prefetched_;
        return stamp_from(answer.info);
      }
    }
  }
  return stamp_of(host, path);
}

std::string KernelCache::default_path(const Host& host) {
  std::string base;
  if (auto xdg = host.env("XDG_CACHE_HOME"); xdg && starts_with(*xdg, "/")) {
    base = *xdg;
  } else if (auto home = host.env("HOME"); home && starts_with(*home, "/")) {
    base = path_join(*home, ".cache");
  } else {
    return "";
  }
  return path_join(path_join(base, "cudafit"), "kernels-v1.tsv");
}

namespace {

// A line that passed its checksum, split: kind ("F" or "R"), path, stamp and the value field.
struct Line {
  std::string_view kind, path, value;
  FileStamp stamp;
};

std::optional<Line> checked_line(std::string_view line) {
  // Checked first, cheaply: the checksum, read as a number rather than written as text.
  auto tab = line.rfind('\t');
  if (tab == std::string_view::npos) return std::nullopt;
  auto sum = parse_hex16(line.substr(tab + 1));
  std::array<std::string_view, 5> fields;
  if (!sum || *sum != fnv1a(line.substr(0, tab)) || !split_fields(line.substr(0, tab), fields) ||
      (fields[0] != "F" && fields[0] != "R"))
    return std::nullopt;
  auto size = parse_uint(fields[2]);
  auto mtime = parse_int(fields[3]);
  if (!size || !mtime) return std::nullopt;
  return Line{fields[0], fields[1], fields[4], {*size, *mtime}};
}

std::optional<KernelCache::Containers> decoded_value(const Line& l, KernelCache::Containers*) {
  return decode_containers(l.value);
}

// Views of the line, which is a view of the cache's text: no copy of each path.
std::optional<std::vector<std::string_view>> decoded_value(const Line& l,
                                                           std::vector<std::string_view>*) {
  std::vector<std::string_view> libs = split(l.value, kListSep);
  std::erase_if(libs, [](std::string_view lib) { return lib.empty(); });
  return libs;
}

}  // namespace

void KernelCache::Unchecked::append(std::string_view path, std::string_view line) {
  if (!lines_.empty() && !(lines_.back().path < path)) sorted_ = false;
  lines_.push_back(Pending{path, line});
  ++live_;
}

void KernelCache::Unchecked::finish() {
  if (sorted_) return;
  // Not as save() writes it (an edited or damaged file): sorted, and of lines with one path
  // the last in the file kept, as a later line replaces an earlier one.
  std::stable_sort(lines_.begin(), lines_.end(),
                   [](const Pending& a, const Pending& b) { return a.path < b.path; });
  for (std::size_t i = 0; i + 1 < lines_.size(); ++i) {
    if (lines_[i].path == lines_[i + 1].path && !lines_[i].gone) erase(lines_[i]);
  }
  sorted_ = true;
}

KernelCache::Pending* KernelCache::Unchecked::find(std::string_view path) {
  std::size_t at = lines_.size();
  for (std::size_t guess : {next_, next_ + 1}) {
    if (guess < lines_.size() && lines_[guess].path == path) {
      at = guess;
      break;
    }
  }
  if (at == lines_.size()) {
    auto it = std::lower_bound(lines_.begin(), lines_.end(), path,
                               [](const Pending& p, std::string_view v) { return p.path < v; });
    if (it == lines_.end() || it->path != path) return nullptr;
    at = static_cast<std::size_t>(it - lines_.begin());
  }
  // Of equal paths (finish() left all but the last gone), the last.
  while (at + 1 < lines_.size() && lines_[at + 1].path == path) ++at;
  next_ = at;
  return lines_[at].gone ? nullptr : &lines_[at];
}

void KernelCache::Unchecked::erase(Pending& p) {
  if (p.gone) return;
  p.gone = true;
  --live_;
}

void KernelCache::Unchecked::erase(std::string_view path) {
  if (Pending* p = find(path)) erase(*p);
}

KernelCache KernelCache::load(const Host& host, std::string path) {
  KernelCache cache;
  cache.path_ = std::move(path);
  if (cache.path_.empty()) return cache;
  // Mapped, not read: no copy into zeroed memory of a file that runs to 200 kB on a large venv.
  auto file = MappedFile::open(host, cache.path_);
  if (!file) return cache;
  cache.text_ = std::move(*file);
  std::string_view rest = cache.text_->bytes();
  const bool any = !rest.empty();
  auto next_line = [&rest]() {
    auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    return line;
  };
  if (next_line() != kHeader) {
    cache.ignored_ = any ? 1 : 0;
    cache.dirty_ = any;  // rewrite a damaged file
    return cache;
  }
  while (!rest.empty()) {
    std::string_view line = next_line();
    if (line.empty()) continue;
    // Indexed by the path between the first two tabs; checked when looked up.
    Unchecked* into = nullptr;
    if (line.size() > 2 && line[1] == '\t') {
      if (line[0] == 'F') into = &cache.unchecked_files_;
      if (line[0] == 'R') into = &cache.unchecked_records_;
    }
    auto tab = line.find('\t', 2);
    if (into == nullptr || tab == std::string_view::npos) {
      cache.damaged();
      continue;
    }
    into->append(line.substr(2, tab - 2), line);
  }
  cache.unchecked_files_.finish();
  cache.unchecked_records_.finish();
  return cache;
}

void KernelCache::damaged() {
  ++ignored_;
  dirty_ = true;
}

template <typename T>
const T* KernelCache::find(PathMap<Slot<T>>& decoded, Unchecked& unchecked, std::string_view path,
                           const FileStamp& stamp) {
  if (!decoded.empty()) {  // on a warm run it is: no hash of the path needed
    if (auto it = decoded.find(path); it != decoded.end())
      return it->second.stamp == stamp ? &it->second.value : nullptr;
  }
  Pending* raw = unchecked.find(path);
  if (raw == nullptr) return nullptr;
  auto l = checked_line(raw->line);
  if (!l || l->path != path) {
    damaged();
    unchecked.erase(*raw);
    return nullptr;
  }
  if (l->stamp != stamp) {
    dirty_ = true;  // stale: put() replaces it, or save() drops it
    unchecked.erase(*raw);
    return nullptr;
  }
  auto value = decoded_value(*l, static_cast<T*>(nullptr));
  if (!value) {
    damaged();
    unchecked.erase(*raw);
    return nullptr;
  }
  // Most libraries carry no GPU code: an empty answer needs no copy, and its line stays as
  // read (save() writes it back unchanged).
  static const T kEmpty;
  if (value->empty()) return &kEmpty;
  unchecked.erase(*raw);
  return &decoded.insert_or_assign(std::string(path), Slot<T>{stamp, std::move(*value)})
              .first->second.value;
}

const KernelCache::Containers* KernelCache::find_file(std::string_view path,
                                                      const FileStamp& stamp) {
  return find(files_, unchecked_files_, path, stamp);
}

void KernelCache::put_file(std::string_view path, const FileStamp& stamp, Containers containers) {
  if (!cacheable(path)) return;
  unchecked_files_.erase(path);
  files_.insert_or_assign(std::string(path), Slot<Containers>{stamp, std::move(containers)});
  dirty_ = true;
}

const std::vector<std::string_view>* KernelCache::find_record(std::string_view path,
                                                              const FileStamp& stamp) {
  return find(records_, unchecked_records_, path, stamp);
}

void KernelCache::put_record(std::string_view path, const FileStamp& stamp,
                             std::vector<std::string> libs) {
  if (!cacheable(path)) return;
  for (const std::string& lib : libs)
    if (!cacheable(lib)) return;
  unchecked_records_.erase(path);
  std::vector<std::string_view> views;
  views.reserve(libs.size());
  for (std::string& lib : libs) views.emplace_back(put_libs_.emplace_back(std::move(lib)));
  records_.insert_or_assign(std::string(path),
                            Slot<std::vector<std::string_view>>{stamp, std::move(views)});
  dirty_ = true;
}

void KernelCache::check_all() {
  for (Unchecked* unchecked : {&unchecked_files_, &unchecked_records_}) {
    unchecked->for_each([&](Pending& p) {
      auto l = checked_line(p.line);
      if (!l || l->path != p.path || !cacheable(l->path) ||
          (l->kind != "R" && !decode_containers(l->value))) {
        damaged();
        unchecked->erase(p);
      }
    });
  }
}

Status KernelCache::save(const Host& host) {
  if (!dirty_ || path_.empty()) return Status::success();
  check_all();  // lines never looked up are kept as they are, when whole
  const std::string dir = path_dirname(path_);
  const std::string disk_dir = host.disk_path(dir);
  const std::string disk_parent = host.disk_path(path_dirname(dir));
  struct stat st {};
  if (disk_dir.empty() || disk_parent.empty() || ::stat(disk_parent.c_str(), &st) != 0 ||
      !S_ISDIR(st.st_mode)) {
    return make_error(path_dirname(dir) + ": no such folder; the kernel cache is not kept");
  }
  if (::mkdir(disk_dir.c_str(), 0755) != 0 && errno != EEXIST)
    return make_error(dir + ": cannot create it");
  std::string out(kHeader);
  out += '\n';
  // Each kind sorted by path: the decoded lines written anew, the unchecked ones as read.
  std::vector<std::pair<std::string_view, std::string>> lines;
  auto write_sorted = [&] {
    std::sort(lines.begin(), lines.end());
    for (const auto& [path, line] : lines) out += line;
    lines.clear();
  };
  auto with_sum = [](std::string line) {
    const std::uint64_t sum = fnv1a(line);
    line += '\t';
    line += hex(sum);
    line += '\n';
    return line;
  };
  for (const auto& [path, slot] : files_)
    lines.emplace_back(
        path, with_sum("F\t" + path + '\t' + std::to_string(slot.stamp.size) + '\t' +
                       std::to_string(slot.stamp.mtime_ns) + '\t' + encode_containers(slot.value)));
  unchecked_files_.for_each(
      [&](const Pending& p) { lines.emplace_back(p.path, std::string(p.line) + '\n'); });
  write_sorted();
  for (const auto& [path, slot] : records_) {
    std::string line = "R\t" + path + '\t' + std::to_string(slot.stamp.size) + '\t' +
                       std::to_string(slot.stamp.mtime_ns) + '\t';
    for (std::size_t i = 0; i < slot.value.size(); ++i) {
      if (i > 0) line += kListSep;
      line += slot.value[i];
    }
    lines.emplace_back(path, with_sum(std::move(line)));
  }
  unchecked_records_.for_each(
      [&](const Pending& p) { lines.emplace_back(p.path, std::string(p.line) + '\n'); });
  write_sorted();
  const std::string disk = host.disk_path(path_);
  const std::string tmp = disk + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << out;
    f.close();
    if (!f) {
      ::unlink(tmp.c_str());
      return make_error(tmp + ": cannot write");
    }
  }
  if (::rename(tmp.c_str(), disk.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return make_error(disk + ": cannot replace");
  }
  return Status::success();
}

}  // namespace cudafit
