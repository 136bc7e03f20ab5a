// The data files' rows -> typed records. Every problem names "file:line: column: why".
#include <algorithm>
#include <initializer_list>

#include "kb/kb_impl.h"
#include "util/strings.h"

namespace cudafit {

namespace {

// The columns one parser needs, found by name once per table.
class Columns {
 public:
  Columns(const CsvTable& t, std::initializer_list<const char*> names) {
    for (const char* n : names) {
      int i = t.column(n);
      if (i < 0 && error_.empty()) error_ = t.name + ": header: missing column '" + n + "'";
      idx_.push_back(i);
    }
  }
  const std::string& error() const { return error_; }
  int operator[](size_t k) const { return idx_[k]; }

 private:
  std::vector<int> idx_;
  std::string error_;
};

// Reads one row's cells; remembers the first problem.
class RowReader {
 public:
  RowReader(const CsvTable& t, const CsvTable::Row& row, const Columns& cols)
      : t_(t), row_(row), cols_(cols) {}

  std::string_view view(size_t k) const { return trim(row_.fields[cols_[k]]); }
  std::string text(size_t k) const { return std::string(view(k)); }

  template <typename V>
  std::optional<V> optional(size_t k) {
    std::string_view s = view(k);
    if (s.empty()) return std::nullopt;
    auto r = V::parse(s);
    if (!r) {
      fail(k, r.error());
      return std::nullopt;
    }
    return std::move(r).value();
  }

  template <typename V>
  V required(size_t k) {
    if (view(k).empty()) {
      fail(k, "empty");
      return V{};
    }
    return optional<V>(k).value_or(V{});
  }

  std::optional<int> integer(size_t k) {
    std::string_view s = view(k);
    if (s.empty()) return std::nullopt;
    auto v = parse_uint(s);
    if (!v || *v > 100000) {
      fail(k, "not a number: '" + std::string(s) + "'");
      return std::nullopt;
    }
    return static_cast<int>(*v);
  }

  bool yes_no(size_t k) {
    std::string_view s = view(k);
    if (s == "yes") return true;
    if (s != "no") fail(k, "expected yes or no, got '" + std::string(s) + "'");
    return false;
  }

  template <typename V>
  std::vector<V> list(size_t k) {
    const std::vector<std::string_view> pieces = split_ws(row_.fields[cols_[k]]);
    std::vector<V> out;
    out.reserve(pieces.size());
    for (std::string_view piece : pieces) {
      auto r = V::parse(piece);
      if (!r) {
        fail(k, r.error());
        continue;
      }
      out.push_back(std::move(r).value());
    }
    return out;
  }

  Provenance from(size_t source_column) const {
    return Provenance{t_.name, row_.line, text(source_column)};
  }

  void fail(size_t k, const std::string& why) {
    if (!error_.empty()) return;
    error_ = t_.name + ":" + std::to_string(row_.line) + ": " + std::string(t_.header[cols_[k]]) +
             ": " + why;
  }
  const std::string& error() const { return error_; }

 private:
  const CsvTable& t_;
  const CsvTable::Row& row_;
  const Columns& cols_;
  std::string error_;
};

// Runs `one(reader)` over every row, stopping at the first problem.
// Orders rows by `less`, keeping ties in file order. The data files are kept in this order,
// so the usual cost is one pass; otherwise an index sort moves each (large) row once.
template <typename T, typename Less>
void order_rows(std::vector<T>& rows, Less less) {
  if (std::is_sorted(rows.begin(), rows.end(), less)) return;
  std::vector<size_t> order(rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return less(rows[a], rows[b]); });
  std::vector<T> sorted;
  sorted.reserve(rows.size());
  for (size_t i : order) sorted.push_back(std::move(rows[i]));
  rows = std::move(sorted);
}

template <typename T, typename F>
Status each_row(const CsvTable& t, std::initializer_list<const char*> names, std::vector<T>& out,
                F one) {
  Columns cols(t, names);
  if (!cols.error().empty()) return make_error(cols.error());
  out.reserve(t.rows.size());
  for (const auto& row : t.rows) {
    RowReader r(t, row, cols);
    T value = one(r);
    if (!r.error().empty()) return make_error(r.error());
    out.push_back(std::move(value));
  }
  return Status::success();
}

std::optional<Platform> platform_from(std::string_view name) {
  if (name == "linux-x86_64") return Platform::kLinuxX86_64;
  if (name == "linux-aarch64") return Platform::kLinuxAarch64;
  if (name == "windows-x86_64") return Platform::kWindowsX86_64;
  return std::nullopt;
}

}  // namespace

Status parse_cuda_releases(const CsvTable& t, std::vector<CudaRelease>& out) {
  Status s = each_row(t,
                      {"toolkit", "label", "date", "linux_min_driver", "windows_min_driver",
                       "ptx_isa", "min_sm", "max_sm", "source"},
                      out, [](RowReader& r) {
                        CudaRelease c;
                        c.version = r.required<CudaVersion>(0);
                        c.label = r.text(1);
                        c.date = r.text(2);
                        c.linux_min_driver = r.optional<DriverVersion>(3);
                        c.windows_min_driver = r.optional<DriverVersion>(4);
                        c.ptx_isa = r.text(5);
                        c.min_sm = r.required<ComputeCapability>(6);
                        c.max_sm = r.required<ComputeCapability>(7);
                        c.from = r.from(8);
                        return c;
                      });
  order_rows(out, [](const CudaRelease& a, const CudaRelease& b) { return a.version < b.version; });
  return s;
}

Status parse_minor_compat(const CsvTable& t, std::vector<MinorCompat>& out) {
  return each_row(
      t, {"cuda_major", "linux_floor", "windows_floor", "first_branch", "end_branch", "source"},
      out, [](RowReader& r) {
        MinorCompat m;
        m.cuda_major = r.integer(0).value_or(0);
        m.linux_floor = r.required<DriverVersion>(1);
        m.windows_floor = r.optional<DriverVersion>(2);
        m.first_branch = r.integer(3).value_or(0);
        m.end_branch = r.integer(4).value_or(0);
        m.from = r.from(5);
        return m;
      });
}

Status parse_forward_compat(const CsvTable& t, std::vector<ForwardCompat>& out) {
  return each_row(t, {"cuda", "driver_branch", "status", "source"}, out, [](RowReader& r) {
    ForwardCompat f;
    f.cuda = r.required<CudaVersion>(0);
    f.driver_branch = r.integer(1).value_or(0);
    f.status = r.text(2);
    if (f.status != "compatible" && f.status != "native" && f.status != "incompatible")
      r.fail(2, "expected compatible, native or incompatible, got '" + f.status + "'");
    f.supported = f.status == "compatible";
    f.from = r.from(3);
    return f;
  });
}

Status parse_gpu_archs(const CsvTable& t, std::vector<GpuArch>& out) {
  return each_row(
      t, {"chip", "architecture", "cc", "first_cuda", "last_cuda", "last_driver_branch", "source"},
      out, [](RowReader& r) {
        GpuArch a;
        a.chip = r.text(0);
        a.architecture = r.text(1);
        a.cc = r.required<ComputeCapability>(2);
        a.first_cuda = r.optional<CudaVersion>(3);
        a.last_cuda = r.optional<CudaVersion>(4);
        a.last_driver_branch = r.integer(5);
        a.from = r.from(6);
        return a;
      });
}

Status parse_gpu_products(const CsvTable& t, std::vector<GpuProduct>& out) {
  return each_row(t, {"product", "chip", "cc", "pci_device_ids", "datacenter", "source"}, out,
                  [](RowReader& r) {
                    GpuProduct g;
                    g.name = r.text(0);
                    g.chip = r.text(1);
                    g.cc = r.required<ComputeCapability>(2);
                    const std::string ids = r.text(3);
                    for (std::string_view id : split_ws(ids)) {
                      auto v = parse_hex(id);
                      if (!v || *v > 0xffff)
                        r.fail(3, "not a PCI device id: '" + std::string(id) + "'");
                      else
                        g.pci_device_ids.push_back(static_cast<unsigned>(*v));
                    }
                    g.datacenter = r.yes_no(4);
                    g.from = r.from(5);
                    return g;
                  });
}

Status parse_pci_devices(const CsvTable& t, std::vector<PciDevice>& out) {
  Status s = each_row(t, {"device_id", "name", "chip", "cc", "source"}, out, [](RowReader& r) {
    PciDevice d;
    auto v = parse_hex(r.text(0));
    if (!v || *v > 0xffff) r.fail(0, "not a PCI device id: '" + r.text(0) + "'");
    d.device_id = static_cast<unsigned>(v.value_or(0));
    d.name = r.text(1);
    d.chip = r.text(2);
    d.cc = r.optional<ComputeCapability>(3);
    d.from = r.from(4);
    return d;
  });
  order_rows(out, [](const PciDevice& a, const PciDevice& b) { return a.device_id < b.device_id; });
  return s;
}

Status parse_driver_branches(const CsvTable& t, std::vector<DriverBranch>& out) {
  return each_row(t, {"branch", "designation", "end_of_life", "cuda", "source"}, out,
                  [](RowReader& r) {
                    DriverBranch b;
                    b.branch = r.integer(0).value_or(0);
                    if (b.branch == 0) r.fail(0, "empty");
                    b.designation = r.text(1);
                    b.end_of_life = r.text(2);
                    b.cuda = r.optional<CudaVersion>(3);
                    b.from = r.from(4);
                    return b;
                  });
}

Status parse_torch_releases(const CsvTable& t, std::vector<TorchRelease>& out) {
  Status s = each_row(t,
                      {"torch", "date", "pythons", "pythons_experimental", "requires_python",
                       "torchvision", "torchaudio", "pypi_default_variant", "source"},
                      out, [](RowReader& r) {
                        TorchRelease tr;
                        tr.version = r.required<Pep440Version>(0);
                        tr.date = r.text(1);
                        const std::string pythons = r.text(2), experimental = r.text(3);
                        for (auto p : split_ws(pythons)) tr.pythons.emplace_back(p);
                        for (auto p : split_ws(experimental))
                          tr.pythons_experimental.emplace_back(p);
                        tr.requires_python = r.text(4);
                        tr.torchvision = r.optional<Pep440Version>(5);
                        tr.torchaudio = r.optional<Pep440Version>(6);
                        tr.pypi_default_variant = r.text(7);
                        tr.from = r.from(8);
                        return tr;
                      });
  order_rows(out,
             [](const TorchRelease& a, const TorchRelease& b) { return a.version < b.version; });
  return s;
}

Status parse_torch_variants(const CsvTable& t, std::vector<TorchVariant>& out) {
  Status s = each_row(t,
                      {"torch", "variant", "cuda", "rocm", "index_url", "status", "cudnn", "nccl",
                       "platforms", "source", "notes"},
                      out, [](RowReader& r) {
                        TorchVariant v;
                        v.torch = r.required<Pep440Version>(0);
                        v.variant = r.text(1);
                        if (v.variant.empty()) r.fail(1, "empty");
                        v.cuda = r.optional<CudaVersion>(2);
                        v.rocm = r.text(3);
                        v.index_url = r.text(4);
                        v.status = r.text(5);
                        v.cudnn = r.optional<CudnnVersion>(6);
                        v.nccl = r.text(7);
                        const std::string_view platforms = r.view(8);
                        for (auto p : split_ws(platforms)) {
                          auto pl = platform_from(p);
                          if (!pl)
                            r.fail(8, "unknown platform '" + std::string(p) + "'");
                          else
                            v.platforms.push_back(*pl);
                        }
                        v.from = r.from(9);
                        v.notes = r.text(10);
                        return v;
                      });
  order_rows(out, [](const TorchVariant& a, const TorchVariant& b) {
    if (a.torch != b.torch) return a.torch < b.torch;
    return a.variant < b.variant;
  });
  return s;
}

Status parse_torch_arch_lists(const CsvTable& t, std::vector<TorchArchList>& out) {
  return each_row(t, {"torch_from", "torch_to", "variant", "platform", "sass", "ptx", "source"},
                  out, [](RowReader& r) {
                    TorchArchList a;
                    a.torch_from = r.required<Pep440Version>(0);
                    a.torch_to = r.required<Pep440Version>(1);
                    a.variant = r.text(2);
                    auto pl = platform_from(r.text(3));
                    if (!pl) r.fail(3, "unknown platform '" + r.text(3) + "'");
                    a.platform = pl.value_or(Platform::kLinuxX86_64);
                    a.sass = r.list<ComputeCapability>(4);
                    a.ptx = r.list<ComputeCapability>(5);
                    a.from = r.from(6);
                    return a;
                  });
}

Status parse_frameworks(const CsvTable& t, std::vector<FrameworkRequirement>& out) {
  return each_row(
      t, {"framework", "version", "python", "cuda", "cudnn", "torch", "driver", "source", "notes"},
      out, [](RowReader& r) {
        FrameworkRequirement f;
        f.framework = r.text(0);
        if (f.framework.empty()) r.fail(0, "empty");
        f.version = r.text(1);
        f.python = r.text(2);
        f.cuda = r.text(3);
        f.cudnn = r.text(4);
        f.torch = r.text(5);
        f.notes = r.text(8);
        if (!r.text(6).empty()) f.notes = "driver " + r.text(6) + "; " + f.notes;
        f.from = r.from(7);
        return f;
      });
}

Status parse_cudnn_support(const CsvTable& t, std::vector<CudnnSupport>& out) {
  return each_row(t,
                  {"cudnn", "cuda_major", "cuda_toolkits", "linux_min_driver", "windows_min_driver",
                   "compute_capabilities", "source"},
                  out, [](RowReader& r) {
                    CudnnSupport c;
                    c.cudnn = r.text(0);
                    c.cuda_major = r.text(1);
                    c.cuda_toolkits = r.text(2);
                    c.linux_min_driver = r.text(3);
                    c.windows_min_driver = r.text(4);
                    c.compute_capabilities = r.text(5);
                    c.from = r.from(6);
                    return c;
                  });
}

namespace {

std::optional<WheelEvidence> evidence_from(std::string_view s) {
  if (s == "listed") return WheelEvidence::kListed;
  if (s == "inferred") return WheelEvidence::kInferred;
  if (s == "partial") return WheelEvidence::kPartial;
  if (s == "none") return WheelEvidence::kNone;
  if (s == "unknown") return WheelEvidence::kUnknown;
  return std::nullopt;
}

// "cp39", "cp310", "cp313t": a CPython tag.
bool is_cpython_tag(std::string_view t) {
  if (t.size() < 4 || t.substr(0, 2) != "cp") return false;
  std::string_view digits = t.substr(2);
  if (digits.back() == 't') digits.remove_suffix(1);
  return !digits.empty() &&
         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Status parse_torch_wheel_sets(const CsvTable& t, std::vector<TorchWheelSet>& out) {
  Status s = each_row(
      t,
      {"torch", "index", "platform", "pythons", "requires_python", "evidence", "uploaded", "source",
       "fetched", "notes"},
      out, [](RowReader& r) {
        TorchWheelSet w;
        w.torch = r.required<Pep440Version>(0);
        w.index = r.text(1);
        if (w.index.empty()) r.fail(1, "empty");
        auto pl = platform_from(r.view(2));
        if (!pl) r.fail(2, "unknown platform '" + r.text(2) + "'");
        w.platform = pl.value_or(Platform::kLinuxX86_64);
        for (auto tag : split_ws(r.view(3))) {
          if (!is_cpython_tag(tag)) r.fail(3, "not a CPython tag: '" + std::string(tag) + "'");
          w.pythons.emplace_back(tag);
        }
        w.requires_python = r.text(4);
        if (!w.requires_python.empty() && !SpecifierSet::parse(w.requires_python))
          r.fail(4, "not a version specifier: '" + w.requires_python + "'");
        auto ev = evidence_from(r.view(5));
        if (!ev)
          r.fail(5, "expected listed, inferred, partial, none or unknown, got '" + r.text(5) + "'");
        w.evidence = ev.value_or(WheelEvidence::kUnknown);
        w.uploaded = r.text(6);
        w.from = r.from(7);
        w.fetched = r.text(8);
        w.notes = r.text(9);
        return w;
      });
  // By torch only (stable): rows of one key keep their file order, so a later one wins.
  order_rows(out, [](const TorchWheelSet& a, const TorchWheelSet& b) { return a.torch < b.torch; });
  return s;
}

Status parse_companion_releases(const CsvTable& t, std::vector<CompanionRelease>& out) {
  Status s = each_row(t,
                      {"package", "version", "date", "yanked", "requires_python",
                       "torch_requirement", "source", "notes"},
                      out, [](RowReader& r) {
                        CompanionRelease c;
                        c.package = r.text(0);
                        if (c.package.empty()) r.fail(0, "empty");
                        c.version = r.required<Pep440Version>(1);
                        c.date = r.text(2);
                        c.yanked = r.yes_no(3);
                        c.requires_python = r.text(4);
                        c.torch_requirement = r.text(5);
                        c.from = r.from(6);
                        c.notes = r.text(7);
                        return c;
                      });
  order_rows(out, [](const CompanionRelease& a, const CompanionRelease& b) {
    if (a.package != b.package) return a.package < b.package;
    return a.version < b.version;
  });
  return s;
}

Status parse_driver_first_releases(const CsvTable& t, std::vector<DriverFirstRelease>& out) {
  Status s = each_row(t, {"branch", "first_release", "source", "notes"}, out, [](RowReader& r) {
    DriverFirstRelease f;
    f.branch = r.integer(0).value_or(0);
    if (f.branch == 0) r.fail(0, "empty");
    f.version = r.required<DriverVersion>(1);
    if (f.version.branch() != f.branch)
      r.fail(1, "not a release of branch " + std::to_string(f.branch));
    f.from = r.from(2);
    f.notes = r.text(3);
    return f;
  });
  order_rows(out, [](const DriverFirstRelease& a, const DriverFirstRelease& b) {
    return a.branch < b.branch;
  });
  return s;
}

}  // namespace cudafit
