// Build checks: does each environment's torch build run on this driver and these GPUs?
// (cpu-only-build, driver-too-old, arch-unsupported, arch-ptx-jit)
#include <map>
#include <regex>

#include "doctor/checks.h"
#include "util/strings.h"

namespace cudafit::doctor {
namespace {

// The exact CUDA a torch build was made with: the KB's variant row, else torch.version.cuda.
std::optional<CudaVersion> build_cuda(const KnowledgeBase& kb, const InstalledPackage& torch) {
  if (torch.parsed) {
    if (const TorchVariant* v = kb.variant(torch.parsed->without_local(), build_variant(torch)))
      if (v->cuda) return v->cuda;
  }
  return torch.cuda;
}

// The highest CUDA variant of a torch release that this driver runs without caveats.
const TorchVariant* best_variant_for_driver(const KnowledgeBase& kb, const Machine& m,
                                            const Pep440Version& torch) {
  auto driver = cuda_driver(m);
  const TorchVariant* best = nullptr;
  for (const TorchVariant* v : kb.variants_of(torch)) {
    if (!v->cuda || v->index_url.empty()) continue;
    if (driver) {
      auto need = min_driver(kb, m, *v->cuda);
      if (!need || *driver < *need) continue;
    }
    if (!best || *v->cuda > *best->cuda) best = v;
  }
  return best;
}

std::string companions_args(const KnowledgeBase& kb, const Environment& env,
                            const Pep440Version& torch) {
  std::string args = "torch==" + torch.public_str();
  const TorchRelease* rel = kb.torch_release(torch);
  if (!rel) return args;
  if (env.find("torchvision") && rel->torchvision)
    args += " torchvision==" + rel->torchvision->str();
  if (env.find("torchaudio") && rel->torchaudio) args += " torchaudio==" + rel->torchaudio->str();
  return args;
}

std::string reinstall_fix(const KnowledgeBase& kb, const Machine& m, const Environment& env,
                          const InstalledPackage& torch) {
  if (torch.parsed) {
    Pep440Version pub = torch.parsed->without_local();
    if (const TorchVariant* v = best_variant_for_driver(kb, m, pub))
      return pip_install(env, companions_args(kb, env, pub) + " --index-url " + v->index_url);
    return "cudafit install torch==" + pub.public_str() +
           " (no CUDA build of this release runs here; it names one that does)";
  }
  return "cudafit install torch";
}

std::vector<CodeEntry> entries_of(const KnowledgeBase& kb, const TorchArchList& list) {
  std::vector<CodeEntry> entries;
  std::string isa;
  if (auto cuda = CudaVersion::from_variant(list.variant); cuda.ok())
    if (const CudaRelease* r = kb.cuda_release(cuda->major_minor_only())) isa = r->ptx_isa;
  for (const auto& cc : list.sass) entries.push_back(CodeEntry{cc, false, ""});
  for (const auto& cc : list.ptx) entries.push_back(CodeEntry{cc, true, isa});
  return entries;
}

// "torch 2.7.0 (cu128)": the nearest release that carries SASS for `gpu`: the first newer
// than `installed` when one exists, else the newest older one.
std::string release_serving(const KnowledgeBase& kb, const Machine& m, const ComputeCapability& gpu,
                            const Pep440Version& installed, const TorchArchList** found) {
  const TorchArchList* newer = nullptr;
  const TorchArchList* older = nullptr;
  for (const TorchArchList& l : kb.torch_arch_lists()) {
    if (l.platform != platform_of(m)) continue;
    if (serve(entries_of(kb, l), gpu, "") != CodeVerdict::kSass) continue;
    if (l.torch_from > installed) {
      if (!newer || l.torch_from < newer->torch_from) newer = &l;
    } else if (!older || l.torch_to > older->torch_to) {
      older = &l;
    }
  }
  *found = newer ? newer : older;
  if (newer)
    return "the first torch release with kernels for " + gpu.sm() + " is " +
           newer->torch_from.str() + " (" + newer->variant + ", " + newer->from.where() + ")";
  if (older)
    return "the newest torch release with kernels for " + gpu.sm() + " is " +
           older->torch_to.str() + " (" + older->variant + ", " + older->from.where() + ")";
  return "no torch release in the knowledge base has kernels for " + gpu.sm();
}

// The install command for the release release_serving() found.
std::string serving_fix(const KnowledgeBase& kb, const Environment& env, const TorchArchList* other,
                        const Pep440Version& installed) {
  if (!other) return "";
  const Pep440Version target = other->torch_from > installed ? other->torch_from : other->torch_to;
  const TorchVariant* tv = kb.variant(target, other->variant);
  if (!tv || tv->index_url.empty()) return "cudafit install torch";
  return pip_install(env, "torch==" + target.str() + " --index-url " + tv->index_url);
}

void check_cpu_only(const Context& c, const Environment& env, const InstalledPackage& torch) {
  if (torch.cuda) return;
  bool rocm = !torch.hip.empty();
  if (!torch.cpu_only && !rocm) return;
  std::vector<std::string> ev{package_label(torch) + ": torch.version.cuda = None" +
                              (rocm ? ", torch.version.hip = " + torch.hip : std::string())};
  std::string kind = rocm ? "a ROCm (AMD) build" : "a CPU-only build";
  if (c.m.gpus.empty()) {
    ev.push_back("no NVIDIA GPU found (/sys/bus/pci/devices)");
    c.add("cpu-only-build", Severity::kInfo,
          "torch " + torch.version + " in " + env_label(env) + " is " + kind +
              "; there is no NVIDIA GPU here, so that is what runs",
          std::move(ev), "");
    return;
  }
  for (const Gpu& g : c.m.gpus) ev.push_back(gpu_label(g) + " " + g.pci_id());
  c.add("cpu-only-build", Severity::kError,
        "torch " + torch.version + " in " + env_label(env) + " is " + kind +
            ": torch.cuda.is_available() is False on this NVIDIA GPU",
        std::move(ev), reinstall_fix(c.kb, c.m, env, torch));
}

void check_driver_too_old(const Context& c, const Environment& env, const InstalledPackage& torch) {
  auto driver = cuda_driver(c.m);
  if (!driver) return;  // before build_cuda: that may parse the variants table
  auto cuda = build_cuda(c.kb, torch);
  if (!cuda) return;
  auto need = min_driver(c.kb, c.m, *cuda);
  if (!need || *driver >= *need) return;
  const CudaRelease* rel = c.kb.cuda_release(*cuda);
  std::vector<std::string> ev{driver_evidence(c.m),
                              package_label(torch) + " is built with CUDA " + cuda->str(),
                              "CUDA " + cuda->str() + " needs driver >= " + need->str() +
                                  (rel ? " (" + rel->from.where() + ")" : std::string())};
  auto floor = minor_floor(c.kb, c.m, cuda->major());
  std::string fix = "upgrade the driver to >= " + need->str() + " (branch " +
                    std::to_string(need->branch()) + " or newer), or " +
                    reinstall_fix(c.kb, c.m, env, torch);
  if (floor && *driver >= *floor) {
    const MinorCompat* mc = c.kb.minor_compat_for(cuda->major());
    ev.push_back("CUDA " + std::to_string(cuda->major()) +
                 ".x minor-version compatibility from driver " + floor->str() +
                 (mc ? " (" + mc->from.where() + ")" : std::string()));
    c.add("driver-too-old", Severity::kWarning,
          "torch " + torch.version + " in " + env_label(env) + " (CUDA " + cuda->major_minor() +
              ") runs on driver " + driver->str() +
              " only through minor-version compatibility: PTX newer than the driver fails to JIT "
              "(CUDA_ERROR_UNSUPPORTED_PTX_VERSION) and APIs added after the driver's CUDA are "
              "missing",
          std::move(ev), fix);
    return;
  }
  c.add("driver-too-old", Severity::kError,
        "torch " + torch.version + " in " + env_label(env) + " needs CUDA " + cuda->major_minor() +
            ", which driver " + driver->str() +
            " cannot run: 'The NVIDIA driver on your system is too old'",
        std::move(ev), fix);
}

void add_arch_finding(const Context& c, const Environment& env, const std::string& what,
                      const Gpu& g, CodeVerdict verdict, const std::string& detail,
                      std::vector<std::string> ev, const std::string& fix) {
  if (verdict == CodeVerdict::kNone) {
    c.add("arch-unsupported", Severity::kError,
          what + " in " + env_label(env) + " has no kernels for " + gpu_label(g) +
              ": 'no kernel image is available for execution on the device'" + detail,
          std::move(ev), fix);
  } else if (verdict == CodeVerdict::kPtxJit) {
    c.add("arch-ptx-jit", Severity::kWarning,
          what + " in " + env_label(env) + " runs on " + gpu_label(g) +
              " only by JIT-compiling PTX: slow first start, and kernels may run slower" + detail,
          std::move(ev), fix);
  }
}

void check_torch_arch(const Context& c, const Environment& env, const InstalledPackage& torch) {
  if (!torch.cuda || !torch.parsed) return;
  for (const auto& k : c.kernels)
    if (k.env_path == env.path && k.package == "torch") return;  // the binary reader's view wins
  const std::string variant = build_variant(torch);
  const Pep440Version pub = torch.parsed->without_local();
  const TorchArchList* list = c.kb.arch_list(pub, variant, platform_of(c.m));
  if (!list) return;
  const auto entries = entries_of(c.kb, *list);
  const std::string isa = driver_ptx_isa(c.kb, c.m);
  for (const Gpu* g : visible_gpus(c.m)) {
    const ComputeCapability cc = *g->compute_capability.value;
    CodeVerdict v = serve(entries, cc, isa);
    if (v == CodeVerdict::kSass) continue;
    std::vector<std::string> sass_names, ptx_names;
    for (const auto& e : list->sass) sass_names.push_back(e.sm());
    for (const auto& e : list->ptx) ptx_names.push_back(e.compute());
    const std::string sass = join(sass_names, " "), ptx = join(ptx_names, " ");
    const TorchArchList* other = nullptr;
    std::string serving = release_serving(c.kb, c.m, cc, pub, &other);
    std::vector<std::string> ev{package_label(torch),
                                "torch " + pub.str() + " " + variant + " carries SASS " + sass +
                                    (ptx.empty() ? "" : ", PTX " + ptx) + " (" +
                                    list->from.where() + ")",
                                with_source(gpu_label(*g), g->compute_capability.source), serving};
    add_arch_finding(c, env, "torch " + torch.version, *g, v, "", std::move(ev),
                     serving_fix(c.kb, env, other, pub));
  }
}

// Libraries of one package that are alternatives, one per CUDA release, of which the package
// loads the one matching its CUDA (bitsandbytes' libbitsandbytes_cuda118.so ... _cuda128.so)
// share a key: the file name with the digits after "cuda"/"cu" taken out.
std::string alternative_key(const std::string& library) {
  static const std::regex kCudaTag("(cuda|cu)[0-9]+");
  return std::regex_replace(library, kCudaTag, "$1*");
}

int rank(CodeVerdict v) { return v == CodeVerdict::kNone ? 0 : v == CodeVerdict::kPtxJit ? 1 : 2; }

void check_package_kernels(const Context& c, const Environment& env) {
  // Each library is judged by its own layout (verdict/code_compat.h: uniform builds need code in
  // every container, per-arch ones in some); of alternatives (alternative_key) the best one
  // counts; a package is as weak as its weakest library.
  std::map<std::string, std::vector<const PackageKernels*>> by_package;
  for (const auto& k : c.kernels)
    if (k.env_path == env.path) by_package[k.package].push_back(&k);
  const std::string isa = driver_ptx_isa(c.kb, c.m);
  for (const auto& [name, libs] : by_package) {
    std::vector<ContainerLayout> layouts;
    layouts.reserve(libs.size());
    for (const PackageKernels* lib : libs) layouts.push_back(read_layout(lib->containers).layout);
    for (const Gpu* g : visible_gpus(c.m)) {
      const ComputeCapability cc = *g->compute_capability.value;
      // The best library of each set of alternatives.
      std::map<std::string, std::pair<const PackageKernels*, ContainerCoverage>> best;
      for (std::size_t i = 0; i < libs.size(); ++i) {
        ContainerCoverage cov = serve_containers(libs[i]->containers, layouts[i], cc, isa);
        auto [it, fresh] = best.try_emplace(alternative_key(libs[i]->library), libs[i], cov);
        if (!fresh && rank(cov.verdict) > rank(it->second.second.verdict))
          it->second = {libs[i], cov};
      }
      CodeVerdict worst = CodeVerdict::kSass;
      const PackageKernels* bad = nullptr;
      ContainerCoverage bad_cov;
      for (const auto& [key, lib_cov] : best) {
        if (rank(lib_cov.second.verdict) < rank(worst)) {
          worst = lib_cov.second.verdict;
          bad = lib_cov.first;
          bad_cov = lib_cov.second;
        }
      }
      if (bad == nullptr) continue;
      const std::size_t total = bad->containers.size();
      std::string counted;
      if (bad_cov.layout == ContainerLayout::kPerArch) {
        counted = "none of its " + std::to_string(total) +
                  " fatbin containers (built per GPU architecture) has " +
                  (worst == CodeVerdict::kNone ? "code" : "SASS") + " for " + cc.sm();
      } else {
        std::size_t n = worst == CodeVerdict::kNone ? bad_cov.containers_without_code
                                                    : bad_cov.containers_ptx_only;
        counted = std::to_string(n) + " of its " + std::to_string(total) + " fatbin containers " +
                  (worst == CodeVerdict::kNone ? "have no code" : "have only PTX") + " for " +
                  cc.sm();
      }
      std::string what = name + " " + libs.front()->version;
      std::vector<std::string> ev{bad->library + ": " + counted,
                                  with_source(gpu_label(*g), g->compute_capability.source)};
      std::string fix;
      if (name == "torch") {
        const InstalledPackage* t = env.find("torch");
        if (t && t->parsed) {
          const TorchArchList* other = nullptr;
          ev.push_back(release_serving(c.kb, c.m, cc, t->parsed->without_local(), &other));
          fix = serving_fix(c.kb, env, other, t->parsed->without_local());
        }
      } else {
        fix = "install a " + name + " build with kernels for " + cc.sm() +
              " (or build it from source with TORCH_CUDA_ARCH_LIST=\"" + cc.str() + "\")";
      }
      add_arch_finding(c, env, what, *g, worst, "", std::move(ev), fix);
    }
  }
}

}  // namespace

void check_builds(const Context& c) {
  for (const Environment& env : c.m.environments) {
    const InstalledPackage* torch = effective_torch(env);
    if (torch) {
      check_cpu_only(c, env, *torch);
      check_driver_too_old(c, env, *torch);
      check_torch_arch(c, env, *torch);
    }
    check_package_kernels(c, env);
  }
}

}  // namespace cudafit::doctor
