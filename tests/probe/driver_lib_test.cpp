// The real dlopen code (probe/driver_lib_posix.cpp) against fake NVML/libcuda libraries
// (tests/probe/fake/*.c, built by extra.cmake) whose behaviour environment variables set.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "probe/detect.h"
#include "probe/driver_lib.h"

namespace cudafit {
namespace {

namespace fs = std::filesystem;

const std::string kNvml = std::string(CUDAFIT_FAKE_DRIVER_DIR) + "/libnvidia-ml.so.1";
const std::string kCuda = std::string(CUDAFIT_FAKE_DRIVER_DIR) + "/libcuda.so.1";

// Sets the fake libraries' variables for one test and clears them afterwards.
class FakeDriver : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* v :
         {"FAKE_DRIVER_VERSION", "FAKE_CUDA_VERSION", "FAKE_NVML_GPUS", "FAKE_NVML_INIT_ERROR",
          "FAKE_NVML_HANG", "FAKE_CUDA_CRASH", "FAKE_CUDA_HANG", "FAKE_CUDA_GPUS"})
      unsetenv(v);
  }
  static void set(const char* name, const char* value) { setenv(name, value, 1); }
};

TEST_F(FakeDriver, VersionsAndSeveralGpus) {
  set("FAKE_DRIVER_VERSION", "580.159.04");
  set("FAKE_CUDA_VERSION", "13000");
  set("FAKE_NVML_GPUS",
      "NVIDIA H200|GPU-0001|00000000:00:06.0|2335|9|0|143771|0;"
      "NVIDIA H200|GPU-0002|00000000:00:07.0|2335|9|0|143771|1");
  DriverLibReport r = query_driver_libraries(kNvml, kCuda, 5000, false);
  EXPECT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_TRUE(r.nvml_loaded);
  EXPECT_TRUE(r.cuda_loaded);
  EXPECT_EQ(r.driver_version, "580.159.04");
  EXPECT_EQ(r.cuda_driver_version, 13000);
  EXPECT_EQ(r.cuda_version_from, "cuDriverGetVersion");
  ASSERT_EQ(r.gpus.size(), 2u);
  EXPECT_EQ(r.gpus[1].name, "NVIDIA H200");
  EXPECT_EQ(r.gpus[1].uuid, "GPU-0002");
  EXPECT_EQ(r.gpus[1].pci_bus, "00000000:00:07.0");
  EXPECT_EQ(r.gpus[1].pci_device_id, 0x2335u);
  EXPECT_EQ(r.gpus[1].cc_major, 9);
  EXPECT_EQ(r.gpus[1].cc_minor, 0);
  EXPECT_EQ(r.gpus[1].memory_mib, 143771u);
  EXPECT_EQ(r.gpus[0].mig_mode, 0);
  EXPECT_EQ(r.gpus[1].mig_mode, 1);
}

TEST_F(FakeDriver, InitErrorIsReportedNotFatal) {
  set("FAKE_NVML_INIT_ERROR", "18");  // NVML_ERROR_LIB_RM_VERSION_MISMATCH
  DriverLibReport r = query_driver_libraries(kNvml, "", 5000, false);
  EXPECT_FALSE(r.nvml_loaded);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], "nvmlInit: Driver/library version mismatch");
}

TEST_F(FakeDriver, HangIsCutAtTheDeadline) {
  set("FAKE_NVML_HANG", "1");
  auto start = std::chrono::steady_clock::now();
  DriverLibReport r = query_driver_libraries(kNvml, kCuda, 300, false);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(ms, 3000) << "the deadline did not hold";
  EXPECT_GE(ms, 250);
}

TEST_F(FakeDriver, CrashInTheLibraryDoesNotCrashUs) {
  set("FAKE_CUDA_CRASH", "1");
  DriverLibReport r = query_driver_libraries("", kCuda, 5000, false);
  EXPECT_FALSE(r.cuda_loaded);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors.back().find("crashed"), std::string::npos) << r.errors.back();
}

TEST_F(FakeDriver, MissingLibraryIsAnError) {
  DriverLibReport r = query_driver_libraries("/nonexistent/libnvidia-ml.so.1", "", 5000, false);
  EXPECT_FALSE(r.nvml_loaded);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rfind("dlopen /nonexistent/libnvidia-ml.so.1", 0), 0u);
}

TEST_F(FakeDriver, LibcudaListsDevicesAfterCuInit) {
  set("FAKE_CUDA_GPUS", "NVIDIA GeForce RTX 3050|0000:01:00.0|8|6|8192");
  DriverLibReport r = query_driver_libraries("", kCuda, 5000, true);
  ASSERT_EQ(r.gpus.size(), 1u);
  EXPECT_EQ(r.gpus[0].name, "NVIDIA GeForce RTX 3050");
  EXPECT_EQ(r.gpus[0].cc_major, 8);
  EXPECT_EQ(r.gpus[0].cc_minor, 6);
  EXPECT_EQ(r.gpus[0].memory_mib, 8192u);
}

// A machine tree with a GPU whose PCI id the knowledge base does not know, and the fake
// libraries installed as its driver: kAuto loads them, kNever does not.
class UnknownGpuMachine : public FakeDriver {
 protected:
  void SetUp() override {
    root_ = std::string(CUDAFIT_BINARY_DIR) + "/probe-unknown-gpu-root";
    fs::remove_all(root_);
    std::string lib = root_ + "/usr/lib/x86_64-linux-gnu";
    fs::create_directories(lib);
    for (const char* name : {"libnvidia-ml.so", "libcuda.so"}) {
      std::string real = std::string(name) + ".999.1.2";
      fs::copy_file(std::string(CUDAFIT_FAKE_DRIVER_DIR) + "/" + real, lib + "/" + real);
      fs::create_symlink(real, lib + "/" + name + ".1");
    }
    std::string dev = root_ + "/sys/bus/pci/devices/0000:41:00.0";
    fs::create_directories(dev);
    write(dev + "/vendor", "0x10de\n");
    write(dev + "/device", "0x2fff\n");  // not in data/pci-ids.csv
    write(dev + "/class", "0x030200\n");
    fs::create_directories(root_ + "/sys/module/nvidia");
    write(root_ + "/sys/module/nvidia/version", "999.1.2\n");
    set("FAKE_NVML_GPUS", "NVIDIA Future GPU|GPU-abcd|00000000:41:00.0|2fff|12|1|98304|0");
    set("FAKE_DRIVER_VERSION", "999.1.2");
    set("FAKE_CUDA_VERSION", "13050");
  }
  static void write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  Machine detect(DetectOptions::DriverLibs mode) {
    auto kb = KnowledgeBase::embedded();
    EXPECT_TRUE(kb);
    RootedHost host(root_, std::map<std::string, std::string>{});
    DetectOptions o;
    o.driver_libs = mode;
    o.timeout_ms = 5000;
    return detect_machine(host, **kb, o);
  }
  std::string root_;
};

TEST_F(UnknownGpuMachine, AutoLoadsTheLibrariesUnderTheRoot) {
  Machine m = detect(DetectOptions::DriverLibs::kAuto);
  ASSERT_EQ(m.gpus.size(), 1u);
  ASSERT_TRUE(m.gpus[0].compute_capability.known()) << m.gpus[0].compute_capability.note;
  EXPECT_EQ(m.gpus[0].compute_capability.value->str(), "12.1");
  EXPECT_EQ(m.gpus[0].compute_capability.source, "NVML");
  EXPECT_EQ(*m.gpus[0].name.value, "NVIDIA Future GPU");
  EXPECT_EQ(*m.gpus[0].memory_mib.value, 98304u);
  ASSERT_TRUE(m.driver.cuda.known());
  EXPECT_EQ(m.driver.cuda.value->str(), "13.5");
  EXPECT_EQ(m.driver.cuda.source, "cuDriverGetVersion");
  EXPECT_EQ(m.driver.userspace_version.value->str(), "999.1.2");  // from the file name
}

TEST_F(UnknownGpuMachine, NeverMeansNever) {
  set("FAKE_NVML_HANG", "1");  // would cost the full timeout if loaded
  auto start = std::chrono::steady_clock::now();
  Machine m = detect(DetectOptions::DriverLibs::kNever);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  EXPECT_LT(ms, 2000);
  ASSERT_EQ(m.gpus.size(), 1u);
  EXPECT_FALSE(m.gpus[0].compute_capability.known());
  EXPECT_EQ(m.gpus[0].compute_capability.note, "PCI id 10de:2fff is not in the knowledge base");
}

}  // namespace
}  // namespace cudafit
