// Machines built in code for doctor's rule tests: a healthy base and small helpers that
// break one thing at a time.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "doctor/doctor.h"
#include "kb/kb.h"
#include "probe/machine.h"

namespace cudafit::testing {

inline const KnowledgeBase& kb() {
  static std::shared_ptr<const KnowledgeBase> loaded = [] {
    auto r = KnowledgeBase::embedded();
    return r.ok() ? *r : nullptr;
  }();
  return *loaded;
}

inline DriverVersion dv(const char* s) { return *DriverVersion::parse(s); }
inline CudaVersion cv(const char* s) { return *CudaVersion::parse(s); }
inline ComputeCapability cc(const char* s) { return *ComputeCapability::parse(s); }

inline Gpu gpu(int index, const char* name, unsigned device_id, const char* capability) {
  Gpu g;
  g.index = index;
  g.name = Fact<std::string>::of(name, "/proc/driver/nvidia/gpus/information");
  g.device_id = device_id;
  g.pci_bus = "0000:0" + std::to_string(index + 1) + ":00.0";
  g.compute_capability = Fact<ComputeCapability>::of(cc(capability), "pci-ids.csv");
  g.bound_driver = "nvidia";
  return g;
}

// A bare-metal Ubuntu machine with a loaded driver (its real libcuda) and the given GPUs.
inline Machine machine_with_driver(const char* driver, const char* driver_cuda,
                                   std::vector<Gpu> gpus) {
  Machine m;
  m.host.os_id = Fact<std::string>::of("ubuntu", "/etc/os-release");
  m.host.cpu_arch = Fact<std::string>::of("x86_64", "uname");
  m.driver.version = Fact<DriverVersion>::of(dv(driver), "/proc/driver/nvidia/version");
  m.driver.userspace_version = m.driver.version;
  m.driver.module_loaded = true;
  m.driver.module_kind = Fact<std::string>::of("proprietary", "/proc/driver/nvidia/version");
  m.driver.cuda = Fact<CudaVersion>::of(cv(driver_cuda), "cuda.csv");
  DriverLibrary lib;
  lib.path = std::string("/usr/lib/x86_64-linux-gnu/libcuda.so.") + driver;
  lib.kind = "libcuda";
  lib.version = dv(driver);
  m.driver.libraries.push_back(lib);
  m.gpus = std::move(gpus);
  return m;
}

inline InstalledPackage pkg(const std::string& name, const std::string& version,
                            const std::string& location, const std::string& installer = "pip") {
  InstalledPackage p;
  p.name = name;
  p.version = version;
  auto parsed = Pep440Version::parse(version);
  if (parsed) p.parsed = *parsed;
  p.installer = installer;
  p.location = location;
  p.metadata_path = location + "/" + name + "-" + version + ".dist-info";
  return p;
}

// torch with its build facts, as envs reads them from torch/version.py.
inline InstalledPackage torch_pkg(const std::string& version, const char* cuda,
                                  const std::string& location,
                                  const std::string& installer = "pip") {
  InstalledPackage p = pkg("torch", version, location, installer);
  if (cuda)
    p.cuda = cv(cuda);
  else
    p.cpu_only = true;
  return p;
}

inline Environment venv(const std::string& prefix, std::vector<InstalledPackage> packages) {
  Environment e;
  e.path = prefix;
  e.kind = "venv";
  e.found_by = "VIRTUAL_ENV";
  e.active = true;
  e.python = Fact<std::string>::of("3.11.9", prefix + "/pyvenv.cfg");
  e.interpreter = prefix + "/bin/python";
  const std::string sp = prefix + "/lib/python3.11/site-packages";
  e.site_packages = {sp};
  e.sys_path = {sp};
  for (auto& p : packages) {
    if (p.location.empty()) p.location = sp;
  }
  e.packages = std::move(packages);
  if (e.find("torch")) e.torch_import_location = e.find("torch")->location;
  return e;
}

inline std::string site(const std::string& prefix) {
  return prefix + "/lib/python3.11/site-packages";
}

inline Toolkit toolkit(const std::string& path, const char* version, bool active) {
  Toolkit t;
  t.path = path;
  t.version = Fact<CudaVersion>::of(cv(version), path + "/version.json");
  t.active = active;
  if (active) t.active_because = {"PATH has " + path + "/bin"};
  t.nvcc = path + "/bin/nvcc";
  return t;
}

// "error driver-too-old" lines, sorted: what a test compares.
inline std::vector<std::string> ids_of(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(std::string(to_string(f.severity)) + " " + f.id);
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<Finding> run(const Machine& m, std::vector<PackageKernels> kernels = {}) {
  return diagnose(DoctorInput{m, kb(), std::move(kernels)});
}

}  // namespace cudafit::testing
