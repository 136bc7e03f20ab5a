// Internal to kb/: what the overlay's three parts share (reading, comparing, merging): each
// overlay file's key and free columns, and CSV records.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kb/overlay.h"
#include "util/csv.h"

namespace cudafit::overlay_detail {

// Per file: the columns that name a row, and those that are not facts to compare.
struct Schema {
  const char* file;
  std::vector<std::string_view> key;
  std::vector<std::string_view> free;  // source, notes, fetched
};
const std::vector<Schema>& schemas();
const Schema* schema_of(std::string_view file);
bool is_free(const Schema& s, std::string_view column);

// A record's cell, trimmed ("" when the column is absent).
std::string_view cell(const CsvRecord& r, std::string_view column);
// Whitespace runs collapsed: "3.10  3.11" and "3.10 3.11" say the same.
std::string words(std::string_view s);
std::set<std::string> word_set(std::string_view s);
CsvRecord record_of(const CsvTable& t, const CsvTable::Row& row);
// The release range of an arch-list row, when both ends parse.
std::optional<std::pair<Pep440Version, Pep440Version>> range_of(const CsvRecord& r);
// One CSV line of `columns`' cells.
std::string row_text(const std::vector<std::string>& columns, const CsvRecord& r);
std::string hex64(std::uint64_t v);

}  // namespace cudafit::overlay_detail
