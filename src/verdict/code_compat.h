// NVIDIA's binary-compatibility rules for GPU code, as the CUDA Programming Guide states them:
// which SASS (cubin) and which PTX can run on a GPU of a given compute capability.
// Shared by `kernels`, `install`, `check` and `doctor`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kb/kb.h"
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

// Compares PTX ISA versions "8.4" < "8.10" numerically (-1, 0, 1).
int compare_ptx_isa(const std::string& a, const std::string& b);

// How a library's containers divide the GPUs among them, read from the containers' target sets
// (README "kernels"). kUniform: built with one arch list (torch, torchvision, an extension);
// every container holds kernels the library launches on any GPU, so each must have code for it.
// kPerArch: containers built for subsets of GPUs, which the library picks by the GPU it runs
// on (cuBLASLt, cuDNN engines, cuFFT, cuSPARSE, NCCL); a GPU needs code in some container.
enum class ContainerLayout { kUniform, kPerArch };

struct LayoutReading {
  ContainerLayout layout = ContainerLayout::kUniform;
  std::string why;  // "every container carries sm_80 (2 of 3 just that)"
};
// Uniform when the targets in every container (the base) include a plain SASS or PTX target
// (one that more than one GPU can run) and some container carries exactly the base: the rest
// only add targets to it. Otherwise per-arch.
LayoutReading read_layout(const std::vector<std::vector<CodeEntry>>& containers);

struct ContainerCoverage {
  CodeVerdict verdict = CodeVerdict::kNone;
  ContainerLayout layout = ContainerLayout::kUniform;
  std::size_t containers_without_code = 0;  // containers the GPU cannot run at all
  std::size_t containers_ptx_only = 0;      // containers served only by PTX JIT
  std::size_t containers_sass = 0;          // containers with SASS for it
};
// Uniform: the weakest container's verdict (kNone when any lacks code). Per-arch: kSass when
// some container has SASS for the GPU, else kPtxJit when some has PTX it can JIT, else kNone.
ContainerCoverage serve_containers(const std::vector<std::vector<CodeEntry>>& containers,
                                   const ComputeCapability& gpu, const std::string& max_ptx_isa);
ContainerCoverage serve_containers(const std::vector<std::vector<CodeEntry>>& containers,
                                   ContainerLayout layout, const ComputeCapability& gpu,
                                   const std::string& max_ptx_isa);

// "uniform", "per-arch".
std::string to_string(ContainerLayout layout);

// "sass", "ptx-jit", "none".
std::string to_string(CodeVerdict v);

// The highest PTX ISA a Linux driver can JIT: that of the newest CUDA release whose Linux
// minimum driver is <= `driver` ("" when no release qualifies or none lists its ISA).
// Pass KnowledgeBase::cuda_releases().
std::string max_ptx_isa_for_driver(const std::vector<CudaRelease>& releases,
                                   const DriverVersion& driver);

}  // namespace cudafit
