// The Python wheel sets (torch-wheels.csv), the companion releases
// (torch-companion-releases.csv) and the driver branches' first releases: their invariants
// over the whole embedded copy, and the queries other modules build on.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "kb/kb.h"
#include "versions/requirement.h"

namespace cudafit {
namespace {

const KnowledgeBase& kb() {
  static auto loaded = KnowledgeBase::embedded();
  return **loaded;
}

Pep440Version v(const char* text) { return *Pep440Version::parse(text); }

constexpr Platform kPlatforms[] = {Platform::kLinuxX86_64, Platform::kLinuxAarch64,
                                   Platform::kWindowsX86_64};

// The releases that have neither a Linux x86_64 Python tag set (from PyPI or one of their
// variants' indexes) nor an "unknown" row that says why.
std::vector<std::string> releases_without_tags_or_reason(const KnowledgeBase& k) {
  std::vector<std::string> out;
  for (const auto& r : k.torch_releases()) {
    bool tags = false, unknown_with_reason = false;
    std::vector<const TorchWheelSet*> rows;
    if (auto* pypi = k.torch_wheels(r.version, "pypi", Platform::kLinuxX86_64))
      rows.push_back(pypi);
    for (const TorchVariant* var : k.variants_of(r.version))
      if (auto* w = k.torch_wheels(r.version, var->variant, Platform::kLinuxX86_64))
        rows.push_back(w);
    for (const TorchWheelSet* w : rows) {
      tags = tags || w->known();
      unknown_with_reason =
          unknown_with_reason || (w->evidence == WheelEvidence::kUnknown && !w->notes.empty());
    }
    if (!tags && !unknown_with_reason) out.push_back(r.version.str());
  }
  return out;
}

// The acceptance rule of issue 14: every release 1.0 -> newest has a Python tag set on Linux
// x86_64, or says plainly why it is unknown.
TEST(WheelSets, EveryReleaseHasATagSetOrAnUnknownWithItsReason) {
  auto missing = releases_without_tags_or_reason(kb());
  EXPECT_TRUE(missing.empty()) << "no Python tag set and no reason: " << missing.front();
}

// ... and the rule catches a release whose rows were emptied without a reason (an overlay
// of data/ whose 2.5.1 Linux x86_64 rows say "unknown" and nothing else).
TEST(WheelSets, TheRuleCatchesAnEmptySetWithoutReason) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("cudafit-wheels-rule-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(std::string(CUDAFIT_SOURCE_DIR) + "/data"))
    fs::copy_file(e.path(), dir / e.path().filename(), fs::copy_options::overwrite_existing);
  {
    std::ofstream out(dir / "torch-wheels.csv", std::ios::app);
    for (const char* index : {"pypi", "cpu", "cu118", "cu121", "cu124", "rocm6.1", "rocm6.2"})
      out << "2.5.1," << index << ",linux-x86_64,,,unknown,,test overlay,2026-12-04,\n";
  }
  auto k = KnowledgeBase::load_dir(dir.string());
  std::error_code ec;
  fs::remove_all(dir, ec);
  ASSERT_TRUE(k.ok()) << k.error();
  EXPECT_EQ(releases_without_tags_or_reason(**k), std::vector<std::string>{"2.5.1"});
}

// A row's tags and its evidence agree: sets that some list shows are never empty, and an
// empty set always says why (none / unknown, with notes).
TEST(WheelSets, EvidenceAndTagsAgree) {
  for (const auto& w : kb().torch_wheel_sets()) {
    switch (w.evidence) {
      case WheelEvidence::kListed:
      case WheelEvidence::kInferred:
      case WheelEvidence::kPartial:
        EXPECT_FALSE(w.pythons.empty())
            << w.from.where() << ": " << to_string(w.evidence) << " with no tags";
        break;
      case WheelEvidence::kNone:
      case WheelEvidence::kUnknown:
        EXPECT_TRUE(w.pythons.empty()) << w.from.where();
        EXPECT_FALSE(w.notes.empty())
            << w.from.where() << ": " << to_string(w.evidence) << " without the reason";
        break;
    }
    if (w.evidence == WheelEvidence::kInferred || w.evidence == WheelEvidence::kPartial) {
      EXPECT_FALSE(w.notes.empty()) << w.from.where() << ": an inference must say what from";
    }
    EXPECT_FALSE(w.fetched.empty()) << w.from.where();
  }
}

TEST(WheelSets, OneRowPerKeyAndEveryIndexIsPypiOrAVariant) {
  std::set<std::string> keys;
  for (const auto& w : kb().torch_wheel_sets()) {
    std::string key = w.torch.str() + " " + w.index + " " + std::string(to_string(w.platform));
    EXPECT_TRUE(keys.insert(key).second) << w.from.where() << ": " << key << " twice";
    EXPECT_TRUE(w.index == "pypi" || kb().variant(w.torch, w.index) != nullptr)
        << w.from.where() << ": index " << w.index << " is not a variant of " << w.torch.str();
    EXPECT_NE(kb().torch_release(w.torch), nullptr) << w.from.where();
  }
}

// torch_wheels() picks one release's rows out of the embedded text by comparing the torch
// column as text: every row must write its version in normal form, and the picked rows must
// be the table's.
TEST(WheelSets, QuickPathAnswersAsTheTable) {
  auto fresh = KnowledgeBase::embedded_fresh();
  std::map<std::string, const TorchWheelSet*> last;  // the table's answer per key
  for (const auto& w : kb().torch_wheel_sets())
    last[w.torch.str() + " " + w.index + " " + std::string(to_string(w.platform))] = &w;
  for (const auto& [key, w] : last) {
    const TorchWheelSet* quick = fresh->torch_wheels(w->torch, w->index, w->platform);
    ASSERT_NE(quick, nullptr) << key;
    EXPECT_EQ(quick->from.where(), w->from.where()) << key;
    EXPECT_EQ(quick->pythons, w->pythons) << key;
  }
}

// Every release has a PyPI row per platform (PyPI's list is whole: no row = not read), and
// every (variant, platform) torch-variants.csv names has its own row.
TEST(WheelSets, EveryReleaseAndVariantPlatformHasARow) {
  for (const auto& r : kb().torch_releases())
    for (Platform p : kPlatforms)
      EXPECT_NE(kb().torch_wheels(r.version, "pypi", p), nullptr)
          << r.version.str() << " pypi " << to_string(p);
  for (const auto& var : kb().torch_variants())
    for (Platform p : var.platforms)
      EXPECT_NE(kb().torch_wheels(var.torch, var.variant, p), nullptr)
          << var.from.where() << ": " << var.torch.str() << " " << var.variant << " "
          << to_string(p);
}

// Table of PyPI facts the install cases of issue 14 rest on (each read from
// https://pypi.org/simple/torch/ on 2026-12-04, the row named in data/torch-wheels.csv).
TEST(WheelSets, PypiFactsOfTheIssueCases) {
  struct Case {
    const char* torch;
    Platform platform;
    const char* tag;
    bool has;
  } cases[] = {
      {"2.15.0", Platform::kLinuxX86_64, "cp310", false},  // Requires-Python >=3.11
      {"2.15.0", Platform::kLinuxX86_64, "cp311", true},
      {"2.14.1", Platform::kLinuxX86_64, "cp310", true},
      {"1.13.1", Platform::kLinuxX86_64, "cp311", true},  // RELEASE.md says 3.7-3.10
      {"1.13.1", Platform::kWindowsX86_64, "cp311", false},
      {"2.2.2", Platform::kLinuxX86_64, "cp312", true},  // RELEASE.md says 3.8-3.11
      {"2.5.1", Platform::kLinuxX86_64, "cp313", true},  // RELEASE.md: experimental
      {"2.5.1", Platform::kWindowsX86_64, "cp313", false},
      {"1.8.1", Platform::kLinuxX86_64, "cp311", false},
      {"1.11.0", Platform::kLinuxX86_64, "cp313", false},
      {"2.7.0", Platform::kLinuxX86_64, "cp313t", true},  // free-threaded, its own tag
      {"2.12.1", Platform::kLinuxX86_64, "cp313t", false},
      {"1.0.0", Platform::kLinuxAarch64, "cp37", false},  // no aarch64 wheel before 1.8
  };
  for (const auto& c : cases) {
    const TorchWheelSet* w = kb().torch_wheels(v(c.torch), "pypi", c.platform);
    ASSERT_NE(w, nullptr) << c.torch;
    EXPECT_EQ(w->has(c.tag), c.has) << w->from.where() << " " << c.tag;
  }
  const TorchWheelSet* w = kb().torch_wheels(v("2.15.0"), "pypi", Platform::kLinuxX86_64);
  EXPECT_EQ(w->requires_python, ">=3.11");
  EXPECT_EQ(w->evidence, WheelEvidence::kListed);
  EXPECT_EQ(kb().torch_wheels(v("1.0.0"), "pypi", Platform::kLinuxAarch64)->evidence,
            WheelEvidence::kNone);
}

// 1.8.2 is not on PyPI: its sets are inferred from 1.8.1's and say so.
TEST(WheelSets, ReleaseOffPypiIsInferredAndSaysFromWhat) {
  const TorchWheelSet* pypi = kb().torch_wheels(v("1.8.2"), "pypi", Platform::kLinuxX86_64);
  ASSERT_NE(pypi, nullptr);
  EXPECT_EQ(pypi->evidence, WheelEvidence::kNone);
  const TorchWheelSet* cu111 = kb().torch_wheels(v("1.8.2"), "cu111", Platform::kLinuxX86_64);
  ASSERT_NE(cu111, nullptr);
  EXPECT_EQ(cu111->evidence, WheelEvidence::kInferred);
  EXPECT_NE(cu111->notes.find("1.8.1"), std::string::npos) << cu111->notes;
  EXPECT_TRUE(cu111->has("cp39"));
  EXPECT_FALSE(cu111->has("cp311"));
}

TEST(CompanionReleases, EveryTorchRequirementParsesAndVersionsAscend) {
  std::map<std::string, Pep440Version> last;
  for (const auto& c : kb().companion_releases()) {
    EXPECT_TRUE(c.package == "torchvision" || c.package == "torchaudio") << c.from.where();
    if (!c.torch_requirement.empty() && c.torch_requirement != "none") {
      auto req = Requirement::parse(c.torch_requirement);
      ASSERT_TRUE(req.ok()) << c.from.where() << ": " << req.error();
      EXPECT_EQ(req->normalized_name(), "torch") << c.from.where();
    }
    EXPECT_EQ(c.date.size(), 10u) << c.from.where();
    auto it = last.find(c.package);
    if (it != last.end()) {
      EXPECT_LT(it->second, c.version) << c.from.where();
    }
    last.insert_or_assign(c.package, c.version);
  }
  // PyPI 2026-12-04: torchvision 0.1.6 ... 0.29.2, torchaudio 0.3.0 ... 2.11.1.
  EXPECT_EQ(kb().companion_releases_of("torchvision").back()->version, v("0.29.2"));
  EXPECT_EQ(kb().companion_releases_of("torchaudio").back()->version, v("2.11.1"));
}

// The metadata facts issue 14 names, one row each (torch-companion-releases.csv).
TEST(CompanionReleases, MetadataOfTheIssueCases) {
  struct Case {
    const char* package;
    const char* version;
    const char* torch_requirement;
  } cases[] = {
      {"torchvision", "0.29.0", "torch==2.14.0"},
      {"torchvision", "0.29.1", "torch>=2.14.0"},  // a range, not a pin
      {"torchvision", "0.29.2", "torch>=2.14.0"},
      {"torchaudio", "2.11.0", "none"},  // no torch requirement at all
      {"torchaudio", "2.10.0", "torch==2.10.0"},
      {"torchvision", "0.15.0", "torch==2.0.0+cu117"},  // yanked for it
  };
  for (const auto& c : cases) {
    const CompanionRelease* found = nullptr;
    for (const CompanionRelease* r : kb().companion_releases_of(c.package))
      if (r->version == v(c.version)) found = r;
    ASSERT_NE(found, nullptr) << c.package << " " << c.version;
    EXPECT_EQ(found->torch_requirement, c.torch_requirement) << found->from.where();
  }
}

TEST(DriverFirstReleases, BelongToKnownBranchesAndAreNoLaterThanTheirToolkitDrivers) {
  for (const auto& f : kb().driver_first_releases()) {
    EXPECT_NE(kb().driver_branch(f.branch), nullptr) << f.from.where();
    for (const auto& c : kb().cuda_releases()) {
      if (c.linux_min_driver && c.linux_min_driver->branch() == f.branch) {
        EXPECT_LE(f.version, *c.linux_min_driver)
            << f.from.where() << " vs CUDA " << c.version.str();
      }
    }
  }
  // 535: 535.43.02, the first R535 release announced (aaronp24/nvidia-versions URLs.hs),
  // before the CUDA 12.2 GA driver 535.54.03.
  ASSERT_NE(kb().driver_first_release(535), nullptr);
  EXPECT_EQ(kb().driver_first_release(535)->version.str(), "535.43.02");
  EXPECT_EQ(kb().driver_first_release(620), nullptr);  // not in the sources yet
}

}  // namespace
}  // namespace cudafit
