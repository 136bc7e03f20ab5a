// NVIDIA's version numbers: drivers, CUDA, cuDNN and compute capabilities.
// All compare numerically, never as strings ("535.104.05" < "535.129.03" < "550.54.14").
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace cudafit {

// "535.104.05", "550.54.14", Windows "551.61", two-part "470.82". Leading zeros in a
// component are kept for printing ("05") but ignored when comparing.
class DriverVersion {
 public:
  static Result<DriverVersion> parse(std::string_view text);
  int branch() const { return parts_.empty() ? 0 : static_cast<int>(parts_[0]); }  // 535
  const std::vector<std::uint32_t>& parts() const { return parts_; }
  const std::string& str() const { return text_; }
  std::strong_ordering operator<=>(const DriverVersion& other) const;
  bool operator==(const DriverVersion& other) const { return (*this <=> other) == 0; }

 private:
  std::vector<std::uint32_t> parts_;
  std::string text_;
};

// A driver branch as users write it: "535", "R535", "r535", "535.x", "535.xx" -> 535.
// An error for anything else (a full version "535.104.05" is not a bare branch).
Result<int> parse_driver_branch(std::string_view text);

// "12.4", "12.4.1", "13.0"; from_int(12040) is what cuDriverGetVersion returns;
// from_variant("cu121") == 12.1, ("cu92") == 9.2, ("cu130") == 13.0.
class CudaVersion {
 public:
  CudaVersion() = default;
  CudaVersion(int major, int minor, int patch = -1) : major_(major), minor_(minor), patch_(patch) {}
  static Result<CudaVersion> parse(std::string_view text);
  static Result<CudaVersion> from_int(long long value);               // 12040 -> 12.4
  static Result<CudaVersion> from_variant(std::string_view variant);  // "cu121" -> 12.1
  int major() const { return major_; }
  int minor() const { return minor_; }
  int patch() const { return patch_; }  // -1 when not given
  int to_int() const { return major_ * 1000 + minor_ * 10; }
  std::string str() const;          // "12.4" or "12.4.1"
  std::string major_minor() const;  // "12.4"
  std::string variant() const;      // "cu124"
  CudaVersion major_minor_only() const { return {major_, minor_}; }
  // Compares major, minor, then patch (a missing patch counts as 0).
  std::strong_ordering operator<=>(const CudaVersion& other) const;
  bool operator==(const CudaVersion& other) const { return (*this <=> other) == 0; }

 private:
  int major_ = 0;
  int minor_ = 0;
  int patch_ = -1;
};

// "8.9.2.26", "9.1.0"; from_int(8902) (cuDNN 8 encoding major*1000+minor*100+patch) and
// from_int(90100) (cuDNN 9 encoding major*10000+minor*100+patch).
class CudnnVersion {
 public:
  static Result<CudnnVersion> parse(std::string_view text);
  static Result<CudnnVersion> from_int(long long value);
  int major() const { return major_; }
  int minor() const { return minor_; }
  int patch() const { return patch_; }
  int build() const { return build_; }  // -1 when not given
  std::string str() const;
  std::strong_ordering operator<=>(const CudnnVersion& other) const;
  bool operator==(const CudnnVersion& other) const { return (*this <=> other) == 0; }

 private:
  int major_ = 0;
  int minor_ = 0;
  int patch_ = 0;
  int build_ = -1;
};

// A compute capability or an nvcc target: "8.6", "sm_86", "compute_90", "9.0a", "sm_90a",
// "10.0f", "12.0", "120" (three digits = 12.0), "86".
class ComputeCapability {
 public:
  enum class Variant : char { kPlain = 0, kArchSpecific = 'a', kFamily = 'f' };
  ComputeCapability() = default;
  ComputeCapability(int major, int minor, Variant v = Variant::kPlain)
      : major_(major), minor_(minor), variant_(v) {}
  static Result<ComputeCapability> parse(std::string_view text);
  int major() const { return major_; }
  int minor() const { return minor_; }
  Variant variant() const { return variant_; }
  ComputeCapability plain() const { return {major_, minor_}; }
  std::string str() const;      // "8.6", "9.0a"
  std::string sm() const;       // "sm_86", "sm_90a"
  std::string compute() const;  // "compute_86"
  // Orders by major, minor, then variant (plain < a < f).
  std::strong_ordering operator<=>(const ComputeCapability& other) const;
  bool operator==(const ComputeCapability& other) const = default;

 private:
  int major_ = 0;
  int minor_ = 0;
  Variant variant_ = Variant::kPlain;
};

}  // namespace cudafit
