// Test helper: a usable copy of a captured machine tree. The copy of
// ../shared/reference/machines/*/root on some checkouts stores each symlink as a small
// regular file holding the link's target text; materialize() copies the tree and turns
// such files back into links, so RootedHost sees the machine as it was captured.
#pragma once

#include <string>

namespace cudafit::testing {

// Copies `src` to `dst` (replacing it), restoring flattened links. Returns "" or an error.
std::string materialize(const std::string& src, const std::string& dst);

}  // namespace cudafit::testing
