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

// More containers than any real library carries (cuFFT: about 24,000): a count past it is damage,
// and would otherwise make a few bytes of cache allocate gigabytes.
constexpr std::uint64_t kMaxContainers = 1u << 20;

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
    if (!entries || count > kMaxContainers - out.size()) return std::nullopt;
    // A run split in two is not how encode writes it.
    if (!out.empty() && same_entries(out[last_run_start], *entries)) return std::nullopt;
    last_run_start = out.size();
    for (std::uint64_t k = 1; k < count; ++k) out.push_back(*entries);
    out.push_back(std::move(*entries));
  }
  return out;
}

std::optional<FileStamp> stamp_of(const Host& host, const std::string& path) {
  // Through the host: under a root the lstat of each component has been taken already (the
  // folder walk that found the file), so the stamp costs no further call to the kernel.
  auto info = host.stat(path);
  // A host that knows no time (MemoryHost) gives no stamp: nothing is cached from it.
  if (!info || info->type != FileType::kFile || info->mtime_ns == 0) return std::nullopt;
  return FileStamp{info->size, info->mtime_ns};
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

KernelCache KernelCache::load(const Host& host, std::string path) {
  KernelCache cache;
  cache.path_ = std::move(path);
  if (cache.path_.empty()) return cache;
  auto text = host.read_file(cache.path_);
  if (!text) return cache;
  auto lines = split_lines(*text);
  cache.files_.reserve(lines.size());
  if (lines.empty() || lines.front() != kHeader) {
    cache.ignored_ = lines.size();
    cache.dirty_ = !lines.empty();  // rewrite a damaged file
    return cache;
  }
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.empty()) continue;
    // Checked first, cheaply: the checksum, read as a number rather than written as text.
    auto tab = line.rfind('\t');
    std::array<std::string_view, 5> fields;
    auto sum = tab == std::string_view::npos ? std::nullopt : parse_hex16(line.substr(tab + 1));
    bool ok = sum && *sum == fnv1a(line.substr(0, tab)) &&
              split_fields(line.substr(0, tab), fields) && (fields[0] == "F" || fields[0] == "R");
    std::optional<std::uint64_t> size;
    std::optional<std::int64_t> mtime;
    if (ok) {
      size = parse_uint(fields[2]);
      mtime = parse_int(fields[3]);
      ok = size && mtime && cacheable(fields[1]);
    }
    if (ok && fields[0] == "F") {
      auto containers = decode_containers(fields[4]);
      ok = containers.has_value();
      if (ok) cache.files_[std::string(fields[1])] = {{*size, *mtime}, std::move(*containers)};
    } else if (ok) {
      std::vector<std::string> libs;
      for (std::string_view lib : split(fields[4], kListSep)) {
        if (!lib.empty()) libs.emplace_back(lib);
      }
      cache.records_[std::string(fields[1])] = {{*size, *mtime}, std::move(libs)};
    }
    if (!ok) {
      ++cache.ignored_;
      cache.dirty_ = true;
    }
  }
  return cache;
}

const KernelCache::Containers* KernelCache::find_file(const std::string& path,
                                                      const FileStamp& stamp) const {
  auto it = files_.find(path);
  return it != files_.end() && it->second.stamp == stamp ? &it->second.value : nullptr;
}

void KernelCache::put_file(const std::string& path, const FileStamp& stamp, Containers containers) {
  if (!cacheable(path)) return;
  files_[path] = {stamp, std::move(containers)};
  dirty_ = true;
}

const std::vector<std::string>* KernelCache::find_record(const std::string& path,
                                                         const FileStamp& stamp) const {
  auto it = records_.find(path);
  return it != records_.end() && it->second.stamp == stamp ? &it->second.value : nullptr;
}

void KernelCache::put_record(const std::string& path, const FileStamp& stamp,
                             std::vector<std::string> libs) {
  if (!cacheable(path)) return;
  for (const std::string& lib : libs)
    if (!cacheable(lib)) return;
  records_[path] = {stamp, std::move(libs)};
  dirty_ = true;
}

Status KernelCache::save(const Host& host) const {
  if (!dirty_ || path_.empty()) return Status::success();
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
  auto add = [&out](const std::string& line) {
    std::uint64_t sum = fnv1a(line);
    out += line + '\t' + hex(sum) + '\n';
  };
  std::vector<const std::string*> keys;
  keys.reserve(files_.size());
  for (const auto& kv : files_) keys.push_back(&kv.first);
  std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
  for (const std::string* key : keys) {
    const std::string& path = *key;
    const auto& slot = files_.at(path);
    add("F\t" + path + '\t' + std::to_string(slot.stamp.size) + '\t' +
        std::to_string(slot.stamp.mtime_ns) + '\t' + encode_containers(slot.value));
  }
  keys.clear();
  for (const auto& kv : records_) keys.push_back(&kv.first);
  std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
  for (const std::string* key : keys) {
    const std::string& path = *key;
    const auto& slot = records_.at(path);
    add("R\t" + path + '\t' + std::to_string(slot.stamp.size) + '\t' +
        std::to_string(slot.stamp.mtime_ns) + '\t' + join(slot.value, std::string(1, kListSep)));
  }
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
