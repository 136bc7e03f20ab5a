// CUDA releases newer than the data, from NVIDIA's release notes (Table 3: the minimum Linux
// and Windows driver of each toolkit), and the driver cells the data leaves empty. A CUDA that
// a new torch variant is built with but neither the data nor Table 3 has gets a row whose
// drivers are unknown (empty), said so.
#include <algorithm>
#include <set>

#include "update/release_notes.h"
#include "update/sources.h"
#include "util/strings.h"

namespace cudafit {

namespace {

// The toolkit version a Table 3 row stands for: the data's row of the same series and label
// when there is one (13.4 GA is 13.4.1), else the version the cell names, else GA = X.Y.0 and
// Update N = X.Y.N, shifted as the data shifts that series (13.4 Update 2 -> 13.4.3).
std::optional<CudaVersion> toolkit_of(const Table3Row& t, const KnowledgeBase& base) {
  int ga_patch = 0;
  for (const auto& c : base.cuda_releases()) {
    if (c.version.major_minor_only() != t.series) continue;
    if (!t.label.empty() && c.label == t.label) return c.version;
    if (c.label == "GA") ga_patch = std::max(c.version.patch(), 0);
  }
  if (t.toolkit) return *t.toolkit;
  if (t.label == "GA") return CudaVersion(t.series.major(), t.series.minor(), ga_patch);
  if (starts_with(t.label, "Update ") && t.update > 0)
    return CudaVersion(t.series.major(), t.series.minor(), ga_patch + t.update);
  if (t.label == "RC" || t.label == "Developer Preview")
    return CudaVersion(t.series.major(), t.series.minor(), 0);
  return std::nullopt;
}

// The data's newest release at or before `v` (the same series first): what min_sm, max_sm and
// PTX ISA are assumed from.
const CudaRelease* nearest_before(const KnowledgeBase& base, const CudaVersion& v) {
  const CudaRelease* best = nullptr;
  for (const auto& c : base.cuda_releases())
    if (c.version <= v && (best == nullptr || best->version < c.version)) best = &c;
  return best;
}

std::string opt(const std::optional<DriverVersion>& d) { return d ? d->str() : ""; }

CsvRecord new_release_row(const KnowledgeBase& base, const CudaVersion& toolkit,
                          const std::string& label) {
  CsvRecord row{{"toolkit", toolkit.str()}, {"label", label}};
  if (const CudaRelease* prev = nearest_before(base, toolkit)) {
    row["min_sm"] = prev->min_sm.str();
    row["max_sm"] = prev->max_sm.str();
    if (prev->version.major_minor_only() == toolkit.major_minor_only())
      row["ptx_isa"] = prev->ptx_isa;
    row["notes"] = "min_sm/max_sm assumed: those of CUDA " + prev->version.str() + " (" +
                   prev->from.where() + "); Table 3 lists drivers only";
  }
  return row;
}

}  // namespace

void collect_cuda(SourceContext& ctx, const TorchFacts& facts) {
  const CudaRelease* newest = ctx.base.newest_cuda();
  const std::string url = ctx.options.release_notes_url;
  std::vector<Table3Row> table;
  std::string fetched;
  bool read = false;
  if (auto page = ctx.text_page(url, "CUDA release notes")) {
    auto parsed = parse_table3(page->body);
    if (!parsed) {
      Fetcher::Page copy = ctx.fetch.stale_copy(url, "text/html", parsed.error());
      if (copy.ok) parsed = parse_table3(copy.body);
      if (copy.ok && parsed) {
        ctx.out.notes.push_back("CUDA release notes: " + copy.error + "; the copy read " +
                                copy.fetched + " is used");
        page = copy;
      } else {
        ctx.out.notes.push_back("CUDA release notes: Table 3 could not be read (" + parsed.error() +
                                "): minimum drivers of new CUDA releases unknown");
      }
    }
    if (parsed) {
      table = std::move(parsed).value();
      fetched = page->fetched;
      read = true;
      ctx.fetch.keep(*page);
    }
  }
  if (!read) ctx.out.keep_cuda = true;

  std::set<std::string> series_seen;
  for (const auto& t : table) {
    auto toolkit = toolkit_of(t, ctx.base);
    if (!toolkit) continue;
    series_seen.insert(toolkit->major_minor());
    const CudaRelease* known = ctx.base.cuda_release(*toolkit);
    if (known != nullptr && known->version.patch() != toolkit->patch()) known = nullptr;
    CsvRecord row;
    if (known != nullptr) {
      // Only the driver cells the data leaves empty are worth a row.
      bool fills = (!known->linux_min_driver && t.linux_driver) ||
                   (!known->windows_min_driver && t.windows_driver);
      if (!fills) continue;
      for (const auto& r : ctx.data.rows(kCudaFile))
        if (auto it = r.find("toolkit"); it != r.end() && trim(it->second) == toolkit->str())
          row = r;
      if (row.empty()) continue;
      if (trim(row["linux_min_driver"]).empty()) row["linux_min_driver"] = opt(t.linux_driver);
      if (trim(row["windows_min_driver"]).empty())
        row["windows_min_driver"] = opt(t.windows_driver);
      row["notes"] = "drivers from Table 3 (cudafit update)";
    } else {
      if (newest != nullptr && *toolkit <= newest->version) continue;  // older: not ours to add
      row = new_release_row(ctx.base, *toolkit, t.label);
      row["linux_min_driver"] = opt(t.linux_driver);
      row["windows_min_driver"] = opt(t.windows_driver);
    }
    row["source"] = url + " (Table 3: '" + t.text + "')";
    row["fetched"] = fetched;
    ctx.out.rows.push_back({kCudaFile, std::move(row)});
  }

  // CUDA a new variant is built with, that neither the data nor Table 3 knows.
  for (const std::string& series : facts.variant_cuda) {
    auto v = CudaVersion::parse(series);
    if (!v || series_seen.count(series) || ctx.base.cuda_release(*v) != nullptr) continue;
    CsvRecord row = new_release_row(ctx.base, CudaVersion(v->major(), v->minor(), 0), "");
    row["source"] = "torch variant cu" + std::to_string(v->major()) + std::to_string(v->minor()) +
                    " (PyTorch index / PyPI METADATA); " + url;
    row["notes"] = (read ? std::string("Table 3 has no row for it")
                         : std::string("Table 3 could not be read")) +
                   ": minimum driver unknown; " + row["notes"];
    row["fetched"] = facts.torch_fetched;
    ctx.out.notes.push_back("CUDA " + series + ": minimum driver unknown (" +
                            (read ? "not in Table 3" : "release notes not read") + ")");
    ctx.out.rows.push_back({kCudaFile, std::move(row)});
  }
}

}  // namespace cudafit
