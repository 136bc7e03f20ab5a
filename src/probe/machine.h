// Machine: what `cudafit detect` learned about a machine's GPU stack. Plain data, each
// fact with its provenance; filled by probe/ (driver, GPUs, toolkits, cuDNN, host) and
// envs/ (Python environments). doctor/ and plan/ read it; report/ renders it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "envs/environment.h"
#include "util/fact.h"
#include "versions/nvidia_versions.h"

namespace cudafit {

struct HostInfo {
  Fact<std::string> hostname;    // /proc/sys/kernel/hostname, else /etc/hostname
  Fact<std::string> os_id;       // "debian", "ubuntu" (/etc/os-release ID)
  Fact<std::string> os_version;  // "12", "24.04"
  Fact<std::string> os_pretty;   // PRETTY_NAME
  Fact<std::string> cpu_arch;    // "x86_64", "aarch64"
  Fact<std::string> kernel;      // "6.1.0-18-amd64"
  Fact<std::string> glibc;       // "2.36"
  bool wsl = false;              // WSL2 (/proc/version "microsoft", /usr/lib/wsl/lib)
  std::string wsl_source;
};

struct ContainerInfo {
  bool inside = false;
  std::string runtime;              // "docker", "podman", "containerd", "kubernetes", ""
  std::string source;               // "/.dockerenv"
  Fact<CudaVersion> image_cuda;     // CUDA_VERSION of the image
  std::string nvidia_require_cuda;  // NVIDIA_REQUIRE_CUDA as set
  // Forward-compatibility libraries (/usr/local/cuda*/compat/libcuda.so.X).
  struct CompatLib {
    std::string path;
    DriverVersion version;
    bool loaded = false;  // the loader opens it for libcuda.so.1 (or a mount or copy of it)
    bool usable = false;  // loaded, and newer than the running driver
    std::string why;      // e.g. "not what the loader opens for libcuda.so.1 (...)"
  };
  std::vector<CompatLib> compat_libs;
};

struct DriverLibrary {
  std::string path;                      // "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05"
  std::string kind;                      // "libcuda", "libnvidia-ml"
  std::optional<DriverVersion> version;  // from the file name
  bool stub = false;                     // .../stubs/libcuda.so: never a driver
  bool forward_compat = false;           // a cuda-compat build mounted or copied here
};

// The file the dynamic loader opens for a library name, in glibc's order for a program with
// no RPATH/RUNPATH: LD_LIBRARY_PATH, then /etc/ld.so.cache, then its default folders.
struct LoadedLibrary {
  std::string path;  // the path it opens: "/usr/lib/x86_64-linux-gnu/libcuda.so.1"
  std::string real;  // links resolved: "/usr/lib/x86_64-linux-gnu/libcuda.so.560.35.05"
  std::string how;   // "LD_LIBRARY_PATH", "/etc/ld.so.cache", "default folder", or
                     // "folder order (no /etc/ld.so.cache)"
  std::optional<DriverVersion> version;  // from the real file's name
  std::string forward_compat;            // the cuda-compat file it is, or is a mount or copy of
};

struct DriverInfo {
  Fact<DriverVersion> version;    // the running kernel module's
  Fact<std::string> module_kind;  // "open" or "proprietary"
  Fact<CudaVersion> cuda;         // highest CUDA it supports (kb, or cuDriverGetVersion)
  bool module_loaded = false;
  bool nouveau_loaded = false;
  std::vector<DriverLibrary> libraries;    // user-space libraries found
  std::optional<LoadedLibrary> libcuda;    // what CUDA programs load for libcuda.so.1
  Fact<DriverVersion> userspace_version;   // version of libcuda/libnvidia-ml found
  bool version_mismatch = false;           // kernel module != user space
  Fact<DriverVersion> nvidia_smi_version;  // only with --exec
};

struct Gpu {
  int index = 0;
  Fact<std::string> name;  // "NVIDIA H200"
  std::string pci_bus;     // "0000:00:06.0"
  unsigned vendor_id = 0x10de;
  unsigned device_id = 0;      // 0x2335
  std::string pci_id() const;  // "10de:2335"
  Fact<std::string> chip;      // "GH100"
  Fact<ComputeCapability> compute_capability;
  Fact<unsigned long long> memory_mib;
  Fact<std::string> uuid;
  Fact<bool> mig_enabled;
  std::string bound_driver;  // "nvidia", "nouveau", "vfio-pci", "" (from the driver link)
  bool visible = true;       // after CUDA_VISIBLE_DEVICES / NVIDIA_VISIBLE_DEVICES
};

struct Toolkit {
  std::string path;  // "/usr/local/cuda-13.0"
  Fact<CudaVersion> version;
  bool active = false;                      // the one PATH / CUDA_HOME / the cuda link selects
  std::vector<std::string> active_because;  // "PATH has /usr/local/cuda/bin", "CUDA_HOME"
  std::string nvcc;                         // path to nvcc, if present
  bool on_ld_library_path = false;
};

// CUDA_HOME / CUDA_PATH as torch.utils.cpp_extension reads them: `CUDA_HOME or CUDA_PATH`,
// taken as it is (nvcc is then <it>/bin/nvcc) and never checked.
struct CudaHomeSetting {
  std::string var;      // "CUDA_HOME" or "CUDA_PATH"; "" when extension builds guess instead
  std::string value;    // as set
  std::string problem;  // "" when it is a folder with bin/nvcc; else what is wrong
};

struct CudnnInstall {
  Fact<CudnnVersion> version;
  std::string path;   // header or library file the version came from
  std::string where;  // "system", "toolkit /usr/local/cuda-13.0", "LD_LIBRARY_PATH"
};

struct Machine {
  static constexpr int kSchema = 1;
  HostInfo host;
  ContainerInfo container;
  DriverInfo driver;
  std::vector<Gpu> gpus;
  Fact<std::string> cuda_visible_devices;  // the variable, when set
  Fact<std::string> nvidia_visible_devices;
  std::vector<Toolkit> toolkits;
  CudaHomeSetting cuda_home;
  std::vector<CudnnInstall> cudnn;
  std::vector<Environment> environments;  // filled by envs/
  std::vector<std::string> notes;         // unreadable files and similar, with reasons
};

}  // namespace cudafit
