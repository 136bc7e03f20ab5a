// `install`'s Python rule (issue 14): the wheels that exist decide (data/torch-wheels.csv, read
// from PyPI's file list), never RELEASE.md's ranges; a release whose support is unknown is
// never chosen over one whose support is known, and is said plainly when it is all there is.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "plan/choose.h"
#include "test_kb.h"
#include "verdict/python_wheels.h"

namespace cudafit {
namespace {

using testing::kb;
using testing::machine;

SpecifierSet spec(const std::string& s) { return *SpecifierSet::parse(s); }

TEST(PythonChoice, TheIssueCases) {
  struct Case {
    const char* request;
    const char* driver;  // "none": no driver
    std::vector<std::string> ccs;
    const char* python;
    Platform platform;
    const char* torch;  // "" = nothing fits
    const char* variant;
  } cases[] = {
      // 2.15.0's Requires-Python is >=3.11 and it has no cp310 wheel (torch-wheels.csv, pypi
      // rows of 2.15.0); 2.14.1 has cp310 wheels (its pypi linux-x86_64 row): the newest.
      {"", "590.44.01", {"12.0"}, "3.10", Platform::kLinuxX86_64, "2.14.1", "cu130"},
      // 2.5.1 has cp313 Linux wheels: PyPI's list, and cu124's index page copied in
      // astral-sh/uv#10843 (RELEASE.md calls 3.13 experimental for 2.5).
      {"==2.5.*", "550.127.05", {"5.0"}, "3.13", Platform::kLinuxX86_64, "2.5.1", "cu124"},
      // 1.13.1 has cp311 Linux wheels on PyPI (RELEASE.md: 3.7-3.10).
      {"==1.13.*", "535.104.05", {"8.6"}, "3.11", Platform::kLinuxX86_64, "1.13.1", "cu117"},
      // 2.2.2 has cp312 wheels on PyPI (RELEASE.md: 3.8-3.11).
      {"==2.2.*", "535.104.05", {"8.6"}, "3.12", Platform::kLinuxX86_64, "2.2.2", "cu121"},
      // No GPU, Python 3.13: 1.11 has no cp313 wheel (its pypi row: cp37-cp310); 2.5.1 does.
      {"<2.6", "none", {}, "3.13", Platform::kLinuxX86_64, "2.5.1", "cpu"},
      // No 1.8.x has a cp311 wheel (1.8.0/1.8.1 pypi rows: cp36-cp39; 1.8.2 inferred from
      // 1.8.1).
      {"==1.8.*", "418.87.01", {"7.5"}, "3.11", Platform::kLinuxX86_64, "", ""},
      // Windows: PyPI's 2.5.1 win_amd64 wheels stop at cp312.
      {"==2.5.*", "560.94", {"8.6"}, "3.13", Platform::kWindowsX86_64, "", ""},
      // Free-threaded Python is its own tag: 2.7.1 has cp313t wheels; 2.12.1 dropped them.
      {"==2.7.*", "570.124.06", {"8.6"}, "3.13t", Platform::kLinuxX86_64, "2.7.1", "cu128"},
      {"==2.12.1", "590.44.01", {"8.6"}, "3.13t", Platform::kLinuxX86_64, "", ""},
  };
  for (const auto& c : cases) {
    TargetMachine m = machine(c.driver, c.ccs, c.python, c.platform);
    InstallPlan p = choose_build(kb(), m, spec(c.request), std::string("torch") + c.request,
                                 CompatPolicy::kDefault);
    std::string label = std::string(c.request) + " Python " + c.python;
    if (*c.torch == '\0') {
      EXPECT_FALSE(p.found) << label << ": chose " << p.chosen.release->version.str();
      EXPECT_NE(p.nothing_fits.find("Python " + std::string(c.python)), std::string::npos)
          << label << ": " << p.nothing_fits;
      continue;
    }
    ASSERT_TRUE(p.found) << label << ": " << p.nothing_fits;
    EXPECT_EQ(p.chosen.release->version.str(), c.torch) << label;
    EXPECT_EQ(p.chosen.variant->variant, c.variant) << label;
    bool named = false;
    for (const auto& w : p.chosen.verdict.why)
      named = named || w.find("has a wheel for Python") != std::string::npos;
    EXPECT_TRUE(named) << label << ": the wheel row is not named";
  }
}

TEST(PythonChoice, AnswersNameTheRowAndTheEvidence) {
  const TorchVariant* v = kb().variant(*Pep440Version::parse("2.15.0"), "cu132");
  ASSERT_NE(v, nullptr);
  PythonWheelAnswer a = python_wheel_for(kb(), *v, Platform::kLinuxX86_64, "3.10");
  EXPECT_EQ(a.fit, PythonFit::kNo);
  EXPECT_NE(a.why.find("torch-wheels.csv:"), std::string::npos) << a.why;
  PythonWheelAnswer yes = python_wheel_for(kb(), *v, Platform::kLinuxX86_64, "3.12.4");
  EXPECT_EQ(yes.fit, PythonFit::kYes) << yes.why;
  EXPECT_EQ(yes.tag, "cp312");
  EXPECT_EQ(cpython_tag("3.13t"), "cp313t");
  EXPECT_EQ(cpython_tag("python"), "");
}

// A copy of data/ with overlay rows appended to torch-wheels.csv (a later row of the same
// key replaces the earlier one, as `cudafit update` will write them).
class Overlay {
 public:
  explicit Overlay(const std::vector<std::string>& rows) {
    namespace fs = std::filesystem;
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("cudafit-wheels-" + std::to_string(rd()));
    fs::create_directories(dir_);
    for (const auto& e : fs::directory_iterator(std::string(CUDAFIT_SOURCE_DIR) + "/data"))
      fs::copy_file(e.path(), dir_ / e.path().filename());
    std::ofstream out(dir_ / "torch-wheels.csv", std::ios::app);
    for (const auto& r : rows) out << r << "\n";
    out.close();
    auto loaded = KnowledgeBase::load_dir(dir_.string());
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error());
    if (loaded.ok()) kb_ = *loaded;
  }
  ~Overlay() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const KnowledgeBase& kb() const { return *kb_; }

 private:
  std::filesystem::path dir_;
  std::shared_ptr<const KnowledgeBase> kb_;
};

std::string unknown_row(const char* torch, const char* index) {
  return std::string(torch) + "," + index +
         ",linux-x86_64,,,unknown,,test overlay,2026-12-04,the test pretends this index was "
         "never read";
}

// An unknown set is never picked over a known one: 2.5.1's cpu set unknown, 2.5.0's known
// (cp313 on PyPI) -> 2.5.0, and 2.5.1 is named among the skipped with the reason.
TEST(PythonChoice, UnknownIsNeverPickedOverKnown) {
  Overlay o({unknown_row("2.5.1", "cpu")});
  InstallPlan p = choose_build(o.kb(), machine("none", {}, "3.13"), spec("<2.6"), "torch<2.6",
                               CompatPolicy::kDefault);
  ASSERT_TRUE(p.found) << p.nothing_fits;
  EXPECT_EQ(p.chosen.release->version.str(), "2.5.0");
  ASSERT_FALSE(p.skipped.empty());
  EXPECT_NE(p.skipped.front().find("torch 2.5.1: whether torch 2.5.1 cpu has a wheel for "
                                   "Python 3.13 on Linux x86_64 is unknown"),
            std::string::npos)
      << p.skipped.front();
  EXPECT_TRUE(p.notes.empty());
}

// When unknown is all there is, it is chosen and said plainly.
TEST(PythonChoice, UnknownAllThereIsIsSaidPlainly) {
  Overlay o({unknown_row("2.5.1", "cpu"), unknown_row("2.5.0", "cpu")});
  InstallPlan p = choose_build(o.kb(), machine("none", {}, "3.13"), spec("<2.6"), "torch<2.6",
                               CompatPolicy::kDefault);
  ASSERT_TRUE(p.found) << p.nothing_fits;
  EXPECT_EQ(p.chosen.release->version.str(), "2.5.1");
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_NE(p.notes[0].find("no release matching torch<2.6 is known to have a wheel for "
                            "Python 3.13"),
            std::string::npos)
      << p.notes[0];
  EXPECT_NE(p.notes[0].find("is unknown: the test pretends"), std::string::npos) << p.notes[0];
  bool caveat = false;
  for (const auto& c : p.chosen.verdict.caveats)
    caveat = caveat || c.find("unknown") != std::string::npos;
  EXPECT_TRUE(caveat);
}

// A partial set: the tags it lists exist; any other is unknown, not "no".
TEST(PythonChoice, PartialSetLeavesOtherPythonsUnknown) {
  Overlay o({"2.5.1,cpu,linux-x86_64,cp39,,partial,,test overlay,2026-12-04,only cp39 seen"});
  const TorchVariant* v = o.kb().variant(*Pep440Version::parse("2.5.1"), "cpu");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(python_wheel_for(o.kb(), *v, Platform::kLinuxX86_64, "3.9").fit, PythonFit::kYes);
  PythonWheelAnswer a = python_wheel_for(o.kb(), *v, Platform::kLinuxX86_64, "3.13");
  EXPECT_EQ(a.fit, PythonFit::kUnknown);
  EXPECT_NE(a.why.find("only 3.9 are known to exist"), std::string::npos) << a.why;
}

}  // namespace
}  // namespace cudafit
