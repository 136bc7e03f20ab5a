// `cudafit install` and `cudafit check` through run_cli, as a user types them.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include <sstream>

#include "cli_run.h"

namespace cudafit {
namespace {

using testing::CliRun;
using testing::run;

TEST(InstallCli, Driver535Torch23) {
  // cuda.csv:40: 12.1 needs 530.30.02; torch-arch-lists.csv:46 cu121 carries 8.6.
  CliRun r = run({"install", "torch==2.3.*", "--driver", "535.104.05", "--gpu", "RTX 3050",
                  "--python", "3.11", "--no-detect", "--json"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["torch"], "2.3.1");
  EXPECT_EQ(j["variant"], "cu121");
  EXPECT_EQ(j["index_url"], "https://download.pytorch.org/whl/cu121");
  EXPECT_EQ(j["verdict"], "ok");
  EXPECT_EQ(j["commands"]["pip"],
            "pip install torch==2.3.1 --index-url https://download.pytorch.org/whl/cu121");
  EXPECT_EQ(j["commands"]["conda"],
            "conda install pytorch==2.3.1 pytorch-cuda=12.1 -c pytorch -c nvidia");
  EXPECT_TRUE(j["why"].is_array());
  EXPECT_TRUE(j["alternatives"].is_array());
}

TEST(InstallCli, DefaultIsTorchWithCompanions) {
  CliRun r = run(
      {"install", "--driver", "535.104.05", "--gpu", "sm_86", "--python", "3.11", "--no-detect"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("pip:   pip install torch=="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("torchvision"), std::string::npos) << r.out;
}

TEST(InstallCli, Rtx5090Torch26ExitsOneNamingTheFirstRelease) {
  CliRun r = run({"install", "torch==2.6.*", "--driver", "570.124.06", "--gpu", "sm_120",
                  "--python", "3.11", "--no-detect"});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("torch 2.7.0 with cu128"), std::string::npos) << r.out;
}

TEST(InstallCli, NoGpuGetsTheCpuIndex) {
  CliRun r = run({"install", "torch==2.3.*", "--gpu", "none", "--python", "3.11", "--no-detect",
                  "--format", "requirements"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "--index-url https://download.pytorch.org/whl/cpu\ntorch==2.3.1\n");
}

TEST(InstallCli, NoTorchInTheRequestIsStillOneJsonDocument) {
  CliRun text = run({"install", "numpy", "--driver", "580.65.06", "--gpu", "sm_90", "--python",
                     "3.12", "--no-detect"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_EQ(text.out, "pip install numpy\n");
  CliRun r = run({"install", "--json", "numpy", "--driver", "580.65.06", "--gpu", "sm_90",
                  "--python", "3.12", "--no-detect"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);  // throws, failing the test, on plain text
  EXPECT_TRUE(j["torch"].is_null());
  EXPECT_EQ(j["verdict"], "unknown");
  EXPECT_EQ(j["commands"]["pip"], "pip install numpy");
  EXPECT_EQ(j["commands"]["uv"], "uv pip install numpy");
  EXPECT_TRUE(j["commands"]["conda"].is_null());
  EXPECT_TRUE(j["alternatives"].is_array());
  EXPECT_TRUE(j.contains("machine"));
}

TEST(InstallCli, UvDriverVariableIsNamed) {
  CliRun r = run(
      {"install", "torch==2.3.*", "--gpu", "sm_86", "--python", "3.11", "--no-detect", "--json"},
      {{"UV_CUDA_DRIVER_VERSION", "525.85.12"}});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["variant"], "cu118");
  EXPECT_NE(j["machine"].get<std::string>().find("UV_CUDA_DRIVER_VERSION"), std::string::npos);
  ASSERT_EQ(j["alternatives"].size(), 1u);
  EXPECT_EQ(j["alternatives"][0]["verdict"], "ok-minor-compat");
}

TEST(InstallCli, BadInputExitsTwo) {
  EXPECT_EQ(run({"install", "torch==", "--no-detect"}).code, 2);
  EXPECT_EQ(run({"install", "--driver", "abc", "--no-detect"}).code, 2);
  EXPECT_EQ(run({"install", "--gpu", "Voodoo", "--no-detect"}).code, 2);
  EXPECT_EQ(run({"install", "--compat", "sideways", "--no-detect"}).code, 2);
  EXPECT_EQ(run({"install", "--tool", "poetry", "--no-detect"}).code, 2);
}

TEST(CheckCli, ExitCodes) {
  EXPECT_EQ(run({"check", "torch==2.3.1+cu121", "--driver", "535.104.05", "--gpu", "sm_80",
                 "--no-detect"})
                .code,
            0);
  CliRun no = run(
      {"check", "torch==2.3.1+cu121", "--driver", "470.82.01", "--gpu", "sm_80", "--no-detect"});
  EXPECT_EQ(no.code, 1);
  EXPECT_NE(no.out.find("fix:"), std::string::npos) << no.out;
  EXPECT_EQ(run({"check", "torch==", "--no-detect"}).code, 2);
  EXPECT_EQ(run({"check", "no/such/requirements.txt", "--no-detect"}).code, 2);
  CliRun j = run({"check", "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04", "--driver", "550.54.15",
                  "--gpu", "sm_90", "--no-detect", "--json"});
  ASSERT_EQ(j.code, 0) << j.err;
  auto parsed = nlohmann::json::parse(j.out);
  EXPECT_EQ(parsed["targets"][0]["items"][0]["verdict"], "ok");
}

// --data is a folder of this machine: a relative path is taken from the working directory
// (it used to be read as if from "/").
TEST(InstallCli, RelativeDataDir) {
  std::string rel = std::filesystem::relative(std::string(CUDAFIT_SOURCE_DIR) + "/data").string();
  ASSERT_FALSE(rel.empty() || rel.front() == '/');
  CliRun r = run({"--data", rel, "install", "torch==2.3.*", "--driver", "535.104.05", "--gpu",
                  "sm_86", "--python", "3.11"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("torch 2.3.1 cu121"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cudafit

namespace cudafit {
namespace {

// Records when text first shows up, so a test can tell streamed output from output
// handed over at the end.
class WatchedBuf : public std::stringbuf {
 public:
  explicit WatchedBuf(std::string needle) : needle_(std::move(needle)) {}
  std::optional<std::chrono::steady_clock::time_point> seen;

 protected:
  int sync() override {
    if (!seen && str().find(needle_) != std::string::npos) seen = std::chrono::steady_clock::now();
    return 0;
  }

 private:
  std::string needle_;
};

// --exec runs pip with the environment's python and streams what it prints as it prints it.
TEST(InstallCli, ExecStreamsThePipOutput) {
  namespace fs = std::filesystem;
  std::string tmpl = (fs::temp_directory_path() / "cudafit-exec-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  fs::path prefix = tmpl;
  fs::create_directories(prefix / "bin");
  {
    std::ofstream py(prefix / "bin/python");
    py << "#!/bin/sh\necho \"python got: $*\"\nsleep 0.5\necho finished\necho warned >&2\n";
  }
  fs::permissions(prefix / "bin/python", fs::perms::owner_all);
  WatchedBuf out_buf("python got:");
  std::ostream out(&out_buf);
  std::ostringstream err;
  auto start = std::chrono::steady_clock::now();
  int code =
      run_cli({"cudafit", "install", "torch==2.3.*", "--driver", "535.104.05", "--gpu", "sm_86",
               "--python", "3.11", "--no-detect", "--exec", "--env", prefix.string()},
              out, err, std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"}});
  auto end = std::chrono::steady_clock::now();
  fs::remove_all(prefix);
  ASSERT_EQ(code, 0) << err.str() << out_buf.str();
  std::string text = out_buf.str();
  EXPECT_NE(text.find("python got: -m pip install torch==2.3.1 --index-url "
                      "https://download.pytorch.org/whl/cu121"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("finished"), std::string::npos) << text;
  EXPECT_NE(err.str().find("warned"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("cudafit: running: "), std::string::npos) << err.str();
  ASSERT_TRUE(out_buf.seen.has_value()) << "output never flushed";
  EXPECT_GE(end - *out_buf.seen, std::chrono::milliseconds(300))
      << "the first line arrived only when pip had finished";
  EXPECT_GE(*out_buf.seen - start, std::chrono::milliseconds(0));
}

}  // namespace
}  // namespace cudafit

namespace cudafit {
namespace {

// A companion's pin chooses the torch it was released with (torch-releases.csv), and the
// companion printed is that one.
TEST(InstallCli, CompanionPinPicksTheTorch) {
  struct Row {
    std::vector<std::string> reqs;
    const char* python;
    const char* torch;      // expected, "" = nothing fits
    const char* companion;  // expected in the pip command
  } rows[] = {
      {{"torch", "torchvision==0.18.*"}, "3.11", "2.3.1", "torchvision==0.18.1"},
      {{"torchvision==0.17.1"}, "3.11", "2.2.1", "torchvision==0.17.1"},
      {{"torchaudio<2.0"}, "3.8", "1.13.1", "torchaudio==0.13.1"},
      {{"torch>=2.4", "torchvision==0.18.*"}, "3.11", "", ""},
      {{"torchvision==0.99"}, "3.11", "", ""},
  };
  for (const auto& r : rows) {
    std::vector<std::string> args{"install"};
    args.insert(args.end(), r.reqs.begin(), r.reqs.end());
    for (const char* a : {"--driver", "535.104.05", "--gpu", "sm_86", "--no-detect", "--json"})
      args.emplace_back(a);
    args.emplace_back("--python");
    args.emplace_back(r.python);
    CliRun got = run(args);
    SCOPED_TRACE(args[1] + " " + (args.size() > 2 ? args[2] : ""));
    if (std::string(r.torch).empty()) {
      EXPECT_EQ(got.code, 1) << got.out << got.err;
      continue;
    }
    ASSERT_EQ(got.code, 0) << got.out << got.err;
    auto j = nlohmann::json::parse(got.out);
    EXPECT_EQ(j["torch"], r.torch);
    EXPECT_NE(j["commands"]["pip"].get<std::string>().find(r.companion), std::string::npos)
        << j["commands"]["pip"];
  }
}

// --gpu takes one value: what follows it is a target, as pre-commit writes the command
// (`cudafit check --driver 535.104.05 --gpu sm_80 requirements.txt`). CUDA 12.1 needs
// 530.30.02 (cuda.csv:40); 2.3.1 cu121 carries SASS sm_80 (torch-arch-lists.csv:46).
TEST(CheckCli, GpuOptionLeavesTheTargetsAfterIt) {
  CliRun r = run(
      {"check", "--driver", "535.104.05", "--gpu", "sm_80", "torch==2.3.1+cu121", "--no-detect"});
  EXPECT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("ok  torch 2.3.1 cu121"), std::string::npos) << r.out;
  CliRun two = run({"check", "--gpu", "sm_80", "--gpu", "sm_50", "torch==2.3.1+cu121", "--driver",
                    "535.104.05", "--no-detect"});
  EXPECT_EQ(two.code, 0) << two.err << two.out;
  CliRun k = run({"kernels", "--gpu", "sm_80",
                  std::string(CUDAFIT_SOURCE_DIR) + "/tests/binary/fixtures/multi.so"});
  EXPECT_NE(k.code, 2) << k.err;
}

}  // namespace
}  // namespace cudafit
