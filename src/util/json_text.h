// JSON documents as text, for every `--json` output.
//
// The same bytes as nlohmann's dump(2), with two differences that matter on real machines:
// a byte that is not UTF-8 (a garbage name in a /proc file or a METADATA file) becomes
// U+FFFD instead of an exception that would end the program, and plain strings are copied
// whole instead of decoded a byte at a time.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace cudafit {

// Appends `j` indented by two spaces a level, its nested lines starting at `depth` levels.
void append_json(std::string& out, const nlohmann::json& j, int depth = 0);
// The whole document (no trailing newline).
std::string json_text(const nlohmann::json& j);

}  // namespace cudafit
