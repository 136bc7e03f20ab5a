// CUDA fatbin containers: the kernel groups nvcc embeds in a binary.
//
// A container is a 16-byte header (magic 0xBA55ED50, version, header size, payload size)
// followed by entries, each a header (kind, header size, padded payload size, compressed
// size, PTX ISA / code version, target arch, flags, ...) and its payload. Only the entry
// headers are read; payloads are skipped, never decompressed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "versions/nvidia_versions.h"

namespace cudafit {

// kLtoIr: NVVM IR for link-time optimization (nvJitLink input; libcufft's LTO callbacks).
enum class CodeKind { kSass, kPtx, kLtoIr };

struct FatbinEntry {
  CodeKind kind = CodeKind::kSass;
  ComputeCapability cc;  // with the `a`/`f` variant
  std::string ptx_isa;   // "9.0" for PTX entries, "" otherwise
  bool compressed = false;
};

struct FatbinContainer {
  std::uint64_t offset = 0;  // of the container header, in the scanned bytes
  std::uint64_t size = 0;    // header + payload, as far as it could be read
  std::vector<FatbinEntry> entries;
  std::string problem;  // non-empty: cut short or malformed; `entries` is then partial
};

inline constexpr std::uint32_t kFatbinMagic = 0xBA55ED50u;

// Parses the container whose header is at `offset`, not reading past `end`. nullopt when the
// bytes there are not a plausible container header.
std::optional<FatbinContainer> parse_fatbin(std::string_view data, std::uint64_t offset,
                                            std::uint64_t end);

// Appends every container found at 8-byte-aligned offsets of [begin, end), skipping over
// each container once parsed.
void scan_fatbins(std::string_view data, std::uint64_t begin, std::uint64_t end,
                  std::vector<FatbinContainer>& out);

// "sm_90a" for SASS, "compute_120" for PTX, "lto_75" for LTO IR.
std::string entry_label(const FatbinEntry& e);

}  // namespace cudafit
