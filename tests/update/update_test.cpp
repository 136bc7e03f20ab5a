// `cudafit update` end to end, against the test server's recorded answers: a data set cut at
// torch 2.11 brought up to 2.15 (and the new rows compared with the built-in ones), a second
// update that transfers almost nothing, a synthetic torch 2.16.0 that `install` then picks and
// `matrix` shows with its sources, --deep, PEP 658, --dry-run, --offline, proxies, and the
// binary's own dependencies.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "cli/cli_run.h"
#include "kb/overlay.h"
#include "test_util.h"
#include "util/csv.h"

namespace cudafit {
namespace {

using testing::CliRun;
using testing::data_copy;
using testing::env_in;
using testing::overlay_files;
using testing::read_text;
using testing::run;
using testing::TempDir;
using testing::TestServer;

class Update : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(TestServer::get().ok()) << "tests/update/server.py did not start";
  }
  TestServer& server = TestServer::get();
};

// The overlay's rows, file by file, as records.
std::map<std::string, std::vector<CsvRecord>> overlay_rows(const TempDir& home) {
  std::map<std::string, std::vector<CsvRecord>> out;
  for (const auto& [name, text] : overlay_files(home)) {
    if (name == kOverlayManifestFile) continue;
    auto t = parse_csv(text, name);
    if (!t) continue;
    for (const auto& row : t->rows) {
      CsvRecord r;
      for (std::size_t i = 0; i < t->header.size(); ++i)
        r.emplace(std::string(t->header[i]), std::string(row.fields[i]));
      out[name].push_back(std::move(r));
    }
  }
  return out;
}

std::uint64_t bytes_sent_since(std::size_t mark) {
  std::uint64_t n = 0;
  for (const auto& e : TestServer::get().log_since(mark)) n += e["bytes"].get<std::uint64_t>();
  return n;
}

bool in_215_range(const std::string& torch) {
  auto v = Pep440Version::parse(torch);
  return v && *v >= *Pep440Version::parse("2.12.0") && *v <= *Pep440Version::parse("2.15.0");
}

// Acceptance: the data cut at torch 2.11, brought up to 2.15 from the recorded answers; every
// new row of 2.12-2.15 says what the built-in row says, or less (then listed).
TEST_F(Update, ACutDataSetIsBroughtUpTo215LikeTheBuiltInRows) {
  TempDir home, work;
  std::string data = data_copy(work, "2.11.0");
  ASSERT_FALSE(data.empty());
  CliRun r = run({"--data", data, "update"}, env_in(home));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("wrote "), std::string::npos) << r.out;

  auto rows = overlay_rows(home);
  // The index URL is the test server's: as download.pytorch.org's for the comparison.
  const std::string served = server.url() + "/whl";
  for (auto& v : rows["torch-variants.csv"]) {
    auto& url = v["index_url"];
    if (url.rfind(served, 0) == 0)
      url = "https://download.pytorch.org/whl" + url.substr(served.size());
  }
  OverlayBase builtin(**KnowledgeBase::embedded());
  // The columns the acceptance compares, per file; a difference anywhere else is a failure too.
  std::set<std::string> said_more;  // "file column": cells only the built-in row has
  int compared = 0;
  for (const auto& [file, list] : rows) {
    for (const auto& row : list) {
      std::string torch = row.count("torch")        ? row.at("torch")
                          : row.count("torch_from") ? row.at("torch_from")
                                                    : "";
      bool companion = file == "torch-companion-releases.csv";
      if (!companion && !in_215_range(torch)) continue;
      if (file == "frameworks.csv") continue;  // triton: below
      RowCheck c = builtin.check(file, row);
      ++compared;
      EXPECT_NE(c.standing, RowStanding::kNew)
          << file << " " << torch << ": no such built-in row (" << row.at("source") << ")";
      EXPECT_TRUE(c.conflicts.empty()) << file << " " << torch << " vs " << c.builtin << ": "
                                       << ::testing::PrintToString(c.conflicts);
      for (const auto& more : c.builtin_more)
        said_more.insert(file + " " + more.substr(0, more.find(':')));
    }
  }
  EXPECT_GT(compared, 80);
  // What only the built-in rows say (RELEASE.md, generate_binary_build_matrix.py and measured
  // wheels, which update does not read): listed here, and nothing else.
  const std::set<std::string> expected = {
      "torch-releases.csv pythons",  // RELEASE.md's ranges
      "torch-releases.csv pythons_experimental",
      "torch-variants.csv status",  // stable/experimental: RELEASE.md's word
      "torch-variants.csv cudnn",   // non-default variants: RELEASE.md's pins
      "torch-variants.csv nccl",
  };
  for (const auto& m : said_more) EXPECT_TRUE(expected.count(m)) << "the built-in says more: " << m;
  // Every built-in variant of 2.12-2.15 and its platforms, and every wheel set, is in the
  // overlay (the reconstructed index pages list them; cu132 arch lists are not assumable: the
  // cut data has none before 2.12).
  std::set<std::string> have;
  for (const auto& v : rows["torch-variants.csv"])
    have.insert(v.at("torch") + " " + v.at("variant") + " " + v.at("platforms"));
  for (const auto& w : rows["torch-wheels.csv"])
    have.insert(w.at("torch") + " " + w.at("index") + " " + w.at("platform") + " " +
                w.at("pythons"));
  auto full = *KnowledgeBase::embedded();
  for (const auto& v : full->torch_variants()) {
    if (!in_215_range(v.torch.str())) continue;
    std::string platforms;
    for (Platform p : v.platforms)
      platforms += (platforms.empty() ? "" : " ") + std::string(to_string(p));
    EXPECT_TRUE(have.count(v.torch.str() + " " + v.variant + " " + platforms))
        << v.torch.str() << " " << v.variant << " " << platforms << " (" << v.from.where() << ")";
  }
  for (const auto& w : full->torch_wheel_sets()) {
    if (!in_215_range(w.torch.str()) || !w.known()) continue;
    std::string tags;
    for (const auto& t : w.pythons) tags += (tags.empty() ? "" : " ") + t;
    EXPECT_TRUE(have.count(w.torch.str() + " " + w.index + " " +
                           std::string(to_string(w.platform)) + " " + tags))
        << w.torch.str() << " " << w.index << " " << to_string(w.platform) << " " << tags << " ("
        << w.from.where() << ")";
  }
  // The default variant and its CUDA, per release (torch-releases.csv / torch-variants.csv).
  for (const auto& rel : rows["torch-releases.csv"]) {
    const TorchRelease* b = full->torch_release(*Pep440Version::parse(rel.at("torch")));
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(rel.at("pypi_default_variant"), b->pypi_default_variant) << rel.at("torch");
  }
  // triton: the pins the built-in data has for these releases are the METADATA's.
  for (const auto& f : rows["frameworks.csv"]) {
    if (f.at("framework") != "triton" || f.at("torch").empty()) continue;
    for (const auto& b : full->frameworks())
      if (b.framework == "triton" && b.torch == f.at("torch")) {
        EXPECT_EQ(b.version, f.at("version")) << "torch " << f.at("torch");
      }
  }

  // A second update with nothing new: a few hundred bytes a page.
  std::size_t mark = server.log_size();
  CliRun again = run({"--data", data, "update"}, env_in(home));
  ASSERT_EQ(again.code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("nothing new"), std::string::npos) << again.out;
  EXPECT_LT(bytes_sent_since(mark), 50u << 10);
}

// Acceptance: a synthetic torch 2.16.0 (cu132, server.py's plus216) on the full data.
TEST_F(Update, ANewReleaseIsPickedByInstallAndShownByMatrix) {
  TempDir home, work;
  std::string data = data_copy(work, "", "plus216");
  CliRun u = run({"--data", data, "update"}, env_in(home));
  ASSERT_EQ(u.code, 0) << u.out << u.err;
  EXPECT_NE(u.out.find("torch-releases.csv"), std::string::npos) << u.out;
  // The release notes: 13.4 Update 2 and 13.5 GA (synthetic rows) are newer than the data.
  EXPECT_NE(u.out.find("cuda.csv"), std::string::npos) << u.out;

  CliRun i = run({"--data", data, "install", "torch", "torchvision", "--driver", "600.10", "--gpu",
                  "sm_90", "--python", "3.12"},
                 env_in(home));
  ASSERT_EQ(i.code, 0) << i.out << i.err;
  EXPECT_NE(i.out.find("torch 2.16.0 cu132: ok"), std::string::npos) << i.out;
  EXPECT_NE(i.out.find("torchvision==0.31.0"), std::string::npos) << i.out;
  EXPECT_NE(i.out.find("overlay/torch-wheels.csv"), std::string::npos) << i.out;

  CliRun m = run({"--data", data, "matrix", "torch", "--torch", "2.16"}, env_in(home));
  ASSERT_EQ(m.code, 0) << m.out << m.err;
  EXPECT_NE(m.out.find("2.16.0  cu132*"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("update 1"), std::string::npos) << m.out;
  // Its sources: the variant's index page and the PyPI wheel's METADATA, with when.
  EXPECT_NE(m.out.find("/s/plus216/whl/cu132/torch/ (PEP 503)"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("METADATA of torch-2.16.0-"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("fetched 20"), std::string::npos) << m.out;
  CliRun csv =
      run({"--data", data, "matrix", "torch", "--torch", "2.16", "--format", "csv"}, env_in(home));
  EXPECT_NE(csv.out.find("overlay/torch-variants.csv:"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find("cudafit update: "), std::string::npos) << csv.out;

  // --no-overlay: the data alone.
  CliRun none =
      run({"--data", data, "--no-overlay", "matrix", "torch", "--torch", "2.16"}, env_in(home));
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("no torch release matches"), std::string::npos) << none.err;
  CliRun v = run({"--data", data, "--version"}, env_in(home));
  EXPECT_NE(v.out.find("torch up to 2.16.0"), std::string::npos) << v.out;
  EXPECT_TRUE(
      std::regex_search(v.out, std::regex(R"(overlay: \d+ row\(s\) from `cudafit update` of 20)")))
      << v.out;
  CliRun v2 = run({"--data", data, "--no-overlay", "--version"}, env_in(home));
  EXPECT_NE(v2.out.find("torch up to 2.15.0"), std::string::npos) << v2.out;
  EXPECT_EQ(v2.out.find("overlay"), std::string::npos) << v2.out;
}

TEST_F(Update, DeepReadsTheArchListFromTheWheelsCudaLibrary) {
  // The synthetic wheel's torch/lib/libtorch_cuda.so is tests/binary/fixtures/multi.so: two
  // fatbin containers, sm_80 in both, sm_90 in one (nvcc 13.0): its arch list is 8.0.
  TempDir home, work;
  std::string data = data_copy(work, "", "plus216");
  std::size_t mark = server.log_size();
  CliRun u = run({"--data", data, "update", "--deep"}, env_in(home));
  ASSERT_EQ(u.code, 0) << u.out << u.err;
  bool measured = false;
  auto rows = overlay_rows(home);
  for (const auto& a : rows["torch-arch-lists.csv"]) {
    if (a.at("torch_from") != "2.16.0" || a.at("platform") != "linux-x86_64") continue;
    EXPECT_EQ(a.at("sass"), "8.0");
    EXPECT_NE(a.at("source").find("measured (--deep): fatbins of torch/lib/libtorch_cuda.so"),
              std::string::npos)
        << a.at("source");
    measured = true;
  }
  EXPECT_TRUE(measured) << u.out;
  // Only ranges of the wheel were asked for, never the whole 3 MB file.
  for (const auto& e : server.log_since(mark))
    if (e["path"].get<std::string>().find("torch-2.16.0") != std::string::npos) {
      EXPECT_EQ(e["status"].get<int>(), 206) << e.dump();
    }
}

TEST_F(Update, Pep658MetadataIsReadWhenOfferedAndGivesTheSameRows) {
  TempDir with, without, work;
  std::string plain = data_copy(work, "", "plus216");
  ASSERT_EQ(run({"--data", plain, "update"}, env_in(without)).code, 0);
  TempDir work2;
  std::string pep658 = data_copy(work2, "", "plus216,pep658");
  std::size_t mark = server.log_size();
  CliRun u = run({"--data", pep658, "update"}, env_in(with));
  ASSERT_EQ(u.code, 0) << u.out << u.err;
  int metadata = 0;
  for (const auto& e : server.log_since(mark)) {
    std::string path = e["path"];
    if (path.ends_with(".metadata")) ++metadata;
    EXPECT_TRUE(e["range"].is_null()) << "a Range request while PEP 658 files are there: " << path;
  }
  EXPECT_GT(metadata, 3);
  // The same facts; only where they were read differs.
  auto a = overlay_rows(with), b = overlay_rows(without);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [file, list] : a) {
    ASSERT_EQ(list.size(), b[file].size()) << file;
    for (std::size_t k = 0; k < list.size(); ++k)
      for (const auto& [col, value] : list[k]) {
        if (col == "source" || col == "fetched" || col == "index_url") continue;
        EXPECT_EQ(value, b[file][k].at(col)) << file << " " << col;
      }
  }
}

TEST_F(Update, ARowThatContradictsTheDataIsListedAndNotApplied) {
  // The data cut at 2.11, with one row of its own for 2.12.1 cu130 that says Linux x86_64 only
  // (the reconstructed index, as the built-in data, has aarch64 wheels too).
  TempDir home, work;
  std::string data = data_copy(work, "2.11.0");
  {
    std::ofstream(data + "/torch-variants.csv", std::ios::app)
        << "2.12.1,cu130,13.0,,https://download.pytorch.org/whl/cu130,stable,,,linux-x86_64,"
           "a test's own row,\n";
  }
  CliRun r = run({"--data", data, "update", "--dry-run"}, env_in(home));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::regex conflict(
      R"(torch-variants\.csv +2\.12\.1 cu130 +conflict +not applied: .*platforms: data )"
      R"(linux-x86_64, row linux-x86_64 linux-aarch64)");
  EXPECT_TRUE(std::regex_search(r.out, conflict)) << r.out;
  EXPECT_NE(r.out.find("1 contradicting the data (not applied)"), std::string::npos) << r.out;
  // Written for real, the data's row stands: its platforms, not the overlay's.
  ASSERT_EQ(run({"--data", data, "update"}, env_in(home)).code, 0);
  CliRun m = run({"--data", data, "matrix", "torch", "--torch", "2.12.1", "--format", "csv"},
                 env_in(home));
  auto at = m.out.find("\n2.12.1,cu130,stable,");
  ASSERT_NE(at, std::string::npos) << m.out;
  std::string line = m.out.substr(at + 1, m.out.find('\n', at + 1) - at - 1);
  EXPECT_EQ(line.find("aarch64"), std::string::npos) << line;
}

TEST_F(Update, DryRunPrintsTheDiffAndWritesNothing) {
  TempDir home, work;
  std::string data = data_copy(work, "", "plus216");
  CliRun r = run({"--data", data, "update", "--dry-run"}, env_in(home));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("file"), std::string::npos);
  EXPECT_NE(r.out.find("torch-releases.csv            2.16.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dry run: nothing written"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(home / "data/cudafit")) << "the overlay was written";
  CliRun json = run({"--data", data, "update", "--dry-run", "--format", "json"}, env_in(home));
  auto doc = nlohmann::json::parse(json.out);
  ASSERT_TRUE(doc.is_array());
  EXPECT_TRUE(doc[0].contains("source"));
}

TEST_F(Update, OfflineSaysSoInOneLineAndChangesNothing) {
  TempDir home, work;
  std::string data = data_copy(work, "", "plus216");
  ASSERT_EQ(run({"--data", data, "update"}, env_in(home)).code, 0);
  auto before = overlay_files(home);
  // No route to the index (a closed port).
  CliRun r = run({"--data", data, "update", "--index-url", "http://127.0.0.1:1/simple"},
                 {{"HOME", home.path()},
                  {"XDG_DATA_HOME", home / "data"},
                  {"XDG_CACHE_HOME", home / "empty-cache"}});
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("offline: cannot reach http://127.0.0.1:1/simple/"), std::string::npos)
      << r.err;
  EXPECT_EQ(overlay_files(home), before);
  // --offline: the cached answers rebuild the same overlay; nothing is asked.
  std::size_t mark = server.log_size();
  CliRun cached = run({"--data", data, "update", "--offline"}, env_in(home));
  EXPECT_EQ(cached.code, 0) << cached.out << cached.err;
  EXPECT_NE(cached.out.find("nothing new"), std::string::npos) << cached.out;
  EXPECT_EQ(server.log_size(), mark);
  // ... and without them, offline it is.
  CliRun empty =
      run({"--data", data, "update", "--offline"}, {{"HOME", home.path()},
                                                    {"XDG_DATA_HOME", home / "data"},
                                                    {"XDG_CACHE_HOME", home / "other-cache"}});
  EXPECT_EQ(empty.code, 3) << empty.out << empty.err;
  EXPECT_EQ(overlay_files(home), before);
}

TEST_F(Update, AProxyInTheEnvironmentIsUsed) {
  TempDir home, work;
  std::string data = data_copy(work, "", "plus216");
  auto env = env_in(home);
  env["http_proxy"] = "http://127.0.0.1:" + std::to_string(server.port());
  std::size_t mark = server.log_size();
  // pypi.invalid resolves nowhere: only the proxy can answer.
  CliRun r = run({"--data", data, "update", "--index-url", "http://pypi.invalid/s/plus216/simple",
                  "--pytorch-url", "http://pypi.invalid/s/plus216/whl"},
                 env);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  int proxied = 0;
  for (const auto& e : server.log_since(mark)) proxied += e["proxied"].get<bool>();
  EXPECT_GT(proxied, 10);
}

TEST_F(Update, WithoutLibcurlUpdateSaysWhatToInstall) {
  TempDir home, work;
  std::string data = data_copy(work, "", "plus216");
  auto env = env_in(home);
  env["CUDAFIT_LIBCURL"] = "/nonexistent/libcurl.so.4";
  CliRun r = run({"--data", data, "update"}, env);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("needs libcurl"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(home / "data/cudafit"));
}

TEST_F(Update, ADamagedOverlayIsReportedAndIgnored) {
  TempDir home, work;
  std::string data = data_copy(work, "", "plus216");
  ASSERT_EQ(run({"--data", data, "update"}, env_in(home)).code, 0);
  std::ofstream(home / "data/cudafit/overlay/torch-releases.csv", std::ios::app) << "2.17.0,,,\n";
  CliRun v = run({"--data", data, "--version"}, env_in(home));
  EXPECT_EQ(v.code, 0);
  EXPECT_NE(v.out.find("torch up to 2.15.0"), std::string::npos) << v.out;
  EXPECT_NE(v.err.find("the update overlay is damaged and not used"), std::string::npos) << v.err;
  EXPECT_NE(v.err.find("torch-releases.csv"), std::string::npos) << v.err;
  CliRun m = run({"--data", data, "matrix", "torch", "--torch", "2.15"}, env_in(home));
  EXPECT_EQ(m.code, 0) << m.err;
  CliRun quiet = run({"--data", data, "--no-overlay", "--version"}, env_in(home));
  EXPECT_EQ(quiet.err, "");
  // The next update writes a good one again.
  CliRun u = run({"--data", data, "update"}, env_in(home));
  EXPECT_EQ(u.code, 0) << u.out << u.err;
  CliRun v2 = run({"--data", data, "--version"}, env_in(home));
  EXPECT_NE(v2.out.find("torch up to 2.16.0"), std::string::npos) << v2.out << v2.err;
}

// The binary ships in a manylinux wheel: its own dependencies must stay glibc (and zlib); libcurl
// is opened at run time by `update` alone.
std::vector<std::string> needed_libraries(const std::string& path) {
  std::string elf = read_text(path);
  std::vector<std::string> out;
  auto u16 = [&](std::size_t o) {
    std::uint16_t v;
    std::memcpy(&v, elf.data() + o, 2);
    return v;
  };
  auto u32 = [&](std::size_t o) {
    std::uint32_t v;
    std::memcpy(&v, elf.data() + o, 4);
    return v;
  };
  auto u64 = [&](std::size_t o) {
    std::uint64_t v;
    std::memcpy(&v, elf.data() + o, 8);
    return v;
  };
  if (elf.size() < 64 || elf.compare(0, 4,
                                     "\x7f"
                                     "ELF") != 0)
    return out;
  std::uint64_t shoff = u64(0x28);
  std::uint16_t shentsize = u16(0x3a), shnum = u16(0x3c);
  std::uint64_t dyn_off = 0, dyn_size = 0, str_off = 0;
  std::uint32_t dyn_link = 0;
  for (std::uint16_t i = 0; i < shnum; ++i) {
    std::size_t s = shoff + std::size_t{i} * shentsize;
    if (u32(s + 4) == 6) {  // SHT_DYNAMIC
      dyn_off = u64(s + 0x18);
      dyn_size = u64(s + 0x20);
      dyn_link = u32(s + 0x28);
    }
  }
  if (dyn_size == 0) return out;
  str_off = u64(shoff + std::size_t{dyn_link} * shentsize + 0x18);
  for (std::uint64_t p = dyn_off; p + 16 <= dyn_off + dyn_size; p += 16)
    if (u64(p) == 1) out.emplace_back(elf.c_str() + str_off + u64(p + 8));  // DT_NEEDED
  return out;
}

TEST(UpdateBinary, IsNotLinkedToLibcurl) {
  std::string binary = std::string(CUDAFIT_BINARY_DIR) + "/cudafit";
  if (!std::filesystem::exists(binary)) GTEST_SKIP() << binary << " is not built";
  auto needed = needed_libraries(binary);
  ASSERT_FALSE(needed.empty());
  for (const auto& lib : needed) {
    EXPECT_EQ(lib.find("curl"), std::string::npos) << lib;
    // Sanitizer builds keep the shared C++ runtime their runtime expects (CMakeLists.txt).
    if (CUDAFIT_STATIC_RUNTIME) {
      EXPECT_EQ(lib.find("stdc++"), std::string::npos) << lib;
    }
  }
}

}  // namespace
}  // namespace cudafit
