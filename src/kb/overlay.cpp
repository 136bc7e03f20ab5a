// The overlay of `cudafit update`: reading and checking it, comparing its rows with the data,
// and merging them into the data files' text (so every query and fast path sees them).
#include "kb/overlay.h"

#include <algorithm>
#include <set>
#include <utility>

#include "kb/kb_impl.h"
#include "util/csv.h"
#include "util/strings.h"

namespace cudafit {

namespace {

// Per file: the columns that name a row, and those that are not facts to compare.
struct Schema {
  const char* file;
  std::vector<std::string_view> key;
  std::vector<std::string_view> free;  // source, notes, fetched
};

const std::vector<Schema>& schemas() {
  static const std::vector<Schema> all = {
      {kTorchReleasesFile, {"torch"}, {"source", "notes"}},
      {kTorchVariantsFile, {"torch", "variant"}, {"source", "notes"}},
      {kTorchWheelsFile, {"torch", "index", "platform"}, {"source", "fetched", "notes"}},
      // Arch lists are keyed by (variant, platform) and a release range: rows overlap.
      {kTorchArchListsFile, {"variant", "platform"}, {"source", "notes", "torch_from", "torch_to"}},
      {kCompanionReleasesFile, {"package", "version"}, {"source", "fetched", "notes"}},
      {kCudaFile, {"toolkit"}, {"source", "notes"}},
      // Free text, several rows a version (triton: one per torch; cupy: one per CUDA major).
      {kFrameworksFile, {"framework", "version", "torch", "cuda"}, {"source", "notes"}},
  };
  return all;
}

const Schema* schema_of(std::string_view file) {
  for (const auto& s : schemas())
    if (file == s.file) return &s;
  return nullptr;
}

bool is_free(const Schema& s, std::string_view column) {
  return std::find(s.free.begin(), s.free.end(), column) != s.free.end();
}

std::string_view cell(const CsvRecord& r, std::string_view column) {
  auto it = r.find(column);
  return it == r.end() ? std::string_view() : trim(it->second);
}

// Whitespace runs collapsed: "3.10  3.11" and "3.10 3.11" say the same.
std::string words(std::string_view s) {
  std::vector<std::string> parts;
  for (auto w : split_ws(s)) parts.emplace_back(w);
  return join(parts, " ");
}

std::set<std::string> word_set(std::string_view s) {
  std::set<std::string> out;
  for (auto w : split_ws(s)) out.emplace(w);
  return out;
}

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

std::string hex64(std::uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 15];
  return s;
}

CsvRecord record_of(const CsvTable& t, const CsvTable::Row& row) {
  CsvRecord r;
  for (std::size_t i = 0; i < t.header.size() && i < row.fields.size(); ++i)
    r.emplace(std::string(t.header[i]), std::string(row.fields[i]));
  return r;
}

// The release range of an arch-list row, when both ends parse.
std::optional<std::pair<Pep440Version, Pep440Version>> range_of(const CsvRecord& r) {
  auto from = Pep440Version::parse(cell(r, "torch_from"));
  auto to = Pep440Version::parse(cell(r, "torch_to"));
  if (!from || !to) return std::nullopt;
  return std::make_pair(*from, *to);
}

}  // namespace

std::vector<std::string_view> overlay_file_names() {
  std::vector<std::string_view> out;
  for (const auto& s : schemas()) out.emplace_back(s.file);
  return out;
}

std::string_view to_string(RowStanding s) {
  switch (s) {
    case RowStanding::kNew:
      return "new";
    case RowStanding::kSame:
      return "same";
    case RowStanding::kFills:
      return "fills";
    case RowStanding::kConflict:
      return "conflict";
  }
  return "new";
}

std::string overlay_dir_for(const Host& env) {
  auto xdg = env.env("XDG_DATA_HOME");
  if (xdg && !xdg->empty() && xdg->front() == '/') return path_join(*xdg, "cudafit/overlay");
  auto home = env.env("HOME");
  if (home && !home->empty() && home->front() == '/')
    return path_join(*home, ".local/share/cudafit/overlay");
  return "";
}

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

Result<std::optional<Overlay>> read_overlay(const Host& fs, const std::string& dir) {
  std::string manifest_path = path_join(dir, kOverlayManifestFile);
  if (!fs.exists(manifest_path)) return std::optional<Overlay>();
  auto manifest_text = fs.read_file(manifest_path, 1u << 20);
  if (!manifest_text) return make_error(manifest_path + ": " + manifest_text.error());
  auto manifest = parse_csv(*manifest_text, manifest_path);
  if (!manifest) return make_error(manifest.error());
  int c_file = manifest->column("file"), c_rows = manifest->column("rows"),
      c_bytes = manifest->column("bytes"), c_sum = manifest->column("fnv1a64"),
      c_updated = manifest->column("updated");
  if (c_file < 0 || c_rows < 0 || c_bytes < 0 || c_sum < 0 || c_updated < 0)
    return make_error(manifest_path + ": header: expected file,rows,bytes,fnv1a64,updated");
  Overlay o;
  o.dir = dir;
  const auto names = overlay_file_names();
  for (const auto& row : manifest->rows) {
    std::string where = manifest_path + ":" + std::to_string(row.line);
    std::string name(trim(row.fields[static_cast<std::size_t>(c_file)]));
    if (std::find(names.begin(), names.end(), name) == names.end())
      return make_error(where + ": '" + name + "' is not a file an overlay may hold");
    if (o.files.count(name) > 0) return make_error(where + ": " + name + " listed twice");
    std::string path = path_join(dir, name);
    auto text = fs.read_file(path, 64u << 20);
    if (!text) return make_error(path + ": " + text.error());
    auto bytes = parse_uint(trim(row.fields[static_cast<std::size_t>(c_bytes)]));
    if (!bytes || *bytes != text->size())
      return make_error(path + ": " + std::to_string(text->size()) + " bytes, the manifest says " +
                        std::string(row.fields[static_cast<std::size_t>(c_bytes)]) +
                        " (cut short or changed since `cudafit update` wrote it)");
    if (hex64(fnv1a64(*text)) != trim(row.fields[static_cast<std::size_t>(c_sum)]))
      return make_error(path +
                        ": checksum differs from the manifest's (changed since "
                        "`cudafit update` wrote it)");
    auto table = parse_csv(*text, path);
    if (!table) return make_error(table.error());
    auto rows = parse_uint(trim(row.fields[static_cast<std::size_t>(c_rows)]));
    if (!rows || *rows != table->rows.size())
      return make_error(path + ": " + std::to_string(table->rows.size()) +
                        " rows, the manifest says " +
                        std::string(row.fields[static_cast<std::size_t>(c_rows)]));
    o.updated = std::string(trim(row.fields[static_cast<std::size_t>(c_updated)]));
    o.tables.emplace(name, std::move(table).value());
    o.files.emplace(std::move(name), std::move(text).value());
  }
  return std::optional<Overlay>(std::move(o));
}

// ---- Comparing rows with the data ----

struct OverlayBase::Table {
  std::vector<std::string> columns;
  std::vector<CsvRecord> rows;
  std::vector<int> lines;             // each row's line in the file
  std::vector<std::size_t> newlines;  // newlines inside each row (quoted cells)
};

namespace {

// A row's key cells joined (what a data row must share with an overlay row to be compared).
std::string key_text(const std::vector<std::string_view>& cells) {
  std::string k;
  for (auto c : cells) {
    k.append(trim(c));
    k += '\x1f';
  }
  return k;
}

// Fields `indexes` (ascending) of a CSV line that has no quote before the last of them; nullopt
// otherwise (then the line must be parsed as CSV).
std::optional<std::vector<std::string_view>> plain_fields(std::string_view line,
                                                          const std::vector<std::size_t>& indexes) {
  std::vector<std::string_view> out;
  std::size_t start = 0, field = 0;
  for (std::size_t want : indexes) {
    while (field < want) {
      auto comma = line.find(',', start);
      if (comma == std::string_view::npos) return std::vector<std::string_view>(indexes.size());
      start = comma + 1;
      ++field;
    }
    auto end = line.find_first_of(",\n", start);
    std::string_view f =
        line.substr(start, end == std::string_view::npos ? line.size() - start : end - start);
    if (f.find('"') != std::string_view::npos) return std::nullopt;
    out.push_back(f);
  }
  if (line.substr(0, start).find('"') != std::string_view::npos) return std::nullopt;
  return out;
}

}  // namespace

OverlayBase::OverlayBase(const KnowledgeBase& kb) : kb_(kb) {}

OverlayBase::OverlayBase(const KnowledgeBase& kb, const Overlay& overlay) : kb_(kb) {
  for (const auto& s : schemas()) only_[s.file];  // files the overlay lacks: no row needed
  for (const auto& [name, t] : overlay.tables) {
    const Schema* schema = schema_of(name);
    if (schema == nullptr) continue;
    std::vector<int> cols;
    for (auto k : schema->key) cols.push_back(t.column(k));
    if (std::find(cols.begin(), cols.end(), -1) != cols.end()) continue;
    auto& keys = only_[name];
    for (const auto& row : t.rows) {
      std::vector<std::string_view> cells;
      for (int c : cols)
        cells.push_back(static_cast<std::size_t>(c) < row.fields.size()
                            ? row.fields[static_cast<std::size_t>(c)]
                            : std::string_view());
      keys.insert(key_text(cells));
    }
  }
}

const OverlayBase::Table& OverlayBase::table(std::string_view file) const {
  auto it = tables_.find(file);
  if (it != tables_.end()) return *it->second;
  auto t = std::make_unique<Table>();
  auto text_it = kb_.impl().files.find(file);
  if (text_it != kb_.impl().files.end() && schema_of(file) != nullptr) {
    std::string_view text = text_it->second;
    // The header's line: after the comment lines.
    std::size_t header = 0;
    int line = 1;
    while (header < text.size() && text[header] == '#') {
      auto nl = text.find('\n', header);
      header = nl == std::string_view::npos ? text.size() : nl + 1;
      ++line;
    }
    auto header_end = text.find('\n', header);
    std::string_view header_line = text.substr(
        header, header_end == std::string_view::npos ? text.size() - header : header_end - header);
    std::optional<CsvTable> csv;
    auto only = only_.find(file);
    const auto& key = schema_of(file)->key;
    // The column of the key's first cell: lines are picked by it before any CSV parsing.
    std::size_t first_col = 0;
    bool found = false;
    for (auto h : split(header_line, ',')) {
      if (trim(h) == key.front()) {
        found = true;
        break;
      }
      ++first_col;
    }
    if (only != only_.end() && found) {
      std::set<std::string, std::less<>> firsts;
      for (const auto& k : only->second) firsts.insert(k.substr(0, k.find('\x1f')));
      // The lines holding an overlay row's first key cell where that column is (found as text,
      // without reading the other lines), with their own line numbers; a line with a quote that
      // goes on past it makes the whole file parse.
      std::map<std::size_t, std::string_view> found_lines;  // line start -> line
      bool plain = true;
      const std::size_t body = header_end == std::string_view::npos ? text.size() : header_end;
      for (const auto& v : firsts) {
        std::string needle = (first_col == 0 ? "\n" : ",") + v + ",";
        for (std::size_t at = text.find(needle, body); at != std::string_view::npos;
             at = text.find(needle, at + 1)) {
          std::size_t start = first_col == 0 ? at + 1 : text.rfind('\n', at) + 1;
          auto nl = text.find('\n', start);
          std::string_view l = text.substr(
              start, nl == std::string_view::npos ? text.size() - start : nl - start + 1);
          if (count_char(l, '"') % 2 != 0) plain = false;
          auto f = plain_fields(l, {first_col});
          if (f && trim(f->front()) != v) continue;  // the text is in another column
          found_lines.emplace(start, l);
        }
      }
      std::string picked(header_line);
      picked += '\n';
      std::vector<int> lines;
      int at = line + 1;
      std::size_t counted = header_end == std::string_view::npos ? text.size() : header_end + 1;
      for (const auto& [start, l] : found_lines) {
        at += static_cast<int>(count_char(text.substr(counted, start - counted), '\n'));
        counted = start;
        picked.append(l);
        if (picked.back() != '\n') picked += '\n';
        lines.push_back(at);
      }
      if (plain) {
        auto parsed = parse_csv(picked, std::string(file));
        if (parsed && parsed->rows.size() == lines.size()) {
          for (std::size_t i = 0; i < lines.size(); ++i) parsed->rows[i].line = lines[i];
          // Then the whole key (arch lists: variant and platform; their ranges are compared
          // later).
          std::vector<int> cols;
          for (auto k : key) cols.push_back(parsed->column(k));
          std::vector<CsvTable::Row> keep;
          for (auto& row : parsed->rows) {
            std::vector<std::string_view> cells;
            for (int c : cols)
              cells.push_back(c >= 0 && static_cast<std::size_t>(c) < row.fields.size()
                                  ? row.fields[static_cast<std::size_t>(c)]
                                  : std::string_view());
            if (only->second.count(key_text(cells)) > 0) keep.push_back(std::move(row));
          }
          parsed->rows = std::move(keep);
          csv = std::move(parsed).value();
        }
      }
    }
    if (!csv) {
      auto parsed = parse_csv_in_place(text, std::string(file));
      if (parsed) csv = std::move(parsed).value();
    }
    if (csv) {
      for (auto h : csv->header) t->columns.emplace_back(trim(h));
      for (const auto& row : csv->rows) {
        t->rows.push_back(record_of(*csv, row));
        t->lines.push_back(row.line);
        std::size_t n = 0;
        for (auto f : row.fields) n += count_char(f, '\n');
        t->newlines.push_back(n);
      }
    }
  }
  return *tables_.emplace(std::string(file), std::move(t)).first->second;
}

OverlayBase::~OverlayBase() = default;

const std::vector<std::string>& OverlayBase::columns(std::string_view file) const {
  return table(file).columns;
}

int OverlayBase::line_of(std::string_view file, std::size_t row) const {
  const Table& t = table(file);
  return row < t.lines.size() ? t.lines[row] : 0;
}

std::size_t OverlayBase::newlines_of(std::string_view file, std::size_t row) const {
  const Table& t = table(file);
  return row < t.newlines.size() ? t.newlines[row] : 0;
}

const std::vector<CsvRecord>& OverlayBase::rows(std::string_view file) const {
  return table(file).rows;
}

namespace {

// One data row against one candidate of the same key.
RowCheck compare(const Schema& s, const std::vector<std::string>& columns, const CsvRecord& data,
                 const CsvRecord& row) {
  RowCheck c;
  const bool wheels = std::string_view(s.file) == kTorchWheelsFile;
  for (const auto& col : columns) {
    if (is_free(s, col)) continue;
    if (std::find(s.key.begin(), s.key.end(), col) != s.key.end()) continue;
    if (wheels && (col == "pythons" || col == "evidence")) continue;  // below
    std::string d = words(cell(data, col)), r = words(cell(row, col));
    if (d == r) continue;
    if (r.empty())
      c.builtin_more.push_back(col + ": " + d);
    else if (d.empty())
      c.fills.push_back(col + " " + r);
    else
      c.conflicts.push_back(col + ": data " + d + ", row " + r);
  }
  if (wheels) {
    std::string de(cell(data, "evidence")), re(cell(row, "evidence"));
    auto dp = word_set(cell(data, "pythons")), rp = word_set(cell(row, "pythons"));
    if (de == re && dp == rp) {
      // same
    } else if (re == "listed" && (de == "inferred" || de == "listed") && dp == rp) {
      if (de != re) c.fills.push_back("evidence listed (was " + de + ")");
    } else if (re == "listed" && (de == "unknown" || de == "partial") &&
               std::includes(rp.begin(), rp.end(), dp.begin(), dp.end())) {
      c.fills.push_back("pythons " + words(cell(row, "pythons")) + " (was " + de + ")");
    } else if (re.empty() || (re == de && rp.empty())) {
      if (!dp.empty()) c.builtin_more.push_back("pythons: " + words(cell(data, "pythons")));
    } else {
      c.conflicts.push_back("pythons/evidence: data " + words(cell(data, "pythons")) + " (" + de +
                            "), row " + words(cell(row, "pythons")) + " (" + re + ")");
    }
  }
  c.standing = !c.conflicts.empty() ? RowStanding::kConflict
               : !c.fills.empty()   ? RowStanding::kFills
                                    : RowStanding::kSame;
  return c;
}

bool same_key(const Schema& s, const CsvRecord& a, const CsvRecord& b) {
  for (auto k : s.key)
    if (cell(a, k) != cell(b, k)) return false;
  if (std::string_view(s.file) == kTorchArchListsFile) {
    auto ra = range_of(a), rb = range_of(b);
    if (!ra || !rb) return false;
    return !(ra->second < rb->first || rb->second < ra->first);  // the ranges overlap
  }
  return true;
}

}  // namespace

const CsvRecord* OverlayBase::row_of_key(std::string_view file, const CsvRecord& row) const {
  const Schema* s = schema_of(file);
  if (s == nullptr) return nullptr;
  const Table& t = table(file);
  const CsvRecord* best = nullptr;
  RowStanding best_standing = RowStanding::kConflict;
  for (const auto& data : t.rows) {
    if (!same_key(*s, data, row)) continue;
    RowStanding st = compare(*s, t.columns, data, row).standing;
    // The data row it agrees with best: the same, else one it fills, else the first.
    if (best == nullptr || (st == RowStanding::kSame && best_standing != RowStanding::kSame) ||
        (st == RowStanding::kFills && best_standing == RowStanding::kConflict)) {
      best = &data;
      best_standing = st;
    }
  }
  return best;
}

RowCheck OverlayBase::check(std::string_view file, const CsvRecord& row) const {
  const Schema* s = schema_of(file);
  if (s == nullptr) return RowCheck{};
  const CsvRecord* data = row_of_key(file, row);
  if (data == nullptr) return RowCheck{};
  const Table& t = table(file);
  RowCheck c = compare(*s, t.columns, *data, row);
  std::size_t i = static_cast<std::size_t>(data - t.rows.data());
  c.builtin = std::string(file) + ":" + std::to_string(t.lines[i]);
  return c;
}

// ---- Merging ----

namespace {

std::string row_text(const std::vector<std::string>& columns, const CsvRecord& r) {
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_escape(cell(r, columns[i]));
  }
  out += '\n';
  return out;
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
  impl->under = base;

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

// ---- Writing ----

std::string overlay_file_text(std::string_view file, const std::vector<std::string>& columns,
                              const std::vector<CsvRecord>& rows) {
  std::string out;
  out += "# Rows `cudafit update` found since the built-in " + std::string(file) +
         " was reviewed: new rows, or\n"
         "# cells the built-in rows leave empty. Each row says where it was read and when "
         "(fetched).\n";
  std::vector<std::string> header = columns;
  if (std::find(header.begin(), header.end(), "fetched") == header.end())
    header.emplace_back("fetched");
  out += join(header, ",") + "\n";
  for (const auto& r : rows) out += row_text(header, r);
  return out;
}

std::string overlay_manifest_text(const std::map<std::string, std::string, std::less<>>& files,
                                  std::string_view updated, std::string_view version) {
  std::string out =
      "# The overlay `cudafit update` wrote: every file with its rows, size and checksum,\n"
      "# checked at each load (a file that differs makes the overlay damaged: not used).\n"
      "file,rows,bytes,fnv1a64,updated,cudafit\n";
  for (const auto& [name, text] : files) {
    auto t = parse_csv(text, name);
    std::size_t rows = t ? t->rows.size() : 0;
    out += name + "," + std::to_string(rows) + "," + std::to_string(text.size()) + "," +
           hex64(fnv1a64(text)) + "," + std::string(updated) + "," + std::string(version) + "\n";
  }
  return out;
}

}  // namespace cudafit
