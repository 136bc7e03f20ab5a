// One environment: kind, Python version, site-packages, sys.path order and packages.
#include "envs/read_env.h"

#include <algorithm>
#include <regex>

#include "envs/metadata.h"
#include "envs/site_path.h"
#include "util/strings.h"

namespace cudafit {

namespace {

constexpr std::size_t kSmallFile = 1u << 20;

// "python3.12" -> "3.12"; "" when the name is not pythonX.Y (python\d+\.\d+).
std::string version_from_python_name(std::string_view name) {
  if (!starts_with(name, "python")) return {};
  std::string_view v = name.substr(6);
  size_t major = leading_digits(v);
  if (major == 0 || major >= v.size() || v[major] != '.') return {};
  size_t minor = leading_digits(v.substr(major + 1));
  if (minor == 0 || major + 1 + minor != v.size()) return {};
  return std::string(v);
}

// "libcudnn.so.9.1.0" -> "9.1.0"; "" otherwise (libcudnn\.so\.(\d+\.\d+\.\d+)).
std::string cudnn_lib_version(std::string_view name) {
  if (!starts_with(name, "libcudnn.so.")) return {};
  std::string_view v = name.substr(12);
  size_t at = 0;
  for (int part = 0; part < 3; ++part) {
    size_t n = leading_digits(v.substr(at));
    if (n == 0) return {};
    at += n;
    if (part < 2) {
      if (at >= v.size() || v[at] != '.') return {};
      ++at;
    }
  }
  return at == v.size() ? std::string(v) : std::string();
}

// Highest pythonX.Y folder in `lib_dir` that has a site-packages (or any, as a fallback).
std::string version_from_lib(const Host& host, const std::string& lib_dir) {
  auto entries = host.list_dir(lib_dir);
  if (!entries) return {};
  std::string best, best_any;
  auto newer = [](const std::string& a, const std::string& b) {
    auto pa = Pep440Version::parse(a), pb = Pep440Version::parse(b);
    return b.empty() || (pa && pb && *pa > *pb);
  };
  for (const DirEntry& e : *entries) {
    std::string v = version_from_python_name(e.name);
    if (v.empty()) continue;
    if (newer(v, best_any)) best_any = v;
    if (host.is_dir(path_join(lib_dir, e.name + "/site-packages")) && newer(v, best)) best = v;
  }
  return best.empty() ? best_any : best;
}

// ComfyUI portable's python_embeded: python311._pth / python311.dll -> "3.11".
std::string embedded_python(const Host& host, const std::string& prefix, std::string* pth) {
  auto entries = host.list_dir(prefix);
  if (!entries) return {};
  static const std::regex kName("python(\\d)(\\d+)\\.(_pth|dll|zip)");
  for (const DirEntry& e : *entries) {
    std::smatch m;
    if (std::regex_match(e.name, m, kName)) {
      if (m[3] == "_pth" && pth) *pth = path_join(prefix, e.name);
      if (m[3] == "_pth" || !pth) return m[1].str() + "." + m[2].str();
    }
  }
  for (const DirEntry& e : *entries) {
    std::smatch m;
    if (std::regex_match(e.name, m, kName)) return m[1].str() + "." + m[2].str();
  }
  return {};
}

void python_version(const Host& host, Environment& env,
                    const std::map<std::string, std::string>& cfg) {
  for (const char* key : {"version_info", "version"}) {
    if (auto it = cfg.find(key); it != cfg.end() && !it->second.empty()) {
      env.python = Fact<std::string>::of(it->second, path_join(env.path, "pyvenv.cfg"));
      return;
    }
  }
  if (auto entries = host.list_dir(path_join(env.path, "conda-meta"))) {
    for (const DirEntry& e : *entries) {
      auto rec = parse_conda_file_name(e.name);
      if (rec && rec->name == "python") {
        env.python =
            Fact<std::string>::of(rec->version, path_join(env.path, "conda-meta/" + e.name));
        return;
      }
    }
  }
  if (!env.interpreter.empty()) {
    auto target = host.canonical(env.interpreter);
    std::string v = version_from_python_name(path_basename(target ? *target : env.interpreter));
    if (!v.empty()) {
      env.python = Fact<std::string>::of(v, env.interpreter);
      return;
    }
  }
  std::string lib = path_join(env.path, "lib");
  std::string v = version_from_lib(host, lib);
  if (!v.empty()) {
    env.python = Fact<std::string>::of(v, lib + "/python" + v);
    return;
  }
  env.python =
      Fact<std::string>::unknown("no pyvenv.cfg, conda-meta python record or lib/pythonX.Y");
}

void find_torch_import(const Host& host, Environment& env) {
  for (const std::string& entry : env.sys_path) {
    if (!host.exists(path_join(entry, "torch/__init__.py"))) continue;
    env.torch_import_location = entry;
    const InstalledPackage* mine = env.find("torch");
    if (mine && mine->location == entry && !mine->version_py.empty()) {
      env.torch_import_version = mine->version_py;  // already read
      return;
    }
    auto text = host.read_file(path_join(entry, "torch/version.py"), kSmallFile);
    if (text) {
      auto vars = parse_python_assignments(*text);
      if (auto it = vars.find("__version__"); it != vars.end() && it->second)
        env.torch_import_version = *it->second;
    }
    const InstalledPackage* own = env.find("torch");
    if (own && own->location != entry && own->installer != "conda")
      env.notes.push_back("import torch loads " + entry + "/torch (" + env.torch_import_version +
                          "), not this environment's " + own->version + " in " + own->location);
    return;
  }
}

// cuDNN: the nvidia-cudnn wheel's version, else a bundled libcudnn.so.X.Y.Z next to torch.
void find_cudnn(const Host& host, Environment& env) {
  for (const auto& p : env.packages) {
    if ((starts_with(p.name, "nvidia-cudnn") || p.name == "cudnn") && p.problem.empty()) {
      env.cudnn = Fact<std::string>::of(p.version, p.metadata_path);
      return;
    }
  }
  const InstalledPackage* torch = env.find("torch");
  if (!torch) return;
  std::string lib = path_join(torch->location, "torch/lib");
  auto entries = host.list_dir(lib);
  if (!entries) return;
  for (const DirEntry& e : *entries) {
    if (std::string v = cudnn_lib_version(e.name); !v.empty()) {
      env.cudnn = Fact<std::string>::of(v, path_join(lib, e.name));
      return;
    }
  }
}

void find_pip_over_conda(Environment& env) {
  for (const auto& rec : env.packages) {
    if (rec.installer != "conda") continue;
    std::string pip_name = rec.name == "pytorch" ? "torch" : rec.name;
    for (const auto& p : env.packages) {
      if (p.name == pip_name && p.installer != "conda" && !p.installer.empty()) {
        env.pip_over_conda.push_back(p.name);
        env.notes.push_back(p.installer + " installed " + p.name + " " + p.version +
                            " over conda's " + rec.name + " " + rec.version + " (" + rec.build +
                            ")");
      }
    }
  }
}

std::string kind_of(const Host& host, const std::string& prefix, bool has_cfg) {
  if (has_cfg) return "venv";
  if (host.is_dir(path_join(prefix, "conda-meta"))) return "conda";
  if (prefix.find("/.pyenv/versions/") != std::string::npos) return "pyenv";
  if (path_basename(prefix) == "python_embeded" || host.exists(path_join(prefix, "python.exe")))
    return "embedded";
  return "system";
}

void finish(const Host& host, Environment& env) {
  for (const std::string& dir : env.site_packages) {
    auto pkgs = read_site_packages(host, dir, /*gpu_only=*/true, &env.notes);
    for (auto& p : pkgs) env.packages.push_back(std::move(p));
  }
  if (env.kind == "conda")
    for (auto& p : read_conda_meta(host, env.path)) env.packages.push_back(std::move(p));
  find_torch_import(host, env);
  find_cudnn(host, env);
  find_pip_over_conda(env);
  check_requirements(env);
}

}  // namespace

Environment read_environment(const Host& host, const std::string& prefix, const EnvHint& hint,
                             const std::string& cwd) {
  Environment env;
  env.path = prefix;
  env.found_by = hint.found_by;
  env.active = hint.active;
  env.interpreter = hint.interpreter;
  std::string cfg_path = path_join(prefix, "pyvenv.cfg");
  auto cfg_text = host.read_file(cfg_path, kSmallFile);
  std::map<std::string, std::string> cfg;
  if (cfg_text) cfg = parse_pyvenv_cfg(*cfg_text);
  env.kind = hint.kind.empty() ? kind_of(host, prefix, cfg_text.ok()) : hint.kind;
  if (env.interpreter.empty()) {
    for (const char* name : {"bin/python3", "bin/python", "python.exe", "Scripts/python.exe"}) {
      std::string candidate = path_join(prefix, name);
      // A venv's link may point outside a captured tree: its presence is enough.
      if (host.exists(candidate) || host.read_link(candidate).ok()) {
        env.interpreter = candidate;
        break;
      }
    }
  }
  std::string pth_file;
  if (env.kind == "embedded") {
    std::string v = embedded_python(host, prefix, &pth_file);
    if (!v.empty()) env.python = Fact<std::string>::of(v, pth_file.empty() ? prefix : pth_file);
  }
  if (!env.python.known()) python_version(host, env, cfg);
  std::string py = env.python.value.value_or("");

  if (cfg_text) {
    // site.py venv(): system_site = "true" unless the key says otherwise (lower-cased).
    auto it = cfg.find("include-system-site-packages");
    env.include_system_site_packages = it == cfg.end() || iequals(it->second, "true");
    if (auto home = cfg.find("home"); home != cfg.end() && !home->second.empty())
      env.base_prefix = path_dirname(home->second);
  }
  if (env.kind == "embedded" && !pth_file.empty()) {
    // A ._pth file replaces the search path entirely (PYTHONPATH is ignored, site is not
    // imported unless the file says `import site`).
    for (const char* rel : {"Lib/site-packages", "lib/site-packages"}) {
      std::string dir = path_join(prefix, rel);
      if (host.is_dir(dir)) env.site_packages.push_back(dir);
    }
    if (auto text = host.read_file(pth_file, kSmallFile))
      for (const std::string& line : parse_pth(*text))
        if (!ends_with(line, ".zip")) {
          env.sys_path.push_back(path_normalize(path_join(prefix, line)));
          env.sys_path_origin.push_back("._pth");
        }
    for (const auto& dir : env.site_packages)
      if (std::find(env.sys_path.begin(), env.sys_path.end(), dir) == env.sys_path.end()) {
        env.sys_path.push_back(dir);
        env.sys_path_origin.push_back("site-packages");
      }
  } else {
    SitePathInput in;
    in.prefix = prefix;
    in.venv = env.kind == "venv";
    in.base_prefix = env.base_prefix;
    in.venv_system_site = env.include_system_site_packages;
    in.python = py;
    in.cwd = cwd;
    SitePath sp = site_path(host, in);
    env.site_packages = std::move(sp.own_site_dirs);
    for (auto& e : sp.entries) {
      env.sys_path.push_back(std::move(e.path));
      env.sys_path_origin.push_back(std::move(e.origin));
    }
    env.user_site = sp.user_site;
    env.user_site_on_path = sp.user_site_enabled;
    env.site_rules = sp.rules + "; user site " + sp.user_site_why;
    for (auto& n : sp.notes) env.notes.push_back(std::move(n));
  }
  if (env.site_packages.empty()) env.notes.push_back(prefix + ": no site-packages folder found");
  finish(host, env);
  return env;
}

Environment read_user_site(const Host& host, const std::string& site_dir, const EnvHint& hint,
                           const std::string& cwd) {
  Environment env;
  env.path = site_dir;
  env.kind = "user-site";
  env.found_by = hint.found_by;
  env.active = hint.active;
  std::string v = version_from_python_name(path_basename(path_dirname(site_dir)));
  env.python = v.empty() ? Fact<std::string>::unknown("not under lib/pythonX.Y")
                         : Fact<std::string>::of(v, site_dir);
  SitePath sp = site_dir_path(host, site_dir, cwd);
  env.site_packages = {site_dir};
  for (auto& e : sp.entries) {
    env.sys_path.push_back(std::move(e.path));
    env.sys_path_origin.push_back(std::move(e.origin));
  }
  for (auto& n : sp.notes) env.notes.push_back(std::move(n));
  finish(host, env);
  return env;
}

}  // namespace cudafit
