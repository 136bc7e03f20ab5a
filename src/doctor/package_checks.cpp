// Package checks inside one environment: companion versions, nvidia-* wheel pins, conda/pip
// mixes and shadowed installs.
#include <algorithm>

#include "doctor/checks.h"
#include "util/host.h"
#include "util/strings.h"

namespace cudafit::doctor {
namespace {

bool is_local_build_tag(const InstalledPackage& p) {
  if (!p.parsed) return false;
  for (const auto& part : p.parsed->local())
    if (starts_with(part, "cu") || starts_with(part, "cpu") || starts_with(part, "rocm"))
      return true;
  return false;
}

void check_companions(const Context& c, const Environment& env, const InstalledPackage& torch) {
  if (!torch.parsed) return;
  const Pep440Version pub = torch.parsed->without_local();
  const TorchRelease* rel = c.kb.torch_release(pub);
  const std::string tvar = build_variant(torch);
  std::vector<std::string> ev;
  bool bad = false;
  for (const char* name : {"torchvision", "torchaudio"}) {
    const InstalledPackage* comp = env.find(name);
    if (!comp || !comp->parsed) continue;
    std::optional<Pep440Version> want;
    if (rel) want = std::string(name) == "torchvision" ? rel->torchvision : rel->torchaudio;
    if (want && comp->parsed->without_local().base_version() != want->base_version()) {
      bad = true;
      ev.push_back(package_label(*comp) + ", but torch " + pub.str() + " was released with " +
                   name + " " + want->str() + " (" + rel->from.where() + ")");
    }
    const std::string cvar = build_variant(*comp);
    // Compare CUDA tags only where both say one (a plain PyPI version with no version.py says
    // nothing).
    if (!tvar.empty() && !cvar.empty() && cvar != tvar &&
        (is_local_build_tag(*comp) || comp->cuda) && (is_local_build_tag(torch) || torch.cuda)) {
      bad = true;
      ev.push_back(package_label(*comp) + " is built for " + cvar + ", torch " + torch.version +
                   " for " + tvar +
                   " (ops fail: 'Detected that PyTorch and torchvision were compiled "
                   "with different CUDA versions')");
    }
  }
  if (!bad) return;
  std::string args;
  if (rel && rel->torchvision && env.find("torchvision"))
    args += "torchvision==" + rel->torchvision->str();
  if (rel && rel->torchaudio && env.find("torchaudio"))
    args += std::string(args.empty() ? "" : " ") + "torchaudio==" + rel->torchaudio->str();
  std::string fix;
  if (!args.empty()) {
    const TorchVariant* v = c.kb.variant(pub, tvar);
    fix =
        pip_install(env, args + (v && !v->index_url.empty() ? " --index-url " + v->index_url : ""));
  } else {
    fix = "cudafit install torch==" + pub.str() + " (prints the companions released with it)";
  }
  c.add("companion-mismatch", Severity::kError,
        "torchvision/torchaudio in " + env_label(env) + " do not match torch " + torch.version,
        std::move(ev), fix);
}

bool pinned_wheel(const std::string& name) {
  return starts_with(name, "nvidia-") || name == "cuda-toolkit";
}

// Unsatisfied Requires-Dist pins on nvidia-* wheels (envs evaluated them for this environment).
void check_wheel_pins(const Context& c, const Environment& env) {
  std::vector<std::string> ev, args, by;
  for (const RequirementCheck& r : env.requirements) {
    if (r.satisfied || !pinned_wheel(r.name)) continue;
    if (r.installed_version.empty() && !starts_with(r.name, "nvidia-")) continue;
    ev.push_back(r.required_by + " requires " + r.requirement + ", " +
                 (r.installed_version.empty()
                      ? std::string("which is not installed")
                      : "installed: " + r.name + " " + r.installed_version));
    std::string arg = "\"" + r.name + r.specifier + "\"";
    if (std::find(args.begin(), args.end(), arg) == args.end()) args.push_back(arg);
    if (std::find(by.begin(), by.end(), r.required_by) == by.end()) by.push_back(r.required_by);
  }
  if (ev.empty()) return;
  c.add("nvidia-wheel-mismatch", Severity::kError,
        "the nvidia-* wheels in " + env_label(env) + " disagree with the pins of " +
            join(by, ", ") +
            ": expect 'undefined symbol: __nvJitLink...' or cuDNN/cuBLAS load errors",
        std::move(ev), pip_install(env, join(args, " ")));
}

bool from_conda(const InstalledPackage& p) {
  return p.installer == "conda" || p.metadata_path.find("conda-meta") != std::string::npos;
}

void check_conda_pip_mix(const Context& c, const Environment& env) {
  const InstalledPackage* conda_torch = nullptr;
  const InstalledPackage* pip_torch = nullptr;
  for (const auto& p : env.packages) {
    if (p.name != "torch" && p.name != "pytorch") continue;
    if (from_conda(p)) {
      if (!conda_torch) conda_torch = &p;
    } else if (p.name == "torch" && (p.installer == "pip" || p.installer == "uv")) {
      if (!pip_torch) pip_torch = &p;
    }
  }
  const bool envs_saw = std::find(env.pip_over_conda.begin(), env.pip_over_conda.end(), "torch") !=
                        env.pip_over_conda.end();
  if (!conda_torch || (!pip_torch && !envs_saw)) return;
  if (!pip_torch) pip_torch = env.find("torch");
  if (!pip_torch) return;
  c.add("conda-pip-mix", Severity::kError,
        "torch in " + env_label(env) + " is installed by both conda and " + pip_torch->installer +
            ": they overwrite each other's files and CUDA libraries",
        {"conda: " + package_label(*conda_torch) +
             (conda_torch->build.empty() ? "" : " build " + conda_torch->build),
         pip_torch->installer + ": " + package_label(*pip_torch)},
        "keep one: " + (env.interpreter.empty() ? std::string("python") : env.interpreter) +
            " -m pip uninstall -y torch (keeps conda's pytorch), or conda remove -p " + env.path +
            " --force pytorch (keeps pip's); then cudafit install torch");
}

bool under(const std::string& path, const std::vector<std::string>& dirs) {
  for (const auto& d : dirs)
    if (!d.empty() && (path == d || starts_with(path, d + "/"))) return true;
  return false;
}

void check_shadowed(const Context& c, const Environment& env) {
  const InstalledPackage* own = nullptr;
  for (const auto& p : env.packages)
    if (p.name == "torch" && !own && under(p.location, env.site_packages)) own = &p;
  if (!own) return;
  const InstalledPackage* eff = effective_torch(env);
  std::string loaded_from, loaded_version;
  if (!env.torch_import_location.empty() && env.torch_import_location != own->location) {
    loaded_from = env.torch_import_location;
    loaded_version = env.torch_import_version;
  } else if (eff && eff != own && eff->location != own->location) {
    loaded_from = eff->location;
    loaded_version = eff->version;
  } else if (env.verified.ran && !env.verified.torch_file.empty() &&
             !under(env.verified.torch_file, env.site_packages)) {
    loaded_from = path_dirname(path_dirname(env.verified.torch_file));
    loaded_version = env.verified.torch_version;
  }
  if (loaded_from.empty()) return;
  std::vector<std::string> ev{
      "the environment's own: " + package_label(*own),
      "first on sys.path with a torch package: " + loaded_from +
          (loaded_version.empty() ? "" : " (torch " + loaded_version + ")")};
  if (!env.sys_path.empty()) {
    std::vector<std::string> order;
    for (std::size_t i = 0; i < env.sys_path.size(); ++i)
      order.push_back(env.sys_path[i] + (i < env.sys_path_origin.size()
                                             ? " (" + env.sys_path_origin[i] + ")"
                                             : std::string()));
    ev.push_back("sys.path order: " + join(order, ", "));
  }
  if (!env.site_rules.empty()) ev.push_back("rules: " + env.site_rules);
  if (env.verified.ran && !env.verified.torch_file.empty())
    ev.push_back("import torch loads " + env.verified.torch_file + " (from running " +
                 env.interpreter + ")");
  const bool same = !loaded_version.empty() && loaded_version == own->version;
  std::string fix;
  if (loaded_from.find("/.local/lib/python") != std::string::npos)
    fix = "python3 -m pip uninstall --user torch (or export PYTHONNOUSERSITE=1)";
  else
    fix = "remove " + loaded_from +
          " from PYTHONPATH (unset PYTHONPATH) or from the .pth file that adds it";
  c.add("shadowed-install", same ? Severity::kWarning : Severity::kError,
        "import torch in " + env_label(env) + " loads " +
            (loaded_version.empty() ? std::string("torch") : "torch " + loaded_version) + " from " +
            loaded_from + ", not the environment's own torch " + own->version,
        std::move(ev), fix);
}

}  // namespace

void check_packages(const Context& c) {
  for (const Environment& env : c.m.environments) {
    if (const InstalledPackage* torch = effective_torch(env)) {
      check_companions(c, env, *torch);
    }
    check_wheel_pins(c, env);
    check_conda_pip_mix(c, env);
    check_shadowed(c, env);
  }
}

}  // namespace cudafit::doctor
