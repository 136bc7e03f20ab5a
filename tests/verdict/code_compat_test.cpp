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

// A container written as "sm_80 sm_90 compute_90@9.0".
std::vector<CodeEntry> container(const std::string& text) {
  std::vector<CodeEntry> out;
  std::size_t p = 0;
  while (p < text.size()) {
    std::size_t end = text.find(' ', p);
    std::string word = text.substr(p, end == std::string::npos ? std::string::npos : end - p);
    p = end == std::string::npos ? text.size() : end + 1;
    std::string isa;
    if (auto at = word.find('@'); at != std::string::npos) {
      isa = word.substr(at + 1);
      word = word.substr(0, at);
    }
    out.push_back({cc(word.c_str()), word.rfind("compute_", 0) == 0, isa});
  }
  return out;
}

std::vector<std::vector<CodeEntry>> containers(
    std::initializer_list<std::pair<const char*, int>> sets) {
  std::vector<std::vector<CodeEntry>> out;
  for (const auto& [text, count] : sets)
    for (int i = 0; i < count; ++i) out.push_back(container(text));
  return out;
}

struct LayoutRow {
  const char* what;
  std::vector<std::vector<CodeEntry>> containers;
  ContainerLayout layout;
};

TEST(ReadLayout, FromTheTargetSetsOfTheContainers) {
  // Shapes read with `cudafit kernels --json` from the real files (runnable containers only),
  // counts trimmed; libtorch_cuda.so from /work/shared/reference/machines/README.md.
  const LayoutRow rows[] = {
      {"libtorch_cuda.so: a base list in every container, a few add `a` kernels",
       containers({{"sm_75 sm_80 sm_86 sm_90 sm_100 sm_120", 380},
                   {"sm_75 sm_80 sm_86 sm_90 sm_100 sm_120 sm_100a sm_103a", 59},
                   {"sm_75 sm_80 sm_86 sm_90 sm_100 sm_120 sm_90a", 4}}),
       ContainerLayout::kUniform},
      {"an extension built for sm_80 only", containers({{"sm_80", 3}}), ContainerLayout::kUniform},
      {"multi.so: k1 sm_80, k2 sm_80 + sm_90", containers({{"sm_80", 1}, {"sm_80 sm_90", 1}}),
       ContainerLayout::kUniform},
      {"one container", containers({{"sm_90a sm_100a", 1}}), ContainerLayout::kPerArch},
      {"libcublasLt.so.13: no target in every container",
       containers({{"sm_90a sm_120f", 868}, {"sm_100", 780}, {"sm_90a", 273}, {"sm_75", 34}}),
       ContainerLayout::kPerArch},
      {"libcusolver.so.12: the common targets (sm_90..) are never a container of their own",
       containers({{"sm_75 sm_80 sm_86 sm_89 sm_90 sm_100 sm_103 sm_120 sm_121 compute_121", 221},
                   {"sm_90 sm_100 sm_103 sm_120 sm_121 compute_90 compute_100 compute_103 "
                    "compute_120 compute_121",
                    1}}),
       ContainerLayout::kPerArch},
      {"libcudnn_engines_runtime_compiled.so.9: all share only sm_90a",
       containers(
           {{"sm_75 sm_80 sm_86 sm_90a sm_100f sm_120f sm_121 compute_121", 23}, {"sm_90a", 5}}),
       ContainerLayout::kPerArch},
      {"libcudnn_ops.so.9: one set (either rule gives the same verdicts)",
       containers({{"sm_75 sm_80 sm_90a sm_100f sm_120f", 22}}), ContainerLayout::kUniform},
      {"a PTX-only container beside SASS-only ones shares no target with them",
       containers({{"sm_80 sm_90", 2}, {"compute_80", 1}}), ContainerLayout::kPerArch},
      {"libcurand.so.10: one set with a plain target",
       containers({{"sm_75 sm_80 sm_86 sm_89 sm_90 sm_100 sm_103 sm_120 sm_121 compute_121", 10}}),
       ContainerLayout::kUniform},
  };
  for (const LayoutRow& r : rows) {
    LayoutReading got = read_layout(r.containers);
    EXPECT_EQ(to_string(got.layout), to_string(r.layout)) << r.what << ": " << got.why;
    EXPECT_NE(got.why, "") << r.what;
  }
}

struct CoverageRow {
  const char* what;
  std::vector<std::vector<CodeEntry>> containers;
  const char* gpu;
  CodeVerdict verdict;
  std::size_t without_code;
};

TEST(ServeContainers, UniformNeedsEveryContainerPerArchSome) {
  const auto torch_like = containers({{"sm_80 sm_90", 3}, {"sm_80 sm_90 sm_90a", 1}});
  const auto multi = containers({{"sm_80", 1}, {"sm_80 sm_90", 1}});
  const auto jit = containers({{"sm_80 sm_90 compute_80@9.0", 2}, {"compute_80@9.0", 1}});
  const auto cublaslt = containers({{"sm_90a sm_120f", 4}, {"sm_100", 3}, {"sm_75", 2}});
  const auto ptx_lib = containers({{"sm_100", 2}, {"compute_75@9.0", 1}});
  const CoverageRow rows[] = {
      {"uniform, every container has sm_90", torch_like, "9.0", CodeVerdict::kSass, 0},
      {"uniform, k1 lacks sm_90: no kernel image", multi, "9.0", CodeVerdict::kNone, 1},
      {"uniform, one container by JIT", jit, "9.0", CodeVerdict::kPtxJit, 0},
      {"per-arch: sm_90a containers serve an H200", cublaslt, "9.0", CodeVerdict::kSass, 5},
      {"per-arch: sm_75 containers serve a T4", cublaslt, "7.5", CodeVerdict::kSass, 7},
      {"per-arch: nothing for 8.0", cublaslt, "8.0", CodeVerdict::kNone, 9},
      {"per-arch: PTX only for 8.6", ptx_lib, "8.6", CodeVerdict::kPtxJit, 2},
  };
  for (const CoverageRow& r : rows) {
    ContainerCoverage got = serve_containers(r.containers, cc(r.gpu), "");
    EXPECT_EQ(to_string(got.verdict), to_string(r.verdict)) << r.what;
    EXPECT_EQ(got.containers_without_code, r.without_code) << r.what;
  }
  EXPECT_EQ(serve_containers({}, cc("9.0"), "").verdict, CodeVerdict::kNone);
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
