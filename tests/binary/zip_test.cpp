// Wheels (zip archives, PKWARE APPNOTE.TXT): members stored and deflated, damaged archives.
#include "binary/zip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "binary/kernel_scan.h"
#include "test_util.h"

namespace cudafit {
namespace {

using testing::put16;
using testing::put32;

struct Member {
  std::string name;
  std::string content;
  bool deflate = false;
};

std::string raw_deflate(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// A minimal archive: local headers + data, central directory, end record.
std::string make_zip(const std::vector<Member>& members) {
  std::string body, central;
  for (const Member& m : members) {
    std::string data = m.deflate ? raw_deflate(m.content) : m.content;
    std::string local(30, '\0');
    put32(local, 0, 0x04034b50);
    put16(local, 8, m.deflate ? 8 : 0);
    put32(local, 18, static_cast<std::uint32_t>(data.size()));
    put32(local, 22, static_cast<std::uint32_t>(m.content.size()));
    put16(local, 26, static_cast<std::uint16_t>(m.name.size()));
    std::string cd(46, '\0');
    put32(cd, 0, 0x02014b50);
    put16(cd, 10, m.deflate ? 8 : 0);
    put32(cd, 20, static_cast<std::uint32_t>(data.size()));
    put32(cd, 24, static_cast<std::uint32_t>(m.content.size()));
    put16(cd, 28, static_cast<std::uint16_t>(m.name.size()));
    put32(cd, 42, static_cast<std::uint32_t>(body.size()));
    body += local + m.name + data;
    central += cd + m.name;
  }
  std::string end(22, '\0');
  put32(end, 0, 0x06054b50);
  put16(end, 8, static_cast<std::uint16_t>(members.size()));
  put16(end, 10, static_cast<std::uint16_t>(members.size()));
  put32(end, 12, static_cast<std::uint32_t>(central.size()));
  put32(end, 16, static_cast<std::uint32_t>(body.size()));
  return body + central + end;
}

TEST(Zip, ListsAndReadsStoredAndDeflatedMembers) {
  std::string fatbin = testing::fake_container({{2, 86}, {1, 90, 0x8011, 9, 0}});
  std::string wheel = make_zip({{"torch/__init__.py", "import os\n"},
                                {"torch/lib/liba.so", fatbin, false},
                                {"torch/lib/libb.so.1", fatbin + fatbin, true}});
  auto members = list_zip(wheel);
  ASSERT_TRUE(members.ok()) << members.error();
  ASSERT_EQ(members->size(), 3u);
  std::string storage;
  auto b = zip_member_bytes(wheel, (*members)[2], storage, 1 << 20);
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_EQ(*b, fatbin + fatbin);

  MemoryHost host;
  host.add_file("/w/pkg.whl", wheel);
  auto codes = scan_file(host, "/w/pkg.whl");
  ASSERT_EQ(codes.size(), 2u);  // the .py member holds no code
  EXPECT_EQ(codes[0].file, "/w/pkg.whl!torch/lib/liba.so");
  EXPECT_EQ(codes[1].containers.size(), 2u);
  EXPECT_EQ(testing::labels(summarize(codes[1]).arch_list), "sm_86 compute_90");
}

TEST(Zip, DamagedArchivesGiveErrors) {
  std::string fatbin = testing::fake_container({{2, 86}});
  std::string wheel = make_zip({{"lib/libz.so", fatbin, true}});
  EXPECT_FALSE(list_zip("PK\x03\x04 too short").ok());
  // Every truncation: an error entry or fewer results, never a crash.
  for (std::size_t len = 4; len < wheel.size(); ++len) {
    MemoryHost host;
    host.add_file("/t.whl", wheel.substr(0, len));
    auto codes = scan_file(host, "/t.whl");
    ASSERT_FALSE(codes.empty());
  }
  // A member that claims a huge size it does not have: an inflate error, no huge allocation.
  std::string lying = wheel;
  std::size_t cd = lying.size() - 22 - 46 - std::string("lib/libz.so").size();
  put32(lying, cd + 24, 0xfffffff0u);
  auto members = list_zip(lying);
  ASSERT_TRUE(members.ok());
  std::string storage;
  EXPECT_FALSE(zip_member_bytes(lying, (*members)[0], storage, std::uint64_t{1} << 33).ok());
  EXPECT_LT(storage.capacity(), std::size_t{1} << 24);
}

}  // namespace
}  // namespace cudafit
