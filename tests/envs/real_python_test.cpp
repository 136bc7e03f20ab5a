// Real Pythons on this machine: Debian's python3-torch in the system environment, and
// venvs made here into which pip really installs small wheels from PyPI.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "envs/discover.h"
#include "envs/read_env.h"
#include "versions/requirement.h"

namespace cudafit {
namespace {

// Runs a shell command (test set-up only), returning its stdout; nullopt when it fails.
std::optional<std::string> sh(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p) return std::nullopt;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  return pclose(p) == 0 ? std::optional<std::string>(out) : std::nullopt;
}

const Environment* find_env(const std::vector<Environment>& envs, const std::string& path) {
  for (const auto& e : envs)
    if (e.path == path) return &e;
  return nullptr;
}

const std::string kDebianTorch = "/usr/lib/python3/dist-packages/torch/version.py";
const std::string kEmptyHome = std::string(CUDAFIT_BINARY_DIR) + "/envs-test-home";

TEST(SystemPython, DebianTorchIsCpuOnly) {
  RootedHost here;
  if (!here.exists(kDebianTorch)) GTEST_SKIP() << "Debian's python3-torch is not installed";
  sh("mkdir -p " + kEmptyHome);
  RootedHost host(
      "/", std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"}, {"HOME", kEmptyHome}});
  auto envs = discover_environments(host, EnvOptions{});
  const Environment* sys = find_env(envs, "/usr");
  ASSERT_NE(sys, nullptr);
  EXPECT_EQ(sys->kind, "system");
  EXPECT_TRUE(sys->active);  // /usr/bin/python3 is the first python on this PATH
  const InstalledPackage* torch = sys->find("torch");
  ASSERT_NE(torch, nullptr);
  // python3-torch 1.13.1+dfsg: its egg-info says 1.13.0a0+gitunknown, version.py `cuda = None`.
  EXPECT_EQ(torch->version.rfind("1.13", 0), 0u) << torch->version;
  EXPECT_TRUE(torch->cpu_only);
  EXPECT_FALSE(torch->cuda.has_value());
  EXPECT_EQ(torch->location, "/usr/lib/python3/dist-packages");
  EXPECT_EQ(sys->torch_import_location, "/usr/lib/python3/dist-packages");
}

TEST(SystemPython, ExecConfirmsDebianTorch) {
  RootedHost here;
  if (!here.exists(kDebianTorch)) GTEST_SKIP() << "Debian's python3-torch is not installed";
  sh("mkdir -p " + kEmptyHome);
  RootedHost host(
      "/", std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"}, {"HOME", kEmptyHome}});
  EnvOptions opt;
  opt.exec = true;
  opt.timeout_ms = 60000;
  auto envs = discover_environments(host, opt);
  const Environment* sys = find_env(envs, "/usr");
  ASSERT_NE(sys, nullptr);
  ASSERT_TRUE(sys->verified.ran);
  EXPECT_EQ(sys->verified.error, "");
  EXPECT_EQ(sys->verified.torch_version.rfind("1.13", 0), 0u) << sys->verified.torch_version;
  EXPECT_EQ(sys->verified.torch_cuda, "");  // None: the CPU-only build
  EXPECT_FALSE(sys->verified.cuda_available);
  EXPECT_EQ(sys->verified.torch_file, "/usr/lib/python3/dist-packages/torch/__init__.py");
  for (const auto& n : sys->notes) EXPECT_EQ(n.find("--exec"), std::string::npos) << n;
}

// A venv made with `/usr/bin/python3 -m venv`, with two CUDA wheels pip installs from a cache
// filled once from PyPI (build dir: envs-wheel-cache).
class RealVenv : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string bin = CUDAFIT_BINARY_DIR;
    venv_ = bin + "/envs-test-venv";
    const std::string cache = bin + "/envs-wheel-cache";
    const std::string wheels = "nvidia-cuda-runtime-cu12==12.4.127 nvidia-nvtx-cu12==12.4.127";
    if (!sh("rm -rf " + venv_ + " && /usr/bin/python3 -m venv " + venv_)) {
      skip_ = "/usr/bin/python3 -m venv failed (python3-venv missing?)";
      return;
    }
    std::string pip = venv_ + "/bin/python -m pip --disable-pip-version-check ";
    if (!sh(pip + "install --no-index --no-deps --find-links " + cache + " " + wheels)) {
      if (!sh("timeout 60 " + pip + "download --no-deps -d " + cache + " " + wheels)) {
        skip_ = "PyPI cannot be reached to download " + wheels;
        return;
      }
      if (!sh(pip + "install --no-index --no-deps --find-links " + cache + " " + wheels)) {
        skip_ = "pip install from the wheel cache failed";
        return;
      }
    }
    list_ = sh(pip + "list --format json").value_or("");
    inspect_ = sh(pip + "inspect").value_or("");
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
  }
  static std::string site() {
    auto v =
        sh(venv_ + "/bin/python -c \"import sysconfig; print(sysconfig.get_paths()['purelib'])\"");
    std::string s = v.value_or("");
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }
  static void check_found(const std::map<std::string, std::string>& env,
                          const std::string& found_by) {
    RootedHost host("/", env);
    auto envs = discover_environments(host, EnvOptions{});
    const Environment* e = find_env(envs, venv_);
    ASSERT_NE(e, nullptr) << found_by;
    EXPECT_EQ(e->found_by.rfind(found_by, 0), 0u) << e->found_by;
    EXPECT_TRUE(e->active);
    EXPECT_EQ(e->kind, "venv");
    const InstalledPackage* rt = e->find("nvidia-cuda-runtime-cu12");
    ASSERT_NE(rt, nullptr);
    EXPECT_EQ(rt->version, "12.4.127");
    EXPECT_EQ(rt->installer, "pip");
    EXPECT_EQ(rt->cuda->str(), "12.4");
    const InstalledPackage* nvtx = e->find("nvidia-nvtx-cu12");
    ASSERT_NE(nvtx, nullptr);
    EXPECT_EQ(nvtx->version, "12.4.127");
  }
  static inline std::string venv_, skip_, list_, inspect_;
};

TEST_F(RealVenv, FoundThroughVirtualEnv) {
  check_found({{"VIRTUAL_ENV", venv_}, {"PATH", "/usr/bin:/bin"}, {"HOME", kEmptyHome}},
              "VIRTUAL_ENV");
}

TEST_F(RealVenv, FoundThroughPath) {
  check_found({{"PATH", venv_ + "/bin:/usr/bin:/bin"}, {"HOME", kEmptyHome}}, "PATH");
}

TEST_F(RealVenv, ReadsExactlyWhatPipListAndInspectSay) {
  RootedHost host;
  std::vector<std::string> notes;
  auto pkgs = read_site_packages(host, site(), /*gpu_only=*/false, &notes);
  std::map<std::string, std::pair<std::string, std::string>> ours;  // name -> version, installer
  for (const auto& p : pkgs) ours[p.name] = {p.version, p.installer};

  auto list = nlohmann::json::parse(list_, nullptr, false);
  ASSERT_TRUE(list.is_array()) << list_;
  ASSERT_EQ(list.size(), ours.size()) << list_;
  for (const auto& item : list) {
    std::string name = normalize_package_name(item["name"].get<std::string>());
    ASSERT_TRUE(ours.count(name)) << name;
    EXPECT_EQ(ours[name].first, item["version"].get<std::string>()) << name;
  }
  auto inspect = nlohmann::json::parse(inspect_, nullptr, false);
  if (!inspect.is_object()) GTEST_SKIP() << "this pip has no `pip inspect`";
  size_t seen = 0;
  for (const auto& item : inspect["installed"]) {
    std::string name = normalize_package_name(item["metadata"]["name"].get<std::string>());
    ASSERT_TRUE(ours.count(name)) << name;
    EXPECT_EQ(ours[name].first, item["metadata"]["version"].get<std::string>()) << name;
    EXPECT_EQ(ours[name].second, item.value("installer", "")) << name;
    ++seen;
  }
  EXPECT_EQ(seen, ours.size());
  EXPECT_TRUE(ours.count("nvidia-cuda-runtime-cu12"));
}

// A venv made by uv (from the pinned PyPI tools, scripts/pytools.sh), filled by `uv pip install`
// from the same wheel cache: uv writes INSTALLER "uv", and cudafit reads the venv as uv left it.
TEST_F(RealVenv, UvMadeVenvIsReadAsUvLeftIt) {
  const std::string tools = CUDAFIT_PYTOOLS;
  ASSERT_FALSE(tools.empty()) << "configure with -DCUDAFIT_PYTOOLS=$(bash scripts/pytools.sh)";
  const std::string uv = tools + "/bin/uv";
  const std::string venv = std::string(CUDAFIT_BINARY_DIR) + "/envs-test-uv-venv";
  const std::string cache = std::string(CUDAFIT_BINARY_DIR) + "/envs-wheel-cache";
  ASSERT_TRUE(
      sh("rm -rf " + venv + " && " + uv + " venv --quiet --python /usr/bin/python3 " + venv))
      << uv;
  ASSERT_TRUE(sh("VIRTUAL_ENV=" + venv + " " + uv + " pip install --quiet --offline --no-index " +
                 "--find-links " + cache + " nvidia-nvtx-cu12==12.4.127"));
  RootedHost host(
      "/", std::map<std::string, std::string>{
               {"VIRTUAL_ENV", venv}, {"PATH", venv + "/bin:/usr/bin:/bin"}, {"HOME", kEmptyHome}});
  auto envs = discover_environments(host, EnvOptions{});
  const Environment* e = find_env(envs, venv);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, "venv");
  const InstalledPackage* nvtx = e->find("nvidia-nvtx-cu12");
  ASSERT_NE(nvtx, nullptr);
  EXPECT_EQ(nvtx->version, "12.4.127");
  EXPECT_EQ(nvtx->installer, "uv");
}

}  // namespace
}  // namespace cudafit
