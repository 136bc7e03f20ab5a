// NVIDIA's compatibility rules (CUDA Compatibility guide: backward, minor-version and forward
// compatibility) and the binary-compatibility rules of code_compat.h, applied to KB facts.
#include "verdict/verdict.h"

#include <algorithm>

#include "util/strings.h"
#include "verdict/code_compat.h"
#include "verdict/python_wheels.h"

namespace cudafit {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::kOk:
      return "ok";
    case Verdict::kOkPtxJit:
      return "ok-ptx-jit";
    case Verdict::kOkMinorCompat:
      return "ok-minor-compat";
    case Verdict::kUnknown:
      return "unknown";
    case Verdict::kNeedsForwardCompat:
      return "needs-forward-compat";
    case Verdict::kNo:
      return "no";
  }
  return "unknown";
}

bool runs(Verdict v) {
  return v == Verdict::kOk || v == Verdict::kOkPtxJit || v == Verdict::kOkMinorCompat;
}

Verdict worst(Verdict a, Verdict b) { return static_cast<int>(a) > static_cast<int>(b) ? a : b; }

std::string platform_words(Platform p) {
  switch (p) {
    case Platform::kLinuxX86_64:
      return "Linux x86_64";
    case Platform::kLinuxAarch64:
      return "Linux aarch64";
    case Platform::kWindowsX86_64:
      return "Windows x86_64";
  }
  return "unknown platform";
}

namespace {

std::string at(const Provenance& p) { return " (" + p.where() + ")"; }

void merge(BuildVerdict& into, const BuildVerdict& part) {
  into.verdict = worst(into.verdict, part.verdict);
  into.why.insert(into.why.end(), part.why.begin(), part.why.end());
  into.problems.insert(into.problems.end(), part.problems.begin(), part.problems.end());
  into.caveats.insert(into.caveats.end(), part.caveats.begin(), part.caveats.end());
  if (into.needs_package.empty()) into.needs_package = part.needs_package;
}

const std::optional<DriverVersion>& min_of(const CudaRelease& r, Os os) {
  return os == Os::kWindows ? r.windows_min_driver : r.linux_min_driver;
}

std::string gpu_words(const TargetGpu& g) {
  std::string cc = g.cc.sm();
  if (g.name.empty() || g.name == cc) return cc;
  return cc + " (" + g.name + ")";
}

std::string list_ccs(const std::vector<ComputeCapability>& ccs, bool ptx) {
  std::vector<std::string> out;
  out.reserve(ccs.size());
  for (const auto& c : ccs) out.push_back(ptx ? c.compute() : c.sm());
  return out.empty() ? std::string("none") : join(out, " ");
}

}  // namespace

// The release row whose minimum the KB reports for `cuda` (for a bare major.minor that is the
// first general release of it, not its newest update).
static const CudaRelease* release_of_minimum(const KnowledgeBase& kb, const CudaVersion& cuda,
                                             Os os, const std::optional<DriverVersion>& min) {
  if (cuda.patch() >= 0 || !min) return kb.cuda_release(cuda);
  for (const auto& r : kb.cuda_releases()) {
    if (r.version.major() != cuda.major() || r.version.minor() != cuda.minor()) continue;
    const auto& m = min_of(r, os);
    if (m && *m == *min) return &r;
  }
  return kb.cuda_release(cuda);
}

std::optional<DriverVersion> minimum_driver_for(const KnowledgeBase& kb, const CudaVersion& cuda,
                                                Os os, Provenance* from) {
  auto min = kb.minimum_driver_for(cuda, os);
  if (from != nullptr) {
    if (const CudaRelease* rel = release_of_minimum(kb, cuda, os, min)) *from = rel->from;
  }
  return min;
}

std::string max_ptx_isa_for_driver(const KnowledgeBase& kb, const DriverVersion& driver, Os os) {
  auto cuda = kb.highest_cuda_for_driver(driver, os);
  if (!cuda) return {};
  const CudaRelease* rel = kb.cuda_release(*cuda);
  return rel != nullptr ? rel->ptx_isa : std::string();
}

BuildVerdict driver_verdict(const KnowledgeBase& kb, const CudaVersion& cuda,
                            const TargetMachine& m) {
  BuildVerdict v;
  const std::string os_name(to_string(m.os));
  const std::optional<DriverVersion> min = kb.minimum_driver_for(cuda, m.os);
  const CudaRelease* rel = release_of_minimum(kb, cuda, m.os, min);
  if (rel == nullptr) {
    v.verdict = Verdict::kUnknown;
    v.problems.push_back("CUDA " + cuda.str() + " is not in the knowledge base");
    return v;
  }
  std::string need = min ? "CUDA " + cuda.str() + " needs driver >= " + min->str() + " on " +
                               os_name + at(rel->from)
                         : std::string();
  if (m.no_driver) {
    v.verdict = Verdict::kNo;
    v.problems.push_back("no NVIDIA driver: a CUDA build cannot run" +
                         (need.empty() ? std::string() : "; " + need));
    return v;
  }
  if (!m.driver.known()) {
    v.why.push_back((need.empty() ? "CUDA " + rel->version.str() : need) +
                    "; the driver is unknown: assumed new enough");
    return v;
  }
  const DriverVersion& d = *m.driver.value;
  const std::string yours = "yours is " + d.str();
  if (!min) {
    v.verdict = Verdict::kUnknown;
    v.problems.push_back("the minimum " + os_name + " driver of CUDA " + rel->version.str() +
                         " is not in the knowledge base" + at(rel->from));
    return v;
  }
  if (d >= *min) {
    v.why.push_back(need + ", " + yours);
    return v;
  }
  const MinorCompat* mc = kb.minor_compat_for(cuda.major());
  const DriverVersion* floor = nullptr;
  if (mc != nullptr)
    floor = m.os == Os::kWindows ? (mc->windows_floor ? &*mc->windows_floor : nullptr)
                                 : &mc->linux_floor;
  if (floor != nullptr && d >= *floor) {
    v.verdict = Verdict::kOkMinorCompat;
    v.why.push_back(need + ", " + yours + "; CUDA " + std::to_string(cuda.major()) +
                    ".x runs on drivers >= " + floor->str() +
                    " through minor-version compatibility" + at(mc->from));
    v.caveats.push_back(
        "runs through CUDA minor-version compatibility: code that needs PTX JIT "
        "for a newer PTX ISA than driver " +
        d.str() +
        " knows fails (CUDA_ERROR_UNSUPPORTED_PTX_VERSION), and features of "
        "CUDA " +
        cuda.major_minor() + " that need a newer driver are missing");
    return v;
  }
  // Forward compatibility: the cuda-compat package on a supported branch, data-center GPUs.
  for (const auto& fc : kb.forward_compat()) {
    if (!fc.supported || fc.driver_branch != d.branch()) continue;
    if (fc.cuda.major() != cuda.major() || fc.cuda.minor() != cuda.minor()) continue;
    bool consumer = std::any_of(m.gpus.begin(), m.gpus.end(), [](const TargetGpu& g) {
      return g.datacenter.has_value() && !*g.datacenter;
    });
    if (consumer) break;
    v.verdict = Verdict::kNeedsForwardCompat;
    v.needs_package =
        "cuda-compat-" + std::to_string(cuda.major()) + "-" + std::to_string(cuda.minor());
    v.why.push_back(need + ", " + yours + "; the " + v.needs_package + " package runs CUDA " +
                    cuda.major_minor() + " on branch " + std::to_string(d.branch()) + at(fc.from));
    v.caveats.push_back("needs the " + v.needs_package +
                        " package (forward compatibility), on data-center GPUs only");
    return v;
  }
  v.verdict = Verdict::kNo;
  std::string text = "driver too old: " + need + ", " + yours;
  if (floor != nullptr) text += " (minor-version compatibility needs >= " + floor->str() + ")";
  v.problems.push_back(text);
  return v;
}

BuildVerdict arch_verdict(const KnowledgeBase& kb, const CudaVersion& cuda,
                          const TorchArchList* arch, const TargetMachine& m,
                          const std::string& label) {
  BuildVerdict v;
  if (m.no_gpu || !m.gpus_known || m.gpus.empty()) return v;
  if (arch == nullptr) {
    v.verdict = Verdict::kUnknown;
    v.problems.push_back("the GPU architectures of " + label + " are not in the knowledge base");
    return v;
  }
  std::string build_isa;
  if (const CudaRelease* rel = kb.cuda_release(cuda)) build_isa = rel->ptx_isa;
  std::vector<CodeEntry> entries;
  for (const auto& cc : arch->sass) entries.push_back({cc, false, {}});
  for (const auto& cc : arch->ptx) entries.push_back({cc, true, build_isa});
  std::string max_isa;
  if (m.driver.known()) max_isa = max_ptx_isa_for_driver(kb, *m.driver.value, m.os);
  const std::string carries =
      "SASS " + list_ccs(arch->sass, false) + ", PTX " + list_ccs(arch->ptx, true) + at(arch->from);
  for (const auto& gpu : m.gpus) {
    switch (serve(entries, gpu.cc, max_isa)) {
      case CodeVerdict::kSass:
        v.why.push_back(gpu_words(gpu) + ": " + label + " carries SASS that runs on it (" +
                        carries + ")");
        break;
      case CodeVerdict::kPtxJit:
        v.verdict = worst(v.verdict, Verdict::kOkPtxJit);
        v.why.push_back(gpu_words(gpu) + ": no SASS in " + label +
                        ", but PTX the driver can JIT (" + carries + ")");
        v.caveats.push_back(gpu_words(gpu) +
                            " runs JIT-compiled PTX: the first start is slow (minutes) and "
                            "fills the JIT cache");
        break;
      case CodeVerdict::kNone:
        v.verdict = Verdict::kNo;
        v.problems.push_back("no kernels for " + gpu_words(gpu) + " in " + label + " (" + carries +
                             ")");
        break;
    }
  }
  return v;
}

BuildVerdict verdict_for_cuda(const KnowledgeBase& kb, const CudaVersion& cuda,
                              const TargetMachine& machine, const TorchArchList* arch,
                              const std::string& label) {
  BuildVerdict v = driver_verdict(kb, cuda, machine);
  if (arch != nullptr) merge(v, arch_verdict(kb, cuda, arch, machine, label));
  return v;
}

BuildVerdict verdict_for_build(const KnowledgeBase& kb, const TorchVariant& build,
                               const TargetMachine& m) {
  BuildVerdict v;
  const std::string label = "torch " + build.torch.public_str() + " " + build.variant;
  if (std::find(build.platforms.begin(), build.platforms.end(), m.platform) ==
      build.platforms.end()) {
    v.verdict = Verdict::kNo;
    v.problems.push_back("no " + label + " wheel for " + platform_words(m.platform) +
                         at(build.from));
  }
  // Which wheels exist (torch-wheels.csv), not the range RELEASE.md calls supported.
  if (m.python.known()) {
    PythonWheelAnswer py = python_wheel_for(kb, build, m.platform, *m.python.value);
    if (py.fit == PythonFit::kNo) {
      v.verdict = Verdict::kNo;
      v.problems.push_back(py.why);
    } else if (py.fit == PythonFit::kYes) {
      v.why.push_back(py.why);
    } else {
      v.caveats.push_back(py.why);
    }
  }
  if (!build.rocm.empty()) {
    v.verdict = Verdict::kNo;
    v.problems.push_back(label + " is a ROCm build: it needs an AMD GPU");
    return v;
  }
  if (!build.cuda) {
    if (!m.gpus.empty()) {
      v.caveats.push_back("CPU-only build: the GPUs will not be used");
    }
    v.why.push_back(label + " is the CPU build" + at(build.from));
    return v;
  }
  v.why.push_back(label + " is built with CUDA " + build.cuda->str() + at(build.from));
  merge(v, driver_verdict(kb, *build.cuda, m));
  if (!m.no_gpu && m.gpus_known && !m.gpus.empty()) {
    merge(v, arch_verdict(kb, *build.cuda, kb.arch_list(build.torch, build.variant, m.platform), m,
                          label));
  } else if (m.no_gpu) {
    v.verdict = Verdict::kNo;
    v.problems.push_back("no NVIDIA GPU: " + label + " needs one (use the CPU build)");
  }
  return v;
}

}  // namespace cudafit
