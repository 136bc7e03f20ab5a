// Environment: one Python environment (venv, conda env, system site-packages, user site,
// embedded Python) and the GPU-relevant packages installed in it, read from files only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/fact.h"
#include "versions/nvidia_versions.h"
#include "versions/pep440.h"

namespace cudafit {

// One installed distribution (*.dist-info / *.egg-info, or a conda-meta record).
struct InstalledPackage {
  std::string name;                     // normalized (PEP 503): "torch", "nvidia-cudnn-cu12"
  std::string version;                  // as recorded: "2.3.1+cu121"
  std::optional<Pep440Version> parsed;  // none when the version is garbage
  std::string installer;                // "pip", "uv", "conda", "" (INSTALLER file, or conda-meta)
  std::string location;                 // the site-packages folder (or conda-meta) it lives in
  std::string metadata_path;            // the .dist-info folder or conda-meta json
  std::vector<std::string> requires_dist;  // raw Requires-Dist lines
  // Build facts, when the package says them (torch/version.py, local tag, conda build string).
  std::optional<CudaVersion> cuda;  // torch.version.cuda / "+cu121" / conda "cuda11.8"
  std::string hip;                  // torch.version.hip
  bool cpu_only = false;            // torch with cuda = None (and no hip)
  std::string build;                // conda build string "py3.10_cuda11.8_cudnn8.7.0_0"
  std::string problem;              // broken metadata: why
  // Added by envs (issue 7):
  std::optional<int> cuda_major;      // "cupy-cuda12x", "jax-cuda13-plugin", "nvidia-*-cu12": 12
  std::optional<CudnnVersion> cudnn;  // conda build "cudnn8.7.0", nvidia-cudnn-cu12's version
  std::string git_version;            // torch.version.git_version
  std::string xpu;                    // torch.version.xpu
  std::string version_py;             // __version__ of torch/version.py (may add "+cu130")
};

// One Requires-Dist pin of a GPU package on another GPU package, evaluated for Linux x86_64
// with the environment's Python, against what is installed ("torch" requires
// "nvidia-cudnn-cu12==8.9.2.26"; "cuda-toolkit[cublas]" requires "nvidia-cublas==13.1.0.3.*").
struct RequirementCheck {
  std::string required_by;        // "torch", "cuda-toolkit[cublas]"
  std::string requirement;        // the line as written, without its marker
  std::string name;               // normalized name required
  std::string specifier;          // "==9.19.0.56", "" for any
  std::string installed_version;  // "" when not installed
  bool satisfied = false;
};

struct Environment {
  std::string path;          // prefix: "/opt/torch/.venv", "/usr" (system)
  std::string kind;          // "venv", "conda", "system", "user-site", "embedded", "pyenv"
  std::string found_by;      // "VIRTUAL_ENV", "PATH", "conda environments.txt", "--env"
  bool active = false;       // VIRTUAL_ENV / CONDA_PREFIX / first python on PATH
  Fact<std::string> python;  // "3.12.3" or "3.12"
  std::string interpreter;   // bin/python path
  bool include_system_site_packages = false;
  std::vector<std::string> site_packages;  // this env's own site-packages folders
  // The order `import` would search, as CPython's site.py builds it (envs/site_path.h):
  // PYTHONPATH, then a venv's own site-packages, the user site (off in a venv without
  // system site-packages), the installation's site-packages; each folder followed by its
  // .pth entries. The standard library and sys.path[0] are left out.
  std::vector<std::string> sys_path;
  std::vector<std::string> sys_path_origin;  // why each entry is there: "PYTHONPATH",
                                             // "user site", ".pth in /dir", ...
  std::string user_site;                     // the user site folder site.py computes ("" = none)
  bool user_site_on_path = false;            // ENABLE_USER_SITE and the folder exists
  std::string site_rules;                  // "Debian site.py (...); user site off: ..." (evidence)
  std::vector<InstalledPackage> packages;  // GPU-relevant ones (torch & kin, nvidia-*, ...)
  std::vector<std::string> notes;          // unreadable folders and broken metadata, with reasons
  // Added by envs (issue 7):
  std::string base_prefix;  // pyvenv.cfg `home`'s prefix ("/usr"), "" when not a venv
  std::vector<RequirementCheck> requirements;  // GPU packages' pins on GPU packages
  std::string torch_import_location;           // the sys_path entry `import torch` would load from
  std::string torch_import_version;            // its torch/version.py __version__
  std::vector<std::string> pip_over_conda;     // packages pip installed over a conda record
  Fact<std::string> cudnn;  // "9.19.0.56" (nvidia-cudnn wheel or bundled libcudnn.so.X.Y.Z)

  // With --exec: what the interpreter itself said.
  struct Verified {
    bool ran = false;
    std::string error;  // timeout, crash, import error
    std::string torch_version, torch_cuda, torch_file;
    std::string cudnn;  // e.g. "8902"
    bool cuda_available = false;
    std::vector<std::string> devices;       // names
    std::vector<std::string> capabilities;  // "9.0"
    std::vector<std::string> arch_list;     // torch.cuda.get_arch_list()
    std::string python_version;
  };
  Verified verified;

  const InstalledPackage* find(const std::string& name) const {
    for (const auto& p : packages)
      if (p.name == name) return &p;
    return nullptr;
  }
};

}  // namespace cudafit
