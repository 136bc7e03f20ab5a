// `cudafit matrix`: filter parsing, table dispatch and fitting text output to 100 columns.
#include "report/matrix.h"

#include <algorithm>
#include <set>

#include "report/matrix_impl.h"
#include "util/strings.h"
#include "verdict/code_compat.h"

namespace cudafit {

namespace {

constexpr std::size_t kTextWidth = 100;
const char* const kFixedTables[] = {"torch", "driver", "arch", "gpu"};

std::string quoted(std::string_view s) {
  std::string q(1, '\'');
  q.append(s);
  q.push_back('\'');
  return q;
}

Status resolve_torch(const KnowledgeBase& kb, const std::string& text, MatrixFilter& f) {
  auto prefix = Pep440Version::parse(text);
  if (!prefix)
    return make_error("--torch " + quoted(text) + ": not a version (expected like 2.3 or 2.3.1)");
  f.by_torch = true;
  for (const auto& r : kb.torch_releases()) {
    bool match = true;
    const auto& want = prefix->release();
    for (std::size_t i = 0; i < want.size(); ++i)
      if (r.version.component(i) != want[i]) match = false;
    if (!prefix->local().empty() || prefix->is_prerelease() || prefix->post())
      match = r.version == prefix->without_local();
    if (match) f.releases.push_back(&r);
  }
  if (f.releases.empty()) {
    std::string range;
    if (!kb.torch_releases().empty())
      range = " (known: " + kb.torch_releases().front().version.str() + " to " +
              kb.torch_releases().back().version.str() + ")";
    return make_error("--torch " + quoted(text) + ": no torch release matches" + range);
  }
  return Status::success();
}

Status resolve_gpu(const KnowledgeBase& kb, const std::string& text, MatrixFilter& f) {
  std::string_view t = trim(text);
  f.by_gpu = true;
  auto add_cc = [&f](const ComputeCapability& cc) {
    if (std::find(f.gpu_ccs.begin(), f.gpu_ccs.end(), cc) == f.gpu_ccs.end())
      f.gpu_ccs.push_back(cc);
  };
  auto by_pci = [&](std::string_view hex) -> Status {
    auto id = parse_hex(hex);
    const PciDevice* d = id && *id <= 0xffff ? kb.pci_device(static_cast<unsigned>(*id)) : nullptr;
    if (d == nullptr)
      return make_error("--gpu " + quoted(text) + ": not an NVIDIA PCI device id in pci.ids");
    if (!d->cc)
      return make_error("--gpu " + quoted(text) + ": " + d->name +
                        " has no known compute capability");
    f.gpu_pci_id = d->device_id;
    add_cc(*d->cc);
    return Status::success();
  };
  if (starts_with(to_lower(t), "10de:")) return by_pci(t.substr(5));
  if (starts_with(to_lower(t), "0x")) return by_pci(t);
  bool cc_like = starts_with(to_lower(t), "sm_") || starts_with(to_lower(t), "compute_") ||
                 t.find('.') != std::string_view::npos;
  if (cc_like) {
    auto cc = ComputeCapability::parse(t);
    if (!cc) return make_error("--gpu " + quoted(text) + ": " + cc.error());
    add_cc(cc->plain());
    return Status::success();
  }
  f.gpu_products = kb.find_gpus(t);
  for (const GpuProduct* g : f.gpu_products) add_cc(g->cc);
  if (!f.gpu_ccs.empty()) return Status::success();
  if (t.size() == 4 && parse_hex(t)) return by_pci(t);
  return make_error(
      "--gpu " + quoted(text) +
      ": no GPU matches (give a name like 'RTX 3050', sm_86, 8.6 or a PCI id 10de:2507)");
}

Result<MatrixFilter> resolve(const KnowledgeBase& kb, const MatrixOptions& o) {
  MatrixFilter f;
  f.wide = o.format != Format::kText;
  if (o.os == "linux")
    f.os = Os::kLinux;
  else if (o.os == "windows")
    f.os = Os::kWindows;
  else
    return make_error("--os " + quoted(o.os) + ": expected linux or windows");
  if (o.torch) {
    Status s = resolve_torch(kb, *o.torch, f);
    if (!s) return Error{s.error()};
  }
  if (o.cuda) {
    auto c = CudaVersion::parse(*o.cuda);
    if (!c) return make_error("--cuda " + quoted(*o.cuda) + ": " + c.error());
    if (kb.cuda_release(*c) == nullptr)
      return make_error("--cuda " + quoted(*o.cuda) +
                        ": no such CUDA release in the knowledge base");
    f.cuda = *c;
  }
  if (o.driver) {
    auto d = DriverVersion::parse(*o.driver);
    if (!d) return make_error("--driver " + quoted(*o.driver) + ": " + d.error());
    f.driver = *d;
  }
  if (o.gpu) {
    Status s = resolve_gpu(kb, *o.gpu, f);
    if (!s) return Error{s.error()};
  }
  return f;
}

std::size_t width(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Text output must fit kTextWidth columns: shorten the widest column's cells ("...") until
// it does. Other formats keep every character.
void fit_text(Table& t) {
  if (t.columns.empty()) return;
  for (int guard = 0; guard < 200; ++guard) {
    std::vector<std::size_t> w(t.columns.size());
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = width(t.columns[i]);
    for (const auto& row : t.rows)
      for (std::size_t i = 0; i < w.size() && i < row.size(); ++i)
        w[i] = std::max(w[i], width(row[i]));
    std::size_t total = 2 * (w.size() - 1);
    for (std::size_t x : w) total += x;
    if (total <= kTextWidth) return;
    std::size_t widest = static_cast<std::size_t>(std::max_element(w.begin(), w.end()) - w.begin());
    std::size_t target = w[widest] - std::min(w[widest] - 8, total - kTextWidth);
    if (target >= w[widest] || target < 8) return;
    for (auto& row : t.rows) {
      if (widest >= row.size() || width(row[widest]) <= target) continue;
      std::string& cell = row[widest];
      std::size_t keep = target - 3, seen = 0, cut = 0;
      for (; cut < cell.size(); ++cut) {
        if ((static_cast<unsigned char>(cell[cut]) & 0xC0) != 0x80) {
          if (seen == keep) break;
          ++seen;
        }
      }
      cell = cell.substr(0, cut) + "...";
    }
  }
}

}  // namespace

bool MatrixFilter::torch_matches(const Pep440Version& v) const {
  if (!by_torch) return true;
  for (const TorchRelease* r : releases)
    if (r->version == v.without_local()) return true;
  return false;
}

bool MatrixFilter::cuda_matches(const CudaVersion& v) const {
  if (!cuda) return true;
  if (cuda->major() != v.major() || cuda->minor() != v.minor()) return false;
  return cuda->patch() < 0 || v.patch() < 0 || cuda->patch() == v.patch();
}

DriverFit driver_fit(const KnowledgeBase& kb, const CudaVersion& cuda, const DriverVersion& driver,
                     Os os) {
  auto min = kb.minimum_driver_for(cuda, os);
  if (min && *min <= driver) return DriverFit::kNative;
  if (const MinorCompat* mc = kb.minor_compat_for(cuda.major())) {
    std::optional<DriverVersion> floor =
        os == Os::kLinux ? std::optional<DriverVersion>(mc->linux_floor) : mc->windows_floor;
    if (floor && *floor <= driver) return DriverFit::kMinorCompat;
  }
  return DriverFit::kNo;
}

std::string to_string(DriverFit fit) {
  switch (fit) {
    case DriverFit::kNative:
      return "yes";
    case DriverFit::kMinorCompat:
      return "minor-compat";
    case DriverFit::kNo:
      return "no";
  }
  return "no";
}

std::string code_for(const TorchArchList& list, const ComputeCapability& cc) {
  for (const auto& s : list.sass)
    if (sass_runs_on(s, cc)) return "sass";
  for (const auto& p : list.ptx)
    if (ptx_jits_to(p, cc)) return "ptx";
  return "";
}

std::string arch_list_text(const TorchArchList& list) {
  std::string out;
  for (const auto& cc : list.sass) {
    if (!out.empty()) out += ';';
    out += cc.str();
    if (std::find(list.ptx.begin(), list.ptx.end(), cc) != list.ptx.end()) out += "+PTX";
  }
  return out;
}

std::vector<std::string> matrix_table_names(const KnowledgeBase& kb) {
  std::vector<std::string> names(std::begin(kFixedTables), std::end(kFixedTables));
  for (const auto& f : kb.frameworks())
    if (std::find(names.begin(), names.end(), f.framework) == names.end())
      names.push_back(f.framework);
  return names;
}

Result<Table> build_matrix(const KnowledgeBase& kb, const MatrixOptions& options) {
  // The fixed tables need no look at frameworks.csv (parsing it is a tenth of a query).
  if (std::find(std::begin(kFixedTables), std::end(kFixedTables), options.table) ==
      std::end(kFixedTables)) {
    auto names = matrix_table_names(kb);
    if (std::find(names.begin(), names.end(), options.table) == names.end())
      return make_error("unknown table " + quoted(options.table) + " (choose from " +
                        join(names, ", ") + ")");
  }
  auto filter = resolve(kb, options);
  if (!filter) return Error{filter.error()};
  Table t;
  const std::string& n = options.table;
  if (n == "torch")
    t = torch_table(kb, *filter);
  else if (n == "driver")
    t = driver_table(kb, *filter);
  else if (n == "arch")
    t = arch_table(kb, *filter);
  else if (n == "gpu")
    t = gpu_table(kb, *filter);
  else {
    if (options.driver || options.gpu)
      return make_error("--driver and --gpu do not apply to table " + quoted(n) +
                        " (its data gives versions as text)");
    t = framework_table(kb, *filter, n);
  }
  if (options.format == Format::kText) fit_text(t);
  return t;
}

}  // namespace cudafit
