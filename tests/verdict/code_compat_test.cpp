// Rules of the CUDA Programming Guide 13.x, §1.3.4 and §5.1.2, and Table 28 (family targets),
// as summarised in /work/shared/reference/nvidia/notes.md §1.2.
#include "verdict/code_compat.h"

#include <gtest/gtest.h>

namespace cudafit {
namespace {

ComputeCapability cc(const char* text) {
  auto r = ComputeCapability::parse(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : ComputeCapability{};
}

struct Case {
  const char* code;
  const char* gpu;
  bool runs;
};

TEST(SassRunsOn, GuideRules) {
  const Case cases[] = {
      // "GPUs with minor compute capability greater than or equal to the targeted version of
      // cubin can load and execute that cubin": sm_86 runs on 8.6 and 8.9, not on 8.0.
      {"sm_86", "8.6", true},
      {"sm_86", "8.9", true},
      {"sm_86", "8.0", false},
      {"sm_80", "8.6", true},
      // "not binary compatible between major compute capability versions".
      {"sm_80", "9.0", false},
      {"sm_100", "12.0", false},
      {"sm_90", "10.0", false},
      {"sm_120", "12.1", true},  // inferred from the rule (notes §1.2)
      {"sm_75", "8.0", false},
      // "can only be run on the exact compute capability it was compiled for".
      {"sm_90a", "9.0", true},
      {"sm_100a", "10.0", true},
      {"sm_100a", "10.3", false},
      {"sm_120a", "12.1", false},
      // Table 28: compute_100f -> 10.0, 10.3; 103f -> 10.3; 110f -> 11.0; 120f -> 12.0, 12.1;
      // 121f -> 12.1.
      {"sm_100f", "10.0", true},
      {"sm_100f", "10.3", true},
      {"sm_100f", "12.0", false},
      {"sm_103f", "10.0", false},
      {"sm_103f", "10.3", true},
      {"sm_110f", "11.0", true},
      {"sm_120f", "12.0", true},
      {"sm_120f", "12.1", true},
      {"sm_121f", "12.0", false},
      {"sm_121f", "12.1", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(sass_runs_on(cc(c.code), cc(c.gpu)), c.runs) << c.code << " on " << c.gpu;
  }
}

TEST(PtxJitsTo, GuideRules) {
  const Case cases[] = {
      // "can be JIT compiled ... for any compute capability equal or higher".
      {"compute_80", "8.0", true},
      {"compute_80", "8.6", true},
      {"compute_80", "9.0", true},
      {"compute_80", "12.0", true},
      {"compute_86", "8.0", false},
      {"compute_120", "10.3", false},
      // "The compute_100 compilation target ... compatible with all devices of compute
      // capability 10.0 and later."
      {"compute_100", "12.1", true},
      // `a` PTX only on the exact CC.
      {"compute_90a", "9.0", true},
      {"compute_90a", "10.0", false},
      // `f` PTX within the family (Table 28).
      {"compute_100f", "10.3", true},
      {"compute_100f", "12.0", false},
      {"compute_120f", "12.1", true},
      {"compute_121f", "12.0", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ptx_jits_to(cc(c.code), cc(c.gpu)), c.runs) << c.code << " on " << c.gpu;
  }
}

TEST(ComparePtxIsa, Numeric) {
  EXPECT_LT(compare_ptx_isa("8.4", "8.10"), 0);
  EXPECT_GT(compare_ptx_isa("9.0", "8.8"), 0);
  EXPECT_EQ(compare_ptx_isa("9.0", "9.0"), 0);
  EXPECT_LT(compare_ptx_isa("7.8", "9"), 0);
}

TEST(Serve, SassBeatsPtxAndIsaLimitsPtx) {
  std::vector<CodeEntry> entries = {{cc("sm_80"), false, ""}, {cc("compute_90"), true, "8.0"}};
  EXPECT_EQ(serve(entries, cc("8.6"), ""), CodeVerdict::kSass);
  EXPECT_EQ(serve(entries, cc("9.0"), "8.0"), CodeVerdict::kPtxJit);
  // A driver whose newest PTX ISA is older than the PTX cannot JIT it (guide §1.1.2).
  EXPECT_EQ(serve(entries, cc("9.0"), "7.8"), CodeVerdict::kNone);
  EXPECT_EQ(serve(entries, cc("7.5"), ""), CodeVerdict::kNone);
  EXPECT_EQ(serve({}, cc("8.0"), ""), CodeVerdict::kNone);
}

TEST(ServeContainers, EveryContainerMustServe) {
  // libtorch_cuda.so-like: all containers have sm_80 and sm_90; one also has sm_90a only
  // as an extra (reference/machines/README.md).
  std::vector<std::vector<CodeEntry>> containers = {
      {{cc("sm_80"), false, ""}, {cc("sm_90"), false, ""}},
      {{cc("sm_80"), false, ""}, {cc("sm_90"), false, ""}, {cc("sm_90a"), false, ""}},
      {{cc("sm_90a"), false, ""}},
  };
  auto h100 = serve_containers(containers, cc("9.0"), "");
  EXPECT_EQ(h100.verdict, CodeVerdict::kSass);
  EXPECT_EQ(h100.containers_without_code, 0u);
  auto a100 = serve_containers(containers, cc("8.0"), "");
  EXPECT_EQ(a100.verdict, CodeVerdict::kNone);
  EXPECT_EQ(a100.containers_without_code, 1u);
  containers.push_back({{cc("compute_80"), true, "9.0"}});
  auto h100b = serve_containers(containers, cc("9.0"), "");
  EXPECT_EQ(h100b.verdict, CodeVerdict::kPtxJit);
  EXPECT_EQ(h100b.containers_ptx_only, 1u);
  EXPECT_EQ(to_string(h100b.verdict), "ptx-jit");
}

TEST(MaxPtxIsaForDriver, NewestReleaseWithinDriver) {
  // Invented rows: the rule is "newest release whose Linux minimum driver <= driver".
  auto drv = [](const char* s) { return *DriverVersion::parse(s); };
  std::vector<CudaRelease> releases(3);
  releases[0].version = CudaVersion(12, 2);
  releases[0].linux_min_driver = drv("535.54.03");
  releases[0].ptx_isa = "8.2";
  releases[1].version = CudaVersion(12, 4);
  releases[1].linux_min_driver = drv("550.54.14");
  releases[1].ptx_isa = "8.4";
  releases[2].version = CudaVersion(13, 0);
  releases[2].ptx_isa = "9.0";  // no Linux minimum: skipped
  EXPECT_EQ(max_ptx_isa_for_driver(releases, drv("535.104.05")), "8.2");
  EXPECT_EQ(max_ptx_isa_for_driver(releases, drv("560.28.03")), "8.4");
  EXPECT_EQ(max_ptx_isa_for_driver(releases, drv("470.82.01")), "");
}

}  // namespace
}  // namespace cudafit
