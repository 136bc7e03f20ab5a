// The folders `import` searches in one Python environment, in CPython's order, from files.
//
// CPython builds sys.path as: sys.path[0] (the script's folder, or '' for -c), PYTHONPATH,
// the standard library, then what site.py adds. site.main() (Lib/site.py) calls venv()
// first, which adds a venv's own site-packages "to ensure venv takes precedence over
// user-site", then the user site (only when ENABLE_USER_SITE), then the site-packages of
// PREFIXES: the venv and its base when include-system-site-packages is "true" (the default
// when the key is absent), the venv alone otherwise, and the installation itself when not
// in a venv. Each folder is followed by the existing entries of its .pth files, read in
// sorted name order. Debian's python3 patches getsitepackages() to use dist-packages
// folders; the rules of the interpreter's own site.py are used (see site_path.cpp).
// Left out: sys.path[0], the standard library, `import` lines of .pth files.
#pragma once

#include <string>
#include <vector>

#include "util/host.h"

namespace cudafit {

// The interpreter's command-line flags that change the path. Files cannot say how a
// program starts Python; doctor assumes none.
struct InterpreterFlags {
  bool no_user_site = false;        // -s (also -I)
  bool ignore_environment = false;  // -E (also -I): PYTHONPATH and PYTHONNOUSERSITE ignored
};

struct SitePathInput {
  std::string prefix;            // sys.prefix: "/opt/venv", "/usr", a conda env
  bool venv = false;             // a pyvenv.cfg beside or above the interpreter
  std::string base_prefix;       // a venv's base installation (pyvenv.cfg `home`'s parent)
  bool venv_system_site = true;  // include-system-site-packages == "true" (lower-cased)
  std::string python;            // "3.12" or "3.12.3"
  std::string cwd;               // for relative and empty PYTHONPATH entries ("" = unknown)
  InterpreterFlags flags;
};

struct SitePathEntry {
  std::string path;
  std::string origin;  // "PYTHONPATH", "site-packages", "user site", "base site-packages",
                       // ".pth in /dir"
};

struct SitePath {
  std::vector<SitePathEntry> entries;      // in sys.path order
  std::vector<std::string> own_site_dirs;  // the prefix's own site-packages that exist
  std::string user_site;                   // the user site folder site.py computes ("" = none)
  bool user_site_enabled = false;          // ENABLE_USER_SITE (and the folder exists)
  std::string user_site_why;               // why it is or is not on the path
  std::string rules;                       // "Debian site.py" or "CPython site.py"
  std::vector<std::string> notes;          // entries that could not be placed, with reasons
};

// Pure function of the files and environment variables the Host shows.
SitePath site_path(const Host& host, const SitePathInput& in);

// PYTHONPATH, then one bare site-packages folder and its .pth entries (a user site read as
// an environment of its own).
SitePath site_dir_path(const Host& host, const std::string& dir, const std::string& cwd);

}  // namespace cudafit
