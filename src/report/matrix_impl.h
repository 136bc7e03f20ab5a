// Internal to the matrix tables: resolved filters and the per-table builders.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/matrix.h"

namespace cudafit {

// The filters of MatrixOptions, parsed and checked against the knowledge base.
struct MatrixFilter {
  bool by_torch = false;
  std::vector<const TorchRelease*> releases;  // matching --torch
  std::optional<CudaVersion> cuda;
  std::optional<DriverVersion> driver;
  Os os = Os::kLinux;
  bool by_gpu = false;
  std::vector<ComputeCapability> gpu_ccs;       // every CC the --gpu value can mean
  std::vector<const GpuProduct*> gpu_products;  // when --gpu named products
  std::optional<unsigned> gpu_pci_id;
  bool wide = true;  // all columns (csv, json, markdown); false: text

  bool torch_matches(const Pep440Version& v) const;
  bool cuda_matches(const CudaVersion& v) const;
};

// How a driver runs builds of a CUDA major.minor.
enum class DriverFit { kNo, kNative, kMinorCompat };
DriverFit driver_fit(const KnowledgeBase& kb, const CudaVersion& cuda, const DriverVersion& driver,
                     Os os);
std::string to_string(DriverFit fit);

// "sass", "ptx" or "" (no code) for the best way a GPU of `cc` runs an arch list.
std::string code_for(const TorchArchList& list, const ComputeCapability& cc);
// "3.7+PTX;5.0;6.0" as in TORCH_CUDA_ARCH_LIST.
std::string arch_list_text(const TorchArchList& list);

Table torch_table(const KnowledgeBase& kb, const MatrixFilter& f);
Table driver_table(const KnowledgeBase& kb, const MatrixFilter& f);
Table arch_table(const KnowledgeBase& kb, const MatrixFilter& f);
Table gpu_table(const KnowledgeBase& kb, const MatrixFilter& f);
Table framework_table(const KnowledgeBase& kb, const MatrixFilter& f, const std::string& name);

}  // namespace cudafit
