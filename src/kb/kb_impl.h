// Internal to kb/: the loaded files and the lazily parsed tables behind KnowledgeBase.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kb/kb.h"
#include "util/csv.h"

namespace cudafit {

// The data files every knowledge base has (data/NAME).
inline constexpr const char* kCudaFile = "cuda.csv";
inline constexpr const char* kMinorCompatFile = "cuda-minor-compat.csv";
inline constexpr const char* kForwardCompatFile = "cuda-forward-compat.csv";
inline constexpr const char* kGpuArchsFile = "gpu-archs.csv";
inline constexpr const char* kGpusFile = "gpus.csv";
inline constexpr const char* kPciIdsFile = "pci-ids.csv";
inline constexpr const char* kDriverBranchesFile = "driver-branches.csv";
inline constexpr const char* kTorchReleasesFile = "torch-releases.csv";
inline constexpr const char* kTorchVariantsFile = "torch-variants.csv";
inline constexpr const char* kTorchArchListsFile = "torch-arch-lists.csv";
inline constexpr const char* kFrameworksFile = "frameworks.csv";
inline constexpr const char* kCudnnFile = "cudnn.csv";
inline constexpr const char* kTorchWheelsFile = "torch-wheels.csv";
inline constexpr const char* kCompanionReleasesFile = "torch-companion-releases.csv";
inline constexpr const char* kDriverFirstReleasesFile = "driver-first-releases.csv";

std::vector<std::string_view> kb_file_names();

// A table parsed on first use. `error` is empty when it parsed cleanly.
template <typename T>
struct LazyTable {
  std::once_flag once;
  std::vector<T> rows;
  std::string error;
  std::atomic<bool> ready{false};  // parsed without error: queries may use `rows`
};

// Parsers: one per file, each returns the first problem as "file:line: column: why".
Status parse_cuda_releases(const CsvTable& t, std::vector<CudaRelease>& out);
Status parse_minor_compat(const CsvTable& t, std::vector<MinorCompat>& out);
Status parse_forward_compat(const CsvTable& t, std::vector<ForwardCompat>& out);
Status parse_gpu_archs(const CsvTable& t, std::vector<GpuArch>& out);
Status parse_gpu_products(const CsvTable& t, std::vector<GpuProduct>& out);
Status parse_pci_devices(const CsvTable& t, std::vector<PciDevice>& out);
Status parse_driver_branches(const CsvTable& t, std::vector<DriverBranch>& out);
Status parse_torch_releases(const CsvTable& t, std::vector<TorchRelease>& out);
Status parse_torch_variants(const CsvTable& t, std::vector<TorchVariant>& out);
Status parse_torch_arch_lists(const CsvTable& t, std::vector<TorchArchList>& out);
Status parse_frameworks(const CsvTable& t, std::vector<FrameworkRequirement>& out);
Status parse_cudnn_support(const CsvTable& t, std::vector<CudnnSupport>& out);
Status parse_torch_wheel_sets(const CsvTable& t, std::vector<TorchWheelSet>& out);
Status parse_companion_releases(const CsvTable& t, std::vector<CompanionRelease>& out);
Status parse_driver_first_releases(const CsvTable& t, std::vector<DriverFirstRelease>& out);

struct KnowledgeBase::Impl {
  std::map<std::string, std::string, std::less<>> owned;       // load_dir: file contents
  std::map<std::string, std::string_view, std::less<>> files;  // name -> text

  LazyTable<CudaRelease> cuda;
  LazyTable<MinorCompat> minor;
  LazyTable<ForwardCompat> forward;
  LazyTable<GpuArch> archs;
  LazyTable<GpuProduct> gpus;
  LazyTable<PciDevice> pci;
  LazyTable<DriverBranch> branches;
  LazyTable<TorchRelease> torch;
  LazyTable<TorchVariant> variants;
  LazyTable<TorchArchList> arch_lists;
  LazyTable<FrameworkRequirement> frameworks;
  LazyTable<CudnnSupport> cudnn;
  LazyTable<TorchWheelSet> wheels;
  LazyTable<CompanionRelease> companions;
  LazyTable<DriverFirstRelease> driver_firsts;

  // Rows looked up without parsing their whole table (pci_device, variants_of): one device
  // id's row (nullopt = none), one torch release's variants.
  std::mutex pci_rows_mu;
  std::map<unsigned, std::optional<PciDevice>> pci_rows;
  // The rest keep, by query, the rows picked out of a table's text (see picked()).
  template <typename T>
  struct PickedRows {
    std::mutex mu;
    std::map<std::string, std::vector<T>, std::less<>> by_key;  // nodes never move
  };
  PickedRows<TorchVariant> variant_rows;            // variants_of: one release
  PickedRows<TorchWheelSet> wheel_rows;             // torch_wheels: one release
  PickedRows<TorchArchList> arch_rows;              // arch_list: one torch build
  PickedRows<TorchRelease> release_rows;            // torch_release: one release
  PickedRows<GpuArch> arch_of_cc_rows;              // arch_of_cc: one compute capability
  PickedRows<FrameworkRequirement> framework_rows;  // framework_rows: one framework
  // The rows for query `key`, picked out of `file`'s text by `pick` (rows_where and the like)
  // and parsed on the first ask, then kept. nullptr when the whole table must answer: it is
  // parsed already, `most` queries have been picked (past a few, one parse of the whole table
  // is cheaper than a scan of its text per query), or the rows would not read on their own.
  template <typename T, typename Pick>
  const std::vector<T>* picked(const LazyTable<T>& table, PickedRows<T>& kept, std::string_view key,
                               std::size_t most, const char* file,
                               Status (*parse)(const CsvTable&, std::vector<T>&),
                               const Pick& pick) const {
    if (table.ready) return nullptr;
    std::lock_guard<std::mutex> lock(kept.mu);
    auto it = kept.by_key.find(key);
    if (it == kept.by_key.end() && kept.by_key.size() < most) {
      std::optional<CsvTable> rows = pick();
      std::vector<T> parsed;
      if (rows && parse(*rows, parsed)) {
        mark_overlay_rows(file, parsed);
        it = kept.by_key.emplace(std::string(key), std::move(parsed)).first;
      }
    }
    return it == kept.by_key.end() ? nullptr : &it->second;
  }
  // The rows of `file` whose first field matches, as a table of their own with their real
  // line numbers; nullopt when lines cannot be taken for rows (quotes), and then the whole
  // table must decide.
  std::optional<CsvTable> rows_where(
      const char* file, const std::function<bool(std::string_view)>& first_field_matches) const;
  // The same, matching on the fields of the named columns (in that order; none of them may be
  // quoted, else nullopt).
  std::optional<CsvTable> rows_matching(
      const char* file, const std::vector<std::string_view>& columns,
      const std::function<bool(const std::vector<std::string_view>&)>& match) const;
  // The same for a file whose rows are in order of their first field, found by bisecting its
  // lines: `compare(first_field)` is <0, 0 or >0 as the row's key is below, at or above the
  // one wanted, nullopt for a key it cannot read (then the whole table must decide).
  std::optional<CsvTable> rows_bisect(
      const char* file, const std::function<std::optional<int>(std::string_view)>& compare) const;
  // The embedded files: their row order is checked by the tests, so rows_bisect may be used.
  // (A --data directory's files are parsed whole by verify(), and the tables answer.)
  bool embedded = false;

  // An overlaid knowledge base (kb/overlay.cpp) views the files of the one under it, and knows
  // which lines of its merged files are the overlay's rows.
  std::shared_ptr<const KnowledgeBase> under;
  struct OverlayLine {
    std::string file;  // the overlay file's path
    int line = 0;
  };
  std::map<std::string, std::map<int, OverlayLine>, std::less<>> overlay_lines;
  template <typename T>
  void mark_overlay_rows(const char* file, std::vector<T>& rows) const {
    auto lines = overlay_lines.find(file);
    if (lines == overlay_lines.end()) return;
    for (T& r : rows) {
      auto at = lines->second.find(r.from.line);
      if (at == lines->second.end()) continue;
      r.from.file = at->second.file;
      r.from.line = at->second.line;
      r.from.overlay = true;
    }
  }

  template <typename T>
  const std::vector<T>& get(LazyTable<T>& table, const char* file,
                            Status (*parse)(const CsvTable&, std::vector<T>&)) const {
    std::call_once(table.once, [&] {
      auto it = files.find(file);
      if (it == files.end()) {
        table.error = std::string(file) + ": missing from the knowledge base";
        return;
      }
      auto csv = parse_csv_in_place(it->second, file);  // the Impl keeps the text
      if (!csv) {
        table.error = csv.error();
        return;
      }
      Status s = parse(*csv, table.rows);
      if (!s) {
        table.rows.clear();
        table.error = s.error();
        return;
      }
      mark_overlay_rows(file, table.rows);
      table.ready = true;
    });
    return table.rows;
  }
};

}  // namespace cudafit
