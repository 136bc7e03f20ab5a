// Container and visibility checks: an image's CUDA against the host driver, and
// CUDA_VISIBLE_DEVICES hiding every GPU.
#include "doctor/checks.h"
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
  for (const auto& lib : m.container.compat_libs)
    if (lib.usable) return;  // forward compatibility serves it
  std::vector<std::string> ev{
      driver_evidence(m), "image CUDA " + with_source(cuda.str(), m.container.image_cuda.source),
      "CUDA " + cuda.major_minor() + " needs driver >= " + need->str()};
  for (const auto& lib : m.container.compat_libs)
    ev.push_back("forward-compat " + lib.path + " not used" +
                 (lib.why.empty() ? "" : ": " + lib.why));
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
  check_visible_devices(c);
}

}  // namespace cudafit::doctor
