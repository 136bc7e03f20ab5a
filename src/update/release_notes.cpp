// Table 3 of the CUDA release notes, as docs.nvidia.com's Sphinx pages print it:
//   <table ...><caption>...Table 3 ...CUDA Toolkit and Corresponding Driver Versions...</caption>
//   <tbody><tr><td><p>CUDA 13.2 Update 2</p></td><td><p>&gt;=595.71.05</p></td><td><p>N/A</p></td>
// Older rows read "CUDA 11.4.0 GA", "CUDA 10.2.89", "CUDA 9.2 (9.2.148 Update 1)".
#include "update/release_notes.h"

#include <algorithm>
#include <cctype>

#include "util/strings.h"

namespace cudafit {

namespace {

// Text of an HTML fragment: tags dropped, the entities these tables use decoded, whitespace
// collapsed.
std::string cell_text(std::string_view html) {
  std::string out;
  bool in_tag = false;
  for (std::size_t i = 0; i < html.size(); ++i) {
    char c = html[i];
    if (in_tag) {
      if (c == '>') in_tag = false;
      continue;
    }
    if (c == '<') {
      in_tag = true;
      out += ' ';
      continue;
    }
    if (c == '&') {
      auto semi = html.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 8) {
        std::string_view e = html.substr(i + 1, semi - i - 1);
        const char* rep = e == "gt"                    ? ">"
                          : e == "lt"                  ? "<"
                          : e == "amp"                 ? "&"
                          : e == "nbsp" || e == "#160" ? " "
                          : e == "#62"                 ? ">"
                                                       : nullptr;
        if (rep != nullptr) {
          out += rep;
          i = semi;
          continue;
        }
      }
    }
    out += c;
  }
  std::string collapsed;
  for (auto w : split_ws(out)) {
    if (!collapsed.empty()) collapsed += ' ';
    collapsed.append(w);
  }
  return collapsed;
}

// The cells of each <tr> in [begin, end).
std::vector<std::vector<std::string>> table_rows(std::string_view html, std::string_view lower) {
  std::vector<std::vector<std::string>> rows;
  std::size_t pos = 0;
  while ((pos = lower.find("<tr", pos)) != std::string_view::npos) {
    std::size_t end = lower.find("</tr", pos);
    if (end == std::string_view::npos) end = lower.size();
    std::vector<std::string> cells;
    std::size_t c = pos + 3;
    while (true) {
      std::size_t td = lower.find("<td", c), th = lower.find("<th", c);
      std::size_t open = std::min(td, th);
      if (open == std::string_view::npos || open >= end) break;
      std::size_t content = lower.find('>', open);
      if (content == std::string_view::npos || content >= end) break;
      std::size_t close_td = lower.find("</td", content), close_th = lower.find("</th", content);
      std::size_t close = std::min({close_td, close_th, end});
      // A cell without its closing tag ends where the next one starts.
      std::size_t next_open = std::min(lower.find("<td", content), lower.find("<th", content));
      close = std::min(close, next_open);
      cells.push_back(cell_text(html.substr(content + 1, close - content - 1)));
      c = close;
    }
    rows.push_back(std::move(cells));
    pos = end;
  }
  return rows;
}

std::optional<DriverVersion> driver_cell(std::string_view text) {
  std::string_view t = trim(text);
  while (!t.empty() && (t.front() == '>' || t.front() == '=' || t.front() == ' '))
    t.remove_prefix(1);
  t = trim(t);
  if (t.empty() || t.find_first_of("0123456789") != 0) return std::nullopt;
  std::size_t n = 0;
  while (n < t.size() && (std::isdigit(static_cast<unsigned char>(t[n])) || t[n] == '.')) ++n;
  auto v = DriverVersion::parse(t.substr(0, n));
  if (!v) return std::nullopt;
  return *v;
}

// "13.2", "11.4.0", "9.2.148": the leading version in `s`.
std::string leading_version(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.')) ++n;
  std::string v(s.substr(0, n));
  while (!v.empty() && v.back() == '.') v.pop_back();
  return v;
}

std::optional<Table3Row> parse_label(const std::string& text) {
  std::string_view t = text;
  if (!starts_with(t, "CUDA ")) return std::nullopt;
  t.remove_prefix(5);
  Table3Row row;
  row.text = text;
  std::string first = leading_version(t);
  auto first_v = CudaVersion::parse(first);
  if (first.empty() || !first_v) return std::nullopt;
  row.series = first_v->major_minor_only();
  if (first_v->patch() >= 0) row.toolkit = *first_v;
  std::string_view rest = trim(t.substr(first.size()));
  // "(9.2.148 Update 1)", "(10.1.105 general release, and updates)"
  if (starts_with(rest, "(")) {
    rest.remove_prefix(1);
    auto close = rest.find(')');
    rest = rest.substr(0, close);
    std::string inner = leading_version(rest);
    auto v = CudaVersion::parse(inner);
    if (!inner.empty() && v && v->patch() >= 0) row.toolkit = *v;
    rest = trim(rest.substr(inner.size()));
  }
  if (starts_with(rest, "Update ")) {
    auto n = parse_uint(trim(rest.substr(7)));
    if (n && *n < 100) row.update = static_cast<int>(*n);
    row.label = "Update " + std::to_string(row.update);
  } else if (starts_with(rest, "GA")) {
    row.label = std::string(rest.substr(0, rest.find(' ')));  // "GA", "GA1", "GA2"
  } else if (starts_with(rest, "RC")) {
    row.label = "RC";
  } else if (icontains(rest, "Preview")) {
    row.label = "Developer Preview";
  } else if (icontains(rest, "general release")) {
    row.label = "GA and updates";
  }
  return row;
}

}  // namespace

Result<std::vector<Table3Row>> parse_table3(std::string_view html) {
  std::string lower = to_lower(html);
  std::size_t caption = lower.find("corresponding driver versions");
  if (caption == std::string::npos)
    return make_error("no table 'CUDA Toolkit and Corresponding Driver Versions' on the page");
  std::size_t begin = lower.rfind("<table", caption);
  std::size_t end = lower.find("</table", caption);
  if (begin == std::string::npos) begin = caption;
  if (end == std::string::npos) end = lower.size();
  std::string_view table_html = html.substr(begin, end - begin);
  std::string_view table_lower = std::string_view(lower).substr(begin, end - begin);
  std::vector<Table3Row> out;
  for (const auto& cells : table_rows(table_html, table_lower)) {
    if (cells.size() < 2) continue;
    auto row = parse_label(cells[0]);
    if (!row) continue;
    row->linux_driver = driver_cell(cells[1]);
    if (cells.size() >= 3) row->windows_driver = driver_cell(cells[2]);
    out.push_back(std::move(*row));
  }
  if (out.empty()) return make_error("Table 3 found, but none of its rows reads as 'CUDA X.Y ...'");
  return out;
}

}  // namespace cudafit
