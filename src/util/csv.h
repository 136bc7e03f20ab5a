// CSV reading for the knowledge base's data files (RFC 4180: quoted fields, "" escapes,
// newlines inside quotes). Lines starting with '#' before the header are comments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace cudafit {

// A parsed table: a header and rows of fields. Each row remembers its 1-based line number
// so errors and provenance can say "torch.csv:42".
struct CsvTable {
  std::string name;  // file name, for messages and provenance
  std::vector<std::string> header;
  struct Row {
    int line = 0;
    std::vector<std::string> fields;
  };
  std::vector<Row> rows;

  // Index of a column by header name, or -1.
  int column(std::string_view header_name) const;
};

// Every row must have exactly as many fields as the header; otherwise an error
// "NAME:LINE: expected N fields, got M".
Result<CsvTable> parse_csv(std::string_view text, std::string name);

// Quotes a field for CSV output when it needs it.
std::string csv_escape(std::string_view field);

}  // namespace cudafit
