#include "util/csv.h"

#include <algorithm>

#include "util/strings.h"

namespace cudafit {

int CsvTable::column(std::string_view header_name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == header_name) return static_cast<int>(i);
  return -1;
}

namespace {

// One field being read: the pieces of text it is made of. A field of one piece (the common
// case) stays a view into the text; only one with "" escapes or text after a closing quote
// gets a string of its own.
class FieldBuilder {
 public:
  explicit FieldBuilder(std::deque<std::string>& arena) : arena_(arena) {}
  void append(std::string_view piece) {
    if (joined_ != nullptr) {
      joined_->append(piece);
    } else if (!has_first_) {
      first_ = piece;
      has_first_ = true;
    } else {
      joined_ = &arena_.emplace_back(first_);
      joined_->append(piece);
    }
  }
  std::string_view take() {
    std::string_view out = joined_ != nullptr ? std::string_view(*joined_) : first_;
    first_ = {};
    has_first_ = false;
    joined_ = nullptr;
    return out;
  }

 private:
  std::deque<std::string>& arena_;
  std::string_view first_;
  bool has_first_ = false;
  std::string* joined_ = nullptr;
};

// Reads one record starting at pos; advances pos past its line end. Returns false on an
// unterminated quote.
bool read_record(std::string_view text, size_t& pos, int& line, std::vector<std::string_view>& out,
                 std::deque<std::string>& arena) {
  out.clear();
  FieldBuilder field(arena);
  bool field_started = false;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '"' && !field_started) {
      field_started = true;
      ++pos;
      for (;;) {  // inside quotes: up to the closing quote, "" being one quote
        size_t q = text.find('"', pos);
        if (q == std::string_view::npos) return false;
        std::string_view chunk = text.substr(pos, q - pos);
        line += static_cast<int>(count_char(chunk, '\n'));
        field.append(chunk);
        pos = q + 1;
        if (pos < text.size() && text[pos] == '"') {
          field.append(text.substr(q, 1));
          ++pos;
          continue;
        }
        break;
      }
      continue;
    }
    if (c == ',') {
      out.push_back(field.take());
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
      out.push_back(field.take());
      return true;
    }
    // A run of plain characters (a quote here is literal: the field has started).
    size_t stop = pos + 1;
    while (stop < text.size() && text[stop] != ',' && text[stop] != '\n' && text[stop] != '\r')
      ++stop;
    field.append(text.substr(pos, stop - pos));
    field_started = true;
    pos = stop;
  }
  out.push_back(field.take());
  return true;
}

Result<CsvTable> parse_into(CsvTable table, std::string_view text) {
  table.unescaped = std::make_shared<std::deque<std::string>>();
  std::deque<std::string>& arena = *table.unescaped;
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
  if (!read_record(text, pos, line, table.header, arena))
    return make_error(table.name + ":" + std::to_string(header_line) + ": unterminated quote");
  table.rows.reserve(count_char(text.substr(pos), '\n') + 1);
  std::vector<std::string_view> fields;
  while (pos < text.size()) {
    int start_line = line;
    if (!read_record(text, pos, line, fields, arena))
      return make_error(table.name + ":" + std::to_string(start_line) + ": unterminated quote");
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    if (fields.size() != table.header.size())
      return make_error(table.name + ":" + std::to_string(start_line) + ": expected " +
                        std::to_string(table.header.size()) + " fields, got " +
                        std::to_string(fields.size()));
    table.rows.push_back({start_line, std::move(fields)});
    fields = {};
    fields.reserve(table.header.size());
  }
  return table;
}

}  // namespace

Result<CsvTable> parse_csv(std::string_view input, std::string name) {
  CsvTable table;
  table.name = std::move(name);
  table.text = std::make_shared<const std::string>(input);
  std::string_view text = *table.text;
  return parse_into(std::move(table), text);
}

Result<CsvTable> parse_csv_in_place(std::string_view text, std::string name) {
  CsvTable table;
  table.name = std::move(name);
  return parse_into(std::move(table), text);
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
