// Layout checked against nvcc 13.0 output (tests/binary/extra.cmake builds) and the CUDA 13.0
// libraries of the build machine. Entry header fields (little-endian):
//   0 u16 kind (1 PTX, 2 ELF cubin, 0x10 ELF cubin, 8 LTO IR: in libcufft.so.12, with
//     nvJitLink options "-ftz=0 -prec_div=1 ..." after the header)   2 u16 version   4 u32 header
//     size
//   8 u64 padded payload size   16 u32 compressed size   20 u32 options offset
//   24 u16 minor   26 u16 major (PTX: ISA major.minor)   28 u32 arch (sm number, 121 = 12.1)
//   32 u32 name offset   36 u32 name size   40 u64 flags   56 u64 uncompressed size
#include "binary/fatbin.h"

#include <algorithm>
#include <cstring>

#include "binary/bytes.h"
#include "binary/elf.h"

namespace cudafit {
namespace {

constexpr std::uint64_t kContainerHeader = 16;
constexpr std::uint64_t kEntryHeaderMin = 64;
constexpr std::uint16_t kKindPtx = 1;
constexpr std::uint16_t kKindElf = 2;
constexpr std::uint16_t kKindElfAlt = 0x10;
constexpr std::uint16_t kKindLtoIr = 8;
constexpr std::uint64_t kFlagCompressedLz4 = 0x2000;
constexpr std::uint64_t kFlagCompressedZstd = 0x8000;
constexpr std::uint64_t kFlagArchSpecific = 0x100000;
constexpr std::uint64_t kFlagFamily = 0x200000;

std::string hex(std::uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[v & 15]);
    v >>= 4;
  } while (v != 0);
  return "0x" + s;
}

// The first `want` bytes of an LZ4 block, decoded as far as `src` allows (an ELF header needs
// the first sequence or two). Stops at the first malformed sequence.
std::string lz4_prefix(std::string_view src, std::size_t want) {
  std::string out;
  std::size_t i = 0;
  auto length = [&](std::size_t n) -> std::optional<std::size_t> {
    if (n != 15) return n;
    unsigned char b = 0;
    do {
      if (i >= src.size()) return std::nullopt;
      b = static_cast<unsigned char>(src[i++]);
      n += b;
    } while (b == 255);
    return n;
  };
  while (i < src.size() && out.size() < want) {
    auto token = static_cast<unsigned char>(src[i++]);
    auto literals = length(token >> 4);
    if (!literals) break;
    std::size_t take = std::min(*literals, src.size() - i);
    out.append(src.substr(i, std::min(take, want - out.size())));
    i += take;
    if (out.size() >= want || i + 2 > src.size()) break;
    std::size_t offset = bytes::u16(src, i);
    i += 2;
    auto match = length(token & 15u);
    if (!match || offset == 0 || offset > out.size()) break;
    for (std::size_t n = *match + 4; n > 0 && out.size() < want; --n)
      out += out[out.size() - offset];
  }
  return out;
}

constexpr std::uint16_t kEtRel = 1;
constexpr std::uint16_t kEtExec = 2;
constexpr std::uint16_t kEmCuda = 190;

Linkage cubin_linkage(std::string_view head) {
  if (head.size() < 20 ||
      head.substr(0, 4) != std::string_view("\x7f"
                                            "ELF",
                                            4) ||
      bytes::u16(head, 18) != kEmCuda) {
    return Linkage::kUnknown;
  }
  std::uint16_t type = bytes::u16(head, 16);
  return type == kEtRel    ? Linkage::kRelocatable
         : type == kEtExec ? Linkage::kExecutable
                           : Linkage::kUnknown;
}

// Reads what the payload at [p + header, p + header + size) says about linking.
void read_payload_facts(std::string_view data, std::uint64_t p, std::uint32_t header,
                        std::uint64_t payload, FatbinEntry& e) {
  using namespace bytes;
  std::uint64_t flags = u64(data, p + 40);
  if (e.kind == CodeKind::kPtx) {
    std::uint32_t pair = u32(data, p + 20);
    if (pair != 0 && pair <= header - 8) {
      std::uint32_t off = u32(data, p + pair), size = u32(data, p + pair + 4);
      if (off <= header && size <= header - off) {
        std::string_view options = data.substr(p + off, size);
        e.linkage = options.find("--compile-only") != std::string_view::npos ? Linkage::kRelocatable
                                                                             : Linkage::kExecutable;
      }
    } else {
      e.linkage = Linkage::kExecutable;
    }
    return;
  }
  if (e.kind != CodeKind::kSass) return;
  std::string_view body = data.substr(p + header, payload);
  if ((flags & kFlagCompressedLz4) != 0) {
    std::uint32_t packed = u32(data, p + 16);
    std::string head = lz4_prefix(body.substr(0, packed == 0 ? body.size() : packed), 20);
    e.linkage = cubin_linkage(head);
  } else if ((flags & kFlagCompressedZstd) == 0) {
    e.linkage = cubin_linkage(body);
    if (e.linkage != Linkage::kUnknown) e.no_kernels = cubin_has_text(body) == false;
  }
}

}  // namespace

std::optional<FatbinContainer> parse_fatbin(std::string_view data, std::uint64_t offset,
                                            std::uint64_t end) {
  using namespace bytes;
  if (end > data.size()) end = data.size();
  if (offset > end || end - offset < kContainerHeader) return std::nullopt;
  if (u32(data, offset) != kFatbinMagic) return std::nullopt;
  std::uint16_t version = u16(data, offset + 4);
  std::uint16_t header_size = u16(data, offset + 6);
  if (version != 1 || header_size < kContainerHeader || header_size % 8 != 0 ||
      header_size > end - offset) {
    return std::nullopt;
  }
  std::uint64_t payload = u64(data, offset + 8);
  FatbinContainer c;
  c.offset = offset;
  std::uint64_t stop = end;
  if (payload > end - offset - header_size) {
    c.problem = "fatbin at " + hex(offset) + " claims " + std::to_string(payload) +
                " bytes, only " + std::to_string(end - offset - header_size) + " left";
  } else {
    stop = offset + header_size + payload;
  }
  c.size = stop - offset;

  std::uint64_t p = offset + header_size;
  while (p < stop) {
    if (stop - p < kEntryHeaderMin) {
      if (c.problem.empty()) c.problem = "fatbin entry at " + hex(p) + " is cut short";
      break;
    }
    std::uint16_t kind = u16(data, p);
    std::uint32_t entry_header = u32(data, p + 4);
    std::uint64_t entry_payload = u64(data, p + 8);
    if (entry_header < kEntryHeaderMin || entry_header > stop - p) {
      if (c.problem.empty()) {
        c.problem =
            "fatbin entry at " + hex(p) + " has a bad header size " + std::to_string(entry_header);
      }
      break;
    }
    if (kind == kKindPtx || kind == kKindElf || kind == kKindElfAlt || kind == kKindLtoIr) {
      std::uint32_t arch = u32(data, p + 28);
      std::uint64_t flags = u64(data, p + 40);
      auto variant = (flags & kFlagArchSpecific) ? ComputeCapability::Variant::kArchSpecific
                     : (flags & kFlagFamily)     ? ComputeCapability::Variant::kFamily
                                                 : ComputeCapability::Variant::kPlain;
      if (arch == 0 || arch > 9999) {
        if (c.problem.empty()) {
          c.problem = "fatbin entry at " + hex(p) + " has a bad arch " + std::to_string(arch);
        }
      } else {
        FatbinEntry e;
        e.kind = kind == kKindPtx     ? CodeKind::kPtx
                 : kind == kKindLtoIr ? CodeKind::kLtoIr
                                      : CodeKind::kSass;
        e.cc = ComputeCapability(static_cast<int>(arch / 10), static_cast<int>(arch % 10), variant);
        if (e.kind == CodeKind::kPtx) {
          e.ptx_isa = std::to_string(u16(data, p + 26)) + "." + std::to_string(u16(data, p + 24));
        }
        e.compressed = (flags & (kFlagCompressedZstd | kFlagCompressedLz4)) != 0;
        if (entry_payload <= stop - p - entry_header) {
          read_payload_facts(data, p, entry_header, entry_payload, e);
        }
        c.entries.push_back(std::move(e));
      }
    }
    if (entry_payload > stop - p - entry_header) {
      if (c.problem.empty()) {
        c.problem = "fatbin entry at " + hex(p) + " claims " + std::to_string(entry_payload) +
                    " bytes past the container's end";
      }
      break;
    }
    p += entry_header + entry_payload;  // always advances: entry_header >= 64
  }
  return c;
}

void scan_fatbins(std::string_view data, std::uint64_t begin, std::uint64_t end,
                  std::vector<FatbinContainer>& out) {
  if (end > data.size()) end = data.size();
  std::uint64_t off = (begin + 7) & ~std::uint64_t{7};
  const char* base = data.data();
  while (off < end && end - off >= kContainerHeader) {
    std::uint32_t w;
    std::memcpy(&w, base + off, sizeof w);
    if (w != kFatbinMagic) {
      off += 8;
      continue;
    }
    auto c = parse_fatbin(data, off, end);
    if (!c) {
      off += 8;
      continue;
    }
    std::uint64_t next = off + ((c->size + 7) & ~std::uint64_t{7});
    out.push_back(std::move(*c));
    off = next > off ? next : off + 8;
  }
}

std::string to_string(ContainerRole role) {
  switch (role) {
    case ContainerRole::kRegistered:
      return "registered";
    case ContainerRole::kLibraryLoaded:
      return "library-loaded";
    case ContainerRole::kLinkInput:
      return "link-input";
    case ContainerRole::kNoKernels:
      break;
  }
  return "no-kernels";
}

std::string entry_label(const FatbinEntry& e) {
  switch (e.kind) {
    case CodeKind::kPtx:
      return e.cc.compute();
    case CodeKind::kLtoIr:
      return "lto_" + e.cc.sm().substr(3);
    case CodeKind::kSass:
      break;
  }
  return e.cc.sm();
}

}  // namespace cudafit
