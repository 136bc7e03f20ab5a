// Path helpers and MemoryHost (src/util/host.h): the in-memory machine every unit test uses.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/host.h"

namespace cudafit {
namespace {

TEST(Paths, Join) {
  struct Row {
    const char* base;
    const char* rel;
    const char* out;
  };
  const Row rows[] = {
      {"/a", "b", "/a/b"}, {"/a/", "b", "/a/b"}, {"/a", "/b", "/b"},  // absolute rel wins
      {"", "b", "b"},      {"/", "usr", "/usr"}, {"/a", "b/c", "/a/b/c"},
      {"/a", "", "/a/"},  // kb.cpp relies on this to print "DIR/" before a message
  };
  for (const Row& r : rows) EXPECT_EQ(path_join(r.base, r.rel), r.out) << r.base << " + " << r.rel;
}

TEST(Paths, Normalize) {
  struct Row {
    const char* in;
    const char* out;
  };
  const Row rows[] = {
      {"/a/b/../c/./d", "/a/c/d"}, {"/../..", "/"}, {"/a/../../b", "/b"},  // never above /
      {"//a///b//", "/a/b"},       {"", "/"},       {"/", "/"},           {"a/b", "/a/b"},
      {"/a/b/..", "/a"},           {"/.", "/"},
  };
  for (const Row& r : rows) EXPECT_EQ(path_normalize(r.in), r.out) << r.in;
}

TEST(Paths, DirnameAndBasename) {
  struct Row {
    const char* in;
    const char* dir;
    const char* base;
  };
  const Row rows[] = {
      {"/usr/lib/libcuda.so.1", "/usr/lib", "libcuda.so.1"},
      {"/usr", "/", "usr"},
      {"/", "/", "/"},
      {"file", ".", "file"},
      {"/a/b/", "/a", "b"},  // a trailing slash names the same directory (POSIX)
      {"a/b", "a", "b"},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(path_dirname(r.in), r.dir) << r.in;
    EXPECT_EQ(path_basename(r.in), r.base) << r.in;
  }
}

TEST(EnvDump, ParsesKeyValueLines) {
  auto env = parse_env_dump(
      "PATH=/usr/bin:/bin\nCUDA_HOME=/usr/local/cuda\nEMPTY=\n"
      "=nokey\nnot a line\nBAD-NAME=x\nEQ=a=b\r\n");
  EXPECT_EQ(env.size(), 4u);
  EXPECT_EQ(env["PATH"], "/usr/bin:/bin");
  EXPECT_EQ(env["CUDA_HOME"], "/usr/local/cuda");
  EXPECT_EQ(env["EMPTY"], "");
  EXPECT_EQ(env["EQ"], "a=b");  // only the first '=' splits; CR of CRLF dropped
}

class MemoryHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host.add_file("/usr/local/cuda-13.0/version.json", "{\"cuda\":{\"version\":\"13.0.1\"}}");
    host.add_file("/usr/local/cuda-13.0/bin/nvcc", "ELF");
    host.add_symlink("/usr/local/cuda", "cuda-13.0");               // relative target
    host.add_symlink("/etc/alternatives/cuda", "/usr/local/cuda");  // absolute target
    host.add_symlink("/opt/up", "../usr/local/cuda-13.0");          // climbs, then descends
    host.add_symlink("/loop/a", "b");
    host.add_symlink("/loop/b", "a");
    host.add_symlink("/dangling", "/nowhere");
    host.add_dir("/empty");
    host.set_env("CUDA_HOME", "/usr/local/cuda");
  }
  MemoryHost host;
};

TEST_F(MemoryHostTest, ReadsFilesThroughLinks) {
  EXPECT_EQ(host.read_file("/usr/local/cuda/version.json").value_or("?"),
            "{\"cuda\":{\"version\":\"13.0.1\"}}");
  EXPECT_EQ(host.read_file("/etc/alternatives/cuda/bin/nvcc").value_or("?"), "ELF");
  EXPECT_EQ(host.read_file("/opt/up/bin/nvcc").value_or("?"), "ELF");
  EXPECT_EQ(host.read_file("/usr/local/cuda/bin/../version.json").value_or("?").substr(0, 1), "{");
}

TEST_F(MemoryHostTest, ReadErrors) {
  auto missing = host.read_file("/no/such/file");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "/no/such/file: No such file or directory");
  auto dir = host.read_file("/usr/local/cuda");
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().find("not a regular file"), std::string::npos);
  auto loop = host.read_file("/loop/a");
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.error().find("too many levels of symbolic links"), std::string::npos);
  auto big = host.read_file("/usr/local/cuda/version.json", 4);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().find("too large"), std::string::npos);
  EXPECT_FALSE(host.read_file("/dangling").ok());
}

TEST_F(MemoryHostTest, StatAndKinds) {
  EXPECT_TRUE(host.is_dir("/usr/local/cuda"));  // stat follows links
  EXPECT_TRUE(host.is_file("/usr/local/cuda/bin/nvcc"));
  EXPECT_FALSE(host.is_file("/usr/local/cuda"));
  EXPECT_TRUE(host.exists("/empty"));
  EXPECT_FALSE(host.exists("/dangling"));
  EXPECT_FALSE(host.exists("/loop/a"));
  EXPECT_FALSE(host.exists("/usr/local/cuda/bin/nvcc/x"));  // below a file
  EXPECT_EQ(host.stat("/usr/local/cuda/bin/nvcc")->size, 3u);
}

TEST_F(MemoryHostTest, ListsDirectoriesSorted) {
  auto entries = host.list_dir("/usr/local");
  ASSERT_TRUE(entries.ok()) << entries.error();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].name, "cuda");
  EXPECT_EQ((*entries)[0].type, FileType::kSymlink);  // the entry itself, not its target
  EXPECT_EQ((*entries)[1].name, "cuda-13.0");
  EXPECT_EQ((*entries)[1].type, FileType::kDirectory);
  auto through_link = host.list_dir("/usr/local/cuda");
  ASSERT_TRUE(through_link.ok());
  EXPECT_EQ(through_link->size(), 2u);  // bin, version.json
  EXPECT_TRUE(host.list_dir("/empty")->empty());
  EXPECT_FALSE(host.list_dir("/usr/local/cuda/version.json").ok());
  EXPECT_FALSE(host.list_dir("/missing").ok());
  auto root = host.list_dir("/");
  ASSERT_TRUE(root.ok());
  std::vector<std::string> names;
  for (const auto& e : *root) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"dangling", "empty", "etc", "loop", "opt", "usr"}));
}

TEST_F(MemoryHostTest, LinksAndCanonical) {
  EXPECT_EQ(host.read_link("/usr/local/cuda").value_or("?"), "cuda-13.0");
  EXPECT_EQ(host.read_link("/etc/alternatives/cuda").value_or("?"), "/usr/local/cuda");
  EXPECT_FALSE(host.read_link("/usr/local/cuda-13.0").ok());
  EXPECT_EQ(host.canonical("/etc/alternatives/cuda/bin/nvcc").value_or("?"),
            "/usr/local/cuda-13.0/bin/nvcc");
  EXPECT_EQ(host.canonical("/opt/up").value_or("?"), "/usr/local/cuda-13.0");
  EXPECT_EQ(host.canonical("/").value_or("?"), "/");
  EXPECT_FALSE(host.canonical("/loop/b").ok());
  EXPECT_EQ(host.disk_path("/usr"), "");
}

TEST_F(MemoryHostTest, EnvironmentRunsAndReadCounts) {
  EXPECT_EQ(host.env("CUDA_HOME").value_or("?"), "/usr/local/cuda");
  EXPECT_FALSE(host.env("MISSING").has_value());
  EXPECT_EQ(host.env_all().size(), 1u);
  host.set_run_result("nvidia-smi --version", RunResult{0, false, "NVIDIA-SMI 580.65.06\n", ""});
  RunResult r = host.run({"nvidia-smi", "--version"}, 1000);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "NVIDIA-SMI 580.65.06\n");
  RunResult none = host.run({"nvcc"}, 1000);
  EXPECT_EQ(none.exit_code, 127);
  EXPECT_NE(none.err.find("nvcc"), std::string::npos);
  std::uint64_t before = host.reads();
  (void)host.read_file("/usr/local/cuda/version.json");
  (void)host.list_dir("/usr");
  EXPECT_EQ(host.reads(), before + 2);
}

}  // namespace
}  // namespace cudafit
