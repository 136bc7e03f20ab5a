// KnowledgeBase: loading (embedded copy or --data DIR) and the fact queries.
#include "kb/kb.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "kb/embedded.h"
#include "kb/kb_impl.h"
#include "util/host.h"
#include "util/strings.h"

namespace cudafit {
namespace {

// The first row that matches, or null: a one-row lookup answers from its picked rows when it
// has them, else from the parsed table.
template <class Row, class Match>
const Row* first_row(const std::vector<Row>& rows, Match matches) {
  auto it = std::find_if(rows.begin(), rows.end(), matches);
  return it == rows.end() ? nullptr : &*it;
}

}  // namespace

std::string_view to_string(Os os) { return os == Os::kLinux ? "linux" : "windows"; }

std::string_view to_string(Platform p) {
  switch (p) {
    case Platform::kLinuxX86_64:
      return "linux-x86_64";
    case Platform::kLinuxAarch64:
      return "linux-aarch64";
    case Platform::kWindowsX86_64:
      return "windows-x86_64";
  }
  return "unknown";
}

std::vector<std::string_view> kb_file_names() {
  return {kCudaFile,
          kMinorCompatFile,
          kForwardCompatFile,
          kGpuArchsFile,
          kGpusFile,
          kPciIdsFile,
          kDriverBranchesFile,
          kTorchReleasesFile,
          kTorchVariantsFile,
          kTorchArchListsFile,
          kFrameworksFile,
          kCudnnFile,
          kTorchWheelsFile,
          kCompanionReleasesFile,
          kDriverFirstReleasesFile};
}

KnowledgeBase::KnowledgeBase(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KnowledgeBase::~KnowledgeBase() = default;

std::shared_ptr<const KnowledgeBase> KnowledgeBase::embedded_fresh() {
  auto impl = std::make_unique<Impl>();
  impl->embedded = true;
  for (std::size_t i = 0; i < kEmbeddedFileCount; ++i)
    impl->files.emplace(kEmbeddedFiles[i].name,
                        std::string_view(kEmbeddedFiles[i].data, kEmbeddedFiles[i].size));
  return std::make_shared<const KnowledgeBase>(std::move(impl));
}

Result<std::shared_ptr<const KnowledgeBase>> KnowledgeBase::embedded() {
  // Never destroyed: freeing every parsed table at exit cost half a millisecond of each
  // command, and the process is ending anyway. (Still reachable, so no leak report.)
  static const auto* kb = new std::shared_ptr<const KnowledgeBase>(embedded_fresh());
  return *kb;
}

Result<std::shared_ptr<const KnowledgeBase>> KnowledgeBase::load_dir(const std::string& dir) {
  std::error_code ec;
  std::string abs = std::filesystem::absolute(dir, ec).string();
  if (ec) return make_error("--data " + dir + ": " + ec.message());
  RootedHost rooted("/", std::map<std::string, std::string>{});
  const Host& host = rooted;
  auto impl = std::make_unique<Impl>();
  for (std::string_view name : kb_file_names()) {
    std::string path = path_join(abs, name);
    auto text = host.read_file(path);
    if (!text) return make_error(path + ": " + text.error());
    auto [it, _] = impl->owned.emplace(std::string(name), std::move(text).value());
    impl->files.emplace(it->first, std::string_view(it->second));
  }
  auto kb = std::make_shared<const KnowledgeBase>(std::move(impl));
  Status s = kb->verify();
  if (!s) return make_error(path_join(abs, "") + s.error());
  return kb;
}

// ---- Tables ----

const std::vector<CudaRelease>& KnowledgeBase::cuda_releases() const {
  return impl_->get(impl_->cuda, kCudaFile, parse_cuda_releases);
}
const std::vector<MinorCompat>& KnowledgeBase::minor_compat() const {
  return impl_->get(impl_->minor, kMinorCompatFile, parse_minor_compat);
}
const std::vector<ForwardCompat>& KnowledgeBase::forward_compat() const {
  return impl_->get(impl_->forward, kForwardCompatFile, parse_forward_compat);
}
const std::vector<GpuArch>& KnowledgeBase::gpu_archs() const {
  return impl_->get(impl_->archs, kGpuArchsFile, parse_gpu_archs);
}
const std::vector<GpuProduct>& KnowledgeBase::gpu_products() const {
  return impl_->get(impl_->gpus, kGpusFile, parse_gpu_products);
}
const std::vector<PciDevice>& KnowledgeBase::pci_devices() const {
  return impl_->get(impl_->pci, kPciIdsFile, parse_pci_devices);
}
const std::vector<DriverBranch>& KnowledgeBase::driver_branches() const {
  return impl_->get(impl_->branches, kDriverBranchesFile, parse_driver_branches);
}
const std::vector<TorchRelease>& KnowledgeBase::torch_releases() const {
  return impl_->get(impl_->torch, kTorchReleasesFile, parse_torch_releases);
}
const std::vector<TorchVariant>& KnowledgeBase::torch_variants() const {
  return impl_->get(impl_->variants, kTorchVariantsFile, parse_torch_variants);
}
const std::vector<TorchArchList>& KnowledgeBase::torch_arch_lists() const {
  return impl_->get(impl_->arch_lists, kTorchArchListsFile, parse_torch_arch_lists);
}
const std::vector<FrameworkRequirement>& KnowledgeBase::frameworks() const {
  return impl_->get(impl_->frameworks, kFrameworksFile, parse_frameworks);
}
const std::vector<CudnnSupport>& KnowledgeBase::cudnn_support() const {
  return impl_->get(impl_->cudnn, kCudnnFile, parse_cudnn_support);
}

const std::vector<TorchWheelSet>& KnowledgeBase::torch_wheel_sets() const {
  return impl_->get(impl_->wheels, kTorchWheelsFile, parse_torch_wheel_sets);
}
const std::vector<CompanionRelease>& KnowledgeBase::companion_releases() const {
  return impl_->get(impl_->companions, kCompanionReleasesFile, parse_companion_releases);
}
const std::vector<DriverFirstRelease>& KnowledgeBase::driver_first_releases() const {
  return impl_->get(impl_->driver_firsts, kDriverFirstReleasesFile, parse_driver_first_releases);
}

Status KnowledgeBase::verify() const {
  cuda_releases(), minor_compat(), forward_compat(), gpu_archs(), gpu_products(), pci_devices();
  driver_branches(), torch_releases(), torch_variants(), torch_arch_lists(), frameworks();
  cudnn_support(), torch_wheel_sets(), companion_releases(), driver_first_releases();
  for (const std::string* e :
       {&impl_->cuda.error, &impl_->minor.error, &impl_->forward.error, &impl_->archs.error,
        &impl_->gpus.error, &impl_->pci.error, &impl_->branches.error, &impl_->torch.error,
        &impl_->variants.error, &impl_->arch_lists.error, &impl_->frameworks.error,
        &impl_->cudnn.error, &impl_->wheels.error, &impl_->companions.error,
        &impl_->driver_firsts.error})
    if (!e->empty()) return make_error(*e);
  return Status::success();
}

// ---- Queries ----

const TorchRelease* KnowledgeBase::torch_release(const Pep440Version& v) const {
  const Pep440Version want = v.without_local();
  // One release's row read from the text (a doctor run asks about the torch installed).
  auto pick = [&] {
    return impl_->rows_where(kTorchReleasesFile, [&](std::string_view text) {
      auto parsed = Pep440Version::parse(text);
      return !parsed || *parsed == want;  // one that does not parse: the row parser says so
    });
  };
  const auto* rows = impl_->picked(impl_->torch, impl_->release_rows, want.str(), 4,
                                   kTorchReleasesFile, parse_torch_releases, pick);
  return first_row(rows ? *rows : torch_releases(),
                   [&](const TorchRelease& r) { return r.version == want; });
}

std::vector<const TorchVariant*> KnowledgeBase::variants_of(const Pep440Version& torch) const {
  Pep440Version want = torch.without_local();
  std::vector<const TorchVariant*> out;
  // One release's rows read from the text (a doctor run asks about the one or two torch
  // builds installed; the 280-row table cost a third of it), unless the table is parsed.
  auto pick = [&] {
    // A release's rows are consecutive: its version text is parsed once, not once a row.
    std::string_view last_text;
    bool last_match = false;
    return impl_->rows_where(kTorchVariantsFile, [&](std::string_view v) {
      if (last_text.data() == nullptr || v != last_text) {
        auto parsed = Pep440Version::parse(v);
        last_text = v;
        last_match = parsed && *parsed == want;
      }
      return last_match;
    });
  };
  // Past a few releases (a search over many, as `install` does when little fits), the whole
  // table answers.
  if (const auto* rows = impl_->picked(impl_->variants, impl_->variant_rows, want.str(), 3,
                                       kTorchVariantsFile, parse_torch_variants, pick)) {
    for (const auto& v : *rows) out.push_back(&v);
    return out;
  }
  for (const auto& v : torch_variants())
    if (v.torch == want) out.push_back(&v);
  return out;
}

const TorchVariant* KnowledgeBase::variant(const Pep440Version& torch,
                                           std::string_view variant) const {
  for (const TorchVariant* v : variants_of(torch))
    if (iequals(v->variant, variant)) return v;
  return nullptr;
}

const TorchArchList* KnowledgeBase::arch_list(const Pep440Version& torch, std::string_view variant,
                                              Platform platform) const {
  const Pep440Version want = torch.without_local();
  auto matches = [&](const TorchArchList& a) {
    return a.platform == platform && iequals(a.variant, variant) && a.torch_from <= want &&
           want <= a.torch_to;
  };
  // This build's rows read from the text (a doctor run asks about the one torch installed;
  // parsing the whole table cost a sixteenth of the run), unless the table is parsed.
  auto pick = [&] {
    auto this_build = [&](const std::vector<std::string_view>& f) {
      if (f[0] != to_string(platform) || !iequals(f[1], variant)) return false;
      auto from = Pep440Version::parse(f[2]);
      auto to = Pep440Version::parse(f[3]);
      // A version that does not parse is kept: the row parser then reports it.
      return !from || !to || (*from <= want && want <= *to);
    };
    return impl_->rows_matching(kTorchArchListsFile,
                                {"platform", "variant", "torch_from", "torch_to"}, this_build);
  };
  const std::string key =
      std::string(to_string(platform)) + ' ' + to_lower(variant) + ' ' + want.str();
  const auto* rows = impl_->picked(impl_->arch_lists, impl_->arch_rows, key, 4, kTorchArchListsFile,
                                   parse_torch_arch_lists, pick);
  return first_row(rows ? *rows : torch_arch_lists(), matches);
}

std::vector<const FrameworkRequirement*> KnowledgeBase::framework_rows(
    std::string_view framework) const {
  std::vector<const FrameworkRequirement*> out;
  // One framework's rows read from the text: an environment has one or two of them.
  auto pick = [&] {
    return impl_->rows_where(kFrameworksFile, [&](std::string_view v) { return v == framework; });
  };
  if (const auto* rows = impl_->picked(impl_->frameworks, impl_->framework_rows, framework, 8,
                                       kFrameworksFile, parse_frameworks, pick)) {
    for (const FrameworkRequirement& f : *rows) out.push_back(&f);
    return out;
  }
  for (const FrameworkRequirement& f : frameworks())
    if (f.framework == framework) out.push_back(&f);
  return out;
}

const CudaRelease* KnowledgeBase::cuda_release(const CudaVersion& cuda) const {
  const CudaRelease* found = nullptr;
  for (const auto& r : cuda_releases()) {
    if (r.version.major() != cuda.major() || r.version.minor() != cuda.minor()) continue;
    if (cuda.patch() < 0)
      found = &r;  // ascending: the last one is the newest update
    else if (r.version.patch() == cuda.patch())
      return &r;
  }
  return found;
}

namespace {

const std::optional<DriverVersion>& min_driver(const CudaRelease& r, Os os) {
  return os == Os::kLinux ? r.linux_min_driver : r.windows_min_driver;
}

bool is_prerelease_label(std::string_view label) {
  return icontains(label, "RC") || icontains(label, "Preview");
}

}  // namespace

std::optional<DriverVersion> KnowledgeBase::minimum_driver_for(const CudaVersion& cuda,
                                                               Os os) const {
  if (cuda.patch() >= 0) {
    const CudaRelease* r = cuda_release(cuda);
    if (r == nullptr) return std::nullopt;
    return min_driver(*r, os);
  }
  // A major.minor alone means "a build of CUDA X.Y": the first general release of X.Y is
  // enough (NVIDIA's Table 3 row for the GA toolkit), not the newest update.
  const CudaRelease* first = nullptr;
  const CudaRelease* first_any = nullptr;
  for (const auto& r : cuda_releases()) {
    if (r.version.major() != cuda.major() || r.version.minor() != cuda.minor()) continue;
    if (!min_driver(r, os)) continue;
    if (first_any == nullptr) first_any = &r;
    if (first == nullptr && !is_prerelease_label(r.label)) first = &r;
  }
  if (first == nullptr) first = first_any;
  if (first == nullptr) return std::nullopt;
  return min_driver(*first, os);
}

const MinorCompat* KnowledgeBase::minor_compat_for(int cuda_major) const {
  for (const auto& m : minor_compat())
    if (m.cuda_major == cuda_major) return &m;
  return nullptr;
}

std::optional<CudaVersion> KnowledgeBase::highest_cuda_for_driver(const DriverVersion& driver,
                                                                  Os os) const {
  std::optional<CudaVersion> best;
  for (const auto& r : cuda_releases()) {
    bool runs = false;
    if (const auto& floor = min_driver(r, os)) {
      runs = *floor <= driver;
    } else if (os == Os::kWindows && r.linux_min_driver) {
      // Table 3 prints no Windows minimum for 13.x (the driver is no longer bundled). Windows
      // and Linux numbers differ inside one branch, so only a newer branch counts as enough.
      runs = driver.branch() > r.linux_min_driver->branch();
    }
    if (runs && (!best || r.version.major_minor_only() > *best))
      best = r.version.major_minor_only();
  }
  return best;
}

namespace {

// A data file's text taken line by line: comment lines, the header, then one row per line
// (for rows_where and rows_bisect, which pick rows without parsing the whole table).
struct TextRows {
  std::string_view text;
  std::size_t header = 0;  // where the header starts
  std::size_t data = 0;    // where the first row starts
  int data_line = 0;       // the first row's line number

  std::size_t next_line(std::size_t from) const {
    std::size_t nl = text.find('\n', from);
    return nl == std::string_view::npos ? text.size() : nl + 1;
  }
  std::string_view line_at(std::size_t start) const {
    return text.substr(start, next_line(start) - start);
  }
  // The header and the rows starting at `rows` (offset, line number) as a table of their own,
  // with their real line numbers.
  std::optional<CsvTable> table(const char* file,
                                const std::vector<std::pair<std::size_t, int>>& rows) const {
    std::string picked(line_at(header));
    if (picked.empty() || picked.back() != '\n') picked += '\n';
    for (const auto& [start, line] : rows) {
      picked.append(line_at(start));
      if (picked.back() != '\n') picked += '\n';
    }
    auto parsed = parse_csv(picked, file);
    if (!parsed || parsed->rows.size() != rows.size()) return std::nullopt;
    for (std::size_t i = 0; i < rows.size(); ++i) parsed->rows[i].line = rows[i].second;
    return std::move(*parsed);
  }
};

// nullopt when the file is missing or has no header.
std::optional<TextRows> text_rows(const std::map<std::string, std::string_view, std::less<>>& files,
                                  const char* file) {
  auto it = files.find(file);
  if (it == files.end()) return std::nullopt;
  TextRows t{it->second};
  int line = 1;
  while (t.header < t.text.size() && t.text[t.header] == '#') {
    t.header = t.next_line(t.header);
    ++line;
  }
  if (t.header >= t.text.size()) return std::nullopt;
  t.data = t.next_line(t.header);
  t.data_line = line + 1;
  return t;
}

}  // namespace

namespace {

// The rows of `t` whose fields at the places `at` satisfy `match` (given in that order), as a
// table of their own with their real line numbers. nullopt when the lines cannot be taken for
// rows: a field at one of those places is quoted, or a quote may open a field that goes on
// past its line. Then the whole table must decide.
using RowMatch = std::function<bool(const std::vector<std::string_view>&)>;
std::optional<CsvTable> pick_rows(const TextRows& t, const char* file,
                                  const std::vector<std::size_t>& at, const RowMatch& match) {
  const std::size_t needed = at.empty() ? 0 : *std::max_element(at.begin(), at.end()) + 1;
  std::vector<std::pair<std::size_t, int>> rows;
  std::vector<std::string_view> fields, picked(at.size());
  int line = t.data_line;
  for (std::size_t pos = t.data; pos < t.text.size(); pos = t.next_line(pos), ++line) {
    std::string_view row = t.line_at(pos);
    if (trim(row).empty()) continue;
    if (row.find('"') != std::string_view::npos && count_char(row, '"') % 2 != 0)
      return std::nullopt;  // few rows quote anything
    fields.clear();
    for (std::string_view rest = row; fields.size() < needed;) {
      const std::size_t comma = rest.find(',');
      const std::string_view field = rest.substr(0, comma);
      if (field.find('"') != std::string_view::npos) return std::nullopt;
      fields.push_back(trim(field));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    // A row short of fields is kept: the row parser reports it.
    bool keep = fields.size() < needed;
    if (!keep) {
      for (std::size_t i = 0; i < at.size(); ++i) picked[i] = fields[at[i]];
      keep = match(picked);
    }
    if (keep) rows.emplace_back(pos, line);
  }
  return t.table(file, rows);
}

}  // namespace

std::optional<CsvTable> KnowledgeBase::Impl::rows_where(
    const char* file, const std::function<bool(std::string_view)>& first_field_matches) const {
  auto t = text_rows(files, file);
  if (!t) return std::nullopt;
  return pick_rows(*t, file, {0}, [&](const std::vector<std::string_view>& f) {
    return first_field_matches(f[0]);
  });
}

std::optional<CsvTable> KnowledgeBase::Impl::rows_matching(
    const char* file, const std::vector<std::string_view>& columns,
    const std::function<bool(const std::vector<std::string_view>&)>& match) const {
  auto t = text_rows(files, file);
  if (!t) return std::nullopt;
  // Where the columns are, from the header.
  const std::string_view header = trim(t->line_at(t->header));
  if (header.find('"') != std::string_view::npos) return std::nullopt;
  const std::vector<std::string_view> names = split(header, ',');
  std::vector<std::size_t> at;
  for (std::string_view column : columns) {
    auto it = std::find_if(names.begin(), names.end(),
                           [&](std::string_view n) { return trim(n) == column; });
    if (it == names.end()) return std::nullopt;
    at.push_back(static_cast<std::size_t>(it - names.begin()));
  }
  return pick_rows(*t, file, at, match);
}

std::optional<CsvTable> KnowledgeBase::Impl::rows_bisect(
    const char* file, const std::function<std::optional<int>(std::string_view)>& compare) const {
  auto t = text_rows(files, file);
  if (!t) return std::nullopt;
  std::string_view text = t->text;
  // A quote anywhere may join lines into one row: then lines are not rows.
  if (text.find('"') != std::string_view::npos) return std::nullopt;
  auto key_at = [&](std::size_t start) {
    return compare(trim(text.substr(start, text.find_first_of(",\n", start) - start)));
  };
  // The first line whose key is not below the one wanted: lines before `lo` are below it,
  // lines from `hi` on are not. Both stay at line starts.
  std::size_t lo = t->data, hi = text.size();
  while (lo < hi) {
    std::size_t mid = lo + (hi - lo) / 2;
    std::size_t start = text.rfind('\n', mid - 1);
    start = start == std::string_view::npos || start + 1 < lo ? lo : start + 1;
    auto c = key_at(start);
    if (!c) return std::nullopt;
    if (*c < 0)
      lo = t->next_line(start);
    else
      hi = start;
  }
  int line = t->data_line + static_cast<int>(count_char(text.substr(t->data, lo - t->data), '\n'));
  std::vector<std::pair<std::size_t, int>> rows;
  for (std::size_t pos = lo; pos < text.size(); pos = t->next_line(pos), ++line) {
    auto c = key_at(pos);
    if (!c) return std::nullopt;
    if (*c != 0) break;
    rows.emplace_back(pos, line);
  }
  return t->table(file, rows);
}

const PciDevice* KnowledgeBase::pci_device(unsigned device_id) const {
  auto from_table = [&]() -> const PciDevice* {
    const auto& all = pci_devices();
    auto it = std::lower_bound(all.begin(), all.end(), device_id,
                               [](const PciDevice& d, unsigned id) { return d.device_id < id; });
    return it != all.end() && it->device_id == device_id ? &*it : nullptr;
  };
  if (impl_->pci.ready) return from_table();
  // One row read from the text: parsing all 2,000 rows of pci-ids.csv cost more than the
  // rest of `detect` together, for the one or two device ids a machine has.
  {
    std::lock_guard<std::mutex> lock(impl_->pci_rows_mu);
    auto it = impl_->pci_rows.find(device_id);
    if (it == impl_->pci_rows.end()) {
      std::optional<CsvTable> rows;
      if (impl_->embedded) {
        rows = impl_->rows_bisect(kPciIdsFile, [&](std::string_view id) -> std::optional<int> {
          auto v = parse_hex(id);
          if (!v) return std::nullopt;
          return *v < device_id ? -1 : *v > device_id ? 1 : 0;
        });
      } else {
        rows = impl_->rows_where(kPciIdsFile, [&](std::string_view id) {
          auto v = parse_hex(id);
          return v && *v == device_id;
        });
      }
      std::vector<PciDevice> parsed;
      if (rows && parse_pci_devices(*rows, parsed) && parsed.size() <= 1)
        it = impl_->pci_rows
                 .emplace(device_id,
                          parsed.empty() ? std::nullopt : std::optional<PciDevice>(parsed.front()))
                 .first;
    }
    if (it != impl_->pci_rows.end()) return it->second ? &*it->second : nullptr;
  }
  return from_table();
}

std::vector<const GpuProduct*> KnowledgeBase::find_gpus(std::string_view name) const {
  std::string_view want = trim(name);
  std::vector<const GpuProduct*> exact, partial;
  if (want.empty()) return exact;
  std::string lower_want = to_lower(want);
  std::string suffix(1, ' ');
  suffix.append(lower_want);
  for (const auto& g : gpu_products()) {
    std::string lower = to_lower(g.name);
    if (lower == lower_want || ends_with(lower, suffix))
      exact.push_back(&g);
    else if (icontains(g.name, want))
      partial.push_back(&g);
  }
  return exact.empty() ? partial : exact;
}

const GpuArch* KnowledgeBase::arch_of_cc(const ComputeCapability& cc) const {
  const ComputeCapability want = cc.plain();
  // One compute capability's rows read from the text: a machine has one or two.
  auto pick = [&] {
    return impl_->rows_matching(kGpuArchsFile, {"cc"}, [&](const auto& f) {
      auto parsed = ComputeCapability::parse(f[0]);
      return !parsed || *parsed == want;  // one that does not parse: the row parser says so
    });
  };
  const auto* rows = impl_->picked(impl_->archs, impl_->arch_of_cc_rows, want.str(), 4,
                                   kGpuArchsFile, parse_gpu_archs, pick);
  return first_row(rows ? *rows : gpu_archs(), [&](const GpuArch& a) { return a.cc == want; });
}

const DriverBranch* KnowledgeBase::driver_branch(int branch) const {
  for (const auto& b : driver_branches())
    if (b.branch == branch) return &b;
  return nullptr;
}

const ForwardCompat* KnowledgeBase::forward_compat_for(const CudaVersion& cuda, int branch) const {
  for (const auto& f : forward_compat())
    if (f.driver_branch == branch && f.cuda.major() == cuda.major() &&
        f.cuda.minor() == cuda.minor())
      return &f;
  return nullptr;
}

std::string_view to_string(WheelEvidence e) {
  switch (e) {
    case WheelEvidence::kListed:
      return "listed";
    case WheelEvidence::kInferred:
      return "inferred";
    case WheelEvidence::kPartial:
      return "partial";
    case WheelEvidence::kNone:
      return "none";
    case WheelEvidence::kUnknown:
      return "unknown";
  }
  return "unknown";
}

bool TorchWheelSet::has(std::string_view tag) const {
  return std::find(pythons.begin(), pythons.end(), tag) != pythons.end();
}

bool TorchWheelSet::known() const {
  return !pythons.empty() &&
         (evidence == WheelEvidence::kListed || evidence == WheelEvidence::kInferred ||
          evidence == WheelEvidence::kPartial);
}

const TorchWheelSet* KnowledgeBase::torch_wheels(const Pep440Version& torch, std::string_view index,
                                                 Platform platform) const {
  Pep440Version want = torch.without_local();
  // One release's rows picked out of the embedded text (install asks about a few releases;
  // parsing all 500 rows cost a fifth of its run), unless the table is parsed already.
  const std::string key = want.str();
  auto pick = [&] {
    // The file writes versions in their normal form (the tests check it), so the first
    // field is compared as text: no version parse per line.
    return impl_->rows_where(kTorchWheelsFile, [&](std::string_view v) { return v == key; });
  };
  if (impl_->embedded) {
    if (const auto* rows = impl_->picked(impl_->wheels, impl_->wheel_rows, key, 4, kTorchWheelsFile,
                                         parse_torch_wheel_sets, pick)) {
      const TorchWheelSet* found = nullptr;
      for (const auto& w : *rows)
        if (w.platform == platform && iequals(w.index, index)) found = &w;
      return found;
    }
  }
  const auto& all = torch_wheel_sets();
  // Ordered by torch: bisect to the release, then the last row of the key wins.
  auto it =
      std::lower_bound(all.begin(), all.end(), want,
                       [](const TorchWheelSet& w, const Pep440Version& v) { return w.torch < v; });
  const TorchWheelSet* found = nullptr;
  for (; it != all.end() && it->torch == want; ++it)
    if (it->platform == platform && iequals(it->index, index)) found = &*it;
  return found;
}

std::vector<const CompanionRelease*> KnowledgeBase::companion_releases_of(
    std::string_view package) const {
  std::vector<const CompanionRelease*> out;
  for (const auto& c : companion_releases())
    if (c.package == package) out.push_back(&c);
  return out;
}

const DriverFirstRelease* KnowledgeBase::driver_first_release(int branch) const {
  for (const auto& f : driver_first_releases())
    if (f.branch == branch) return &f;
  return nullptr;
}

const TorchRelease* KnowledgeBase::newest_torch() const {
  const auto& all = torch_releases();
  return all.empty() ? nullptr : &all.back();
}

const CudaRelease* KnowledgeBase::newest_cuda() const {
  const auto& all = cuda_releases();
  return all.empty() ? nullptr : &all.back();
}

}  // namespace cudafit
