// `cudafit install` takes every fact a flag leaves out from this machine (issue 14): the
// Python of the environment it would install into (--env, the active venv/conda env, the
// first python3 on PATH), OS, CPU architecture, driver and GPUs; a flag overrides only what
// it names. Real venvs, made with `python -m venv`, and the fixture machines under
// tests/machines.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli_run.h"
#include "kb/kb.h"
#include "util/host.h"

namespace cudafit {
namespace {

using testing::CliRun;
using testing::run;
namespace fs = std::filesystem;

const std::string kMachines = std::string(CUDAFIT_SOURCE_DIR) + "/tests/machines/";

// A fixture machine's environment variables (env.txt: NAME=value lines).
std::map<std::string, std::string> env_of(const std::string& machine) {
  std::map<std::string, std::string> env;
  std::ifstream in(kMachines + machine + "/env.txt");
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

CliRun on_machine(const std::string& machine, std::vector<std::string> args) {
  args.insert(args.begin(), {"--root", kMachines + machine + "/root"});
  return run(args, env_of(machine));
}

// The case: flags for driver, GPU and Python on a Linux x86_64 machine. OS and CPU
// architecture come from the machine (its /etc/os-release and loader), not "assumed".
TEST(InstallTarget, FlagsOverrideOnlyWhatTheyName) {
  CliRun r = on_machine("doctor-gtx1080-cu126", {"install", "--driver", "570.86.10", "--gpu",
                                                 "GTX 1080", "--python", "3.12", "--json"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  auto j = nlohmann::json::parse(r.out);
  std::string assumptions = j["assumptions"].dump();
  EXPECT_EQ(assumptions.find("OS unknown"), std::string::npos) << assumptions;
  EXPECT_EQ(assumptions.find("CPU architecture unknown"), std::string::npos) << assumptions;
  std::string m = j["machine"];
  EXPECT_NE(m.find("driver 570.86.10 (--driver)"), std::string::npos) << m;  // not 570.133.07
  EXPECT_NE(m.find("Python 3.12,"), std::string::npos) << m;                 // not the venv's
  EXPECT_NE(m.find("Linux x86_64"), std::string::npos) << m;
}

// No flags: the driver the machine runs, its GPU and its active venv's Python, named.
TEST(InstallTarget, EverythingFromTheMachine) {
  CliRun r = on_machine("doctor-gtx1080-cu126", {"install", "--json"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  auto j = nlohmann::json::parse(r.out);
  std::string m = j["machine"];
  // /sys/module/nvidia/version of the fixture; pyvenv.cfg of /home/user/venv says 3.11.
  EXPECT_NE(m.find("driver 570.133.07 (/sys/module/nvidia/version)"), std::string::npos) << m;
  EXPECT_NE(m.find("Python 3.11 of /home/user/venv/bin/python"), std::string::npos) << m;
  EXPECT_NE(m.find("found by VIRTUAL_ENV"), std::string::npos) << m;
  EXPECT_EQ(j["assumptions"].dump().find("Python unknown"), std::string::npos);
}

// --no-detect keeps the flags' machine; the assumptions say what was assumed.
TEST(InstallTarget, NoDetectAssumesAndSaysSo) {
  CliRun r = on_machine("doctor-gtx1080-cu126", {"install", "--driver", "570.86.10", "--gpu",
                                                 "sm_61", "--no-detect", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::string assumptions = nlohmann::json::parse(r.out)["assumptions"].dump();
  EXPECT_NE(assumptions.find("OS unknown: assumed Linux"), std::string::npos) << assumptions;
  EXPECT_NE(assumptions.find("Python unknown"), std::string::npos) << assumptions;
}

// "--driver 535": some 535-branch driver, judged by the branch's first release 535.43.02
// (driver-first-releases.csv), and said.
TEST(InstallTarget, DriverBranchIsJudgedByItsFirstRelease) {
  CliRun r = run({"install", "torch==2.3.*", "--driver", "535", "--gpu", "sm_86", "--python",
                  "3.11", "--no-detect"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("driver 535.43.02 (--driver 535, branch 535)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--driver 535 is some 535-branch driver: judged by the branch's first "
                       "release 535.43.02 (driver-first-releases.csv:"),
            std::string::npos)
      << r.out;
  // 535.43.02 is older than CUDA 12.2's 535.54.03 but newer than 12.1's 530.30.02: cu121 ok.
  EXPECT_NE(r.out.find("torch 2.3.1 cu121: ok"), std::string::npos) << r.out;
  CliRun r620 =
      run({"install", "--driver", "R620", "--gpu", "sm_90", "--python", "3.12", "--no-detect"});
  EXPECT_EQ(r620.code, 0) << r620.err;
  EXPECT_NE(r620.out.find("judged as 620.00"), std::string::npos) << r620.out;
  CliRun bad = run({"install", "--driver", "999", "--no-detect"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("driver branch 999 is not in the knowledge base"), std::string::npos)
      << bad.err;
}

// --python 3.13t: a free-threaded interpreter, its own wheel tag (torch-wheels.csv: 2.7.1 has
// cp313t Linux wheels; 2.12.1 dropped them).
TEST(InstallTarget, FreeThreadedPythonFlag) {
  CliRun r = run({"install", "torch==2.7.*", "--driver", "570.124.06", "--gpu", "sm_86", "--python",
                  "3.13t", "--no-detect"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("torch 2.7.1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("has a wheel for Python 3.13t"), std::string::npos) << r.out;
  CliRun none = run({"install", "torch==2.12.1", "--driver", "590.44.01", "--gpu", "sm_86",
                     "--python", "3.13t", "--no-detect"});
  EXPECT_EQ(none.code, 1) << none.out;
  EXPECT_EQ(run({"install", "--python", "3.13x", "--no-detect"}).code, 2);
}

TEST(InstallTarget, EnvThatIsNoEnvironmentIsAnError) {
  std::string tmpl = (fs::temp_directory_path() / "cudafit-noenv-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  CliRun r = run({"install", "--env", tmpl, "--driver", "535.104.05", "--gpu", "sm_86"},
                 {{"PATH", "/usr/bin:/bin"}});
  fs::remove_all(tmpl);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.err.find("not a Python environment"), std::string::npos) << r.err;
}

// A real venv of a real CPython; its interpreter tells its own tag (cpXY), and the build
// chosen must have a wheel with that tag (torch-wheels.csv).
class RealVenv {
 public:
  explicit RealVenv(const std::string& python) {
    std::string tmpl = (fs::temp_directory_path() / "cudafit-venv-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return;
    dir_ = tmpl;
    std::string cmd = python + " -m venv --without-pip " + (dir_ / "v").string();
    ok_ = std::system(cmd.c_str()) == 0;
    if (!ok_) return;
    std::string tag_file = (dir_ / "tag").string();
    std::string ask = (dir_ / "v/bin/python").string() +
                      " -c 'import sys; print(\"cp%d%d\" % sys.version_info[:2])' > " + tag_file;
    ok_ = std::system(ask.c_str()) == 0;
    std::ifstream in(tag_file);
    std::getline(in, tag_);
  }
  ~RealVenv() {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  bool ok() const { return ok_ && !tag_.empty(); }
  std::string prefix() const { return (dir_ / "v").string(); }
  const std::string& tag() const { return tag_; }

 private:
  fs::path dir_;
  bool ok_ = false;
  std::string tag_;
};

struct VenvCase {
  const char* python;   // the interpreter that makes the venv
  const char* request;  // torch requirement
  const char* torch;    // expected
};

void expect_venv_choice(const VenvCase& c, bool via_env_flag) {
  RealVenv venv(c.python);
  ASSERT_TRUE(venv.ok()) << c.python << " -m venv failed";
  std::map<std::string, std::string> env{{"PATH", venv.prefix() + "/bin:/usr/bin:/bin"}};
  std::vector<std::string> args{"install", c.request, "--gpu", "none", "--json"};
  if (via_env_flag) {
    args.insert(args.end(), {"--env", venv.prefix()});
  } else {
    env["VIRTUAL_ENV"] = venv.prefix();
  }
  CliRun r = run(args, env);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["torch"], c.torch) << c.python;
  std::string m = j["machine"];
  EXPECT_NE(m.find(" of " + venv.prefix() + "/bin/python"), std::string::npos) << m;
  EXPECT_NE(m.find(via_env_flag ? "found by --env" : "found by VIRTUAL_ENV"), std::string::npos)
      << m;
  // The venv's own interpreter's tag is among the wheels of the build chosen.
  auto kb = KnowledgeBase::embedded();
  const TorchWheelSet* w = (*kb)->torch_wheels(*Pep440Version::parse(std::string(j["torch"])),
                                               std::string(j["variant"]), Platform::kLinuxX86_64);
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(w->has(venv.tag())) << venv.tag() << " not in " << w->from.where();
}

// Debian's python3 (3.11 here): a venv from it, active through VIRTUAL_ENV, no --python.
TEST(InstallTarget, RealVenvOfTheSystemPython) {
  if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3 on this machine";
  // CPU builds (--gpu none); "torch<2.6": 2.5.1 has wheels for cp39 ... cp313.
  expect_venv_choice({"/usr/bin/python3", "torch<2.6", "2.5.1"}, false);
  expect_venv_choice({"/usr/bin/python3", "torch<2.6", "2.5.1"}, true);
}

// Other CPythons, where pyenv has them: each venv's Python picks the newest release with its
// wheel (torch-wheels.csv pypi rows: cp37 ends with 1.13.1, cp38 with 2.4.1, cp313 is the
// issue's case with torch<2.6).
TEST(InstallTarget, RealVenvsOfOtherPythons) {
  const VenvCase cases[] = {
      {"/root/.pyenv/versions/3.7.16/bin/python3", "torch", "1.13.1"},
      {"/root/.pyenv/versions/3.8.18/bin/python3", "torch", "2.4.1"},
      {"/root/.pyenv/versions/3.13.0/bin/python3", "torch<2.6", "2.5.1"},
  };
  int ran = 0;
  for (const auto& c : cases) {
    if (!fs::exists(c.python)) continue;
    ++ran;
    expect_venv_choice(c, false);
  }
  if (ran == 0) GTEST_SKIP() << "none of the pyenv CPythons is installed here";
}

}  // namespace
}  // namespace cudafit
