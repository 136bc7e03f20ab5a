// Issue 7's fixture environments, each read into JSON and compared field by field.
#include <gtest/gtest.h>

#include "envs/discover.h"
#include "envs/exec.h"
#include "fixtures.h"
#include "report/environment_json.h"

namespace cudafit {
namespace {

using nlohmann::json;
using testing::add_dist_info;
using testing::add_torch_version_py;
using testing::add_venv;
using testing::expect_json_fields;

json discover_json(const MemoryHost& h, EnvOptions opt = {}) {
  json out = json::array();
  for (const auto& e : discover_environments(h, opt)) out.push_back(environment_to_json(e));
  return out;
}

const json& package(const json& env, const std::string& name) {
  static const json kNone;
  for (const auto& p : env["packages"])
    if (p["name"] == name) return p;
  ADD_FAILURE() << "no package " << name << " in " << env["path"];
  return kNone;
}

const json* requirement(const json& env, const std::string& name) {
  for (const auto& r : env["requirements"])
    if (r["name"] == name) return &r;
  return nullptr;
}

bool has_note(const json& env, const std::string& text) {
  for (const auto& n : env["notes"])
    if (n.get<std::string>().find(text) != std::string::npos) return true;
  return false;
}

// torch 2.3.1's Requires-Dist on PyPI (shared/reference/pytorch/torch-pypi-requires-dist.jsonl).
const std::vector<std::string> kTorch231Requires = {
    "filelock",
    "typing-extensions (>=4.8.0)",
    "sympy",
    "nvidia-cuda-nvrtc-cu12 (==12.1.105) ; platform_system == \"Linux\" and platform_machine == "
    "\"x86_64\"",
    "nvidia-cuda-runtime-cu12 (==12.1.105) ; platform_system == \"Linux\" and platform_machine == "
    "\"x86_64\"",
    "nvidia-cuda-cupti-cu12 (==12.1.105) ; platform_system == \"Linux\" and platform_machine == "
    "\"x86_64\"",
    "nvidia-cudnn-cu12 (==8.9.2.26) ; platform_system == \"Linux\" and platform_machine == "
    "\"x86_64\"",
    "nvidia-cublas-cu12 (==12.1.3.1) ; platform_system == \"Linux\" and platform_machine == "
    "\"x86_64\"",
    "nvidia-cufft-cu12 (==11.0.2.54) ; platform_system == \"Linux\" and platform_machine == "
    "\"x86_64\"",
    "nvidia-curand-cu12 (==10.3.2.106) ; platform_system == \"Linux\" and platform_machine == "
    "\"x86_64\"",
    "nvidia-cusolver-cu12 (==11.4.5.107) ; platform_system == \"Linux\" and platform_machine == "
    "\"x86_64\"",
    "nvidia-cusparse-cu12 (==12.1.0.106) ; platform_system == \"Linux\" and platform_machine == "
    "\"x86_64\"",
    "nvidia-nccl-cu12 (==2.20.5) ; platform_system == \"Linux\" and platform_machine == \"x86_64\"",
    "nvidia-nvtx-cu12 (==12.1.105) ; platform_system == \"Linux\" and platform_machine == "
    "\"x86_64\"",
    "triton (==2.3.1) ; platform_system == \"Linux\" and platform_machine == \"x86_64\" and "
    "python_version < \"3.12\"",
    "mkl (<=2021.4.0,>=2021.1.1) ; platform_system == \"Windows\"",
    "opt-einsum (>=3.3) ; extra == 'opt-einsum'"};

// The wheels torch 2.3.1+cu121 pulls in; nccl deliberately older than the pin.
void add_cu121_wheels(MemoryHost& h, const std::string& site) {
  for (const auto& [name, version] :
       std::vector<std::pair<std::string, std::string>>{{"nvidia_cuda_nvrtc_cu12", "12.1.105"},
                                                        {"nvidia_cuda_runtime_cu12", "12.1.105"},
                                                        {"nvidia_cuda_cupti_cu12", "12.1.105"},
                                                        {"nvidia_cudnn_cu12", "8.9.2.26"},
                                                        {"nvidia_cublas_cu12", "12.1.3.1"},
                                                        {"nvidia_cufft_cu12", "11.0.2.54"},
                                                        {"nvidia_curand_cu12", "10.3.2.106"},
                                                        {"nvidia_cusolver_cu12", "11.4.5.107"},
                                                        {"nvidia_cusparse_cu12", "12.1.0.106"},
                                                        {"nvidia_nccl_cu12", "2.18.1"},
                                                        {"nvidia_nvtx_cu12", "12.1.105"},
                                                        {"triton", "2.3.1"}})
    add_dist_info(h, site, name, version);
}

TEST(FixtureEnvs, VenvWithTorchCu121AndItsWheels) {
  MemoryHost h;
  h.set_env("HOME", "/home/u");
  h.set_env("VIRTUAL_ENV", "/work/proj/.venv");
  std::string site = add_venv(h, "/work/proj/.venv", "3.11.7");
  add_dist_info(h, site, "torch", "2.3.1+cu121", "pip", kTorch231Requires);
  add_torch_version_py(h, site, "2.3.1+cu121", "'12.1'");
  add_cu121_wheels(h, site);
  add_dist_info(h, site, "numpy", "1.26.4");  // not GPU-relevant: left out
  json envs = discover_json(h);
  ASSERT_EQ(envs.size(), 1u) << envs.dump(1);
  const json& env = envs[0];
  expect_json_fields(env, {{"path", "/work/proj/.venv"},
                           {"kind", "venv"},
                           {"found_by", "VIRTUAL_ENV"},
                           {"active", true},
                           {"python", "3.11.7"},
                           {"python_source", "/work/proj/.venv/pyvenv.cfg"},
                           {"base_prefix", "/usr"},
                           {"include_system_site_packages", false},
                           {"site_packages", {site}},
                           {"sys_path", {site}},  // a venv without system site: no user site
                           {"torch_import", {{"location", site}, {"version", "2.3.1+cu121"}}},
                           {"cudnn", {{"version", "8.9.2.26"}}},
                           {"pip_over_conda", json::array()}});
  EXPECT_EQ(env["packages"].size(), 13u);  // torch, triton and 11 nvidia-* wheels
  expect_json_fields(package(env, "torch"), {{"version", "2.3.1+cu121"},
                                             {"cuda", "12.1"},
                                             {"installer", "pip"},
                                             {"location", site},
                                             {"cpu_only", false},
                                             {"version_py", "2.3.1+cu121"},
                                             {"git_version", "abc123"},
                                             {"problem", nullptr}});
  expect_json_fields(package(env, "nvidia-cuda-runtime-cu12"),
                     {{"version", "12.1.105"}, {"cuda", "12.1"}, {"cuda_major", 12}});
  expect_json_fields(package(env, "nvidia-cudnn-cu12"),
                     {{"cudnn", "8.9.2.26"}, {"cuda_major", 12}});
  // 11 nvidia-* pins and triton apply on Linux x86_64 / Python 3.11; mkl (Windows) and the
  // opt-einsum extra do not.
  EXPECT_EQ(env["requirements"].size(), 12u) << env["requirements"].dump(1);
  const json* cudnn = requirement(env, "nvidia-cudnn-cu12");
  ASSERT_NE(cudnn, nullptr);
  expect_json_fields(*cudnn, {{"required_by", "torch"},
                              {"specifier", "==8.9.2.26"},
                              {"installed_version", "8.9.2.26"},
                              {"satisfied", true}});
  const json* nccl = requirement(env, "nvidia-nccl-cu12");
  ASSERT_NE(nccl, nullptr);
  expect_json_fields(*nccl, {{"installed_version", "2.18.1"}, {"satisfied", false}});
  EXPECT_EQ(requirement(env, "mkl"), nullptr);
}

TEST(FixtureEnvs, CpuOnlyTorch) {
  MemoryHost h;
  h.set_env("VIRTUAL_ENV", "/opt/cpu");
  std::string site = add_venv(h, "/opt/cpu", "3.12.1");
  add_dist_info(h, site, "torch", "2.3.1+cpu", "pip", {"filelock", "sympy"});
  add_torch_version_py(h, site, "2.3.1+cpu", "None");  // download.pytorch.org/whl/cpu builds
  json envs = discover_json(h);
  ASSERT_EQ(envs.size(), 1u);
  expect_json_fields(
      package(envs[0], "torch"),
      {{"version", "2.3.1+cpu"}, {"cuda", nullptr}, {"cpu_only", true}, {"hip", nullptr}});
  EXPECT_EQ(envs[0]["requirements"], json::array());
  EXPECT_EQ(envs[0]["cudnn"], nullptr);
}

TEST(FixtureEnvs, CondaPytorchWithPipTorchOverIt) {
  MemoryHost h;
  h.set_env("HOME", "/home/u");
  const std::string prefix = "/home/u/miniconda3/envs/ml";
  h.set_env("CONDA_PREFIX", prefix);
  // Records as `conda install pytorch pytorch-cuda=11.8 -c pytorch -c nvidia` writes them.
  h.add_file(prefix + "/conda-meta/pytorch-2.1.0-py3.10_cuda11.8_cudnn8.7.0_0.json",
             R"({"name": "pytorch", "version": "2.1.0", "build": "py3.10_cuda11.8_cudnn8.7.0_0"})");
  h.add_file(prefix + "/conda-meta/pytorch-cuda-11.8-h7e8668a_5.json", "{}");
  h.add_file(prefix + "/conda-meta/python-3.10.13-h955ad1f_0.json", "{}");
  h.add_file(prefix + "/conda-meta/numpy-1.26.0-py310h5f9d8c6_0.json", "{}");
  h.add_file(prefix + "/bin/python3.10", "");
  h.add_symlink(prefix + "/bin/python", "python3.10");
  std::string site = prefix + "/lib/python3.10/site-packages";
  // `pip install torch` afterwards replaced conda's files with the PyPI wheel.
  add_dist_info(h, site, "torch", "2.3.1", "pip", kTorch231Requires);
  add_torch_version_py(h, site, "2.3.1+cu121", "'12.1'");
  json envs = discover_json(h);
  ASSERT_EQ(envs.size(), 1u) << envs.dump(1);
  const json& env = envs[0];
  expect_json_fields(env, {{"kind", "conda"},
                           {"found_by", "CONDA_PREFIX"},
                           {"python", "3.10.13"},
                           {"python_source", prefix + "/conda-meta/python-3.10.13-h955ad1f_0.json"},
                           {"pip_over_conda", {"torch"}}});
  expect_json_fields(package(env, "pytorch"), {{"version", "2.1.0"},
                                               {"installer", "conda"},
                                               {"build", "py3.10_cuda11.8_cudnn8.7.0_0"},
                                               {"cuda", "11.8"},
                                               {"cudnn", "8.7.0"},
                                               {"location", prefix + "/conda-meta"}});
  expect_json_fields(package(env, "pytorch-cuda"), {{"cuda", "11.8"}, {"installer", "conda"}});
  expect_json_fields(package(env, "torch"), {{"version", "2.3.1"},
                                             {"installer", "pip"},
                                             {"cuda", "12.1"},
                                             {"version_py", "2.3.1+cu121"}});
  EXPECT_TRUE(has_note(env, "pip installed torch 2.3.1 over conda's pytorch 2.1.0"))
      << env["notes"];
  // Python 3.10 keeps triton's marker (python_version < "3.12"); none of the wheels is there.
  const json* triton = requirement(env, "triton");
  ASSERT_NE(triton, nullptr);
  expect_json_fields(*triton, {{"installed_version", nullptr}, {"satisfied", false}});
}

TEST(FixtureEnvs, VenvShadowedThroughPythonpath) {
  MemoryHost h;
  h.set_env("VIRTUAL_ENV", "/srv/app/.venv");
  h.set_env("PYTHONPATH", "/opt/old/lib:");
  std::string site = add_venv(h, "/srv/app/.venv", "3.11.7");
  add_dist_info(h, site, "torch", "2.3.1+cu121");
  add_torch_version_py(h, site, "2.3.1+cu121", "'12.1'");
  add_torch_version_py(h, "/opt/old/lib", "1.12.1+cu113", "'11.3'");
  json envs = discover_json(h);
  ASSERT_EQ(envs.size(), 1u);
  const json& env = envs[0];
  expect_json_fields(
      env, {{"sys_path", {"/opt/old/lib", site}},
            {"torch_import", {{"location", "/opt/old/lib"}, {"version", "1.12.1+cu113"}}}});
  EXPECT_TRUE(has_note(env, "import torch loads /opt/old/lib/torch (1.12.1+cu113)"))
      << env["notes"];
  expect_json_fields(package(env, "torch"), {{"location", site}, {"cuda", "12.1"}});
}

TEST(FixtureEnvs, ExecDisagreementIsANote) {
  // --exec: the interpreter says import torch came from elsewhere (a shadowed install).
  MemoryHost h;
  h.set_env("VIRTUAL_ENV", "/srv/app/.venv");
  std::string site = add_venv(h, "/srv/app/.venv", "3.11.7");
  add_dist_info(h, site, "torch", "2.3.1+cu121");
  add_torch_version_py(h, site, "2.3.1+cu121", "'12.1'");
  h.set_run_result(
      std::string("/srv/app/.venv/bin/python3 -c ") + kVerifyScript,
      RunResult{0, false,
                R"({"python": "3.11.7", "torch_version": "1.13.0a0", "torch_cuda": null,)"
                R"( "torch_file": "/usr/lib/python3/dist-packages/torch/__init__.py",)"
                R"( "cudnn": null, "arch_list": [], "cuda_available": false, "devices": []})"
                "\n",
                ""});
  EnvOptions opt;
  opt.exec = true;
  json envs = discover_json(h, opt);
  ASSERT_EQ(envs.size(), 1u);
  expect_json_fields(envs[0]["verified"], {{"torch_version", "1.13.0a0"},
                                           {"torch_cuda", nullptr},
                                           {"cuda_available", false},
                                           {"error", nullptr}});
  EXPECT_TRUE(
      has_note(envs[0], "import torch loaded /usr/lib/python3/dist-packages/torch/__init__.py"));
  EXPECT_TRUE(has_note(envs[0], "import torch says 1.13.0a0, torch/version.py says 2.3.1+cu121"));
}

TEST(FixtureEnvs, ExecFailureIsRecordedNotFatal) {
  MemoryHost h;  // no canned result: the run fails with 127
  h.set_env("VIRTUAL_ENV", "/srv/app/.venv");
  add_venv(h, "/srv/app/.venv", "3.11.7");
  EnvOptions opt;
  opt.exec = true;
  json envs = discover_json(h, opt);
  ASSERT_EQ(envs.size(), 1u);
  EXPECT_TRUE(envs[0]["verified"]["error"].get<std::string>().find("exit 127") != std::string::npos)
      << envs[0]["verified"];
}

TEST(FixtureEnvs, TorchvisionBuiltForAnotherCuda) {
  MemoryHost h;
  h.set_env("VIRTUAL_ENV", "/v");
  std::string site = add_venv(h, "/v", "3.11.7");
  add_dist_info(h, site, "torch", "2.3.1+cu121");
  add_torch_version_py(h, site, "2.3.1+cu121", "'12.1'");
  add_dist_info(h, site, "torchvision", "0.18.1+cu118", "pip", {"numpy", "torch (==2.3.1)"});
  // torchvision's version.py computes cuda at import time: only the local tag says it.
  h.add_file(site + "/torchvision/version.py",
             "__version__ = '0.18.1+cu118'\ngit_version = '126fc8b'\n"
             "from torchvision.extension import _check_cuda_version\n"
             "if _check_cuda_version() > 0:\n    cuda = _check_cuda_version()\n");
  add_dist_info(h, site, "torchaudio", "2.3.1+cu121", "pip", {"torch (==2.3.1)"});
  json envs = discover_json(h);
  ASSERT_EQ(envs.size(), 1u);
  expect_json_fields(package(envs[0], "torch"), {{"cuda", "12.1"}});
  expect_json_fields(package(envs[0], "torchvision"),
                     {{"cuda", "11.8"}, {"version_py", "0.18.1+cu118"}});
  expect_json_fields(package(envs[0], "torchaudio"), {{"cuda", "12.1"}});
  // torch==2.3.1 admits 2.3.1+cu121 (PEP 440: a local version matches a public pin).
  const json* torch_pin = requirement(envs[0], "torch");
  ASSERT_NE(torch_pin, nullptr);
  expect_json_fields(*torch_pin, {{"installed_version", "2.3.1+cu121"}, {"satisfied", true}});
}

void add_comfyui(MemoryHost& h, const std::string& root) {
  std::string py = root + "/python_embeded";
  h.add_file(py + "/python.exe", "");
  h.add_file(py + "/python311.dll", "");
  h.add_file(py + "/python311.zip", "");
  // The ._pth file the portable build ships.
  h.add_file(py + "/python311._pth",
             "python311.zip\n.\n../ComfyUI\n\n# Uncomment to run site.main() automatically\nimport "
             "site\n");
  h.add_dir(root + "/ComfyUI");
  std::string site = py + "/Lib/site-packages";
  add_dist_info(h, site, "torch", "2.3.1+cu121");
  add_torch_version_py(h, site, "2.3.1+cu121", "'12.1'");
}

TEST(FixtureEnvs, ComfyUiPortableFolder) {
  MemoryHost h;
  const std::string root = "/data/ComfyUI_windows_portable";
  add_comfyui(h, root);
  EnvOptions opt;
  opt.cwd = root;
  json envs = discover_json(h, opt);
  ASSERT_EQ(envs.size(), 1u) << envs.dump(1);
  const std::string py = root + "/python_embeded";
  expect_json_fields(envs[0], {{"path", py},
                               {"kind", "embedded"},
                               {"found_by", "cwd (ComfyUI portable)"},
                               {"python", "3.11"},
                               {"python_source", py + "/python311._pth"},
                               {"interpreter", py + "/python.exe"},
                               {"site_packages", {py + "/Lib/site-packages"}},
                               {"sys_path", {py, root + "/ComfyUI", py + "/Lib/site-packages"}},
                               {"torch_import", {{"location", py + "/Lib/site-packages"}}}});
  expect_json_fields(package(envs[0], "torch"), {{"cuda", "12.1"}});
  // The same folder named with --env, from its parent.
  EnvOptions by_env;
  by_env.env_paths = {"/data"};
  by_env.cwd = "/";
  json again = discover_json(h, by_env);
  ASSERT_EQ(again.size(), 1u) << again.dump(1);
  EXPECT_EQ(again[0]["path"], py);
  EXPECT_EQ(again[0]["found_by"], "--env (ComfyUI portable)");
}

TEST(FixtureEnvs, BrokenDistInfo) {
  MemoryHost h;
  h.set_env("VIRTUAL_ENV", "/b");
  std::string site = add_venv(h, "/b", "3.11.7");
  h.add_file(site + "/torch-2.3.1.dist-info/INSTALLER", "pip\n");  // METADATA missing
  h.add_file(site + "/xformers-0.0.26.dist-info/METADATA",
             "Metadata-Version: 2.1\nName: xformers\nVersion: not a version!\n");
  h.add_file(site + "/triton-2.3.1.dist-info/METADATA", "garbage without headers");
  json envs = discover_json(h);
  ASSERT_EQ(envs.size(), 1u);
  const json& env = envs[0];
  ASSERT_EQ(env["packages"].size(), 3u) << env["packages"].dump(1);
  const json& torch = package(env, "torch");
  expect_json_fields(torch, {{"version", "2.3.1"}, {"installer", "pip"}});  // from the folder name
  EXPECT_NE(torch["problem"].get<std::string>().find("METADATA unreadable"), std::string::npos);
  EXPECT_NE(package(env, "xformers")["problem"].get<std::string>().find("not PEP 440"),
            std::string::npos);
  EXPECT_NE(package(env, "triton")["problem"].get<std::string>().find("no Name"),
            std::string::npos);
  EXPECT_TRUE(has_note(env, site + "/xformers-0.0.26.dist-info"));
}

}  // namespace
}  // namespace cudafit
