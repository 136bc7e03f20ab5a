// Pure parsers for the texts a Linux machine exposes about its GPU stack: /proc, /sys,
// headers, ld.so.cache, file names. Text in, values out; no Host, no I/O, never throws.
// Each is fuzzed (fuzz/fuzz_proc.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"
#include "versions/nvidia_versions.h"

namespace cudafit {

// /proc/driver/nvidia/version: "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64
// 580.159.04 ..." (open) or "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05 ...".
struct NvrmVersion {
  DriverVersion version;
  bool open = false;  // "Open Kernel Module"
};
Result<NvrmVersion> parse_nvrm_version(std::string_view text);

// /sys/module/nvidia/version: "535.146.02\n", or a suffixed custom build "595.71.05-aorus.14".
Result<DriverVersion> parse_module_version(std::string_view text);

// /proc/modules: names of loaded modules ("nvidia", "nouveau", ...).
std::vector<std::string> parse_proc_modules(std::string_view text);

// /proc/driver/nvidia/gpus/<bus>/information: "Key: value" lines, keys as written ("Model").
std::map<std::string, std::string> parse_key_colon_value(std::string_view text);

// /etc/os-release: KEY=value lines with optional quotes.
std::map<std::string, std::string> parse_os_release(std::string_view text);

// "#define NAME 123" in a C header (cuda.h CUDA_VERSION, cudnn_version.h CUDNN_MAJOR).
std::optional<long long> parse_define(std::string_view header, std::string_view name);

// cudnn_version.h / cudnn.h: CUDNN_MAJOR, CUDNN_MINOR, CUDNN_PATCHLEVEL.
Result<CudnnVersion> parse_cudnn_header(std::string_view header);

// version.txt ("CUDA Version 11.8.89") or version.json ({"cuda": {"version": "12.4.1"}}).
Result<CudaVersion> parse_cuda_version_txt(std::string_view text);
Result<CudaVersion> parse_cuda_version_json(std::string_view text);

// A library file name's version suffix: ("libcuda.so.535.104.05", "libcuda.so") ->
// "535.104.05"; nullopt when the name is not `stem` followed by ".N...".
std::optional<std::string> so_version_suffix(std::string_view file_name, std::string_view stem);

// /sys/bus/pci/devices/*/{vendor,device,class}: "0x10de\n" -> 0x10de.
std::optional<std::uint32_t> parse_sysfs_hex(std::string_view text);

// glibc's /etc/ld.so.cache ("glibc-ld.so.cache1.1", optionally after the old "ld.so-1.7.0"
// table). Each entry: soname -> path, with the loader's flags (architecture).
struct LdCacheEntry {
  std::string soname;  // "libcuda.so.1"
  std::string path;    // "/usr/local/nvidia/lib64/libcuda.so.1"
  std::uint32_t flags = 0;
};
Result<std::vector<LdCacheEntry>> parse_ld_so_cache(std::string_view data);
// "x86_64", "aarch64", ... from an entry's flags; "" when not known.
std::string ld_cache_arch(std::uint32_t flags);

// "GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36." in libc.so.6.
std::optional<std::string> glibc_version_from_banner(std::string_view libc_bytes);

// CUDA_VISIBLE_DEVICES / NVIDIA_VISIBLE_DEVICES: which GPUs a process sees. Each selected
// token is an index ("0"), a UUID or UUID prefix ("GPU-8e9a"), or a MIG id ("MIG-...").
struct VisibleDevices {
  bool all = false;                 // unset, "all"
  bool none = false;                // "", "none", "void", "NoDevFiles"
  std::vector<std::string> tokens;  // in order; CUDA stops at the first invalid one
};
VisibleDevices parse_visible_devices(std::optional<std::string_view> value, bool nvidia_var);

}  // namespace cudafit
