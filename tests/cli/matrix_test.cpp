// `cudafit matrix`: the acceptance cases of issue 4, filters and errors, through run_cli.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "cli_run.h"
#include "kb/kb.h"
#include "report/matrix.h"

namespace cudafit {
namespace {

using testing::CliRun;
using testing::run;

nlohmann::json json_of(const CliRun& r) {
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

TEST(Matrix, TorchTwoThreeListsCu118AndCu121) {
  // Acceptance: `cudafit matrix torch --torch 2.3 --format json`.
  auto j = json_of(run({"matrix", "torch", "--torch", "2.3", "--format", "json"}));
  std::set<std::string> variants, releases;
  for (const auto& row : j) {
    releases.insert(row["torch"].get<std::string>());
    if (!row["cuda"].is_null()) variants.insert(row["variant"].get<std::string>());
  }
  EXPECT_EQ(releases, (std::set<std::string>{"2.3.0", "2.3.1"}));
  EXPECT_EQ(variants, (std::set<std::string>{"cu118", "cu121"}));
}

TEST(Matrix, DriverForCudaTwelveFour) {
  // Acceptance: NVIDIA Table 3, CUDA 12.4 GA -> Linux 550.54.14, Windows 551.61.
  auto j = json_of(run({"matrix", "driver", "--cuda", "12.4", "--format", "json"}));
  ASSERT_GE(j.size(), 1u);
  EXPECT_EQ(j[0]["toolkit"], "12.4.0");
  EXPECT_EQ(j[0]["linux_min_driver"], "550.54.14");
  EXPECT_EQ(j[0]["windows_min_driver"], "551.61");
  EXPECT_EQ(j[0]["minor_compat_linux"], "525.60.13");
  for (const auto& row : j) EXPECT_EQ(row["cuda"], "12.4");
}

TEST(Matrix, TorchCsvCoversEveryRelease) {
  // Acceptance: every release from 1.0 to the newest in the data.
  CliRun r = run({"matrix", "torch", "--format", "csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto kb = KnowledgeBase::embedded().value();
  for (const auto& rel : kb->torch_releases()) {
    std::string line_start(1, '\n');
    line_start += rel.version.str();
    line_start += ',';
    EXPECT_NE(r.out.find(line_start), std::string::npos) << rel.version.str();
  }
  EXPECT_NE(r.out.find("\n1.0.0,"), std::string::npos);
  EXPECT_NE(r.out.find("\n2.15.0,cu132,default-pypi,13.2"), std::string::npos);
}

TEST(Matrix, TextFitsOneHundredColumns) {
  for (const char* table : {"torch", "driver", "arch", "gpu", "tensorflow", "jax", "vllm",
                            "xformers", "flash-attn", "triton", "cupy"}) {
    CliRun r = run({"matrix", table});
    ASSERT_EQ(r.code, 0) << table << ": " << r.err;
    std::istringstream lines(r.out);
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
      ++n;
      std::size_t cols = 0;
      for (unsigned char c : line) cols += (c & 0xC0) != 0x80;
      EXPECT_LE(cols, 100u) << table << ": " << line;
    }
    EXPECT_GT(n, 3) << table;
  }
}

TEST(Matrix, DriverFilterKeepsOnlyWhatRuns) {
  // 535.104.05 = CUDA 12.2 Update 2's driver (Table 3); 12.3+ only through minor-version
  // compatibility (12.x floor 525.60.13), 13.x not at all.
  auto j = json_of(run({"matrix", "torch", "--driver", "535.104.05", "--format", "json"}));
  ASSERT_FALSE(j.empty());
  for (const auto& row : j) {
    std::string cuda = row["cuda"];
    EXPECT_NE(cuda.substr(0, 3), "13.") << row.dump();
    if (cuda == "12.1" || cuda == "11.8") {
      EXPECT_EQ(row["driver_runs"], "yes");
    }
    if (cuda == "12.4") {
      EXPECT_EQ(row["driver_runs"], "minor-compat");
    }
  }
  auto d = json_of(run({"matrix", "driver", "--driver", "470.82.01", "--format", "json"}));
  for (const auto& row : d)
    EXPECT_LT(std::stoi(row["cuda"].get<std::string>()), 12);  // 11.x and older
}

TEST(Matrix, GpuFilterByNameCcAndPciId) {
  // RTX 3050 = GA106/GA107, CC 8.6 (pci.ids, NVIDIA CUDA GPUs page).
  for (const char* gpu : {"RTX 3050", "sm_86", "8.6", "10de:2507"}) {
    auto j = json_of(run({"matrix", "gpu", "--gpu", gpu, "--format", "json"}));
    ASSERT_FALSE(j.empty()) << gpu;
    for (const auto& row : j) EXPECT_EQ(row["cc"], "8.6") << gpu;
  }
  auto h200 = json_of(run({"matrix", "gpu", "--gpu", "10de:2335", "--format", "json"}));
  ASSERT_EQ(h200.size(), 1u);
  EXPECT_EQ(h200[0]["product"], "NVIDIA H200");
  EXPECT_EQ(h200[0]["chip"], "GH100");
  EXPECT_EQ(h200[0]["cc"], "9.0");
  // torch 2.7 cu128 carries sm_75..sm_120 only (PRs #146265, #147607): no Pascal.
  auto t =
      json_of(run({"matrix", "torch", "--torch", "2.7.0", "--gpu", "sm_61", "--format", "json"}));
  std::set<std::string> v;
  for (const auto& row : t) v.insert(row["variant"]);
  EXPECT_EQ(v, (std::set<std::string>{"cu118", "cu126"}));
  // RTX 5090 (12.0): only builds with sm_120 SASS or PTX it can JIT (plain PTX: any older CC).
  auto b = json_of(run({"matrix", "arch", "--gpu", "RTX 5090", "--format", "json"}));
  ASSERT_FALSE(b.empty());
  for (const auto& row : b)
    EXPECT_TRUE(row["arch_list"].get<std::string>().find("12.0") != std::string::npos ||
                row["arch_list"].get<std::string>().find("+PTX") != std::string::npos);
}

TEST(Matrix, FrameworkTables) {
  auto tf = json_of(run({"matrix", "tensorflow", "--format", "json"}));
  bool found = false;
  for (const auto& row : tf)
    if (row["version"] == "2.15.0") {
      found = true;
      EXPECT_EQ(row["cuda"], "12.2");  // tensorflow/docs source.md tested configurations
      EXPECT_EQ(row["cudnn"], "8.9");
    }
  EXPECT_TRUE(found);
  auto vllm = json_of(run({"matrix", "vllm", "--torch", "2.4", "--format", "json"}));
  ASSERT_FALSE(vllm.empty());
  for (const auto& row : vllm) EXPECT_EQ(row["torch"].get<std::string>().substr(0, 3), "2.4");
}

TEST(Matrix, BadFilterValuesAreUsageErrors) {
  const std::vector<std::vector<std::string>> cases = {
      {"matrix", "torch", "--torch", "9.9"},
      {"matrix", "torch", "--torch", "two"},
      {"matrix", "driver", "--cuda", "12.7"},
      {"matrix", "driver", "--cuda", "x.y"},
      {"matrix", "torch", "--driver", "abc"},
      {"matrix", "gpu", "--gpu", "Voodoo 5"},
      {"matrix", "gpu", "--gpu", "10de:0001"},
      {"matrix", "torch", "--format", "yaml"},
      {"matrix", "nosuchtable"},
      {"matrix", "driver", "--os", "mac"},
      {"matrix", "tensorflow", "--gpu", "tensorflow"},
  };
  for (const auto& args : cases) {
    CliRun r = run(args);
    EXPECT_EQ(r.code, 2) << args.back();
    EXPECT_TRUE(r.out.empty()) << args.back();
    EXPECT_NE(r.err.find(args.back()), std::string::npos) << r.err;  // names the value
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  }
}

TEST(Matrix, FormatsRenderTheSameRows) {
  CliRun md = run({"matrix", "driver", "--cuda", "12.4", "--format", "markdown"});
  ASSERT_EQ(md.code, 0);
  EXPECT_NE(md.out.find("| 12.4.0 |"), std::string::npos) << md.out;
  CliRun text = run({"matrix", "driver", "--cuda", "12.4"});
  EXPECT_NE(text.out.find("550.54.14"), std::string::npos);
  EXPECT_NE(text.out.find("551.61"), std::string::npos);
}

TEST(Matrix, VersionLineNamesNewestTorchAndCuda) {
  CliRun r = run({"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("torch up to 2.15.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CUDA up to 13.4.2"), std::string::npos) << r.out;
}

TEST(Matrix, DataDirGivesTheSameTable) {
  CliRun a = run({"matrix", "torch", "--torch", "2.3", "--format", "csv"});
  CliRun b = run({"--data", std::string(CUDAFIT_SOURCE_DIR) + "/data", "matrix", "torch", "--torch",
                  "2.3", "--format", "csv"});
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.out, b.out);
}

}  // namespace
}  // namespace cudafit
