// The small parsers of envs/metadata.h, one row per case.
#include "envs/metadata.h"

#include <gtest/gtest.h>

namespace cudafit {
namespace {

TEST(GpuPackage, RuleOnNormalizedNames) {
  // The families issue 7 names; pure-Python neighbours stay out.
  struct Row {
    const char* name;
    bool gpu;
  } rows[] = {
      {"torch", true},
      {"torchvision", true},
      {"torchaudio", true},
      {"triton", true},
      {"pytorch-triton-rocm", true},
      {"nvidia-cudnn-cu12", true},
      {"nvidia-cublas", true},
      {"cuda-toolkit", true},
      {"cuda-bindings", true},
      {"tensorflow", true},
      {"tensorflow-cpu", true},
      {"tf-keras", true},
      {"jax", true},
      {"jaxlib", true},
      {"jax-cuda13-plugin", true},
      {"jax-cuda12-pjrt", true},
      {"cupy-cuda13x", true},
      {"vllm", true},
      {"xformers", true},
      {"flash-attn", true},
      {"bitsandbytes", true},
      {"onnxruntime-gpu", true},
      {"tensorrt-cu12", true},
      {"paddlepaddle-gpu", true},
      {"deepspeed", true},
      {"numpy", false},
      {"torchmetrics", false},
      {"torch-geometric", false},
      {"jaxtyping", false},
      {"requests", false},
  };
  for (const auto& r : rows) EXPECT_EQ(is_gpu_package(r.name), r.gpu) << r.name;
}

TEST(DistMetadata, HeaderFieldsOnly) {
  // Core metadata spec: headers end at the first blank line; Requires-Dist repeats.
  auto md = parse_dist_metadata(
      "Metadata-Version: 2.1\r\nName: nvidia_cudnn_cu12\r\nVersion: 8.9.2.26\r\n"
      "Requires-Dist: nvidia-cublas-cu12\r\n\r\nVersion: 0.0 (in the description)\r\n");
  ASSERT_TRUE(md.ok()) << md.error();
  EXPECT_EQ(md->name, "nvidia_cudnn_cu12");
  EXPECT_EQ(md->version, "8.9.2.26");
  ASSERT_EQ(md->requires_dist.size(), 1u);
  EXPECT_EQ(md->requires_dist[0], "nvidia-cublas-cu12");
}

TEST(DistMetadata, MissingFieldsAreErrors) {
  EXPECT_FALSE(parse_dist_metadata("Name: x\n").ok());
  EXPECT_FALSE(parse_dist_metadata("Version: 1.0\n").ok());
  EXPECT_FALSE(parse_dist_metadata("").ok());
  EXPECT_FALSE(parse_dist_metadata("\nName: x\nVersion: 1\n").ok());  // body only
}

TEST(DistDirName, Forms) {
  struct Row {
    const char* dir;
    const char* name;
    const char* version;
  } rows[] = {
      // Binary distribution format: {name}-{version}.dist-info
      {"torch-2.3.1+cu121.dist-info", "torch", "2.3.1+cu121"},
      {"nvidia_cudnn_cu13-9.19.0.56.dist-info", "nvidia_cudnn_cu13", "9.19.0.56"},
      // setuptools eggs: name-version-pyX.Y.egg-info, or name.egg-info for develop installs
      {"torch-1.13.0a0+gitunknown.egg-info", "torch", "1.13.0a0+gitunknown"},
      {"six-1.16.0-py3.11.egg-info", "six", "1.16.0"},
      {"mypkg.egg-info", "mypkg", ""},
  };
  for (const auto& r : rows) {
    auto d = parse_dist_dir_name(r.dir);
    ASSERT_TRUE(d.has_value()) << r.dir;
    EXPECT_EQ(d->name, r.name);
    EXPECT_EQ(d->version, r.version);
  }
  EXPECT_FALSE(parse_dist_dir_name("torch").has_value());
  EXPECT_FALSE(parse_dist_dir_name(".dist-info").has_value());
}

TEST(PyvenvCfg, KeysLowerCased) {
  // The h200 container's real pyvenv.cfg (uv).
  auto cfg = parse_pyvenv_cfg(
      "home = /usr/bin\nimplementation = CPython\nuv = 0.11.15\nversion_info = 3.12.3\n"
      "include-system-site-packages = false\n");
  EXPECT_EQ(cfg["home"], "/usr/bin");
  EXPECT_EQ(cfg["version_info"], "3.12.3");
  EXPECT_EQ(cfg["include-system-site-packages"], "false");
  EXPECT_EQ(parse_pyvenv_cfg("Version=3.10.4")["version"], "3.10.4");
}

TEST(PythonAssignments, TorchVersionPy) {
  // torch 2.11's version.py (h200 container), annotations included; Debian's 1.13 has cuda = None.
  auto v = parse_python_assignments(
      "from typing import Optional\n\n__all__ = ['__version__', 'cuda']\n"
      "__version__ = '2.11.0+cu130'\ndebug = False\ncuda: Optional[str] = '13.0'\n"
      "git_version = \"70d99e9\"\nhip: Optional[str] = None\nif x:\n    cuda = '1.0'\n"
      "rocm = get()\n");
  EXPECT_EQ(v["__version__"], std::optional<std::string>("2.11.0+cu130"));
  EXPECT_EQ(v["cuda"], std::optional<std::string>("13.0"));
  EXPECT_EQ(v["git_version"], std::optional<std::string>("70d99e9"));
  EXPECT_EQ(v["debug"], std::optional<std::string>("False"));
  ASSERT_TRUE(v.count("hip"));
  EXPECT_FALSE(v["hip"].has_value());
  EXPECT_FALSE(v.count("rocm"));  // not a literal
  EXPECT_FALSE(v.count("__all__"));
}

TEST(TfBuildInfo, DictEntries) {
  // tensorflow 2.15's tensorflow/python/platform/build_info.py
  auto info = parse_tf_build_info(
      "import collections\nbuild_info = collections.OrderedDict([\n"
      "build_info = {'cpu_compiler': '/usr/lib/llvm-17/bin/clang',\n 'cuda_compute_capabilities': "
      "['sm_50', 'sm_60'],\n 'cuda_version': '12.2',\n 'cudnn_version': '8',\n"
      " 'is_cuda_build': True,\n 'is_rocm_build': False}\n");
  EXPECT_EQ(info["cuda_version"], "12.2");
  EXPECT_EQ(info["cudnn_version"], "8");
  EXPECT_EQ(info["is_cuda_build"], "True");
  EXPECT_FALSE(info.count("cuda_compute_capabilities"));
}

TEST(Conda, RecordAndFileName) {
  auto r = parse_conda_record(
      R"({"name": "pytorch", "version": "2.1.0", "build": "py3.10_cuda11.8_cudnn8.7.0_0",
          "channel": "https://conda.anaconda.org/pytorch/linux-64"})");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->build, "py3.10_cuda11.8_cudnn8.7.0_0");
  EXPECT_FALSE(parse_conda_record("[1]").ok());
  EXPECT_FALSE(parse_conda_record("{").ok());
  auto f = parse_conda_file_name("pytorch-cuda-11.8-h7e8668a_5.json");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->name, "pytorch-cuda");
  EXPECT_EQ(f->version, "11.8");
  EXPECT_EQ(f->build, "h7e8668a_5");
  EXPECT_FALSE(parse_conda_file_name("history").has_value());
  EXPECT_FALSE(parse_conda_file_name("x-1.json").has_value());
}

TEST(Pth, PathLinesOnly) {
  // site.addpackage: '#' comments and blank lines skipped, "import" lines executed, not paths.
  auto lines = parse_pth("# comment\n\nimport _virtualenv\n/opt/extra\nsub/dir  \nimportant\n");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "/opt/extra");
  EXPECT_EQ(lines[1], "sub/dir");
  EXPECT_EQ(lines[2], "important");
}

}  // namespace
}  // namespace cudafit
