// Driver checks: is an NVIDIA driver running, and is it the one the libraries belong to?
#include "doctor/checks.h"
#include "util/strings.h"

namespace cudafit::doctor {
namespace {

std::vector<std::string> gpu_evidence(const Machine& m) {
  std::vector<std::string> ev;
  for (const Gpu& g : m.gpus) {
    std::string s = gpu_label(g) + " " + g.pci_id();
    if (!g.pci_bus.empty()) s += " at " + g.pci_bus;
    if (!g.bound_driver.empty()) s += ", bound to " + g.bound_driver;
    ev.push_back(s);
  }
  return ev;
}

std::string install_driver_fix(const KnowledgeBase& kb, const Machine& m) {
  auto branch = recommended_branch(kb, m);
  std::string b = branch ? std::to_string(*branch) : std::string("<branch>");
  if (m.host.os_id.known() && (*m.host.os_id.value == "ubuntu"))
    return "sudo apt install nvidia-driver-" + b + " && sudo reboot";
  return "install NVIDIA driver branch " + b +
         " from your distribution or https://www.nvidia.com/drivers, then reboot";
}

bool has_real_libcuda(const Machine& m) {
  for (const auto& lib : m.driver.libraries)
    if (lib.kind == "libcuda" && !lib.stub) return true;
  return false;
}

}  // namespace

void check_driver(const Context& c) {
  const Machine& m = c.m;
  const bool have_gpu = !m.gpus.empty();
  const bool wsl_driver = m.host.wsl && has_real_libcuda(m);
  const bool driver_running = m.driver.module_loaded || m.driver.version.known() || wsl_driver;

  if (have_gpu && !driver_running) {
    auto ev = gpu_evidence(m);
    ev.push_back("no nvidia kernel module loaded (/proc/modules, /sys/module/nvidia)");
    c.add("no-driver", Severity::kError,
          "NVIDIA GPU present but no NVIDIA driver is loaded: CUDA cannot run", std::move(ev),
          install_driver_fix(c.kb, m));
  }
  if (m.driver.nouveau_loaded && have_gpu && !m.driver.module_loaded) {
    std::vector<std::string> ev{"nouveau listed in /proc/modules"};
    for (const Gpu& g : m.gpus)
      if (g.bound_driver == "nouveau") ev.push_back(gpu_label(g) + " is bound to nouveau");
    c.add("nouveau-loaded", Severity::kError,
          "the open-source nouveau driver holds the GPU: the NVIDIA driver cannot load",
          std::move(ev),
          "blacklist nouveau (echo -e 'blacklist nouveau\\noptions nouveau modeset=0' | sudo tee "
          "/etc/modprobe.d/blacklist-nouveau.conf && sudo update-initramfs -u), then " +
              install_driver_fix(c.kb, m));
  }
  if (m.driver.version_mismatch) {
    std::vector<std::string> ev;
    ev.push_back("kernel module " +
                 with_source(m.driver.version.known() ? m.driver.version.value->str() : "?",
                             m.driver.version.source));
    ev.push_back("user-space libraries " + with_source(m.driver.userspace_version.known()
                                                           ? m.driver.userspace_version.value->str()
                                                           : "?",
                                                       m.driver.userspace_version.source));
    c.add("driver-library-mismatch", Severity::kError,
          "the loaded kernel module and the user-space driver libraries differ (driver upgraded "
          "without a reboot): NVML and CUDA fail with 'Driver/library version mismatch'",
          std::move(ev),
          m.container.inside
              ? "restart the host (or reload its nvidia modules), then restart the container"
              : "sudo reboot (or, with no GPU process running: sudo rmmod nvidia_uvm nvidia_drm "
                "nvidia_modeset nvidia && sudo modprobe nvidia)");
  }
  if ((m.driver.module_loaded || m.driver.version.known()) && !has_real_libcuda(m) &&
      !m.driver.version_mismatch) {
    std::vector<std::string> stubs;
    for (const auto& lib : m.driver.libraries)
      if (lib.kind == "libcuda" && lib.stub) stubs.push_back(lib.path);
    std::vector<std::string> ev{driver_evidence(m)};
    if (!stubs.empty()) {
      for (auto& s : stubs) ev.push_back("stub library " + s + " (never a driver)");
      c.add("driver-stub", Severity::kError,
            "only the CUDA toolkit's stub libcuda.so was found, no real driver library: CUDA "
            "programs fail with 'CUDA driver version is insufficient' (error 35/34)",
            std::move(ev),
            m.container.inside
                ? "start the container with the NVIDIA runtime (docker run --gpus all ...) so "
                  "the host's libcuda.so is mounted; keep .../stubs out of LD_LIBRARY_PATH"
                : "install the NVIDIA driver's user-space libraries (libcuda.so." +
                      (m.driver.version.known() ? m.driver.version.value->str()
                                                : std::string("<driver>")) +
                      "); keep .../stubs out of LD_LIBRARY_PATH");
    } else if (!m.driver.libraries.empty() || m.container.inside) {
      ev.push_back("no libcuda.so.<version> in the linker's paths");
      c.add("driver-libraries-missing", Severity::kError,
            "the NVIDIA kernel module is loaded but its user-space library libcuda.so is "
            "missing: CUDA programs cannot start",
            std::move(ev),
            m.container.inside
                ? "start the container with the NVIDIA runtime (docker run --gpus all ...)"
                : "reinstall the driver's user-space package for the running module");
    }
  }
}

void check_gpu_support(const Context& c) {
  const Machine& m = c.m;
  auto driver = running_driver(m);
  if (!driver) return;
  for (const Gpu& g : m.gpus) {
    if (!g.compute_capability.known()) continue;
    const ComputeCapability cc = *g.compute_capability.value;
    const GpuArch* arch = c.kb.arch_of_cc(cc);
    if (arch && arch->last_driver_branch && driver->branch() > *arch->last_driver_branch) {
      c.add("driver-drops-gpu", Severity::kError,
            gpu_label(g) + " is " + arch->architecture + ": driver branch " +
                std::to_string(driver->branch()) +
                " no longer supports it (last: " + std::to_string(*arch->last_driver_branch) + ")",
            {driver_evidence(m), gpu_label(g) + " " + g.pci_id() + " is " + arch->architecture +
                                     " (" + arch->from.where() + ")"},
            "install driver branch " + std::to_string(*arch->last_driver_branch) +
                " (the last one for " + arch->architecture + ")");
      continue;
    }
    if (arch && arch->last_driver_branch && driver->branch() == *arch->last_driver_branch) {
      std::string last_cuda = arch->last_cuda ? arch->last_cuda->major_minor() : std::string("?");
      c.add("gpu-legacy", Severity::kInfo,
            gpu_label(g) + " is " + arch->architecture + ": driver branch " +
                std::to_string(*arch->last_driver_branch) + " is the last for it, and CUDA " +
                last_cuda + " the last toolkit that builds for it",
            {driver_evidence(m),
             arch->architecture + " " + cc.str() + " (" + arch->from.where() + ")"},
            "stay on branch " + std::to_string(*arch->last_driver_branch) +
                " and on builds for CUDA <= " + last_cuda);
    }
    if (m.driver.cuda.known()) {
      const CudaRelease* rel = c.kb.cuda_release(m.driver.cuda.value->major_minor_only());
      if (rel && rel->max_sm.major() > 0 && cc.plain() > rel->max_sm.plain()) {
        c.add("driver-too-old-for-gpu", Severity::kError,
              gpu_label(g) + " is newer than driver " + driver->str() +
                  " knows (it supports up to CUDA " + m.driver.cuda.value->major_minor() + ", " +
                  rel->max_sm.sm() + ")",
              {driver_evidence(m), "CUDA " + rel->version.major_minor() + " targets up to " +
                                       rel->max_sm.sm() + " (" + rel->from.where() + ")"},
              "install a newer driver (cudafit install prints the branch a build for this GPU "
              "needs)");
      }
    }
  }
}

}  // namespace cudafit::doctor
