// check_target over every kind of target, against machines built in tests.
#include "plan/check.h"

#include <gtest/gtest.h>

#include <ostream>

#include "plan/machine_spec.h"
#include "test_kb.h"

namespace cudafit {
namespace {

using testing::facts;
using testing::kb;
using testing::machine;

struct Case {
  std::string target;
  std::string driver;
  std::vector<std::string> ccs;
  std::string first_component;
  Verdict verdict;
  int exit_code;
  std::string source;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.target << " on " << c.driver; }

class CheckTable : public ::testing::TestWithParam<Case> {};

MemoryHost& files() {
  static MemoryHost h = [] {
    MemoryHost m;
    m.add_file("/w/requirements.txt",
               "--index-url https://download.pytorch.org/whl/cu118\ntorch==2.3.1\nnumpy\n");
    m.add_file("/w/plain.txt", "torch==2.3.1\n");
    m.add_file("/w/pyproject.toml",
               "[project]\nname='x'\ndependencies=['torch>=2.1,<2.4']\n"
               "[tool.uv.sources]\ntorch={index='cu121'}\n"
               "[[tool.uv.index]]\nname='cu121'\nurl='https://download.pytorch.org/whl/cu121'\n");
    m.add_file("/w/Dockerfile",
               "FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04\n"
               "RUN pip install torch==2.3.1 --index-url https://download.pytorch.org/whl/cu121\n");
    m.add_file("/w/bad.txt", "torch==\n");
    return m;
  }();
  return h;
}

TEST_P(CheckTable, Verdicts) {
  const Case& c = GetParam();
  auto r = check_target(kb(), facts(), files(), machine(c.driver, c.ccs, "3.11"), c.target);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_FALSE(r->items.empty()) << c.target;
  EXPECT_EQ(r->items[0].component, c.first_component) << c.source;
  EXPECT_EQ(to_string(r->items[0].result.verdict), to_string(c.verdict)) << c.source;
  EXPECT_EQ(r->exit_code(), c.exit_code) << c.source;
  if (c.exit_code == 1) {
    EXPECT_FALSE(r->items[0].fix.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, CheckTable,
    ::testing::Values(
        // Exact build; cuda.csv:40 530.30.02.
        Case{"torch==2.3.1+cu121",
             "535.104.05",
             {"8.0"},
             "torch 2.3.1 cu121",
             Verdict::kOk,
             0,
             "cuda.csv:40"},
        Case{"torch==2.3.1+cu121",
             "470.82.01",
             {"8.0"},
             "torch 2.3.1 cu121",
             Verdict::kNo,
             1,
             "minor 12"},
        Case{"torch==2.3.1+cu118",
             "470.82.01",
             {"8.0"},
             "torch 2.3.1 cu118",
             Verdict::kOkMinorCompat,
             0,
             "minor 11"},
        // Plain torch==2.3.1 from PyPI is the cu121 build (torch-releases.csv:39 pypi default).
        Case{"torch==2.3.1",
             "535.104.05",
             {"8.6"},
             "torch 2.3.1 cu121",
             Verdict::kOk,
             0,
             "releases:39"},
        // requirements.txt with the cu118 index.
        Case{"/w/requirements.txt",
             "470.82.01",
             {"8.6"},
             "torch 2.3.1 cu118",
             Verdict::kOkMinorCompat,
             0,
             "cuda.csv:37"},
        Case{
            "/w/plain.txt", "470.82.01", {"8.6"}, "torch 2.3.1 cu121", Verdict::kNo, 1, "minor 12"},
        // pyproject: uv index cu121, newest <2.4 is 2.3.1.
        Case{"/w/pyproject.toml",
             "535.104.05",
             {"8.6"},
             "torch 2.3.1 cu121",
             Verdict::kOk,
             0,
             "cuda.csv:40"},
        // Dockerfile: CUDA 12.4.1 image needs 550.54.15 (cuda.csv:49); 535 is within 12.x minor
        // compat.
        Case{"/w/Dockerfile",
             "535.104.05",
             {"8.6"},
             "image nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04",
             Verdict::kOkMinorCompat,
             0,
             "cuda.csv:49"},
        Case{"/w/Dockerfile",
             "470.82.01",
             {"8.6"},
             "image nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04",
             Verdict::kNo,
             1,
             "minor 12"},
        // Image references.
        Case{"pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime",
             "535.104.05",
             {"8.6"},
             "image pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime",
             Verdict::kOk,
             0,
             "cuda.csv:40"},
        Case{"pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime",
             "535.104.05",
             {"3.7"},
             "image pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime",
             Verdict::kNo,
             1,
             "arch-lists:46"},
        Case{"nvcr.io/nvidia/pytorch:24.05-py3",
             "550.54.15",
             {"9.0"},
             "image nvcr.io/nvidia/pytorch:24.05-py3",
             Verdict::kOk,
             0,
             "images-ngc-pytorch.csv 24.05 + cuda.csv:49"},
        Case{"nvcr.io/nvidia/pytorch:24.05-py3",
             "450.80.02",
             {"9.0"},
             "image nvcr.io/nvidia/pytorch:24.05-py3",
             Verdict::kNo,
             1,
             "minor 12"},
        Case{"nvidia/cuda:11.8.0-base-ubuntu22.04",
             "470.82.01",
             {"8.6"},
             "image nvidia/cuda:11.8.0-base-ubuntu22.04",
             Verdict::kOkMinorCompat,
             0,
             "minor 11"},
        // Unknown images are unknown, not failures.
        Case{"ubuntu:22.04",
             "535.104.05",
             {"8.6"},
             "image ubuntu:22.04",
             Verdict::kUnknown,
             0,
             "no facts"}));

TEST(Check, BadInputIsAnError) {
  for (const char* t : {"/w/bad.txt", "missing/requirements.txt", "torch==", "bad image!"}) {
    auto r = check_target(kb(), facts(), files(), machine("535.104.05", {"8.6"}), t);
    EXPECT_FALSE(r.ok()) << t;
  }
  auto r = check_target(kb(), facts(), files(), machine("535.104.05", {"8.6"}), "/w/bad.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rfind("/w/bad.txt:1:", 0), 0u) << r.error();
}

TEST(Check, FixNamesABuildThatRuns) {
  auto r = check_target(kb(), facts(), files(), machine("470.82.01", {"8.6"}, "3.11"),
                        "torch==2.3.1+cu121");
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->items[0].fix.find("cu118"), std::string::npos) << r->items[0].fix;
}

TEST(MachineSpec, FlagsVariablesAndGpus) {
  MemoryHost host;
  MachineFlags f;
  f.driver = "535.104.05";
  f.gpus = {"sm_86", "10de:2684"};
  f.python = "3.11.4";
  auto m = resolve_machine(f, host, kb(), nullptr);
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(m->driver.value->str(), "535.104.05");
  ASSERT_EQ(m->gpus.size(), 2u);
  EXPECT_EQ(m->gpus[0].cc.sm(), "sm_86");
  EXPECT_EQ(m->gpus[1].cc.sm(), "sm_89");  // pci-ids.csv 2684 AD102 [GeForce RTX 4090]
  EXPECT_EQ(*m->python.value, "3.11");

  MemoryHost uv;
  uv.set_env("UV_CUDA_DRIVER_VERSION", "550.54.14");
  auto mu = resolve_machine(MachineFlags{}, uv, kb(), nullptr);
  ASSERT_TRUE(mu.ok());
  EXPECT_EQ(mu->driver.source, "UV_CUDA_DRIVER_VERSION");

  MemoryHost conda;
  conda.set_env("CONDA_OVERRIDE_CUDA", "12.1");
  auto mc = resolve_machine(MachineFlags{}, conda, kb(), nullptr);
  ASSERT_TRUE(mc.ok());
  EXPECT_EQ(mc->driver.value->str(), "530.30.02");  // cuda.csv:40
  EXPECT_NE(mc->driver.source.find("CONDA_OVERRIDE_CUDA"), std::string::npos);

  MachineFlags none;
  none.gpus = {"none"};
  auto mn = resolve_machine(none, host, kb(), nullptr);
  ASSERT_TRUE(mn.ok());
  EXPECT_TRUE(mn->no_gpu);
  EXPECT_TRUE(mn->no_driver);

  auto rtx = resolve_gpu(kb(), "RTX 3050");
  ASSERT_TRUE(rtx.ok()) << rtx.error();
  EXPECT_EQ(rtx->cc.sm(), "sm_86");  // gpus.csv GeForce RTX 3050 GA106/GA107 8.6

  for (const char* bad : {"sm_x", "10de:zzzz", "Voodoo 5", ""})
    EXPECT_FALSE(resolve_gpu(kb(), bad).ok()) << bad;
  MachineFlags bad_driver;
  bad_driver.driver = "five";
  EXPECT_FALSE(resolve_machine(bad_driver, host, kb(), nullptr).ok());
  MachineFlags bad_os;
  bad_os.os = "beos";
  EXPECT_FALSE(resolve_machine(bad_os, host, kb(), nullptr).ok());
}

}  // namespace
}  // namespace cudafit
