// --deep: a wheel's arch list from the fatbins of its CUDA library, read by ranges of that one
// member and scanned as it inflates (a libtorch_cuda.so is about a GB: never held whole; one
// fatbin container at a time is).
#include <algorithm>
#include <set>

#include "binary/bytes.h"
#include "binary/fatbin.h"
#include "update/remote_zip.h"
#include "update/sources.h"
#include "util/strings.h"

namespace cudafit {

namespace {

constexpr std::uint64_t kChunk = 8u << 20;               // compressed bytes asked per request
constexpr std::uint64_t kLargestContainer = 256u << 20;  // bigger ones are skipped, and said

// Finds fatbin containers at 8-byte-aligned offsets of a stream fed piece by piece, keeping
// only the container being gathered (and fewer than 16 bytes between containers).
class FatbinStream {
 public:
  void feed(std::string_view piece) {
    buf_.append(piece);
    for (;;) {
      if (skip_ > 0) {
        std::uint64_t n = std::min<std::uint64_t>(skip_, buf_.size());
        drop(n);
        skip_ -= n;
        if (skip_ > 0) return;
        continue;
      }
      if (need_ > 0) {
        if (buf_.size() < need_) return;
        if (auto c = parse_fatbin(std::string_view(buf_).substr(0, need_), 0, need_)) {
          c->offset = start_;
          containers.push_back(std::move(*c));
        }
        drop(need_);
        skip_ = round8(need_) - need_;  // the next container starts 8-byte aligned
        need_ = 0;
        continue;
      }
      if (!scan()) return;
    }
  }
  std::vector<FatbinContainer> containers;
  std::vector<std::string> problems;

 private:
  static std::uint64_t round8(std::uint64_t n) { return (n + 7) & ~std::uint64_t{7}; }
  void drop(std::uint64_t n) {
    n = std::min<std::uint64_t>(n, buf_.size());
    buf_.erase(0, n);
    start_ += n;
  }
  // Looks for the next container header; true when one starts at buf_[0] (need_ or skip_ set).
  bool scan() {
    using namespace bytes;
    std::uint64_t i = round8(start_) - start_;
    while (i + 16 <= buf_.size()) {
      if (u32(buf_, i) == kFatbinMagic && u16(buf_, i + 4) == 1) {
        std::uint16_t header = u16(buf_, i + 6);
        std::uint64_t payload = u64(buf_, i + 8);
        if (header >= 16 && header % 8 == 0 && payload < (std::uint64_t{1} << 40)) {
          drop(i);
          std::uint64_t total = header + payload;
          if (total > kLargestContainer) {
            problems.push_back("a fatbin container of " + std::to_string(total >> 20) +
                               " MB was skipped");
            skip_ = round8(total);
          } else {
            need_ = total;
          }
          return true;
        }
      }
      i += 8;
    }
    // Keep what a header starting at the next aligned offset could still need.
    drop(i);
    return false;
  }

  std::string buf_;
  std::uint64_t start_ = 0;  // stream offset of buf_[0]
  std::uint64_t need_ = 0;   // gathering a container of this many bytes
  std::uint64_t skip_ = 0;
};

bool is_cuda_library(std::string_view name) {
  if (!starts_with(name, "torch/lib/")) return false;
  std::string base = path_basename(name);
  bool shared =
      ends_with(base, ".so") || base.find(".so.") != std::string::npos || ends_with(base, ".dll");
  return shared &&
         (base.find("cuda") != std::string::npos || base.find("caffe2_gpu") != std::string::npos);
}

std::string join_ccs(const std::set<ComputeCapability>& ccs) {
  std::vector<std::string> out;
  out.reserve(ccs.size());
  for (const auto& c : ccs) out.push_back(c.str());
  return join(out, " ");
}

}  // namespace

MeasuredArchs measure_arch_list(Fetcher& fetch, const IndexFile& wheel,
                                const std::string& purpose) {
  MeasuredArchs out;
  // A wheel never changes: what was read from it once is kept ("sass|ptx|member").
  const std::string key = "archs " + wheel.url;
  if (auto known = fetch.remembered(key)) {
    auto parts = split(*known, '|');
    if (parts.size() == 3) {
      out.ok = true;
      out.sass = std::string(parts[0]);
      out.ptx = std::string(parts[1]);
      out.member = std::string(parts[2]);
      return out;
    }
  }
  if (fetch.offline()) {
    out.error = "offline";
    return out;
  }
  auto file = fetch.ranges(wheel.url, wheel.size, purpose);
  ZipLimits limits;
  limits.max_directory = 16u << 20;
  auto members = list_remote_zip(*file, limits);
  if (!members) {
    out.error = members.error();
    return out;
  }
  const ZipMember* lib = nullptr;
  for (const auto& m : *members)
    if (is_cuda_library(m.name) && (lib == nullptr || m.size > lib->size)) lib = &m;
  if (lib == nullptr) {
    out.error = "no CUDA library (torch/lib/*cuda*.so) in " + wheel.filename;
    return out;
  }
  FatbinStream stream;
  Status s = stream_remote_member(*file, *lib, kChunk,
                                  [&](std::string_view piece) { stream.feed(piece); });
  if (!s) {
    out.error = s.error();
    return out;
  }
  // The archs present in every container with code (LTO IR only is not code that runs).
  std::optional<std::set<ComputeCapability>> sass, ptx;
  for (const auto& c : stream.containers) {
    std::set<ComputeCapability> cs, cp;
    for (const auto& e : c.entries) {
      if (e.kind == CodeKind::kSass) cs.insert(e.cc);
      if (e.kind == CodeKind::kPtx) cp.insert(e.cc);
    }
    if (cs.empty() && cp.empty()) continue;
    auto meet = [](std::optional<std::set<ComputeCapability>>& acc,
                   const std::set<ComputeCapability>& next) {
      if (!acc) {
        acc = next;
        return;
      }
      std::set<ComputeCapability> both;
      std::set_intersection(acc->begin(), acc->end(), next.begin(), next.end(),
                            std::inserter(both, both.begin()));
      acc = std::move(both);
    };
    meet(sass, cs);
    meet(ptx, cp);
  }
  if (!sass && !ptx) {
    out.error = lib->name + " holds no fatbin with GPU code";
    return out;
  }
  out.ok = true;
  out.sass = sass ? join_ccs(*sass) : "";
  out.ptx = ptx ? join_ccs(*ptx) : "";
  out.member = lib->name;
  fetch.remember(key, out.sass + "|" + out.ptx + "|" + out.member);
  return out;
}

}  // namespace cudafit
