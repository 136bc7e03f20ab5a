// CSV reading for the knowledge base's data files (RFC 4180: quoted fields, "" escapes,
// newlines inside quotes). Lines starting with '#' before the header are comments.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace cudafit {

// A parsed table: a header and rows of fields. Each row remembers its 1-based line number
// so errors and provenance can say "torch.csv:42". Fields are views into the table's own
// copy of the text (or, for fields with quote escapes, into its own unescaped strings): the
// knowledge base parses its tables at every start, and a string per field was most of that.
// Copies share that storage, so a copied table's views stay valid.
struct CsvTable {
  std::string name;  // file name, for messages and provenance
  std::vector<std::string_view> header;
  struct Row {
    int line = 0;
    std::vector<std::string_view> fields;
  };
  std::vector<Row> rows;

  // Index of a column by header name, or -1.
  int column(std::string_view header_name) const;

  // What the views point into (`text` stays empty for parse_csv_in_place).
  std::shared_ptr<const std::string> text;
  std::shared_ptr<std::deque<std::string>> unescaped;
};

// Every row must have exactly as many fields as the header; otherwise an error
// "NAME:LINE: expected N fields, got M".
Result<CsvTable> parse_csv(std::string_view text, std::string name);
// The same without copying the text: the fields view `text` itself, which must outlive the
// table and its copies (the knowledge base's embedded or loaded files do). Copying the
// files cost a page fault per 4 KiB at every start.
Result<CsvTable> parse_csv_in_place(std::string_view text, std::string name);

// Quotes a field for CSV output when it needs it.
std::string csv_escape(std::string_view field);

}  // namespace cudafit
