// Test helper: a Machine as flat "path = value" pairs ("gpus[0].compute_capability" = "9.0"),
// so expected-detect.json files can list the fields they check, one per line.
#pragma once

#include <map>
#include <string>

#include "probe/machine.h"

namespace cudafit::testing {

template <typename T>
std::string flat_value(const Fact<T>& f) {
  if (!f.known()) return "unknown";
  if constexpr (std::is_same_v<T, std::string>)
    return *f.value;
  else if constexpr (std::is_same_v<T, bool>)
    return *f.value ? "true" : "false";
  else if constexpr (std::is_same_v<T, unsigned long long>)
    return std::to_string(*f.value);
  else
    return f.value->str();
}

inline std::string flat_bool(bool b) { return b ? "true" : "false"; }

inline std::map<std::string, std::string> flatten(const Machine& m) {
  std::map<std::string, std::string> o;
  o["host.os_id"] = flat_value(m.host.os_id);
  o["host.os_version"] = flat_value(m.host.os_version);
  o["host.cpu_arch"] = flat_value(m.host.cpu_arch);
  o["host.kernel"] = flat_value(m.host.kernel);
  o["host.glibc"] = flat_value(m.host.glibc);
  o["host.wsl"] = flat_bool(m.host.wsl);
  o["container.inside"] = flat_bool(m.container.inside);
  o["container.runtime"] = m.container.runtime;
  o["container.image_cuda"] = flat_value(m.container.image_cuda);
  o["container.nvidia_require_cuda"] = m.container.nvidia_require_cuda;
  o["container.compat_libs"] = std::to_string(m.container.compat_libs.size());
  for (size_t i = 0; i < m.container.compat_libs.size(); ++i) {
    const auto& c = m.container.compat_libs[i];
    std::string p = "container.compat_libs[" + std::to_string(i) + "].";
    o[p + "path"] = c.path;
    o[p + "version"] = c.version.str();
    o[p + "loaded"] = flat_bool(c.loaded);
    o[p + "usable"] = flat_bool(c.usable);
  }
  const DriverInfo& d = m.driver;
  o["driver.version"] = flat_value(d.version);
  o["driver.source"] = d.version.source;
  o["driver.module_kind"] = flat_value(d.module_kind);
  o["driver.cuda"] = flat_value(d.cuda);
  o["driver.module_loaded"] = flat_bool(d.module_loaded);
  o["driver.nouveau_loaded"] = flat_bool(d.nouveau_loaded);
  o["driver.userspace_version"] = flat_value(d.userspace_version);
  o["driver.version_mismatch"] = flat_bool(d.version_mismatch);
  o["driver.libraries"] = std::to_string(d.libraries.size());
  for (size_t i = 0; i < d.libraries.size(); ++i) {
    const auto& l = d.libraries[i];
    std::string p = "driver.libraries[" + std::to_string(i) + "].";
    o[p + "path"] = l.path;
    o[p + "kind"] = l.kind;
    o[p + "version"] = l.version ? l.version->str() : "none";
    o[p + "stub"] = flat_bool(l.stub);
    o[p + "forward_compat"] = flat_bool(l.forward_compat);
  }
  if (d.libcuda) {
    o["driver.libcuda.path"] = d.libcuda->path;
    o["driver.libcuda.real"] = d.libcuda->real;
    o["driver.libcuda.how"] = d.libcuda->how;
    o["driver.libcuda.version"] = d.libcuda->version ? d.libcuda->version->str() : "none";
    o["driver.libcuda.forward_compat"] = d.libcuda->forward_compat;
  }
  o["cuda_home.var"] = m.cuda_home.var;
  o["cuda_home.problem"] = m.cuda_home.problem;
  o["gpus"] = std::to_string(m.gpus.size());
  o["gpus.visible"] = std::to_string(
      std::count_if(m.gpus.begin(), m.gpus.end(), [](const Gpu& g) { return g.visible; }));
  for (size_t i = 0; i < m.gpus.size(); ++i) {
    const auto& g = m.gpus[i];
    std::string p = "gpus[" + std::to_string(i) + "].";
    o[p + "index"] = std::to_string(g.index);
    o[p + "name"] = flat_value(g.name);
    o[p + "pci_id"] = g.pci_id();
    o[p + "pci_bus"] = g.pci_bus;
    o[p + "chip"] = flat_value(g.chip);
    o[p + "compute_capability"] = flat_value(g.compute_capability);
    o[p + "uuid"] = flat_value(g.uuid);
    o[p + "memory_mib"] = flat_value(g.memory_mib);
    o[p + "mig_enabled"] = flat_value(g.mig_enabled);
    o[p + "bound_driver"] = g.bound_driver;
    o[p + "visible"] = flat_bool(g.visible);
  }
  o["toolkits"] = std::to_string(m.toolkits.size());
  for (size_t i = 0; i < m.toolkits.size(); ++i) {
    const auto& t = m.toolkits[i];
    std::string p = "toolkits[" + std::to_string(i) + "].";
    o[p + "path"] = t.path;
    o[p + "version"] = flat_value(t.version);
    o[p + "version_source"] = t.version.source;
    o[p + "active"] = flat_bool(t.active);
    o[p + "nvcc"] = t.nvcc;
    o[p + "on_ld_library_path"] = flat_bool(t.on_ld_library_path);
  }
  o["cudnn"] = std::to_string(m.cudnn.size());
  for (size_t i = 0; i < m.cudnn.size(); ++i) {
    const auto& c = m.cudnn[i];
    std::string p = "cudnn[" + std::to_string(i) + "].";
    o[p + "version"] = flat_value(c.version);
    o[p + "path"] = c.path;
    o[p + "where"] = c.where;
  }
  o["notes"] = std::to_string(m.notes.size());
  return o;
}

}  // namespace cudafit::testing
