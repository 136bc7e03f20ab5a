// Zip archives (Python wheels): the central directory, and one member's bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace cudafit {

struct ZipMember {
  std::string name;
  std::uint16_t method = 0;  // 0 stored, 8 deflated
  std::uint64_t compressed_size = 0, size = 0;
  std::uint64_t local_header = 0;  // offset of the local file header
};

bool looks_like_zip(std::string_view data);
Result<std::vector<ZipMember>> list_zip(std::string_view data);

// The member's content: a view into `data` when stored, else inflated into `storage`
// (at most `limit` bytes).
Result<std::string_view> zip_member_bytes(std::string_view data, const ZipMember& m,
                                          std::string& storage, std::uint64_t limit);

}  // namespace cudafit
