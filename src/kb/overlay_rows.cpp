// The data's rows an overlay row is compared with, picked out of the data files' text, and the
// comparison: new, the same, filling empty cells, or contradicting.
#include <algorithm>
#include <map>

#include "kb/kb_impl.h"
#include "kb/overlay.h"
#include "kb/overlay_impl.h"
#include "util/strings.h"

namespace cudafit {

using namespace overlay_detail;

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
      cells.reserve(cols.size());
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
          cols.reserve(key.size());
          for (auto k : key) cols.push_back(parsed->column(k));
          std::vector<CsvTable::Row> keep;
          for (auto& row : parsed->rows) {
            std::vector<std::string_view> cells;
            cells.reserve(cols.size());
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

}  // namespace cudafit
