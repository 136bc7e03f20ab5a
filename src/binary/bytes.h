// Little-endian field reads from a byte view, bounds-checked by the caller.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace cudafit::bytes {

inline std::uint16_t u16(std::string_view d, std::uint64_t off) {
  std::uint16_t v;
  std::memcpy(&v, d.data() + off, sizeof v);
  return v;
}
inline std::uint32_t u32(std::string_view d, std::uint64_t off) {
  std::uint32_t v;
  std::memcpy(&v, d.data() + off, sizeof v);
  return v;
}
inline std::uint64_t u64(std::string_view d, std::uint64_t off) {
  std::uint64_t v;
  std::memcpy(&v, d.data() + off, sizeof v);
  return v;
}
// True when [off, off + len) lies inside d (no overflow).
inline bool fits(std::string_view d, std::uint64_t off, std::uint64_t len) {
  return off <= d.size() && len <= d.size() - off;
}

}  // namespace cudafit::bytes
