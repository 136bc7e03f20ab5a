#include "binary/elf.h"

#include <algorithm>

#include "binary/bytes.h"

namespace cudafit {
namespace {

constexpr std::uint16_t kEmCuda = 190;
constexpr std::uint32_t kShtProgbits = 1;
constexpr std::uint32_t kShtRela = 4;
constexpr std::uint32_t kShtNobits = 8;
constexpr std::uint32_t kFatbinWrapperMagic = 0x466243b1;
constexpr std::uint64_t kWrapperSize = 24;   // u32 magic, u32 version, u64 data, u64 more
constexpr std::uint32_t kRelocRelative = 8;  // R_X86_64_RELATIVE
constexpr std::uint64_t kShfAlloc = 0x2;
constexpr std::uint64_t kShfExecInstr = 0x4;
constexpr std::uint64_t kElfHeaderSize = 64;
constexpr std::uint64_t kSectionHeaderSize = 64;
// ELF ABI version from which cubins keep the SM number in e_flags bits 8..15 (before: 0..7).
constexpr unsigned kCubinNewFlagsAbi = 8;

// The cubin's `a`/`f` variant: ptxas records its "-arch sm_XY[af]" option in the
// .note.nv.tkinfo note; older cubins mark `a` only in .nv.compat (attribute 9 = 1).
ComputeCapability::Variant cubin_variant(std::string_view data, int sm) {
  const std::string needle = "-arch sm_" + std::to_string(sm);
  std::size_t at = data.find(needle);
  while (at != std::string_view::npos) {
    std::size_t after = at + needle.size();
    if (after < data.size()) {
      char c = data[after];
      if (c == 'a') return ComputeCapability::Variant::kArchSpecific;
      if (c == 'f') return ComputeCapability::Variant::kFamily;
      if (c == ' ' || c == '\0') return ComputeCapability::Variant::kPlain;
    }
    at = data.find(needle, after);
  }
  return ComputeCapability::Variant::kPlain;
}

ComputeCapability::Variant compat_variant(std::string_view compat) {
  std::size_t p = 0;
  while (p + 4 <= compat.size()) {
    unsigned format = static_cast<unsigned char>(compat[p]);
    unsigned attr = static_cast<unsigned char>(compat[p + 1]);
    if (format == 2 && attr == 9 && compat[p + 2] == 1) {
      return ComputeCapability::Variant::kArchSpecific;
    }
    if (format == 4) {
      p += 4 + bytes::u16(compat, p + 2);
    } else if (format == 2 || format == 3 || format == 1) {
      p += 4;
    } else {
      break;
    }
  }
  return ComputeCapability::Variant::kPlain;
}

// PROGBITS sections that hold unwind tables, pointers or loader data, never fatbins.
bool never_holds_fatbins(std::string_view name) {
  for (std::string_view prefix :
       {".eh_frame", ".gcc_except_table", ".got", ".init_array", ".fini_array", ".preinit_array",
        ".dynamic", ".interp", ".tdata", ".nvFatBinSegment", ".plt"}) {
    if (name.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

std::string_view section_name(std::string_view data, std::uint64_t strtab_off,
                              std::uint64_t strtab_size, std::uint32_t name) {
  if (name >= strtab_size || !bytes::fits(data, strtab_off, strtab_size)) return {};
  std::string_view tab = data.substr(strtab_off, strtab_size);
  std::size_t end = tab.find('\0', name);
  return tab.substr(name, end == std::string_view::npos ? std::string_view::npos : end - name);
}

struct Section {
  std::string_view name;
  std::uint32_t type = 0;
  std::uint64_t addr = 0, off = 0, size = 0;
};

// The file offset of virtual address `va`, via the section that holds it.
std::optional<std::uint64_t> file_offset(const std::vector<Section>& sections, std::uint64_t va) {
  for (const Section& s : sections) {
    if (s.addr != 0 && s.type != kShtNobits && va >= s.addr && va - s.addr < s.size)
      return s.off + (va - s.addr);
  }
  return std::nullopt;
}

// Where each .nvFatBinSegment wrapper's data pointer leads. The linker stores the pointer in
// place; where it left zero there (RELA without the addend applied), the R_X86_64_RELATIVE
// relocation of that word gives it.
std::vector<std::uint64_t> registered_fatbins(std::string_view data,
                                              const std::vector<Section>& sections) {
  using namespace bytes;
  std::vector<std::uint64_t> out;
  const Section* seg = nullptr;
  for (const Section& s : sections)
    if (s.name == ".nvFatBinSegment" && s.type == kShtProgbits) seg = &s;
  if (seg == nullptr || !fits(data, seg->off, seg->size)) return out;
  std::vector<std::uint64_t> unresolved;  // addresses of zero pointer words
  for (std::uint64_t w = 0; w + kWrapperSize <= seg->size; w += kWrapperSize) {
    if (u32(data, seg->off + w) != kFatbinWrapperMagic) continue;
    std::uint64_t ptr = u64(data, seg->off + w + 8);
    if (ptr == 0) {
      unresolved.push_back(seg->addr + w + 8);
    } else if (auto off = file_offset(sections, ptr)) {
      out.push_back(*off);
    }
  }
  if (!unresolved.empty()) {
    std::sort(unresolved.begin(), unresolved.end());
    for (const Section& s : sections) {
      if (s.type != kShtRela || !fits(data, s.off, s.size)) continue;
      for (std::uint64_t r = 0; r + 24 <= s.size; r += 24) {
        std::uint64_t where = u64(data, s.off + r), info = u64(data, s.off + r + 8);
        if ((info & 0xffffffffu) != kRelocRelative ||
            !std::binary_search(unresolved.begin(), unresolved.end(), where)) {
          continue;
        }
        if (auto off = file_offset(sections, u64(data, s.off + r + 16))) out.push_back(*off);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::optional<bool> cubin_has_text(std::string_view data) {
  using namespace bytes;
  if (data.size() < kElfHeaderSize || !looks_like_elf(data)) return std::nullopt;
  std::uint64_t shoff = u64(data, 40);
  std::uint64_t shentsize = u16(data, 58), shnum = u16(data, 60), shstrndx = u16(data, 62);
  if (shnum == 0 || shentsize < kSectionHeaderSize || shstrndx >= shnum ||
      !fits(data, shoff, shnum * shentsize)) {
    return std::nullopt;
  }
  std::uint64_t strtab_off = u64(data, shoff + shstrndx * shentsize + 24);
  std::uint64_t strtab_size = u64(data, shoff + shstrndx * shentsize + 32);
  if (!fits(data, strtab_off, strtab_size)) return std::nullopt;
  for (std::uint64_t i = 0; i < shnum; ++i) {
    std::string_view name =
        section_name(data, strtab_off, strtab_size, u32(data, shoff + i * shentsize));
    if (name.substr(0, 5) == ".text") return true;
  }
  return false;
}

bool looks_like_elf(std::string_view data) {
  return data.size() >= 4 && data.substr(0, 4) == std::string_view(
                                                      "\x7f"
                                                      "ELF",
                                                      4);
}

Result<ElfLayout> read_elf(std::string_view data) {
  using namespace bytes;
  if (!looks_like_elf(data)) return make_error("not an ELF file");
  if (data.size() < kElfHeaderSize) return make_error("ELF header cut short");
  if (data[4] != 2 || data[5] != 1) return make_error("not a 64-bit little-endian ELF file");
  ElfLayout out;
  std::uint16_t machine = u16(data, 18);
  std::uint32_t flags = u32(data, 48);
  std::uint64_t shoff = u64(data, 40);
  std::uint64_t shentsize = u16(data, 58);
  std::uint64_t shnum = u16(data, 60);
  std::uint64_t shstrndx = u16(data, 62);

  bool table_ok = shoff != 0 && shnum != 0 && shentsize >= kSectionHeaderSize &&
                  fits(data, shoff, shnum * shentsize);
  if (!table_ok && shoff != 0) out.problem = "ELF section table lies outside the file";

  if (machine == kEmCuda) {
    out.is_cubin = true;
    unsigned abi = static_cast<unsigned char>(data[8]);
    int sm = static_cast<int>(abi >= kCubinNewFlagsAbi ? (flags >> 8) & 0xff : flags & 0xff);
    auto variant = cubin_variant(data, sm);
    if (variant == ComputeCapability::Variant::kPlain && table_ok && shstrndx < shnum) {
      std::uint64_t strtab = u64(data, shoff + shstrndx * shentsize + 24);
      for (std::uint64_t i = 0; i < shnum; ++i) {
        std::uint64_t sh = shoff + i * shentsize;
        std::uint64_t name = strtab + u32(data, sh);
        std::uint64_t off = u64(data, sh + 24), size = u64(data, sh + 32);
        if (fits(data, name, 11) && data.substr(name, 11) == std::string_view(".nv.compat\0", 11) &&
            fits(data, off, size)) {
          variant = compat_variant(data.substr(off, size));
        }
      }
    }
    out.cubin_cc = ComputeCapability(sm / 10, sm % 10, variant);
    return out;
  }

  if (!table_ok) {
    out.scan_ranges.push_back({0, data.size(), ""});
    return out;
  }
  std::uint64_t strtab_off = 0, strtab_size = 0;
  if (shstrndx < shnum) {
    strtab_off = u64(data, shoff + shstrndx * shentsize + 24);
    strtab_size = u64(data, shoff + shstrndx * shentsize + 32);
  }
  std::vector<Section> sections;
  sections.reserve(shnum);
  for (std::uint64_t i = 0; i < shnum; ++i) {
    std::uint64_t sh = shoff + i * shentsize;
    sections.push_back({section_name(data, strtab_off, strtab_size, u32(data, sh)),
                        u32(data, sh + 4), u64(data, sh + 16), u64(data, sh + 24),
                        u64(data, sh + 32)});
  }
  out.registered = registered_fatbins(data, sections);
  for (std::uint64_t i = 0; i < shnum; ++i) {
    std::uint64_t sh = shoff + i * shentsize;
    std::uint32_t type = u32(data, sh + 4);
    std::uint64_t sflags = u64(data, sh + 8);
    std::uint64_t off = u64(data, sh + 24), size = u64(data, sh + 32);
    if (type != kShtProgbits || (sflags & kShfAlloc) == 0 || (sflags & kShfExecInstr) != 0) {
      continue;
    }
    if (size < 16 || never_holds_fatbins(sections[i].name)) continue;
    if (!fits(data, off, size)) {
      if (out.problem.empty()) {
        out.problem = "ELF section " + std::to_string(i) + " lies outside the file";
      }
      if (off >= data.size()) continue;
      size = data.size() - off;
    }
    out.scan_ranges.push_back({off, off + size, std::string(sections[i].name)});
  }
  std::sort(out.scan_ranges.begin(), out.scan_ranges.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.begin < b.begin; });
  // Overlapping sections (only in damaged files) would list their fatbins twice.
  std::vector<ByteRange> merged;
  for (const ByteRange& r : out.scan_ranges) {
    if (!merged.empty() && r.begin < merged.back().end) {
      merged.back().end = std::max(merged.back().end, r.end);
    } else {
      merged.push_back(r);
    }
  }
  out.scan_ranges = std::move(merged);
  return out;
}

}  // namespace cudafit
