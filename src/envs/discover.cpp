// Where Python environments live, in the order issue 7 lists them.
#include "envs/discover.h"

#include <algorithm>

#include "envs/exec.h"
#include "envs/read_env.h"
#include "util/strings.h"

namespace cudafit {

namespace {

constexpr std::size_t kSmallFile = 1u << 20;

struct Candidate {
  std::string prefix;
  EnvHint hint;
  bool user_site = false;  // prefix is a bare site-packages folder
};

class Finder {
 public:
  Finder(const Host& host, const EnvOptions& options) : host_(host), opt_(options) {
    home_ = host.env("HOME").value_or("");
  }

  void add(std::string prefix, EnvHint hint, bool user_site = false) {
    prefix = path_normalize(prefix);
    out_.push_back({std::move(prefix), std::move(hint), user_site});
  }

  // A prefix from an interpreter path: a venv's bin/python is not resolved (Python itself
  // finds pyvenv.cfg next to the link); anything else is followed to the real binary.
  void add_interpreter(const std::string& exe, const std::string& found_by, bool active) {
    std::string prefix = path_dirname(path_dirname(exe));
    if (host_.exists(path_join(prefix, "pyvenv.cfg"))) {
      add(prefix, {"", found_by, active, exe});
      return;
    }
    auto real = host_.canonical(exe);
    std::string real_path = real ? *real : exe;
    add(path_dirname(path_dirname(real_path)), {"", found_by, active, exe});
  }

  // pyenv's shims: PYENV_VERSION, .python-version in cwd or a parent, then $PYENV_ROOT/version.
  std::string pyenv_version() {
    if (auto v = host_.env("PYENV_VERSION"); v && !v->empty()) return first_word(*v);
    for (std::string dir = opt_.cwd; !dir.empty();) {
      if (auto text = host_.read_file(path_join(dir, ".python-version"), kSmallFile))
        return first_word(*text);
      if (dir == "/") break;
      dir = path_dirname(dir);
    }
    if (auto text = host_.read_file(path_join(pyenv_root(), "version"), kSmallFile))
      return first_word(*text);
    return "system";
  }

  std::string pyenv_root() {
    if (auto r = host_.env("PYENV_ROOT"); r && !r->empty()) return *r;
    return home_.empty() ? std::string() : path_join(home_, ".pyenv");
  }

  void first_python_on_path() {
    bool skip_shims = false;
    const std::string path = host_.env("PATH").value_or("");
    for (std::string_view dir : split(path, ':')) {
      if (dir.empty()) continue;
      bool shims = ends_with(dir, "/shims") && dir.find("pyenv") != std::string_view::npos;
      if (shims && skip_shims) continue;
      for (const char* name : {"python3", "python"}) {
        std::string exe = path_join(dir, name);
        if (!host_.is_file(exe)) continue;
        if (shims) {
          std::string version = pyenv_version();
          if (version == "system") {
            skip_shims = true;
            break;
          }
          std::string prefix = path_join(pyenv_root(), "versions/" + version);
          add(prefix,
              {"", "PATH (pyenv shim)", true, path_join(prefix, std::string("bin/") + name)});
          return;
        }
        add_interpreter(exe, "PATH", true);
        return;
      }
    }
  }

  void dot_venv_in_parents() {
    for (std::string dir = opt_.cwd; !dir.empty();) {
      std::string venv = path_join(dir, ".venv");
      if (host_.exists(path_join(venv, "pyvenv.cfg"))) add(venv, {"", ".venv", false, ""});
      if (dir == "/") break;
      dir = path_dirname(dir);
    }
  }

  // ComfyUI portable (python_embeded) and AUTOMATIC1111 (stable-diffusion-webui/venv) in `dir`.
  bool bundled_pythons(const std::string& dir, const std::string& found_by) {
    bool any = false;
    for (const char* rel : {"python_embeded", "ComfyUI_windows_portable/python_embeded"}) {
      std::string p = path_join(dir, rel);
      if (host_.is_dir(p)) {
        add(p, {"embedded", found_by + " (ComfyUI portable)", false, ""});
        any = true;
      }
    }
    std::string webui = path_join(dir, "stable-diffusion-webui");
    std::string venv = host_.exists(path_join(dir, "webui.py")) ? path_join(dir, "venv")
                                                                : path_join(webui, "venv");
    if (host_.exists(path_join(venv, "pyvenv.cfg"))) {
      add(venv, {"", found_by + " (stable-diffusion-webui)", false, ""});
      any = true;
    }
    return any;
  }

  void system_python() {
    for (const char* exe : {"/usr/bin/python3", "/usr/local/bin/python3"}) {
      if (!host_.is_file(exe)) continue;
      auto real = host_.canonical(exe);
      std::string prefix = path_dirname(path_dirname(real ? *real : std::string(exe)));
      add(prefix, {"system", "system", false, exe});
    }
  }

  // Every child folder of `dir` that looks like an environment.
  void children(const std::string& dir, const std::string& found_by, const std::string& kind = "") {
    auto entries = host_.list_dir(dir);
    if (!entries) return;
    for (const DirEntry& e : *entries) {
      if (e.type == FileType::kFile) continue;
      std::string p = path_join(dir, e.name);
      if (host_.exists(path_join(p, "pyvenv.cfg")) || host_.is_dir(path_join(p, "conda-meta")) ||
          host_.exists(path_join(p, "bin/python3")) || host_.exists(path_join(p, "bin/python")))
        add(p, {kind, found_by, false, ""});
    }
  }

  void conda() {
    std::vector<std::string> roots;
    if (auto exe = host_.env("CONDA_EXE"); exe && !exe->empty())
      roots.push_back(path_dirname(path_dirname(*exe)));
    if (auto r = host_.env("MAMBA_ROOT_PREFIX"); r && !r->empty()) roots.push_back(*r);
    for (const char* rel : {"miniconda3", "anaconda3", "miniforge3", "mambaforge", "micromamba",
                            ".local/share/mamba", ".conda"})
      if (!home_.empty()) roots.push_back(path_join(home_, rel));
    for (const char* abs : {"/opt/conda", "/opt/miniconda3", "/opt/anaconda3", "/opt/miniforge3"})
      roots.push_back(abs);
    for (const std::string& root : roots) {
      if (host_.is_dir(path_join(root, "conda-meta")))
        add(root, {"conda", "conda install", false, ""});
      children(path_join(root, "envs"), "conda envs", "conda");
    }
    if (home_.empty()) return;
    if (auto text = host_.read_file(path_join(home_, ".conda/environments.txt"), kSmallFile))
      for (std::string_view line : split_lines(*text))
        if (!trim(line).empty() && host_.is_dir(std::string(trim(line))))
          add(std::string(trim(line)), {"", "conda environments.txt", false, ""});
    // ~/.condarc `envs_dirs:` list (block style "  - path" lines).
    if (auto text = host_.read_file(path_join(home_, ".condarc"), kSmallFile)) {
      bool in_list = false;
      for (std::string_view line : split_lines(*text)) {
        std::string_view t = trim(line);
        if (starts_with(t, "envs_dirs:")) {
          in_list = true;
          continue;
        }
        if (!in_list) continue;
        if (!starts_with(t, "-")) {
          if (!t.empty() && line[0] != ' ') in_list = false;
          continue;
        }
        std::string dir(trim(t.substr(1)));
        if (starts_with(dir, "~/")) dir = path_join(home_, dir.substr(2));
        children(dir, "~/.condarc envs_dirs", "conda");
      }
    }
  }

  void tool_venvs() {
    std::string root = pyenv_root();
    if (!root.empty()) {
      auto versions = host_.list_dir(path_join(root, "versions"));
      if (versions) {
        for (const DirEntry& e : *versions) {
          std::string p = path_join(root, "versions/" + e.name);
          if (e.type == FileType::kSymlink) continue;  // pyenv-virtualenv's links into envs/
          add(p, {"", "pyenv", false, ""});
          children(path_join(p, "envs"), "pyenv-virtualenv");
        }
      }
    }
    if (home_.empty()) return;
    std::string data = host_.env("XDG_DATA_HOME").value_or(path_join(home_, ".local/share"));
    std::string cache = host_.env("XDG_CACHE_HOME").value_or(path_join(home_, ".cache"));
    children(path_join(data, "uv/python"), "uv python");
    children(path_join(data, "uv/tools"), "uv tool");
    children(host_.env("PIPX_HOME").value_or(path_join(data, "pipx")) + "/venvs", "pipx");
    children(path_join(home_, ".local/pipx/venvs"), "pipx");
    children(path_join(cache, "pypoetry/virtualenvs"), "poetry");
    children(host_.env("WORKON_HOME").value_or(path_join(home_, ".virtualenvs")), "virtualenvs");
  }

  void user_sites() {
    std::string base =
        host_.env("PYTHONUSERBASE").value_or(home_.empty() ? "" : path_join(home_, ".local"));
    if (base.empty()) return;
    auto entries = host_.list_dir(path_join(base, "lib"));
    if (!entries) return;
    for (const DirEntry& e : *entries) {
      std::string site = path_join(base, "lib/" + e.name + "/site-packages");
      if (starts_with(e.name, "python") && host_.is_dir(site))
        add(site, {"", "user site", false, ""}, true);
    }
  }

  // --env PATH: an interpreter, a prefix, a site-packages folder, or a folder holding
  // ComfyUI / A1111 / .venv.
  void explicit_path(const std::string& raw) {
    std::string p = path_normalize(path_join(opt_.cwd.empty() ? "/" : opt_.cwd, raw));
    auto info = host_.stat(p);
    if (!info && host_.read_link(p).ok()) {  // a venv's python linking out of a captured tree
      add_interpreter(p, "--env", false);
      return;
    }
    if (!info) {
      unknown_.push_back(p + ": --env: no such file or folder");
      return;
    }
    if (info->type == FileType::kFile) {
      add_interpreter(p, "--env", false);
      return;
    }
    std::string base = path_basename(p);
    if (base == "site-packages" || base == "dist-packages") {
      std::string prefix = path_dirname(path_dirname(path_dirname(p)));
      if (path_basename(path_dirname(p)) == "Lib") prefix = path_dirname(path_dirname(p));
      if (host_.exists(path_join(prefix, "pyvenv.cfg")) ||
          host_.is_dir(path_join(prefix, "conda-meta")))
        add(prefix, {"", "--env", false, ""});
      else
        add(p, {"", "--env", false, ""}, true);
      return;
    }
    if (host_.exists(path_join(p, "pyvenv.cfg")) || host_.is_dir(path_join(p, "conda-meta")) ||
        host_.exists(path_join(p, "bin/python3")) || host_.exists(path_join(p, "bin/python")) ||
        host_.exists(path_join(p, "python.exe"))) {
      add(p, {"", "--env", false, ""});
      return;
    }
    bool any = bundled_pythons(p, "--env");
    if (host_.exists(path_join(p, ".venv/pyvenv.cfg"))) {
      add(path_join(p, ".venv"), {"", "--env", false, ""});
      any = true;
    }
    if (!any) unknown_.push_back(p + ": --env: not a Python environment");
  }

  std::vector<Candidate> out_;
  std::vector<std::string> unknown_;

 private:
  static std::string first_word(std::string_view text) {
    auto words = split_ws(text);
    return words.empty() ? std::string("system") : std::string(words[0]);
  }

  const Host& host_;
  const EnvOptions& opt_;
  std::string home_;
};

}  // namespace

std::vector<Environment> discover_environments(const Host& host, const EnvOptions& options) {
  Finder f(host, options);
  for (const auto& p : options.env_paths) f.explicit_path(p);
  if (auto v = host.env("VIRTUAL_ENV"); v && !v->empty()) f.add(*v, {"", "VIRTUAL_ENV", true, ""});
  if (auto c = host.env("CONDA_PREFIX"); c && !c->empty())
    f.add(*c, {"", "CONDA_PREFIX", true, ""});
  f.first_python_on_path();
  if (!options.cwd.empty()) {
    f.dot_venv_in_parents();
    f.bundled_pythons(options.cwd, "cwd");
  }
  f.system_python();
  if (options.all_envs) {
    f.conda();
    f.tool_venvs();
    f.user_sites();
  }

  std::vector<Environment> envs;
  std::vector<std::string> seen;  // canonical prefixes, parallel to envs
  for (Candidate& c : f.out_) {
    if (!host.is_dir(c.prefix)) continue;
    auto canon = host.canonical(c.prefix);
    std::string key = canon ? *canon : c.prefix;
    auto it = std::find(seen.begin(), seen.end(), key);
    if (it != seen.end()) {
      Environment& first = envs[static_cast<size_t>(it - seen.begin())];
      first.active = first.active || c.hint.active;
      if (first.found_by.find(c.hint.found_by) == std::string::npos)
        first.found_by += ", " + c.hint.found_by;
      if (first.interpreter.empty()) first.interpreter = c.hint.interpreter;
      continue;
    }
    seen.push_back(key);
    envs.push_back(c.user_site ? read_user_site(host, c.prefix, c.hint, options.cwd)
                               : read_environment(host, c.prefix, c.hint, options.cwd));
  }
  for (const std::string& why : f.unknown_) {
    Environment e;
    e.path = why.substr(0, why.find(": --env"));
    e.kind = "unknown";
    e.found_by = "--env";
    e.notes.push_back(why);
    envs.push_back(std::move(e));
  }
  if (options.exec)
    for (Environment& e : envs)
      if (e.kind != "unknown" && e.kind != "user-site")
        verify_with_interpreter(host, e, options.timeout_ms);
  return envs;
}

}  // namespace cudafit
