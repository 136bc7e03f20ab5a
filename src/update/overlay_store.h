// The overlay on disk: `DIR` (…/cudafit/overlay) is a link to a generation folder beside it
// (overlay.<time>.<pid>) holding the CSV files and their manifest. A new generation is written
// whole, synced, renamed into place, and then the link is swapped in one rename: a reader (or a
// crash) sees the old overlay or the new one, never a mix. Old generations are removed after.
#pragma once

#include <map>
#include <string>

#include "util/result.h"

namespace cudafit {

// Writes `files` (data file name -> text) and `manifest` as the new generation of `overlay_dir`.
Status write_overlay_generation(const std::string& overlay_dir,
                                const std::map<std::string, std::string, std::less<>>& files,
                                const std::string& manifest);

}  // namespace cudafit
