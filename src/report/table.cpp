#include "report/table.h"

#include <nlohmann/json.hpp>

#include "util/csv.h"
#include "util/json_text.h"

namespace cudafit {

Result<Format> parse_format(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "markdown" || name == "md") return Format::kMarkdown;
  if (name == "csv") return Format::kCsv;
  if (name == "json") return Format::kJson;
  return make_error("unknown format '" + std::string(name) + "' (use text, markdown, csv or json)");
}

namespace {

// Display width in terminal columns: counts UTF-8 code points, not bytes.
size_t display_width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string render_text(const Table& t) {
  std::vector<size_t> widths(t.columns.size(), 0);
  for (size_t i = 0; i < t.columns.size(); ++i) widths[i] = display_width(t.columns[i]);
  for (const auto& row : t.rows)
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  std::string out;
  if (!t.title.empty()) out += t.title + "\n";
  auto emit = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      line += cell;
      if (i + 1 < widths.size()) line += std::string(widths[i] - display_width(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(t.columns);
  std::vector<std::string> rule;
  rule.reserve(widths.size());
  for (size_t w : widths) rule.emplace_back(w, '-');
  emit(rule);
  for (const auto& row : t.rows) emit(row);
  for (const auto& note : t.notes) out += note + "\n";
  return out;
}

std::string md_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string render_table(const Table& t, Format format) {
  switch (format) {
    case Format::kText:
      return render_text(t);
    case Format::kMarkdown: {
      std::string out = "|";
      for (const auto& c : t.columns) {
        out += ' ';
        out += md_cell(c);
        out += " |";
      }
      out += "\n|";
      for (size_t i = 0; i < t.columns.size(); ++i) out += " --- |";
      out += "\n";
      for (const auto& row : t.rows) {
        out += "|";
        for (size_t i = 0; i < t.columns.size(); ++i) {
          out += ' ';
          out += md_cell(i < row.size() ? row[i] : "");
          out += " |";
        }
        out += "\n";
      }
      return out;
    }
    case Format::kCsv: {
      std::string out;
      for (size_t i = 0; i < t.columns.size(); ++i) {
        if (i) out += ',';
        out += csv_escape(t.columns[i]);
      }
      out += "\n";
      for (const auto& row : t.rows) {
        for (size_t i = 0; i < t.columns.size(); ++i) {
          if (i) out += ',';
          out += csv_escape(i < row.size() ? row[i] : "");
        }
        out += "\n";
      }
      return out;
    }
    case Format::kJson: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& row : t.rows) {
        nlohmann::json obj = nlohmann::json::object();
        for (size_t i = 0; i < t.columns.size(); ++i) {
          const std::string cell = i < row.size() ? row[i] : "";
          obj[t.columns[i]] = cell.empty() ? nlohmann::json(nullptr) : nlohmann::json(cell);
        }
        arr.push_back(std::move(obj));
      }
      return json_text(arr) + "\n";
    }
  }
  return {};
}

}  // namespace cudafit
