// APPNOTE.TXT (PKWARE) layout: end of central directory record (signature 0x06054b50),
// central directory headers (0x02014b50), local file headers (0x04034b50); zip64 records
// (0x06064b50, locator 0x07064b50, extra field 0x0001) for archives or members over 4 GiB.
#include "binary/zip.h"

#include <zlib.h>

#include <algorithm>

#include "binary/bytes.h"

namespace cudafit {
namespace {

constexpr std::uint32_t kEocdSig = 0x06054b50;
constexpr std::uint32_t kZip64EocdSig = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kLocalSig = 0x04034b50;
constexpr std::uint64_t kEocdSize = 22;
constexpr std::uint64_t kCentralSize = 46;
constexpr std::uint64_t kLocalSize = 30;
constexpr std::uint64_t kMaxComment = 0xffff;

// Reads the zip64 extra field of a central header, replacing 0xffffffff fields.
void apply_zip64_extra(std::string_view extra, ZipMember& m, std::uint32_t size32,
                       std::uint32_t csize32, std::uint32_t offset32) {
  using namespace bytes;
  std::uint64_t p = 0;
  while (p + 4 <= extra.size()) {
    std::uint16_t id = u16(extra, p), len = u16(extra, p + 2);
    if (!fits(extra, p + 4, len)) return;
    if (id == 1) {
      std::uint64_t q = p + 4, qend = p + 4 + len;
      auto take = [&](std::uint64_t& field) {
        if (q + 8 <= qend) {
          field = u64(extra, q);
          q += 8;
        }
      };
      if (size32 == 0xffffffffu) take(m.size);
      if (csize32 == 0xffffffffu) take(m.compressed_size);
      if (offset32 == 0xffffffffu) take(m.local_header);
      return;
    }
    p += 4 + len;
  }
}

}  // namespace

bool looks_like_zip(std::string_view data) {
  return data.size() >= 4 && bytes::u32(data, 0) == kLocalSig;
}

Result<std::vector<ZipMember>> list_zip(std::string_view data) {
  using namespace bytes;
  if (data.size() < kEocdSize) return make_error("zip: too short for an archive");
  std::uint64_t lowest =
      data.size() > kEocdSize + kMaxComment ? data.size() - kEocdSize - kMaxComment : 0;
  std::uint64_t eocd = data.size() - kEocdSize;
  while (u32(data, eocd) != kEocdSig) {
    if (eocd == lowest) return make_error("zip: no end of central directory record");
    --eocd;
  }
  std::uint64_t count = u16(data, eocd + 10);
  std::uint64_t cd_size = u32(data, eocd + 12);
  std::uint64_t cd_offset = u32(data, eocd + 16);
  if (eocd >= 20 && u32(data, eocd - 20) == kZip64LocatorSig) {
    std::uint64_t z64 = u64(data, eocd - 20 + 8);
    if (!fits(data, z64, 56) || u32(data, z64) != kZip64EocdSig) {
      return make_error("zip: bad zip64 end of central directory");
    }
    count = u64(data, z64 + 32);
    cd_size = u64(data, z64 + 40);
    cd_offset = u64(data, z64 + 48);
  }
  if (!fits(data, cd_offset, cd_size)) return make_error("zip: central directory outside the file");
  if (count > cd_size / kCentralSize)
    return make_error("zip: member count larger than the directory");
  std::vector<ZipMember> out;
  out.reserve(count);
  std::uint64_t p = cd_offset, end = cd_offset + cd_size;
  for (std::uint64_t i = 0; i < count; ++i) {
    if (end - p < kCentralSize || u32(data, p) != kCentralSig) {
      return make_error("zip: central directory entry " + std::to_string(i) + " is damaged");
    }
    ZipMember m;
    m.method = u16(data, p + 10);
    std::uint32_t csize32 = u32(data, p + 20), size32 = u32(data, p + 24);
    std::uint64_t name_len = u16(data, p + 28), extra_len = u16(data, p + 30),
                  comment_len = u16(data, p + 32);
    std::uint32_t offset32 = u32(data, p + 42);
    m.compressed_size = csize32;
    m.size = size32;
    m.local_header = offset32;
    if (end - p - kCentralSize < name_len + extra_len + comment_len) {
      return make_error("zip: central directory entry " + std::to_string(i) + " is cut short");
    }
    m.name = std::string(data.substr(p + kCentralSize, name_len));
    apply_zip64_extra(data.substr(p + kCentralSize + name_len, extra_len), m, size32, csize32,
                      offset32);
    out.push_back(std::move(m));
    p += kCentralSize + name_len + extra_len + comment_len;
  }
  return out;
}

Result<std::string_view> zip_member_bytes(std::string_view data, const ZipMember& m,
                                          std::string& storage, std::uint64_t limit) {
  using namespace bytes;
  std::string where = "zip member " + m.name;
  if (!fits(data, m.local_header, kLocalSize) || u32(data, m.local_header) != kLocalSig) {
    return make_error(where + ": bad local header");
  }
  std::uint64_t start =
      m.local_header + kLocalSize + u16(data, m.local_header + 26) + u16(data, m.local_header + 28);
  if (!fits(data, start, m.compressed_size)) return make_error(where + ": data outside the file");
  std::string_view packed = data.substr(start, m.compressed_size);
  if (m.method == 0) return packed;
  if (m.method != 8)
    return make_error(where + ": unsupported compression " + std::to_string(m.method));
  if (m.size > limit)
    return make_error(where + ": larger than " + std::to_string(limit) + " bytes");

  if (m.size == 0) return std::string_view();
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return make_error(where + ": zlib init failed");
  // Never trust the declared size for the allocation: deflate expands at most ~1032:1.
  storage.clear();
  storage.resize(static_cast<std::size_t>(
      std::min<std::uint64_t>(m.size, std::max<std::uint64_t>(packed.size(), 1) * 1032 + 64)));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
  std::uint64_t in_left = packed.size(), out_done = 0;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (out_done == storage.size()) {
      if (storage.size() >= m.size) break;  // more output than declared
      storage.resize(
          static_cast<std::size_t>(std::min<std::uint64_t>(m.size, storage.size() * 2 + 4096)));
    }
    std::uint64_t in_chunk = std::min<std::uint64_t>(in_left, 1u << 30);
    std::uint64_t out_chunk = std::min<std::uint64_t>(storage.size() - out_done, 1u << 30);
    zs.avail_in = static_cast<uInt>(in_chunk);
    zs.next_out = reinterpret_cast<Bytef*>(storage.data() + out_done);
    zs.avail_out = static_cast<uInt>(out_chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    in_left -= in_chunk - zs.avail_in;
    out_done += out_chunk - zs.avail_out;
    if (rc == Z_BUF_ERROR && zs.avail_out != 0) break;  // input exhausted
    if (rc == Z_BUF_ERROR) rc = Z_OK;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || out_done != m.size) {
    return make_error(where + ": inflate failed (damaged or truncated member)");
  }
  storage.resize(static_cast<std::size_t>(out_done));
  return std::string_view(storage);
}

}  // namespace cudafit
