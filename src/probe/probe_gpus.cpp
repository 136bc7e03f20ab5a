// GPUs: NVIDIA display/3D devices in /sys/bus/pci/devices, named from the driver's /proc
// files or the knowledge base, and which of them CUDA_VISIBLE_DEVICES /
// NVIDIA_VISIBLE_DEVICES leave visible.
#include <algorithm>

#include "probe/probe_context.h"
#include "util/strings.h"

namespace cudafit {

namespace {

constexpr const char* kPciDevices = "/sys/bus/pci/devices";
constexpr std::uint32_t kNvidiaVendor = 0x10de;  // PCI-SIG vendor id of NVIDIA
constexpr std::uint32_t kDisplayClass = 0x03;    // PCI base class "display controller"

// "GA106 [GeForce RTX 3050]" -> "GeForce RTX 3050"; a name without brackets stays.
std::string product_of_pci_name(const std::string& name) {
  size_t open = name.find('[');
  size_t close = name.rfind(']');
  if (open == std::string::npos || close == std::string::npos || close <= open) return name;
  return name.substr(open + 1, close - open - 1);
}

void fill_from_kb(ProbeContext& ctx, Gpu& gpu) {
  const PciDevice* dev = ctx.kb.pci_device(gpu.device_id);
  std::string where = "knowledge base: PCI id " + gpu.pci_id();
  if (dev == nullptr) {
    std::string why = "PCI id " + gpu.pci_id() + " is not in the knowledge base";
    gpu.chip = Fact<std::string>::unknown(why);
    gpu.compute_capability = Fact<ComputeCapability>::unknown(why);
    if (!gpu.name.known()) gpu.name = Fact<std::string>::unknown(why);
    return;
  }
  gpu.chip = dev->chip.empty()
                 ? Fact<std::string>::unknown(where + " has no chip")
                 : Fact<std::string>::of(dev->chip, where + " (" + dev->from.where() + ")");
  if (dev->cc)
    gpu.compute_capability =
        Fact<ComputeCapability>::of(*dev->cc, where + " (" + dev->from.where() + ")");
  else
    gpu.compute_capability = Fact<ComputeCapability>::unknown(where + " has no compute capability");
  if (!gpu.name.known() && !dev->name.empty())
    gpu.name = Fact<std::string>::of(product_of_pci_name(dev->name),
                                     where + " (" + dev->from.where() + ")");
}

void read_information(ProbeContext& ctx, Gpu& gpu) {
  std::string path = "/proc/driver/nvidia/gpus/" + gpu.pci_bus + "/information";
  const std::string* text = ctx.read(path);
  if (text == nullptr) return;
  auto kv = parse_key_colon_value(*text);
  if (auto it = kv.find("Model"); it != kv.end() && !it->second.empty())
    gpu.name = Fact<std::string>::of(it->second, path);
  if (auto it = kv.find("GPU UUID"); it != kv.end() && !it->second.empty())
    gpu.uuid = Fact<std::string>::of(it->second, path);
}

void read_mig(ProbeContext& ctx, Gpu& gpu, int minor) {
  // With MIG on, the driver lists GPU instances under capabilities/gpuN/mig/ (gi1, gi2...).
  std::string dir = "/proc/driver/nvidia/capabilities/gpu" + std::to_string(minor) + "/mig";
  const auto* entries = ctx.list(dir);
  if (entries == nullptr) return;
  bool instances = std::any_of(entries->begin(), entries->end(),
                               [](const DirEntry& e) { return starts_with(e.name, "gi"); });
  if (instances) gpu.mig_enabled = Fact<bool>::of(true, dir);
}

// Applies one visibility variable to the GPUs still visible, in their order.
void apply_visibility(std::vector<Gpu>& gpus, const VisibleDevices& vis) {
  if (vis.all) return;
  std::vector<Gpu*> candidates;
  for (auto& g : gpus)
    if (g.visible) candidates.push_back(&g);
  std::vector<bool> keep(candidates.size(), false);
  if (!vis.none) {
    for (const auto& tok : vis.tokens) {
      int hit = -1;
      if (auto n = parse_uint(tok)) {
        if (*n < candidates.size()) hit = static_cast<int>(*n);
      } else if (starts_with(tok, "MIG-")) {
        break;  // a MIG device: which GPU it lives on needs NVML
      } else {
        for (size_t i = 0; i < candidates.size(); ++i) {
          const auto& uuid = candidates[i]->uuid;
          if (uuid.known() && starts_with(*uuid.value, tok)) {
            hit = static_cast<int>(i);
            break;
          }
        }
      }
      if (hit < 0) break;  // CUDA ignores everything from the first invalid entry on
      keep[static_cast<size_t>(hit)] = true;
    }
  }
  for (size_t i = 0; i < candidates.size(); ++i) candidates[i]->visible = keep[i];
}

}  // namespace

void probe_gpus(ProbeContext& ctx) {
  const auto* devices = ctx.list(kPciDevices);
  int minor = 0;
  if (devices != nullptr) {
    for (const auto& entry : *devices) {
      std::string dir = std::string(kPciDevices) + "/" + entry.name;
      const std::string* vendor = ctx.read(dir + "/vendor");
      if (vendor == nullptr) continue;
      auto vendor_id = parse_sysfs_hex(*vendor);
      if (!vendor_id || *vendor_id != kNvidiaVendor) continue;
      const std::string* cls = ctx.read(dir + "/class");
      auto class_id = cls ? parse_sysfs_hex(*cls) : std::nullopt;
      if (!class_id) {
        ctx.note(dir + "/class: unreadable or not hex; device skipped");
        continue;
      }
      if ((*class_id >> 16) != kDisplayClass) continue;  // audio, USB, bridges of the card
      const std::string* device = ctx.read(dir + "/device");
      auto device_id = device ? parse_sysfs_hex(*device) : std::nullopt;
      Gpu gpu;
      gpu.index = static_cast<int>(ctx.m.gpus.size());
      gpu.pci_bus = entry.name;
      gpu.vendor_id = kNvidiaVendor;
      if (!device_id) {
        ctx.note(dir + "/device: unreadable or not hex");
        gpu.chip = Fact<std::string>::unknown(dir + "/device is unreadable");
        gpu.compute_capability = Fact<ComputeCapability>::unknown(gpu.chip.note);
        gpu.name = Fact<std::string>::unknown(gpu.chip.note);
      } else {
        gpu.device_id = *device_id;
      }
      if (auto link = ctx.host.read_link(dir + "/driver")) gpu.bound_driver = path_basename(*link);
      read_information(ctx, gpu);
      if (device_id) fill_from_kb(ctx, gpu);
      read_mig(ctx, gpu, minor++);
      if (!gpu.uuid.known())
        gpu.uuid = Fact<std::string>::unknown("needs the driver's /proc file or NVML");
      if (!gpu.memory_mib.known()) gpu.memory_mib = Fact<unsigned long long>::unknown("needs NVML");
      if (!gpu.mig_enabled.known()) gpu.mig_enabled = Fact<bool>::unknown("needs NVML");
      ctx.m.gpus.push_back(std::move(gpu));
    }
  }

  auto cuda_vis = ctx.host.env("CUDA_VISIBLE_DEVICES");
  auto nv_vis = ctx.host.env("NVIDIA_VISIBLE_DEVICES");
  if (cuda_vis)
    ctx.m.cuda_visible_devices = Fact<std::string>::of(*cuda_vis, "CUDA_VISIBLE_DEVICES");
  else
    ctx.m.cuda_visible_devices = Fact<std::string>::unknown("not set");
  if (nv_vis)
    ctx.m.nvidia_visible_devices = Fact<std::string>::of(*nv_vis, "NVIDIA_VISIBLE_DEVICES");
  else
    ctx.m.nvidia_visible_devices = Fact<std::string>::unknown("not set");
  // NVIDIA_VISIBLE_DEVICES is applied by the container runtime when it starts a container;
  // inside one, /sys still lists every GPU of the host.
  if (ctx.inside_container) apply_visibility(ctx.m.gpus, parse_visible_devices(nv_vis, true));
  apply_visibility(ctx.m.gpus, parse_visible_devices(cuda_vis, false));
}

}  // namespace cudafit
