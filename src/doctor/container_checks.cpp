// Container and visibility checks: an image's CUDA against the host driver, a
// forward-compatibility libcuda in use (supported or not), and CUDA_VISIBLE_DEVICES hiding
// every GPU.
#include "doctor/checks.h"
#include "util/host.h"
#include "util/strings.h"

namespace cudafit::doctor {
namespace {

bool datacenter_gpus(const KnowledgeBase& kb, const Machine& m) {
  if (m.gpus.empty()) return false;
  for (const Gpu& g : m.gpus) {
    bool dc = false;
    for (const GpuProduct& p : kb.gpu_products())
      for (unsigned id : p.pci_device_ids)
        if (id == g.device_id && p.datacenter) dc = true;
    if (!dc) return false;
  }
  return true;
}

void check_image_cuda(const Context& c) {
  const Machine& m = c.m;
  if (!m.container.inside || !m.container.image_cuda.known()) return;
  auto driver = running_driver(m);
  if (!driver) return;
  const CudaVersion cuda = *m.container.image_cuda.value;
  auto need = min_driver(c.kb, m, cuda);
  if (!need || *driver >= *need) return;
  if (forward_compat_in_use(m)) return;  // forward-compat-in-use / -unsupported tell the rest
  std::vector<std::string> ev{
      driver_evidence(m), "image CUDA " + with_source(cuda.str(), m.container.image_cuda.source),
      "CUDA " + cuda.major_minor() + " needs driver >= " + need->str()};
  for (const auto& lib : m.container.compat_libs)
    ev.push_back("forward-compat " + lib.path + ": " + lib.why);
  std::string fix = "run it on a host with driver >= " + need->str() +
                    ", or use an image for CUDA <= " +
                    (m.driver.cuda.known() ? m.driver.cuda.value->major_minor()
                                           : std::string("the driver's CUDA"));
  const ForwardCompat* fc = c.kb.forward_compat_for(cuda.major_minor_only(), driver->branch());
  if (fc && fc->supported && datacenter_gpus(c.kb, m))
    fix += ", or add forward compatibility to the image: apt install cuda-compat-" +
           std::to_string(cuda.major()) + "-" + std::to_string(cuda.minor()) +
           " with /usr/local/cuda/compat on LD_LIBRARY_PATH";
  auto floor = minor_floor(c.kb, m, cuda.major());
  if (floor && *driver >= *floor) {
    c.add(
        "container-cuda-too-new", Severity::kWarning,
        "the image's CUDA " + cuda.major_minor() + " is newer than driver " + driver->str() +
            " supports; it runs only through minor-version compatibility (newer PTX fails to JIT)",
        std::move(ev), fix);
    return;
  }
  c.add("container-cuda-too-new", Severity::kError,
        "the image's CUDA " + cuda.major_minor() + " needs a newer driver than the host's " +
            driver->str() +
            " and no usable forward-compatibility libraries are present: 'CUDA driver version is "
            "insufficient'",
        std::move(ev), fix);
}

// "libcuda.so.1 -> libcuda.so.560.35.05 (/etc/ld.so.cache)"
std::string loader_evidence(const LoadedLibrary& lib) {
  std::string s = "CUDA programs load " + lib.path;
  if (lib.real != lib.path) s += " -> " + lib.real;
  s += " (found through " + lib.how + ")";
  if (lib.forward_compat != lib.real)
    s += ", the same file as " + lib.forward_compat + " (mounted or copied there)";
  return s;
}

// How to stop the loader picking the compat library, by how it got there.
std::string unload_compat_fix(const Machine& m, const LoadedLibrary& lib) {
  const std::string dir = path_dirname(lib.path);
  if (lib.how == "LD_LIBRARY_PATH") return "remove " + dir + " from LD_LIBRARY_PATH";
  if (path_basename(path_dirname(lib.real)) == "compat")
    return "remove " + path_dirname(lib.real) + " from /etc/ld.so.conf.d/*.conf and run ldconfig";
  std::string own;
  for (const auto& l : m.driver.libraries)
    if (l.kind == "libcuda" && !l.stub && !l.forward_compat && l.version &&
        m.driver.version.known() && *l.version == *m.driver.version.value)
      own = path_basename(l.path);
  std::string fix =
      "rebuild the image without its cuda-compat package (the container runtime "
      "mounts /usr/local/cuda/compat over the host's libcuda)";
  if (!own.empty()) fix += ", or in this container: ln -sf " + own + " " + dir + "/libcuda.so.1";
  return fix;
}

// A forward-compatibility libcuda newer than the kernel module is what CUDA programs load:
// supported (info) on data-center GPUs and the branches NVIDIA's table allows; otherwise CUDA
// fails at initialisation (CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE, 804, on other GPUs;
// CUDA_ERROR_SYSTEM_DRIVER_MISMATCH, 803, on branches it does not support).
void check_forward_compat_use(const Context& c) {
  const Machine& m = c.m;
  const ContainerInfo::CompatLib* lib = forward_compat_in_use(m);
  if (lib == nullptr || !m.driver.libcuda || !m.driver.version.known()) return;
  const ForwardCompatCheck fc = check_forward_compat(c.kb, m, *lib);
  const std::string cuda = fc.cuda ? "CUDA " + fc.cuda->major_minor() : std::string("CUDA");
  std::vector<std::string> ev{loader_evidence(*m.driver.libcuda),
                              "forward-compat libcuda " + lib->version.str() + " (" + cuda +
                                  ") is newer than the " + driver_evidence(m)};
  ev.insert(ev.end(), fc.evidence.begin(), fc.evidence.end());
  if (fc.allowed()) {
    c.add("forward-compat-in-use", Severity::kInfo,
          "CUDA programs use forward compatibility: libcuda " + lib->version.str() + " (" + cuda +
              ") over kernel module " + m.driver.version.value->str() +
              ", supported on this GPU and driver branch",
          std::move(ev), "");
    return;
  }
  if (fc.gpus_allowed && fc.branch_allowed) {  // a GPU gpus.csv does not list
    c.add("forward-compat-in-use", Severity::kWarning,
          "CUDA programs use forward compatibility (libcuda " + lib->version.str() + ", " + cuda +
              ") on a GPU not known to be a data-center GPU: NVIDIA supports it only there "
              "(otherwise CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE)",
          std::move(ev), unload_compat_fix(m, *m.driver.libcuda) + " if CUDA fails to start");
    return;
  }
  // The driver that would run it natively: for the image's CUDA, else the compat build's.
  std::string need;
  const auto wanted = m.container.image_cuda.known() ? m.container.image_cuda.value : fc.cuda;
  if (wanted)
    if (auto v = min_driver(c.kb, m, *wanted)) need = v->str();
  const std::string error = !fc.gpus_allowed ? "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE (804)"
                                             : "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH (803)";
  const std::string why = !fc.gpus_allowed
                              ? "forward compatibility is for data-center GPUs only"
                              : "NVIDIA does not support this CUDA on driver branch R" +
                                    std::to_string(m.driver.version.value->branch());
  std::string fix = unload_compat_fix(m, *m.driver.libcuda) +
                    " so that the driver's own libcuda is loaded (newer CUDA then runs only "
                    "through minor-version compatibility)";
  if (!need.empty()) fix += "; or run on a host with driver >= " + need;
  c.add("forward-compat-unsupported", Severity::kError,
        "CUDA programs load the forward-compatibility libcuda " + lib->version.str() + " but " +
            why + ": CUDA fails to initialise with " + error,
        std::move(ev), fix);
}

void check_visible_devices(const Context& c) {
  const Machine& m = c.m;
  if (m.gpus.empty() || !m.cuda_visible_devices.known()) return;
  const std::string value(trim(*m.cuda_visible_devices.value));
  bool none_visible = true;
  for (const Gpu& g : m.gpus) none_visible = none_visible && !g.visible;
  const bool hides_by_value =
      value.empty() || value == "-1" || iequals(value, "none") || iequals(value, "NoDevFiles");
  if (!none_visible && !hides_by_value) return;
  c.add("cuda-visible-devices-hides-gpus", Severity::kError,
        "CUDA_VISIBLE_DEVICES='" + value + "' hides all " + std::to_string(m.gpus.size()) +
            " GPU(s): CUDA programs see no device",
        {with_source("CUDA_VISIBLE_DEVICES='" + value + "'", m.cuda_visible_devices.source),
         std::to_string(m.gpus.size()) + " NVIDIA GPU(s) in /sys/bus/pci/devices"},
        "unset CUDA_VISIBLE_DEVICES (or export CUDA_VISIBLE_DEVICES=0)");
}

}  // namespace

void check_container(const Context& c) {
  check_image_cuda(c);
  check_forward_compat_use(c);
  check_visible_devices(c);
}

}  // namespace cudafit::doctor
