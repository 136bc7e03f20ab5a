// The knowledge base's invariants, checked over the whole embedded copy of data/.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "kb/kb.h"
#include "util/csv.h"
#include "util/host.h"

namespace cudafit {
namespace {

std::shared_ptr<const KnowledgeBase> kb() {
  auto loaded = KnowledgeBase::embedded();
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error());
  return loaded.value();
}

TEST(KbInvariants, EveryTableParses) {
  Status s = kb()->verify();
  EXPECT_TRUE(s.ok()) << s.error();
}

TEST(KbInvariants, EveryTableHasRows) {
  auto k = kb();
  EXPECT_GT(k->cuda_releases().size(), 60u);
  EXPECT_EQ(k->minor_compat().size(), 3u);  // CUDA 11, 12, 13
  EXPECT_GT(k->forward_compat().size(), 50u);
  EXPECT_GT(k->gpu_archs().size(), 30u);
  EXPECT_GT(k->gpu_products().size(), 100u);
  EXPECT_EQ(k->pci_devices().size(), 1978u);  // every 10de id in pci.ids 2026.08.22
  EXPECT_GT(k->driver_branches().size(), 30u);
  EXPECT_GT(k->torch_releases().size(), 50u);
  EXPECT_GT(k->torch_variants().size(), 250u);
  EXPECT_GT(k->torch_arch_lists().size(), 90u);
  EXPECT_GT(k->frameworks().size(), 100u);
  EXPECT_GT(k->cudnn_support().size(), 10u);
}

TEST(KbInvariants, EveryTorchVariantNamesAKnownCudaRelease) {
  auto k = kb();
  for (const auto& v : k->torch_variants()) {
    if (v.variant.rfind("cu", 0) != 0) {
      EXPECT_FALSE(v.cuda.has_value()) << v.from.where();
      continue;
    }
    ASSERT_TRUE(v.cuda.has_value()) << v.from.where() << " " << v.variant;
    auto from_tag = CudaVersion::from_variant(v.variant);
    ASSERT_TRUE(from_tag.ok()) << v.from.where();
    EXPECT_EQ(v.cuda->major_minor_only(), *from_tag) << v.from.where();
    EXPECT_NE(k->cuda_release(v.cuda->major_minor_only()), nullptr)
        << v.from.where() << ": CUDA " << v.cuda->str() << " not in cuda.csv";
  }
}

TEST(KbInvariants, EveryCudaMinorHasALinuxDriverFloor) {
  // A release row may lack its own minimum (12.3 Update 2 and 13.4 are not in any readable
  // Table 3: data/README.md); every major.minor that torch builds use must have one.
  auto k = kb();
  std::set<std::string> minors;
  for (const auto& r : k->cuda_releases()) minors.insert(r.version.major_minor());
  for (const auto& v : k->torch_variants())
    if (v.cuda) {
      EXPECT_TRUE(k->minimum_driver_for(v.cuda->major_minor_only(), Os::kLinux).has_value())
          << v.from.where() << " CUDA " << v.cuda->str();
    }
  int with = 0;
  for (const auto& r : k->cuda_releases()) {
    if (r.linux_min_driver) {
      ++with;
    } else {
      EXPECT_FALSE(r.from.source.empty()) << r.from.where();
    }
  }
  EXPECT_GE(with, static_cast<int>(k->cuda_releases().size()) - 4);  // 12.3.2, 13.4.0-13.4.2
  // Every minor of 8.0 ... 13.3 has a floor.
  for (const auto& m : minors) {
    auto cv = CudaVersion::parse(m);
    ASSERT_TRUE(cv.ok());
    if (cv->major() == 13 && cv->minor() >= 4) continue;
    EXPECT_TRUE(k->minimum_driver_for(*cv, Os::kLinux).has_value()) << m;
  }
}

TEST(KbInvariants, NoDuplicateKeys) {
  auto k = kb();
  std::set<std::string> cuda, variants, branches, archs;
  for (const auto& r : k->cuda_releases())
    EXPECT_TRUE(cuda.insert(r.version.str()).second) << r.from.where();
  for (const auto& v : k->torch_variants())
    EXPECT_TRUE(variants.insert(v.torch.str() + " " + v.variant).second) << v.from.where();
  for (const auto& b : k->driver_branches())
    EXPECT_TRUE(branches.insert(std::to_string(b.branch)).second) << b.from.where();
  for (const auto& a : k->gpu_archs())
    EXPECT_TRUE(archs.insert(a.chip + " " + a.cc.str()).second) << a.from.where();
  std::set<std::string> releases;
  for (const auto& r : k->torch_releases())
    EXPECT_TRUE(releases.insert(r.version.str()).second) << r.from.where();
  std::set<std::string> fwd;
  for (const auto& f : k->forward_compat())
    EXPECT_TRUE(fwd.insert(f.cuda.str() + " " + std::to_string(f.driver_branch)).second)
        << f.from.where();
}

TEST(KbInvariants, NoDuplicateRowsInAnyFile) {
  // Whole-row duplicates, file by file, through the CSV reader.
  RootedHost host("/", std::map<std::string, std::string>{});
  const Host& h = host;
  auto list = h.list_dir(std::string(CUDAFIT_SOURCE_DIR) + "/data");
  ASSERT_TRUE(list.ok()) << list.error();
  int files = 0;
  for (const auto& e : *list) {
    if (e.name.size() < 4 || e.name.substr(e.name.size() - 4) != ".csv") continue;
    ++files;
    auto text = h.read_file(std::string(CUDAFIT_SOURCE_DIR) + "/data/" + e.name);
    ASSERT_TRUE(text.ok());
    auto t = parse_csv(*text, e.name);
    ASSERT_TRUE(t.ok()) << t.error();
    EXPECT_GE(t->column("source"), 0) << e.name << " has no source column";
    std::set<std::vector<std::string_view>> seen;
    for (const auto& row : t->rows) {
      EXPECT_TRUE(seen.insert(row.fields).second) << e.name << ":" << row.line << " duplicate";
      int src = t->column("source");
      if (src >= 0) {
        EXPECT_FALSE(row.fields[src].empty()) << e.name << ":" << row.line << " no source";
      }
    }
  }
  EXPECT_GE(files, 12);  // the knowledge base's tables, plus other modules' data files
}

TEST(KbInvariants, DatesIncreaseWithVersions) {
  auto k = kb();
  std::string last_date, last_version;
  for (const auto& r : k->cuda_releases()) {
    if (r.date.empty()) continue;
    EXPECT_GE(r.date, last_date) << r.from.where() << " " << r.version.str() << " before "
                                 << last_version;
    last_date = r.date;
    last_version = r.version.str();
  }
  last_date.clear();
  // Torch: within a release line and across minors (the table is ascending by version).
  for (const auto& r : k->torch_releases()) {
    if (r.date.empty()) continue;
    EXPECT_GE(r.date, last_date) << r.from.where();
    last_date = r.date;
  }
}

TEST(KbInvariants, NewestEntriesAreNewerThanTheSeed) {
  // The seed guide (../shared/seed) stops at PyTorch 2.4 and CUDA 12.4.
  auto k = kb();
  ASSERT_NE(k->newest_torch(), nullptr);
  ASSERT_NE(k->newest_cuda(), nullptr);
  EXPECT_GT(k->newest_torch()->version, Pep440Version::parse("2.4").value());
  EXPECT_GT(k->newest_cuda()->version, CudaVersion(12, 4, 1));
  // Issue 4: 2.15.0 was the newest torch on PyPI in 2026-11.
  EXPECT_GE(k->newest_torch()->version, Pep440Version::parse("2.15.0").value());
}

TEST(KbInvariants, TorchCoversOneZeroToNewest) {
  auto k = kb();
  ASSERT_FALSE(k->torch_releases().empty());
  EXPECT_EQ(k->torch_releases().front().version.str(), "1.0.0");
  for (const auto& r : k->torch_releases())
    EXPECT_FALSE(k->variants_of(r.version).empty()) << r.version.str();
}

TEST(KbInvariants, ArchListsAreOrderedAndPtxIsCarried) {
  auto k = kb();
  for (const auto& a : k->torch_arch_lists()) {
    EXPECT_LE(a.torch_from, a.torch_to) << a.from.where();
    EXPECT_FALSE(a.sass.empty()) << a.from.where();
    for (size_t i = 1; i < a.sass.size(); ++i)
      EXPECT_LT(a.sass[i - 1], a.sass[i]) << a.from.where();
    for (const auto& p : a.ptx)  // "X+PTX" always carries the SASS of X as well
      EXPECT_NE(std::find(a.sass.begin(), a.sass.end(), p), a.sass.end()) << a.from.where();
  }
}

TEST(KbInvariants, PciIdsAreUniqueAndSorted) {
  auto k = kb();
  const auto& all = k->pci_devices();
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].device_id, all[i].device_id);
  // In the file too (the table is sorted when read): pci_device() bisects the embedded text.
  for (size_t i = 1; i < all.size(); ++i)
    EXPECT_LT(all[i - 1].from.line, all[i].from.line)
        << all[i].from.where() << ": pci-ids.csv rows must be in device_id order";
  std::set<unsigned> product_ids;
  for (const auto& g : k->gpu_products())
    for (unsigned id : g.pci_device_ids) {
      EXPECT_TRUE(product_ids.insert(id).second) << g.from.where() << std::hex << " id " << id;
      const PciDevice* d = k->pci_device(id);
      ASSERT_NE(d, nullptr) << g.from.where() << std::hex << " id " << id << " not in pci-ids.csv";
      if (d->cc) {
        EXPECT_EQ(*d->cc, g.cc) << g.from.where();
      }
    }
}

TEST(KbInvariants, CudaReleasesAreAscendingAndDriverFloorsNeverFall) {
  auto k = kb();
  std::optional<DriverVersion> last;
  for (const auto& r : k->cuda_releases()) {
    EXPECT_LE(r.min_sm, r.max_sm) << r.from.where();
    if (!r.linux_min_driver) continue;
    if (last) {
      EXPECT_GE(*r.linux_min_driver, *last) << r.from.where();
    }
    last = r.linux_min_driver;
  }
}

TEST(KbInvariants, EveryDefaultVariantIsOnceAndMatchesTheRelease) {
  auto k = kb();
  for (const auto& r : k->torch_releases()) {
    int defaults = 0;
    for (const TorchVariant* v : k->variants_of(r.version))
      if (v->status == "default-pypi") {
        ++defaults;
        EXPECT_EQ(v->variant, r.pypi_default_variant) << r.from.where();
      }
    EXPECT_LE(defaults, 1) << r.version.str();
    if (!r.pypi_default_variant.empty()) {
      EXPECT_EQ(defaults, 1) << r.version.str();
    }
  }
}

}  // namespace
}  // namespace cudafit
