// libFuzzer target: every /proc, /sys, header and ld.so.cache parser of probe/parsers.h on
// arbitrary bytes, and a whole detect_machine over a MemoryHost whose files are those bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "kb/kb.h"
#include "probe/detect.h"
#include "probe/parsers.h"

using namespace cudafit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_nvrm_version(text);
  (void)parse_module_version(text);
  (void)parse_proc_modules(text);
  (void)parse_key_colon_value(text);
  (void)parse_os_release(text);
  (void)parse_cudnn_header(text);
  (void)parse_cuda_version_txt(text);
  (void)parse_cuda_version_json(text);
  (void)parse_sysfs_hex(text);
  (void)parse_ld_so_cache(text);
  (void)glibc_version_from_banner(text);
  (void)so_version_suffix(text, "libcuda.so");
  (void)parse_visible_devices(text, true);

  static auto kb = KnowledgeBase::embedded();
  if (!kb) return 0;
  MemoryHost host;
  std::string bytes(text);
  for (const char* path :
       {"/proc/driver/nvidia/version", "/sys/module/nvidia/version", "/proc/modules",
        "/etc/ld.so.cache", "/etc/os-release", "/proc/version",
        "/sys/bus/pci/devices/0000:01:00.0/device",
        "/proc/driver/nvidia/gpus/0000:01:00.0/information", "/usr/local/cuda/version.json",
        "/usr/local/cuda/include/cudnn_version.h"})
    host.add_file(path, bytes);
  host.add_file("/sys/bus/pci/devices/0000:01:00.0/vendor", "0x10de");
  host.add_file("/sys/bus/pci/devices/0000:01:00.0/class", "0x030000");
  host.set_env("CUDA_VISIBLE_DEVICES", bytes);
  DetectOptions options;
  options.driver_libs = DetectOptions::DriverLibs::kNever;
  (void)detect_machine(host, **kb, options);
  return 0;
}
