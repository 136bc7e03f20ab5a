// The GPU code a binary carries: its fatbin containers, read from ELF shared objects and
// executables, standalone .fatbin and .cubin files, and the .so members of wheels.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "binary/fatbin.h"
#include "util/host.h"

namespace cudafit {

struct BinaryCode {
  std::string file;    // the path, or "pkg.whl!torch/lib/libtorch_cuda.so" for a wheel member
  std::string format;  // "elf", "cubin", "fatbin"
  std::vector<FatbinContainer> containers;  // a cubin is one container with one entry
  std::string error;                        // non-empty: nothing could be read
  std::vector<std::string> problems;        // damage found; the result is then partial
  bool partial() const { return !problems.empty(); }
};

// kNvccSections reads only the sections nvcc writes fatbins to (.nv_fatbin, __nv_relfatbin):
// all a uniformly built extension has, and no scan of .rodata on large libraries without GPU
// code. kAll also finds the fatbins libraries keep as data (.rodata, .ldata, .cask_resource).
enum class ScanScope { kAll, kNvccSections };

// One file: an ELF, .cubin or .fatbin gives one BinaryCode; a wheel gives one per member
// that holds GPU code (or could not be read).
std::vector<BinaryCode> scan_file(const Host& host, std::string_view path,
                                  ScanScope scope = ScanScope::kAll);
// Bytes already in memory; `name` becomes BinaryCode::file.
BinaryCode scan_bytes(std::string_view data, std::string name, ScanScope scope = ScanScope::kAll);

// Files and directories. Directories need `recursive` (else an error entry) and list only
// the candidate files (ELF names .so/.so.N, .cubin, .fatbin, .whl) that hold GPU code.
std::vector<BinaryCode> scan_paths(const Host& host, const std::vector<std::string>& paths,
                                   bool recursive);

struct ArchCount {
  std::string arch;  // "sm_90a", "compute_120"
  std::size_t containers = 0;
};

// The containers of one role: where they lie and what they hold.
struct RoleSummary {
  ContainerRole role = ContainerRole::kRegistered;
  std::size_t containers = 0;
  std::vector<std::string> sections;  // ".nv_fatbin", ".cask_resource"
  std::vector<std::string> targets;   // "sm_70", "compute_80", "lto_50": SASS, PTX, LTO IR
};

// What a BinaryCode carries. SASS, PTX, arch_list and extras count only the containers a GPU
// can be given (registered or library-loaded: see ContainerRole); `roles` accounts for all.
struct CodeSummary {
  std::vector<std::string> sass;  // "sm_75", "sm_90a"; ascending
  struct Ptx {
    std::string arch;  // "compute_120"
    std::string isa;   // "9.0" (the highest seen for that arch)
  };
  std::vector<Ptx> ptx;
  std::vector<std::string> lto_ir;  // "lto_75": LTO IR for nvJitLink (any container), never run
  // Over the runnable containers:
  std::vector<std::string> arch_list;  // archs present in every such container
  std::vector<ArchCount> extras;       // archs present in some of them only
  std::size_t code_containers = 0;     // runnable containers
  std::size_t entries = 0;             // their SASS and PTX entries, and all LTO IR entries
  std::map<ContainerRole, std::size_t> role_containers;
  std::vector<RoleSummary> roles;  // in ContainerRole order
};
CodeSummary summarize(const BinaryCode& code);

}  // namespace cudafit
