// `cudafit kernels` verdicts end to end: NVIDIA's per-arch libraries against uniformly built
// ones (README "kernels"), on the real CUDA 13.0 libraries and the committed nvcc-built fixtures.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_run.h"

namespace cudafit::testing {
namespace {

const std::string kFixtures = std::string(CUDAFIT_SOURCE_DIR) + "/tests/doctor/fixtures/";

struct Row {
  const char* what;
  std::string path;
  const char* gpu;
  int code;             // exit status
  const char* verdict;  // the GPU's column starts with this
};

TEST(Kernels, VerdictsOnPerArchAndUniformLibraries) {
  const std::string lt = "/usr/local/cuda-13.0/lib/libcublasLt.so.13";
  const std::string sparse = "/usr/local/cuda-13.0/lib/libcusparse.so.12";
  const Row rows[] = {
      // cuBLASLt runs on the H200 (issue #15: 1376 sm_90a containers serve it).
      {"cuBLASLt on an H200", lt, "sm_90", 0, "sass (1597/3165 containers)"},
      {"cuBLASLt on a T4", lt, "sm_75", 0, "sass"},
      // CUDA 13.0 dropped Volta: cuSPARSE's sm_70 SASS is link input only.
      {"cuSPARSE on a V100", sparse, "sm_70", 1, "none"},
      {"cuSPARSE on an H200", sparse, "sm_90", 0, "sass"},
      // tests/doctor/fixtures: nvcc 13.0, -gencode arch=compute_80,code=sm_80 (README there).
      {"an extension built for sm_80 only on an H200", kFixtures + "lab_ext_sm80.so", "sm_90", 1,
       "none (1/1 containers lack code)"},
      {"the same on an A100", kFixtures + "lab_ext_sm80.so", "sm_80", 0, "sass"},
      {"its PTX-only twin on an H200", kFixtures + "lab_ext_ptx80.so", "sm_90", 0, "ptx-jit"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.what);
    if (!std::filesystem::exists(r.path)) {
      std::cout << r.path << " is absent on this machine: row skipped\n";
      continue;
    }
    CliRun got = run({"kernels", "--json", "--gpu", r.gpu, r.path});
    EXPECT_EQ(got.code, r.code) << got.err;
    auto j = nlohmann::json::parse(got.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << got.out;
    ASSERT_EQ(j["files"].size(), 1u);
    EXPECT_EQ(j["files"][0]["verdicts"][0]["verdict"].get<std::string>(),
              std::string(r.verdict).substr(0, std::string(r.verdict).find(' ')));
    CliRun text = run({"kernels", "--gpu", r.gpu, r.path});
    EXPECT_NE(text.out.find(r.verdict), std::string::npos) << text.out;
  }
}

TEST(Kernels, JsonSaysWhatTheContainersNotRunAre) {
  const std::string sparse = "/usr/local/cuda-13.0/lib/libcusparse.so.12";
  if (!std::filesystem::exists(sparse)) GTEST_SKIP() << sparse << " is absent on this machine";
  CliRun got = run({"kernels", "--json", sparse});
  auto f = nlohmann::json::parse(got.out)["files"][0];
  EXPECT_EQ(f["layout"]["kind"], "per-arch");
  for (const auto& s : f["sass"]) EXPECT_NE(s.get<std::string>(), "sm_70");
  bool link_input = false;
  for (const auto& r : f["roles"]) {
    if (r["role"] != "link-input") continue;
    link_input = true;
    EXPECT_EQ(r["containers"], 34);
    EXPECT_FALSE(r["runnable"].get<bool>());
    EXPECT_EQ(r["sections"], nlohmann::json::array({".rodata"}));
    EXPECT_NE(r["what"].get<std::string>().find("nvJitLink"), std::string::npos);
  }
  EXPECT_TRUE(link_input);
}

}  // namespace
}  // namespace cudafit::testing
