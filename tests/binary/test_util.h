// Helpers for tests/binary: building fatbin bytes by hand, and summaries as strings.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "binary/kernel_scan.h"
#include "util/strings.h"

namespace cudafit::testing {

inline void put16(std::string& s, std::size_t at, std::uint16_t v) { std::memcpy(&s[at], &v, 2); }
inline void put32(std::string& s, std::size_t at, std::uint32_t v) { std::memcpy(&s[at], &v, 4); }
inline void put64(std::string& s, std::size_t at, std::uint64_t v) { std::memcpy(&s[at], &v, 8); }

struct FakeEntry {
  std::uint16_t kind = 2;  // 1 PTX, 2 SASS
  std::uint32_t arch = 80;
  std::uint64_t flags = 0x11;
  std::uint16_t isa_major = 0, isa_minor = 0;
  std::uint64_t payload = 8;
  std::uint32_t header = 64;
};

// A container laid out as nvcc 13.0 writes it (see src/binary/fatbin.cpp).
inline std::string fake_container(const std::vector<FakeEntry>& entries) {
  std::string body;
  for (const FakeEntry& e : entries) {
    std::string h(e.header, '\0');
    put16(h, 0, e.kind);
    put16(h, 2, 0x101);
    put32(h, 4, e.header);
    put64(h, 8, e.payload);
    put16(h, 24, e.isa_minor);
    put16(h, 26, e.isa_major);
    put32(h, 28, e.arch);
    put64(h, 40, e.flags);
    body += h + std::string(e.payload, 'x');
  }
  std::string c(16, '\0');
  put32(c, 0, 0xBA55ED50u);
  put16(c, 4, 1);
  put16(c, 6, 16);
  put64(c, 8, body.size());
  return c + body;
}

inline std::string labels(const std::vector<std::string>& v) { return join(v, " "); }

inline std::string extras(const CodeSummary& s) {
  std::vector<std::string> parts;
  for (const ArchCount& e : s.extras) parts.push_back(e.arch + "x" + std::to_string(e.containers));
  return join(parts, " ");
}

inline std::string ptx(const CodeSummary& s) {
  std::vector<std::string> parts;
  for (const auto& p : s.ptx) parts.push_back(p.arch + "@" + p.isa);
  return join(parts, " ");
}

}  // namespace cudafit::testing
