// Reading one Python environment from its files: the Python version, kind, site-packages,
// sys.path order, GPU packages with their build facts, and the pins between them.
#pragma once

#include <string>
#include <vector>

#include "envs/environment.h"
#include "util/host.h"

namespace cudafit {

// What discovery already knows about a prefix.
struct EnvHint {
  std::string kind;      // "" = decide from the files
  std::string found_by;  // "VIRTUAL_ENV", "PATH", "--env", ...
  bool active = false;
  std::string interpreter;  // the bin/python that led here, if any
};

// Reads the environment whose prefix is `prefix` ("/opt/torch/.venv", "/usr"). `cwd` is the
// working folder relative PYTHONPATH entries name ("" = unknown).
Environment read_environment(const Host& host, const std::string& prefix, const EnvHint& hint,
                             const std::string& cwd = "");

// A user site (~/.local/lib/pythonX.Y/site-packages) as an environment of its own.
Environment read_user_site(const Host& host, const std::string& site_dir, const EnvHint& hint,
                           const std::string& cwd = "");

// The distributions in one folder (*.dist-info / *.egg-info), with torch & kin's build facts.
// gpu_only keeps the GPU-relevant ones (and reads METADATA only for them). Broken metadata
// becomes InstalledPackage::problem and a note.
std::vector<InstalledPackage> read_site_packages(const Host& host, const std::string& dir,
                                                 bool gpu_only, std::vector<std::string>* notes);

// GPU-relevant conda-meta records of a conda prefix (installer "conda").
std::vector<InstalledPackage> read_conda_meta(const Host& host, const std::string& prefix);

// Fills Environment::requirements from the packages' Requires-Dist (Linux x86_64 markers).
void check_requirements(Environment& env);

}  // namespace cudafit
