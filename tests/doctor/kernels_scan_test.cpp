// doctor --kernels end to end: real fatbins (the nvcc-built fixtures committed under
// tests/binary/fixtures) installed as a package's extension, read by scan_package_kernels
// through the Host and judged by the arch rules against the machine's GPU.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "doctor/kernels.h"
#include "doctor_fixtures.h"

namespace cudafit::testing {
namespace {

const std::string kVenv = "/home/u/venv";

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(CUDAFIT_SOURCE_DIR) + "/tests/binary/fixtures/" + name,
                   std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Row {
  const char* what;
  const char* driver;  // with its CUDA (driver-branches.csv)
  const char* driver_cuda;
  const char* fixture;   // installed as xformers/_C.so
  const char* gpu_name;  // data/gpus.csv
  unsigned device;
  const char* cc;
  std::vector<std::string> ids;  // expected findings, sorted "severity id"
};

TEST(DoctorKernels, RealFatbinsAgainstTheGpu) {
  // multi.so: two containers, k1 with SASS sm_80 only and k2 with sm_80 + sm_90
  // (tests/binary/extra.cmake). uncompressed.fatbin: SASS sm_80 + PTX compute_80 of PTX ISA 9.0
  // (CUDA 13.0's nvcc), which a driver JITs only from CUDA 13.0 on (cuda.csv ptx_isa).
  const Row rows[] = {
      {"sm_80 SASS runs on an RTX 3090 (8.6)",
       "570.133.07",
       "12.8",
       "multi.so",
       "GeForce RTX 3090",
       0x2204,
       "8.6",
       {}},
      {"an H100 (9.0): k1 has no code for it",
       "570.133.07",
       "12.8",
       "multi.so",
       "H100",
       0x2330,
       "9.0",
       {"error arch-unsupported"}},
      {"an A100 (8.0): all SASS",
       "570.133.07",
       "12.8",
       "uncompressed.fatbin",
       "A100",
       0x20b0,
       "8.0",
       {}},
      {"an H100 on driver 580 (CUDA 13.0) JITs the PTX",
       "580.95.05",
       "13.0",
       "uncompressed.fatbin",
       "H100",
       0x2330,
       "9.0",
       {"warning arch-ptx-jit"}},
      {"an H100 on driver 570 (CUDA 12.8) cannot JIT ISA 9.0",
       "570.133.07",
       "12.8",
       "uncompressed.fatbin",
       "H100",
       0x2330,
       "9.0",
       {"error arch-unsupported"}},
      {"an RTX 5090 (12.0): nothing in multi.so",
       "570.133.07",
       "12.8",
       "multi.so",
       "GeForce RTX 5090",
       0x2b85,
       "12.0",
       {"error arch-unsupported"}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.what);
    std::string bytes = fixture(r.fixture);
    ASSERT_GT(bytes.size(), 100u) << r.fixture;
    Machine m = machine_with_driver(r.driver, r.driver_cuda, {gpu(0, r.gpu_name, r.device, r.cc)});
    m.environments.push_back(venv(kVenv, {torch_pkg("2.7.0+cu128", "12.8", site(kVenv)),
                                          pkg("xformers", "0.0.30", site(kVenv))}));
    MemoryHost host;
    host.add_file(site(kVenv) + "/xformers/_C.so", bytes);
    host.add_file(site(kVenv) + "/xformers/__init__.py", "");
    std::vector<PackageKernels> kernels = scan_package_kernels(host, m);
    ASSERT_EQ(kernels.size(), 1u);
    EXPECT_EQ(kernels[0].package, "xformers");
    EXPECT_EQ(kernels[0].library, site(kVenv) + "/xformers/_C.so");
    EXPECT_FALSE(kernels[0].containers.empty());
    std::vector<std::string> got;
    for (const std::string& id : ids_of(run(m, kernels)))
      if (id.find("arch-") != std::string::npos) got.push_back(id);
    EXPECT_EQ(got, r.ids);
  }
}

// A package with no GPU code, or nvidia-* wheels (NVIDIA's own libraries), gives nothing.
TEST(DoctorKernels, OnlyPackagesWithGpuCode) {
  Machine m = machine_with_driver("570.133.07", "12.8", {gpu(0, "H100", 0x2330, "9.0")});
  m.environments.push_back(venv(kVenv, {pkg("xformers", "0.0.30", site(kVenv)),
                                        pkg("nvidia-cublas-cu12", "12.8.3.14", site(kVenv))}));
  MemoryHost host;
  host.add_file(site(kVenv) + "/xformers/_C.so",
                "\x7f"
                "ELF not really");
  host.add_file(site(kVenv) + "/nvidia_cublas_cu12/lib/libcublas.so.12", fixture("multi.so"));
  EXPECT_TRUE(scan_package_kernels(host, m).empty());
}

}  // namespace
}  // namespace cudafit::testing
