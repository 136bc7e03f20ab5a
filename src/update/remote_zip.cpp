// An APPNOTE.TXT archive read from byte ranges: binary/zip.cpp parses the end record and the
// central directory entries and inflates a member once its bytes are here; this file decides
// which bytes to fetch, finds where the directory's entries start in a tail of it, and checks
// each member's local header (0x04034b50).
#include "update/remote_zip.h"

#include <zlib.h>

#include <algorithm>

#include "binary/bytes.h"

namespace cudafit {

namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50;
constexpr std::uint64_t kLocalSize = 30;

std::string kib(std::uint64_t n) { return std::to_string((n + 1023) >> 10) + " KiB"; }

}  // namespace

Result<std::vector<ZipMember>> parse_directory_tail(std::string_view buf, std::uint64_t buf_offset,
                                                    const ZipEnd& end) {
  using namespace bytes;
  const std::uint64_t cd_end = end.cd_offset + end.cd_size;
  if (buf_offset < end.cd_offset || buf_offset + buf.size() != cd_end)
    return make_error("zip: the bytes read are not the end of the central directory");
  // Where a chain of entries that ends exactly at the directory's end starts: each position's
  // answer depends only on positions after it, so one pass from the end decides them all.
  const std::uint64_t n = buf.size();
  std::vector<char> reaches_end(static_cast<std::size_t>(n) + 1, 0);
  reaches_end[static_cast<std::size_t>(n)] = 1;
  std::uint64_t start = n;
  for (std::uint64_t i = n; i-- > 0;) {
    if (buf[static_cast<std::size_t>(i)] != 'P') continue;
    std::uint64_t len = zip_central_entry_length(buf, i);
    if (len == 0) continue;
    if (reaches_end[static_cast<std::size_t>(i + len)]) {
      reaches_end[static_cast<std::size_t>(i)] = 1;
      start = i;
    }
  }
  if (buf_offset == end.cd_offset && n > 0 && !reaches_end[0])
    return make_error("zip: the central directory is damaged");
  std::vector<ZipMember> out;
  for (std::uint64_t p = start; p < n;) {
    std::uint64_t len = zip_central_entry_length(buf, p);
    ZipMember m = zip_central_entry(buf, p);
    if (m.local_header > end.cd_offset || m.compressed_size > end.cd_offset - m.local_header)
      return make_error("zip: member " + m.name + " claims data past the central directory");
    out.push_back(std::move(m));
    p += len;
  }
  return out;
}

namespace {

// The directory's last bytes, growing towards its start until `done` says the members read
// are enough (or the whole directory is read).
Result<std::vector<ZipMember>> read_directory(
    ByteRanges& file, const ZipLimits& limits,
    const std::function<bool(const std::vector<ZipMember>&)>& done) {
  auto tail = file.read_tail(limits.first_tail);
  if (!tail) return make_error(tail.error());
  const std::uint64_t size = file.size();
  auto end = parse_zip_end(*tail, size);
  if (!end) return make_error(end.error());
  const std::uint64_t cd_end = end->cd_offset + end->cd_size;
  std::uint64_t tail_offset = size - tail->size();
  // What of the directory is held: [have_from, cd_end).
  std::string held;
  std::uint64_t have_from = std::max(tail_offset, end->cd_offset);
  if (have_from <= cd_end)
    held = tail->substr(static_cast<std::size_t>(have_from - tail_offset),
                        static_cast<std::size_t>(cd_end - have_from));
  else
    have_from = cd_end;
  for (;;) {
    auto members = parse_directory_tail(held, have_from, *end);
    if (!members) return members;
    if (have_from == end->cd_offset || done(*members)) return members;
    std::uint64_t want = std::min<std::uint64_t>(
        std::max<std::uint64_t>(held.size() * 3, limits.first_tail), have_from - end->cd_offset);
    if (held.size() + want > limits.max_directory)
      return make_error("zip: the member is not in the last " + kib(held.size()) +
                        " of the central directory, and reading more than " +
                        kib(limits.max_directory) + " of it is not worth it");
    auto more = file.read(have_from - want, want);
    if (!more) return make_error(more.error());
    held.insert(0, *more);
    have_from -= want;
  }
}

// The member's local header and what follows it up to `extra_bytes` past its data.
Result<std::pair<std::string, std::uint64_t>> read_local_header(ByteRanges& file,
                                                                const ZipMember& m,
                                                                std::uint64_t data_too) {
  using namespace bytes;
  std::uint64_t guess = kLocalSize + m.name.size() + 256;
  auto head = file.read(m.local_header,
                        std::min<std::uint64_t>(guess + data_too, file.size() - m.local_header));
  if (!head) return make_error(head.error());
  if (!fits(*head, 0, kLocalSize) || u32(*head, 0) != kLocalSig)
    return make_error("zip member " + m.name + ": no local header where the directory says");
  std::uint64_t name_len = u16(*head, 26), extra_len = u16(*head, 28);
  if (name_len != m.name.size() || !fits(*head, kLocalSize, name_len) ||
      head->compare(kLocalSize, name_len, m.name) != 0)
    return make_error("zip member " + m.name + ": its local header names another file");
  return std::make_pair(std::move(head).value(), kLocalSize + name_len + extra_len);
}

}  // namespace

Result<std::vector<ZipMember>> list_remote_zip(ByteRanges& file, const ZipLimits& limits) {
  return read_directory(file, limits, [](const std::vector<ZipMember>&) { return false; });
}

Result<ZipMember> find_remote_member(ByteRanges& file,
                                     const std::function<bool(std::string_view)>& wanted,
                                     const ZipLimits& limits) {
  auto members = read_directory(file, limits, [&](const std::vector<ZipMember>& ms) {
    return std::any_of(ms.begin(), ms.end(), [&](const ZipMember& m) { return wanted(m.name); });
  });
  if (!members) return make_error(members.error());
  for (const auto& m : *members)
    if (wanted(m.name)) return m;
  return make_error("zip: no such member in the archive");
}

Result<std::string> read_remote_member(ByteRanges& file, const ZipMember& member,
                                       const ZipLimits& limits) {
  if (member.size > limits.max_member)
    return make_error("zip member " + member.name + " claims " + std::to_string(member.size) +
                      " bytes uncompressed, more than the " + kib(limits.max_member) +
                      " a metadata file can be");
  if (member.method != 0 && member.method != 8)
    return make_error("zip member " + member.name + ": unsupported compression " +
                      std::to_string(member.method));
  auto head = read_local_header(file, member, member.compressed_size);
  if (!head) return make_error(head.error());
  auto& [bytes_read, data_offset] = *head;
  if (bytes_read.size() < data_offset + member.compressed_size) {
    auto rest = file.read(member.local_header + bytes_read.size(),
                          data_offset + member.compressed_size - bytes_read.size());
    if (!rest) return make_error(rest.error());
    bytes_read += *rest;
  }
  ZipMember here = member;
  here.local_header = 0;
  std::string storage;
  auto content = zip_member_bytes(bytes_read, here, storage, limits.max_member);
  if (!content) return make_error(content.error());
  return std::string(*content);
}

Status stream_remote_member(ByteRanges& file, const ZipMember& member, std::uint64_t chunk,
                            const std::function<void(std::string_view)>& sink) {
  if (member.method != 0 && member.method != 8)
    return make_error("zip member " + member.name + ": unsupported compression " +
                      std::to_string(member.method));
  auto head = read_local_header(file, member, 0);
  if (!head) return make_error(head.error());
  std::uint64_t at = member.local_header + head->second;
  std::uint64_t left = member.compressed_size;
  if (at > file.size() || left > file.size() - at)
    return make_error("zip member " + member.name + ": data outside the file");
  z_stream zs{};
  if (member.method == 8 && inflateInit2(&zs, -MAX_WBITS) != Z_OK)
    return make_error("zlib init failed");
  std::string out(1u << 20, '\0');
  std::uint64_t produced = 0;
  int rc = Z_OK;
  Status status = Status::success();
  while (left > 0 && status) {
    auto piece = file.read(at, std::min(chunk, left));
    if (!piece) {
      status = make_error(piece.error());
      break;
    }
    at += piece->size();
    left -= piece->size();
    if (member.method == 0) {
      produced += piece->size();
      sink(*piece);
      continue;
    }
    zs.next_in = reinterpret_cast<Bytef*>(piece->data());
    zs.avail_in = static_cast<uInt>(piece->size());
    while (zs.avail_in > 0 && rc == Z_OK) {
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      rc = inflate(&zs, Z_NO_FLUSH);
      std::size_t n = out.size() - zs.avail_out;
      produced += n;
      if (n > 0) sink(std::string_view(out.data(), n));
      if (rc == Z_BUF_ERROR) rc = Z_OK;  // needs more input
    }
    if (rc != Z_OK && rc != Z_STREAM_END)
      status = make_error("zip member " + member.name + ": inflate failed (damaged)");
    if (rc == Z_STREAM_END) break;
  }
  if (member.method == 8) inflateEnd(&zs);
  if (status && produced != member.size)
    return make_error("zip member " + member.name + ": " + std::to_string(produced) +
                      " bytes, the directory says " + std::to_string(member.size));
  return status;
}

}  // namespace cudafit
