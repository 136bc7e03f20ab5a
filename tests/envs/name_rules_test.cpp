// What a distribution's name says about its CUDA build (cupy-cuda117, cupy-cuda12x,
// jax-cuda12-plugin, nvidia-*-cu12), and the cuDNN that torch/lib carries: read through
// read_site_packages / read_environment on an in-memory machine.
#include <gtest/gtest.h>

#include "envs/read_env.h"

namespace cudafit {
namespace {

void add_dist(MemoryHost& h, const std::string& site, const std::string& name,
              const std::string& version) {
  std::string dir = site + "/" + name + "-" + version + ".dist-info";
  h.add_file(dir + "/METADATA",
             "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n\n");
  h.add_file(dir + "/INSTALLER", "pip\n");
}

TEST(NameRules, CudaFromTheDistributionName) {
  const std::string site = "/venv/lib/python3.11/site-packages";
  MemoryHost h;
  struct Row {
    const char* name;
    std::optional<int> major;
    const char* cuda;  // "" = none
  } rows[] = {
      {"cupy-cuda117", 11, "11.7"},
      {"cupy-cuda12x", 12, ""},
      {"cupy-cuda1x", 1, ""},
      {"cupy-cudax", std::nullopt, ""},
      {"jax-cuda12-plugin", 12, ""},
      {"jax-cuda12", std::nullopt, ""},
      {"nvidia-cublas-cu12", 12, ""},
      {"nvidia-nccl-cu11", 11, ""},
      {"nvidia-cufft-cu", std::nullopt, ""},
      {"nvidia-cu12-extra", std::nullopt, ""},
  };
  for (const auto& r : rows) add_dist(h, site, r.name, "1.0");
  auto pkgs = read_site_packages(h, site, /*gpu_only=*/false, nullptr);
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const InstalledPackage* p = nullptr;
    for (const auto& q : pkgs)
      if (q.name == r.name) p = &q;
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->cuda_major, r.major);
    EXPECT_EQ(p->cuda ? p->cuda->str() : std::string(), r.cuda);
  }
}

TEST(NameRules, CudnnBundledInTorchLib) {
  const std::string prefix = "/venv", site = prefix + "/lib/python3.11/site-packages";
  for (const char* lib :
       {"libcudnn.so.8.9.2", "libcudnn.so.8", "libcudnn.so.8.9", "libcudnn.so.8.9.2x"}) {
    SCOPED_TRACE(lib);
    MemoryHost h;
    h.add_file(prefix + "/pyvenv.cfg", "home = /usr/bin\nversion = 3.11.7\n");
    add_dist(h, site, "torch", "2.0.1");
    h.add_file(site + "/torch/__init__.py", "");
    h.add_file(site + "/torch/lib/" + std::string(lib), "ELF");
    Environment env = read_environment(h, prefix, EnvHint{});
    bool full = std::string(lib) == "libcudnn.so.8.9.2";
    EXPECT_EQ(env.cudnn.known(), full);
    if (full) {
      EXPECT_EQ(*env.cudnn.value, "8.9.2");
      EXPECT_EQ(env.cudnn.source, site + "/torch/lib/libcudnn.so.8.9.2");
    }
  }
}

}  // namespace
}  // namespace cudafit
