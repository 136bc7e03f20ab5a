// An overlay merged into a knowledge base: each overlay file's rows checked as the data's
// parsers would read them, compared with the data, and written into the data file's text (new
// rows at its end, filled rows in their own lines), their lines remembered as the overlay's.
#include <algorithm>
#include <map>

#include "kb/kb_impl.h"
#include "kb/overlay.h"
#include "kb/overlay_impl.h"
#include "util/strings.h"

namespace cudafit {

using namespace overlay_detail;

namespace {

// Typed parse of a table: what the knowledge base will do with the merged file.
Status parse_as(std::string_view file, const CsvTable& t) {
  if (file == kCudaFile) {
    std::vector<CudaRelease> v;
    return parse_cuda_releases(t, v);
  }
  if (file == kTorchReleasesFile) {
    std::vector<TorchRelease> v;
    return parse_torch_releases(t, v);
  }
  if (file == kTorchVariantsFile) {
    std::vector<TorchVariant> v;
    return parse_torch_variants(t, v);
  }
  if (file == kTorchArchListsFile) {
    std::vector<TorchArchList> v;
    return parse_torch_arch_lists(t, v);
  }
  if (file == kFrameworksFile) {
    std::vector<FrameworkRequirement> v;
    return parse_frameworks(t, v);
  }
  if (file == kTorchWheelsFile) {
    std::vector<TorchWheelSet> v;
    return parse_torch_wheel_sets(t, v);
  }
  if (file == kCompanionReleasesFile) {
    std::vector<CompanionRelease> v;
    return parse_companion_releases(t, v);
  }
  return make_error(std::string(file) + ": not a file an overlay may hold");
}

// The source a merged row shows: the overlay's, with when it was read when the file has no
// `fetched` column of its own.
std::string overlay_source(const std::vector<std::string>& columns, const CsvRecord& r) {
  std::string src(cell(r, "source"));
  std::string fetched(cell(r, "fetched"));
  bool has_fetched = std::find(columns.begin(), columns.end(), "fetched") != columns.end();
  if (!has_fetched && !fetched.empty()) src += " (cudafit update, fetched " + fetched + ")";
  return src;
}

// Offsets of each line's start (lines[0] = line 1).
std::vector<std::size_t> line_starts(std::string_view text) {
  std::vector<std::size_t> starts{0};
  for (std::size_t p = text.find('\n'); p != std::string_view::npos; p = text.find('\n', p + 1))
    if (p + 1 < text.size()) starts.push_back(p + 1);
  return starts;
}

}  // namespace

Result<Overlaid> apply_overlay(std::shared_ptr<const KnowledgeBase> base, const Overlay& overlay) {
  Overlaid out;
  out.use.dir = overlay.dir;
  out.use.updated = overlay.updated;
  OverlayBase data(*base, overlay);
  auto impl = std::make_unique<KnowledgeBase::Impl>();
  impl->embedded = base->impl().embedded;
  impl->files = base->impl().files;
  impl->under = std::move(base);  // the files' views point into it

  for (const auto& [name, parsed] : overlay.tables) {
    const Schema* s = schema_of(name);
    if (s == nullptr) return make_error(name + ": not a file an overlay may hold");
    std::string path = path_join(overlay.dir, name);
    const CsvTable* table = &parsed;
    const auto& columns = data.columns(name);
    if (columns.empty()) return make_error(name + ": the data has no such file to overlay");
    for (const auto& col : columns)
      if (table->column(col) < 0)
        return make_error(path + ": header: missing column '" + col + "'");
    auto base_text_it = impl->files.find(name);
    std::string_view base_text = base_text_it->second;

    // Each row as the data's columns; one that would not parse as the data's rows do makes
    // the whole overlay damaged (a typed check of the rows alone: the overlay's own fields,
    // in the data's column order, as a table of their own).
    CsvTable typed;
    typed.name = path;
    for (const auto& c : columns) typed.header.emplace_back(c);
    std::vector<std::size_t> from_column;
    from_column.reserve(columns.size());
    for (const auto& c : columns) from_column.push_back(static_cast<std::size_t>(table->column(c)));
    std::vector<CsvRecord> rows;
    for (const auto& row : table->rows) {
      CsvTable::Row r2;
      r2.line = row.line;
      for (std::size_t at : from_column) r2.fields.push_back(row.fields[at]);
      for (auto f : row.fields)
        if (f.find_first_of("\r\n") != std::string_view::npos)
          return make_error(path + ":" + std::to_string(row.line) + ": a line break inside a cell");
      typed.rows.push_back(std::move(r2));
      rows.push_back(record_of(*table, row));
    }
    Status ok = parse_as(name, typed);
    if (!ok) return make_error(ok.error());

    // Which data rows the overlay fills in place, and which rows it appends.
    std::map<std::size_t, std::pair<std::string, int>> replaced;  // data row -> text, line
    std::vector<std::pair<std::string, int>> appended;
    const auto& data_rows = data.rows(name);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const CsvRecord& r = rows[i];
      int line = table->rows[i].line;
      RowCheck c = data.check(name, r);
      if (c.standing == RowStanding::kSame) continue;
      if (c.standing == RowStanding::kConflict) {
        out.use.ignored.push_back(path + ":" + std::to_string(line) + " contradicts " + c.builtin +
                                  " (" + join(c.conflicts, "; ") + ")");
        continue;
      }
      CsvRecord merged = r;
      merged["source"] = overlay_source(columns, r);
      if (c.standing == RowStanding::kFills) {
        const CsvRecord* d = data.row_of_key(name, r);
        std::size_t at = static_cast<std::size_t>(d - data_rows.data());
        merged = *d;
        for (const auto& col : columns) {
          if (is_free(*s, col)) continue;
          if (cell(merged, col).empty()) merged[col] = cell(r, col);
        }
        if (name == kTorchWheelsFile && cell(r, "evidence") != cell(*d, "evidence")) {
          merged["pythons"] = cell(r, "pythons");
          merged["evidence"] = cell(r, "evidence");
          merged["notes"] = cell(r, "notes");
        }
        merged["source"] = std::string(cell(*d, "source")) + " ; " + overlay_source(columns, r);
        if (merged.count("fetched") > 0) merged["fetched"] = cell(r, "fetched");
        if (replaced.count(at) > 0) {
          out.use.ignored.push_back(path + ":" + std::to_string(line) + " fills " + c.builtin +
                                    " a second time");
          continue;
        }
        replaced.emplace(at, std::make_pair(row_text(columns, merged), line));
      } else {
        appended.emplace_back(row_text(columns, merged), line);
      }
      ++out.use.rows;
    }
    if (replaced.empty() && appended.empty()) continue;

    // The merged text: the data's lines, filled rows in their own lines (so every other row
    // keeps its line number), then the new rows.
    std::vector<std::size_t> starts;
    if (!replaced.empty()) starts = line_starts(base_text);
    std::string merged;
    merged.reserve(base_text.size() + appended.size() * 128 + replaced.size() * 128);
    std::size_t pos = 0;
    auto& marks = impl->overlay_lines[name];
    for (const auto& [at, what] : replaced) {
      const auto& [filled, overlay_line] = what;
      int line = data.line_of(name, at);
      std::size_t newlines = data.newlines_of(name, at);
      std::size_t first = static_cast<std::size_t>(line - 1);
      std::size_t last = first + newlines + 1;
      bool fits = line > 0 && first < starts.size() && starts[first] >= pos &&
                  count_char(filled, '\n') == newlines + 1;
      if (!fits) {  // never for rows the data writes one a line
        out.use.ignored.push_back(path + ":" + std::to_string(overlay_line) +
                                  ": cannot be merged into " + name + ":" + std::to_string(line));
        --out.use.rows;
        continue;
      }
      merged.append(base_text.substr(pos, starts[first] - pos));
      merged.append(filled);
      pos = last < starts.size() ? starts[last] : base_text.size();
      marks[line] = {path, overlay_line};
    }
    merged.append(base_text.substr(pos));
    if (!merged.empty() && merged.back() != '\n') merged += '\n';
    int next_line = static_cast<int>(count_char(merged, '\n')) + 1;
    for (const auto& [text_, overlay_line] : appended) {
      merged.append(text_);
      marks[next_line++] = {path, overlay_line};
    }
    auto [owned, _] = impl->owned.insert_or_assign(name, std::move(merged));
    impl->files[name] = std::string_view(owned->second);
  }
  out.kb = std::make_shared<const KnowledgeBase>(std::move(impl));
  return out;
}

}  // namespace cudafit
