// CachedHost (src/util/cached_host.h): the same answers as the Host it wraps, on a real tree
// with relative, absolute, chained, dangling and looping links, and each question asked of
// the wrapped Host once.
#include "util/cached_host.h"

#include <gtest/gtest.h>

#include <stdlib.h>
#include "temp_tree.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace cudafit {
namespace {

namespace fs = std::filesystem;

using testing::make_temp_dir;
using testing::write;

class CachedHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base = make_temp_dir("cudafit-cached");
    ASSERT_FALSE(base.empty());
    root = base / "root";
    write(base / "secret", "outside");
    write(root / "secret", "inside");
    write(root / "usr/local/cuda-13.0/include/cuda.h", "#define CUDA_VERSION 13000\n");
    write(root / "usr/local/cuda-13.0/bin/nvcc", "#!/bin/sh\n");
    fs::create_symlink("cuda-13.0", root / "usr/local/cuda");
    fs::create_directories(root / "usr/local/include");
    fs::create_symlink("/usr/local/cuda/include/cuda.h", root / "usr/local/include/cuda.h");
    fs::create_directories(root / "etc/alternatives");
    fs::create_symlink("/usr/local/cuda", root / "etc/alternatives/cuda");
    fs::create_symlink("../../../../secret", root / "usr/local/climb");
    fs::create_symlink("loop-b", root / "loop-a");
    fs::create_symlink("loop-a", root / "loop-b");
    fs::create_symlink("/nowhere/x", root / "dangling");
    fs::create_directories(root / "home/u/.virtualenvs/a");
    fs::create_symlink("a", root / "home/u/.virtualenvs/b");
    real = std::make_unique<RootedHost>(root.string(), std::map<std::string, std::string>{});
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(base, ec);
  }

  fs::path base, root;
  std::unique_ptr<RootedHost> real;
};

const std::vector<std::string> kPaths = {"/",
                                         "/usr/local/cuda",
                                         "/usr/local/cuda/bin/nvcc",
                                         "/etc/alternatives/cuda/include/cuda.h",
                                         "/usr/local/include/cuda.h",
                                         "/usr/local/climb",
                                         "/usr/local/cuda/../cuda-13.0/./bin",
                                         "/dangling",
                                         "/nowhere",
                                         "/home/u/.virtualenvs/b",
                                         "/home/u/.virtualenvs/b/../a",
                                         "/secret",
                                         "usr/local/cuda"};

TEST_F(CachedHostTest, AnswersLikeTheHostItWraps) {
  CachedHost cached(*real);
  for (int round = 0; round < 2; ++round) {  // the second round comes from the cache
    for (const auto& p : kPaths) {
      SCOPED_TRACE(p + (round ? " (cached)" : ""));
      auto a = real->canonical(p), b = cached.canonical(p);
      ASSERT_EQ(a.ok(), b.ok());
      if (a.ok()) {
        EXPECT_EQ(*a, *b);
      }
      EXPECT_EQ(real->exists(p), cached.exists(p));
      EXPECT_EQ(real->is_dir(p), cached.is_dir(p));
      EXPECT_EQ(real->read_link(p).value_or("-"), cached.read_link(p).value_or("-"));
      auto la = real->list_dir(p), lb = cached.list_dir(p);
      ASSERT_EQ(la.ok(), lb.ok());
      if (la.ok()) {
        ASSERT_EQ(la->size(), lb->size());
        for (size_t i = 0; i < la->size(); ++i) EXPECT_EQ((*la)[i].name, (*lb)[i].name);
      }
    }
  }
  EXPECT_EQ(cached.canonical("/usr/local/climb").value_or("?"), "/secret");
  EXPECT_EQ(cached.read_file("/usr/local/climb").value_or("?"), "inside");
  EXPECT_FALSE(cached.canonical("/loop-a").ok());
  EXPECT_EQ(cached.canonical("/etc/alternatives/cuda/bin/nvcc").value_or("?"),
            "/usr/local/cuda-13.0/bin/nvcc");
}

TEST_F(CachedHostTest, AsksTheWrappedHostOnce) {
  CachedHost cached(*real);
  ASSERT_TRUE(cached.list_dir("/usr/local").ok());
  std::uint64_t after_first = real->reads();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(cached.list_dir("/usr/local").ok());
  EXPECT_EQ(real->reads(), after_first);
  // The listing is what the folder held when first asked: later changes are not seen within
  // one command, which is the point.
  write(root / "usr/local/new-file", "x");
  auto again = cached.list_dir("/usr/local");
  ASSERT_TRUE(again.ok());
  for (const auto& e : *again) EXPECT_NE(e.name, "new-file");
  // File contents are never kept: each read goes to the disk.
  write(root / "secret", "changed");
  EXPECT_EQ(cached.read_file("/secret").value_or("?"), "changed");
}

// On the real machine (root "/"), canonical() agrees with the kernel's realpath().
TEST(CachedHostRealMachine, AgreesWithRealpath) {
  RootedHost machine("/");
  CachedHost cached(machine);
  for (const char* p : {"/usr/local/cuda/bin", "/bin/sh", "/lib/x86_64-linux-gnu", "/proc/self",
                        "/usr/lib/../bin", "/tmp"}) {
    char buf[PATH_MAX];
    if (realpath(p, buf) == nullptr) continue;
    EXPECT_EQ(cached.canonical(p).value_or("?"), std::string(buf)) << p;
  }
}

}  // namespace
}  // namespace cudafit
