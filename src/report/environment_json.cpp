#include "report/environment_json.h"

#include "report/table.h"

namespace cudafit {

namespace {

nlohmann::json text_or_null(const std::string& s) {
  return s.empty() ? nlohmann::json() : nlohmann::json(s);
}

nlohmann::json package_to_json(const InstalledPackage& p) {
  nlohmann::json j;
  j["name"] = p.name;
  j["version"] = p.version;
  j["cuda"] = p.cuda ? nlohmann::json(p.cuda->str()) : nlohmann::json();
  j["installer"] = text_or_null(p.installer);
  j["location"] = p.location;
  j["metadata_path"] = p.metadata_path;
  j["cuda_major"] = p.cuda_major ? nlohmann::json(*p.cuda_major) : nlohmann::json();
  j["cpu_only"] = p.cpu_only;
  j["hip"] = text_or_null(p.hip);
  j["xpu"] = text_or_null(p.xpu);
  j["cudnn"] = p.cudnn ? nlohmann::json(p.cudnn->str()) : nlohmann::json();
  j["build"] = text_or_null(p.build);
  j["version_py"] = text_or_null(p.version_py);
  j["git_version"] = text_or_null(p.git_version);
  j["problem"] = text_or_null(p.problem);
  j["requires_dist"] = p.requires_dist;
  return j;
}

}  // namespace

nlohmann::json environment_to_json(const Environment& env) {
  nlohmann::json j;
  j["path"] = env.path;
  j["kind"] = env.kind;
  j["found_by"] = env.found_by;
  j["active"] = env.active;
  j["python"] = env.python.value ? nlohmann::json(*env.python.value) : nlohmann::json();
  j["python_source"] = env.python.known() ? env.python.source : env.python.note;
  j["interpreter"] = text_or_null(env.interpreter);
  j["base_prefix"] = text_or_null(env.base_prefix);
  j["include_system_site_packages"] = env.include_system_site_packages;
  j["site_packages"] = env.site_packages;
  j["sys_path"] = env.sys_path;
  j["sys_path_origin"] = env.sys_path_origin;
  j["user_site"] = text_or_null(env.user_site);
  j["user_site_on_path"] = env.user_site_on_path;
  j["site_rules"] = text_or_null(env.site_rules);
  j["packages"] = nlohmann::json::array();
  for (const auto& p : env.packages) j["packages"].push_back(package_to_json(p));
  j["requirements"] = nlohmann::json::array();
  for (const auto& r : env.requirements)
    j["requirements"].push_back({{"required_by", r.required_by},
                                 {"requirement", r.requirement},
                                 {"name", r.name},
                                 {"specifier", r.specifier},
                                 {"installed_version", text_or_null(r.installed_version)},
                                 {"satisfied", r.satisfied}});
  j["torch_import"] = env.torch_import_location.empty()
                          ? nlohmann::json()
                          : nlohmann::json{{"location", env.torch_import_location},
                                           {"version", text_or_null(env.torch_import_version)}};
  j["cudnn"] = env.cudnn.value
                   ? nlohmann::json{{"version", *env.cudnn.value}, {"source", env.cudnn.source}}
                   : nlohmann::json();
  j["pip_over_conda"] = env.pip_over_conda;
  j["notes"] = env.notes;
  if (env.verified.ran) {
    const auto& v = env.verified;
    nlohmann::json devices = nlohmann::json::array();
    for (size_t i = 0; i < v.devices.size(); ++i)
      devices.push_back({{"name", v.devices[i]},
                         {"capability", i < v.capabilities.size() ? v.capabilities[i] : ""}});
    j["verified"] = {{"error", text_or_null(v.error)},
                     {"python", text_or_null(v.python_version)},
                     {"torch_version", text_or_null(v.torch_version)},
                     {"torch_cuda", text_or_null(v.torch_cuda)},
                     {"torch_file", text_or_null(v.torch_file)},
                     {"cudnn", text_or_null(v.cudnn)},
                     {"cuda_available", v.cuda_available},
                     {"devices", devices},
                     {"arch_list", v.arch_list}};
  } else {
    j["verified"] = nullptr;
  }
  return j;
}

std::string render_environments_text(const std::vector<Environment>& envs) {
  std::string out;
  if (envs.empty()) return "No Python environments found.\n";
  for (const auto& env : envs) {
    out += env.path + "  (" + env.kind + ", Python " + env.python.value.value_or("?") +
           (env.found_by.empty() ? "" : ", found by " + env.found_by) +
           (env.active ? ", active" : "") + ")\n";
    if (!env.packages.empty()) {
      Table t;
      t.columns = {"package", "version", "cuda", "installer"};
      for (const auto& p : env.packages) {
        std::string cuda = p.cuda           ? p.cuda->str()
                           : p.cpu_only     ? "cpu"
                           : !p.hip.empty() ? "rocm " + p.hip
                           : p.cuda_major   ? std::to_string(*p.cuda_major) + ".x"
                                            : "";
        t.rows.push_back({p.name, p.version, cuda, p.installer});
      }
      std::string table = render_table(t, Format::kText);
      for (size_t start = 0; start < table.size();) {
        size_t end = table.find('\n', start);
        if (end == std::string::npos) end = table.size();
        out += "  " + table.substr(start, end - start) + "\n";
        start = end + 1;
      }
    } else {
      out += "  (no GPU packages)\n";
    }
    if (!env.torch_import_location.empty())
      out += "  import torch -> " + env.torch_import_location + "/torch " +
             env.torch_import_version + "\n";
    if (env.verified.ran && env.verified.error.empty())
      out += "  --exec: torch " +
             (env.verified.torch_version.empty() ? "not importable" : env.verified.torch_version) +
             (env.verified.torch_cuda.empty() ? "" : ", CUDA " + env.verified.torch_cuda) +
             (env.verified.cuda_available ? ", CUDA available" : ", CUDA not available") + "\n";
    for (const auto& n : env.notes) out += "  note: " + n + "\n";
    out += "\n";
  }
  return out;
}

}  // namespace cudafit
