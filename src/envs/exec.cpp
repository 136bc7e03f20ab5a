#include "envs/exec.h"

#include <nlohmann/json.hpp>

#include "util/strings.h"

namespace cudafit {

const char* const kVerifyScript = R"PY(
import json, sys
r = {"python": sys.version.split()[0]}
try:
    import torch
    r["torch_version"] = str(torch.__version__)
    r["torch_cuda"] = torch.version.cuda
    r["torch_file"] = torch.__file__
    try:
        r["cudnn"] = torch.backends.cudnn.version()
    except Exception:
        r["cudnn"] = None
    try:
        r["arch_list"] = list(torch.cuda.get_arch_list())
    except Exception:
        r["arch_list"] = []
    r["cuda_available"] = bool(torch.cuda.is_available())
    devices = []
    if r["cuda_available"]:
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            devices.append({"name": p.name, "capability": "%d.%d" % (p.major, p.minor)})
    r["devices"] = devices
except BaseException as e:
    r["error"] = "%s: %s" % (type(e).__name__, e)
print(json.dumps(r))
)PY";

namespace {

std::string text_of(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  return it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// ".../site-packages/torch/__init__.py" -> ".../site-packages".
std::string site_of_torch_file(const std::string& file) { return path_dirname(path_dirname(file)); }

}  // namespace

Status parse_verify_output(const std::string& out, Environment::Verified& v) {
  // The last line that is a JSON object (a sitecustomize may print before it).
  std::string_view line;
  for (std::string_view l : split_lines(out))
    if (starts_with(trim(l), "{")) line = trim(l);
  if (line.empty()) return make_error("the interpreter printed no JSON");
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return make_error("the interpreter's output is not JSON");
  v.python_version = text_of(j, "python");
  v.torch_version = text_of(j, "torch_version");
  v.torch_cuda = text_of(j, "torch_cuda");
  v.torch_file = text_of(j, "torch_file");
  v.cudnn = text_of(j, "cudnn");
  v.error = text_of(j, "error");
  if (auto it = j.find("cuda_available"); it != j.end() && it->is_boolean())
    v.cuda_available = it->get<bool>();
  if (auto it = j.find("arch_list"); it != j.end() && it->is_array())
    for (const auto& a : *it)
      if (a.is_string()) v.arch_list.push_back(a.get<std::string>());
  if (auto it = j.find("devices"); it != j.end() && it->is_array()) {
    for (const auto& d : *it) {
      if (!d.is_object()) continue;
      v.devices.push_back(text_of(d, "name"));
      v.capabilities.push_back(text_of(d, "capability"));
    }
  }
  return Status::success();
}

void verify_with_interpreter(const Host& host, Environment& env, int timeout_ms) {
  Environment::Verified& v = env.verified;
  if (env.interpreter.empty() || ends_with(env.interpreter, ".exe")) {
    env.notes.push_back("--exec: no interpreter that runs here");
    return;
  }
  RunResult r = host.run({env.interpreter, "-c", kVerifyScript}, timeout_ms);
  v.ran = true;
  if (r.timed_out) {
    v.error = "timed out after " + std::to_string(timeout_ms) + " ms";
  } else if (auto st = parse_verify_output(r.out, v); !st) {
    std::string err(trim(r.err));
    if (err.size() > 300) err = err.substr(err.size() - 300);
    v.error = st.error() + " (exit " + std::to_string(r.exit_code) +
              (err.empty() ? "" : ": " + err) + ")";
  }
  if (!v.error.empty()) {
    env.notes.push_back("--exec: " + v.error);
    return;
  }
  if (env.python.known() && !starts_with(v.python_version, *env.python.value))
    env.notes.push_back("--exec: the interpreter is Python " + v.python_version +
                        ", the files say " + *env.python.value);
  if (env.torch_import_location.empty()) {
    if (!v.torch_version.empty())
      env.notes.push_back("--exec: import torch found " + v.torch_version + " at " + v.torch_file +
                          ", which the files did not show");
    return;
  }
  if (v.torch_version.empty()) {
    env.notes.push_back("--exec: the files show torch " + env.torch_import_version + " in " +
                        env.torch_import_location + " but import torch failed");
    return;
  }
  std::string site = site_of_torch_file(v.torch_file);
  auto a = host.canonical(site), b = host.canonical(env.torch_import_location);
  if ((a ? *a : site) != (b ? *b : env.torch_import_location))
    env.notes.push_back("--exec: import torch loaded " + v.torch_file + ", not " +
                        env.torch_import_location + "/torch");
  if (!env.torch_import_version.empty() && v.torch_version != env.torch_import_version)
    env.notes.push_back("--exec: import torch says " + v.torch_version +
                        ", torch/version.py says " + env.torch_import_version);
  if (const InstalledPackage* t = env.find("torch");
      t && t->location == env.torch_import_location) {
    std::string files_cuda = t->cuda ? t->cuda->major_minor() : std::string();
    if (v.torch_cuda != files_cuda)
      env.notes.push_back("--exec: torch.version.cuda is '" + v.torch_cuda + "', the files say '" +
                          files_cuda + "'");
  }
}

}  // namespace cudafit
