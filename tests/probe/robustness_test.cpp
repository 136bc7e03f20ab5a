// Broken machines in memory: garbage, truncated and unreadable files give unknown facts with
// reasons, never a crash; the visibility variables pick the GPUs CUDA would see.
#include <gtest/gtest.h>

#include "machine_flat.h"
#include "probe/detect.h"

namespace cudafit {
namespace {

std::shared_ptr<const KnowledgeBase> kb() {
  static auto loaded = KnowledgeBase::embedded();
  return loaded ? *loaded : nullptr;
}

Machine detect(const MemoryHost& host) {
  DetectOptions o;
  o.driver_libs = DetectOptions::DriverLibs::kNever;
  return detect_machine(host, *kb(), o);
}

void add_gpu(MemoryHost& h, const std::string& bus, const std::string& device,
             const std::string& uuid) {
  std::string dir = "/sys/bus/pci/devices/" + bus;
  h.add_file(dir + "/vendor", "0x10de\n");
  h.add_file(dir + "/device", device);
  h.add_file(dir + "/class", "0x030200\n");
  h.add_file("/proc/driver/nvidia/gpus/" + bus + "/information",
             "Model: \t\t NVIDIA H100\nGPU UUID: \t " + uuid + "\n");
}

TEST(Robustness, EmptyMachine) {
  ASSERT_TRUE(kb());
  MemoryHost h;
  Machine m = detect(h);
  EXPECT_FALSE(m.driver.version.known());
  EXPECT_EQ(m.driver.version.note, "no NVIDIA kernel module is loaded");
  EXPECT_TRUE(m.gpus.empty());
  EXPECT_TRUE(m.toolkits.empty());
  EXPECT_FALSE(m.host.os_id.known());
}

TEST(Robustness, GarbageFiles) {
  ASSERT_TRUE(kb());
  MemoryHost h;
  h.add_file("/sys/module/nvidia/version", "\xff\xfe garbage");
  h.add_file("/proc/driver/nvidia/version", "NVRM version: truncated");
  h.add_file("/etc/ld.so.cache", "glibc-ld.so.cache1.1\xff\xff\xff\xff");
  h.add_file("/etc/os-release", "\0\0\0");
  h.add_file("/sys/bus/pci/devices/0000:01:00.0/vendor", "0x10de\n");
  h.add_file("/sys/bus/pci/devices/0000:01:00.0/class", "zzz");
  h.add_file("/sys/bus/pci/devices/0000:02:00.0/vendor", "0x10de\n");
  h.add_file("/sys/bus/pci/devices/0000:02:00.0/class", "0x030000");
  h.add_file("/sys/bus/pci/devices/0000:02:00.0/device", "not hex");
  h.add_file("/usr/local/cuda-12.4/bin/nvcc", "");
  h.add_file("/usr/local/cuda-12.4/version.json", "{\"cuda\": {\"version\": \"twelve\"}}");
  h.add_file("/usr/include/cudnn_version.h", "#define CUDNN_MAJOR\n");
  Machine m = detect(h);
  EXPECT_TRUE(m.driver.module_loaded);
  EXPECT_FALSE(m.driver.version.known());
  EXPECT_FALSE(m.driver.module_kind.known());
  ASSERT_EQ(m.gpus.size(), 1u);  // the device with a garbage class is skipped, with a note
  EXPECT_FALSE(m.gpus[0].compute_capability.known());
  ASSERT_EQ(m.toolkits.size(), 1u);
  EXPECT_FALSE(m.toolkits[0].version.known());
  EXPECT_FALSE(m.toolkits[0].version.note.empty());
  EXPECT_TRUE(m.cudnn.empty());
  EXPECT_GE(m.notes.size(), 3u);  // ld.so.cache, the class file, the device file, NVRM line
}

// This team's machine with a plain PATH (as CI has it): nvcc is a wrapper script in
// /usr/local/bin and /usr/local/include links into the toolkit, so /usr/local looks like a
// toolkit of its own. It is the same install seen through links and must not take the
// toolkit's cuDNN away from it.
TEST(Robustness, LinkedHeadersAndAnNvccWrapperAreOneToolkit) {
  ASSERT_TRUE(kb());
  MemoryHost h;
  const std::string tk = "/usr/local/cuda-13.0";
  h.add_file(tk + "/bin/nvcc", "ELF");
  h.add_file(tk + "/include/cuda.h", "#define CUDA_VERSION 13000\n");
  h.add_file(tk + "/include/cudnn_version.h",
             "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 19\n#define CUDNN_PATCHLEVEL 0\n");
  h.add_symlink("/usr/local/cuda", tk);
  h.add_file("/usr/local/bin/nvcc", "#!/bin/sh\nexec " + tk + "/bin/nvcc \"$@\"\n");
  h.add_symlink("/usr/local/include/cuda.h", tk + "/include/cuda.h");
  h.add_symlink("/usr/local/include/cudnn_version.h", tk + "/include/cudnn_version.h");
  h.set_env("PATH", "/usr/local/bin:/usr/bin:/bin");
  Machine m = detect(h);
  ASSERT_EQ(m.toolkits.size(), 1u) << m.toolkits[1].path;
  EXPECT_EQ(m.toolkits[0].path, tk);
  EXPECT_TRUE(m.toolkits[0].active);
  ASSERT_FALSE(m.toolkits[0].active_because.empty());
  EXPECT_EQ(m.toolkits[0].active_because[0], "PATH finds /usr/local/bin/nvcc");
  ASSERT_EQ(m.cudnn.size(), 1u);
  EXPECT_EQ(m.cudnn[0].where, "toolkit " + tk);
  EXPECT_EQ(m.cudnn[0].path, tk + "/include/cudnn_version.h");
  bool noted = false;
  for (const auto& n : m.notes) noted = noted || n.find("/usr/local is " + tk) != std::string::npos;
  EXPECT_TRUE(noted);
}

// cuda.h is read by its head; a define further down (past the first read) is still found.
TEST(Robustness, CudaVersionDefineFarIntoTheHeader) {
  ASSERT_TRUE(kb());
  for (std::size_t padding : {std::size_t{100}, std::size_t{200} << 10}) {
    MemoryHost h;
    std::string header = "/*" + std::string(padding, '*') + "*/\n#define CUDA_VERSION 12040\n";
    header += std::string(300u << 10, ' ');  // the rest of a big header
    h.add_file("/usr/local/cuda-12.4/bin/nvcc", "ELF");
    h.add_file("/usr/local/cuda-12.4/include/cuda.h", header);
    Machine m = detect(h);
    ASSERT_EQ(m.toolkits.size(), 1u);
    ASSERT_TRUE(m.toolkits[0].version.known()) << padding << ": " << m.toolkits[0].version.note;
    EXPECT_EQ(m.toolkits[0].version.value->str(), "12.4") << padding;
  }
}

// A real toolkit under /usr (Debian's nvidia-cuda-toolkit) is no alias: its files are its own.
TEST(Robustness, DebianToolkitUnderUsrIsItsOwn) {
  ASSERT_TRUE(kb());
  MemoryHost h;
  h.add_file("/usr/bin/nvcc", "ELF");
  h.add_file("/usr/include/cuda.h", "#define CUDA_VERSION 11080\n");
  h.add_file("/usr/local/cuda-12.4/bin/nvcc", "ELF");
  h.add_file("/usr/local/cuda-12.4/version.json", "{\"cuda\": {\"version\": \"12.4.1\"}}");
  h.set_env("PATH", "/usr/bin:/bin");
  Machine m = detect(h);
  ASSERT_EQ(m.toolkits.size(), 2u);
  EXPECT_EQ(m.toolkits[0].path, "/usr");
  EXPECT_TRUE(m.toolkits[0].active);
  EXPECT_EQ(m.toolkits[1].path, "/usr/local/cuda-12.4");
  EXPECT_FALSE(m.toolkits[1].active);
}

TEST(Robustness, VisibilityByIndexUuidAndNone) {
  ASSERT_TRUE(kb());
  struct Row {
    std::optional<std::string> cuda, nvidia;
    bool container;
    const char* visible;  // one char per GPU
  };
  const Row rows[] = {
      {std::nullopt, std::nullopt, false, "111"},
      {"", std::nullopt, false, "000"},  // empty string hides all
      {"2,0", std::nullopt, false, "101"},
      {"1,7,2", std::nullopt, false, "010"},    // CUDA stops at the first invalid index
      {"GPU-bbb", std::nullopt, false, "010"},  // UUID prefix
      {std::nullopt, "void", true, "000"},
      {std::nullopt, "none", true, "000"},
      {std::nullopt, "all", true, "111"},
      {std::nullopt, "1", false, "111"},  // outside a container it changes nothing
      {"1", "0,2", true, "001"},          // CUDA indexes the GPUs the runtime kept
  };
  for (const auto& row : rows) {
    MemoryHost h;
    add_gpu(h, "0000:01:00.0", "0x2330", "GPU-aaa1");
    add_gpu(h, "0000:02:00.0", "0x2330", "GPU-bbb2");
    add_gpu(h, "0000:03:00.0", "0x2330", "GPU-ccc3");
    if (row.container) h.add_file("/.dockerenv", "");
    if (row.cuda) h.set_env("CUDA_VISIBLE_DEVICES", *row.cuda);
    if (row.nvidia) h.set_env("NVIDIA_VISIBLE_DEVICES", *row.nvidia);
    Machine m = detect(h);
    ASSERT_EQ(m.gpus.size(), 3u);
    std::string got;
    for (const auto& g : m.gpus) got += g.visible ? '1' : '0';
    EXPECT_EQ(got, row.visible) << "CUDA_VISIBLE_DEVICES=" << row.cuda.value_or("(unset)")
                                << " NVIDIA_VISIBLE_DEVICES=" << row.nvidia.value_or("(unset)");
  }
}

TEST(Robustness, StubIsNeverTheDriver) {
  ASSERT_TRUE(kb());
  MemoryHost h;
  h.add_file("/usr/local/cuda-12.4/bin/nvcc", "");
  h.add_file("/usr/local/cuda-12.4/lib64/stubs/libcuda.so", "");
  h.add_file("/usr/local/cuda-12.4/lib64/stubs/libnvidia-ml.so", "");
  h.set_env("LD_LIBRARY_PATH", "/usr/local/cuda-12.4/lib64/stubs");
  Machine m = detect(h);
  EXPECT_FALSE(m.driver.userspace_version.known());
  EXPECT_EQ(m.driver.userspace_version.note, "only the CUDA stub library (not a driver) was found");
  ASSERT_EQ(m.driver.libraries.size(), 2u);
  EXPECT_TRUE(m.driver.libraries[0].stub);
}

// torch.utils.cpp_extension._find_cuda_home(): `os.environ.get('CUDA_HOME') or
// os.environ.get('CUDA_PATH')`, used as it is; the build then runs <it>/bin/nvcc.
TEST(Robustness, CudaHomeAsExtensionBuildsReadIt) {
  struct Row {
    std::map<std::string, std::string> env;
    const char* var;
    const char* problem;
  };
  const std::vector<Row> rows = {
      {{}, "", ""},                                           // neither set: builds guess
      {{{"CUDA_HOME", "/usr/local/cuda"}}, "CUDA_HOME", ""},  // a link to a toolkit
      {{{"CUDA_HOME", "/nonexistent"}}, "CUDA_HOME", "does not exist"},
      {{{"CUDA_HOME", "/usr/local/cuda-12.4/version.json"}}, "CUDA_HOME", "is not a folder"},
      {{{"CUDA_HOME", "/usr/local/cuda-12.4/lib64"}}, "CUDA_HOME", "has no bin/nvcc"},
      {{{"CUDA_HOME", "cuda"}}, "CUDA_HOME", "is a relative path"},
      {{{"CUDA_HOME", ""}, {"CUDA_PATH", "/nonexistent"}}, "CUDA_PATH", "does not exist"},
      {{{"CUDA_HOME", ""}}, "", ""},                           // '' or None: None, guesses
      {{{"CUDA_PATH", ""}}, "CUDA_PATH", "is set but empty"},  // None or '': '', no CUDA
      {{{"CUDA_HOME", "/usr/local/cuda"}, {"CUDA_PATH", "/x"}}, "CUDA_HOME", ""},
  };
  for (const Row& r : rows) {
    MemoryHost h;
    h.add_file("/usr/local/cuda-12.4/version.json", R"({"cuda": {"version": "12.4.1"}})");
    h.add_file("/usr/local/cuda-12.4/bin/nvcc", "");
    h.add_dir("/usr/local/cuda-12.4/lib64");
    h.add_symlink("/usr/local/cuda", "cuda-12.4");
    for (const auto& [k, v] : r.env) h.set_env(k, v);
    Machine m = detect(h);
    std::string label =
        r.env.empty() ? std::string("(none)") : r.env.begin()->first + "=" + r.env.begin()->second;
    EXPECT_EQ(m.cuda_home.var, r.var) << label;
    EXPECT_EQ(m.cuda_home.problem.rfind(r.problem, 0), 0u) << label << ": " << m.cuda_home.problem;
    EXPECT_EQ(m.cuda_home.problem.empty(), std::string(r.problem).empty()) << label;
  }
}

}  // namespace
}  // namespace cudafit
