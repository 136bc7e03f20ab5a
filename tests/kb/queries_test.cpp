// Fact queries of the knowledge base, one table row per case with the source of each value.
#include <gtest/gtest.h>

#include <map>

#include "kb/kb.h"

namespace cudafit {
namespace {

const KnowledgeBase& kb() {
  static auto loaded = KnowledgeBase::embedded();
  return *loaded.value();
}

Pep440Version pv(const char* s) { return Pep440Version::parse(s).value(); }
CudaVersion cv(const char* s) { return CudaVersion::parse(s).value(); }
DriverVersion dv(const char* s) { return DriverVersion::parse(s).value(); }

struct DriverCase {
  const char* cuda;
  const char* linux_min;    // "" = none published
  const char* windows_min;  // "" = none published
};

TEST(KbQueries, MinimumDriverForCuda) {
  const DriverCase cases[] = {
      // NVIDIA CUDA 13.2 Update 2 release notes, Table 3; the seed guide's floors
      // (12.4 -> 550.54, 12.3 -> 545.23, 12.1 -> 530.30, 12.0 -> 525.60, 11.8 -> 520.61,
      // 11.7 -> 515.43) are these numbers, shortened.
      {"12.4", "550.54.14", "551.61"},
      {"12.4.0", "550.54.14", "551.61"},
      {"12.4.1", "550.54.15", "551.78"},
      {"12.3", "545.23.06", "545.84"},
      {"12.2", "535.54.03", "536.25"},  // the seed's "535.86" is 12.2 Update 1 (535.86.09)
      {"12.2.2", "535.104.05", "537.13"},
      {"12.1", "530.30.02", "531.14"},
      {"12.0", "525.60.13", "527.41"},
      {"11.8", "520.61.05", "520.06"},  // Windows printed ">=520.06" (data/README.md)
      {"11.7", "515.43.04", "516.01"},
      {"11.0", "450.51.05", "451.48"},  // GA 11.0.2, not the 11.0.1 RC row
      {"10.1", "418.39", "418.96"},     // one row for 10.1.105 "and updates"
      {"9.2", "396.26", "397.44"},
      {"8.0", "367.48", "369.30"},  // 8.0 GA1 (8.0.44)
      {"13.0", "580.65.06", ""},    // Table 3 prints N/A for Windows on 13.x
      {"13.2", "595.45.04", ""},
      {"13.3", "610.43.02", ""},  // secondary copies of the 13.3 Table 3
      {"13.4", "", ""},           // not readable anywhere here [gap]
      {"12.3.2", "", ""},         // no Table 3 row for 12.3 Update 2
      {"12.7", "", ""},           // there is no CUDA 12.7 toolkit
  };
  for (const auto& c : cases) {
    auto lin = kb().minimum_driver_for(cv(c.cuda), Os::kLinux);
    auto win = kb().minimum_driver_for(cv(c.cuda), Os::kWindows);
    EXPECT_EQ(lin ? lin->str() : "", c.linux_min) << c.cuda;
    EXPECT_EQ(win ? win->str() : "", c.windows_min) << c.cuda;
  }
}

TEST(KbQueries, HighestCudaForDriver) {
  const struct {
    const char* driver;
    Os os;
    const char* cuda;
  } cases[] = {
      {"535.104.05", Os::kLinux, "12.2"},  // Colab sample: nvidia-smi "CUDA Version: 12.2"
      {"535.54.03", Os::kLinux, "12.2"},   // Table 3: 12.2 GA
      {"535.54.02", Os::kLinux, "12.1"},
      {"550.54.14", Os::kLinux, "12.4"},
      {"470.82.01", Os::kLinux, "11.4"},
      {"580.65.06", Os::kLinux, "13.0"},  // notebook header "CUDA 13.0 · Driver 580.65.06"
      {"595.71.05", Os::kLinux, "13.2"},  // real report: 13.2
      {"610.43.02", Os::kLinux, "13.3"},
      {"551.61", Os::kWindows, "12.4"},
      {"591.74", Os::kWindows, "13.1"},  // fixture: Windows 591.74 reports 13.1
      {"367.48", Os::kLinux, "8.0"},
  };
  for (const auto& c : cases) {
    auto got = kb().highest_cuda_for_driver(dv(c.driver), c.os);
    ASSERT_TRUE(got.has_value()) << c.driver;
    EXPECT_EQ(got->str(), c.cuda) << c.driver;
  }
  EXPECT_FALSE(kb().highest_cuda_for_driver(dv("340.108"), Os::kLinux).has_value());
}

TEST(KbQueries, MinorCompatFloors) {
  // NVIDIA CUDA 13.2.2 release notes Table 2 / CUDA Compatibility guide.
  ASSERT_NE(kb().minor_compat_for(11), nullptr);
  EXPECT_EQ(kb().minor_compat_for(11)->linux_floor.str(), "450.80.02");
  EXPECT_EQ(kb().minor_compat_for(11)->windows_floor->str(), "452.39");
  EXPECT_EQ(kb().minor_compat_for(12)->linux_floor.str(), "525.60.13");
  EXPECT_EQ(kb().minor_compat_for(12)->end_branch, 580);
  EXPECT_EQ(kb().minor_compat_for(13)->first_branch, 580);
  EXPECT_EQ(kb().minor_compat_for(10), nullptr);  // minor-version compatibility starts at 11
}

TEST(KbQueries, SeedTorchTableIsContained) {
  // The seed guide's first table: torch -> the CUDA builds it names (all must be variants).
  const struct {
    const char* torch;
    std::vector<const char*> variants;
  } cases[] = {
      {"2.4.0", {"cu124", "cu121", "cu118"}}, {"2.3.0", {"cu121", "cu118"}},
      {"2.2.0", {"cu121", "cu118"}},          {"2.1.0", {"cu121", "cu118"}},
      {"2.0.0", {"cu118", "cu117"}},          {"1.13.0", {"cu117", "cu116"}},
      {"1.12.0", {"cu116", "cu113"}},
  };
  for (const auto& c : cases)
    for (const char* v : c.variants)
      EXPECT_NE(kb().variant(pv(c.torch), v), nullptr) << c.torch << " " << v;
}

TEST(KbQueries, TorchTwoThreeVariants) {
  // pytorch/test-infra generate_binary_build_matrix.py (release channel, 2.3) and PyPI.
  std::vector<std::string> cuda;
  for (const TorchVariant* v : kb().variants_of(pv("2.3.1")))
    if (v->is_cuda()) cuda.push_back(v->variant);
  EXPECT_EQ(cuda, (std::vector<std::string>{"cu118", "cu121"}));
  const TorchVariant* v = kb().variant(pv("2.3.1+cu121"), "cu121");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->status, "default-pypi");
  EXPECT_EQ(v->cuda->str(), "12.1");
  EXPECT_EQ(v->cudnn->str(), "8.9.2.26");  // PyPI metadata: nvidia-cudnn-cu12==8.9.2.26
  EXPECT_EQ(v->nccl, "2.20.5");
  EXPECT_EQ(v->index_url, "https://download.pytorch.org/whl/cu121");
  const TorchRelease* r = kb().torch_release(pv("2.3.1"));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->torchvision->str(), "0.18.1");  // torchvision 0.18.1 pins torch==2.3.1
  EXPECT_EQ(r->torchaudio->str(), "2.3.1");
  EXPECT_EQ(r->pythons, (std::vector<std::string>{"3.8", "3.9", "3.10", "3.11"}));  // RELEASE.md
}

TEST(KbQueries, NewestTorchIsKnownOnlyAsFarAsSourced) {
  // PyPI metadata of torch==2.15.0: cuda-toolkit==13.2.2, nvidia-cudnn-cu13==9.26.0.51.
  auto vs = kb().variants_of(pv("2.15.0"));
  ASSERT_EQ(vs.size(), 1u);  // other 2.15 variants are not in any stored source
  EXPECT_EQ(vs[0]->variant, "cu132");
  EXPECT_EQ(vs[0]->cudnn->str(), "9.26.0.51");
  EXPECT_EQ(kb().torch_release(pv("2.15.0"))->requires_python, ">=3.11");
  EXPECT_EQ(kb().newest_torch()->version.str(), "2.15.0");
  EXPECT_EQ(kb().newest_cuda()->version.str(), "13.4.2");
}

TEST(KbQueries, ArchLists) {
  // pytorch/builder manywheel/build_cuda.sh (2.3) and measured PyPI wheels.
  const TorchArchList* a = kb().arch_list(pv("2.3.1"), "cu121", Platform::kLinuxX86_64);
  ASSERT_NE(a, nullptr);
  std::vector<std::string> sass;
  for (const auto& cc : a->sass) sass.push_back(cc.str());
  EXPECT_EQ(sass, (std::vector<std::string>{"5.0", "6.0", "7.0", "7.5", "8.0", "8.6", "9.0"}));
  EXPECT_TRUE(a->ptx.empty());
  const TorchArchList* w = kb().arch_list(pv("2.3.1"), "cu118", Platform::kWindowsX86_64);
  ASSERT_NE(w, nullptr);
  ASSERT_EQ(w->ptx.size(), 1u);
  EXPECT_EQ(w->ptx[0].str(), "3.7");  // windows/cuda118.bat: 3.7+PTX
  EXPECT_EQ(kb().arch_list(pv("2.15.0"), "cu132", Platform::kLinuxAarch64), nullptr);  // unknown
}

TEST(KbQueries, CudaReleaseLookup) {
  EXPECT_EQ(kb().cuda_release(cv("12.4"))->version.str(), "12.4.1");  // newest update
  EXPECT_EQ(kb().cuda_release(cv("12.4.0"))->label, "GA");
  EXPECT_EQ(kb().cuda_release(cv("12.7")), nullptr);
  EXPECT_EQ(kb().cuda_release(cv("12.8"))->max_sm.str(), "12.0");  // sm_120 from CUDA 12.8
  EXPECT_EQ(kb().cuda_release(cv("13.0"))->min_sm.str(), "7.5");   // 13.0 dropped sm_50..sm_72
  EXPECT_EQ(kb().cuda_release(cv("12.4"))->ptx_isa, "8.4");        // PTX ISA release table
}

TEST(KbQueries, GpusByPciIdAndName) {
  // pci.ids 2026.08.22; compute capability from NVIDIA's CUDA GPUs page.
  const struct {
    unsigned id;
    const char* chip;
    const char* cc;
  } ids[] = {{0x2335, "GH100", "9.0"},  {0x2507, "GA106", "8.6"},   {0x2684, "AD102", "8.9"},
             {0x2b85, "GB202", "12.0"}, {0x1db4, "GV100GL", "7.0"}, {0x1eb8, "TU104GL", "7.5"}};
  for (const auto& c : ids) {
    const PciDevice* d = kb().pci_device(c.id);
    ASSERT_NE(d, nullptr) << std::hex << c.id;
    EXPECT_EQ(d->chip, c.chip) << std::hex << c.id;
    ASSERT_TRUE(d->cc.has_value());
    EXPECT_EQ(d->cc->str(), c.cc) << std::hex << c.id;
  }
  EXPECT_EQ(kb().pci_device(0xffff), nullptr);

  const struct {
    const char* query;
    const char* product;
    const char* cc;
  } names[] = {{"RTX 3050", "GeForce RTX 3050", "8.6"}, {"rtx 4090", "GeForce RTX 4090", "8.9"},
               {"H100", "NVIDIA H100", "9.0"},          {"H200", "NVIDIA H200", "9.0"},
               {"Tesla T4", "Tesla T4", "7.5"},         {"RTX 5090", "GeForce RTX 5090", "12.0"}};
  for (const auto& c : names) {
    auto found = kb().find_gpus(c.query);
    ASSERT_EQ(found.size(), 1u) << c.query;
    EXPECT_EQ(found[0]->name, c.product);
    EXPECT_EQ(found[0]->cc.str(), c.cc);
  }
  EXPECT_TRUE(kb().find_gpus("H200")[0]->datacenter);
  EXPECT_FALSE(kb().find_gpus("RTX 3050")[0]->datacenter);
  // One name, two chips of different CC (GK107 3.0 / GP108 6.1): resolved by PCI id.
  auto gt1030 = kb().find_gpus("GT 1030");
  ASSERT_EQ(gt1030.size(), 2u);
  EXPECT_NE(gt1030[0]->cc, gt1030[1]->cc);
  EXPECT_GT(kb().find_gpus("3050").size(), 0u);
  EXPECT_TRUE(kb().find_gpus("no such gpu").empty());
}

TEST(KbQueries, ArchitecturesBranchesAndForwardCompat) {
  EXPECT_EQ(kb().arch_of_cc(ComputeCapability::parse("sm_90a").value())->architecture, "Hopper");
  EXPECT_EQ(kb().arch_of_cc(ComputeCapability(8, 6))->architecture, "Ampere");
  EXPECT_EQ(kb().arch_of_cc(ComputeCapability(3, 7))->last_driver_branch, 470);  // Kepler: R470
  EXPECT_EQ(kb().arch_of_cc(ComputeCapability(6, 1))->last_driver_branch, 580);  // Pascal: R580
  EXPECT_EQ(kb().arch_of_cc(ComputeCapability(1, 0)), nullptr);
  ASSERT_NE(kb().driver_branch(535), nullptr);
  EXPECT_EQ(kb().driver_branch(535)->designation, "LTSB");  // NVIDIA data-center docs (615)
  EXPECT_EQ(kb().driver_branch(580)->cuda->str(), "13.0");
  // NVIDIA forward-compatibility matrix.
  EXPECT_TRUE(kb().forward_compat_for(cv("13.0"), 535)->supported);
  EXPECT_FALSE(kb().forward_compat_for(cv("13.0"), 590)->supported);
  EXPECT_EQ(kb().forward_compat_for(cv("13.0"), 580)->status, "native");
  EXPECT_EQ(kb().forward_compat_for(cv("11.8"), 470), nullptr);
}

TEST(KbQueries, FrameworksAreLoaded) {
  int tf = 0;
  for (const auto& f : kb().frameworks())
    if (f.framework == "tensorflow") {
      ++tf;
      if (f.version == "2.15.0") {
        EXPECT_EQ(f.cuda, "12.2");  // tensorflow/docs source.md
      }
    }
  EXPECT_GE(tf, 18);
}

}  // namespace
}  // namespace cudafit

namespace cudafit {
namespace {

// pci_device() reads one row from the text instead of parsing the table: it must give what
// the parsed table gives, for every device id, with the same line and source.
TEST(KbPciQuickPath, EveryRowAsTheTableHasIt) {
  auto table_kb = KnowledgeBase::embedded_fresh();
  const auto& all = table_kb->pci_devices();
  ASSERT_GT(all.size(), 1000u);
  auto quick_kb = KnowledgeBase::embedded_fresh();  // its table is never parsed below
  for (const auto& d : all) {
    const PciDevice* q = quick_kb->pci_device(d.device_id);
    ASSERT_NE(q, nullptr) << std::hex << d.device_id;
    EXPECT_EQ(q->name, d.name);
    EXPECT_EQ(q->chip, d.chip);
    EXPECT_EQ(q->cc.has_value(), d.cc.has_value());
    if (q->cc && d.cc) {
      EXPECT_EQ(q->cc->str(), d.cc->str());
    }
    EXPECT_EQ(q->from.where(), d.from.where());
    EXPECT_EQ(q->from.source, d.from.source);
    EXPECT_EQ(quick_kb->pci_device(d.device_id), q) << "asked twice, parsed twice";
  }
  EXPECT_EQ(quick_kb->pci_device(0xffff), nullptr);
  EXPECT_EQ(quick_kb->pci_device(0x10000), nullptr);
}

}  // namespace
}  // namespace cudafit

namespace cudafit {
namespace {

// variants_of() reads a release's rows from the text for the first few releases asked
// about, then uses the parsed table: both must answer alike, row for row.
TEST(KbVariantsQuickPath, SameRowsAsTheTable) {
  auto table_kb = KnowledgeBase::embedded_fresh();
  const auto& releases = table_kb->torch_releases();
  ASSERT_GT(releases.size(), 50u);
  auto describe = [](const std::vector<const TorchVariant*>& vs) {
    std::string out;
    for (const TorchVariant* v : vs)
      out += v->torch.str() + "|" + v->variant + "|" + (v->cuda ? v->cuda->str() : "-") + "|" +
             v->index_url + "|" + v->status + "|" + (v->cudnn ? v->cudnn->str() : "-") + "|" +
             std::to_string(v->platforms.size()) + "|" + v->from.where() + "|" + v->notes + "\n";
    return out;
  };
  std::map<std::string, std::string> expected;
  for (const auto& r : releases)
    expected[r.version.str()] = describe(table_kb->variants_of(r.version));
  // A fresh KB per release: each answer comes from the quick path.
  for (const auto& r : releases) {
    auto quick_kb = KnowledgeBase::embedded_fresh();
    EXPECT_EQ(describe(quick_kb->variants_of(r.version)), expected[r.version.str()])
        << r.version.str();
  }
  // One KB asked about every release: the first few quick, then the table.
  auto mixed_kb = KnowledgeBase::embedded_fresh();
  for (const auto& r : releases)
    EXPECT_EQ(describe(mixed_kb->variants_of(r.version)), expected[r.version.str()])
        << r.version.str();
  // Equal under PEP 440 (2.3.1 == 2.3.1.0, local part ignored) finds the same rows.
  auto v = Pep440Version::parse("2.3.1.0+cu121");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(describe(KnowledgeBase::embedded_fresh()->variants_of(*v)), expected["2.3.1"]);
  EXPECT_FALSE(expected["2.3.1"].empty());
}

}  // namespace
}  // namespace cudafit
