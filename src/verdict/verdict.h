// The one rule set that says whether a build runs on a machine: `ok`, `ok-minor-compat`,
// `ok-ptx-jit`, `needs-forward-compat` or `no`, each with the chain of facts (and the data
// rows they came from) that led to it. Shared by `install`, `check` and `doctor`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kb/kb.h"
#include "util/fact.h"
#include "versions/nvidia_versions.h"

namespace cudafit {

enum class Verdict { kOk, kOkPtxJit, kOkMinorCompat, kUnknown, kNeedsForwardCompat, kNo };
// "ok", "ok-ptx-jit", "ok-minor-compat", "unknown", "needs-forward-compat", "no".
std::string_view to_string(Verdict v);
// True for the verdicts under which the build runs as installed (ok, ok-ptx-jit,
// ok-minor-compat).
bool runs(Verdict v);
// The worse of two verdicts (the enum order: ok is best, no is worst).
Verdict worst(Verdict a, Verdict b);

// One GPU of the target machine.
struct TargetGpu {
  std::string name;  // "GeForce RTX 3050", or "sm_86" when only the CC was given
  ComputeCapability cc;
  std::optional<bool> datacenter;  // forward compatibility is for data-center GPUs
  std::string source;              // "--gpu RTX 3050 (gpus.csv:12)"
};

// The machine a verdict is for: every fact may be unknown (then `assumptions` says what
// was assumed instead).
struct TargetMachine {
  Fact<DriverVersion> driver;  // unknown: the driver check is skipped, with the assumption said
  bool no_driver = false;      // known: no NVIDIA driver at all (CPU builds only)
  Os os = Os::kLinux;
  Platform platform = Platform::kLinuxX86_64;
  Fact<std::string> python;  // "3.11"
  std::vector<TargetGpu> gpus;
  bool no_gpu = false;      // known: no NVIDIA GPU
  bool gpus_known = false;  // false: the GPUs are unknown (no arch check)
  std::vector<std::string> assumptions;
};

// A verdict with its reasons. `why` is the chain of facts ("CUDA 12.1 needs driver >=
// 530.30.02 on linux (cuda.csv:40)"); `problems` say why it does not run; `caveats` what can
// still fail when it does; `needs_package` names what must be installed
// (needs-forward-compat: "cuda-compat-12-4").
struct BuildVerdict {
  Verdict verdict = Verdict::kOk;
  std::vector<std::string> why;
  std::vector<std::string> problems;
  std::vector<std::string> caveats;
  std::string needs_package;
};

// The lowest driver a CUDA release runs on (its own minimum, not minor compatibility),
// with the row it came from. nullopt when the KB does not know the release.
std::optional<DriverVersion> minimum_driver_for(const KnowledgeBase& kb, const CudaVersion& cuda,
                                                Os os, Provenance* from = nullptr);

// The highest PTX ISA the driver can JIT ("" when unknown).
std::string max_ptx_isa_for_driver(const KnowledgeBase& kb, const DriverVersion& driver, Os os);

// Driver part only: may CUDA `cuda` run on this machine's driver?
BuildVerdict driver_verdict(const KnowledgeBase& kb, const CudaVersion& cuda,
                            const TargetMachine& machine);

// GPU-code part: does code built with `cuda` carrying `arch` (nullptr = not sourced) serve
// every GPU of the machine? `label` names the build in messages ("torch 2.7.0 cu128").
BuildVerdict arch_verdict(const KnowledgeBase& kb, const CudaVersion& cuda,
                          const TorchArchList* arch, const TargetMachine& machine,
                          const std::string& label);

// A bare CUDA build (a container image, a toolkit): the driver rule, and the arch rule when
// an arch list is given.
BuildVerdict verdict_for_cuda(const KnowledgeBase& kb, const CudaVersion& cuda,
                              const TargetMachine& machine, const TorchArchList* arch = nullptr,
                              const std::string& label = {});

// A torch wheel-index build: platform, Python, driver and GPU code.
BuildVerdict verdict_for_build(const KnowledgeBase& kb, const TorchVariant& build,
                               const TargetMachine& machine);

// "linux-x86_64" style name of a platform's wheel ("linux aarch64" in messages).
std::string platform_words(Platform p);

}  // namespace cudafit
