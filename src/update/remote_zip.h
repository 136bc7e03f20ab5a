// One member of a zip (a wheel) that lives on a server, read a byte range at a time: the end
// record, as much of the central directory as it takes to find the member (wheels list their
// .dist-info last, so the directory's last few KiB usually do), then that member alone. Never
// the whole file: a torch wheel is 500-900 MB, its METADATA a few KiB.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "binary/zip.h"
#include "util/result.h"

namespace cudafit {

// Byte ranges of one remote file.
class ByteRanges {
 public:
  virtual ~ByteRanges() = default;
  // Exactly [offset, offset + length) (the file's size is known by then), or an error.
  virtual Result<std::string> read(std::uint64_t offset, std::uint64_t length) = 0;
  // The last `length` bytes (a suffix range: also tells the file's size); fewer when the file is
  // shorter.
  virtual Result<std::string> read_tail(std::uint64_t length) = 0;
  virtual std::uint64_t size() const = 0;  // known after read_tail
};

// The directory entries held by `buf`, the file's bytes from `buf_offset`, which may start in
// the middle of an entry: those from the first entry whose chain of entries ends exactly at
// the directory's end. Every entry is checked to lie inside the file, before the directory.
Result<std::vector<ZipMember>> parse_directory_tail(std::string_view buf, std::uint64_t buf_offset,
                                                    const ZipEnd& end);

struct ZipLimits {
  std::uint64_t first_tail = 16u << 10;    // the first read: end record and directory end
  std::uint64_t max_directory = 8u << 20;  // the most of the directory read to find a member
  std::uint64_t max_member = 4u << 20;     // the largest member inflated into memory
};

// The member whose name `wanted` accepts (the first in directory order that does).
Result<ZipMember> find_remote_member(ByteRanges& file,
                                     const std::function<bool(std::string_view)>& wanted,
                                     const ZipLimits& limits = {});
// Every member the directory lists (for --deep: which CUDA library to read).
Result<std::vector<ZipMember>> list_remote_zip(ByteRanges& file, const ZipLimits& limits = {});
// The member's content (at most limits.max_member bytes).
Result<std::string> read_remote_member(ByteRanges& file, const ZipMember& member,
                                       const ZipLimits& limits = {});
// The member's content in pieces of at most `chunk` bytes read at a time, inflated as they
// come and handed to `sink` (for members too large to hold: a CUDA library of a GB).
Status stream_remote_member(ByteRanges& file, const ZipMember& member, std::uint64_t chunk,
                            const std::function<void(std::string_view)>& sink);

}  // namespace cudafit
