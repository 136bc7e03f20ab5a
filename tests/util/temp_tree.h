// Real directory trees for the Host tests: a fresh temporary folder and files written into it.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace cudafit::testing {

// A new, empty folder under the system's temporary directory ("" when it cannot be made).
inline std::filesystem::path make_temp_dir(const std::string& stem) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (stem + "-XXXXXX")).string();
  return mkdtemp(tmpl.data()) != nullptr ? std::filesystem::path(tmpl) : std::filesystem::path();
}

// Writes `text` to `p`, making its parent folders.
inline void write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

}  // namespace cudafit::testing
