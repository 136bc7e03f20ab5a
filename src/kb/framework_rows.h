// Reading the free-text cells of data/frameworks.csv: a row's version column ("2.19.0",
// "0.8.0-0.11.0", "0.7.x", "0.50.x (docs ...)"), the first version in a cell, the torch a row
// pins, the CUDA builds it lists, a minimum compute capability, an arch list.
#pragma once

#include <string>
#include <string_view>

#include <optional>
#include <vector>

#include "kb/kb.h"
#include "versions/pep440.h"

namespace cudafit {

// The first version-looking token of free text: "  >=12.1 (built with 12.3)" -> "12.1".
std::string first_version_in(std::string_view text);

// Does a row's version column cover `v`? "2.19.0" (exact, local ignored), "0.8.0-0.11.0"
// (inclusive, the upper bound's own patches too), "0.7.x" (that prefix).
bool framework_row_matches(const std::string& row_version, const Pep440Version& v);

// A row's version as one version: exact ("0.0.27"), a range's top ("0.50.0-0.50.1"); none for
// "0.7.x", "main (2026-03-10+)", "CuPy v11-v12", "all".
std::optional<Pep440Version> framework_row_top(const std::string& text);

// The torch a row of a torch-pinning package (xformers, vllm) asks for: "2.3.1" -> ==2.3.1;
// "2.10.0 or later (torch >= 2.10)" and "... (>=2.10 ...)" -> >=.
std::optional<SpecifierSet> framework_torch_pin(const FrameworkRequirement& row);

// CUDA builds a cell names: "11.8.0 12.2.2 (wheel tags cu118 / cu122)", "CUDA builds 11.8.0
// 12.0.1-12.6.3" (a range covers every release between its ends: lo..hi).
struct CudaBuildRange {
  CudaVersion lo, hi;
};
std::vector<CudaBuildRange> framework_cuda_builds(const std::string& cell);

// "min CC 8.0" in the notes or the CUDA cell, or "CC 6.0+" in the CUDA cell (a note's "CC 8.0+"
// speaks of part of the package: not a minimum).
std::optional<ComputeCapability> framework_min_cc(const FrameworkRequirement& row);

// "TORCH_CUDA_ARCH_LIST '7.5 8.0+PTX' (+9.0a)" in the notes: the GPU code the wheels carry
// (arch-specific "9.0a" entries run on that very CC only and are left out).
std::optional<TorchArchList> framework_arch_list(const FrameworkRequirement& row);

}  // namespace cudafit
