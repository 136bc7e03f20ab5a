// `cudafit check` on files that name indexes, as a user runs it (issue #19): the installer the
// file belongs to, --tool, --index-strategy, exit codes and the JSON fields.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_run.h"

namespace cudafit {
namespace {

using testing::CliRun;
using testing::run;
namespace fs = std::filesystem;

// A file in a fresh folder under the build tree.
std::string write_file(const std::string& name, const std::string& text) {
  fs::path dir = fs::path(CUDAFIT_BINARY_DIR) / "check-index-cli" /
                 ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::create_directories(dir);
  fs::path p = dir / name;
  std::ofstream(p) << text;
  return p.string();
}

const std::vector<std::string> kRtx5090 = {"--driver", "570.86.10", "--gpu",      "RTX 5090",
                                           "--python", "3.12",      "--no-detect"};

std::vector<std::string> args(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

// The file: --index-url cu128 -> torch 2.11.0 cu128 (torch-variants.csv:242), ok.
TEST(CheckIndexCli, IndexUrlCu128IsOk) {
  std::string f = write_file("requirements.txt",
                             "--index-url https://download.pytorch.org/whl/cu128\ntorch\n"
                             "torchvision\n");
  CliRun r = run(args({"check", f}, kRtx5090));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ok  torch 2.11.0 cu128"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok  torchvision 0.26.0 cu128"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("judged as: pip"), std::string::npos) << r.out;
}

// --extra-index-url: pip takes PyPI's 2.15.0 cu132 (torch-variants.csv:276), no on 570; the
// trap is named; --tool uv takes 2.11.0 cu128 and exits 0; unsafe-best-match is pip's way.
TEST(CheckIndexCli, ExtraIndexTrapAndTool) {
  std::string f = write_file("requirements.txt",
                             "--extra-index-url https://download.pytorch.org/whl/cu128\ntorch\n");
  CliRun pip = run(args({"check", f}, kRtx5090));
  EXPECT_EQ(pip.code, 1) << pip.out << pip.err;
  EXPECT_NE(pip.out.find("no  torch 2.15.0 cu132"), std::string::npos) << pip.out;
  EXPECT_NE(pip.out.find("the --extra-index-url trap"), std::string::npos) << pip.out;
  EXPECT_NE(pip.out.find("other installer: uv (first-index) would take torch 2.11.0 cu128"),
            std::string::npos)
      << pip.out;
  CliRun uv = run(args({"check", f, "--tool", "uv"}, kRtx5090));
  EXPECT_EQ(uv.code, 0) << uv.out << uv.err;
  EXPECT_NE(uv.out.find("ok  torch 2.11.0 cu128"), std::string::npos) << uv.out;
  CliRun best = run(args(
      {"check", f, "--tool", "uv", "--index-strategy", "unsafe-best-match", "--json"}, kRtx5090));
  EXPECT_EQ(best.code, 1) << best.out << best.err;
  auto j = nlohmann::json::parse(best.out);
  const auto& item = j["targets"][0]["items"][0];
  EXPECT_EQ(item["component"], "torch 2.15.0 cu132");
  EXPECT_EQ(item["installer"], "uv (unsafe-best-match)");
  EXPECT_EQ(item["verdict"], "no");
  EXPECT_TRUE(item["other_installer"].get<std::string>().empty())
      << "pip takes the same build: " << item["other_installer"];
}

TEST(CheckIndexCli, BadOptionsExitTwo) {
  std::string f = write_file("requirements.txt", "torch\n");
  EXPECT_EQ(run(args({"check", f, "--tool", "poetry"}, kRtx5090)).code, 2);
  EXPECT_EQ(run(args({"check", f, "--index-strategy", "best"}, kRtx5090)).code, 2);
  std::string bad =
      write_file("pyproject.toml", "[project]\nname='a'\n[tool.uv.sources]\ntorch={index='x'}\n");
  CliRun r = run(args({"check", bad}, kRtx5090));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("names index 'x'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cudafit
