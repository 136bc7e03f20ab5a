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

Result<ZipEnd> parse_zip_end(std::string_view tail, std::uint64_t file_size) {
  using namespace bytes;
  if (tail.size() > file_size) return make_error("zip: more bytes read than the file has");
  if (tail.size() < kEocdSize) return make_error("zip: too short for an archive");
  const std::uint64_t tail_offset = file_size - tail.size();
  std::uint64_t lowest =
      tail.size() > kEocdSize + kMaxComment ? tail.size() - kEocdSize - kMaxComment : 0;
  std::uint64_t eocd = tail.size() - kEocdSize;
  while (u32(tail, eocd) != kEocdSig) {
    if (eocd == lowest) return make_error("zip: no end of central directory record");
    --eocd;
  }
  ZipEnd e;
  e.entries = u16(tail, eocd + 10);
  e.cd_size = u32(tail, eocd + 12);
  e.cd_offset = u32(tail, eocd + 16);
  std::uint64_t directory_end_limit = tail_offset + eocd;  // the directory ends before the record
  if (eocd >= 20 && u32(tail, eocd - 20) == kZip64LocatorSig) {
    std::uint64_t z64 = u64(tail, eocd - 20 + 8);
    if (z64 < tail_offset || !fits(tail, z64 - tail_offset, 56) ||
        u32(tail, z64 - tail_offset) != kZip64EocdSig)
      return make_error("zip: the zip64 end record is not where its locator says");
    std::uint64_t r = z64 - tail_offset;
    e.entries = u64(tail, r + 32);
    e.cd_size = u64(tail, r + 40);
    e.cd_offset = u64(tail, r + 48);
    directory_end_limit = z64;
  }
  if (e.cd_offset > directory_end_limit || e.cd_size > directory_end_limit - e.cd_offset)
    return make_error("zip: the central directory (" + std::to_string(e.cd_size) + " bytes at " +
                      std::to_string(e.cd_offset) + ") lies outside the file's " +
                      std::to_string(file_size) + " bytes");
  if (e.entries > e.cd_size / kCentralSize)
    return make_error("zip: " + std::to_string(e.entries) +
                      " members claimed, the directory holds " + "at most " +
                      std::to_string(e.cd_size / kCentralSize));
  return e;
}

std::uint64_t zip_central_entry_length(std::string_view buf, std::uint64_t p) {
  using namespace bytes;
  if (!fits(buf, p, kCentralSize) || u32(buf, p) != kCentralSig) return 0;
  std::uint64_t len =
      kCentralSize + std::uint64_t{u16(buf, p + 28)} + u16(buf, p + 30) + u16(buf, p + 32);
  return fits(buf, p, len) ? len : 0;
}

ZipMember zip_central_entry(std::string_view buf, std::uint64_t p) {
  using namespace bytes;
  ZipMember m;
  m.method = u16(buf, p + 10);
  std::uint32_t csize32 = u32(buf, p + 20), size32 = u32(buf, p + 24);
  std::uint32_t offset32 = u32(buf, p + 42);
  m.compressed_size = csize32;
  m.size = size32;
  m.local_header = offset32;
  std::uint64_t name_len = u16(buf, p + 28), extra_len = u16(buf, p + 30);
  m.name = std::string(buf.substr(p + kCentralSize, name_len));
  apply_zip64_extra(buf.substr(p + kCentralSize + name_len, extra_len), m, size32, csize32,
                    offset32);
  return m;
}

Result<std::vector<ZipMember>> list_zip(std::string_view data) {
  auto end = parse_zip_end(data, data.size());
  if (!end) return make_error(end.error());
  std::vector<ZipMember> out;
  out.reserve(end->entries);
  std::uint64_t p = end->cd_offset;
  const std::uint64_t cd_end = end->cd_offset + end->cd_size;
  for (std::uint64_t i = 0; i < end->entries; ++i) {
    std::uint64_t len = zip_central_entry_length(data.substr(0, cd_end), p);
    if (len == 0)
      return make_error("zip: central directory entry " + std::to_string(i) + " is damaged");
    out.push_back(zip_central_entry(data, p));
    p += len;
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
