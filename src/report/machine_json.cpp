// Each Fact<T> field `x` becomes "x": value (null when unknown), with "sources": {"x": ...}
// and "unknown": {"x": "why"} beside it, so consumers read plain values and can still say
// where each came from.
#include "report/machine_json.h"

#include "report/environment_json.h"

namespace cudafit {

namespace {

using nlohmann::json;

json plain(const std::string& v) { return v; }
json plain(const DriverVersion& v) { return v.str(); }
json plain(const CudaVersion& v) { return v.str(); }
json plain(const ComputeCapability& v) { return v.str(); }
json plain(bool v) { return v; }
json plain(unsigned long long v) { return v; }

// Collects the sources and reasons of the facts put into one JSON object.
struct Facts {
  json& obj;
  json sources = json::object();
  json unknown = json::object();

  template <typename T>
  void put(const char* key, const Fact<T>& f) {
    obj[key] = f.known() ? plain(*f.value) : json(nullptr);
    if (f.known() && !f.source.empty()) sources[key] = f.source;
    if (!f.known() && !f.note.empty()) unknown[key] = f.note;
    if (f.known() && !f.note.empty()) obj[std::string(key) + "_note"] = f.note;
  }
  void finish() {
    obj["sources"] = std::move(sources);
    if (!unknown.empty()) obj["unknown"] = std::move(unknown);
  }
};

json host_json(const HostInfo& h) {
  json o = json::object();
  Facts f{o};
  f.put("hostname", h.hostname);
  f.put("os_id", h.os_id);
  f.put("os_version", h.os_version);
  f.put("os_pretty", h.os_pretty);
  f.put("cpu_arch", h.cpu_arch);
  f.put("kernel", h.kernel);
  f.put("glibc", h.glibc);
  o["wsl"] = h.wsl;
  if (h.wsl) o["wsl_source"] = h.wsl_source;
  f.finish();
  return o;
}

json driver_json(const DriverInfo& d) {
  json o = json::object();
  Facts f{o};
  f.put("version", d.version);
  o["source"] = d.version.known() ? json(d.version.source) : json(nullptr);
  f.put("module_kind", d.module_kind);
  f.put("cuda", d.cuda);
  o["module_loaded"] = d.module_loaded;
  o["nouveau_loaded"] = d.nouveau_loaded;
  f.put("userspace_version", d.userspace_version);
  o["version_mismatch"] = d.version_mismatch;
  if (d.nvidia_smi_version.known() || !d.nvidia_smi_version.note.empty())
    f.put("nvidia_smi_version", d.nvidia_smi_version);
  json libs = json::array();
  for (const auto& l : d.libraries) {
    libs.push_back({{"path", l.path},
                    {"kind", l.kind},
                    {"version", l.version ? json(l.version->str()) : json(nullptr)},
                    {"stub", l.stub},
                    {"forward_compat", l.forward_compat}});
  }
  o["libraries"] = std::move(libs);
  if (d.libcuda) {
    const LoadedLibrary& l = *d.libcuda;
    o["libcuda"] = {
        {"path", l.path},
        {"real", l.real},
        {"how", l.how},
        {"version", l.version ? json(l.version->str()) : json(nullptr)},
        {"forward_compat", l.forward_compat.empty() ? json(nullptr) : json(l.forward_compat)}};
  } else {
    o["libcuda"] = nullptr;
  }
  f.finish();
  return o;
}

json gpu_json(const Gpu& g) {
  json o = json::object();
  Facts f{o};
  o["index"] = g.index;
  f.put("name", g.name);
  o["pci_id"] = g.device_id != 0 ? json(g.pci_id()) : json(nullptr);
  o["pci_bus"] = g.pci_bus;
  f.put("chip", g.chip);
  f.put("compute_capability", g.compute_capability);
  o["source"] = g.compute_capability.known() ? json(g.compute_capability.source) : json(nullptr);
  f.put("memory_mib", g.memory_mib);
  f.put("uuid", g.uuid);
  f.put("mig_enabled", g.mig_enabled);
  o["bound_driver"] = g.bound_driver;
  o["visible"] = g.visible;
  f.finish();
  return o;
}

json toolkit_json(const Toolkit& t) {
  json o = json::object();
  Facts f{o};
  o["path"] = t.path;
  f.put("version", t.version);
  o["source"] = t.version.known() ? json(t.version.source) : json(nullptr);
  o["active"] = t.active;
  o["active_because"] = t.active_because;
  o["nvcc"] = t.nvcc.empty() ? json(nullptr) : json(t.nvcc);
  o["on_ld_library_path"] = t.on_ld_library_path;
  f.finish();
  return o;
}

json container_json(const ContainerInfo& c) {
  json o = json::object();
  Facts f{o};
  o["inside"] = c.inside;
  o["runtime"] = c.runtime;
  o["source"] = c.source;
  f.put("image_cuda", c.image_cuda);
  o["nvidia_require_cuda"] =
      c.nvidia_require_cuda.empty() ? json(nullptr) : json(c.nvidia_require_cuda);
  json compat = json::array();
  for (const auto& l : c.compat_libs)
    compat.push_back({{"path", l.path},
                      {"version", l.version.str()},
                      {"loaded", l.loaded},
                      {"usable", l.usable},
                      {"why", l.why}});
  o["compat_libs"] = std::move(compat);
  f.finish();
  return o;
}

json visible_json(const Fact<std::string>& v) { return v.known() ? json(*v.value) : json(nullptr); }

}  // namespace

nlohmann::json machine_to_json(const Machine& m) {
  json out = json::object();
  out["schema"] = Machine::kSchema;
  out["host"] = host_json(m.host);
  out["driver"] = driver_json(m.driver);
  json gpus = json::array();
  for (const auto& g : m.gpus) gpus.push_back(gpu_json(g));
  out["gpus"] = std::move(gpus);
  out["cuda_visible_devices"] = visible_json(m.cuda_visible_devices);
  out["nvidia_visible_devices"] = visible_json(m.nvidia_visible_devices);
  json toolkits = json::array();
  for (const auto& t : m.toolkits) toolkits.push_back(toolkit_json(t));
  out["toolkits"] = std::move(toolkits);
  out["cuda_home"] =
      m.cuda_home.var.empty()
          ? json(nullptr)
          : json{{"var", m.cuda_home.var},
                 {"value", m.cuda_home.value},
                 {"problem",
                  m.cuda_home.problem.empty() ? json(nullptr) : json(m.cuda_home.problem)}};
  json cudnn = json::array();
  for (const auto& c : m.cudnn) {
    cudnn.push_back({{"version", c.version.known() ? json(c.version.value->str()) : json(nullptr)},
                     {"path", c.path},
                     {"where", c.where},
                     {"source", c.version.source}});
  }
  out["cudnn"] = std::move(cudnn);
  out["container"] = container_json(m.container);
  json envs = json::array();
  for (const auto& e : m.environments) envs.push_back(environment_to_json(e));
  out["environments"] = std::move(envs);
  out["notes"] = m.notes;
  return out;
}

}  // namespace cudafit

namespace cudafit {

namespace {

template <typename T>
std::string text_of(const Fact<T>& f) {
  if (!f.known()) return "unknown (" + f.note + ")";
  std::string v;
  if constexpr (std::is_same_v<T, std::string>)
    v = *f.value;
  else if constexpr (std::is_same_v<T, bool>)
    v = *f.value ? "yes" : "no";
  else if constexpr (std::is_same_v<T, unsigned long long>)
    v = std::to_string(*f.value);
  else
    v = f.value->str();
  return f.source.empty() ? v : v + " (from " + f.source + ")";
}

}  // namespace

std::string machine_to_text(const Machine& m) {
  std::string out;
  auto line = [&](const std::string& label, const std::string& value) {
    out += label;
    out.append(label.size() < 12 ? 12 - label.size() : 1, ' ');
    out += value + "\n";
  };
  const HostInfo& h = m.host;
  std::string host = h.os_pretty.known() ? *h.os_pretty.value : "unknown OS";
  if (h.cpu_arch.known()) host += ", " + *h.cpu_arch.value;
  if (h.kernel.known()) host += ", kernel " + *h.kernel.value;
  if (h.glibc.known()) host += ", glibc " + *h.glibc.value;
  if (h.wsl) host += ", WSL2";
  line("host", host);
  if (m.container.inside) {
    std::string c = m.container.runtime + " (from " + m.container.source + ")";
    if (m.container.image_cuda.known()) c += ", image CUDA " + m.container.image_cuda.value->str();
    line("container", c);
  }
  const DriverInfo& d = m.driver;
  std::string drv = text_of(d.version);
  if (d.module_kind.known()) drv += ", " + *d.module_kind.value + " kernel module";
  if (d.nouveau_loaded) drv += ", nouveau loaded";
  line("driver", drv);
  if (d.cuda.known()) line("driver CUDA", text_of(d.cuda));
  if (d.userspace_version.known()) line("user space", text_of(d.userspace_version));
  if (d.version_mismatch)
    line("MISMATCH", "kernel module " + d.version.value->str() + " != user-space libraries " +
                         d.userspace_version.value->str() + " (reboot or reload the module)");
  for (const auto& l : d.libraries)
    if (l.stub) line("stub", l.path + " (the CUDA stub for linking, not a driver)");
  for (const auto& c : m.container.compat_libs) line("compat", c.path + ": " + c.why);
  if (m.gpus.empty()) line("gpus", "none found");
  for (const auto& g : m.gpus) {
    std::string s =
        std::to_string(g.index) + ": " + (g.name.known() ? *g.name.value : std::string("unknown"));
    if (g.device_id) s += " [" + g.pci_id() + "]";
    s += " at " + g.pci_bus;
    s += ", compute capability " + text_of(g.compute_capability);
    if (g.memory_mib.known()) s += ", " + std::to_string(*g.memory_mib.value) + " MiB";
    if (!g.bound_driver.empty()) s += ", bound to " + g.bound_driver;
    if (!g.visible) s += ", hidden by *_VISIBLE_DEVICES";
    line("gpu", s);
  }
  if (m.toolkits.empty()) line("toolkits", "none found");
  for (const auto& t : m.toolkits) {
    std::string s = t.path + ": CUDA " + text_of(t.version);
    if (t.active)
      s += ", active (" + [&] {
        std::string r;
        for (const auto& w : t.active_because) r += (r.empty() ? "" : "; ") + w;
        return r;
      }() + ")";
    line("toolkit", s);
  }
  if (!m.cuda_home.problem.empty())
    line(m.cuda_home.var, "'" + m.cuda_home.value + "' " + m.cuda_home.problem);
  if (m.cudnn.empty()) line("cudnn", "none found");
  for (const auto& c : m.cudnn) line("cudnn", text_of(c.version) + ", " + c.where);
  for (const auto& n : m.notes) line("note", n);
  return out;
}

}  // namespace cudafit
