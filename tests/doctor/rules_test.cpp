// doctor's rules on machines built in code: each row breaks one thing (or nearly breaks it)
// and names exactly the findings expected (a false alarm fails like a miss). Thresholds in
// the comments are the data/ rows the rules must use.
#include <gtest/gtest.h>

#include <functional>

#include "doctor_fixtures.h"

namespace cudafit::testing {
namespace {

const std::string kVenv = "/home/u/venv";

// RTX 3050 (data/gpus.csv: 10de:2507, 8.6) on driver 535.104.05 (CUDA 12.2, driver-branches.csv),
// torch 2.3.1+cu121 with the companions released with it (torch-releases.csv: 0.18.1 / 2.3.1),
// toolkit 12.1 active.
Machine workstation() {
  Machine m =
      machine_with_driver("535.104.05", "12.2", {gpu(0, "NVIDIA GeForce RTX 3050", 0x2507, "8.6")});
  m.environments.push_back(venv(kVenv, {torch_pkg("2.3.1+cu121", "12.1", site(kVenv)),
                                        pkg("torchvision", "0.18.1+cu121", site(kVenv)),
                                        pkg("torchaudio", "2.3.1+cu121", site(kVenv))}));
  m.toolkits.push_back(toolkit("/usr/local/cuda-12.1", "12.1", true));
  return m;
}

Machine no_driver_machine() {
  Machine m = workstation();
  m.driver = DriverInfo{};
  return m;
}

Machine with_torch(Machine m, InstalledPackage torch) {
  m.environments[0].packages = {std::move(torch)};
  return m;
}

Machine only_torch(const char* driver, const char* driver_cuda, Gpu g, const std::string& version,
                   const char* cuda) {
  Machine m = machine_with_driver(driver, driver_cuda, {std::move(g)});
  m.environments.push_back(venv(kVenv, {torch_pkg(version, cuda, site(kVenv))}));
  return m;
}

PackageKernels kernels_of(const std::string& package,
                          std::vector<std::vector<CodeEntry>> containers) {
  return PackageKernels{kVenv, package, "0.0.27", site(kVenv) + "/" + package + "/_C.so",
                        std::move(containers)};
}

// A CUDA 12.4.1 container (needs 550.54.14) on `driver`, its cuda-compat 550.54.15 under
// /usr/local/cuda/compat; `loaded`: the loader opens it for libcuda.so.1 (LD_LIBRARY_PATH).
Machine compat_container(const char* driver, Gpu g, bool loaded) {
  Machine m = machine_with_driver(driver, "12.2", {std::move(g)});
  m.container.inside = true;
  m.container.image_cuda = Fact<CudaVersion>::of(cv("12.4.1"), "CUDA_VERSION");
  const std::string compat = "/usr/local/cuda-12.4/compat/libcuda.so.550.54.15";
  ContainerInfo::CompatLib lib{compat, dv("550.54.15"), loaded, loaded, "(probe's words)"};
  m.container.compat_libs.push_back(lib);
  LoadedLibrary l;
  l.path =
      loaded ? "/usr/local/cuda/compat/libcuda.so.1" : "/usr/lib/x86_64-linux-gnu/libcuda.so.1";
  l.real = loaded ? compat : "/usr/lib/x86_64-linux-gnu/libcuda.so." + std::string(driver);
  l.how = loaded ? "LD_LIBRARY_PATH" : "/etc/ld.so.cache";
  l.version = loaded ? dv("550.54.15") : dv(driver);
  if (loaded) l.forward_compat = compat;
  m.driver.libcuda = l;
  return m;
}

struct Case {
  const char* name;
  std::function<Machine()> make;
  std::vector<std::string> expected;  // sorted "severity id"
  std::vector<PackageKernels> kernels = {};
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"healthy workstation", workstation, {}},
      {"GPU without driver", no_driver_machine, {"error no-driver"}},
      {"nouveau holds the GPU",
       [] {
         Machine m = no_driver_machine();
         m.driver.nouveau_loaded = true;
         m.gpus[0].bound_driver = "nouveau";
         return m;
       },
       {"error no-driver", "error nouveau-loaded"}},
      {"near miss: nouveau module present but nvidia loaded",
       [] {
         Machine m = workstation();
         m.driver.nouveau_loaded = true;
         return m;
       },
       {}},
      {"upgrade without reboot",
       [] {
         Machine m = workstation();
         m.driver.userspace_version =
             Fact<DriverVersion>::of(dv("550.54.14"), "libcuda.so.550.54.14");
         m.driver.version_mismatch = true;
         return m;
       },
       {"error driver-library-mismatch"}},
      {"only the stub libcuda",
       [] {
         Machine m = workstation();
         m.driver.libraries[0].path = "/usr/local/cuda-12.1/lib64/stubs/libcuda.so";
         m.driver.libraries[0].stub = true;
         return m;
       },
       {"error driver-stub"}},
      {"near miss: stub beside the real libcuda",
       [] {
         Machine m = workstation();
         DriverLibrary stub;
         stub.path = "/usr/local/cuda-12.1/lib64/stubs/libcuda.so";
         stub.kind = "libcuda";
         stub.stub = true;
         m.driver.libraries.push_back(stub);
         return m;
       },
       {}},
      {"CPU-only torch on an NVIDIA GPU",
       [] { return with_torch(workstation(), torch_pkg("2.3.1+cpu", nullptr, site(kVenv))); },
       {"error cpu-only-build"}},
      {"CPU-only torch, no GPU: info",
       [] {
         Machine m = with_torch(workstation(), torch_pkg("2.3.1+cpu", nullptr, site(kVenv)));
         m.driver = DriverInfo{};
         m.gpus.clear();
         return m;
       },
       {"info cpu-only-build"}},
      // cuda.csv: 12.1 needs 530.30.02; cuda-minor-compat.csv: 12.x floor 525.60.13.
      {"driver between the 12.x floor and 12.1's minimum: minor compat",
       [] {
         return only_torch("525.85.12", "12.0", gpu(0, "RTX 3050", 0x2507, "8.6"), "2.3.1+cu121",
                           "12.1");
       },
       {"warning driver-too-old"}},
      {"driver 470 for a cu121 build",
       [] {
         return only_torch("470.256.02", "11.4", gpu(0, "RTX 3050", 0x2507, "8.6"), "2.3.1+cu121",
                           "12.1");
       },
       {"error driver-too-old"}},
      {"near miss: driver exactly 12.1's minimum",
       [] {
         return only_torch("530.30.02", "12.1", gpu(0, "RTX 3050", 0x2507, "8.6"), "2.3.1+cu121",
                           "12.1");
       },
       {}},
      // torch-arch-lists.csv: 2.6.0 cu124 = sm_50..sm_90, no PTX; 2.7.0 cu128 adds sm_120.
      {"RTX 5090 with torch 2.6 cu124",
       [] {
         return only_torch("570.133.07", "12.8", gpu(0, "RTX 5090", 0x2b85, "12.0"), "2.6.0+cu124",
                           "12.4");
       },
       {"error arch-unsupported"}},
      {"near miss: RTX 5090 with torch 2.7 cu128",
       [] {
         return only_torch("570.133.07", "12.8", gpu(0, "RTX 5090", 0x2b85, "12.0"), "2.7.0+cu128",
                           "12.8");
       },
       {}},
      // 2.7.0 cu128 = sm_75..sm_120: no Pascal kernels (the uv regression of issue 5).
      {"GTX 1080 with torch 2.7 cu128",
       [] {
         return only_torch("570.133.07", "12.8", gpu(0, "GTX 1080", 0x1b80, "6.1"), "2.7.0+cu128",
                           "12.8");
       },
       {"error arch-unsupported"}},
      {"near miss: GTX 1080 with torch 2.7 cu126",
       [] {
         return only_torch("570.133.07", "12.8", gpu(0, "GTX 1080", 0x1b80, "6.1"), "2.7.0+cu126",
                           "12.6");
       },
       {}},
      {"xformers without sm_120 code (binary reader)",
       [] {
         return only_torch("570.133.07", "12.8", gpu(0, "RTX 5090", 0x2b85, "12.0"), "2.7.0+cu128",
                           "12.8");
       },
       {"error arch-unsupported"},
       {kernels_of("xformers", {{CodeEntry{cc("8.0"), false, ""}, CodeEntry{cc("9.0"), false, ""}},
                                {CodeEntry{cc("8.0"), false, ""}}})}},
      {"xformers with only PTX for the H100 (binary reader)",
       [] {
         return only_torch("570.133.07", "12.8", gpu(0, "H100", 0x2330, "9.0"), "2.7.0+cu128",
                           "12.8");
       },
       {"warning arch-ptx-jit"},
       {kernels_of("xformers",
                   {{CodeEntry{cc("8.0"), false, ""}, CodeEntry{cc("8.0"), true, "7.8"}}})}},
      {"near miss: xformers with SASS in every container",
       [] {
         return only_torch("570.133.07", "12.8", gpu(0, "H100", 0x2330, "9.0"), "2.7.0+cu128",
                           "12.8");
       },
       {},
       {kernels_of("xformers",
                   {{CodeEntry{cc("9.0"), false, ""}},
                    {CodeEntry{cc("8.0"), false, ""}, CodeEntry{cc("9.0"), false, ""}}})}},
      {"torchvision from another release",
       [] {
         Machine m = workstation();
         m.environments[0].packages[1] = pkg("torchvision", "0.17.2+cu121", site(kVenv));
         return m;
       },
       {"error companion-mismatch"}},
      {"torchvision built for another CUDA",
       [] {
         Machine m = workstation();
         m.environments[0].packages[1] = pkg("torchvision", "0.18.1+cu118", site(kVenv));
         return m;
       },
       {"error companion-mismatch"}},
      {"near miss: plain PyPI torchvision (no CUDA tag)",
       [] {
         Machine m = workstation();
         m.environments[0].packages[1] = pkg("torchvision", "0.18.1", site(kVenv));
         return m;
       },
       {}},
      {"nvidia-cudnn wheel off torch's pin",
       [] {
         Machine m = workstation();
         RequirementCheck r{
             "torch", "nvidia-cudnn-cu12==8.9.2.26", "nvidia-cudnn-cu12", "==8.9.2.26", "9.1.0.70",
             false};
         m.environments[0].requirements.push_back(r);
         return m;
       },
       {"error nvidia-wheel-mismatch"}},
      {"near miss: pins satisfied",
       [] {
         Machine m = workstation();
         RequirementCheck r{
             "torch", "nvidia-cudnn-cu12==8.9.2.26", "nvidia-cudnn-cu12", "==8.9.2.26", "8.9.2.26",
             true};
         m.environments[0].requirements.push_back(r);
         return m;
       },
       {}},
      {"pip torch over conda's pytorch",
       [] {
         Machine m = workstation();
         Environment& e = m.environments[0];
         e.kind = "conda";
         InstalledPackage conda = pkg("pytorch", "2.3.1", kVenv + "/conda-meta", "conda");
         conda.metadata_path =
             kVenv + "/conda-meta/pytorch-2.3.1-py3.11_cuda12.1_cudnn8.9.2_0.json";
         conda.build = "py3.11_cuda12.1_cudnn8.9.2_0";
         e.packages.push_back(conda);
         return m;
       },
       {"error conda-pip-mix"}},
      {"near miss: conda's pytorch alone",
       [] {
         Machine m = workstation();
         Environment& e = m.environments[0];
         e.kind = "conda";
         for (auto& p : e.packages) p.installer = "conda";
         InstalledPackage conda = pkg("pytorch", "2.3.1", kVenv + "/conda-meta", "conda");
         e.packages.push_back(conda);
         return m;
       },
       {}},
      {"PYTHONPATH torch shadows the venv's",
       [] {
         Machine m = workstation();
         m.environments[0].torch_import_location = "/home/u/old-libs";
         m.environments[0].torch_import_version = "2.1.0+cu118";
         m.environments[0].sys_path.insert(m.environments[0].sys_path.begin(), "/home/u/old-libs");
         return m;
       },
       {"error shadowed-install"}},
      {"toolkit 11.8 active, torch built with 12.1",
       [] {
         Machine m = workstation();
         m.toolkits = {toolkit("/usr/local/cuda-11.8", "11.8", true)};
         return m;
       },
       {"warning toolkit-mismatch"}},
      {"two toolkits, the matching one active",
       [] {
         Machine m = workstation();
         m.toolkits.push_back(toolkit("/usr/local/cuda-11.8", "11.8", false));
         return m;
       },
       {"info multiple-toolkits"}},
      // cuda.csv: 12.4.1 needs 550.54.15; 535 is above the 12.x floor 525.60.13.
      {"container CUDA 12.4 on a 535 host: minor compat only",
       [] {
         Machine m = workstation();
         m.container.inside = true;
         m.container.image_cuda = Fact<CudaVersion>::of(cv("12.4.1"), "CUDA_VERSION");
         return m;
       },
       {"warning container-cuda-too-new"}},
      {"container CUDA 12.4 on a 470 host",
       [] {
         Machine m = machine_with_driver("470.256.02", "11.4", {gpu(0, "Tesla T4", 0x1eb8, "7.5")});
         m.container.inside = true;
         m.container.image_cuda = Fact<CudaVersion>::of(cv("12.4.1"), "CUDA_VERSION");
         return m;
       },
       {"error container-cuda-too-new"}},
      // cuda-forward-compat.csv: 12.4 on R535 compatible; R470 not listed (end of life).
      // gpus.csv: Tesla T4 (1eb8) and L4 data-center, GeForce RTX 4090 (2684) not.
      {"forward compatibility in use on a data-center GPU",
       [] { return compat_container("535.183.01", gpu(0, "Tesla T4", 0x1eb8, "7.5"), true); },
       {"info forward-compat-in-use"}},
      {"forward compatibility in use on a GeForce GPU: 804",
       [] { return compat_container("535.183.01", gpu(0, "RTX 4090", 0x2684, "8.9"), true); },
       {"error forward-compat-unsupported"}},
      {"forward compatibility on a branch NVIDIA does not list: 803",
       [] { return compat_container("470.256.02", gpu(0, "Tesla T4", 0x1eb8, "7.5"), true); },
       {"error forward-compat-unsupported"}},
      {"near miss: compat libraries present but the loader opens the driver's",
       [] { return compat_container("535.183.01", gpu(0, "Tesla T4", 0x1eb8, "7.5"), false); },
       {"warning container-cuda-too-new"}},
      {"CUDA_VISIBLE_DEVICES empty",
       [] {
         Machine m = workstation();
         m.cuda_visible_devices = Fact<std::string>::of("", "CUDA_VISIBLE_DEVICES");
         m.gpus[0].visible = false;
         return m;
       },
       {"error cuda-visible-devices-hides-gpus"}},
      {"near miss: CUDA_VISIBLE_DEVICES=0",
       [] {
         Machine m = workstation();
         m.cuda_visible_devices = Fact<std::string>::of("0", "CUDA_VISIBLE_DEVICES");
         return m;
       },
       {}},
      {"cupy-cuda12x on driver 470",
       [] {
         Machine m = machine_with_driver("470.256.02", "11.4", {gpu(0, "RTX 3050", 0x2507, "8.6")});
         m.environments.push_back(venv(kVenv, {pkg("cupy-cuda12x", "13.3.0", site(kVenv))}));
         return m;
       },
       {"error framework-requirement"}},
      // frameworks.csv: vllm 0.5.4 pins torch 2.4.0.
      {"vllm 0.5.4 with torch 2.3.1",
       [] {
         Machine m = workstation();
         m.environments[0].packages.push_back(pkg("vllm", "0.5.4", site(kVenv)));
         return m;
       },
       {"error framework-requirement"}},
      {"near miss: vllm 0.5.4 with torch 2.4.0",
       [] {
         Machine m = only_torch("535.104.05", "12.2", gpu(0, "RTX 3050", 0x2507, "8.6"),
                                "2.4.0+cu121", "12.1");
         m.environments[0].packages.push_back(pkg("vllm", "0.5.4", site(kVenv)));
         return m;
       },
       {}},
      // torch.utils.cpp_extension: CUDA_HOME (else CUDA_PATH) taken as it is, then <it>/bin/nvcc.
      {"CUDA_HOME points nowhere",
       [] {
         Machine m = workstation();
         m.cuda_home = {"CUDA_HOME", "/nonexistent", "does not exist"};
         return m;
       },
       {"warning cuda-home-invalid"}},
      {"near miss: CUDA_HOME at the toolkit",
       [] {
         Machine m = workstation();
         m.cuda_home = {"CUDA_HOME", "/usr/local/cuda-12.1", ""};
         return m;
       },
       {}},
      {"a broken CUDA_HOME takes the place of toolkit-mismatch",
       [] {
         Machine m = workstation();
         m.toolkits = {toolkit("/usr/local/cuda-11.8", "11.8", true)};
         m.cuda_home = {"CUDA_PATH", "", "is set but empty"};
         return m;
       },
       {"warning cuda-home-invalid"}},
      // gpu-archs.csv: Kepler GK210 (3.7) last branch 470; Pascal GP104 last 580.
      {"Tesla K80 on driver 535",
       [] {
         return machine_with_driver("535.104.05", "12.2", {gpu(0, "Tesla K80", 0x102d, "3.7")});
       },
       {"error driver-drops-gpu"}},
      {"GTX 1080 on 580, the last branch for Pascal",
       [] { return machine_with_driver("580.95.05", "13.0", {gpu(0, "GTX 1080", 0x1b80, "6.1")}); },
       {"info gpu-legacy"}},
      // cuda.csv: 12.2 (driver 535) targets up to sm_90; the RTX 5090 is sm_120.
      {"RTX 5090 on driver 535",
       [] {
         return machine_with_driver("535.104.05", "12.2", {gpu(0, "RTX 5090", 0x2b85, "12.0")});
       },
       {"error driver-too-old-for-gpu"}},
  };
  return all;
}

class Rules : public ::testing::TestWithParam<std::size_t> {};

TEST_P(Rules, FindsExactlyTheExpected) {
  const Case& c = cases()[GetParam()];
  SCOPED_TRACE(c.name);
  auto findings = run(c.make(), c.kernels);
  std::vector<std::string> want = c.expected;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ids_of(findings), want) << c.name;
  for (const auto& f : findings) {
    EXPECT_FALSE(f.summary.empty()) << f.id;
    EXPECT_FALSE(f.evidence.empty()) << f.id;
    if (f.severity == Severity::kError) {
      EXPECT_FALSE(f.fix.empty()) << f.id;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Doctor, Rules, ::testing::Range<std::size_t>(0, cases().size()));

TEST(RulesDetail, CpuOnlyFixIsTheExactPipCommand) {
  // torch-variants.csv: 2.3.1 cu121 on https://download.pytorch.org/whl/cu121; driver 535 runs it.
  Machine m = with_torch(workstation(), torch_pkg("2.3.1+cpu", nullptr, site(kVenv)));
  auto f = run(m);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].fix, kVenv +
                          "/bin/python -m pip install torch==2.3.1 --index-url "
                          "https://download.pytorch.org/whl/cu121");
}

TEST(RulesDetail, ArchUnsupportedNamesTheFirstReleaseThatServes) {
  Machine m =
      only_torch("570.133.07", "12.8", gpu(0, "RTX 5090", 0x2b85, "12.0"), "2.6.0+cu124", "12.4");
  auto f = run(m);
  ASSERT_EQ(f.size(), 1u);
  bool named = false;
  for (const auto& e : f[0].evidence)
    named = named || e.find("first torch release with kernels for sm_120 is 2.7.0 (cu128") !=
                         std::string::npos;
  EXPECT_TRUE(named) << ::testing::PrintToString(f[0].evidence);
  EXPECT_NE(f[0].fix.find("torch==2.7.0 --index-url https://download.pytorch.org/whl/cu128"),
            std::string::npos)
      << f[0].fix;
}

TEST(RulesDetail, DriverTooOldSaysWhatCanFail) {
  auto f = run(
      only_torch("525.85.12", "12.0", gpu(0, "RTX 3050", 0x2507, "8.6"), "2.3.1+cu121", "12.1"));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].summary.find("minor-version compatibility"), std::string::npos);
  EXPECT_NE(f[0].fix.find("530.30.02"), std::string::npos) << f[0].fix;
}

TEST(RulesDetail, CudaHomeFixNamesTheToolkitOfTorchsCuda) {
  Machine m = workstation();  // torch 2.3.1+cu121
  m.toolkits = {toolkit("/usr/local/cuda-11.8", "11.8", true),
                toolkit("/usr/local/cuda-12.1", "12.1", false)};
  m.cuda_home = {"CUDA_HOME", "/opt/cuda", "has no bin/nvcc"};
  auto fix_of = [](const std::vector<Finding>& findings) {
    for (const auto& f : findings)
      if (f.id == "cuda-home-invalid") return f.fix;
    return std::string("(no cuda-home-invalid)");
  };
  EXPECT_EQ(fix_of(run(m, {})), "export CUDA_HOME=/usr/local/cuda-12.1");
  m.toolkits = {};
  std::string fix = fix_of(run(m, {}));
  EXPECT_EQ(fix.rfind("unset CUDA_HOME", 0), 0u) << fix;
}

TEST(RulesDetail, ErrorsComeFirst) {
  Machine m = workstation();
  m.toolkits.push_back(toolkit("/usr/local/cuda-11.8", "11.8", false));
  m.driver.version_mismatch = true;
  auto f = run(m);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].severity, Severity::kError);
  EXPECT_EQ(f[1].severity, Severity::kInfo);
}

}  // namespace
}  // namespace cudafit::testing
