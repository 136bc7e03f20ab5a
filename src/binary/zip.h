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

// Pieces for readers that hold only part of an archive (update/remote_zip.h: byte ranges).
struct ZipEnd {
  std::uint64_t cd_offset = 0, cd_size = 0, entries = 0;
};
// The end record in `tail`, the last bytes of a file of `file_size` bytes (the whole file when
// their sizes agree; zip64 too). Errors: no end record, a directory that lies outside the file,
// a zip64 record not in the tail.
Result<ZipEnd> parse_zip_end(std::string_view tail, std::uint64_t file_size);
// Length of the central directory entry at `p` of `buf`, 0 when none fits there.
std::uint64_t zip_central_entry_length(std::string_view buf, std::uint64_t p);
// The member described by the central directory entry at `p` (its length checked above).
ZipMember zip_central_entry(std::string_view buf, std::uint64_t p);

// The member's content: a view into `data` when stored, else inflated into `storage`
// (at most `limit` bytes).
Result<std::string_view> zip_member_bytes(std::string_view data, const ZipMember& m,
                                          std::string& storage, std::uint64_t limit);

}  // namespace cudafit
