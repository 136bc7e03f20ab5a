// Reading a wheel's METADATA from an index, and the pins cudafit takes from it.
#include "update/wheel_metadata.h"

#include <algorithm>
#include <set>

#include "update/remote_zip.h"
#include "util/strings.h"

namespace cudafit {

namespace {

constexpr std::uint64_t kMetadataLimit = 4u << 20;

bool is_metadata_member(std::string_view name) {
  return ends_with(name, ".dist-info/METADATA") && count_char(name, '/') == 1;
}

// The version a specifier pins exactly ("==9.20.0.48" -> 9.20.0.48), or "".
std::string exact_pin(const SpecifierSet& s) {
  for (const auto& c : s.specifiers())
    if (c.op() == Specifier::Op::kEqual && !c.wildcard()) return c.version_text();
  return "";
}

// The first version a specifier names, for a CUDA major.minor (">=12.1" -> 12.1).
std::optional<CudaVersion> cuda_of(const SpecifierSet& s) {
  for (const auto& c : s.specifiers()) {
    auto v = Pep440Version::parse(c.version_text());
    if (!v || v->release().size() < 2) continue;
    return CudaVersion(static_cast<int>(v->component(0)), static_cast<int>(v->component(1)));
  }
  return std::nullopt;
}

bool holds(const Requirement& r, std::map<std::string, std::string> env,
           const std::vector<std::string>& extras) {
  if (r.markers_hold(env)) return true;
  for (const auto& e : extras) {
    env["extra"] = e;
    if (r.markers_hold(env)) return true;
  }
  return false;
}

// nvidia-cudnn-cu12, nvidia-cudnn-cu13, nvidia-cudnn: the name without its CUDA suffix.
std::string without_cu_suffix(const std::string& name) {
  auto dash = name.rfind("-cu");
  if (dash != std::string::npos && dash + 3 < name.size() &&
      std::all_of(name.begin() + static_cast<std::ptrdiff_t>(dash) + 3, name.end(),
                  [](char c) { return c >= '0' && c <= '9'; }))
    return name.substr(0, dash);
  return name;
}

// A CPython tag's rank: newer first, the free-threaded build after its plain one.
std::pair<int, int> tag_rank(std::string_view tag) {
  if (!starts_with(tag, "cp") || tag.size() < 3) return {0, 0};
  bool threaded = tag.back() == 't';
  std::string_view digits = tag.substr(2, tag.size() - 2 - (threaded ? 1 : 0));
  if (digits.size() < 2) return {0, 0};
  auto minor = parse_uint(digits.substr(1));
  int v = (digits[0] - '0') * 1000 + (minor ? static_cast<int>(*minor) : 0);
  return {v, threaded ? 0 : 1};
}

}  // namespace

MetadataRead read_wheel_metadata(Fetcher& fetcher, const IndexFile& wheel,
                                 const std::string& purpose) {
  MetadataRead out;
  const std::string key = "metadata " + wheel.url;
  if (auto known = fetcher.remembered(key)) {
    // Kept as the way it was read, a line, then the text: rows say the same every time.
    auto nl = known->find('\n');
    out.ok = true;
    out.how = known->substr(0, nl);
    out.text = nl == std::string::npos ? "" : known->substr(nl + 1);
    return out;
  }
  if (wheel.has_metadata) {
    auto page = fetcher.immutable(wheel.url + ".metadata", purpose, kMetadataLimit);
    if (page.ok) {
      out.ok = true;
      out.text = std::move(page.body);
      out.how = "PEP 658 .metadata";
      fetcher.remember(key, out.how + "\n" + out.text);
      return out;
    }
    if (page.failure == HttpFailure::kOffline) {
      out.failure = page.failure;
      out.error = wheel.url + ".metadata: " + page.error;
      return out;
    }
    // Announced but not there: the wheel itself still has it.
  }
  if (fetcher.offline()) {
    out.failure = HttpFailure::kOffline;
    out.error = wheel.url + ": its METADATA is not in the cache (--offline)";
    return out;
  }
  auto file = fetcher.ranges(wheel.url, wheel.size, purpose);
  ZipLimits limits;
  limits.max_member = kMetadataLimit;
  auto member = find_remote_member(*file, is_metadata_member, limits);
  if (!member) {
    out.failure = HttpFailure::kOther;
    out.error = wheel.filename + ": " + member.error();
    return out;
  }
  auto text = read_remote_member(*file, *member, limits);
  if (!text) {
    out.failure = HttpFailure::kOther;
    out.error = wheel.filename + ": " + text.error();
    return out;
  }
  out.ok = true;
  out.text = std::move(text).value();
  out.how = "ranges of the wheel";
  fetcher.remember(key, out.how + "\n" + out.text);
  return out;
}

Result<WheelMetadata> parse_wheel_metadata(std::string_view text) {
  WheelMetadata m;
  bool any = false;
  // RFC 822 style header, up to the first blank line; continuation lines start with space.
  std::string last;
  for (auto raw : split_lines(text)) {
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = to_lower(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    any = true;
    if (key == "name") {
      m.name = std::string(value);
    } else if (key == "version") {
      m.version = std::string(value);
    } else if (key == "requires-python") {
      m.requires_python = std::string(value);
    } else if (key == "requires-dist") {
      auto r = Requirement::parse(value);
      if (r) m.requires_dist.push_back(std::move(r).value());
    }
  }
  if (!any || m.name.empty() || m.version.empty())
    return make_error("not a METADATA file (no Name and Version)");
  return m;
}

std::map<std::string, std::string> marker_env(Platform platform, std::string_view python) {
  std::map<std::string, std::string> env{
      {"python_version", std::string(python)},
      {"python_full_version", std::string(python) + ".0"},
      {"implementation_name", "cpython"},
      {"platform_python_implementation", "CPython"},
      {"extra", ""},
  };
  switch (platform) {
    case Platform::kLinuxX86_64:
      env.insert({{"platform_system", "Linux"},
                  {"sys_platform", "linux"},
                  {"platform_machine", "x86_64"},
                  {"os_name", "posix"}});
      break;
    case Platform::kLinuxAarch64:
      env.insert({{"platform_system", "Linux"},
                  {"sys_platform", "linux"},
                  {"platform_machine", "aarch64"},
                  {"os_name", "posix"}});
      break;
    case Platform::kWindowsX86_64:
      env.insert({{"platform_system", "Windows"},
                  {"sys_platform", "win32"},
                  {"platform_machine", "AMD64"},
                  {"os_name", "nt"}});
      break;
  }
  return env;
}

BuildPins build_pins(const WheelMetadata& m, const std::map<std::string, std::string>& env,
                     const std::vector<std::string>& extras) {
  BuildPins p;
  for (const auto& r : m.requires_dist) {
    if (!holds(r, env, extras)) continue;
    std::string name = r.normalized_name();
    std::string base = without_cu_suffix(name);
    if (name == "cuda-toolkit" || base == "nvidia-cuda-runtime") {
      auto cuda = cuda_of(r.specifier);
      // cuda-toolkit names the toolkit itself: it wins over the runtime's own number.
      if (cuda && (!p.cuda || name == "cuda-toolkit")) {
        p.cuda = cuda;
        p.cuda_pin = r.str();
        p.cuda_spec = r.specifier.str();
      }
    } else if (base == "nvidia-cudnn") {
      p.cudnn = exact_pin(r.specifier);
      p.cudnn_spec = r.specifier.str();
    } else if (base == "nvidia-nccl") {
      p.nccl = exact_pin(r.specifier);
    } else if (name == "triton" || name == "pytorch-triton") {
      p.triton = exact_pin(r.specifier);
      if (p.triton.empty()) p.triton = r.specifier.str();  // "~=3.8.0"
    }
  }
  return p;
}

std::string requirement_on(const WheelMetadata& m, std::string_view dependency) {
  std::string want = normalize_package_name(dependency);
  std::set<std::string> found;
  for (const auto& r : m.requires_dist) {
    if (r.normalized_name() != want) continue;
    found.insert(std::string(dependency) + r.specifier.str());
  }
  if (found.empty()) return "none";
  return join(std::vector<std::string>(found.begin(), found.end()), " | ");
}

const IndexFile* pick_wheel(const std::vector<const IndexFile*>& files,
                            std::optional<Platform> platform) {
  const IndexFile* best = nullptr;
  std::tuple<int, std::pair<int, int>, std::uint64_t> best_rank{};
  for (const IndexFile* f : files) {
    auto w = parse_wheel_name(f->filename);
    if (!w) continue;
    int where = w->platform == platform                 ? 0
                : w->any_platform                       ? 1
                : w->platform == Platform::kLinuxX86_64 ? 2
                                                        : (w->platform ? 3 : 4);
    std::pair<int, int> newest{0, 0};
    for (const auto& t : w->cpython) newest = std::max(newest, tag_rank(t));
    if (w->cpython.empty() && starts_with(w->python_tag, "py3")) newest = {1, 1};
    // Lower is better: platform match, then the newest plain CPython, then the smallest file.
    std::tuple<int, std::pair<int, int>, std::uint64_t> rank{
        where, {-newest.first, -newest.second}, f->size};
    if (best == nullptr || rank < best_rank) {
      best = f;
      best_rank = rank;
    }
  }
  return best;
}

}  // namespace cudafit
