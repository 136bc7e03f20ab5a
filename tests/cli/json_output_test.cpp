// Every `--json` output stays valid JSON when the machine's files hold bytes that are not
// UTF-8 (a garbage os-release, a GPU name from a broken /proc file, a package folder with a
// stray byte): such bytes become U+FFFD. nlohmann's dump() threw here and ended the program.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "util/temp_tree.h"

namespace cudafit {
namespace {

namespace fs = std::filesystem;

const fs::path kMachine = fs::path(CUDAFIT_SOURCE_DIR) / "tests/machines/doctor-cpu-only-torch";

using testing::CliRun;
using testing::run;

TEST(JsonOutput, BytesThatAreNotUtf8GiveValidJson) {
  fs::path dir = testing::make_temp_dir("cudafit-json-utf8");
  ASSERT_FALSE(dir.empty());
  fs::copy(kMachine, dir, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  const fs::path root = dir / "root";
  testing::write(root / "etc/os-release", "PRETTY_NAME=\"Deb\xff\xfeian\"\nID=debian\n");
  testing::write(root / "proc/driver/nvidia/gpus/0000:01:00.0/information",
                 "Model: \t\t NVIDIA GeForce \xc3\n");
  const fs::path site = root / "home/user/venv/lib/python3.11/site-packages";
  // A GPU package (envs lists those by default) whose version holds a stray byte.
  testing::write(site / "torchvision-0.18.1.dist-info/METADATA",
                 "Name: torchvision\nVersion: 0.18.1\xff\n");
  const std::string env_file = (dir / "env.txt").string();
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"detect", "--json", "--no-driver-libs"},
        std::vector<std::string>{"doctor", "--json"}, std::vector<std::string>{"envs", "--json"}}) {
    std::vector<std::string> args = {"--root", root.string(), "--env-file", env_file};
    args.insert(args.end(), cmd.begin(), cmd.end());
    CliRun r = run(args);
    EXPECT_NE(r.code, 2) << cmd[0] << ": " << r.err;
    EXPECT_TRUE(nlohmann::json::accept(r.out)) << cmd[0] << ":\n" << r.out;
    EXPECT_NE(r.out.find("\xef\xbf\xbd"), std::string::npos) << cmd[0] << ":\n" << r.out;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cudafit
