// Fatbin container parsing on hand-built containers (layout: src/binary/fatbin.cpp), including
// hostile ones: sizes past the end, zero sizes, huge counts, garbage.
#include "binary/fatbin.h"

#include <gtest/gtest.h>

#include "binary/kernel_scan.h"
#include "test_util.h"

namespace cudafit {
namespace {

using testing::fake_container;
using testing::FakeEntry;

TEST(Fatbin, ReadsEntryHeaders) {
  // Flags as nvcc 13.0 writes them: 0x11 plain SASS, 0x100011 sm_90a, 0x1200011 sm_120f,
  // 0x8011 compressed; PTX ISA in the major/minor fields (9.0 for CUDA 13.0).
  std::string c = fake_container(
      {{2, 80, 0x11}, {2, 90, 0x100011}, {2, 120, 0x1200011, 0, 0, 8, 96}, {1, 121, 0x8011, 9, 1}});
  auto parsed = parse_fatbin(c, 0, c.size());
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->problem, "");
  EXPECT_EQ(parsed->size, c.size());
  ASSERT_EQ(parsed->entries.size(), 4u);
  EXPECT_EQ(entry_label(parsed->entries[0]), "sm_80");
  EXPECT_EQ(entry_label(parsed->entries[1]), "sm_90a");
  EXPECT_EQ(entry_label(parsed->entries[2]), "sm_120f");
  EXPECT_EQ(entry_label(parsed->entries[3]), "compute_121");
  EXPECT_EQ(parsed->entries[3].ptx_isa, "9.1");
  EXPECT_TRUE(parsed->entries[3].compressed);
  EXPECT_FALSE(parsed->entries[0].compressed);
}

TEST(Fatbin, NotAContainer) {
  std::string c = fake_container({{}});
  std::string bad_version = c;
  testing::put16(bad_version, 4, 7);
  EXPECT_FALSE(parse_fatbin(bad_version, 0, bad_version.size()).has_value());
  EXPECT_FALSE(parse_fatbin(c.substr(0, 10), 0, 10).has_value());
  EXPECT_FALSE(parse_fatbin("hello world, not a fatbin", 0, 20).has_value());
}

struct HostileCase {
  const char* what;
  std::string bytes;
};

TEST(Fatbin, HostileContainersArePartialNotFatal) {
  std::string base = fake_container({{2, 80}, {2, 86}});
  std::vector<HostileCase> cases;
  {
    std::string s = base;  // container claims far more than the data holds
    testing::put64(s, 8, std::uint64_t{1} << 60);
    cases.push_back({"huge container size", s});
  }
  {
    std::string s = base;  // first entry's payload runs past the container
    testing::put64(s, 16 + 8, std::uint64_t{1} << 62);
    cases.push_back({"entry payload past end", s});
  }
  {
    std::string s = base;  // entry header size 0 (would loop forever if trusted)
    testing::put32(s, 16 + 4, 0);
    cases.push_back({"zero header size", s});
  }
  {
    std::string s = base;  // entry header size larger than the container
    testing::put32(s, 16 + 4, 0xffffffffu);
    cases.push_back({"huge header size", s});
  }
  cases.push_back({"truncated", base.substr(0, base.size() - 20)});
  for (const HostileCase& hc : cases) {
    auto parsed = parse_fatbin(hc.bytes, 0, hc.bytes.size());
    ASSERT_TRUE(parsed.has_value()) << hc.what;
    EXPECT_NE(parsed->problem, "") << hc.what;
    EXPECT_LE(parsed->size, hc.bytes.size()) << hc.what;
    BinaryCode code = scan_bytes(hc.bytes, "x.fatbin");
    EXPECT_TRUE(code.partial()) << hc.what;
  }
}

TEST(Fatbin, ZeroPayloadEntriesAndManyEntries) {
  std::vector<FakeEntry> many(5000, FakeEntry{2, 75, 0x11, 0, 0, 0, 64});
  std::string c = fake_container(many);
  auto parsed = parse_fatbin(c, 0, c.size());
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->problem, "");
  EXPECT_EQ(parsed->entries.size(), 5000u);
}

TEST(Fatbin, ScanSkipsContainersAndFindsThemAtEightByteAlignment) {
  std::string a = fake_container({{2, 80}});
  std::string b = fake_container({{2, 90, 0x100011}, {1, 90, 0x11, 9, 0}});
  // A magic at an unaligned offset is not a container; garbage between containers is skipped.
  std::string data = std::string(8, '\0') + a + std::string(16, 'g') + b + "\x50\xed\x55\xba" +
                     std::string(12, '\0');
  std::vector<FatbinContainer> out;
  scan_fatbins(data, 0, data.size(), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].offset, 8u);
  EXPECT_EQ(out[1].entries.size(), 2u);
  // Summary: sm_80 in one container, sm_90a and compute_90 in the other.
  BinaryCode code = scan_bytes(a + b, "two.fatbin");
  CodeSummary s = summarize(code);
  EXPECT_EQ(testing::labels(s.arch_list), "");
  EXPECT_EQ(testing::extras(s), "sm_80x1 sm_90ax1 compute_90x1");
  EXPECT_EQ(testing::ptx(s), "compute_90@9.0");
  EXPECT_EQ(s.entries, 3u);
}

}  // namespace
}  // namespace cudafit

namespace cudafit {
namespace {

// An entry with a given payload (and, for PTX, an options text), laid out as
// tests/binary/test_util.h's fake_container does.
std::string entry(std::uint16_t kind, std::uint32_t arch, std::uint64_t flags,
                  const std::string& payload, const std::string& options = "") {
  std::uint32_t header = options.empty() ? 64 : 72 + static_cast<std::uint32_t>(options.size());
  header = (header + 7) & ~7u;
  std::string h(header, '\0');
  testing::put16(h, 0, kind);
  testing::put16(h, 2, 0x101);
  testing::put32(h, 4, header);
  std::string body = payload + std::string((8 - payload.size() % 8) % 8, '\0');
  testing::put64(h, 8, body.size());
  if ((flags & 0x2000) != 0) testing::put32(h, 16, static_cast<std::uint32_t>(payload.size()));
  if (!options.empty()) {
    testing::put32(h, 20, 64);
    testing::put32(h, 64, 72);
    testing::put32(h, 68, static_cast<std::uint32_t>(options.size()));
    h.replace(72, options.size(), options);
  }
  testing::put32(h, 28, arch);
  testing::put64(h, 40, flags);
  return h + body;
}

std::string container_of(const std::string& entries) {
  std::string c(16, '\0');
  testing::put32(c, 0, 0xBA55ED50u);
  testing::put16(c, 4, 1);
  testing::put16(c, 6, 16);
  testing::put64(c, 8, entries.size());
  return c + entries;
}

// A cubin's ELF header: EM_CUDA, e_type 1 (ET_REL) or 2 (ET_EXEC).
std::string cubin_header(std::uint16_t type) {
  std::string e(64, '\0');
  e.replace(0, 4,
            "\x7f"
            "ELF");
  e[4] = 2;
  e[5] = 1;
  testing::put16(e, 16, type);
  testing::put16(e, 18, 190);
  return e;
}

// One LZ4 sequence of literals only: token 0xF0 + extension byte, then the bytes.
std::string lz4_literals(const std::string& bytes) {
  return std::string(1, '\xf0') + static_cast<char>(bytes.size() - 15) + bytes;
}

struct LinkageRow {
  const char* what;
  std::string entry;
  Linkage linkage;
};

TEST(Fatbin, LinkageFromTheCubinHeaderOrThePtxOptions) {
  // Layouts read from libcusparse.so.12's .rodata containers (flags 0x2011: LZ4, ET_REL cubins,
  // "--compile-only") and nvcc 13.0 output (0x11 stored as is; 0x8011 Zstandard).
  const LinkageRow rows[] = {
      {"stored ET_EXEC cubin", entry(2, 80, 0x11, cubin_header(2)), Linkage::kExecutable},
      {"stored ET_REL cubin", entry(2, 80, 0x11, cubin_header(1)), Linkage::kRelocatable},
      {"LZ4 ET_REL cubin", entry(2, 70, 0x2011, lz4_literals(cubin_header(1))),
       Linkage::kRelocatable},
      {"LZ4 ET_EXEC cubin", entry(2, 70, 0x2011, lz4_literals(cubin_header(2))),
       Linkage::kExecutable},
      {"Zstandard cubin: not decoded",
       entry(2, 80, 0x8011, "\x28\xb5\x2f\xfd" + std::string(60, 'z')), Linkage::kUnknown},
      {"LZ4 garbage", entry(2, 80, 0x2011, std::string(40, '\x0f')), Linkage::kUnknown},
      {"PTX for ptxas --compile-only", entry(1, 70, 0x2011, "x", "--compile-only  "),
       Linkage::kRelocatable},
      {"PTX with other options", entry(1, 80, 0x8011, "x", "-O3"), Linkage::kExecutable},
      {"PTX without options", entry(1, 80, 0x8011, "x"), Linkage::kExecutable},
  };
  for (const LinkageRow& r : rows) {
    std::string c = container_of(r.entry);
    auto parsed = parse_fatbin(c, 0, c.size());
    ASSERT_TRUE(parsed.has_value()) << r.what;
    EXPECT_EQ(parsed->problem, "") << r.what;
    ASSERT_EQ(parsed->entries.size(), 1u) << r.what;
    EXPECT_EQ(static_cast<int>(parsed->entries[0].linkage), static_cast<int>(r.linkage)) << r.what;
  }
}

TEST(Fatbin, RolesOfContainers) {
  // A relocatable container is link input wherever it lies; LTO IR alone too; an executable
  // one in a standalone .fatbin file is loaded by whoever loads the file.
  BinaryCode rel = scan_bytes(container_of(entry(2, 80, 0x11, cubin_header(1))), "rel.fatbin");
  ASSERT_EQ(rel.containers.size(), 1u);
  EXPECT_EQ(to_string(rel.containers[0].role), "link-input");
  BinaryCode lto = scan_bytes(container_of(entry(8, 75, 0x12011, "ir")), "lto.fatbin");
  EXPECT_EQ(to_string(lto.containers[0].role), "link-input");
  BinaryCode exec = scan_bytes(container_of(entry(2, 80, 0x11, cubin_header(2))), "x.fatbin");
  // An ELF header with no section table: no .text can be seen, so no "no-kernels" claim.
  EXPECT_EQ(to_string(exec.containers[0].role), "library-loaded");
  CodeSummary s = summarize(rel);
  EXPECT_EQ(s.code_containers, 0u);
  EXPECT_TRUE(s.sass.empty());
  ASSERT_EQ(s.roles.size(), 1u);
  EXPECT_EQ(s.roles[0].targets, std::vector<std::string>{"sm_80"});
}

}  // namespace
}  // namespace cudafit
