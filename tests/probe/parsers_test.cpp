// The text parsers of probe/parsers.h, one row per sample; samples from
// ../shared/reference/nvidia/probe-samples.md unless a comment says otherwise.
#include "probe/parsers.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/strings.h"

namespace cudafit {
namespace {

struct NvrmRow {
  const char* text;
  const char* version;  // "" = error expected
  bool open;
};

TEST(Parsers, NvrmVersion) {
  const NvrmRow rows[] = {
      // §1 real, open module 580.95.05
      {"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build  "
       "(dvs-builder@U22-I3-B17-02-5)  Tue Sep 23 09:55:41 UTC 2025\nGCC version:  gcc version "
       "11.4.0\n",
       "580.95.05", true},
      // §1 real, proprietary 535.146.02
      {"NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.146.02  Thu Dec 19 18:56:32 UTC 2023\n",
       "535.146.02", false},
      // §1 re-wrapped by its author over two lines
      {"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64 610.43.02 Release Build\n"
       "              (dvs-builder@U22-I3-H05-01-2) Tue May 19 11:24:27 UTC 2026\n",
       "610.43.02", true},
      // §1 fixtures: two-part versions
      {"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  565.77  Release Build  (nixbld@)  "
       "Sun Feb  9 "
       "11:08:26 UTC 2025\n",
       "565.77", true},
      {"NVRM version: NVIDIA UNIX x86_64 Kernel Module  510.54  Wed Apr  1 20:04:33 UTC 2020\n",
       "510.54", false},
      // h200-container root/proc/driver/nvidia/version
      {"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build  "
       "(nixbld@)  \n",
       "580.159.04", true},
      // §1: the aarch64 line cut off by its log: no version
      {"NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  59", "", true},
      {"", "", false},
      {"garbage\x01\x02 Kernel Module 1.2", "", false},
  };
  for (const auto& row : rows) {
    auto r = parse_nvrm_version(row.text);
    if (*row.version == '\0') {
      EXPECT_FALSE(r.ok()) << row.text;
      continue;
    }
    ASSERT_TRUE(r.ok()) << row.text << ": " << r.error();
    EXPECT_EQ(r->version.str(), row.version);
    EXPECT_EQ(r->open, row.open) << row.text;
  }
}

TEST(Parsers, ModuleVersion) {
  const std::pair<const char*, const char*> rows[] = {
      {"535.146.02\n", "535.146.02"},         // §2 real
      {"595.71.05-aorus.14\n", "595.71.05"},  // §2 custom build: leading version kept
      {"", ""},
      {"abc\n", ""},
  };
  for (const auto& [text, want] : rows) {
    auto r = parse_module_version(text);
    if (*want == '\0') {
      EXPECT_FALSE(r.ok()) << text;
    } else {
      ASSERT_TRUE(r.ok()) << text;
      EXPECT_EQ(r->str(), want);
    }
  }
}

TEST(Parsers, GpuInformation) {
  // §3 fixture (tab-exact A10G)
  auto kv = parse_key_colon_value(
      "Model: \t\t NVIDIA A10G\nIRQ:   \t\t 42\nGPU UUID: \t "
      "GPU-82523fd8-3897-f599-d088-ccd04ae45ec1\n"
      "Bus Location: \t 0000:00:1e.0\nDevice Minor: \t 3\nGPU Excluded: \t No\n");
  EXPECT_EQ(kv["Model"], "NVIDIA A10G");
  EXPECT_EQ(kv["GPU UUID"], "GPU-82523fd8-3897-f599-d088-ccd04ae45ec1");
  EXPECT_EQ(kv["Bus Location"], "0000:00:1e.0");
  EXPECT_EQ(kv["GPU Excluded"], "No");
}

TEST(Parsers, CudnnHeader) {
  // §8: cuDNN 9 cudnn_version.h
  auto v = parse_cudnn_header(
      "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 1\n#define CUDNN_PATCHLEVEL 0\n\n"
      "#define CUDNN_VERSION (CUDNN_MAJOR * 10000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)\n");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->str(), "9.1.0");
  EXPECT_FALSE(parse_cudnn_header("#define CUDNN_MAJOR 9\n").ok());
  EXPECT_EQ(parse_define("#  define CUDA_VERSION 13000\n", "CUDA_VERSION").value_or(-1), 13000);
  EXPECT_FALSE(parse_define("#define CUDA_VERSION_X 13000\n", "CUDA_VERSION").has_value());
}

TEST(Parsers, ToolkitVersionFiles) {
  // CUDA 11.x version.txt and 12.x version.json formats (NVIDIA toolkit installs).
  EXPECT_EQ(parse_cuda_version_txt("CUDA Version 11.8.89\n")->str(), "11.8.89");
  EXPECT_EQ(parse_cuda_version_json(R"({ "cuda" : { "name" : "CUDA SDK", "version" : "12.4.1" } })")
                ->str(),
            "12.4.1");
  EXPECT_FALSE(parse_cuda_version_json("{").ok());
  EXPECT_FALSE(parse_cuda_version_txt("").ok());
}

TEST(Parsers, SoVersionSuffix) {
  const std::tuple<const char*, const char*, const char*> rows[] = {
      {"libcuda.so.535.104.05", "libcuda.so", "535.104.05"},
      {"libcuda.so.1", "libcuda.so", "1"},
      {"libcuda.so", "libcuda.so", ""},
      {"libcudart.so.12", "libcuda.so", ""},  // another library
      {"libcudnn.so.9.14.0", "libcudnn.so", "9.14.0"},
      {"libcudnn_ops.so.9.14.0", "libcudnn.so", ""},
  };
  for (const auto& [name, stem, want] : rows) {
    auto got = so_version_suffix(name, stem);
    EXPECT_EQ(got.value_or(""), want) << name;
  }
}

TEST(Parsers, VisibleDevices) {
  // CUDA_VISIBLE_DEVICES: unset = all, "" = none, a list; NVIDIA_VISIBLE_DEVICES also knows
  // all/none/void (NVIDIA Container Toolkit docs).
  EXPECT_TRUE(parse_visible_devices(std::nullopt, false).all);
  EXPECT_TRUE(parse_visible_devices("", false).none);
  EXPECT_TRUE(parse_visible_devices("void", true).none);
  EXPECT_TRUE(parse_visible_devices("none", true).none);
  EXPECT_TRUE(parse_visible_devices("all", true).all);
  auto v = parse_visible_devices("2,GPU-8e9a,,5", false);
  EXPECT_EQ(v.tokens, (std::vector<std::string>{"2", "GPU-8e9a"}));
}

TEST(Parsers, OsRelease) {
  auto kv = parse_os_release(
      "PRETTY_NAME=\"Ubuntu 24.04.3 LTS\"\nID=ubuntu\nVERSION_ID='24.04'\n# c\nbad\n");
  EXPECT_EQ(kv["PRETTY_NAME"], "Ubuntu 24.04.3 LTS");
  EXPECT_EQ(kv["ID"], "ubuntu");
  EXPECT_EQ(kv["VERSION_ID"], "24.04");
}

TEST(Parsers, GlibcBanner) {
  using namespace std::string_view_literals;
  auto bytes =
      "\x7f"
      "ELF\0\0GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\n"sv;
  EXPECT_EQ(glibc_version_from_banner(bytes).value_or(""), "2.36");
  EXPECT_FALSE(glibc_version_from_banner("nothing").has_value());
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The real /etc/ld.so.cache of the H200 container against what `ldconfig -p` said there.
TEST(Parsers, LdSoCacheMatchesLdconfig) {
  std::filesystem::path dir =
      std::filesystem::path(CUDAFIT_SOURCE_DIR) / "tests/machines/h200-container";
  ASSERT_TRUE(std::filesystem::exists(dir / "root/etc/ld.so.cache")) << dir;
  auto entries = parse_ld_so_cache(slurp(dir / "root/etc/ld.so.cache"));
  ASSERT_TRUE(entries.ok()) << entries.error();
  // outputs/ldconfig-p.txt: "520 libs found in cache", then "\tSONAME (libc6,x86-64) => PATH".
  std::vector<std::string> want;
  std::string ldconfig = slurp(dir / "outputs/ldconfig-p.txt");
  for (auto line : split_lines(ldconfig)) {
    size_t arrow = line.find(" => ");
    if (arrow == std::string_view::npos) continue;
    auto soname = split_ws(line)[0];
    want.push_back(std::string(soname) + " " + std::string(line.substr(arrow + 4)));
  }
  ASSERT_EQ(entries->size(), want.size());
  ASSERT_EQ(want.size(), 520u);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ((*entries)[i].soname + " " + (*entries)[i].path, want[i]) << "entry " << i;
    EXPECT_EQ(ld_cache_arch((*entries)[i].flags), "x86_64");
  }
  // Truncated or foreign data is an error, never a crash.
  std::string data = slurp(dir / "root/etc/ld.so.cache");
  for (size_t cut : {0ul, 10ul, 47ul, 48ul, 1000ul, data.size() - 1})
    (void)parse_ld_so_cache(std::string_view(data).substr(0, cut));
  EXPECT_FALSE(parse_ld_so_cache(std::string_view(data).substr(0, 100)).ok());
  EXPECT_FALSE(parse_ld_so_cache("ld.so-1.7.0").ok());
}

}  // namespace
}  // namespace cudafit
