// The rows and columns of each `cudafit matrix` table.
#include <algorithm>
#include <cctype>
#include <set>

#include "report/matrix_impl.h"
#include "util/strings.h"

namespace cudafit {

namespace {

std::string opt_str(const std::optional<DriverVersion>& d) { return d ? d->str() : ""; }

Platform platform_for(Os os) {
  return os == Os::kLinux ? Platform::kLinuxX86_64 : Platform::kWindowsX86_64;
}

std::string pythons_text(const TorchRelease* r) {
  if (r == nullptr) return "";
  if (!r->pythons.empty()) {
    return r->pythons.size() == 1 ? r->pythons.front()
                                  : r->pythons.front() + "-" + r->pythons.back();
  }
  return r->requires_python;
}

std::string platforms_text(const TorchVariant& v) {
  std::vector<std::string> p;
  for (Platform x : v.platforms) p.emplace_back(to_string(x));
  return join(p, " ");
}

// Best code a GPU (any of the filter's CCs) finds in an arch list: "sass", "ptx" or "".
std::string best_code(const TorchArchList& list, const MatrixFilter& f) {
  std::string best;
  for (const auto& cc : f.gpu_ccs) {
    std::string c = code_for(list, cc);
    if (c == "sass") return c;
    if (!c.empty()) best = c;
  }
  return best;
}

// A token of `text` (split on spaces, ';', ',', '(' ...) that starts with `prefix` as whole
// version components: "2.3" is in "2.3.0 2.4.0" but not in "2.30".
bool mentions_version(std::string_view text, std::string_view prefix) {
  std::size_t pos = 0;
  while ((pos = text.find(prefix, pos)) != std::string_view::npos) {
    bool start_ok = pos == 0 || !(std::isdigit(static_cast<unsigned char>(text[pos - 1])) ||
                                  text[pos - 1] == '.');
    std::size_t end = pos + prefix.size();
    bool end_ok = end == text.size() || !std::isdigit(static_cast<unsigned char>(text[end]));
    if (start_ok && end_ok) return true;
    pos = end;
  }
  return false;
}

// The source cell of the wide formats: the data row; for a row `cudafit update` added (its
// overlay), also where that was read and when.
std::string source_cell(const Provenance& p) {
  return p.overlay ? p.where() + " (cudafit update: " + p.source + ")" : p.where();
}

// Rows from the overlay are marked: in text, a "from" column ("update 1") and the sources
// under the table ("update 1: https://pypi.org/simple/torch/ ..."); the wide formats' source
// column says it.
void mark_overlay(Table& t, const std::vector<const Provenance*>& from, bool wide) {
  bool any = std::any_of(from.begin(), from.end(), [](const Provenance* p) { return p->overlay; });
  if (!any || wide) return;
  t.columns.emplace_back("from");
  int n = 0;
  for (std::size_t i = 0; i < t.rows.size() && i < from.size(); ++i) {
    if (!from[i]->overlay) {
      t.rows[i].emplace_back();
      continue;
    }
    std::string mark = "update " + std::to_string(++n);
    t.rows[i].push_back(mark);
    t.notes.push_back(mark + ": " + from[i]->where() + " <- " + from[i]->source);
  }
  t.notes.push_back(
      "(update N: a row `cudafit update` added, not reviewed; --no-overlay leaves "
      "them out)");
}

}  // namespace

Table torch_table(const KnowledgeBase& kb, const MatrixFilter& f) {
  Table t;
  t.title =
      "PyTorch builds (* = the plain `pip install torch` wheel on Linux x86_64; empty = unknown)";
  bool fit = f.driver.has_value();
  if (f.wide) {
    t.columns = {"torch",
                 "variant",
                 "status",
                 "cuda",
                 "rocm",
                 "cudnn",
                 "nccl",
                 "python",
                 "python_experimental",
                 "requires_python",
                 "torchvision",
                 "torchaudio",
                 "date",
                 "platforms",
                 "linux_min_driver",
                 "windows_min_driver",
                 "arch_list_linux",
                 "arch_list_windows",
                 "arch_list_aarch64",
                 "index_url"};
  } else {
    t.columns = {"torch", "variant", "cuda", "cudnn", "python", "vision", "driver", "archs"};
  }
  if (fit) t.columns.emplace_back(f.wide ? "driver_runs" : "runs");
  if (f.by_gpu) t.columns.emplace_back(f.wide ? "gpu_code" : "gpu");
  if (f.wide) t.columns.emplace_back("source");

  std::vector<const Provenance*> from;
  for (const auto& v : kb.torch_variants()) {
    if (!f.torch_matches(v.torch)) continue;
    if ((f.cuda || fit || f.by_gpu) && !v.cuda) continue;
    if (f.cuda && !f.cuda_matches(*v.cuda)) continue;
    CudaVersion mm = v.cuda ? v.cuda->major_minor_only() : CudaVersion();
    DriverFit df = DriverFit::kNo;
    if (fit) {
      df = driver_fit(kb, mm, *f.driver, f.os);
      if (df == DriverFit::kNo) continue;
    }
    const TorchArchList* own = kb.arch_list(v.torch, v.variant, platform_for(f.os));
    std::string gpu;
    if (f.by_gpu) {
      gpu = own ? best_code(*own, f) : "unknown";
      if (gpu.empty()) continue;
    }
    const TorchRelease* r = kb.torch_release(v.torch);
    auto lin = v.cuda ? kb.minimum_driver_for(mm, Os::kLinux) : std::nullopt;
    auto win = v.cuda ? kb.minimum_driver_for(mm, Os::kWindows) : std::nullopt;
    auto list_on = [&](Platform p) {
      const TorchArchList* a = v.cuda ? kb.arch_list(v.torch, v.variant, p) : nullptr;
      return a ? arch_list_text(*a) : std::string();
    };
    std::string cuda = v.cuda ? v.cuda->str() : "";
    std::string cudnn = v.cudnn ? v.cudnn->str() : "";
    std::string vision = r && r->torchvision ? r->torchvision->str() : "";
    std::vector<std::string> row;
    if (f.wide) {
      row = {v.torch.str(),
             v.variant,
             v.status,
             cuda,
             v.rocm,
             cudnn,
             v.nccl,
             pythons_text(r),
             r ? join(r->pythons_experimental, " ") : "",
             r ? r->requires_python : "",
             vision,
             r && r->torchaudio ? r->torchaudio->str() : "",
             r ? r->date : "",
             platforms_text(v),
             opt_str(lin),
             opt_str(win),
             list_on(Platform::kLinuxX86_64),
             list_on(Platform::kWindowsX86_64),
             list_on(Platform::kLinuxAarch64),
             v.index_url};
    } else {
      std::string name = v.variant + (v.status == "default-pypi" ? "*" : "");
      row = {v.torch.str(),
             name,
             cuda,
             cudnn,
             pythons_text(r),
             vision,
             opt_str(f.os == Os::kLinux ? lin : win),
             v.cuda ? list_on(platform_for(f.os)) : ""};
    }
    if (fit) row.push_back(to_string(df));
    if (f.by_gpu) row.push_back(gpu);
    const Provenance& p = !v.from.overlay && r != nullptr && r->from.overlay ? r->from : v.from;
    if (f.wide) row.push_back(source_cell(p));
    t.rows.push_back(std::move(row));
    from.push_back(&p);
  }
  mark_overlay(t, from, f.wide);
  return t;
}

Table driver_table(const KnowledgeBase& kb, const MatrixFilter& f) {
  Table t;
  t.title =
      "CUDA releases -> minimum driver (NVIDIA Table 3; minor-compat: floor for any minor of the "
      "major)";
  if (f.wide) {
    t.columns = {"cuda",
                 "toolkit",
                 "release",
                 "date",
                 "linux_min_driver",
                 "windows_min_driver",
                 "ptx_isa",
                 "min_sm",
                 "max_sm",
                 "minor_compat_linux",
                 "minor_compat_windows"};
  } else {
    t.columns = {"toolkit", "release", "date", "linux", "windows", "ptx", "sm", "minor-compat"};
  }
  if (f.driver) t.columns.emplace_back(f.wide ? "driver_runs" : "runs");
  if (f.wide) t.columns.emplace_back("source");

  std::vector<const Provenance*> from;
  std::set<std::string> torch_minors;
  for (const auto& v : kb.torch_variants())
    if (v.cuda && f.by_torch && f.torch_matches(v.torch))
      torch_minors.insert(v.cuda->major_minor());

  for (const auto& r : kb.cuda_releases()) {
    if (!f.cuda_matches(r.version)) continue;
    if (f.by_torch && torch_minors.count(r.version.major_minor()) == 0) continue;
    if (f.by_gpu) {
      bool any = false;
      for (const auto& cc : f.gpu_ccs) any = any || (r.min_sm <= cc && cc.plain() <= r.max_sm);
      if (!any) continue;
    }
    std::string runs;
    if (f.driver) {
      const auto& floor = f.os == Os::kLinux ? r.linux_min_driver : r.windows_min_driver;
      DriverFit df = floor && *floor <= *f.driver
                         ? DriverFit::kNative
                         : driver_fit(kb, r.version.major_minor_only(), *f.driver, f.os);
      if (df == DriverFit::kNo) continue;
      runs = to_string(df);
    }
    const MinorCompat* mc = kb.minor_compat_for(r.version.major());
    std::string mc_lin = mc ? mc->linux_floor.str() : "";
    std::string mc_win = mc && mc->windows_floor ? mc->windows_floor->str() : "";
    std::vector<std::string> row;
    if (f.wide) {
      row = {r.version.major_minor(),
             r.version.str(),
             r.label,
             r.date,
             opt_str(r.linux_min_driver),
             opt_str(r.windows_min_driver),
             r.ptx_isa,
             r.min_sm.str(),
             r.max_sm.str(),
             mc_lin,
             mc_win};
    } else {
      row = {r.version.str(),
             r.label,
             r.date,
             opt_str(r.linux_min_driver),
             opt_str(r.windows_min_driver),
             r.ptx_isa,
             r.min_sm.str() + "-" + r.max_sm.str(),
             f.os == Os::kLinux ? mc_lin : mc_win};
    }
    if (f.driver) row.push_back(runs);
    if (f.wide) row.push_back(source_cell(r.from));
    t.rows.push_back(std::move(row));
    from.push_back(&r.from);
  }
  mark_overlay(t, from, f.wide);
  return t;
}

Table arch_table(const KnowledgeBase& kb, const MatrixFilter& f) {
  Table t;
  t.title = "GPU code in PyTorch wheels (TORCH_CUDA_ARCH_LIST; +PTX = also PTX for newer GPUs)";
  t.columns = {"torch", "variant", "platform", "arch_list"};
  if (f.by_gpu) t.columns.emplace_back("gpu");
  if (f.wide) t.columns.emplace_back("source");
  std::vector<const Provenance*> from;
  for (const auto& a : kb.torch_arch_lists()) {
    if (f.by_torch) {
      bool any = false;
      for (const TorchRelease* r : f.releases)
        any = any || (a.torch_from <= r->version && r->version <= a.torch_to);
      if (!any) continue;
    }
    auto cuda = CudaVersion::from_variant(a.variant);
    if ((f.cuda || f.driver) && !cuda) continue;
    if (f.cuda && !f.cuda_matches(*cuda)) continue;
    if (f.driver && driver_fit(kb, *cuda, *f.driver, f.os) == DriverFit::kNo) continue;
    std::string gpu;
    if (f.by_gpu) {
      gpu = best_code(a, f);
      if (gpu.empty()) continue;
    }
    std::string range = a.torch_from == a.torch_to ? a.torch_from.str()
                                                   : a.torch_from.str() + "-" + a.torch_to.str();
    std::vector<std::string> row = {range, a.variant, std::string(to_string(a.platform)),
                                    arch_list_text(a)};
    if (f.by_gpu) row.push_back(gpu);
    if (f.wide) row.push_back(source_cell(a.from));
    t.rows.push_back(std::move(row));
    from.push_back(&a.from);
  }
  mark_overlay(t, from, f.wide);
  return t;
}

Table gpu_table(const KnowledgeBase& kb, const MatrixFilter& f) {
  Table t;
  t.title = "GPUs -> chip -> compute capability (last branch: newest driver branch that drives it)";
  if (f.wide) {
    t.columns = {"product",   "chip",       "architecture",       "cc",
                 "pci_ids",   "datacenter", "last_driver_branch", "first_cuda",
                 "last_cuda", "source"};
  } else {
    t.columns = {"product", "chip", "architecture", "cc", "last branch"};
  }
  // Which CCs the torch filter's CUDA wheels serve (Linux x86_64 lists).
  std::vector<const TorchArchList*> torch_lists;
  if (f.by_torch)
    for (const TorchRelease* r : f.releases)
      for (const TorchVariant* v : kb.variants_of(r->version))
        if (const TorchArchList* a = kb.arch_list(v->torch, v->variant, Platform::kLinuxX86_64))
          torch_lists.push_back(a);
  const CudaRelease* cuda = f.cuda ? kb.cuda_release(*f.cuda) : nullptr;

  auto add = [&](const std::string& name, const std::string& chip, const ComputeCapability& cc,
                 const std::string& ids, bool datacenter, const Provenance& from) {
    const GpuArch* arch = kb.arch_of_cc(cc);
    if (cuda && !(cuda->min_sm <= cc && cc <= cuda->max_sm)) return;
    if (f.driver && arch && arch->last_driver_branch &&
        *arch->last_driver_branch < f.driver->branch())
      return;
    if (f.by_torch) {
      bool any = false;
      for (const TorchArchList* a : torch_lists) any = any || !code_for(*a, cc).empty();
      if (!any) return;
    }
    std::string last =
        arch && arch->last_driver_branch ? "R" + std::to_string(*arch->last_driver_branch) : "";
    std::string archname = arch ? arch->architecture : "";
    if (f.wide) {
      t.rows.push_back({name, chip, archname, cc.str(), ids, datacenter ? "yes" : "no", last,
                        arch && arch->first_cuda ? arch->first_cuda->str() : "",
                        arch && arch->last_cuda ? arch->last_cuda->str() : "", from.where()});
    } else {
      t.rows.push_back({name, chip, archname, cc.str(), last});
    }
  };
  auto hex_ids = [](const std::vector<unsigned>& ids) {
    std::string out;
    static const char* digits = "0123456789abcdef";
    for (unsigned id : ids) {
      if (!out.empty()) out += ' ';
      for (int s = 12; s >= 0; s -= 4) out += digits[(id >> s) & 0xf];
    }
    return out;
  };
  bool by_name = !f.gpu_products.empty();
  bool pci_row = false;
  for (const auto& g : kb.gpu_products()) {
    if (by_name &&
        std::find(f.gpu_products.begin(), f.gpu_products.end(), &g) == f.gpu_products.end())
      continue;
    if (f.gpu_pci_id) {
      if (std::find(g.pci_device_ids.begin(), g.pci_device_ids.end(), *f.gpu_pci_id) ==
          g.pci_device_ids.end())
        continue;
      pci_row = true;
    } else if (f.by_gpu && !by_name &&
               std::find(f.gpu_ccs.begin(), f.gpu_ccs.end(), g.cc) == f.gpu_ccs.end()) {
      continue;
    }
    add(g.name, g.chip, g.cc, hex_ids(g.pci_device_ids), g.datacenter, g.from);
  }
  if (f.gpu_pci_id && !pci_row)
    if (const PciDevice* d = kb.pci_device(*f.gpu_pci_id); d && d->cc)
      add(d->name, d->chip, *d->cc, hex_ids({d->device_id}), false, d->from);
  return t;
}

Table framework_table(const KnowledgeBase& kb, const MatrixFilter& f, const std::string& name) {
  Table t;
  t.title = name + " GPU requirements as its sources give them (empty = not sourced)";
  bool has_torch = false, has_python = false, has_cudnn = false;
  for (const auto& r : kb.frameworks())
    if (r.framework == name) {
      has_torch = has_torch || !r.torch.empty();
      has_python = has_python || !r.python.empty();
      has_cudnn = has_cudnn || !r.cudnn.empty();
    }
  t.columns = {"version"};
  if (has_python || f.wide) t.columns.emplace_back("python");
  t.columns.emplace_back("cuda");
  if (has_cudnn || f.wide) t.columns.emplace_back("cudnn");
  if (has_torch || f.wide) t.columns.emplace_back("torch");
  if (f.wide) {
    t.columns.emplace_back("notes");
    t.columns.emplace_back("source");
  }
  std::string torch_prefix, cuda_prefix = f.cuda ? f.cuda->str() : "";
  std::vector<const Provenance*> from;
  for (const auto& r : kb.frameworks()) {
    if (r.framework != name) continue;
    if (f.by_torch) {
      bool any = false;
      for (const TorchRelease* tr : f.releases)
        any = any || mentions_version(r.torch, tr->version.str());
      if (!any) continue;
    }
    if (f.cuda && !mentions_version(r.cuda, cuda_prefix)) continue;
    std::vector<std::string> row = {r.version};
    if (has_python || f.wide) row.push_back(r.python);
    row.push_back(r.cuda);
    if (has_cudnn || f.wide) row.push_back(r.cudnn);
    if (has_torch || f.wide) row.push_back(r.torch);
    if (f.wide) {
      row.push_back(r.notes);
      row.push_back(source_cell(r.from));
    }
    t.rows.push_back(std::move(row));
    from.push_back(&r.from);
  }
  mark_overlay(t, from, f.wide);
  return t;
}

}  // namespace cudafit
