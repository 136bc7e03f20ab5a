#include "util/csv.h"

namespace cudafit {

int CsvTable::column(std::string_view header_name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == header_name) return static_cast<int>(i);
  return -1;
}

namespace {

// Reads one record starting at pos; advances pos past its line end. Returns false on an
// unterminated quote.
bool read_record(std::string_view text, size_t& pos, int& line, std::vector<std::string>& out) {
  out.clear();
  std::string field;
  bool in_quotes = false;
  bool field_started = false;
  while (pos < text.size()) {
    char c = text[pos];
    if (in_quotes) {
      if (c == '"') {
        if (pos + 1 < text.size() && text[pos + 1] == '"') {
          field += '"';
          pos += 2;
          continue;
        }
        in_quotes = false;
        ++pos;
        continue;
      }
      if (c == '\n') ++line;
      field += c;
      ++pos;
      continue;
    }
    if (c == '"' && !field_started) {
      in_quotes = true;
      field_started = true;
      ++pos;
      continue;
    }
    if (c == ',') {
      out.push_back(std::move(field));
      field.clear();
      field_started = false;
      ++pos;
      continue;
    }
    if (c == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') {
      ++pos;
      continue;
    }
    if (c == '\n') {
      ++pos;
      ++line;
      out.push_back(std::move(field));
      return true;
    }
    field += c;
    field_started = true;
    ++pos;
  }
  if (in_quotes) return false;
  out.push_back(std::move(field));
  return true;
}

}  // namespace

Result<CsvTable> parse_csv(std::string_view text, std::string name) {
  CsvTable table;
  table.name = std::move(name);
  size_t pos = 0;
  int line = 1;
  // Leading comment lines.
  while (pos < text.size() && text[pos] == '#') {
    size_t nl = text.find('\n', pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line;
  }
  if (pos >= text.size()) return make_error(table.name + ": empty file (no header)");
  int header_line = line;
  if (!read_record(text, pos, line, table.header))
    return make_error(table.name + ":" + std::to_string(header_line) + ": unterminated quote");
  std::vector<std::string> fields;
  while (pos < text.size()) {
    int start_line = line;
    if (!read_record(text, pos, line, fields))
      return make_error(table.name + ":" + std::to_string(start_line) + ": unterminated quote");
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    if (fields.size() != table.header.size())
      return make_error(table.name + ":" + std::to_string(start_line) + ": expected " +
                        std::to_string(table.header.size()) + " fields, got " +
                        std::to_string(fields.size()));
    table.rows.push_back({start_line, fields});
  }
  return table;
}

std::string csv_escape(std::string_view field) {
  if (field.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace cudafit
