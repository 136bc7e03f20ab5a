// The overlay `cudafit update` writes, loaded over the embedded knowledge base: new rows are
// answered with the overlay's provenance, empty cells are filled, what contradicts the data is
// left out and said, and a damaged overlay is refused whole.
#include "kb/overlay.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "kb/kb.h"
#include "util/host.h"

namespace cudafit {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "cudafit-overlay-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The header `cudafit update` writes: the data's columns, and fetched when they lack it.
const char* kReleasesHeader =
    "torch,date,pythons,pythons_experimental,requires_python,torchvision,torchaudio,"
    "pypi_default_variant,source,notes,fetched\n";
const char* kVariantsHeader =
    "torch,variant,cuda,rocm,index_url,status,cudnn,nccl,platforms,source,notes,fetched\n";
const char* kWheelsHeader =
    "torch,index,platform,pythons,requires_python,evidence,uploaded,source,fetched,notes\n";
const char* kArchHeader = "torch_from,torch_to,variant,platform,sass,ptx,source,notes,fetched\n";
const char* kComment = "# an overlay written by the test\n# second comment line\n";

// Writes files (name -> header and rows) and their manifest as `cudafit update` does.
void write_overlay(const std::string& dir, const std::map<std::string, std::string>& files) {
  std::map<std::string, std::string, std::less<>> texts;
  for (const auto& [name, body] : files) texts[name] = kComment + body;
  for (const auto& [name, text] : texts) std::ofstream(dir + "/" + name) << text;
  std::ofstream(dir + "/" + kOverlayManifestFile)
      << overlay_manifest_text(texts, "2026-12-04T14:00:00Z", "test");
}

Result<Overlaid> load(const std::string& dir) {
  RootedHost here("/", std::map<std::string, std::string>{});
  auto o = read_overlay(here, dir);
  if (!o) return make_error(o.error());
  if (!*o) return make_error("no overlay");
  return apply_overlay(*KnowledgeBase::embedded(), **o);
}

const std::map<std::string, std::string> kNewRelease = {
    {"torch-releases.csv",
     std::string(kReleasesHeader) +
         "2.16.0,2026-12-02,,,>=3.11,0.31.0,,cu132,https://pypi.org/simple/torch/,,2026-12-04\n"},
    {"torch-variants.csv",
     std::string(kVariantsHeader) +
         "2.16.0,cu132,13.2,,https://download.pytorch.org/whl/cu132,default-pypi,9.27.0.10,"
         "2.31.4,linux-x86_64,https://pypi.org/simple/torch/,,2026-12-04\n"},
    {"torch-wheels.csv", std::string(kWheelsHeader) +
                             "2.16.0,pypi,linux-x86_64,cp311 cp312,>=3.11,listed,2026-12-02,"
                             "https://pypi.org/simple/torch/,2026-12-04,\n"},
    {"torch-arch-lists.csv",
     std::string(kArchHeader) +
         "2.16.0,2.16.0,cu132,linux-x86_64,7.5 8.0 12.0,,assumed: the list of torch 2.15.0,"
         "assumed,2026-12-04\n"},
};

TEST(Overlay, NewRowsAreAnsweredWithTheOverlaysProvenance) {
  TempDir dir;
  write_overlay(dir.path(), kNewRelease);
  auto o = load(dir.path());
  ASSERT_TRUE(o.ok()) << o.error();
  const KnowledgeBase& kb = *o->kb;
  EXPECT_EQ(o->use.rows, 4);
  EXPECT_TRUE(o->use.ignored.empty());
  EXPECT_EQ(o->use.updated, "2026-12-04T14:00:00Z");
  auto v = *Pep440Version::parse("2.16.0");
  const TorchRelease* r = kb.torch_release(v);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->from.overlay);
  EXPECT_EQ(r->from.file, dir.path() + "/torch-releases.csv");
  EXPECT_EQ(r->from.line, 4);  // two comment lines, the header, then the row
  EXPECT_NE(r->from.source.find("fetched 2026-12-04"), std::string::npos) << r->from.source;
  // The same row (torch_release read it alone from the text; newest_torch parsed the table).
  ASSERT_NE(kb.newest_torch(), nullptr);
  EXPECT_EQ(kb.newest_torch()->version, r->version);
  EXPECT_EQ(kb.newest_torch()->from.file, r->from.file);
  EXPECT_EQ(kb.newest_torch()->from.line, r->from.line);
  // Through the fast paths (one release's rows picked out of the merged text) too.
  const TorchVariant* cu132 = kb.variant(v, "cu132");
  ASSERT_NE(cu132, nullptr);
  EXPECT_TRUE(cu132->from.overlay);
  EXPECT_EQ(cu132->from.line, 4);
  const TorchWheelSet* w = kb.torch_wheels(v, "pypi", Platform::kLinuxX86_64);
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(w->from.overlay);
  EXPECT_TRUE(w->has("cp312"));
  const TorchArchList* a = kb.arch_list(v, "cu132", Platform::kLinuxX86_64);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->from.overlay);
  // The data's own rows keep their files and lines.
  const auto base = *KnowledgeBase::embedded();
  auto v215 = *Pep440Version::parse("2.15.0");
  EXPECT_EQ(kb.torch_release(v215)->from.where(), base->torch_release(v215)->from.where());
  EXPECT_FALSE(kb.torch_release(v215)->from.overlay);
  EXPECT_TRUE(kb.verify().ok()) << kb.verify().error();
}

TEST(Overlay, FillsWhatTheDataLeavesEmptyInPlace) {
  // torch-releases.csv's 2.15.0 row has no torchvision (none was released with it yet).
  const auto base = *KnowledgeBase::embedded();
  auto v215 = *Pep440Version::parse("2.15.0");
  const TorchRelease* before = base->torch_release(v215);
  ASSERT_NE(before, nullptr);
  ASSERT_FALSE(before->torchvision.has_value());
  TempDir dir;
  write_overlay(dir.path(),
                {{"torch-releases.csv",
                  std::string(kReleasesHeader) +
                      "2.15.0,2026-10-28,,,>=3.11,0.30.0,,cu132,torchvision 0.30.0 METADATA,,"
                      "2026-12-04\n"}});
  auto o = load(dir.path());
  ASSERT_TRUE(o.ok()) << o.error();
  EXPECT_EQ(o->use.rows, 1);
  const TorchRelease* after = o->kb->torch_release(v215);
  ASSERT_NE(after, nullptr);
  ASSERT_TRUE(after->torchvision.has_value());
  EXPECT_EQ(after->torchvision->str(), "0.30.0");
  EXPECT_EQ(after->requires_python, before->requires_python);
  EXPECT_TRUE(after->from.overlay);
  // The filled row stays where it was: every other row keeps its line.
  auto v214 = *Pep440Version::parse("2.14.0");
  EXPECT_EQ(o->kb->torch_release(v214)->from.line, base->torch_release(v214)->from.line);
  EXPECT_EQ(o->kb->torch_releases().size(), base->torch_releases().size());
}

TEST(Overlay, RowsThatContradictTheDataAreLeftOutAndSaid) {
  TempDir dir;
  // torch-releases.csv says 2.12.0 was first uploaded 2026-05-13 (PyPI).
  write_overlay(dir.path(),
                {{"torch-releases.csv",
                  std::string(kReleasesHeader) +
                      "2.12.0,2026-05-14,,,>=3.10,0.27.0,,cu130,somewhere else,,2026-12-04\n"}});
  auto o = load(dir.path());
  ASSERT_TRUE(o.ok()) << o.error();
  EXPECT_EQ(o->use.rows, 0);
  ASSERT_EQ(o->use.ignored.size(), 1u);
  EXPECT_NE(o->use.ignored[0].find("date: data 2026-05-13, row 2026-05-14"), std::string::npos)
      << o->use.ignored[0];
  EXPECT_EQ(o->kb->torch_release(*Pep440Version::parse("2.12.0"))->date, "2026-05-13");
}

TEST(Overlay, WheelSetsInferredInTheDataBecomeListedWhenTheListAgrees) {
  // torch-wheels.csv infers 2.12.0 cu126 linux-x86_64 from PyPI's tags.
  const auto base = *KnowledgeBase::embedded();
  auto v = *Pep440Version::parse("2.12.0");
  const TorchWheelSet* inferred = base->torch_wheels(v, "cu126", Platform::kLinuxX86_64);
  ASSERT_NE(inferred, nullptr);
  ASSERT_EQ(inferred->evidence, WheelEvidence::kInferred);
  std::string tags;
  for (const auto& t : inferred->pythons) tags += (tags.empty() ? "" : " ") + t;
  struct Case {
    std::string pythons;
    bool applied;
  } cases[] = {{tags, true}, {"cp310 cp311", false}};
  for (const auto& c : cases) {
    TempDir dir;
    write_overlay(dir.path(), {{"torch-wheels.csv",
                                std::string(kWheelsHeader) + "2.12.0,cu126,linux-x86_64," +
                                    c.pythons + ",>=3.10,listed,,index page,2026-12-04,\n"}});
    auto o = load(dir.path());
    ASSERT_TRUE(o.ok()) << o.error();
    const TorchWheelSet* w = o->kb->torch_wheels(v, "cu126", Platform::kLinuxX86_64);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->evidence, c.applied ? WheelEvidence::kListed : WheelEvidence::kInferred)
        << c.pythons;
    EXPECT_EQ(o->use.ignored.size(), c.applied ? 0u : 1u) << c.pythons;
  }
}

TEST(Overlay, ARowTheDataAlreadyHasIsDroppedSilently) {
  TempDir dir;
  write_overlay(dir.path(),
                {{"torch-releases.csv",
                  std::string(kReleasesHeader) +
                      "2.12.0,2026-05-13,,,>=3.10,0.27.0,,cu130,PyPI again,,2026-12-04\n"}});
  auto o = load(dir.path());
  ASSERT_TRUE(o.ok()) << o.error();
  EXPECT_EQ(o->use.rows, 0);
  EXPECT_TRUE(o->use.ignored.empty());
}

TEST(Overlay, NoManifestIsNoOverlay) {
  TempDir dir;
  RootedHost here("/", std::map<std::string, std::string>{});
  auto o = read_overlay(here, dir.path());
  ASSERT_TRUE(o.ok()) << o.error();
  EXPECT_FALSE(o->has_value());
}

// Each way an overlay can be damaged: it is refused whole, saying which file and why.
TEST(Overlay, ADamagedOverlayIsRefusedWhole) {
  struct Case {
    const char* what;
    std::function<void(const std::string& dir)> damage;
    const char* says;
  } cases[] = {
      {"a file changed after the manifest",
       [](const std::string& d) {
         std::ofstream(d + "/torch-releases.csv", std::ios::app) << "2.16.1,,,,,,,,x,,\n";
       },
       "torch-releases.csv"},
      {"a file cut short",
       [](const std::string& d) {
         std::string p = d + "/torch-variants.csv";
         fs::resize_file(p, fs::file_size(p) / 2);
       },
       "torch-variants.csv"},
      {"a file missing", [](const std::string& d) { fs::remove(d + "/torch-wheels.csv"); },
       "torch-wheels.csv"},
      {"the manifest names another file",
       [](const std::string& d) {
         std::ofstream(d + "/" + kOverlayManifestFile, std::ios::app)
             << "pci-ids.csv,1,1,0000000000000000,2026-12-04T14:00:00Z,test\n";
       },
       "pci-ids.csv"},
  };
  for (const auto& c : cases) {
    TempDir dir;
    write_overlay(dir.path(), kNewRelease);
    c.damage(dir.path());
    auto o = load(dir.path());
    ASSERT_FALSE(o.ok()) << c.what;
    EXPECT_NE(o.error().find(c.says), std::string::npos) << c.what << ": " << o.error();
  }
}

// Rows the manifest vouches for but the data's parsers refuse (a hand-made overlay).
TEST(Overlay, RowsThatDoNotParseMakeTheOverlayDamaged) {
  struct Case {
    std::string file, body, says;
  } cases[] = {
      {"torch-releases.csv",
       std::string(kReleasesHeader) + "2.16..0,2026-12-02,,,,,,cu132,src,,x\n",
       "torch-releases.csv:4: torch"},
      {"torch-variants.csv",
       std::string(kVariantsHeader) + "2.16.0,cu132,13.2,,u,stable,,,mars-x86,src,,x\n",
       "platforms"},
      {"torch-releases.csv", "torch,date,source,fetched\n2.16.0,2026-12-02,src,x\n",
       "missing column 'pythons'"},
      {"torch-releases.csv",
       std::string(kReleasesHeader) + "2.16.0,2026-12-02,,,,,,cu132,\"two\nlines\",,x\n",
       "line break"},
  };
  for (const auto& c : cases) {
    TempDir dir;
    write_overlay(dir.path(), {{c.file, c.body}});
    auto o = load(dir.path());
    ASSERT_FALSE(o.ok()) << c.body;
    EXPECT_NE(o.error().find(c.says), std::string::npos) << o.error();
  }
}

TEST(Overlay, ItsFolderComesFromTheEnvironment) {
  struct Case {
    std::map<std::string, std::string> env;
    std::string dir;
  } cases[] = {
      {{{"XDG_DATA_HOME", "/x/share"}, {"HOME", "/home/u"}}, "/x/share/cudafit/overlay"},
      {{{"HOME", "/home/u"}}, "/home/u/.local/share/cudafit/overlay"},
      // The XDG spec: a relative XDG_DATA_HOME is ignored.
      {{{"XDG_DATA_HOME", "share"}, {"HOME", "/home/u"}}, "/home/u/.local/share/cudafit/overlay"},
      {{}, ""},
  };
  for (const auto& c : cases) {
    MemoryHost h;
    for (const auto& [k, v] : c.env) h.set_env(k, v);
    EXPECT_EQ(overlay_dir_for(h), c.dir);
  }
}

}  // namespace
}  // namespace cudafit
