// Writing for `cudafit update` (reads go through a Host): whole files replaced atomically
// (a temporary file in the same folder, fsync, rename), folders made, and the overlay's
// generations: a folder per update and one link naming the current one, swapped in one rename.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace cudafit {

// mkdir -p.
Status make_dirs(const std::string& path);
// Writes `content` to `path`: readers see the old file or the new one, never a part.
Status write_file_atomic(const std::string& path, std::string_view content);
// Removes a folder and what it holds (not following links); a missing one is fine.
Status remove_tree(const std::string& path);
// Points the link `link` at `target` (relative to the link's folder) in one rename.
Status swap_link(const std::string& link, const std::string& target);
// fsync of a folder (after renames inside it).
void sync_dir(const std::string& path);

}  // namespace cudafit
