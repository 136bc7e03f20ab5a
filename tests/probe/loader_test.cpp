// Which libcuda.so.1 the dynamic loader opens (ProbeContext::resolve_library), in glibc's
// order (elf/dl-load.c _dl_map_object): LD_LIBRARY_PATH, the ld.so.cache entry for the name
// when its file exists, then the built-in folders. Caches are written here in glibc's
// "glibc-ld.so.cache1.1" layout; tests/machines/doctor-container-compat-* hold ones made by
// ldconfig itself.
#include <gtest/gtest.h>

#include <cstring>

#include "probe/detect.h"

namespace cudafit {
namespace {

std::shared_ptr<const KnowledgeBase> kb() {
  static auto loaded = KnowledgeBase::embedded();
  return loaded ? *loaded : nullptr;
}

constexpr std::uint32_t kX8664 = 0x0303;  // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 (ldconfig.h)
constexpr std::uint32_t kI386 = 0x0003;   // FLAG_ELF_LIBC6

// soname -> path entries, in the order given (ldconfig writes them sorted; the lookup takes
// the first that fits).
std::string ld_cache(const std::vector<std::tuple<std::string, std::string, std::uint32_t>>& e) {
  std::string head = "glibc-ld.so.cache1.1";
  auto u32 = [](std::string& s, std::size_t at, std::uint32_t v) { std::memcpy(&s[at], &v, 4); };
  const std::size_t strings_at = 48 + 24 * e.size();
  std::string strings;
  std::string out(strings_at, '\0');
  std::memcpy(out.data(), head.data(), head.size());
  u32(out, 20, static_cast<std::uint32_t>(e.size()));
  for (std::size_t i = 0; i < e.size(); ++i) {
    const auto& [soname, path, flags] = e[i];
    const std::size_t at = 48 + 24 * i;
    u32(out, at, flags);
    u32(out, at + 4, static_cast<std::uint32_t>(strings_at + strings.size()));
    strings += soname + '\0';
    u32(out, at + 8, static_cast<std::uint32_t>(strings_at + strings.size()));
    strings += path + '\0';
  }
  u32(out, 24, static_cast<std::uint32_t>(strings.size()));
  return out + strings;
}

Machine detect(const MemoryHost& h) {
  DetectOptions o;
  o.driver_libs = DetectOptions::DriverLibs::kNever;
  return detect_machine(h, *kb(), o);
}

// A machine with the driver's libcuda.so.535.183.01 in the usual folder and more candidates.
MemoryHost machine() {
  MemoryHost h;
  for (const char* dir : {"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/opt/a",
                          "/usr/local/cuda-12.6/compat"}) {
    std::string version = std::string(dir) == "/usr/local/cuda-12.6/compat" ? "560.35.05"
                          : std::string(dir) == "/opt/a"                    ? "550.54.15"
                          : std::string(dir) == "/lib/x86_64-linux-gnu"     ? "530.30.02"
                                                                            : "535.183.01";
    h.add_file(std::string(dir) + "/libcuda.so." + version, "ELF");
    h.add_symlink(std::string(dir) + "/libcuda.so.1", "libcuda.so." + version);
  }
  return h;
}

TEST(Loader, GlibcOrder) {
  ASSERT_TRUE(kb());
  struct Row {
    const char* name;
    const char* ld_library_path;
    std::vector<std::tuple<std::string, std::string, std::uint32_t>> cache;  // none: no file
    bool has_cache;
    const char* real;  // "" = nothing found
    const char* how;
  };
  const std::string usr = "/usr/lib/x86_64-linux-gnu/libcuda.so.1";
  const std::vector<Row> rows = {
      {"LD_LIBRARY_PATH before the cache",
       "/nowhere:/opt/a",
       {{"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", kX8664}, {"libcuda.so.1", usr, kX8664}},
       true,
       "/opt/a/libcuda.so.550.54.15",
       "LD_LIBRARY_PATH"},
      {"the cache before the default folders (/lib first there)",
       "",
       {{"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", kX8664}, {"libcuda.so.1", usr, kX8664}},
       true,
       "/usr/lib/x86_64-linux-gnu/libcuda.so.535.183.01",
       "/etc/ld.so.cache"},
      {"an ld.so.conf.d entry for the compat folder",
       "",
       {{"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", kX8664},
        {"libcuda.so.1", "/usr/local/cuda-12.6/compat/libcuda.so.1", kX8664},
        {"libcuda.so.1", usr, kX8664}},
       true,
       "/usr/local/cuda-12.6/compat/libcuda.so.560.35.05",
       "/etc/ld.so.cache"},
      {"another architecture's entry is passed over",
       "",
       {{"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", kX8664},
        {"libcuda.so.1", "/opt/a/libcuda.so.1", kI386},
        {"libcuda.so.1", usr, kX8664}},
       true,
       "/usr/lib/x86_64-linux-gnu/libcuda.so.535.183.01",
       "/etc/ld.so.cache"},
      {"a cached file that is gone: the default folders",
       "",
       {{"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", kX8664},
        {"libcuda.so.1", "/gone/libcuda.so.1", kX8664}},
       true,
       "/lib/x86_64-linux-gnu/libcuda.so.530.30.02",
       "default folder"},
      {"no ld.so.cache: folders in the loader's order",
       "",
       {},
       false,
       "/lib/x86_64-linux-gnu/libcuda.so.530.30.02",
       "folder order (no /etc/ld.so.cache)"},
  };
  for (const Row& r : rows) {
    MemoryHost h = machine();
    if (*r.ld_library_path) h.set_env("LD_LIBRARY_PATH", r.ld_library_path);
    if (r.has_cache) h.add_file("/etc/ld.so.cache", ld_cache(r.cache));
    Machine m = detect(h);
    ASSERT_TRUE(m.driver.libcuda.has_value()) << r.name;
    EXPECT_EQ(m.driver.libcuda->real, r.real) << r.name;
    EXPECT_EQ(m.driver.libcuda->how, r.how) << r.name;
  }
}

TEST(Loader, CompatFolderInTheCacheIsForwardCompatNotTheDriver) {
  ASSERT_TRUE(kb());
  MemoryHost h = machine();
  h.add_file("/sys/module/nvidia/version", "535.183.01\n");
  h.add_file("/etc/ld.so.cache",
             ld_cache({{"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", kX8664},
                       {"libcuda.so.1", "/usr/local/cuda-12.6/compat/libcuda.so.1", kX8664}}));
  Machine m = detect(h);
  ASSERT_TRUE(m.driver.libcuda.has_value());
  EXPECT_EQ(m.driver.libcuda->forward_compat, "/usr/local/cuda-12.6/compat/libcuda.so.560.35.05");
  EXPECT_FALSE(m.driver.version_mismatch);  // not the driver's user-space library
  ASSERT_EQ(m.container.compat_libs.size(), 1u);
  EXPECT_TRUE(m.container.compat_libs[0].loaded);
  EXPECT_TRUE(m.container.compat_libs[0].usable);
}

// A compat build mounted over the library folder (same name and size as the compat file) is
// forward compatibility; the same name with another size is a driver installed there.
TEST(Loader, MountedCopyIsRecognisedBySameNameAndSize) {
  ASSERT_TRUE(kb());
  for (bool same : {true, false}) {
    MemoryHost h;
    h.add_file("/sys/module/nvidia/version", "535.183.01\n");
    const std::string lib = "/usr/lib/x86_64-linux-gnu";
    h.add_file(lib + "/libcuda.so.535.183.01", "driver");
    h.add_file(lib + "/libcuda.so.560.35.05", same ? "compat build" : "a driver 560 build");
    h.add_symlink(lib + "/libcuda.so.1", "libcuda.so.560.35.05");
    h.add_file("/usr/local/cuda-12.6/compat/libcuda.so.560.35.05", "compat build");
    Machine m = detect(h);
    ASSERT_TRUE(m.driver.libcuda.has_value());
    EXPECT_EQ(m.driver.libcuda->forward_compat.empty(), !same);
    ASSERT_EQ(m.container.compat_libs.size(), 1u);
    EXPECT_EQ(m.container.compat_libs[0].loaded, same);
    // Without NVML the user-space version comes from libcuda: the driver's own when the
    // loaded one is the compat build, else the mismatch it is.
    EXPECT_EQ(m.driver.version_mismatch, !same);
  }
}

// A compat folder that is not under a toolkit still counts once the loader opens it.
TEST(Loader, CompatFolderOutsideAToolkit) {
  ASSERT_TRUE(kb());
  MemoryHost h;
  h.add_file("/sys/module/nvidia/version", "535.183.01\n");
  h.add_file("/usr/lib/x86_64-linux-gnu/libcuda.so.535.183.01", "driver");
  h.add_symlink("/usr/lib/x86_64-linux-gnu/libcuda.so.1", "libcuda.so.535.183.01");
  h.add_file("/opt/fc/compat/libcuda.so.560.35.05", "compat build");
  h.add_symlink("/opt/fc/compat/libcuda.so.1", "libcuda.so.560.35.05");
  h.set_env("LD_LIBRARY_PATH", "/opt/fc/compat");
  Machine m = detect(h);
  ASSERT_EQ(m.container.compat_libs.size(), 1u);
  EXPECT_EQ(m.container.compat_libs[0].path, "/opt/fc/compat/libcuda.so.560.35.05");
  EXPECT_TRUE(m.container.compat_libs[0].usable);
  // No NVML, and libcuda.so.1 is the compat build: no driver user space is opened.
  EXPECT_FALSE(m.driver.userspace_version.known());
  EXPECT_FALSE(m.driver.version_mismatch);
}

}  // namespace
}  // namespace cudafit
