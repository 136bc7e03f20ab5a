// Whole machines through detect_machine: the fixture trees of tests/machines/*, the real
// H200 container captured in tests/machines/h200-container, and this machine's own "/".
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "machine_flat.h"
#include "probe/detect.h"

namespace cudafit {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<const KnowledgeBase> kb() {
  static auto loaded = KnowledgeBase::embedded();
  return loaded ? *loaded : nullptr;
}

DetectOptions no_libs() {
  DetectOptions o;
  o.driver_libs = DetectOptions::DriverLibs::kNever;
  return o;
}

Machine detect_tree(const std::string& root, const std::string& env_file,
                    const DetectOptions& options) {
  RootedHost host(root, parse_env_dump(slurp(env_file)));
  return detect_machine(host, *kb(), options);
}

// Every field named in expected-detect.json's "fields" must match, one by one.
void expect_fields(const Machine& m, const nlohmann::json& fields, const std::string& what) {
  auto flat = testing::flatten(m);
  for (const auto& [key, value] : fields.items()) {
    auto it = flat.find(key);
    if (it == flat.end()) {
      ADD_FAILURE() << what << ": no field " << key;
      continue;
    }
    EXPECT_EQ(it->second, value.get<std::string>()) << what << ": " << key;
  }
}

std::vector<std::string> fixture_machines() {
  std::vector<std::string> out;
  fs::path dir = fs::path(CUDAFIT_SOURCE_DIR) / "tests/machines";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (fs::exists(e.path() / "expected-detect.json")) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Machines, FixtureTreesGiveTheirExpectedReport) {
  ASSERT_TRUE(kb()) << "the embedded knowledge base failed to load";
  auto names = fixture_machines();
  ASSERT_GE(names.size(), 7u) << "tests/machines lost fixture machines";
  for (const auto& name : names) {
    fs::path dir = fs::path(CUDAFIT_SOURCE_DIR) / "tests/machines" / name;
    auto expected = nlohmann::json::parse(slurp(dir / "expected-detect.json"), nullptr, false);
    ASSERT_FALSE(expected.is_discarded()) << name << ": expected-detect.json is not JSON";
    if (!expected.contains("fields")) continue;  // a machine kept for another module's tests
    Machine m = detect_tree((dir / "root").string(), (dir / "env.txt").string(), no_libs());
    expect_fields(m, expected["fields"], name);
  }
}

// Forwards to a real Host and remembers every path read or listed.
class RecordingHost final : public Host {
 public:
  explicit RecordingHost(const Host& inner) : inner_(inner) {}
  Result<std::string> read_file(std::string_view path, std::size_t limit) const override {
    ++seen_["read " + std::string(path)];
    return inner_.read_file(path, limit);
  }
  using Host::read_file;
  Result<std::vector<DirEntry>> list_dir(std::string_view path) const override {
    ++seen_["list " + std::string(path)];
    return inner_.list_dir(path);
  }
  std::optional<FileInfo> stat(std::string_view p) const override { return inner_.stat(p); }
  Result<std::string> read_link(std::string_view p) const override { return inner_.read_link(p); }
  Result<std::string> canonical(std::string_view p) const override { return inner_.canonical(p); }
  std::string disk_path(std::string_view p) const override { return inner_.disk_path(p); }
  std::optional<std::string> env(std::string_view n) const override { return inner_.env(n); }
  std::map<std::string, std::string> env_all() const override { return inner_.env_all(); }
  RunResult run(const std::vector<std::string>& argv, int ms) const override {
    return inner_.run(argv, ms);
  }
  std::uint64_t reads() const override { return inner_.reads(); }
  const std::map<std::string, int>& seen() const { return seen_; }

 private:
  const Host& inner_;
  mutable std::map<std::string, int> seen_;
};

TEST(Machines, EachFileIsReadOnce) {
  ASSERT_TRUE(kb());
  for (const auto& name : fixture_machines()) {
    fs::path dir = fs::path(CUDAFIT_SOURCE_DIR) / "tests/machines" / name;
    RootedHost real((dir / "root").string(), parse_env_dump(slurp(dir / "env.txt")));
    RecordingHost host(real);
    (void)detect_machine(host, *kb(), no_libs());
    ASSERT_FALSE(host.seen().empty()) << name;
    for (const auto& [what, count] : host.seen()) EXPECT_EQ(count, 1) << name << ": " << what;
  }
}

// tests/machines/h200-container/README.md, "Ground truth" table.
TEST(Machines, H200ContainerMatchesItsGroundTruth) {
  fs::path capture = fs::path(CUDAFIT_SOURCE_DIR) / "tests/machines/h200-container";
  ASSERT_TRUE(fs::exists(capture / "root")) << capture;
  ASSERT_TRUE(kb());
  // The capture is committed with its real links (tests/machines/h200-container/README.md).
  const std::string root = (capture / "root").string();
  Machine m = detect_tree(root, (capture / "outputs/env.txt").string(), no_libs());
  auto flat = testing::flatten(m);
  // README: driver 580.159.04, open kernel module, /proc and /sys/module.
  EXPECT_EQ(flat["driver.version"], "580.159.04");
  EXPECT_EQ(flat["driver.source"], "/sys/module/nvidia/version");
  EXPECT_EQ(flat["driver.module_kind"], "open");
  EXPECT_EQ(flat["driver.userspace_version"], "580.159.04");
  EXPECT_EQ(flat["driver.version_mismatch"], "false");
  // README: driver's CUDA 13.0 (cuDriverGetVersion = 13000); here from the KB (cuda.csv).
  EXPECT_EQ(flat["driver.cuda"], "13.0");
  // README: NVIDIA H200, PCI 10de:2335, bus 0000:00:06.0, compute capability 9.0.
  EXPECT_EQ(flat["gpus"], "1");
  EXPECT_EQ(flat["gpus[0].name"], "NVIDIA H200");
  EXPECT_EQ(flat["gpus[0].pci_id"], "10de:2335");
  EXPECT_EQ(flat["gpus[0].pci_bus"], "0000:00:06.0");
  EXPECT_EQ(flat["gpus[0].compute_capability"], "9.0");
  EXPECT_EQ(flat["gpus[0].bound_driver"], "nvidia");
  EXPECT_EQ(flat["gpus[0].visible"], "true");  // NVIDIA_VISIBLE_DEVICES=0 (outputs/env.txt)
  // README: toolkit 13.0 at /usr/local/cuda-13.0, active through /usr/local/cuda and PATH.
  ASSERT_EQ(flat["toolkits"], "1");
  EXPECT_EQ(flat["toolkits[0].path"], "/usr/local/cuda-13.0");
  EXPECT_EQ(flat["toolkits[0].version"], "13.0");
  EXPECT_EQ(flat["toolkits[0].active"], "true");
  ASSERT_FALSE(m.toolkits.empty());
  auto& why = m.toolkits[0].active_because;
  EXPECT_NE(std::find(why.begin(), why.end(), "/usr/local/cuda -> /usr/local/cuda-13.0"),
            why.end());
  // README: cuDNN 9.14.0 system-wide.
  bool system_cudnn = false;
  for (const auto& c : m.cudnn)
    if (c.where == "system" && c.version.known() && c.version.value->str() == "9.14.0")
      system_cudnn = true;
  EXPECT_TRUE(system_cudnn) << "cudnn entries: " << flat["cudnn"];
  // README: a container, its NVIDIA_REQUIRE_CUDA, CUDA_VERSION=13.0.2 (outputs/env.txt).
  EXPECT_EQ(flat["container.inside"], "true");
  EXPECT_EQ(flat["container.runtime"], "docker");
  EXPECT_EQ(flat["container.image_cuda"], "13.0.2");
  EXPECT_EQ(m.container.nvidia_require_cuda.rfind("cuda>=13.0 brand=unknown,driver>=535", 0), 0u);
  // README: compat libcuda.so.580.95.05 present, older than the driver, so unused.
  ASSERT_EQ(flat["container.compat_libs"], "1");
  EXPECT_EQ(flat["container.compat_libs[0].path"],
            "/usr/local/cuda-13.0/compat/libcuda.so.580.95.05");
  EXPECT_EQ(flat["container.compat_libs[0].usable"], "false");
  for (const auto& lib : m.driver.libraries)
    EXPECT_EQ(lib.path.find("/compat/"), std::string::npos) << lib.path << " taken for the driver";
  // The host: x86_64 (ld.so.cache flags), kernel 6.18 (/proc/version). The README says
  // Ubuntu 24.04.3, but the capture's /usr/lib/os-release (the target of /etc/os-release)
  // is an empty listing file, so the OS is rightly unknown here.
  EXPECT_EQ(flat["host.os_id"], "unknown");
  EXPECT_EQ(flat["host.cpu_arch"], "x86_64");
  EXPECT_EQ(flat["host.kernel"], "6.18.44-fc-v657-gpu");
}

void check_this_machine(const RootedHost& host);

// This machine: no driver, no GPU, CUDA 13.0 at /usr/local/cuda-13.0 with cuDNN 9, the stub.
TEST(Machines, ThisMachine) {
  if (!fs::exists("/usr/local/cuda-13.0"))
    GTEST_SKIP() << "/usr/local/cuda-13.0 is absent: not the team's machine";
  if (fs::exists("/proc/driver/nvidia/version"))
    GTEST_SKIP() << "this machine has an NVIDIA driver";
  ASSERT_TRUE(kb());
  // With this session's environment, and with the bare one CI runs under (no CUDA_HOME, and
  // PATH reaching nvcc only through /usr/local/bin): the answers must not depend on which.
  for (bool bare : {false, true}) {
    SCOPED_TRACE(bare ? "bare environment" : "this environment");
    std::optional<std::map<std::string, std::string>> env;
    if (bare) env = std::map<std::string, std::string>{{"PATH", "/usr/local/bin:/usr/bin:/bin"}};
    check_this_machine(RootedHost("/", env));
  }
}

void check_this_machine(const RootedHost& host) {
  Machine m = detect_machine(host, *kb(), no_libs());
  EXPECT_FALSE(m.driver.version.known());
  EXPECT_FALSE(m.driver.userspace_version.known());
  EXPECT_TRUE(m.gpus.empty());
  for (const auto& lib : m.driver.libraries) {
    if (lib.path.find("/stubs/") != std::string::npos) {
      EXPECT_TRUE(lib.stub) << lib.path;
    }
  }
  const Toolkit* cuda13 = nullptr;
  for (const auto& t : m.toolkits)
    if (t.path == "/usr/local/cuda-13.0") cuda13 = &t;
  ASSERT_NE(cuda13, nullptr);
  ASSERT_TRUE(cuda13->version.known()) << cuda13->version.note;
  EXPECT_EQ(cuda13->version.value->major_minor(), "13.0");
  EXPECT_TRUE(cuda13->active);
  // The exact cuDNN version comes from the toolkit's own header; compare with it.
  std::string header = slurp("/usr/local/cuda-13.0/include/cudnn_version.h");
  const CudnnInstall* cudnn = nullptr;
  for (const auto& c : m.cudnn)
    if (c.where == "toolkit /usr/local/cuda-13.0") cudnn = &c;
  ASSERT_NE(cudnn, nullptr);
  ASSERT_TRUE(cudnn->version.known());
  EXPECT_EQ(cudnn->version.value->major(), 9);
  std::string minor = "#define CUDNN_MINOR " + std::to_string(cudnn->version.value->minor());
  EXPECT_NE(header.find(minor), std::string::npos)
      << "header disagrees with " << cudnn->version.value->str();
}

}  // namespace
}  // namespace cudafit
