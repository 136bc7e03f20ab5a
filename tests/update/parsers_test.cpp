// The parsers of what update reads: PEP 691 JSON and PEP 503 HTML pages, wheel names, the
// CUDA release notes' Table 3, zip end records and central directories read from a file's end,
// and the pins of a wheel's METADATA. Inputs are the recorded real pages and wheels of
// tests/update/recorded/ (see its README.md) and, for damage, made-up bytes.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>

#include "test_util.h"
#include "update/index_page.h"
#include "update/release_notes.h"
#include "update/remote_zip.h"
#include "update/wheel_metadata.h"
#include "util/strings.h"

namespace cudafit {
namespace {

using testing::kTestsDir;
using testing::read_text;

const std::string kRecorded = kTestsDir + "/recorded";

TEST(Pep691, TheRecordedTorchPageReads) {
  std::string body = read_text(kRecorded + "/pypi/torch.json");
  auto page = parse_pep691_json(body, "https://pypi.org/simple/torch/");
  ASSERT_TRUE(page.ok()) << page.error();
  EXPECT_EQ(page->name, "torch");
  // The recorded page keeps torch 2.10.0 on: 39 + 28 + 28 + 24 + 24 + 24 + 24 + 28 files
  // (tests/update/recorded/pypi/torch.json, PyPI 2026-12-04).
  EXPECT_EQ(page->files.size(), 219u);
  const IndexFile* f = nullptr;
  for (const auto& x : page->files)
    if (x.filename == "torch-2.12.0-cp312-cp312-manylinux_2_28_x86_64.whl") f = &x;
  ASSERT_NE(f, nullptr);
  // Its entry on PyPI: size 532261691, uploaded 2026-05-13T14:52:54.453876Z, >=3.10.
  EXPECT_EQ(f->size, 532261691u);
  EXPECT_EQ(f->upload_time, "2026-05-13T14:52:54.453876Z");
  EXPECT_EQ(f->requires_python, ">=3.10");
  EXPECT_FALSE(f->yanked);
  EXPECT_FALSE(f->has_metadata);  // PyPI here serves no PEP 658 files
  EXPECT_EQ(f->url.find("https://files.pythonhosted.org/"), 0u);
}

TEST(Pep691, FieldsInEachForm) {
  struct Case {
    std::string file;  // one entry of "files"
    bool yanked;
    std::string reason;
    bool metadata;
    std::string requires_python;
  } cases[] = {
      {R"({"filename":"a-1-py3-none-any.whl","url":"a.whl","hashes":{}})", false, "", false, ""},
      {R"({"filename":"a","url":"a","hashes":{},"yanked":true})", true, "", false, ""},
      {R"({"filename":"a","url":"a","hashes":{},"yanked":"broken"})", true, "broken", false, ""},
      {R"({"filename":"a","url":"a","hashes":{},"core-metadata":{"sha256":"ab"}})", false, "", true,
       ""},
      {R"({"filename":"a","url":"a","hashes":{},"core-metadata":false})", false, "", false, ""},
      // PEP 658's first name for it.
      {R"({"filename":"a","url":"a","hashes":{},"dist-info-metadata":true})", false, "", true, ""},
      {R"({"filename":"a","url":"a","hashes":{},"requires-python":null})", false, "", false, ""},
      {R"({"filename":"a","url":"a","hashes":{},"requires-python":">=3.9"})", false, "", false,
       ">=3.9"},
  };
  for (const auto& c : cases) {
    auto page =
        parse_pep691_json(R"({"name":"a","files":[)" + c.file + "]}", "https://pypi.org/simple/a/");
    ASSERT_TRUE(page.ok()) << c.file << ": " << page.error();
    ASSERT_EQ(page->files.size(), 1u);
    const IndexFile& f = page->files[0];
    EXPECT_EQ(f.yanked, c.yanked) << c.file;
    EXPECT_EQ(f.yanked_reason, c.reason) << c.file;
    EXPECT_EQ(f.has_metadata, c.metadata) << c.file;
    EXPECT_EQ(f.requires_python, c.requires_python) << c.file;
    EXPECT_EQ(f.url.find("https://pypi.org/simple/a/"), 0u) << f.url;  // resolved
  }
}

TEST(Pep691, WhatIsNotAPageSaysSo) {
  struct Case {
    std::string body, says;
  } cases[] = {
      {"", "not JSON"},
      {R"({"files": [{"filename": "a", "url")", "not JSON"},  // cut short
      {"[]", "not an object"},
      {R"({"name": "a"})", "no \"files\" array"},
      {R"({"files": {}})", "no \"files\" array"},
      {R"({"files": [1]})", "file 1: not an object"},
      {R"({"files": [{"filename": "a"}]})", "file 1: no filename or url"},
      {"<html><body>not json</body></html>", "not JSON"},
  };
  for (const auto& c : cases) {
    auto page = parse_pep691_json(c.body, "https://x/simple/a/");
    ASSERT_FALSE(page.ok()) << c.body;
    EXPECT_NE(page.error().find(c.says), std::string::npos) << c.body << ": " << page.error();
  }
  auto typed = parse_index_page("{}", "text/plain", "https://x/");
  ASSERT_FALSE(typed.ok());
  EXPECT_NE(typed.error().find("unexpected content type 'text/plain'"), std::string::npos);
}

TEST(Pep503, TheReconstructedPyTorchPageReads) {
  // Reconstructed from data/torch-wheels.csv in download.pytorch.org's format (README.md).
  std::string body = read_text(kRecorded + "/pytorch/cu130/torch/index.html");
  auto page = parse_pep503_html(body, "https://download.pytorch.org/whl/cu130/torch/");
  ASSERT_TRUE(page.ok()) << page.error();
  const IndexFile* f = nullptr;
  for (const auto& x : page->files)
    if (x.filename == "torch-2.12.0+cu130-cp313-cp313t-manylinux_2_28_aarch64.whl") f = &x;
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->url,
            "https://download.pytorch.org/whl/cu130/"
            "torch-2.12.0%2Bcu130-cp313-cp313t-manylinux_2_28_aarch64.whl");
  EXPECT_EQ(f->requires_python, ">=3.10");  // &gt;=3.10 decoded
}

TEST(Pep503, LinksInEachForm) {
  struct Case {
    std::string a, filename, url, requires_python;
    bool yanked, metadata;
  } cases[] = {
      {R"(<a href="/whl/cu130/t-1%2Bcu130-py3-none-any.whl#sha256=ab">t-1+cu130-py3-none-any.whl</a>)",
       "t-1+cu130-py3-none-any.whl", "https://h/whl/cu130/t-1%2Bcu130-py3-none-any.whl", "", false,
       false},
      {R"(<A HREF='../f.whl' data-requires-python='&gt;=3.8,&lt;4'>f.whl</A>)", "f.whl",
       "https://h/simple/f.whl", ">=3.8,<4", false, false},
      {R"(<a href=f.whl data-yanked="">f.whl</a>)", "f.whl", "https://h/simple/t/f.whl", "", true,
       false},
      {R"(<a href="//cdn/x/f.whl" data-dist-info-metadata="sha256=1">f.whl</a>)", "f.whl",
       "https://cdn/x/f.whl", "", false, true},
      {R"(<a href="https://o/f.whl" data-core-metadata>f.whl</a>)", "f.whl", "https://o/f.whl", "",
       false, true},
      // No link text: the URL's last part, decoded.
      {R"(<a href="/d/g-1%2Bcpu-py3-none-any.whl"></a>)", "g-1+cpu-py3-none-any.whl",
       "https://h/d/g-1%2Bcpu-py3-none-any.whl", "", false, false},
      {R"(<a href="&#47;e.whl">e&#46;whl</a>)", "e.whl", "https://h/e.whl", "", false, false},
  };
  for (const auto& c : cases) {
    auto page =
        parse_pep503_html("<html><body>" + c.a + "<br/></body></html>", "https://h/simple/t/");
    ASSERT_TRUE(page.ok()) << c.a;
    ASSERT_EQ(page->files.size(), 1u) << c.a;
    const IndexFile& f = page->files[0];
    EXPECT_EQ(f.filename, c.filename) << c.a;
    EXPECT_EQ(f.url, c.url) << c.a;
    EXPECT_EQ(f.requires_python, c.requires_python) << c.a;
    EXPECT_EQ(f.yanked, c.yanked) << c.a;
    EXPECT_EQ(f.has_metadata, c.metadata) << c.a;
  }
  // Damage: an unclosed tag, a link without href, tags that only look like links.
  for (std::string body : {"<a href=\"x.whl\"", "<a>no href</a>", "<abbr>x</abbr><area href=y>",
                           "<a href=\"", "<<<a"}) {
    auto page = parse_pep503_html(body, "https://h/");
    ASSERT_TRUE(page.ok()) << body;
    EXPECT_TRUE(page->files.empty()) << body;
  }
}

TEST(WheelName, TagsAndPlatforms) {
  struct Case {
    std::string filename, name, version, local, cpython;
    std::optional<Platform> platform;
  } cases[] = {
      {"torch-2.12.0-cp312-cp312-manylinux_2_28_x86_64.whl", "torch", "2.12.0", "", "cp312",
       Platform::kLinuxX86_64},
      {"torch-2.12.0+cu130-cp313-cp313t-manylinux_2_28_aarch64.whl", "torch", "2.12.0+cu130",
       "cu130", "cp313t", Platform::kLinuxAarch64},
      {"torch-1.0.0-cp37-cp37m-win_amd64.whl", "torch", "1.0.0", "", "cp37",
       Platform::kWindowsX86_64},
      {"triton-3.8.0-cp314-cp314-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl", "triton",
       "3.8.0", "", "cp314", Platform::kLinuxX86_64},
      {"jax_cuda12_plugin-0.12.0-cp312-cp312-manylinux_2_27_aarch64.whl", "jax-cuda12-plugin",
       "0.12.0", "", "cp312", Platform::kLinuxAarch64},
      {"torch-2.12.0-cp312-none-macosx_14_0_arm64.whl", "torch", "2.12.0", "", "cp312",
       std::nullopt},
      {"six-1.17.0-py2.py3-none-any.whl", "six", "1.17.0", "", "", std::nullopt},
      {"pkg-1.0-1-cp311-cp311-linux_x86_64.whl", "pkg", "1.0", "", "cp311",
       Platform::kLinuxX86_64},  // a build tag
  };
  for (const auto& c : cases) {
    auto w = parse_wheel_name(c.filename);
    ASSERT_TRUE(w.has_value()) << c.filename;
    EXPECT_EQ(w->name, c.name);
    EXPECT_EQ(w->version, c.version);
    EXPECT_EQ(w->local, c.local);
    EXPECT_EQ(w->cpython.empty() ? "" : w->cpython.front(), c.cpython) << c.filename;
    EXPECT_EQ(w->platform, c.platform) << c.filename;
  }
  for (std::string bad : {"torch-2.12.0.tar.gz", "torch-2.12.0-cp312.whl", "a--b-c-d.whl", ".whl"})
    EXPECT_FALSE(parse_wheel_name(bad).has_value()) << bad;
}

TEST(ResolveUrl, AsBrowsersDo) {
  struct Case {
    std::string base, href, url;
  } cases[] = {
      {"https://h/a/b/", "c.whl", "https://h/a/b/c.whl"},
      {"https://h/a/b/", "../c.whl#sha256=1", "https://h/a/c.whl#sha256=1"},
      {"https://h/a/b/", "/c.whl", "https://h/c.whl"},
      {"https://h/a/b/", "//o/c.whl", "https://o/c.whl"},
      {"https://h/a/b/", "http://o/c.whl", "http://o/c.whl"},
      {"https://h/a/b", "c.whl", "https://h/a/c.whl"},
      {"https://h", "c", "https://h/c"},
      {"https://h/a/", "../../../c", "https://h/c"},  // never above the root
  };
  for (const auto& c : cases) EXPECT_EQ(resolve_url(c.base, c.href), c.url) << c.href;
}

TEST(Table3, TheReconstructedReleaseNotesRead) {
  // Rows as the stored transcript of the 13.2 Update 2 notes prints them (README.md).
  auto rows = parse_table3(read_text(kRecorded + "/nvidia/release-notes.html"));
  ASSERT_TRUE(rows.ok()) << rows.error();
  EXPECT_EQ(rows->size(), 66u);
  struct Case {
    std::string text, series, label, toolkit, linux_driver, windows_driver;
  } cases[] = {
      {"CUDA 13.3 Update 1", "13.3", "Update 1", "", "610.43.02", ""},
      {"CUDA 13.2 Update 2", "13.2", "Update 2", "", "595.71.05", ""},  // Windows: N/A
      {"CUDA 12.8 GA", "12.8", "GA", "", "570.26", "570.65"},
      {"CUDA 11.4.0 GA", "11.4", "GA", "11.4.0", "470.42.01", "471.11"},
      {"CUDA 11.0.1 RC", "11.0", "RC", "11.0.1", "450.36.06", "451.22"},
      {"CUDA 10.2.89", "10.2", "", "10.2.89", "440.33", "441.22"},
      {"CUDA 9.2 (9.2.148 Update 1)", "9.2", "Update 1", "9.2.148", "396.37", "398.26"},
      {"CUDA 10.1 (10.1.105 general release, and updates)", "10.1", "GA and updates", "10.1.105",
       "418.39", "418.96"},
  };
  for (const auto& c : cases) {
    const Table3Row* r = nullptr;
    for (const auto& x : *rows)
      if (x.text == c.text) r = &x;
    ASSERT_NE(r, nullptr) << c.text;
    EXPECT_EQ(r->series.str(), c.series) << c.text;
    EXPECT_EQ(r->label, c.label) << c.text;
    EXPECT_EQ(r->toolkit ? r->toolkit->str() : "", c.toolkit) << c.text;
    EXPECT_EQ(r->linux_driver ? r->linux_driver->str() : "", c.linux_driver) << c.text;
    EXPECT_EQ(r->windows_driver ? r->windows_driver->str() : "", c.windows_driver) << c.text;
  }
}

TEST(Table3, WhatIsNotTheTableSaysSo) {
  for (std::string page : {"", "<html>release notes without tables</html>",
                           "<table><caption>CUDA Toolkit and Corresponding Driver Versions"
                           "</caption><tr><td>not a CUDA row</td><td>x</td></tr></table>",
                           "Corresponding Driver Versions <tr><td>CUDA"}) {
    auto rows = parse_table3(page);
    EXPECT_FALSE(rows.ok()) << page;
  }
}

// ---- Zip archives read from their end ----

// A ByteRanges over bytes in memory, counting what is read.
class MemoryRanges : public ByteRanges {
 public:
  explicit MemoryRanges(std::string data) : data_(std::move(data)) {}
  Result<std::string> read(std::uint64_t offset, std::uint64_t length) override {
    if (offset > data_.size() || length > data_.size() - offset) return make_error("past the end");
    bytes_read += length;
    return data_.substr(offset, length);
  }
  Result<std::string> read_tail(std::uint64_t length) override {
    std::uint64_t n = std::min<std::uint64_t>(length, data_.size());
    bytes_read += n;
    return data_.substr(data_.size() - n);
  }
  std::uint64_t size() const override { return data_.size(); }
  std::uint64_t bytes_read = 0;

 private:
  std::string data_;
};

bool is_metadata(std::string_view n) { return n.ends_with(".dist-info/METADATA"); }

TEST(RemoteZip, TheRealSmallWheelsMetadataFromItsEnd) {
  // cuda_toolkit-13.5.0-py2.py3-none-any.whl from PyPI (2,706 bytes: METADATA, WHEEL, RECORD).
  std::string wheel = read_text(kRecorded + "/wheels/cuda_toolkit-13.5.0-py2.py3-none-any.whl");
  ASSERT_EQ(wheel.size(), 2706u);
  MemoryRanges file(wheel);
  auto m = find_remote_member(file, is_metadata);
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(m->name, "cuda_toolkit-13.5.0.dist-info/METADATA");
  auto text = read_remote_member(file, *m);
  ASSERT_TRUE(text.ok()) << text.error();
  auto meta = parse_wheel_metadata(*text);
  ASSERT_TRUE(meta.ok()) << meta.error();
  EXPECT_EQ(meta->name, "cuda-toolkit");
  EXPECT_EQ(meta->version, "13.5.0");
  // Its directory read from every place a tail can start: mid-entry starts are resynced.
  auto end = parse_zip_end(wheel, wheel.size());
  ASSERT_TRUE(end.ok()) << end.error();
  EXPECT_EQ(end->entries, 3u);
  const std::uint64_t cd_end = end->cd_offset + end->cd_size;
  for (std::uint64_t from = end->cd_offset; from < cd_end; ++from) {
    auto members =
        parse_directory_tail(std::string_view(wheel).substr(from, cd_end - from), from, *end);
    ASSERT_TRUE(members.ok()) << from << ": " << members.error();
    std::size_t expect = from == end->cd_offset ? 3u : members->size();
    EXPECT_EQ(members->size(), expect);
    EXPECT_LE(members->size(), 3u);
  }
}

// A zip made here (stored members, in order), whose fields the tests choose to break.
std::string zip_of(const std::vector<std::pair<std::string, std::string>>& members) {
  auto u16 = [](std::string& s, std::uint16_t v) { s.append({char(v & 255), char(v >> 8)}); };
  auto u32 = [&](std::string& s, std::uint32_t v) {
    u16(s, static_cast<std::uint16_t>(v & 0xffff));
    u16(s, static_cast<std::uint16_t>(v >> 16));
  };
  std::string z, dir;
  for (const auto& [name, content] : members) {
    std::uint32_t crc = static_cast<std::uint32_t>(crc32(
        0, reinterpret_cast<const Bytef*>(content.data()), static_cast<uInt>(content.size())));
    auto size = static_cast<std::uint32_t>(content.size());
    auto offset = static_cast<std::uint32_t>(z.size());
    u32(z, 0x04034b50);
    u16(z, 20), u16(z, 0), u16(z, 0), u16(z, 0), u16(z, 0);
    u32(z, crc), u32(z, size), u32(z, size);
    u16(z, static_cast<std::uint16_t>(name.size())), u16(z, 0);
    z += name + content;
    u32(dir, 0x02014b50);
    u16(dir, 20), u16(dir, 20), u16(dir, 0), u16(dir, 0), u16(dir, 0), u16(dir, 0);
    u32(dir, crc), u32(dir, size), u32(dir, size);
    u16(dir, static_cast<std::uint16_t>(name.size())), u16(dir, 0), u16(dir, 0), u16(dir, 0),
        u16(dir, 0);
    u32(dir, 0), u32(dir, offset);
    dir += name;
  }
  auto cd = static_cast<std::uint32_t>(z.size());
  z += dir;
  u32(z, 0x06054b50);
  u16(z, 0), u16(z, 0), u16(z, static_cast<std::uint16_t>(members.size())),
      u16(z, static_cast<std::uint16_t>(members.size()));
  u32(z, static_cast<std::uint32_t>(dir.size())), u32(z, cd);
  u16(z, 0);
  return z;
}

std::string zip_with(const std::string& name, const std::string& content) {
  return zip_of({{name, content}});
}

TEST(RemoteZip, HostileArchivesAreRefused) {
  const std::string good = zip_with("p-1.dist-info/METADATA", "Name: p\nVersion: 1\n\n");
  {
    MemoryRanges f(good);
    auto m = find_remote_member(f, is_metadata);
    ASSERT_TRUE(m.ok()) << m.error();
    auto t = read_remote_member(f, *m);
    ASSERT_TRUE(t.ok()) << t.error();
  }
  auto patched = [&](std::size_t at, std::uint32_t v) {
    std::string z = good;
    for (int i = 0; i < 4; ++i) z[at + i] = static_cast<char>((v >> (8 * i)) & 255);
    return z;
  };
  const std::size_t eocd = good.size() - 22;
  const std::size_t central = good.rfind(std::string("PK\1\2", 4));
  struct Case {
    const char* what;
    std::string zip;
    const char* says;
  } cases[] = {
      {"the directory past the file's end", patched(eocd + 16, 1u << 30), "outside the file"},
      {"a directory larger than the file", patched(eocd + 12, 1u << 30), "outside the file"},
      {"a member claiming 4 GB", patched(central + 24, 4000000000u), "claims 4000000000 bytes"},
      {"a member whose data lies past the directory", patched(central + 42, 1u << 20),
       "past the central directory"},
      {"a local header somewhere else", patched(central + 42, 4), "no local header"},
      {"no end record", good.substr(0, eocd), "no end of central directory"},
      {"nothing", "", "too short"},
  };
  for (const auto& c : cases) {
    MemoryRanges f(c.zip);
    auto m = find_remote_member(f, is_metadata);
    std::string error = m.ok() ? "" : m.error();
    if (m.ok()) {
      auto t = read_remote_member(f, *m);
      ASSERT_FALSE(t.ok()) << c.what;
      error = t.error();
    }
    EXPECT_NE(error.find(c.says), std::string::npos) << c.what << ": " << error;
  }
}

TEST(RemoteZip, OnlyTheEndAndTheMemberAreRead) {
  // 4,000 members and 8 MB of library before the .dist-info, as a torch wheel has (12,602
  // members, 532 MB): the directory's end and the METADATA member are all that is read.
  std::vector<std::pair<std::string, std::string>> members;
  for (int i = 0; i < 4000; ++i)
    members.emplace_back("torch/include/header_" + std::to_string(i) + ".h", "// x\n");
  members.emplace_back("torch/lib/libtorch_cuda.so", std::string(8u << 20, 'x'));
  members.emplace_back("torch-9.9.dist-info/METADATA", "Name: torch\nVersion: 9.9\n\n");
  members.emplace_back("torch-9.9.dist-info/RECORD", std::string(20000, 'r'));
  MemoryRanges f(zip_of(members));
  auto m = find_remote_member(f, is_metadata);
  ASSERT_TRUE(m.ok()) << m.error();
  auto t = read_remote_member(f, *m);
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(*t, "Name: torch\nVersion: 9.9\n\n");
  EXPECT_LT(f.bytes_read, 20u << 10) << "of " << f.size();
  // Listed first, the member is found by reading the directory backwards, in growing reads.
  std::rotate(members.begin(), members.end() - 2, members.end() - 1);
  MemoryRanges g(zip_of(members));
  auto first = find_remote_member(g, is_metadata);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_LT(g.bytes_read, 600u << 10);
}

// ---- What a METADATA pins ----

TEST(Pins, TheCudaOfEachRecordedTorchWheel) {
  struct Case {
    std::string wheel;
    Platform platform;
    std::string cuda, cudnn, nccl, triton;
  } cases[] = {
      // The recorded METADATA of each PyPI wheel (tests/update/recorded/metadata/): torch 2.12.0
      // pins cuda-toolkit[...]==13.0.2, nvidia-cudnn-cu13==9.20.0.48, nvidia-nccl-cu13==2.29.7,
      // triton==3.7.0, all for platform_system == "Linux".
      {"torch-2.12.0-cp314-cp314-manylinux_2_28_x86_64.whl", Platform::kLinuxX86_64, "13.0",
       "9.20.0.48", "2.29.7", "3.7.0"},
      {"torch-2.12.0-cp314-cp314-manylinux_2_28_aarch64.whl", Platform::kLinuxAarch64, "13.0",
       "9.20.0.48", "2.29.7", "3.7.0"},
      {"torch-2.12.0-cp314-cp314-win_amd64.whl", Platform::kWindowsX86_64, "", "", "", ""},
      // 2.14.0: triton~=3.8.0 (a range), and python_version < "3.15" on it.
      {"torch-2.14.0-cp314-cp314-manylinux_2_28_x86_64.whl", Platform::kLinuxX86_64, "13.0",
       "9.24.0.43", "2.30.7", "~=3.8.0"},
      // 2.15.0: cuda-toolkit==13.2.2 (its default variant is cu132), triton~=3.9.0.
      {"torch-2.15.0-cp315-cp315-manylinux_2_28_x86_64.whl", Platform::kLinuxX86_64, "13.2",
       "9.26.0.51", "2.30.7", "~=3.9.0"},
  };
  for (const auto& c : cases) {
    auto m = parse_wheel_metadata(read_text(kRecorded + "/metadata/" + c.wheel + ".METADATA"));
    ASSERT_TRUE(m.ok()) << c.wheel << ": " << m.error();
    BuildPins p = build_pins(*m, marker_env(c.platform, "3.14"));
    EXPECT_EQ(p.cuda ? p.cuda->str() : "", c.cuda) << c.wheel;
    EXPECT_EQ(p.cudnn, c.cudnn) << c.wheel;
    EXPECT_EQ(p.nccl, c.nccl) << c.wheel;
    EXPECT_EQ(p.triton, c.triton) << c.wheel;
  }
}

TEST(Pins, OlderFormsAndExtras) {
  struct Case {
    std::string requires_dist;
    std::vector<std::string> extras;
    std::string cuda, cudnn;
  } cases[] = {
      // torch 2.7 and before: nvidia-cuda-runtime-cuNN, x86_64 only.
      {"nvidia-cuda-runtime-cu12==12.8.90; platform_system == \"Linux\" and platform_machine == "
       "\"x86_64\"\nnvidia-cudnn-cu12==9.7.1.26; platform_system == \"Linux\" and "
       "platform_machine == \"x86_64\"",
       {},
       "12.8",
       "9.7.1.26"},
      // tensorflow[and-cuda]: pins behind an extra count when it is asked for.
      {"nvidia-cuda-runtime-cu12==12.5.82; extra == \"and-cuda\"\nnvidia-cudnn-cu12==9.3.0.75; "
       "extra == \"and-cuda\"",
       {"and-cuda"},
       "12.5",
       "9.3.0.75"},
      {"nvidia-cuda-runtime-cu12==12.5.82; extra == \"and-cuda\"", {}, "", ""},
      // jax-cuda12-plugin[with-cuda]: ranges.
      {"nvidia-cuda-runtime-cu12>=12.1.105; extra == \"with-cuda\"\nnvidia-cudnn-cu12<10.0,>=9.8; "
       "extra == \"with-cuda\"",
       {"with-cuda"},
       "12.1",
       ""},
  };
  for (const auto& c : cases) {
    std::string text = "Metadata-Version: 2.1\nName: x\nVersion: 1\n";
    for (auto line : split_lines(c.requires_dist))
      text += "Requires-Dist: " + std::string(line) + "\n";
    auto m = parse_wheel_metadata(text + "\n");
    ASSERT_TRUE(m.ok()) << m.error();
    BuildPins p = build_pins(*m, marker_env(Platform::kLinuxX86_64, "3.12"), c.extras);
    EXPECT_EQ(p.cuda ? p.cuda->str() : "", c.cuda) << c.requires_dist;
    EXPECT_EQ(p.cudnn, c.cudnn) << c.requires_dist;
  }
}

TEST(Pins, ACompanionsTorchRequirementAsGenWheelsWritesIt) {
  struct Case {
    std::string requires_dist, written;
  } cases[] = {
      // torch-companion-releases.csv's torch_requirement column (tools/gen_wheels.py).
      {"torch==2.12.0", "torch==2.12.0"},
      {"torch (==2.5.1)", "torch==2.5.1"},
      {"torch>=2.14.0; platform_system == \"Linux\"", "torch>=2.14.0"},
      {"numpy", "none"},
      {"torch", "torch"},
  };
  for (const auto& c : cases) {
    auto m =
        parse_wheel_metadata("Name: x\nVersion: 1\nRequires-Dist: " + c.requires_dist + "\n\n");
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(requirement_on(*m, "torch"), c.written) << c.requires_dist;
  }
}

}  // namespace
}  // namespace cudafit
