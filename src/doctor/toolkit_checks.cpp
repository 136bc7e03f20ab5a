// Toolkit checks: does the nvcc that extension builds would use match torch's CUDA?
#include "doctor/checks.h"
#include "util/strings.h"

namespace cudafit::doctor {
namespace {

std::string toolkit_label(const Toolkit& t) {
  std::string s = t.path;
  if (t.version.known())
    s += " (CUDA " + with_source(t.version.value->str(), t.version.source) + ")";
  return s;
}

// The torch extension builds would compile against (the active environment's, else any).
const InstalledPackage* build_torch(const Machine& m) {
  const InstalledPackage* any = nullptr;
  for (const Environment& env : m.environments) {
    const InstalledPackage* t = effective_torch(env);
    if (!t) continue;
    if (env.active) return t;
    if (!any) any = t;
  }
  return any;
}

// CUDA_HOME / CUDA_PATH that torch.utils.cpp_extension would use as it is, pointing at no
// toolkit: every CUDA extension build then fails looking for <it>/bin/nvcc.
void check_cuda_home(const Context& c) {
  const CudaHomeSetting& h = c.m.cuda_home;
  if (h.problem.empty()) return;
  std::vector<std::string> ev{h.var + "='" + h.value + "' (from the environment) " + h.problem};
  if (h.var == "CUDA_PATH" && !h.value.empty())
    ev.emplace_back("CUDA_HOME is not set, so CUDA_PATH is the one used");
  ev.emplace_back(
      "torch.utils.cpp_extension takes CUDA_HOME (else CUDA_PATH) as it is and runs "
      "<it>/bin/nvcc; it looks for nvcc on PATH only when neither is set");
  const InstalledPackage* torch = build_torch(c.m);
  // A toolkit with nvcc: of torch's CUDA major first, then the active one, then any.
  auto rank = [&](const Toolkit& t) {
    if (torch && torch->cuda && t.version.known() &&
        t.version.value->major() == torch->cuda->major())
      return 0;
    return t.active ? 1 : 2;
  };
  const Toolkit* pick = nullptr;
  for (const Toolkit& t : c.m.toolkits)
    if (!t.nvcc.empty() && (!pick || rank(t) < rank(*pick))) pick = &t;
  for (const Toolkit& t : c.m.toolkits)
    if (!t.nvcc.empty())
      ev.push_back("toolkit with nvcc: " + t.path +
                   (t.version.known() ? " (CUDA " + t.version.value->str() + ")" : std::string()));
  std::string fix =
      pick ? "export " + h.var + "=" + pick->path
           : "unset " + h.var + " (or install a CUDA toolkit with nvcc and point it there)";
  c.add("cuda-home-invalid", Severity::kWarning,
        h.var + "='" + h.value + "' " + h.problem +
            ": building CUDA extensions (torch.utils.cpp_extension, flash-attn, apex, ...) fails "
            "with \"nvcc not found\"",
        std::move(ev), fix);
}

}  // namespace

void check_toolkits(const Context& c) {
  const Machine& m = c.m;
  check_cuda_home(c);
  const Toolkit* active = nullptr;
  for (const Toolkit& t : m.toolkits)
    if (t.active && !active) active = &t;

  if (m.toolkits.size() > 1) {
    std::vector<std::string> ev;
    for (const Toolkit& t : m.toolkits) {
      std::string s = toolkit_label(t);
      if (t.active) s += ", active: " + join(t.active_because, "; ");
      if (t.on_ld_library_path) s += ", on LD_LIBRARY_PATH";
      ev.push_back(s);
    }
    c.add("multiple-toolkits", Severity::kInfo,
          std::to_string(m.toolkits.size()) + " CUDA toolkits installed; " +
              (active ? "active: " + active->path
                      : std::string("none is active (not on PATH, no CUDA_HOME)")),
          std::move(ev), "");
  }

  // With a broken CUDA_HOME the active toolkit is not what builds use (cuda-home-invalid).
  if (!active || !active->version.known() || !m.cuda_home.problem.empty()) return;
  const CudaVersion tk = *active->version.value;
  bool any_active_env = false;
  for (const Environment& env : m.environments) any_active_env = any_active_env || env.active;
  for (const Environment& env : m.environments) {
    if (any_active_env && !env.active) continue;
    const InstalledPackage* torch = effective_torch(env);
    if (!torch || !torch->cuda || torch->cuda->major() == tk.major()) continue;
    std::string fix;
    for (const Toolkit& t : m.toolkits)
      if (t.version.known() && t.version.value->major() == torch->cuda->major() && fix.empty())
        fix = "export CUDA_HOME=" + t.path + " PATH=" + t.path + "/bin:$PATH";
    if (fix.empty())
      fix = "install CUDA toolkit " + torch->cuda->major_minor() +
            " (e.g. sudo apt install cuda-toolkit-" + std::to_string(torch->cuda->major()) + "-" +
            std::to_string(torch->cuda->minor()) +
            ") and export CUDA_HOME to it before building extensions";
    c.add("toolkit-mismatch", Severity::kWarning,
          "the active CUDA toolkit is " + tk.major_minor() + " but torch " + torch->version +
              " in " + env_label(env) + " is built with CUDA " + torch->cuda->major_minor() +
              ": building CUDA extensions fails ('The detected CUDA version mismatches the version "
              "that was used to compile PyTorch')",
          {toolkit_label(*active) + (active->active_because.empty()
                                         ? ""
                                         : ", active: " + join(active->active_because, "; ")),
           package_label(*torch) + ": torch.version.cuda = " + torch->cuda->major_minor()},
          fix);
  }
}

}  // namespace cudafit::doctor
