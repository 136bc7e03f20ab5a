// End to end on fixture machines: tree -> detect_machine -> discover_environments -> diagnose.
// Every tests/machines/<name>/ with an expected-doctor.txt ("severity id" lines; '#' comments;
// empty = healthy) must give exactly those findings. The recipes and the data rows behind each
// expectation are in make_fixtures.py and the file's first line.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "doctor/doctor.h"
#include "doctor/kernels.h"
#include "doctor/render.h"
#include "doctor_fixtures.h"
#include "envs/discover.h"
#include "probe/detect.h"
#include "util/strings.h"

namespace cudafit::testing {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);  // test data on this machine, not the described one
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Diagnosed {
  Machine machine;
  std::vector<Finding> findings;
};

Diagnosed diagnose_tree(const std::string& root, const std::string& env_text) {
  RootedHost host(root, parse_env_dump(env_text));
  DetectOptions d;
  d.driver_libs = DetectOptions::DriverLibs::kNever;
  Diagnosed out;
  out.machine = detect_machine(host, kb(), d);
  EnvOptions e;
  e.cwd = host.env("PWD").value_or("/");
  out.machine.environments = discover_environments(host, e);
  // As `cudafit doctor` does: third-party GPU code read from the binaries (no cache here).
  out.findings =
      diagnose(DoctorInput{out.machine, kb(), scan_package_kernels(host, out.machine, kb(), {})});
  return out;
}

std::vector<std::string> machines_with_expectations() {
  std::vector<std::string> names;
  const fs::path dir = fs::path(CUDAFIT_SOURCE_DIR) / "tests/machines";
  if (!fs::is_directory(dir)) return names;
  for (const auto& e : fs::directory_iterator(dir))
    if (fs::exists(e.path() / "expected-doctor.txt")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

class FixtureMachine : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureMachine, GivesExactlyTheExpectedFindings) {
  const fs::path dir = fs::path(CUDAFIT_SOURCE_DIR) / "tests/machines" / GetParam();
  std::vector<std::string> want;
  const std::string expected_text = slurp(dir / "expected-doctor.txt");
  for (std::string_view line : split_lines(expected_text)) {
    line = trim(line);
    if (!line.empty() && line[0] != '#') want.emplace_back(line);
  }
  std::sort(want.begin(), want.end());
  Diagnosed d = diagnose_tree((dir / "root").string(), slurp(dir / "env.txt"));
  EXPECT_EQ(ids_of(d.findings), want) << render_doctor_text(d.machine, d.findings, false);
}

INSTANTIATE_TEST_SUITE_P(Doctor, FixtureMachine, ::testing::ValuesIn(machines_with_expectations()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string n = p.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(FixtureCorpus, HasAtLeast25Machines) { EXPECT_GE(machines_with_expectations().size(), 25u); }

// The real H200 container (tests/machines/h200-container/README.md): healthy, and the header
// says what its ground-truth table says.
TEST(RealMachines, H200ContainerIsHealthy) {
  const fs::path h = fs::path(CUDAFIT_SOURCE_DIR) / "tests/machines/h200-container";
  ASSERT_TRUE(fs::is_directory(h / "root")) << h;
  const std::string root = (h / "root").string();
  Diagnosed d = diagnose_tree(root, slurp(h / "outputs/env.txt"));
  auto n = count_findings(d.findings);
  const std::string text = render_doctor_text(d.machine, d.findings, false);
  EXPECT_EQ(n.errors, 0) << text;
  EXPECT_EQ(n.warnings, 0) << text;
  const std::string header = doctor_header(d.machine);
  // README ground truth: driver 580.159.04 open module, CUDA 13.0; H200 10de:2335 CC 9.0;
  // torch 2.11.0+cu130 in /opt/torch/.venv.
  // Toolkit 13.0 active at /usr/local/cuda-13.0 (through /usr/local/cuda and PATH).
  for (const char* want :
       {"580.159.04", "open kernel module", "CUDA 13.0", "NVIDIA H200", "compute 9.0", "10de:2335",
        "/opt/torch/.venv", "torch 2.11.0", "CUDA 13.0 at /usr/local/cuda-13.0 (active)"})
    EXPECT_NE(header.find(want), std::string::npos) << want << "\n" << header;
}

}  // namespace
}  // namespace cudafit::testing
