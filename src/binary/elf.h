// ELF64 (little-endian) files: where a host binary may hold fatbins, and what a CUDA cubin
// (an ELF with e_machine EM_CUDA) is compiled for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"
#include "versions/nvidia_versions.h"

namespace cudafit {

struct ByteRange {
  std::uint64_t begin = 0, end = 0;
  std::string section;  // its ELF section name ("" for a whole file without a section table)
};

struct ElfLayout {
  bool is_cubin = false;       // e_machine == EM_CUDA
  ComputeCapability cubin_cc;  // for cubins: from e_flags (+ `a`/`f` from its notes)
  // Ranges that may hold fatbins: allocated, non-executable sections with file contents
  // (.nv_fatbin, .rodata, .ldata, ...), or the whole file when it has no section table.
  std::vector<ByteRange> scan_ranges;
  // File offsets of the fatbins the CUDA runtime registers: what the `__fatBinC_Wrapper_t`
  // records (magic 0x466243b1) in .nvFatBinSegment point at. Ascending.
  std::vector<std::uint64_t> registered;
  std::string problem;  // non-empty: the header or section table is damaged (partial)
};

bool looks_like_elf(std::string_view data);
// An error when `data` is not an ELF64 little-endian file.
Result<ElfLayout> read_elf(std::string_view data);

// Whether a cubin has a .text section (a kernel or device function); nullopt when its section
// table cannot be read.
std::optional<bool> cubin_has_text(std::string_view cubin);

}  // namespace cudafit
