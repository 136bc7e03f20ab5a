// RootedHost (src/util/host_posix.cpp) against a real directory tree made by the test:
// links with absolute targets resolve inside the root, ".." cannot leave it, link loops
// give errors, and run() bounds a child's time.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "temp_tree.h"
#include "util/host.h"

namespace cudafit {
namespace {

namespace fs = std::filesystem;

using testing::make_temp_dir;
using testing::write;

// What stat(2) says of `disk` (links followed): there or not, its type, and for a file its
// size and mtime to the nanosecond (the kernel cache's stamp).
void expect_stat_like_kernel(const std::optional<FileInfo>& info, const std::string& disk,
                             const std::string& what) {
  struct stat st {};
  const bool kernel_exists = ::stat(disk.c_str(), &st) == 0;
  ASSERT_EQ(info.has_value(), kernel_exists) << what;
  if (!kernel_exists) return;
  EXPECT_EQ(info->type == FileType::kDirectory, S_ISDIR(st.st_mode)) << what;
  EXPECT_EQ(info->type == FileType::kFile, S_ISREG(st.st_mode)) << what;
  if (S_ISREG(st.st_mode)) {
    EXPECT_EQ(info->size, static_cast<std::uint64_t>(st.st_size)) << what;
    EXPECT_EQ(info->mtime_ns,
              static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec)
        << what;
  }
}

class RootedHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base = make_temp_dir("cudafit-rooted");
    ASSERT_FALSE(base.empty());
    root = base / "root";
    // Outside the root: a file that no path on the described machine may reach.
    write(base / "secret", "outside");
    write(root / "usr/local/cuda-13.0/version.json", "13.0.1");
    write(root / "usr/local/cuda-13.0/bin/nvcc", "nvcc");
    write(root / "secret", "inside");
    fs::create_directories(root / "empty");
    fs::create_symlink("cuda-13.0", root / "usr/local/cuda");  // relative
    fs::create_directories(root / "etc/alternatives");
    fs::create_symlink("/usr/local/cuda", root / "etc/alternatives/cuda");  // absolute
    fs::create_symlink("/secret", root / "abs-secret");  // the root's /secret, not the host's
    fs::create_symlink("../../../../../../secret", root / "climb");  // ".." stops at the root
    fs::create_symlink(base / "secret", root / "host-abs");  // absolute host path: re-rooted
    fs::create_symlink("loop-b", root / "loop-a");
    fs::create_symlink("loop-a", root / "loop-b");
    fs::create_symlink("self", root / "self");
    fs::create_symlink("/nowhere", root / "dangling");
    host = std::make_unique<RootedHost>(
        root.string(),
        std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"}, {"HOME", "/root"}});
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
  // The tree both "like the kernel" tests start from: a file and a folder under /t/a/b, a
  // relative link to the folder and one to the file, and a dangling link.
  void write_link_tree() {
    write(root / "t/a/b/file", "12345");
    fs::create_directories(root / "t/a/b/dir");
    fs::create_symlink("b", root / "t/a/to-b");
    fs::create_symlink("b/file", root / "t/a/to-file");
    fs::create_symlink("nothing", root / "t/a/dangling");
  }

  fs::path base, root;
  std::unique_ptr<RootedHost> host;
};

TEST_F(RootedHostTest, ReadsThroughLinksInsideTheRoot) {
  EXPECT_EQ(host->read_file("/usr/local/cuda/version.json").value_or("?"), "13.0.1");
  EXPECT_EQ(host->read_file("/etc/alternatives/cuda/bin/nvcc").value_or("?"), "nvcc");
  EXPECT_EQ(host->canonical("/etc/alternatives/cuda/bin/nvcc").value_or("?"),
            "/usr/local/cuda-13.0/bin/nvcc");
  EXPECT_EQ(host->read_link("/etc/alternatives/cuda").value_or("?"), "/usr/local/cuda");
  EXPECT_TRUE(host->is_dir("/etc/alternatives/cuda"));
  EXPECT_EQ(host->disk_path("/usr/local/cuda/version.json"),
            (root / "usr/local/cuda-13.0/version.json").string());
}

TEST_F(RootedHostTest, NeverLeavesTheRoot) {
  // Absolute targets and ".." chains land on the root's own /secret.
  EXPECT_EQ(host->read_file("/abs-secret").value_or("?"), "inside");
  EXPECT_EQ(host->read_file("/climb").value_or("?"), "inside");
  EXPECT_EQ(host->read_file("/../../../secret").value_or("?"), "inside");
  EXPECT_EQ(host->read_file("/usr/../../../secret").value_or("?"), "inside");
  // A link to the host's absolute path of the outside file is read inside the root, where
  // that path does not exist.
  auto host_abs = host->read_file("/host-abs");
  EXPECT_FALSE(host_abs.ok()) << "read outside the root: " << host_abs.value_or("");
  EXPECT_FALSE(host->exists("/host-abs"));
  for (const auto& e : host->list_dir("/").value_or({}))
    EXPECT_NE(e.name, "root") << "listing / showed the root's parent";
}

TEST_F(RootedHostTest, LinkLoopsAreErrorsNotHangs) {
  auto t0 = std::chrono::steady_clock::now();
  auto loop = host->read_file("/loop-a");
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.error().find("/loop-a"), std::string::npos) << loop.error();
  EXPECT_FALSE(host->read_file("/self/x").ok());
  EXPECT_FALSE(host->canonical("/loop-b").ok());
  EXPECT_FALSE(host->list_dir("/loop-a").ok());
  EXPECT_FALSE(host->exists("/self"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

// stat() and read_link() answer from what resolving paths learned about each component:
// with relative links that stay inside the tree, the kernel resolving the same disk paths
// must give the same answers, asked in any order and twice.
TEST_F(RootedHostTest, StatAndReadLinkAnswerLikeTheKernel) {
  write_link_tree();
  fs::create_symlink("to-b", root / "t/a/chain");
  fs::create_symlink("..", root / "t/a/up");
  fs::create_symlink("../a/b/../b/dir", root / "t/a/dotted");
  const std::vector<std::string> paths = {"/t",
                                          "/t/a/b/file",
                                          "/t/a/to-b/file",
                                          "/t/a/chain/dir",
                                          "/t/a/up/a/b",
                                          "/t/a/to-file",
                                          "/t/a/to-file/x",
                                          "/t/a/b/file/x",
                                          "/t/a/dangling",
                                          "/t/a/dangling/x",
                                          "/t/no/such/thing",
                                          "/t/a/chain/nothing",
                                          "/t/a/dotted",
                                          "/t/a/up/a/up/a/to-b",
                                          "/t/a/b/dir/..",
                                          "/t/a/b"};
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < paths.size(); ++i) {
      // Forwards in the first round, backwards in the second: cached entries and fresh ones.
      const std::string& p = paths[round == 0 ? i : paths.size() - 1 - i];
      const std::string disk = root.string() + p;
      auto info = host->stat(p);
      expect_stat_like_kernel(info, disk, p);
      if (info && info->type == FileType::kFile) {
        // The same file seen from "/" (the kernel resolves the links there).
        auto direct = RootedHost("/").stat(disk);
        ASSERT_TRUE(direct.has_value()) << disk;
        EXPECT_EQ(direct->mtime_ns, info->mtime_ns) << disk;
      }
      char buf[4096];
      ssize_t n = ::readlink(disk.c_str(), buf, sizeof buf);
      auto link = host->read_link(p);
      ASSERT_EQ(link.ok(), n >= 0) << p << (link.ok() ? "" : ": " + link.error());
      if (n >= 0) {
        EXPECT_EQ(*link, std::string(buf, static_cast<size_t>(n))) << p;
      }
    }
  }
}

// The shortcuts give the kernel's answers too: stat_once() (the kernel cache's stamps, not
// remembered), and answers taken from a folder's listing (a name it lacks is absent, one it
// lists as a file or folder is no link), asked before and after the folders are listed.
TEST_F(RootedHostTest, ListingsAndStatOnceAnswerLikeTheKernel) {
  write_link_tree();
  write(root / "t/a/b/deep/er/lib.so", "so");
  fs::create_symlink("/t/a/b", root / "t/a/abs-b");
  fs::create_symlink("/secret", root / "t/a/b/secret-link");
  // A folder link below a listed folder, absolute: stat_once's relative lstat from the listed
  // folder must not follow it to the build machine's /etc.
  fs::create_symlink("/etc", root / "t/a/b/etc-link");
  write(root / "etc/hostname", "fixture-host");
  write(root / "u/x/file", "abc");  // another tree: the anchor moves and comes back
  const std::vector<std::string> dirs = {"/t", "/t/a", "/t/a/b", "/t/a/b/deep", "/u"};
  // Relative links only here, which the kernel resolves the same way from "/".
  const std::vector<std::string> paths = {
      "/t/a/b/file",   "/t/a/b/deep/er/lib.so", "/t/a/to-b/file",
      "/t/a/to-file",  "/t/a/to-file/x",        "/t/a/b/file/x",
      "/t/a/dangling", "/t/a/b/missing",        "/t/a/missing/x",
      "/t/a/b/dir",    "/t/a/b/deep/../file",   "/t/a/b/deep/er/lib.so/x",
      "/u/x/file",     "/t/a/b/deep/er/lib.so", "/u/x/missing"};
  for (int mode = 0; mode < 4; ++mode) {
    const bool once = mode % 2 == 1, listed = mode >= 2;
    RootedHost fresh(root.string());
    if (listed) {
      for (const std::string& d : dirs) {
        ASSERT_TRUE(fresh.list_dir(d).ok()) << d;
      }
    }
    for (int round = 0; round < 2; ++round) {
      for (const std::string& p : paths) {
        auto info = once ? fresh.stat_once(p) : fresh.stat(p);
        expect_stat_like_kernel(info, root.string() + p, p + " mode " + std::to_string(mode));
      }
    }
    // Absolute links start again at the root: /secret is the root's ("inside", 6 bytes).
    for (const char* p : {"/t/a/abs-b/deep/er/lib.so", "/t/a/b/secret-link",
                          "/t/a/abs-b/secret-link", "/t/a/b/etc-link/hostname"}) {
      auto info = once ? fresh.stat_once(p) : fresh.stat(p);
      ASSERT_TRUE(info.has_value()) << p << " mode " << mode;
      const std::string_view name(p);
      EXPECT_EQ(info->size, name.ends_with("lib.so")     ? 2u
                            : name.ends_with("hostname") ? 12u
                                                         : 6u)
          << p;
    }
    auto text = fresh.read_file("/t/a/abs-b/secret-link");
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(*text, "inside");
    // Reads and listings take the same short way when no link is on the path: they answer
    // as the kernel does (relative links), and re-root absolute ones.
    for (const std::string& p : paths) {
      std::error_code ec;
      const fs::path disk = root.string() + p;
      const bool file = fs::is_regular_file(disk, ec), dir = fs::is_directory(disk, ec);
      auto read = fresh.read_file(p);
      auto head = fresh.read_head(p, 2);
      EXPECT_EQ(read.ok(), file) << p << " mode " << mode;
      EXPECT_EQ(head.ok(), file) << p << " mode " << mode;
      if (read && file) {
        std::ifstream in(disk);
        std::string want((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_EQ(*read, want) << p;
        EXPECT_EQ(*head, want.substr(0, 2)) << p;
      }
      auto listing = fresh.list_dir(p);
      EXPECT_EQ(listing.ok(), dir) << p << " mode " << mode;
    }
    EXPECT_EQ(fresh.read_file("/t/a/b/etc-link/hostname").value_or("?"), "fixture-host");
    auto via_link = fresh.list_dir("/t/a/to-b");
    auto direct = fresh.list_dir("/t/a/b");
    ASSERT_TRUE(via_link.ok() && direct.ok());
    EXPECT_EQ(via_link->size(), direct->size());
    auto etc = fresh.list_dir("/t/a/b/etc-link");
    ASSERT_TRUE(etc.ok()) << etc.error();
    // The root's /etc (alternatives and hostname), not the build machine's.
    ASSERT_EQ(etc->size(), 2u);
    EXPECT_EQ(etc->front().name, "alternatives");
    EXPECT_EQ(etc->back().name, "hostname");
    auto not_dir = fresh.list_dir("/t/a/b/file");
    ASSERT_FALSE(not_dir.ok());
    EXPECT_EQ(not_dir.error(), "/t/a/b/file: Not a directory");
    auto missing = fresh.read_file("/t/a/missing/x");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error(), "/t/a/missing/x: No such file or directory");
  }
}

// stat_below() (the kernel cache's stamps, taken on a second thread) answers a file exactly as
// stat_once() does, or leaves it to stat_once(): links on the way under a root (absolute ones
// must not be followed on the build machine), paths that are not plain. Files in link-free
// folders, present or not, it answers itself; asked in any order.
TEST_F(RootedHostTest, StatBelowAnswersLikeStatOnceOrLeavesItToIt) {
  write_link_tree();
  write(root / "t/a/b/deep/er/lib.so", "so");
  write(root / "t/a/c/d/lib2.so", "lib2");
  fs::create_symlink("/t/a/b", root / "t/a/abs-b");
  fs::create_symlink("/etc", root / "t/a/b/etc-link");
  write(root / "etc/hostname", "fixture-host");
  struct Case {
    std::string rel;
    enum { kAnswered, kLeft } want;
  };
  const std::vector<Case> cases = {
      {"b/file", Case::kAnswered},
      {"b/deep/er/lib.so", Case::kAnswered},
      {"c/d/lib2.so", Case::kAnswered},           // a folder run shared with the one before
      {"b/deep/er/missing.so", Case::kAnswered},  // absent
      {"b/file/x", Case::kAnswered},              // a file as a folder: absent
      {"missing/x", Case::kAnswered},             // a missing folder
      {"missing/y", Case::kAnswered},             // the same, remembered
      {"b/dir", Case::kAnswered},                 // a folder (not a stamp, but answered)
      {"to-b/file", Case::kLeft},                 // a folder link on the way
      {"to-b/dir", Case::kLeft},
      {"to-file", Case::kLeft},  // the file itself a link
      {"dangling", Case::kLeft},
      {"abs-b/deep/er/lib.so", Case::kLeft},  // absolute: the root's /t/a/b, not the host's
      {"b/etc-link/hostname", Case::kLeft},
      {"b/../b/file", Case::kLeft},  // not plain
      {"b//file", Case::kLeft},
      {"./b/file", Case::kLeft},
      {"/b/file", Case::kLeft},
      {"", Case::kLeft},
      {"b/deep/er/lib.so", Case::kAnswered},  // again, after the links
  };
  std::vector<std::string_view> rels;
  for (const Case& c : cases) rels.push_back(c.rel);
  for (const char* dir : {"/t/a", "/t/a/to-b/.."}) {  // the folder itself through a link
    RootedHost fresh(root.string());
    std::vector<BelowStat> out(rels.size());
    fresh.stat_below(dir, rels, out);
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const std::string what = std::string(dir) + " " + cases[i].rel;
      EXPECT_EQ(out[i].known, cases[i].want == Case::kAnswered) << what;
      if (!out[i].known) continue;
      const auto once = RootedHost(root.string()).stat_once("/t/a/" + cases[i].rel);
      ASSERT_EQ(out[i].info.has_value(), once.has_value()) << what;
      if (!once) continue;
      EXPECT_EQ(out[i].info->type, once->type) << what;
      if (once->type == FileType::kFile) {
        EXPECT_EQ(out[i].info->size, once->size) << what;
        EXPECT_EQ(out[i].info->mtime_ns, once->mtime_ns) << what;
      }
    }
  }
  // Under "/" the kernel's links are the machine's: relative links are answered too, and
  // everything answered is what stat_once() says.
  RootedHost slash("/");
  const std::string disk_dir = root.string() + "/t/a";
  std::vector<BelowStat> out(rels.size());
  slash.stat_below(disk_dir, rels, out);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string& rel = cases[i].rel;
    if (rel == "to-b/file" || rel == "to-file" || rel == "b/file") {
      EXPECT_TRUE(out[i].known) << rel;
    }
    if (!out[i].known) continue;
    const auto once = slash.stat_once(disk_dir + "/" + rel);
    ASSERT_EQ(out[i].info.has_value(), once.has_value()) << rel;
    if (once && once->type == FileType::kFile) {
      EXPECT_EQ(out[i].info->size, once->size) << rel;
      EXPECT_EQ(out[i].info->mtime_ns, once->mtime_ns) << rel;
    }
  }
  // A folder that is not there answers nothing; nor does a Host without disk files.
  std::vector<BelowStat> none(2);
  std::vector<std::string_view> two = {"a", "b/c"};
  RootedHost(root.string()).stat_below("/no/such/folder", two, none);
  EXPECT_FALSE(none[0].known || none[1].known);
  MemoryHost memory;
  memory.add_file("/x/a", "1");
  memory.stat_below("/x", two, none);
  EXPECT_FALSE(none[0].known || none[1].known);
}

// A path of a thousand components (an odd PATH entry) is resolved without recursing per
// component: no stack to exhaust. One longer than the kernel's PATH_MAX (a garbage .pth line)
// is an error, not megabytes of remembered prefixes.
TEST_F(RootedHostTest, DeepAndOverlongPaths) {
  std::string deep;
  for (int i = 0; i < 1000; ++i) deep += "/usr";  // 4,000 bytes
  auto canon = host->canonical(deep);
  ASSERT_TRUE(canon.ok()) << canon.error();
  EXPECT_EQ(*canon, deep);
  EXPECT_FALSE(host->exists(deep));
  std::string overlong;
  for (int i = 0; i < 50000; ++i) overlong += "/usr";
  auto too_long = host->canonical(overlong);
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.error().find("longer than 4096 bytes"), std::string::npos) << too_long.error();
  EXPECT_FALSE(host->exists(overlong));
  EXPECT_FALSE(host->read_file(overlong).ok());
}

TEST_F(RootedHostTest, ReadErrorsNameThePath) {
  auto missing = host->read_file("/no/such/file");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "/no/such/file: No such file or directory");
  auto dir = host->read_file("/usr/local/cuda");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error(), "/usr/local/cuda: Is a directory");
  auto dangling = host->read_file("/dangling");
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.error().find("/dangling"), std::string::npos);
  auto big = host->read_file("/usr/local/cuda/version.json", 3);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().find("larger than 3 bytes"), std::string::npos);
  EXPECT_FALSE(host->list_dir("/usr/local/cuda/version.json").ok());
  EXPECT_FALSE(host->list_dir("/missing").ok());
  EXPECT_FALSE(host->read_link("/usr/local/cuda-13.0").ok());
}

TEST_F(RootedHostTest, FifoIsAnErrorNotAHang) {
  ASSERT_EQ(mkfifo((root / "fifo").c_str(), 0600), 0);
  auto t0 = std::chrono::steady_clock::now();
  auto r = host->read_file("/fifo");
  EXPECT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

TEST_F(RootedHostTest, UnreadableFileIsAnError) {
  write(root / "private", "x");
  fs::permissions(root / "private", fs::perms::none);
  if (geteuid() == 0) GTEST_SKIP() << "running as root: file permissions do not stop reads";
  auto r = host->read_file("/private");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("Permission denied"), std::string::npos) << r.error();
}

TEST_F(RootedHostTest, ListsEntriesSortedWithTheirOwnTypes) {
  auto entries = host->list_dir("/usr/local");
  ASSERT_TRUE(entries.ok()) << entries.error();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].name, "cuda");
  EXPECT_EQ((*entries)[0].type, FileType::kSymlink);
  EXPECT_EQ((*entries)[1].name, "cuda-13.0");
  EXPECT_EQ((*entries)[1].type, FileType::kDirectory);
  EXPECT_TRUE(host->list_dir("/empty")->empty());
  std::uint64_t before = host->reads();
  (void)host->read_file("/secret");
  EXPECT_EQ(host->reads(), before + 1);
}

TEST_F(RootedHostTest, EnvironmentIsTheOneGiven) {
  EXPECT_EQ(host->env("HOME").value_or("?"), "/root");
  EXPECT_FALSE(host->env("USER").has_value());
  EXPECT_EQ(host->env_all().size(), 2u);
}

TEST_F(RootedHostTest, RelativeRootIsRelativeToTheWorkingDirectory) {
  fs::path old = fs::current_path();
  fs::current_path(base);
  RootedHost relative("root");
  fs::current_path(old);
  EXPECT_EQ(relative.root(), root.string());
  EXPECT_EQ(relative.read_file("/secret").value_or("?"), "inside");
}

// run() uses the real "/" (programs of this machine).
TEST(RootedHostRun, CapturesOutputAndExitCodes) {
  RootedHost host("/", std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"}});
  RunResult ok = host.run({"sh", "-c", "echo out; echo err >&2; exit 3"}, 5000);
  EXPECT_EQ(ok.exit_code, 3);
  EXPECT_FALSE(ok.timed_out);
  EXPECT_EQ(ok.out, "out\n");
  EXPECT_EQ(ok.err, "err\n");
  RunResult big = host.run({"sh", "-c", "head -c 300000 /dev/zero"}, 5000);
  EXPECT_EQ(big.exit_code, 0);
  EXPECT_EQ(big.out.size(), 300000u);  // more than one pipe buffer
  RunResult env = host.run({"sh", "-c", "echo \"$PATH\""}, 5000);
  EXPECT_EQ(env.out, "/usr/bin:/bin\n");
  RunResult missing = host.run({"no-such-program-cudafit"}, 5000);
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_FALSE(missing.err.empty());
  RunResult abs = host.run({"/bin/sh", "-c", "exit 0"}, 5000);
  EXPECT_EQ(abs.exit_code, 0);
  EXPECT_EQ(host.run({}, 100).exit_code, -1);
}

TEST(RootedHostRun, TimeoutKillsTheChildPromptly) {
  RootedHost host("/", std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"}});
  struct Row {
    std::vector<std::string> argv;
  };
  const Row rows[] = {
      {{"sleep", "10"}},
      {{"sh", "-c", "sleep 10 >/dev/null 2>&1"}},   // pipes closed, child keeps running
      {{"sh", "-c", "sleep 10 & sleep 10; wait"}},  // grandchildren hold the pipes
  };
  for (const Row& r : rows) {
    auto t0 = std::chrono::steady_clock::now();
    RunResult res = host.run(r.argv, 300);
    auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    EXPECT_TRUE(res.timed_out) << r.argv.back();
    EXPECT_EQ(res.exit_code, -1) << r.argv.back();
    EXPECT_GE(ms, 290) << r.argv.back();
    EXPECT_LT(ms, 300 + 800)
        << r.argv.back();  // under a second past the limit, even on a busy machine
  }
}

}  // namespace
}  // namespace cudafit

namespace cudafit {
namespace {

// read_head: the first bytes of a file, without reading the rest (cuda.h is a megabyte).
TEST(RootedHostHead, ReadsOnlyThePrefix) {
  fs::path dir = make_temp_dir("cudafit-head");
  ASSERT_FALSE(dir.empty());
  std::string big(300000, 'x');
  big.replace(100, 7, "VERSION");
  write(dir / "big.h", big);
  write(dir / "small.h", "tiny");
  RootedHost host(dir.string(), std::map<std::string, std::string>{});
  auto head = host.read_head("/big.h", 4096);
  ASSERT_TRUE(head.ok()) << head.error();
  EXPECT_EQ(head->size(), 4096u);
  EXPECT_EQ(head->substr(100, 7), "VERSION");
  EXPECT_EQ(host.read_head("/small.h", 4096).value_or("?"), "tiny");
  EXPECT_EQ(host.read_head("/big.h", 0).value_or("?"), "");
  EXPECT_FALSE(host.read_head("/missing.h", 10).ok());
  EXPECT_FALSE(host.read_head("/", 10).ok());
  // The whole-file read still refuses what is over its limit, and reads the rest in full.
  EXPECT_FALSE(host.read_file("/big.h", 1000).ok());
  EXPECT_EQ(host.read_file("/big.h").value_or("").size(), big.size());
  // /proc files state size 0: read in steps to the end.
  RootedHost machine("/");
  auto status = machine.read_file("/proc/self/status");
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->find("VmRSS"), std::string::npos);
  EXPECT_EQ(machine.read_head("/proc/self/status", 5).value_or("?"), "Name:");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cudafit
