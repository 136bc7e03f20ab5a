// Files built with nvcc (tests/binary/extra.cmake, CUDA 13.0) for known gencode sets, and the
// small pre-built copies in tests/binary/fixtures/ (used where nvcc is absent).
#include "binary/kernel_scan.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace cudafit {
namespace {

struct FixtureCase {
  const char* file;
  const char* format;
  std::size_t containers;  // nvcc 13.0 adds one nvlink container to each .so (its -gencode set)
  const char* arch_list;
  const char* extras;
  const char* ptx;
  bool compressed_sass;
  bool compressed_ptx;
};

// Expected values: the -gencode flags of each fixture in extra.cmake. CUDA 13.0 compresses PTX
// by default (fatbinary --compress defaults to true) and SASS only with -compress-all.
const FixtureCase kNvccCases[] = {
    {"plain.so", "elf", 2, "sm_75 sm_80 sm_86", "", "", false, false},
    {"arch_specific.fatbin", "fatbin", 1, "sm_90a sm_100a", "", "", false, false},
    {"family.so", "elf", 2, "sm_100f sm_120f", "", "", false, false},
    {"ptx_only.fatbin", "fatbin", 1, "compute_80", "", "compute_80@9.0", false, true},
    {"compressed.so", "elf", 2, "sm_80", "compute_80x1", "compute_80@9.0", true, true},
    {"uncompressed.fatbin", "fatbin", 1, "sm_80 compute_80", "", "compute_80@9.0", false, false},
    {"sm_90a.cubin", "cubin", 1, "sm_90a", "", "", false, false},
    {"sm_120f.cubin", "cubin", 1, "sm_120f", "", "", false, false},
    // k1.cu (sm_80) + k2.cu (sm_80, sm_90) linked into one library.
    {"multi.so", "elf", 3, "sm_80", "sm_90x1", "", false, false},
};

void check_fixture(const std::string& dir, const FixtureCase& fc) {
  RootedHost host("/");
  std::string path = dir + "/" + fc.file;
  ASSERT_TRUE(host.is_file(path)) << path;
  auto codes = scan_file(host, path);
  ASSERT_EQ(codes.size(), 1u) << fc.file;
  const BinaryCode& code = codes[0];
  EXPECT_EQ(code.error, "") << fc.file;
  EXPECT_FALSE(code.partial()) << fc.file;
  EXPECT_EQ(code.format, fc.format) << fc.file;
  EXPECT_EQ(code.containers.size(), fc.containers) << fc.file;
  CodeSummary s = summarize(code);
  EXPECT_EQ(testing::labels(s.arch_list), fc.arch_list) << fc.file;
  EXPECT_EQ(testing::extras(s), fc.extras) << fc.file;
  EXPECT_EQ(testing::ptx(s), fc.ptx) << fc.file;
  for (const FatbinContainer& c : code.containers) {
    for (const FatbinEntry& e : c.entries) {
      bool want = e.kind == CodeKind::kPtx ? fc.compressed_ptx : fc.compressed_sass;
      EXPECT_EQ(e.compressed, want) << fc.file << " " << entry_label(e);
    }
  }
}

TEST(NvccFixtures, ReaderListsExactlyTheGencodeSet) {
  std::string dir = CUDAFIT_NVCC_FIXTURES;
  if (dir.empty()) GTEST_SKIP() << "nvcc was not found at configure time: fixtures not built";
  for (const FixtureCase& fc : kNvccCases) check_fixture(dir, fc);
}

TEST(CommittedFixtures, ReaderListsExactlyTheGencodeSet) {
  // Copies of nvcc 13.0 outputs above (small ones only), kept for machines without nvcc.
  const char* names[] = {"ptx_only.fatbin", "uncompressed.fatbin", "sm_90a.cubin", "sm_120f.cubin",
                         "multi.so"};
  std::string dir = std::string(CUDAFIT_SOURCE_DIR) + "/tests/binary/fixtures";
  for (const char* name : names) {
    for (const FixtureCase& fc : kNvccCases) {
      if (std::string(fc.file) == name) check_fixture(dir, fc);
    }
  }
}

TEST(ScanBytes, DamagedCopiesGiveErrorsOrPartialResults) {
  RootedHost host("/");
  std::string path = std::string(CUDAFIT_SOURCE_DIR) + "/tests/binary/fixtures/multi.so";
  auto whole = host.read_file(path);
  ASSERT_TRUE(whole.ok()) << whole.error();
  const std::string& so = *whole;
  // Every truncation point: never a crash; an error, a partial result or fewer containers.
  for (std::size_t len = 0; len < so.size(); len += 97) {
    BinaryCode code = scan_bytes(std::string_view(so).substr(0, len), "cut.so");
    EXPECT_LE(code.containers.size(), 3u);
  }
  // Flipped bytes all over the file (a crude corruption sweep).
  for (std::size_t at = 0; at < so.size(); at += 13) {
    std::string bad = so;
    bad[at] = static_cast<char>(bad[at] ^ 0xff);
    BinaryCode code = scan_bytes(bad, "flip.so");
    EXPECT_LE(code.containers.size(), 4u);
  }
  EXPECT_NE(scan_bytes("not a binary", "x").error, "");
  EXPECT_NE(scan_bytes(so.substr(0, 40), "x").error, "");  // ELF header cut short
}

TEST(ScanPaths, DirectoriesAndMissingFiles) {
  MemoryHost host;
  std::string fatbin = testing::fake_container({{2, 86}});
  host.add_file("/lib/a/libx.so", fatbin);    // a .so name holding a bare fatbin: read
  host.add_file("/lib/a/notes.txt", fatbin);  // not a candidate name: skipped
  host.add_file("/lib/b/libc.so", "GROUP ( /lib/libc.so.6 )");  // linker script: skipped
  host.add_symlink("/lib/a/libx.so.1", "libx.so");              // same file: read once
  auto flat = scan_paths(host, {"/lib"}, false);
  ASSERT_EQ(flat.size(), 1u);
  EXPECT_NE(flat[0].error.find("--recursive"), std::string::npos);
  auto deep = scan_paths(host, {"/lib"}, true);
  ASSERT_EQ(deep.size(), 1u);
  EXPECT_EQ(deep[0].file, "/lib/a/libx.so");
  EXPECT_EQ(testing::labels(summarize(deep[0]).arch_list), "sm_86");
  auto missing = scan_paths(host, {"/nope.so"}, false);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_NE(missing[0].error, "");
}

}  // namespace
}  // namespace cudafit
