// verdict_for_build / verdict_for_cuda over real KB rows. Each expected verdict names the data
// rows it follows from (data/<file>:<line> at the time of writing).
#include "verdict/verdict.h"

#include <gtest/gtest.h>

#include <ostream>

namespace cudafit {
namespace {

const KnowledgeBase& kb() {
  static auto loaded = KnowledgeBase::embedded();
  return **loaded;
}

TargetGpu gpu(const std::string& cc, std::optional<bool> datacenter = false) {
  auto parsed = ComputeCapability::parse(cc);
  EXPECT_TRUE(parsed.ok()) << cc;
  return TargetGpu{cc, parsed.value_or(ComputeCapability()), datacenter, "test"};
}

TargetMachine machine(const std::string& driver, std::vector<TargetGpu> gpus,
                      const std::string& python = "", Platform p = Platform::kLinuxX86_64) {
  TargetMachine m;
  if (driver == "none")
    m.no_driver = true;
  else if (!driver.empty())
    m.driver = Fact<DriverVersion>::of(*DriverVersion::parse(driver), "test");
  m.gpus = std::move(gpus);
  m.gpus_known = true;
  m.no_gpu = m.gpus.empty();
  if (!python.empty()) m.python = Fact<std::string>::of(python, "test");
  m.platform = p;
  m.os = p == Platform::kWindowsX86_64 ? Os::kWindows : Os::kLinux;
  return m;
}

struct Case {
  std::string torch, variant, driver;
  std::vector<std::string> ccs;
  std::string python;
  Platform platform;
  Verdict expected;
  std::string why;  // the data behind the expectation
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.torch << " " << c.variant << " on " << c.driver;
}

class VerdictTable : public ::testing::TestWithParam<Case> {};

TEST_P(VerdictTable, MatchesTheData) {
  const Case& c = GetParam();
  auto v = Pep440Version::parse(c.torch);
  ASSERT_TRUE(v.ok());
  const TorchVariant* build = kb().variant(*v, c.variant);
  ASSERT_NE(build, nullptr) << c.torch << " " << c.variant;
  std::vector<TargetGpu> gpus;
  for (const auto& cc : c.ccs) gpus.push_back(gpu(cc));
  BuildVerdict got = verdict_for_build(kb(), *build, machine(c.driver, gpus, c.python, c.platform));
  std::string all;
  for (const auto& s : got.why) all += "\n why: " + s;
  for (const auto& s : got.problems) all += "\n problem: " + s;
  EXPECT_EQ(to_string(got.verdict), to_string(c.expected)) << c.why << all;
  if (!runs(got.verdict)) {
    EXPECT_FALSE(got.problems.empty()) << "a `no` must say why";
  }
}

constexpr auto kLinux = Platform::kLinuxX86_64;
constexpr auto kWin = Platform::kWindowsX86_64;
constexpr auto kArm = Platform::kLinuxAarch64;

INSTANTIATE_TEST_SUITE_P(
    Rows, VerdictTable,
    ::testing::Values(
        // cuda.csv:40 12.1.0 GA needs 530.30.02; torch-arch-lists.csv:46 2.3 cu121 has 8.6.
        Case{"2.3.1", "cu121", "535.104.05", {"8.6"}, "3.11", kLinux, Verdict::kOk, "cuda.csv:40"},
        // 528.xx < 530.30.02 but >= 525.60.13 (cuda-minor-compat.csv: 12 floor).
        Case{"2.3.1",
             "cu121",
             "525.85.12",
             {"8.6"},
             "3.11",
             kLinux,
             Verdict::kOkMinorCompat,
             "minor 12"},
        // cuda.csv:37 11.8.0 needs 520.61.05 <= 525.85.12.
        Case{"2.3.1", "cu118", "525.85.12", {"8.6"}, "3.11", kLinux, Verdict::kOk, "cuda.csv:37"},
        // 470 < 520.61.05 but >= 450.80.02 (minor 11 floor).
        Case{"2.3.1",
             "cu118",
             "470.82.01",
             {"8.6"},
             "3.11",
             kLinux,
             Verdict::kOkMinorCompat,
             "minor 11"},
        // 470 < 525.60.13 (minor 12 floor), no 12.1 forward-compat row for 470.
        Case{"2.3.1", "cu121", "470.82.01", {"8.6"}, "3.11", kLinux, Verdict::kNo, "minor 12"},
        // torch-arch-lists.csv:85 2.7 cu128: 7.5..12.0, PTX 12.0 only: nothing for sm_61.
        Case{
            "2.7.0", "cu128", "570.124.06", {"6.1"}, "3.11", kLinux, Verdict::kNo, "arch-lists:85"},
        // torch-arch-lists.csv:84 2.7 cu126 has 6.0 SASS, which runs on 6.1 (same major).
        Case{
            "2.7.0", "cu126", "570.124.06", {"6.1"}, "3.11", kLinux, Verdict::kOk, "arch-lists:84"},
        // torch-arch-lists.csv:82 2.6 cu126 stops at 9.0: no sm_120.
        Case{"2.6.0",
             "cu126",
             "570.124.06",
             {"12.0"},
             "3.11",
             kLinux,
             Verdict::kNo,
             "arch-lists:82"},
        // torch-arch-lists.csv:85 12.0 SASS; cuda.csv:56 12.8.0 needs 570.26.
        Case{"2.7.0", "cu128", "570.124.06", {"12.0"}, "3.11", kLinux, Verdict::kOk, "cuda.csv:56"},
        // sm_120 SASS runs on 12.1 (GB10), same major.
        Case{"2.7.0",
             "cu128",
             "570.124.06",
             {"12.1"},
             "3.11",
             kLinux,
             Verdict::kOk,
             "arch-lists:85"},
        // 10.0 SASS runs on 10.3.
        Case{"2.7.0",
             "cu128",
             "570.124.06",
             {"10.3"},
             "3.11",
             kLinux,
             Verdict::kOk,
             "arch-lists:85"},
        // 2.7 cu128 needs 570.26: driver 560.35.03 is below, but >= 525.60.13.
        Case{"2.7.0",
             "cu128",
             "560.35.03",
             {"8.6"},
             "3.11",
             kLinux,
             Verdict::kOkMinorCompat,
             "cuda.csv:56"},
        // 1.0.0 cu90: 3.5 5.0 6.0 7.0 + PTX 5.0 (arch-lists:5): sm_80 has no SASS, PTX JITs.
        Case{
            "1.0.0", "cu90", "535.104.05", {"8.0"}, "", kLinux, Verdict::kOkPtxJit, "arch-lists:5"},
        // 1.0.0 cu90 7.0 SASS runs on 7.5.
        Case{"1.0.0", "cu90", "535.104.05", {"7.5"}, "", kLinux, Verdict::kOk, "arch-lists:5"},
        // torch-wheels.csv:328: 2.3.1 cu121 has cp38 ... cp312 wheels: no 3.13 wheel.
        Case{"2.3.1", "cu121", "535.104.05", {"8.6"}, "3.13", kLinux, Verdict::kNo, "wheels:328"},
        Case{"2.3.1", "cu121", "535.104.05", {"8.6"}, "3.8", kLinux, Verdict::kOk, "releases:39"},
        // torch-variants.csv:171 cu121 platforms: linux-x86_64 windows-x86_64 (no aarch64).
        Case{"2.3.1", "cu121", "535.104.05", {"8.0"}, "3.11", kArm, Verdict::kNo, "variants:171"},
        // Windows: cuda.csv:40 12.1.0 needs 531.14; arch-lists:73 windows cu121 has 6.1.
        Case{"2.3.1", "cu121", "531.14", {"6.1"}, "3.11", kWin, Verdict::kOk, "cuda.csv:40"},
        // Windows minor floor 527.41 <= 528.33 < 531.14.
        Case{
            "2.3.1", "cu121", "528.33", {"8.6"}, "3.11", kWin, Verdict::kOkMinorCompat, "minor 12"},
        // Windows 2.3 cu118 keeps 3.7 SASS (arch-lists:72): a Kepler K80 runs.
        Case{"2.3.1", "cu118", "531.14", {"3.7"}, "3.11", kWin, Verdict::kOk, "arch-lists:72"},
        // Linux 2.3 cu121 has no 3.x (arch-lists:46).
        Case{
            "2.3.1", "cu121", "535.104.05", {"3.7"}, "3.11", kLinux, Verdict::kNo, "arch-lists:46"},
        // CPU build, no GPU.
        Case{"2.3.1", "cpu", "none", {}, "3.11", kLinux, Verdict::kOk, "variants:169"},
        // No driver: a CUDA build cannot run.
        Case{"2.3.1", "cu121", "none", {}, "3.11", kLinux, Verdict::kNo, "no driver"},
        // ROCm build on an NVIDIA machine.
        Case{"2.3.1",
             "rocm6.0",
             "535.104.05",
             {"8.6"},
             "3.11",
             kLinux,
             Verdict::kNo,
             "variants:173"},
        // Two GPUs: 2.7 cu128 serves sm_89? 8.6 SASS runs on 8.9; sm_61 none -> no.
        Case{"2.7.0",
             "cu128",
             "570.124.06",
             {"6.1", "8.9"},
             "3.11",
             kLinux,
             Verdict::kNo,
             "arch-lists:85"},
        Case{"2.7.0",
             "cu126",
             "570.124.06",
             {"6.1", "8.9"},
             "3.11",
             kLinux,
             Verdict::kOk,
             "arch-lists:84"},
        // 2.9 cu130 (arch-lists:91, PTX 12.0), 13.0.0 needs 580.65.06 (cuda.csv:60).
        Case{"2.9.0", "cu130", "580.95.05", {"9.0"}, "3.12", kLinux, Verdict::kOk, "cuda.csv:60"},
        // 13.x minor floor 580.65.06 > 575: and 13.0 has no forward row on 575 -> no.
        Case{"2.9.0", "cu130", "575.57.08", {"9.0"}, "3.12", kLinux, Verdict::kNo, "minor 13"},
        // 2.9 cu130 no Python 3.9 (torch-wheels.csv:424 starts at cp310).
        Case{"2.9.0", "cu130", "580.95.05", {"9.0"}, "3.9", kLinux, Verdict::kNo, "wheels:424"},
        // 2.12 cu126 (arch-lists:97) on a GTX 1080 with driver 570.
        Case{"2.12.0",
             "cu126",
             "570.124.06",
             {"6.1"},
             "3.12",
             kLinux,
             Verdict::kOk,
             "arch-lists:97"},
        Case{"2.12.0",
             "cu130",
             "580.95.05",
             {"6.1"},
             "3.12",
             kLinux,
             Verdict::kNo,
             "arch-lists:98"}));

TEST(Verdict, ForwardCompatOnlyOnDataCenterGpus) {
  // cuda-forward-compat.csv: 13.0 on branch 570 is "compatible"; 570 < 580.65.06 (13 floor).
  const TorchVariant* build = kb().variant(*Pep440Version::parse("2.9.0"), "cu130");
  ASSERT_NE(build, nullptr);
  TargetMachine dc = machine("570.124.06", {gpu("9.0", true)}, "3.12");
  BuildVerdict v = verdict_for_build(kb(), *build, dc);
  EXPECT_EQ(v.verdict, Verdict::kNeedsForwardCompat);
  EXPECT_EQ(v.needs_package, "cuda-compat-13-0");
  TargetMachine consumer = machine("570.124.06", {gpu("8.6", false)}, "3.12");
  EXPECT_EQ(verdict_for_build(kb(), *build, consumer).verdict, Verdict::kNo);
}

TEST(Verdict, UnknownDriverIsAssumedWithTheRequirementSaid) {
  const TorchVariant* build = kb().variant(*Pep440Version::parse("2.3.1"), "cu121");
  ASSERT_NE(build, nullptr);
  TargetMachine m = machine("", {gpu("8.6")}, "3.11");
  BuildVerdict v = verdict_for_build(kb(), *build, m);
  EXPECT_EQ(v.verdict, Verdict::kOk);
  bool said = false;
  for (const auto& w : v.why) said |= w.find("530.30.02") != std::string::npos;
  EXPECT_TRUE(said) << "the why chain names the minimum driver (cuda.csv:40)";
}

TEST(Verdict, WhyChainCitesDataRows) {
  const TorchVariant* build = kb().variant(*Pep440Version::parse("2.3.1"), "cu121");
  BuildVerdict v = verdict_for_build(kb(), *build, machine("535.104.05", {gpu("8.6")}, "3.11"));
  std::string all;
  for (const auto& w : v.why) all += w + "\n";
  EXPECT_NE(all.find("cuda.csv:"), std::string::npos) << all;
  EXPECT_NE(all.find("torch-arch-lists.csv:"), std::string::npos) << all;
  EXPECT_NE(all.find("yours is 535.104.05"), std::string::npos) << all;
}

TEST(Verdict, MinimumDriverForGaAndUpdate) {
  // cuda.csv:48/49: 12.4.0 GA 550.54.14, 12.4.1 550.54.15; a bare 12.4 means the GA.
  Provenance from;
  auto ga = minimum_driver_for(kb(), CudaVersion(12, 4), Os::kLinux, &from);
  ASSERT_TRUE(ga.has_value());
  EXPECT_EQ(ga->str(), "550.54.14");
  EXPECT_EQ(from.file, "cuda.csv");
  auto upd = minimum_driver_for(kb(), CudaVersion(12, 4, 1), Os::kLinux);
  ASSERT_TRUE(upd.has_value());
  EXPECT_EQ(upd->str(), "550.54.15");
  EXPECT_EQ(minimum_driver_for(kb(), CudaVersion(12, 4), Os::kWindows)->str(), "551.61");
  EXPECT_FALSE(minimum_driver_for(kb(), CudaVersion(99, 0), Os::kLinux).has_value());
}

TEST(Verdict, VerdictNamesAndOrder) {
  EXPECT_EQ(to_string(Verdict::kOkMinorCompat), "ok-minor-compat");
  EXPECT_EQ(to_string(Verdict::kNeedsForwardCompat), "needs-forward-compat");
  EXPECT_EQ(worst(Verdict::kOk, Verdict::kOkPtxJit), Verdict::kOkPtxJit);
  EXPECT_EQ(worst(Verdict::kNo, Verdict::kOkMinorCompat), Verdict::kNo);
  EXPECT_TRUE(runs(Verdict::kOkPtxJit));
  EXPECT_FALSE(runs(Verdict::kNeedsForwardCompat));
}

}  // namespace
}  // namespace cudafit
