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

}  // namespace

void check_toolkits(const Context& c) {
  const Machine& m = c.m;
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

  if (!active || !active->version.known()) return;
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
