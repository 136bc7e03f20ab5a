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
