// NVIDIA's binary-compatibility rules for GPU code, as the CUDA Programming Guide states them:
// which SASS (cubin) and which PTX can run on a GPU of a given compute capability.
// Shared by `kernels`, `install`, `check` and `doctor`.
#pragma once

#include <string>
#include <vector>

#include "versions/nvidia_versions.h"

namespace cudafit {

// SASS for sm_XY runs on X.Z with Z >= Y (same major only); `a` only on that exact CC;
// `f` on the members of its family (e.g. sm_100f on 10.0 and 10.3; sm_120f on 12.0, 12.1).
bool sass_runs_on(const ComputeCapability& cubin, const ComputeCapability& gpu);

// PTX for compute_XY JIT-compiles for any GPU with CC >= XY (plain); `a` PTX only for that
// exact CC; `f` PTX for the family. The driver must also know the PTX ISA version (see
// ptx_isa_supported).
bool ptx_jits_to(const ComputeCapability& ptx, const ComputeCapability& gpu);

// How a GPU is served by a set of code entries.
enum class CodeVerdict { kSass, kPtxJit, kNone };

struct CodeEntry {
  ComputeCapability cc;
  bool is_ptx = false;
  std::string ptx_isa;  // "9.0" for PTX entries, "" when unknown
};

// `max_ptx_isa` is the highest PTX ISA the driver can JIT ("" = unknown: PTX counts as usable).
CodeVerdict serve(const std::vector<CodeEntry>& entries, const ComputeCapability& gpu,
                  const std::string& max_ptx_isa);

// Compares PTX ISA versions "8.4" < "8.10" numerically.
int compare_ptx_isa(const std::string& a, const std::string& b);

}  // namespace cudafit
