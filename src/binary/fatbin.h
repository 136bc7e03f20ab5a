// CUDA fatbin containers: the kernel groups nvcc embeds in a binary.
//
// A container is a 16-byte header (magic 0xBA55ED50, version, header size, payload size)
// followed by entries, each a header (kind, header size, padded payload size, compressed
// size, PTX ISA / code version, target arch, flags, ...) and its payload. The entry headers
// are read; of a cubin payload only its ELF header (and, when stored uncompressed, its section
// names), decoding at most a few dozen bytes of an LZ4-compressed one. Zstandard-compressed
// payloads are never decoded.
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

// Whether an entry can be loaded as is or only linked: a cubin's ELF type (ET_EXEC / ET_REL),
// PTX compiled with ptxas --compile-only (nvcc -rdc). kUnknown: a Zstandard-compressed cubin.
enum class Linkage { kUnknown, kExecutable, kRelocatable };

struct FatbinEntry {
  CodeKind kind = CodeKind::kSass;
  ComputeCapability cc;  // with the `a`/`f` variant
  std::string ptx_isa;   // "9.0" for PTX entries, "" otherwise
  bool compressed = false;
  Linkage linkage = Linkage::kUnknown;
  bool no_kernels = false;  // an uncompressed cubin with no .text section (a device-link stub)
};

// What a container is for (kernel_scan.cpp decides; see README "kernels").
enum class ContainerRole {
  kRegistered,     // a .nvFatBinSegment wrapper points at it: the CUDA runtime loads it
  kLibraryLoaded,  // executable code the runtime is not told of: the library loads it itself
  kLinkInput,      // relocatable code or LTO IR only: input to a device linker, never run as is
  kNoKernels,      // cubins without a single kernel (device-link stubs)
};

struct FatbinContainer {
  std::uint64_t offset = 0;  // of the container header, in the scanned bytes
  std::uint64_t size = 0;    // header + payload, as far as it could be read
  std::vector<FatbinEntry> entries;
  std::string problem;  // non-empty: cut short or malformed; `entries` is then partial
  std::string section;  // the ELF section it lies in (".nv_fatbin"), "" outside an ELF file
  ContainerRole role = ContainerRole::kRegistered;
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

// "registered", "library-loaded", "link-input", "no-kernels".
std::string to_string(ContainerRole role);
// Whether a GPU can be given the container's code (registered or library-loaded).
inline bool runnable(ContainerRole role) {
  return role == ContainerRole::kRegistered || role == ContainerRole::kLibraryLoaded;
}

}  // namespace cudafit
