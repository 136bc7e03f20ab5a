// Loading the driver's own libraries (NVML, libcuda) when files cannot answer. The calls run
// in a forked child that reports through a pipe and is killed at the deadline, so a hung or
// crashing driver cannot hang or crash cudafit. driver_lib_posix.cpp is the only file in
// cudafit that calls dlopen.
#pragma once

#include <string>
#include <vector>

namespace cudafit {

struct DriverLibGpu {
  std::string name;
  std::string uuid;
  std::string pci_bus;         // as NVML or libcuda prints it ("00000000:00:06.0")
  unsigned pci_device_id = 0;  // 0x2335 (0 when unknown)
  int cc_major = -1, cc_minor = -1;
  unsigned long long memory_mib = 0;  // 0 when unknown
  int mig_mode = -1;                  // 1 on, 0 off, -1 unknown
};

struct DriverLibReport {
  bool nvml_loaded = false;       // dlopen and nvmlInit succeeded
  bool cuda_loaded = false;       // dlopen and cuDriverGetVersion succeeded
  std::string driver_version;     // nvmlSystemGetDriverVersion
  int cuda_driver_version = 0;    // cuDriverGetVersion (or NVML's), 13000 = 13.0
  std::string cuda_version_from;  // "cuDriverGetVersion" or "nvmlSystemGetCudaDriverVersion"
  std::vector<DriverLibGpu> gpus;
  std::vector<std::string> errors;  // one line each: what failed
  bool timed_out = false;
};

// Opens the libraries at these disk paths (either may be empty: skipped) in a child process
// and asks them for the driver version, the CUDA version and the GPUs. `cuda_init`: also call
// cuInit and list devices through libcuda (slow on real drivers; used when NVML fails).
DriverLibReport query_driver_libraries(const std::string& nvml_path, const std::string& cuda_path,
                                       int timeout_ms, bool cuda_init);

}  // namespace cudafit
