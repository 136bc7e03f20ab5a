// fuzz-link: cudafit_versions
// Fuzzes PEP 440 and NVIDIA version parsing: never crash, and normalization is stable
// (str() parses back to an equal version with the same text). Input: "VERSION\nSPECIFIERS".
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "versions/nvidia_versions.h"
#include "versions/pep440.h"

using namespace cudafit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view version_text = input.substr(0, input.find('\n'));
  std::string_view spec_text =
      input.find('\n') == std::string_view::npos ? input : input.substr(input.find('\n') + 1);

  auto v = Pep440Version::parse(version_text);
  if (v) {
    auto again = Pep440Version::parse(v->str());
    if (!again || !(*again == *v) || again->str() != v->str()) __builtin_trap();
    if ((*v <=> *v) != 0 || v->without_local() > *v) __builtin_trap();
    (void)v->base_version();
  }
  auto set = SpecifierSet::parse(spec_text);
  if (set) {
    auto again = SpecifierSet::parse(set->str());
    if (!again || again->str() != set->str()) __builtin_trap();
    if (v) {
      bool strict = set->contains(*v, false);
      bool loose = set->contains(*v, true);
      if (strict && !loose) __builtin_trap();  // allowing pre-releases never removes a match
    }
  }
  (void)DriverVersion::parse(version_text);
  // A bare branch is never a full version, and a branch is a positive number.
  if (auto branch = parse_driver_branch(version_text)) {
    if (*branch <= 0 || DriverVersion::parse(version_text).ok()) __builtin_trap();
  }
  (void)CudaVersion::parse(version_text);
  (void)CudaVersion::from_variant(version_text);
  (void)CudnnVersion::parse(version_text);
  if (auto cc = ComputeCapability::parse(version_text)) {
    auto again = ComputeCapability::parse(cc->str());
    if (!again || !(*again == *cc)) __builtin_trap();
  }
  return 0;
}
