// The doctor's check groups (one file each) and the helpers they share. Internal to doctor/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "doctor/doctor.h"

namespace cudafit::doctor {

struct Context {
  const Machine& m;
  const KnowledgeBase& kb;
  const std::vector<PackageKernels>& kernels;
  std::vector<Finding>& out;

  void add(std::string id, Severity severity, std::string summary,
           std::vector<std::string> evidence, std::string fix) const {
    out.push_back(
        Finding{std::move(id), severity, std::move(summary), std::move(evidence), std::move(fix)});
  }
};

void check_driver(const Context& c);       // driver_checks.cpp
void check_gpu_support(const Context& c);  // driver_checks.cpp: driver vs GPU generation
void check_builds(const Context& c);       // build_checks.cpp: cpu-only, driver-too-old, arch
void check_packages(const Context& c);     // package_checks.cpp: companions, wheels, mixes
void check_toolkits(const Context& c);     // toolkit_checks.cpp
void check_container(const Context& c);    // container_checks.cpp
void check_frameworks(const Context& c);   // framework_checks.cpp

// ---- Shared helpers (helpers.cpp) ----
// "value (from source)", or "value" when the source is empty.
std::string with_source(const std::string& value, const std::string& source);
// The driver's OS for minimum-driver lookups (WSL2 runs the Windows driver).
Os driver_os(const Machine& m);
Platform platform_of(const Machine& m);
// The running driver version (kernel module, or the user-space library on WSL2), if known.
std::optional<DriverVersion> running_driver(const Machine& m);
std::string driver_evidence(const Machine& m);
// The forward-compatibility libcuda CUDA programs load, newer than the kernel module (or null).
const ContainerInfo::CompatLib* forward_compat_in_use(const Machine& m);
// Whether NVIDIA allows that library here (data/gpus.csv data-center flag for every visible
// GPU, data/cuda-forward-compat.csv for its CUDA on the module's branch), with the evidence.
struct ForwardCompatCheck {
  std::optional<CudaVersion> cuda;  // what the compat library provides (cuda.csv)
  bool gpus_allowed = true;         // every visible GPU is a data-center product
  bool gpus_known = true;           // ... and gpus.csv lists each of them
  bool branch_allowed = false;      // a "compatible" or "native" row for (cuda, branch)
  std::vector<std::string> evidence;
  bool allowed() const { return gpus_allowed && gpus_known && branch_allowed; }
};
ForwardCompatCheck check_forward_compat(const KnowledgeBase& kb, const Machine& m,
                                        const ContainerInfo::CompatLib& lib);
// The driver CUDA programs get: the running one, or a forward-compatibility libcuda in use
// where NVIDIA allows it.
std::optional<DriverVersion> cuda_driver(const KnowledgeBase& kb, const Machine& m);
// The minimum driver for a CUDA release on this machine's OS (Linux row when the OS has none).
std::optional<DriverVersion> min_driver(const KnowledgeBase& kb, const Machine& m,
                                        const CudaVersion& cuda);
// The minor-version compatibility floor of a CUDA major on this machine's OS.
std::optional<DriverVersion> minor_floor(const KnowledgeBase& kb, const Machine& m, int cuda_major);
// Highest PTX ISA the running driver can JIT ("" = unknown).
std::string driver_ptx_isa(const KnowledgeBase& kb, const Machine& m);
// GPUs CUDA programs will see (after CUDA_VISIBLE_DEVICES), with a known compute capability.
std::vector<const Gpu*> visible_gpus(const Machine& m);
std::string gpu_label(const Gpu& g);  // "GPU 0 NVIDIA H200 (sm_90)"
// Wheel-index variant of an installed torch-like package: "cu121", "cpu", "rocm6.1", "".
std::string build_variant(const InstalledPackage& p);
// The exact install command for packages in an environment (pip, or uv for uv-made envs).
std::string pip_install(const Environment& env, const std::string& args);
std::string env_label(const Environment& env);         // "/opt/torch/.venv (venv)"
std::string package_label(const InstalledPackage& p);  // "torch 2.3.1+cu121 (.../site-packages)"
// The torch `import torch` would load in an environment (first in sys_path order), or null.
const InstalledPackage* effective_torch(const Environment& env);
// The recommended driver branch for a set of GPUs: the newest branch in the KB that still
// supports every one of them (legacy GPUs pin an older branch).
std::optional<int> recommended_branch(const KnowledgeBase& kb, const Machine& m);

}  // namespace cudafit::doctor
