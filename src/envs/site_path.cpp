// sys.path as CPython's site.py builds it. Rules and their lines, from
// python/cpython:Lib/site.py@00b300c39bdf67805735006417e4c9dde562cceb:
//   main():                venv(), then ENABLE_USER_SITE = check_enableusersite(),
//                          addusersitepackages(), addsitepackages(PREFIXES).
//   venv():                pyvenv.cfg; system_site = "true" unless include-system-site-packages
//                          says otherwise (lower-cased); addsitepackages([sys.prefix]) first
//                          ("ensures venv takes precedence over user-site"); then PREFIXES is
//                          [venv] + PREFIXES when system_site == "true", else [venv] with
//                          ENABLE_USER_SITE = False.
//   check_enableusersite(): False under -s / PYTHONNOUSERSITE (sys.flags.no_user_site).
//   _getuserbase():        PYTHONUSERBASE when non-empty, else ~/.local.
//   getsitepackages():     prefix/{platlibdir, lib}/pythonX.Y/site-packages.
//   addsitedir():          append the folder unless known, then its *.pth files in sorted
//                          order; addpackage() skips "#" lines and runs "import" lines, and
//                          appends each other line (rstripped, joined to the folder) that
//                          exists and is not known yet.
// Debian's python3 (/usr/lib/python3.X/site.py) replaces getsitepackages(): for each prefix,
// lib/pythonX.Y/site-packages only inside a venv, then local/lib/pythonX.Y/dist-packages,
// lib/python3/dist-packages, lib/pythonX.Y/dist-packages.
#include "envs/site_path.h"

#include <algorithm>

#include "envs/metadata.h"
#include "util/strings.h"

namespace cudafit {

namespace {

constexpr std::size_t kSmallFile = 1u << 20;

std::string major_minor(const std::string& v) {
  auto parts = split(v, '.');
  if (parts.size() < 2) return v;
  return std::string(parts[0]) + "." + std::string(parts[1]);
}

// Which site.py the interpreter runs: Debian's (dist-packages) or CPython's, and its
// sys.platlibdir.
struct SiteRules {
  bool debian = false;
  std::string platlibdir = "lib";
  std::string name;
};

SiteRules site_rules(const Host& host, const std::string& install, const std::string& mm) {
  SiteRules r;
  const std::string site_py = install + "/lib/python" + mm + "/site.py";
  if (auto text = host.read_file(site_py, kSmallFile)) {
    // Debian's getsitepackages() names the folder as a string literal; CPython's never does.
    r.debian = text->find("\"dist-packages\"") != std::string::npos;
    r.name = std::string(r.debian ? "Debian" : "CPython") + " site.py (" + site_py + ")";
  } else {
    // A captured tree without the standard library: Debian's layout shows in its folder.
    r.debian = install == "/usr" && host.is_dir("/usr/lib/python3/dist-packages");
    r.name = std::string(r.debian ? "Debian" : "CPython") + " site.py (" + site_py +
             " not readable; " +
             (r.debian ? "/usr/lib/python3/dist-packages exists)" : "no Debian folders)");
  }
  // sys.platlibdir is "lib64" where the installation keeps lib-dynload under lib64 (Fedora,
  // openSUSE); getsitepackages() then searches lib64 before lib.
  if (!r.debian && host.is_dir(install + "/lib64/python" + mm + "/lib-dynload"))
    r.platlibdir = "lib64";
  return r;
}

std::vector<std::string> site_packages_of(const Host& host, const std::string& prefix,
                                          const std::string& mm, const SiteRules& rules,
                                          bool in_venv) {
  std::vector<std::string> dirs;
  const std::string py = "python" + mm;
  if (!host.is_dir(prefix + "/lib") && host.is_dir(prefix + "/Lib/site-packages")) {
    // A Windows layout (os.sep == '\\' branch): the prefix itself, then Lib/site-packages.
    dirs.push_back(prefix);
    dirs.push_back(prefix + "/Lib/site-packages");
    return dirs;
  }
  std::vector<std::string> libdirs{rules.platlibdir};
  if (rules.platlibdir != "lib") libdirs.emplace_back("lib");
  if (rules.debian) {
    if (in_venv) dirs.push_back(prefix + "/lib/" + py + "/site-packages");
    dirs.push_back(prefix + "/local/lib/" + py + "/dist-packages");
    dirs.push_back(prefix + "/lib/python3/dist-packages");
    for (const auto& lib : libdirs)
      dirs.push_back(prefix + "/" + lib + "/" + py + "/dist-packages");
  } else {
    for (const auto& lib : libdirs)
      dirs.push_back(prefix + "/" + lib + "/" + py + "/site-packages");
  }
  for (auto& d : dirs) d = path_normalize(d);
  return dirs;
}

class PathBuilder {
 public:
  PathBuilder(const Host& host, SitePath& out) : host_(host), out_(out) {}

  bool known(const std::string& p) const {
    return std::find(known_.begin(), known_.end(), p) != known_.end();
  }
  // removeduppaths(): every entry already on sys.path, existing or not, is known.
  void add_plain(std::string p, const std::string& origin) {
    if (known(p)) return;
    known_.push_back(p);
    out_.entries.push_back({std::move(p), origin});
  }
  // addsitedir(): the folder, then the existing entries of its .pth files.
  void add_site_dir(const std::string& dir, const std::string& origin) {
    add_plain(dir, origin);
    auto names = host_.listing(dir);
    if (!names) return;
    for (const DirEntry& e : **names) {  // list_dir is sorted by name, as sorted(names) is
      // CPython 3.13 (and security releases before it) skip hidden .pth files.
      if (!ends_with(e.name, ".pth") || starts_with(e.name, ".")) continue;
      auto text = host_.read_file(path_join(dir, e.name), kSmallFile);
      if (!text) continue;
      for (const std::string& line : parse_pth(*text)) {
        std::string entry = path_normalize(path_join(dir, line));
        if (!known(entry) && host_.exists(entry)) {
          known_.push_back(entry);
          out_.entries.push_back({entry, ".pth in " + dir});
        }
      }
    }
  }

 private:
  const Host& host_;
  SitePath& out_;
  std::vector<std::string> known_;
};

std::string env_value(const Host& host, const char* name) { return host.env(name).value_or(""); }

// PYTHONPATH (getpath): each entry made absolute against the working folder, "" is it.
void add_pythonpath(const Host& host, PathBuilder& b, SitePath& out, const std::string& cwd,
                    bool ignore_environment) {
  const std::string pythonpath = ignore_environment ? "" : env_value(host, "PYTHONPATH");
  if (pythonpath.empty()) return;
  for (std::string_view p : split(pythonpath, ':')) {
    if (!p.empty() && p.front() == '/') {
      b.add_plain(path_normalize(p), "PYTHONPATH");
    } else if (!cwd.empty()) {
      b.add_plain(path_normalize(path_join(cwd, p)), "PYTHONPATH");
    } else {
      out.notes.push_back("PYTHONPATH entry '" + std::string(p) +
                          "' is relative to a working folder that is not known: left out");
    }
  }
}

}  // namespace

SitePath site_dir_path(const Host& host, const std::string& dir, const std::string& cwd) {
  SitePath out;
  PathBuilder b(host, out);
  add_pythonpath(host, b, out, cwd, false);
  out.own_site_dirs.push_back(dir);
  b.add_site_dir(dir, "site-packages");
  return out;
}

SitePath site_path(const Host& host, const SitePathInput& in) {
  SitePath out;
  PathBuilder b(host, out);
  add_pythonpath(host, b, out, in.cwd, in.flags.ignore_environment);

  const std::string mm = major_minor(in.python);
  if (mm.empty()) {
    out.notes.push_back(in.prefix + ": Python version unknown: site-packages not placed");
    return out;
  }
  const bool venv = in.venv;
  const std::string install = venv && !in.base_prefix.empty() ? in.base_prefix : in.prefix;
  const SiteRules rules = site_rules(host, install, mm);
  out.rules = rules.name;

  // The prefix's own folders; a venv adds them before the user site (venv()).
  const auto own = site_packages_of(host, in.prefix, mm, rules, venv);
  std::vector<std::string> own_canonical;
  for (const auto& d : own) {
    if (!host.is_dir(d)) continue;
    auto canon = host.canonical(d);
    std::string key = canon ? *canon : d;
    if (std::find(own_canonical.begin(), own_canonical.end(), key) != own_canonical.end())
      continue;  // venv's lib64 -> lib link: one folder, read once
    own_canonical.push_back(key);
    out.own_site_dirs.push_back(d);
  }
  if (venv)
    for (const auto& d : own)
      if (host.is_dir(d)) b.add_site_dir(d, "site-packages");

  // ENABLE_USER_SITE.
  bool enabled = true;
  if (venv && !in.venv_system_site) {
    enabled = false;
    out.user_site_why = "off: the venv's pyvenv.cfg excludes system site-packages";
  } else if (in.flags.no_user_site) {
    enabled = false;
    out.user_site_why = "off: python -s";
  } else if (!in.flags.ignore_environment && !env_value(host, "PYTHONNOUSERSITE").empty()) {
    enabled = false;
    out.user_site_why = "off: PYTHONNOUSERSITE is set";
  }
  std::string base = env_value(host, "PYTHONUSERBASE");
  if (base.empty()) {
    if (auto home = host.env("HOME")) {
      base = home->empty() ? std::string("/.local") : path_join(*home, ".local");
    } else if (enabled) {
      out.notes.push_back("HOME is not set: the user site (from the password database) not placed");
    }
  }
  if (!base.empty()) out.user_site = path_normalize(base + "/lib/python" + mm + "/site-packages");
  if (enabled && !out.user_site.empty()) {
    if (host.is_dir(out.user_site)) {
      out.user_site_enabled = true;
      out.user_site_why = "on";
      b.add_site_dir(out.user_site, "user site");
    } else {
      out.user_site_why = "on, but the folder does not exist";
    }
  }

  // PREFIXES.
  if (!venv) {
    for (const auto& d : own)
      if (host.is_dir(d)) b.add_site_dir(d, "site-packages");
  } else if (in.venv_system_site && !in.base_prefix.empty()) {
    for (const auto& d : site_packages_of(host, in.base_prefix, mm, rules, true))
      if (host.is_dir(d)) b.add_site_dir(d, "base site-packages");
  }
  return out;
}

}  // namespace cudafit
