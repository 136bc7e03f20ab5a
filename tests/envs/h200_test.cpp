// The real uv-made venv of the H200 container (tests/machines/h200-container):
// what its README's ground-truth table says, read from the captured files.
#include <gtest/gtest.h>

#include "envs/discover.h"
#include "envs/read_env.h"
#include "fixtures.h"
#include "report/environment_json.h"

namespace cudafit {
namespace {

using nlohmann::json;
using testing::expect_json_fields;

static const std::string kMachine =
    std::string(CUDAFIT_SOURCE_DIR) + "/tests/machines/h200-container";
const std::string kSite = "/opt/torch/.venv/lib/python3.12/site-packages";

class H200 : public ::testing::Test {
 protected:
  void SetUp() override {
    RootedHost here;
    auto env_txt = here.read_file(kMachine + "/outputs/env.txt");
    ASSERT_TRUE(env_txt) << env_txt.error();
    host_ = std::make_unique<RootedHost>(kMachine + "/root", parse_env_dump(*env_txt));
    envs_ = discover_environments(*host_, EnvOptions{});
  }
  const Environment* venv() const {
    for (const auto& e : envs_)
      if (e.path == "/opt/torch/.venv") return &e;
    for (const auto& e : envs_) ADD_FAILURE() << "found " << e.path << " (" << e.found_by << ")";
    return nullptr;
  }
  std::unique_ptr<RootedHost> host_;
  std::vector<Environment> envs_;
};

TEST_F(H200, TheVenvOnPathIsFoundAndActive) {
  const Environment* env = venv();
  ASSERT_NE(env, nullptr);
  // env.txt: PATH=/opt/torch/.venv/bin:... ; pyvenv.cfg: version_info = 3.12.3, uv 0.11.15.
  expect_json_fields(environment_to_json(*env),
                     {{"kind", "venv"},
                      {"found_by", "PATH"},
                      {"active", true},
                      {"python", "3.12.3"},
                      {"interpreter", "/opt/torch/.venv/bin/python3"},
                      {"include_system_site_packages", false},
                      {"site_packages", {kSite}},
                      {"sys_path", {kSite}},  // its .pth files are empty
                      {"torch_import", {{"location", kSite}, {"version", "2.11.0+cu130"}}},
                      {"cudnn", {{"version", "9.19.0.56"}}},
                      {"notes", json::array()}});
}

TEST_F(H200, GroundTruthPackages) {
  const Environment* env = venv();
  ASSERT_NE(env, nullptr);
  // README "Ground truth" table; every dist-info's INSTALLER says uv.
  struct Row {
    const char* name;
    const char* version;
    const char* cuda;  // "" = none known
    int cuda_major;    // 0 = none
    const char* installer;
  } rows[] = {
      // The README says "INSTALLER (uv)", but only torch and the wheels it pulled in were
      // installed by uv; torchvision, torchaudio, JAX and CuPy came later with pip (their
      // INSTALLER files say "pip").
      {"torch", "2.11.0", "13.0", 13, "uv"},  // version.py: '2.11.0+cu130', cuda '13.0'
      {"torchvision", "0.26.0", "13.0", 13, "pip"},
      {"torchaudio", "2.11.0", "13.0", 13, "pip"},
      {"jax", "0.11.2", "", 0, "pip"},
      {"jaxlib", "0.11.2", "", 0, "pip"},
      {"jax-cuda13-plugin", "0.11.2", "", 13, "pip"},
      {"jax-cuda13-pjrt", "0.11.2", "", 13, "pip"},
      {"cupy-cuda13x", "14.2.0", "", 13, "pip"},
      {"nvidia-cudnn-cu13", "9.19.0.56", "", 13, "uv"},
      {"cuda-toolkit", "13.0.2", "13.0.2", 13, "uv"},
      {"nvidia-cuda-runtime", "13.0.96", "13.0", 13, "uv"},
      {"triton", "3.6.0", "", 0, "uv"},
  };
  for (const auto& r : rows) {
    const InstalledPackage* p = env->find(r.name);
    ASSERT_NE(p, nullptr) << r.name;
    EXPECT_EQ(p->version, r.version) << r.name;
    EXPECT_EQ(p->installer, r.installer) << r.name;
    EXPECT_EQ(p->location, kSite) << r.name;
    EXPECT_EQ(p->cuda ? p->cuda->str() : "", r.cuda) << r.name;
    EXPECT_EQ(p->cuda_major.value_or(0), r.cuda_major) << r.name;
    EXPECT_TRUE(p->problem.empty()) << r.name << ": " << p->problem;
  }
  EXPECT_EQ(env->find("torch")->version_py, "2.11.0+cu130");
  EXPECT_FALSE(env->find("torch")->cpu_only);
  EXPECT_EQ(env->find("nvidia-cudnn-cu13")->cudnn->str(), "9.19.0.56");
  EXPECT_EQ(env->find("numpy"), nullptr);  // not GPU-relevant
}

TEST_F(H200, TorchPinsMatchedAgainstInstalled) {
  const Environment* env = venv();
  ASSERT_NE(env, nullptr);
  // torch 2.11.0's METADATA: cuda-toolkit[cublas,cudart,cufft,cufile,cupti,curand,cusolver,
  // cusparse,nvjitlink,nvrtc,nvtx]==13.0.2, cuda-bindings<14,>=13.0.3, nvidia-cudnn-cu13,
  // nvidia-cusparselt-cu13, nvidia-nccl-cu13, nvidia-nvshmem-cu13, triton==3.6.0 (Linux);
  // cuda-toolkit 13.0.2's METADATA pins each extra to an un-suffixed nvidia-* wheel.
  std::map<std::string, std::string> from_torch, from_toolkit;
  for (const auto& r : env->requirements) {
    if (r.required_by == "torch") from_torch[r.name] = r.installed_version;
    if (r.required_by.rfind("cuda-toolkit[", 0) == 0) from_toolkit[r.name] = r.installed_version;
    if (r.required_by == "torch" || r.required_by.rfind("cuda-toolkit[", 0) == 0) {
      EXPECT_TRUE(r.satisfied) << r.required_by << " -> " << r.requirement << " (installed "
                               << r.installed_version << ")";
    }
  }
  EXPECT_EQ(from_torch, (std::map<std::string, std::string>{{"cuda-toolkit", "13.0.2"},
                                                            {"cuda-bindings", "13.3.1"},
                                                            {"nvidia-cudnn-cu13", "9.19.0.56"},
                                                            {"nvidia-cusparselt-cu13", "0.8.0"},
                                                            {"nvidia-nccl-cu13", "2.28.9"},
                                                            {"nvidia-nvshmem-cu13", "3.4.5"},
                                                            {"triton", "3.6.0"}}));
  EXPECT_EQ(from_toolkit, (std::map<std::string, std::string>{{"nvidia-cublas", "13.1.0.3"},
                                                              {"nvidia-cuda-runtime", "13.0.96"},
                                                              {"nvidia-cufft", "12.0.0.61"},
                                                              {"nvidia-cufile", "1.15.1.6"},
                                                              {"nvidia-cuda-cupti", "13.0.85"},
                                                              {"nvidia-curand", "10.4.0.35"},
                                                              {"nvidia-cusolver", "12.0.4.66"},
                                                              {"nvidia-cusparse", "12.6.3.3"},
                                                              {"nvidia-nvjitlink", "13.0.88"},
                                                              {"nvidia-cuda-nvrtc", "13.0.88"},
                                                              {"nvidia-nvtx", "13.0.85"}}));
}

TEST_F(H200, AllPackagesRead) {
  // README: 197 packages, each dist-info with METADATA and INSTALLER: 44 say uv, 153 pip
  // (`for f in */INSTALLER; do cat $f; echo; done | sort | uniq -c` on the capture).
  std::vector<std::string> notes;
  auto all = read_site_packages(*host_, kSite, /*gpu_only=*/false, &notes);
  EXPECT_EQ(all.size(), 197u);
  EXPECT_TRUE(notes.empty()) << notes.front();
  size_t uv = 0, pip = 0;
  for (const auto& p : all) (p.installer == "uv" ? uv : pip) += 1;
  EXPECT_EQ(uv, 44u);
  EXPECT_EQ(pip, 153u);
}

}  // namespace
}  // namespace cudafit
