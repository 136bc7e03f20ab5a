// Table: rows of text cells rendered as aligned text, Markdown, CSV or JSON.
// Every tabular command (matrix, kernels, envs) prints through this.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace cudafit {

enum class Format { kText, kMarkdown, kCsv, kJson };
// "text", "markdown" (or "md"), "csv", "json"; an error names the value otherwise.
Result<Format> parse_format(std::string_view name);

struct Table {
  std::vector<std::string> columns;  // also the JSON keys (lower-case, no spaces)
  std::vector<std::vector<std::string>> rows;
  std::string title;               // printed above text output only
  std::vector<std::string> notes;  // printed below text output only (whole lines, not fitted)
};

// Text output wraps no cell; columns are separated by two spaces. JSON gives an array of
// objects keyed by column name (empty cells become null).
std::string render_table(const Table& table, Format format);

}  // namespace cudafit
