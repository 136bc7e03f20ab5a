// choose_build: machine x request -> chosen build, each expectation traced to data rows.
#include "plan/choose.h"

#include <gtest/gtest.h>

#include <ostream>

#include "test_kb.h"

namespace cudafit {
namespace {

using testing::kb;
using testing::machine;

SpecifierSet spec(const std::string& s) { return *SpecifierSet::parse(s); }

struct Case {
  std::string name;
  std::string driver;
  std::vector<std::string> ccs;
  std::string python;
  std::string request;  // specifier of torch
  CompatPolicy policy;
  std::string torch, variant;  // expected; "" = nothing fits
  Verdict verdict;
  std::string source;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ChooseTable : public ::testing::TestWithParam<Case> {};

TEST_P(ChooseTable, PicksTheBuildTheDataImplies) {
  const Case& c = GetParam();
  InstallPlan plan = choose_build(kb(), machine(c.driver, c.ccs, c.python), spec(c.request),
                                  "torch" + c.request, c.policy);
  if (c.torch.empty()) {
    EXPECT_FALSE(plan.found) << c.source << ": got "
                             << (plan.found ? plan.chosen.variant->variant : "");
    EXPECT_FALSE(plan.nothing_fits.empty());
    return;
  }
  ASSERT_TRUE(plan.found) << c.source << ": " << plan.nothing_fits;
  EXPECT_EQ(plan.chosen.release->version.str(), c.torch) << c.source;
  EXPECT_EQ(plan.chosen.variant->variant, c.variant) << c.source;
  EXPECT_EQ(to_string(plan.chosen.verdict.verdict), to_string(c.verdict)) << c.source;
}

constexpr auto kDef = CompatPolicy::kDefault;
constexpr auto kMinor = CompatPolicy::kMinor;

INSTANTIATE_TEST_SUITE_P(
    Rows, ChooseTable,
    ::testing::Values(
        // cuda.csv:40 (12.1 needs 530.30.02 <= 535.104.05); torch-releases.csv 2.3.1 newest 2.3.
        Case{"issue_535_23",
             "535.104.05",
             {"8.6"},
             "3.11",
             "==2.3.*",
             kDef,
             "2.3.1",
             "cu121",
             Verdict::kOk,
             "cuda.csv:40"},
        // 525.85.12 < 530.30.02: cu118 (cuda.csv:37, 520.61.05) is the ok pick.
        Case{"between_minor",
             "525.85.12",
             {"8.6"},
             "3.11",
             "==2.3.*",
             kDef,
             "2.3.1",
             "cu118",
             Verdict::kOk,
             "cuda.csv:37"},
        // --compat minor prefers the higher ok-minor-compat cu121 (cuda-minor-compat.csv 12 floor).
        Case{"between_minor_pref",
             "525.85.12",
             {"8.6"},
             "3.11",
             "==2.3.*",
             kMinor,
             "2.3.1",
             "cu121",
             Verdict::kOkMinorCompat,
             "minor 12"},
        // 470: cu118 via minor compat (11 floor 450.80.02); cu121 no.
        Case{"r470",
             "470.82.01",
             {"8.6"},
             "3.11",
             "==2.3.*",
             kDef,
             "2.3.1",
             "cu118",
             Verdict::kOkMinorCompat,
             "minor 11"},
        // 2.6 has nothing for sm_120 (torch-arch-lists.csv:80-82).
        Case{"rtx5090_26",
             "570.124.06",
             {"12.0"},
             "3.11",
             "==2.6.*",
             kDef,
             "",
             "",
             Verdict::kNo,
             "arch-lists:80-82"},
        // 2.7.0 cu128 has 12.0 (arch-lists:85); 2.7.1 is the newest 2.7.
        Case{"rtx5090_27",
             "570.124.06",
             {"12.0"},
             "3.11",
             "==2.7.*",
             kDef,
             "2.7.1",
             "cu128",
             Verdict::kOk,
             "arch-lists:85"},
        // No GPU: the CPU build (torch-variants.csv:169).
        Case{"no_gpu",
             "",
             {},
             "3.11",
             "==2.3.*",
             kDef,
             "2.3.1",
             "cpu",
             Verdict::kOk,
             "variants:169"},
        // Python 3.13: 2.3.1 has cp38 ... cp312 wheels (torch-wheels.csv:322).
        Case{"py313",
             "535.104.05",
             {"8.6"},
             "3.13",
             "==2.3.*",
             kDef,
             "",
             "",
             Verdict::kNo,
             "releases:39"},
        // GTX 1080 on 570, plain torch: 2.15.0 cu132 and 2.14.1 cu130/cu132 lack 6.x
        // (arch-lists:98,99,103); 2.14.1 cu126 has 6.0 (arch-lists:97), cuda.csv:52 560.28.03.
        Case{"pascal_570",
             "570.124.06",
             {"6.1"},
             "3.12",
             "",
             kDef,
             "2.14.1",
             "cu126",
             Verdict::kOk,
             "arch-lists:97"},
        // Two GPUs sm_61 + sm_89: cu126 serves both (6.0 and 8.6 SASS).
        Case{"two_gpus",
             "570.124.06",
             {"6.1", "8.9"},
             "3.12",
             "",
             kDef,
             "2.14.1",
             "cu126",
             Verdict::kOk,
             "arch-lists:97"},
        // clang-format off
        // K80 (3.7) + RTX 5090 (12.0): 1.5.x cu102 carries compute_37 PTX (arch-lists:15), which
        // JITs to 12.0; later releases have no PTX for older archs.
        Case{"k80_5090", "570.124.06", {"3.7", "12.0"}, "3.8", "", kDef, "1.5.1", "cu102", Verdict::kOkPtxJit, "arch-lists:15"},
        // A GTX 680 (3.0) + RTX 3090 (8.6): no release has sm_30 SASS or PTX <= 3.0.
        Case{"kepler30_3090", "570.124.06", {"3.0", "8.6"}, "3.8", "", kDef, "", "", Verdict::kNo, "arch-lists"},
        // clang-format on
        // K80 alone on 2.x: cu118 keeps 3.7 (arch-lists:83) up to 2.7.1.
        Case{"k80",
             "535.104.05",
             {"3.7"},
             "3.11",
             ">=2.0",
             kDef,
             "2.7.1",
             "cu118",
             Verdict::kOk,
             "arch-lists:83"},
        // Ranges: torch>=2.1,<2.5 on 535 + sm_86: 2.4.1 cu121 ok (cu124 needs 550.54.14).
        Case{"range",
             "535.104.05",
             {"8.6"},
             "3.11",
             ">=2.1,<2.5",
             kDef,
             "2.4.1",
             "cu121",
             Verdict::kOk,
             "cuda.csv:48"},
        Case{"range_minor",
             "535.104.05",
             {"8.6"},
             "3.11",
             ">=2.1,<2.5",
             kMinor,
             "2.4.1",
             "cu124",
             Verdict::kOkMinorCompat,
             "minor 12"},
        // 1.12 on an old 450 driver: cu102 (10.2 needs 440.33) ok; 11.x variants via minor compat.
        Case{"r450_112",
             "450.80.02",
             {"7.0"},
             "3.9",
             "==1.12.1",
             kDef,
             "1.12.1",
             "cu102",
             Verdict::kOk,
             "cuda.csv 10.2"},
        // Driver 580: 2.9.1 cu130 (13.0 needs 580.65.06).
        Case{"r580_29",
             "580.95.05",
             {"9.0"},
             "3.12",
             "==2.9.*",
             kDef,
             "2.9.1",
             "cu130",
             Verdict::kOk,
             "cuda.csv:60"},
        // H100 on 570 with 2.9: cu130 needs forward compat, so cu128 (570.26) is picked.
        Case{"h100_570_29",
             "570.124.06",
             {"9.0"},
             "3.12",
             "==2.9.*",
             kDef,
             "2.9.1",
             "cu128",
             Verdict::kOk,
             "cuda.csv:56"},
        // A 390 driver runs nothing with CUDA >= 10.
        Case{"r390",
             "390.144",
             {"6.1"},
             "3.8",
             "==2.3.*",
             kDef,
             "",
             "",
             Verdict::kNo,
             "cuda.csv 11.8"},
        // Python 3.14 first in 2.9.0 (torch-wheels.csv:417: cp314 first there).
        Case{"py314_newest",
             "580.95.05",
             {"8.6"},
             "3.14",
             "<2.10",
             kDef,
             "2.9.1",
             "cu130",
             Verdict::kOk,
             "releases:48"},
        // Windows: 2.3.1 cu121, 531.14 (cuda.csv:40 Windows column).
        Case{"exact",
             "535.104.05",
             {"8.9"},
             "3.10",
             "==2.3.1",
             kDef,
             "2.3.1",
             "cu121",
             Verdict::kOk,
             "cuda.csv:40"}),
    [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; });

TEST(Choose, AlternativesNameTheMinorCompatVariant) {
  InstallPlan p = choose_build(kb(), machine("525.85.12", {"8.6"}), spec("==2.3.*"), "torch==2.3.*",
                               CompatPolicy::kDefault);
  ASSERT_TRUE(p.found);
  ASSERT_EQ(p.alternatives.size(), 1u);
  EXPECT_EQ(p.alternatives[0].variant->variant, "cu121");
  EXPECT_EQ(p.alternatives[0].verdict.verdict, Verdict::kOkMinorCompat);
}

TEST(Choose, R470HasNoCu121Alternative) {
  std::vector<PlannedBuild> all;
  const TorchRelease* rel = kb().torch_release(*Pep440Version::parse("2.3.1"));
  ASSERT_NE(rel, nullptr);
  best_variant_of(kb(), machine("470.82.01", {"8.6"}), *rel, CompatPolicy::kDefault, &all);
  bool seen = false;
  for (const auto& b : all)
    if (b.variant->variant == "cu121") {
      seen = true;
      EXPECT_EQ(b.verdict.verdict, Verdict::kNo);
    }
  EXPECT_TRUE(seen);
}

TEST(Choose, Rtx5090NamesTheFirstReleaseThatServesIt) {
  InstallPlan p = choose_build(kb(), machine("570.124.06", {"12.0"}), spec("==2.6.*"),
                               "torch==2.6.*", CompatPolicy::kDefault);
  ASSERT_FALSE(p.found);
  EXPECT_NE(p.nothing_fits.find("sm_120"), std::string::npos) << p.nothing_fits;
  EXPECT_NE(p.nothing_fits.find("torch 2.7.0 with cu128"), std::string::npos) << p.nothing_fits;
  EXPECT_NE(p.nothing_fits.find("570.26"), std::string::npos) << p.nothing_fits;  // cuda.csv:56
}

TEST(Choose, Python313NamesTheFirstReleaseWithAWheel) {
  InstallPlan p = choose_build(kb(), machine("535.104.05", {"8.6"}, "3.13"), spec("==2.3.*"),
                               "torch==2.3.*", CompatPolicy::kDefault);
  ASSERT_FALSE(p.found);
  EXPECT_NE(p.nothing_fits.find("Python 3.13"), std::string::npos) << p.nothing_fits;
  // torch-wheels.csv: 2.5.0 is the first release with a cp313 Linux x86_64 wheel on PyPI
  // (RELEASE.md called it experimental; the older answer, 2.6.0, came from there).
  EXPECT_NE(p.nothing_fits.find("torch 2.5.0"), std::string::npos) << p.nothing_fits;
}

TEST(Choose, TwoGpusNoneServesBothSaysWhichIsLeftOut) {
  InstallPlan p = choose_build(kb(), machine("570.124.06", {"3.0", "8.6"}), spec(""), "torch",
                               CompatPolicy::kDefault);
  ASSERT_FALSE(p.found);
  EXPECT_NE(p.nothing_fits.find("no kernels for sm_30"), std::string::npos) << p.nothing_fits;
}

TEST(Choose, ForwardCompatIsAnAlternativeAndPickedOnlyWhenAllowed) {
  // H100 (data-center) on 570: 2.9.1 cu130 needs cuda-compat-13-0
  // (cuda-forward-compat.csv 13.0,570).
  TargetMachine m = machine("570.124.06", {"9.0"}, "3.12", Platform::kLinuxX86_64, true);
  InstallPlan def = choose_build(kb(), m, spec("==2.9.1"), "torch==2.9.1", CompatPolicy::kDefault);
  ASSERT_TRUE(def.found);
  EXPECT_EQ(def.chosen.variant->variant, "cu128");
  bool offered = false;
  for (const auto& a : def.alternatives)
    offered |= a.variant->variant == "cu130" && a.verdict.needs_package == "cuda-compat-13-0";
  EXPECT_TRUE(offered);
  InstallPlan fwd = choose_build(kb(), m, spec("==2.9.1"), "torch==2.9.1", CompatPolicy::kForward);
  ASSERT_TRUE(fwd.found);
  EXPECT_EQ(fwd.chosen.variant->variant, "cu130");
  EXPECT_EQ(fwd.chosen.verdict.verdict, Verdict::kNeedsForwardCompat);
}

TEST(Choose, NoMatchingRelease) {
  InstallPlan p = choose_build(kb(), machine("535.104.05", {"8.6"}), spec("==0.1"), "torch==0.1",
                               CompatPolicy::kDefault);
  EXPECT_FALSE(p.found);
  EXPECT_NE(p.nothing_fits.find("matches"), std::string::npos);
}

}  // namespace
}  // namespace cudafit
