// Reading the free-text cells of data/frameworks.csv: a row's version column ("2.19.0",
// "0.8.0-0.11.0", "0.7.x", "0.50.x (docs ...)") and the first version in a cell.
#pragma once

#include <string>
#include <string_view>

#include "versions/pep440.h"

namespace cudafit {

// The first version-looking token of free text: "  >=12.1 (built with 12.3)" -> "12.1".
std::string first_version_in(std::string_view text);

// Does a row's version column cover `v`? "2.19.0" (exact, local ignored), "0.8.0-0.11.0"
// (inclusive, the upper bound's own patches too), "0.7.x" (that prefix).
bool framework_row_matches(const std::string& row_version, const Pep440Version& v);

}  // namespace cudafit
