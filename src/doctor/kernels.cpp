#include "doctor/kernels.h"

#include "binary/kernel_scan.h"
#include "util/strings.h"

namespace cudafit {

std::vector<PackageKernels> scan_package_kernels(const Host& host, const Machine& machine) {
  std::vector<PackageKernels> out;
  for (const Environment& env : machine.environments) {
    for (const InstalledPackage& p : env.packages) {
      if (starts_with(p.name, "nvidia-") || starts_with(p.name, "cuda-") || p.location.empty())
        continue;
      std::string import_name = p.name;
      for (char& ch : import_name)
        if (ch == '-') ch = '_';
      const std::string dir = path_join(p.location, import_name);
      if (!host.is_dir(dir)) continue;
      for (const BinaryCode& code : scan_paths(host, {dir}, /*recursive=*/true)) {
        if (!code.error.empty() || code.containers.empty()) continue;
        PackageKernels k{env.path, p.name, p.version, code.file, {}};
        for (const FatbinContainer& fc : code.containers) {
          std::vector<CodeEntry> entries;
          for (const FatbinEntry& e : fc.entries) {
            if (e.kind == CodeKind::kLtoIr) continue;
            entries.push_back(CodeEntry{e.cc, e.kind == CodeKind::kPtx, e.ptx_isa});
          }
          if (!entries.empty()) k.containers.push_back(std::move(entries));
        }
        if (!k.containers.empty()) out.push_back(std::move(k));
      }
    }
  }
  return out;
}

}  // namespace cudafit
