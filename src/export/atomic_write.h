// Writing a file so that a reader never sees it half-written: the text goes to a temporary
// file in the same folder (named ".NAME.XXXXXX": NFD's local source and node_exporter's
// textfile collector both ignore it), is flushed to disk, then renamed over NAME.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace cudafit {

// `path` is a path of this machine (not under --root). The file gets mode 0644.
Status write_file_atomically(const std::string& path, std::string_view text);

}  // namespace cudafit
