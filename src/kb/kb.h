// KnowledgeBase: the reviewed facts of data/ (PyTorch builds, CUDA releases, drivers, GPUs,
// other frameworks), loaded from the copy embedded in the binary or from `--data DIR`.
//
// Every record carries a Provenance (data file, line, and the row's own source column) so
// that any answer can say which row it came from. The KB holds facts only; the rules that
// combine them live in verdict/ and plan/.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"
#include "versions/nvidia_versions.h"
#include "versions/pep440.h"

namespace cudafit {

struct Provenance {
  std::string file;    // "cuda.csv"
  int line = 0;        // 1-based line in that file
  std::string source;  // the row's source column (URL, or repo:path@commit)
  bool overlay =
      false;  // added by `cudafit update` (kb/overlay.h): file and line are the overlay's
  std::string where() const { return file + ":" + std::to_string(line); }
};

enum class Os { kLinux, kWindows };
enum class Platform { kLinuxX86_64, kLinuxAarch64, kWindowsX86_64 };
std::string_view to_string(Os os);
std::string_view to_string(Platform p);

// One CUDA toolkit release or update ("12.4 Update 1" = toolkit 12.4.1).
struct CudaRelease {
  CudaVersion version;                              // major.minor.patch of the toolkit, e.g. 12.4.1
  std::string label;                                // "GA", "Update 1"
  std::string date;                                 // "2024-04" or ""
  std::optional<DriverVersion> linux_min_driver;    // Table 3 "Toolkit Driver Version"
  std::optional<DriverVersion> windows_min_driver;  // none for 13.x (not bundled)
  std::string ptx_isa;                              // "8.4"
  ComputeCapability min_sm, max_sm;                 // offline-compilation target range
  Provenance from;
};

// CUDA minor-version compatibility: a driver >= floor runs any minor of that major.
struct MinorCompat {
  int cuda_major = 0;
  DriverVersion linux_floor;
  std::optional<DriverVersion> windows_floor;
  int first_branch = 0, end_branch = 0;  // branches [first, end) for which this is "minor compat"
  Provenance from;
};

// Forward compatibility (cuda-compat package): may CUDA `cuda` run on driver branch `branch`?
struct ForwardCompat {
  CudaVersion cuda;       // major.minor of the cuda-compat package
  int driver_branch = 0;  // 535, 570, ...
  bool supported = false;
  std::string status;  // "compatible", "native" (the branch ships that CUDA), "incompatible"
  Provenance from;
};

// Chip family -> architecture -> compute capability.
struct GpuArch {
  std::string chip;          // "GA102"
  std::string architecture;  // "Ampere"
  ComputeCapability cc;
  std::optional<int> last_driver_branch;  // 470 for Kepler, 580 for Maxwell/Pascal/Volta
  std::optional<CudaVersion> first_cuda,
      last_cuda;  // toolkits that compile for it (last: none = current)
  Provenance from;
};

// A product as users name it, with its chip and PCI device ids.
struct GpuProduct {
  std::string name;  // "GeForce RTX 3050"
  std::string chip;
  ComputeCapability cc;
  std::vector<unsigned> pci_device_ids;  // 0x2507
  bool datacenter = false;               // forward compatibility is for data-center GPUs
  Provenance from;
};

// Every NVIDIA PCI device id (pci.ids) with its chip and, for GPUs, compute capability.
struct PciDevice {
  unsigned device_id = 0;  // 0x2335
  std::string name;        // pci.ids name "GH100 [H200 SXM 141GB]"
  std::string chip;
  std::optional<ComputeCapability> cc;  // none for audio/USB/bridge functions
  Provenance from;
};

struct DriverBranch {
  int branch = 0;                   // 535
  std::string designation;          // "LTSB", "PB", "NFB", "legacy"
  std::string end_of_life;          // "2028-06" or ""
  std::optional<CudaVersion> cuda;  // highest CUDA this branch supports natively
  Provenance from;
};

// A torch release: Python range, companions, date.
struct TorchRelease {
  Pep440Version version;             // 2.3.1
  std::string date;                  // "2024-06"
  std::vector<std::string> pythons;  // "3.8" ... "3.12": RELEASE.md's range (wheels: torch_wheels)
  std::optional<Pep440Version> torchvision, torchaudio;  // released with it; none = unknown
  std::string pypi_default_variant;  // "cu121": what the plain PyPI Linux x86_64 wheel is
  std::vector<std::string> pythons_experimental;  // "3.13t"
  std::string requires_python;  // PyPI Requires-Python of the default wheel (">=3.9.0"), or ""
  Provenance from;
};

// One (torch release, wheel-index variant): "2.3.1 cu121".
struct TorchVariant {
  Pep440Version torch;
  std::string variant;                // "cu121", "cpu", "rocm6.0"
  std::optional<CudaVersion> cuda;    // exact CUDA of the build, e.g. 12.1(.1); none for cpu/rocm
  std::string rocm;                   // "6.0" for rocm variants
  std::string index_url;              // "https://download.pytorch.org/whl/cu121"
  std::string status;                 // "default-pypi", "stable", "experimental", "unknown"
  std::optional<CudnnVersion> cudnn;  // bundled cuDNN, when sourced
  std::string nccl;                   // bundled NCCL, when sourced
  std::vector<Platform> platforms;
  std::string notes;  // caveats and disagreements between sources
  Provenance from;
  bool is_cuda() const { return cuda.has_value(); }
};

// The GPU code a variant's wheel carries (TORCH_CUDA_ARCH_LIST) on one platform.
struct TorchArchList {
  Pep440Version torch_from, torch_to;  // inclusive release range
  std::string variant;
  Platform platform = Platform::kLinuxX86_64;
  std::vector<ComputeCapability> sass;  // "8.6" -> sm_86 SASS
  std::vector<ComputeCapability> ptx;   // PTX carried (compute_XY)
  Provenance from;
};

// How a torch-wheels.csv row knows its Python tags: listed (a whole file list was read),
// inferred (derived from another list, the row's notes say which), partial (these tags exist,
// others are unknown), none (the whole list has no wheel for the platform), unknown.
enum class WheelEvidence { kListed, kInferred, kPartial, kNone, kUnknown };
std::string_view to_string(WheelEvidence e);

// The CPython wheels of one (torch release, wheel index, platform): data/torch-wheels.csv.
struct TorchWheelSet {
  Pep440Version torch;
  std::string index;  // "pypi", or a torch-variants.csv variant ("cu121": its PyTorch index)
  Platform platform = Platform::kLinuxX86_64;
  std::vector<std::string> pythons;  // CPython tags "cp39" ... "cp313t" (free-threaded ABI)
  std::string requires_python;       // the files' Requires-Python; "" = none / not sourced
  WheelEvidence evidence = WheelEvidence::kUnknown;
  std::string uploaded;  // first upload of the files ("2024-10-29"), pypi rows
  std::string fetched;   // when the list was read ("2026-12-04")
  std::string notes;     // what an inference rests on; why a set is unknown
  Provenance from;
  bool has(std::string_view tag) const;
  // listed / inferred / partial with tags: some wheels are known to exist.
  bool known() const;
};

// A torchvision / torchaudio release on PyPI: data/torch-companion-releases.csv.
struct CompanionRelease {
  std::string package;  // "torchvision", "torchaudio"
  Pep440Version version;
  std::string date;  // first upload, "2024-10-29"
  bool yanked = false;
  std::string requires_python;
  // Its Requires-Dist on torch without the marker: "torch==2.5.1", "torch>=2.14.0", "torch"
  // (any torch), "none" (it requires no torch), "" (not read).
  std::string torch_requirement;
  std::string notes;
  Provenance from;
};

// The first release of a driver branch (data/driver-first-releases.csv): what a bare branch
// ("--driver 535") is judged by.
struct DriverFirstRelease {
  int branch = 0;
  DriverVersion version;
  std::string notes;
  Provenance from;
};

// A row of another framework's requirements (TensorFlow, JAX, CuPy, vLLM, ...).
struct FrameworkRequirement {
  std::string framework;  // "tensorflow", "jax", "cupy", "vllm", "xformers", "flash-attn"
  std::string version;    // a version or range as the source gives it
  std::string python;     // "3.9-3.12"
  std::string cuda;       // "12.3"
  std::string cudnn;      // "8.9"
  std::string torch;      // vLLM/xformers: the torch it pins
  std::string notes;
  Provenance from;
};

// One row of NVIDIA's cuDNN support matrix, as printed (text columns).
struct CudnnSupport {
  std::string cudnn;          // "9.10.2", "8.9.5"
  std::string cuda_major;     // "12.x"
  std::string cuda_toolkits;  // "12.9; 12.8"
  std::string linux_min_driver, windows_min_driver, compute_capabilities;
  Provenance from;
};

class KnowledgeBase {
 public:
  // The copy compiled into the binary. Parsing happens on first use of each table.
  static Result<std::shared_ptr<const KnowledgeBase>> embedded();
  // A new, unparsed instance over the embedded files each call (benchmarks, tests).
  static std::shared_ptr<const KnowledgeBase> embedded_fresh();
  // The same files from a directory (`--data DIR`), through the same loader.
  static Result<std::shared_ptr<const KnowledgeBase>> load_dir(const std::string& dir);

  const std::vector<CudaRelease>& cuda_releases() const;  // ascending
  const std::vector<MinorCompat>& minor_compat() const;
  const std::vector<ForwardCompat>& forward_compat() const;
  const std::vector<GpuArch>& gpu_archs() const;
  const std::vector<GpuProduct>& gpu_products() const;
  const std::vector<PciDevice>& pci_devices() const;  // ascending by id
  const std::vector<DriverBranch>& driver_branches() const;
  const std::vector<TorchRelease>& torch_releases() const;  // ascending
  const std::vector<TorchVariant>& torch_variants() const;  // by torch, then variant
  const std::vector<TorchArchList>& torch_arch_lists() const;
  const std::vector<FrameworkRequirement>& frameworks() const;
  const std::vector<CudnnSupport>& cudnn_support() const;
  const std::vector<TorchWheelSet>& torch_wheel_sets() const;            // by torch, index
  const std::vector<CompanionRelease>& companion_releases() const;       // by package, version
  const std::vector<DriverFirstRelease>& driver_first_releases() const;  // by branch

  // Parses every table (the embedded copy parses lazily) and returns the first error,
  // "file:line: what is wrong". load_dir() has already done this.
  Status verify() const;

  // --- Queries (facts only) ---
  const TorchRelease* torch_release(const Pep440Version& v) const;  // exact, ignoring local
  std::vector<const TorchVariant*> variants_of(const Pep440Version& torch) const;
  const TorchVariant* variant(const Pep440Version& torch, std::string_view variant) const;
  // Arch list of a variant's wheel on a platform; nullptr when not sourced (unknown).
  const TorchArchList* arch_list(const Pep440Version& torch, std::string_view variant,
                                 Platform platform) const;
  // The rows of frameworks.csv for one framework ("jax", "vllm"), in file order.
  std::vector<const FrameworkRequirement*> framework_rows(std::string_view framework) const;
  // The newest update of that major.minor when `cuda` has no patch; else that exact one.
  const CudaRelease* cuda_release(const CudaVersion& cuda) const;
  std::optional<DriverVersion> minimum_driver_for(const CudaVersion& cuda, Os os) const;
  const MinorCompat* minor_compat_for(int cuda_major) const;
  // Highest CUDA major.minor whose minimum driver on `os` is <= driver.
  std::optional<CudaVersion> highest_cuda_for_driver(const DriverVersion& driver, Os os) const;
  const PciDevice* pci_device(unsigned device_id) const;
  // Products whose name matches (case-insensitive; "RTX 3050", "3050", "H100").
  std::vector<const GpuProduct*> find_gpus(std::string_view name) const;
  const GpuArch* arch_of_cc(const ComputeCapability& cc) const;
  // Driver-branch row (535 -> R535), or nullptr.
  const DriverBranch* driver_branch(int branch) const;
  // Forward-compatibility row for (CUDA major.minor, branch), or nullptr when not listed.
  const ForwardCompat* forward_compat_for(const CudaVersion& cuda, int branch) const;

  // The wheel set of (torch, index, platform); a later row with the same key (an overlay)
  // wins. nullptr when the data has no row.
  const TorchWheelSet* torch_wheels(const Pep440Version& torch, std::string_view index,
                                    Platform platform) const;
  // One package's releases ("torchvision"), ascending.
  std::vector<const CompanionRelease*> companion_releases_of(std::string_view package) const;
  // The first release of a driver branch, or nullptr when the data has none.
  const DriverFirstRelease* driver_first_release(int branch) const;

  const TorchRelease* newest_torch() const;
  const CudaRelease* newest_cuda() const;

  ~KnowledgeBase();
  KnowledgeBase(const KnowledgeBase&) = delete;
  KnowledgeBase& operator=(const KnowledgeBase&) = delete;

  struct Impl;
  explicit KnowledgeBase(std::unique_ptr<Impl> impl);
  const Impl& impl() const { return *impl_; }  // for kb/ itself (kb_impl.h): the overlay loader

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cudafit
