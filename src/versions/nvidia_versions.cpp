// NVIDIA version numbers. Only encodings live here (how 12040 or 90100 is built); which
// versions exist is data (data/*.csv).
#include "versions/nvidia_versions.h"

#include <algorithm>
#include <iterator>

#include "util/strings.h"
#include "versions/concat.h"

namespace cudafit {

namespace {

// The largest number we accept in one dotted component: far above any real version, small
// enough that arithmetic on it cannot overflow an int.
constexpr std::uint64_t kMaxComponent = 99999999;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "12.4.1" -> {12, 4, 1}; nullopt unless it is min..max (at most 4) dot-separated decimal
// numbers. One pass over the text: the knowledge base parses a few hundred of these at start.
std::optional<std::vector<std::uint32_t>> dotted(std::string_view s, size_t min, size_t max) {
  std::uint32_t parts[4];
  size_t n = 0;
  size_t i = 0;
  for (;;) {
    const size_t start = i;
    std::uint64_t v = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (i - start == 8) return std::nullopt;  // over 8 digits
      v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
    }
    if (i == start || v > kMaxComponent || n == max || n == std::size(parts)) return std::nullopt;
    parts[n++] = static_cast<std::uint32_t>(v);
    if (i == s.size()) break;
    if (s[i++] != '.') return std::nullopt;
  }
  if (n < min) return std::nullopt;
  return std::vector<std::uint32_t>(parts, parts + n);
}

std::string quoted(std::string_view s) { return detail::concat('\'', s, '\''); }

}  // namespace

// ---- DriverVersion ----

Result<DriverVersion> DriverVersion::parse(std::string_view text) {
  std::string_view t = trim(text);
  auto parts = dotted(t, 2, 4);
  if (!parts)
    return make_error(
        detail::concat("invalid driver version ", quoted(text), " (expected like 535.104.05)"));
  DriverVersion d;
  d.parts_ = std::move(*parts);
  d.text_ = std::string(t);
  return d;
}

std::strong_ordering DriverVersion::operator<=>(const DriverVersion& other) const {
  size_t n = std::max(parts_.size(), other.parts_.size());
  for (size_t i = 0; i < n; ++i) {
    std::uint32_t a = i < parts_.size() ? parts_[i] : 0;
    std::uint32_t b = i < other.parts_.size() ? other.parts_[i] : 0;
    if (auto c = a <=> b; c != 0) return c;
  }
  return std::strong_ordering::equal;
}

Result<int> parse_driver_branch(std::string_view text) {
  std::string_view t = trim(text);
  auto bad = [&] {
    return make_error(
        detail::concat("invalid driver branch ", quoted(text), " (expected like 535 or R535)"));
  };
  if (!t.empty() && (t.front() == 'R' || t.front() == 'r')) t.remove_prefix(1);
  for (std::string_view suffix : {".xx", ".x", ".XX", ".X"})
    if (ends_with(t, suffix)) {
      t.remove_suffix(suffix.size());
      break;
    }
  // Branches are three-digit numbers today; two and four digits leave room on both sides.
  if (t.size() < 2 || t.size() > 4) return bad();
  auto n = parse_uint(t);
  if (!n || *n == 0) return bad();
  return static_cast<int>(*n);
}

// ---- CudaVersion ----

Result<CudaVersion> CudaVersion::parse(std::string_view text) {
  std::string_view t = trim(text);
  auto parts = dotted(t, 2, 3);
  if (!parts || (*parts)[0] == 0 || (*parts)[0] > 99 || (*parts)[1] > 99)
    return make_error(
        detail::concat("invalid CUDA version ", quoted(text), " (expected like 12.4 or 12.4.1)"));
  const auto& p = *parts;
  return CudaVersion(static_cast<int>(p[0]), static_cast<int>(p[1]),
                     p.size() > 2 ? static_cast<int>(p[2]) : -1);
}

Result<CudaVersion> CudaVersion::from_int(long long value) {
  // cuDriverGetVersion / CUDART_VERSION: major * 1000 + minor * 10.
  if (value < 1000 || value > 99999)
    return make_error(
        detail::concat("invalid CUDA version number ", value, " (expected like 12040)"));
  return CudaVersion(static_cast<int>(value / 1000), static_cast<int>((value % 1000) / 10));
}

Result<CudaVersion> CudaVersion::from_variant(std::string_view variant) {
  std::string_view t = trim(variant);
  if (t.size() < 2 || !iequals(t.substr(0, 2), "cu"))
    return make_error(
        detail::concat("invalid CUDA variant ", quoted(variant), " (expected like cu121)"));
  std::string_view digits = t.substr(2);
  // The last digit is the minor version: cu92 = 9.2, cu121 = 12.1, cu130 = 13.0.
  if (!all_digits(digits) || digits.size() < 2 || digits.size() > 3 || digits.front() == '0')
    return make_error(
        detail::concat("invalid CUDA variant ", quoted(variant), " (expected like cu121)"));
  int major = static_cast<int>(*parse_uint(digits.substr(0, digits.size() - 1)));
  int minor = digits.back() - '0';
  return CudaVersion(major, minor);
}

std::string CudaVersion::str() const {
  std::string out = major_minor();
  if (patch_ >= 0) out += detail::concat('.', patch_);
  return out;
}

std::string CudaVersion::major_minor() const { return detail::concat(major_, '.', minor_); }

std::string CudaVersion::variant() const { return detail::concat("cu", major_, minor_); }

std::strong_ordering CudaVersion::operator<=>(const CudaVersion& other) const {
  if (auto c = major_ <=> other.major_; c != 0) return c;
  if (auto c = minor_ <=> other.minor_; c != 0) return c;
  return std::max(patch_, 0) <=> std::max(other.patch_, 0);
}

// ---- CudnnVersion ----

Result<CudnnVersion> CudnnVersion::parse(std::string_view text) {
  std::string_view t = trim(text);
  auto parts = dotted(t, 2, 4);
  if (!parts || (*parts)[0] == 0 || (*parts)[0] > 99)
    return make_error(
        detail::concat("invalid cuDNN version ", quoted(text), " (expected like 8.9.2.26)"));
  const auto& p = *parts;
  CudnnVersion v;
  v.major_ = static_cast<int>(p[0]);
  v.minor_ = static_cast<int>(p[1]);
  v.patch_ = p.size() > 2 ? static_cast<int>(p[2]) : 0;
  v.build_ = p.size() > 3 ? static_cast<int>(p[3]) : -1;
  return v;
}

Result<CudnnVersion> CudnnVersion::from_int(long long value) {
  // CUDNN_VERSION from cudnn_version.h: up to cuDNN 8 major*1000 + minor*100 + patch
  // (8902 = 8.9.2); from cuDNN 9 major*10000 + minor*100 + patch (90100 = 9.1.0).
  // 9000..89999 fits neither encoding.
  constexpr long long kOldScale = 1000, kNewScale = 10000, kFirstNewMajor = 9;
  CudnnVersion v;
  if (value >= kOldScale && value < kFirstNewMajor * kOldScale) {
    v.major_ = static_cast<int>(value / kOldScale);
    v.minor_ = static_cast<int>((value % kOldScale) / 100);
  } else if (value >= kFirstNewMajor * kNewScale && value < 100 * kNewScale) {
    v.major_ = static_cast<int>(value / kNewScale);
    v.minor_ = static_cast<int>((value % kNewScale) / 100);
  } else {
    return make_error(
        detail::concat("invalid cuDNN version number ", value, " (expected like 8902 or 90100)"));
  }
  v.patch_ = static_cast<int>(value % 100);
  return v;
}

std::string CudnnVersion::str() const {
  std::string out = detail::concat(major_, '.', minor_, '.', patch_);
  if (build_ >= 0) out += detail::concat('.', build_);
  return out;
}

std::strong_ordering CudnnVersion::operator<=>(const CudnnVersion& other) const {
  if (auto c = major_ <=> other.major_; c != 0) return c;
  if (auto c = minor_ <=> other.minor_; c != 0) return c;
  if (auto c = patch_ <=> other.patch_; c != 0) return c;
  return std::max(build_, 0) <=> std::max(other.build_, 0);
}

// ---- ComputeCapability ----

Result<ComputeCapability> ComputeCapability::parse(std::string_view text) {
  std::string s = to_lower(trim(text));
  auto fail = [&] {
    return make_error(detail::concat("invalid compute capability ", quoted(text),
                                     " (expected like 8.6, sm_86, compute_90, 9.0a or 10.0f)"));
  };
  std::string_view t = s;
  bool prefixed = false;
  for (std::string_view prefix : {"sm_", "compute_"}) {
    if (starts_with(t, prefix)) {
      t.remove_prefix(prefix.size());
      prefixed = true;
      break;
    }
  }
  Variant variant = Variant::kPlain;
  if (!t.empty() && (t.back() == 'a' || t.back() == 'f')) {
    variant = t.back() == 'a' ? Variant::kArchSpecific : Variant::kFamily;
    t.remove_suffix(1);
  }
  std::string_view major_digits, minor_digits;
  size_t dot = t.find('.');
  if (dot != std::string_view::npos) {
    if (prefixed) return fail();  // "sm_8.6" is not a spelling nvcc knows
    major_digits = t.substr(0, dot);
    minor_digits = t.substr(dot + 1);
  } else {
    // "86" = 8.6, "120" = 12.0: the last digit is the minor version.
    if (t.size() < 2) return fail();
    major_digits = t.substr(0, t.size() - 1);
    minor_digits = t.substr(t.size() - 1);
  }
  if (!all_digits(major_digits) || !all_digits(minor_digits) || major_digits.size() > 2 ||
      minor_digits.size() != 1 || major_digits.front() == '0')
    return fail();
  int major = static_cast<int>(*parse_uint(major_digits));
  int minor = minor_digits[0] - '0';
  return ComputeCapability(major, minor, variant);
}

std::string ComputeCapability::str() const {
  std::string out = detail::concat(major_, '.', minor_);
  if (variant_ != Variant::kPlain) out += static_cast<char>(variant_);
  return out;
}

std::string ComputeCapability::sm() const {
  std::string out = detail::concat("sm_", major_, minor_);
  if (variant_ != Variant::kPlain) out += static_cast<char>(variant_);
  return out;
}

std::string ComputeCapability::compute() const {
  std::string out = detail::concat("compute_", major_, minor_);
  if (variant_ != Variant::kPlain) out += static_cast<char>(variant_);
  return out;
}

std::strong_ordering ComputeCapability::operator<=>(const ComputeCapability& other) const {
  if (auto c = major_ <=> other.major_; c != 0) return c;
  if (auto c = minor_ <=> other.minor_; c != 0) return c;
  return static_cast<char>(variant_) <=> static_cast<char>(other.variant_);
}

}  // namespace cudafit
