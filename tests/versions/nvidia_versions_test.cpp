// NVIDIA version numbers: drivers, CUDA, cuDNN and compute capabilities.
// Sources are named per row: NVIDIA's CUDA release notes (driver table), the CUDA driver
// API docs for cuDriverGetVersion (1000 * major + 10 * minor), cudnn_version.h's
// CUDNN_VERSION formula, nvcc's --gpu-architecture names, and PyTorch's wheel variants.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/strings.h"
#include "versions/nvidia_versions.h"

namespace cudafit {
namespace {

TEST(DriverVersion, ParsesEveryShapeNvidiaPrints) {
  struct Row {
    const char* in;
    std::vector<std::uint32_t> parts;
    int branch;
  };
  const Row rows[] = {
      {"535.104.05", {535, 104, 5}, 535},  // Linux, CUDA 12.2 U2 release notes
      {"550.54.14", {550, 54, 14}, 550},   // CUDA 12.4 GA minimum (Linux)
      {"551.61", {551, 61}, 551},          // CUDA 12.4 GA minimum (Windows)
      {"470.82", {470, 82}, 470},          // two-part Linux driver (470.82.01's short form)
      {"580.65.06", {580, 65, 6}, 580},    // the reference H200 machine (shared/reference/machines)
      {" 525.60.13\n", {525, 60, 13}, 525},  // /sys/module/nvidia/version ends with a newline
  };
  for (const Row& r : rows) {
    auto d = DriverVersion::parse(r.in);
    ASSERT_TRUE(d.ok()) << r.in << ": " << d.error();
    EXPECT_EQ(d->parts(), r.parts) << r.in;
    EXPECT_EQ(d->branch(), r.branch) << r.in;
  }
  // Leading zeros are kept for printing.
  EXPECT_EQ(DriverVersion::parse("535.104.05")->str(), "535.104.05");
}

TEST(DriverVersion, ComparesNumerically) {
  // Increasing; several pairs compare the other way as strings.
  const char* ordered[] = {"384.81",     "418.39",    "450.80.02", "470.82",
                           "470.82.01",  "525.60.13", "535.54.03", "535.104.05",
                           "535.129.03", "550.54.14", "551.61",    "580.65.06"};
  for (size_t i = 0; i + 1 < std::size(ordered); ++i) {
    auto a = DriverVersion::parse(ordered[i]);
    auto b = DriverVersion::parse(ordered[i + 1]);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_LT(*a, *b) << ordered[i] << " < " << ordered[i + 1];
  }
  EXPECT_EQ(*DriverVersion::parse("535.104.05"), *DriverVersion::parse("535.104.5"));
  EXPECT_EQ(*DriverVersion::parse("470.82"), *DriverVersion::parse("470.82.00"));
}

TEST(DriverVersion, RejectsGarbage) {
  const char* rows[] = {
      "",    "535",         "535.",   ".104",     "535..05",       "535.104.05.1.2",
      "abc", "535.104.05a", "-535.1", "535 .104", "99999999999.1", "535,104"};
  for (const char* s : rows) {
    auto d = DriverVersion::parse(s);
    EXPECT_FALSE(d.ok()) << "'" << s << "'";
    if (!d.ok()) {
      EXPECT_NE(d.error().find("driver"), std::string::npos);
    }
  }
}

// Driver branches as users write them ("you have driver 535", NVIDIA's "R535", "535.xx").
TEST(DriverBranch, ParsesBareBranchesOnly) {
  struct Row {
    const char* in;
    int branch;  // 0: an error
  } rows[] = {
      {"535", 535},   {"R535", 535}, {"r570", 570},     {" 580 ", 580}, {"535.xx", 535},
      {"470.x", 470}, {"96", 96},    {"1000", 1000},    {"", 0},        {"R", 0},
      {"5", 0},       {"12345", 0},  {"535.104.05", 0}, {"535.54", 0},  {"abc", 0},
      {"0", 0},       {"-535", 0},   {"R535x", 0},
  };
  for (const auto& r : rows) {
    auto b = parse_driver_branch(r.in);
    if (r.branch == 0) {
      EXPECT_FALSE(b.ok()) << "'" << r.in << "' parsed as " << b.value();
      if (!b.ok()) {
        EXPECT_NE(b.error().find("expected like 535"), std::string::npos) << b.error();
      }
    } else {
      ASSERT_TRUE(b.ok()) << r.in << ": " << b.error();
      EXPECT_EQ(*b, r.branch) << r.in;
    }
  }
}

TEST(CudaVersion, ParsesTextIntegersAndVariants) {
  struct Row {
    const char* in;
    int major, minor, patch;
    const char* str;
  };
  const Row text[] = {
      {"12.4", 12, 4, -1, "12.4"},          {"12.4.1", 12, 4, 1, "12.4.1"},
      {"13.0", 13, 0, -1, "13.0"},          {"9.2", 9, 2, -1, "9.2"},
      {"11.8.0", 11, 8, 0, "11.8.0"},       {" 12.1 ", 12, 1, -1, "12.1"},
      {"12.4.131", 12, 4, 131, "12.4.131"},  // nvcc --version's build number
  };
  for (const Row& r : text) {
    auto c = CudaVersion::parse(r.in);
    ASSERT_TRUE(c.ok()) << r.in << ": " << c.error();
    EXPECT_EQ(c->major(), r.major) << r.in;
    EXPECT_EQ(c->minor(), r.minor) << r.in;
    EXPECT_EQ(c->patch(), r.patch) << r.in;
    EXPECT_EQ(c->str(), r.str) << r.in;
  }
  // cuDriverGetVersion: 1000 * major + 10 * minor (CUDA Driver API, "Version Management").
  struct IntRow {
    long long in;
    const char* str;
  };
  const IntRow ints[] = {{12040, "12.4"}, {13000, "13.0"}, {11080, "11.8"},
                         {9020, "9.2"},   {12090, "12.9"}, {10010, "10.1"}};
  for (const IntRow& r : ints) {
    auto c = CudaVersion::from_int(r.in);
    ASSERT_TRUE(c.ok()) << r.in;
    EXPECT_EQ(c->str(), r.str) << r.in;
    EXPECT_EQ(c->to_int(), r.in) << r.in;
  }
  // PyTorch wheel variants (download.pytorch.org/whl/<variant>): the last digit is the minor.
  struct VariantRow {
    const char* in;
    const char* str;
  };
  const VariantRow variants[] = {{"cu121", "12.1"}, {"cu92", "9.2"}, {"cu100", "10.0"},
                                 {"cu130", "13.0"}, {"cu80", "8.0"}, {"CU118", "11.8"},
                                 {"cu128", "12.8"}};
  for (const VariantRow& r : variants) {
    auto c = CudaVersion::from_variant(r.in);
    ASSERT_TRUE(c.ok()) << r.in;
    EXPECT_EQ(c->str(), r.str) << r.in;
    EXPECT_EQ(c->variant(), to_lower(r.in)) << r.in;
  }
}

TEST(CudaVersion, RejectsGarbage) {
  for (const char* s : {"", "12", "12.", "x.y", "12.4.1.2", "-12.4", "0.9", "12.4a", "cu121"})
    EXPECT_FALSE(CudaVersion::parse(s).ok()) << "'" << s << "'";
  for (long long v : {0LL, -12040LL, 999LL, 100000LL})
    EXPECT_FALSE(CudaVersion::from_int(v).ok()) << v;
  for (const char* s : {"", "cu", "cu1", "cu1210", "cpu", "rocm6.1", "cu12a", "cu012", "12.1"})
    EXPECT_FALSE(CudaVersion::from_variant(s).ok()) << "'" << s << "'";
}

TEST(CudaVersion, OrdersNumerically) {
  EXPECT_LT(CudaVersion(9, 2), CudaVersion(10, 0));  // "9.2" > "10.0" as strings
  EXPECT_LT(CudaVersion(12, 4), CudaVersion(12, 4, 1));
  EXPECT_EQ(CudaVersion(12, 4), CudaVersion(12, 4, 0));
  EXPECT_LT(CudaVersion(12, 9, 1), CudaVersion(13, 0));
  EXPECT_EQ(CudaVersion(12, 4, 1).major_minor(), "12.4");
  EXPECT_EQ(CudaVersion(12, 4, 1).major_minor_only(), CudaVersion(12, 4));
}

TEST(CudnnVersion, ParsesTextAndBothIntegerEncodings) {
  struct Row {
    const char* in;
    int major, minor, patch, build;
  };
  const Row text[] = {
      {"8.9.2.26", 8, 9, 2, 26},  // nvidia-cudnn-cu12==8.9.2.26 (torch 2.1-2.3 METADATA)
      {"9.1.0.70", 9, 1, 0, 70},  // nvidia-cudnn-cu12==9.1.0.70 (torch 2.4)
      {"9.1.0", 9, 1, 0, -1},
      {"8.5", 8, 5, 0, -1},
  };
  for (const Row& r : text) {
    auto c = CudnnVersion::parse(r.in);
    ASSERT_TRUE(c.ok()) << r.in << ": " << c.error();
    EXPECT_EQ(c->major(), r.major);
    EXPECT_EQ(c->minor(), r.minor);
    EXPECT_EQ(c->patch(), r.patch);
    EXPECT_EQ(c->build(), r.build);
  }
  EXPECT_EQ(CudnnVersion::parse("8.9.2.26")->str(), "8.9.2.26");
  // CUDNN_VERSION (torch.backends.cudnn.version()): cuDNN <= 8 major*1000+minor*100+patch,
  // cuDNN >= 9 major*10000+minor*100+patch (cudnn_version.h of each release).
  struct IntRow {
    long long in;
    const char* str;
  };
  const IntRow ints[] = {{8902, "8.9.2"},   {90100, "9.1.0"}, {7605, "7.6.5"}, {8700, "8.7.0"},
                         {91002, "9.10.2"}, {90300, "9.3.0"}, {5110, "5.1.10"}};
  for (const IntRow& r : ints) {
    auto c = CudnnVersion::from_int(r.in);
    ASSERT_TRUE(c.ok()) << r.in;
    EXPECT_EQ(c->str(), r.str) << r.in;
  }
  for (long long v : {0LL, -8902LL, 999LL, 9000LL, 89999LL, 1000000LL})
    EXPECT_FALSE(CudnnVersion::from_int(v).ok()) << v;
  for (const char* s : {"", "8", "8.9.2.26.1", "v8.9", "8.9.x", "0.1"})
    EXPECT_FALSE(CudnnVersion::parse(s).ok()) << "'" << s << "'";
}

TEST(CudnnVersion, OrdersNumerically) {
  auto p = [](const char* s) { return CudnnVersion::parse(s).value(); };
  EXPECT_LT(p("8.9.2.26"), p("9.1.0.70"));
  EXPECT_LT(p("8.9.2"), p("8.9.2.26"));
  EXPECT_LT(p("9.1.0"), p("9.10.2"));  // "9.10" < "9.1" as strings
  EXPECT_EQ(p("9.1.0"), CudnnVersion::from_int(90100).value());
}

TEST(ComputeCapability, ParsesEveryNvccSpelling) {
  using V = ComputeCapability::Variant;
  struct Row {
    const char* in;
    int major, minor;
    V variant;
    const char* str;
    const char* sm;
  };
  const Row rows[] = {
      {"8.6", 8, 6, V::kPlain, "8.6", "sm_86"},            // RTX 30xx (CUDA GPUs table)
      {"sm_86", 8, 6, V::kPlain, "8.6", "sm_86"},          // nvcc -arch=sm_86
      {"compute_90", 9, 0, V::kPlain, "9.0", "sm_90"},     // nvcc virtual arch
      {"9.0a", 9, 0, V::kArchSpecific, "9.0a", "sm_90a"},  // TORCH_CUDA_ARCH_LIST "9.0a"
      {"sm_90a", 9, 0, V::kArchSpecific, "9.0a", "sm_90a"},
      {"sm_100f", 10, 0, V::kFamily, "10.0f", "sm_100f"},  // CUDA 12.9 family targets
      {"10.0f", 10, 0, V::kFamily, "10.0f", "sm_100f"},
      {"12.0", 12, 0, V::kPlain, "12.0", "sm_120"},  // RTX 50xx
      {"sm_120", 12, 0, V::kPlain, "12.0", "sm_120"},
      {"120", 12, 0, V::kPlain, "12.0", "sm_120"},  // CMAKE_CUDA_ARCHITECTURES form
      {"86", 8, 6, V::kPlain, "8.6", "sm_86"},
      {"3.5", 3, 5, V::kPlain, "3.5", "sm_35"},
      {" SM_90A ", 9, 0, V::kArchSpecific, "9.0a", "sm_90a"},
      {"compute_121f", 12, 1, V::kFamily, "12.1f", "sm_121f"},
  };
  for (const Row& r : rows) {
    auto c = ComputeCapability::parse(r.in);
    ASSERT_TRUE(c.ok()) << r.in << ": " << c.error();
    EXPECT_EQ(c->major(), r.major) << r.in;
    EXPECT_EQ(c->minor(), r.minor) << r.in;
    EXPECT_EQ(c->variant(), r.variant) << r.in;
    EXPECT_EQ(c->str(), r.str) << r.in;
    EXPECT_EQ(c->sm(), r.sm) << r.in;
  }
  EXPECT_EQ(ComputeCapability::parse("9.0a")->compute(), "compute_90a");
  EXPECT_EQ(ComputeCapability::parse("sm_90a")->plain(), ComputeCapability(9, 0));
}

TEST(ComputeCapability, RejectsGarbage) {
  const char* rows[] = {"",     "sm_",       "8.",      "x.y",  "-8.6",  "sm_-86",
                        "8.-6", "1000",      "sm_1000", "8.66", "6",     "sm_8",
                        "0.0",  "08.6",      "sm_8.6",  "8.6b", "8.6aa", "compute_",
                        "a",    "sm_86+PTX", "8,6",     "123.4"};
  for (const char* s : rows) {
    auto c = ComputeCapability::parse(s);
    EXPECT_FALSE(c.ok()) << "'" << s << "' parsed as " << c->str();
    if (!c.ok()) {
      EXPECT_NE(c.error().find("compute capability"), std::string::npos);
    }
  }
}

TEST(ComputeCapability, OrdersNumerically) {
  auto p = [](const char* s) { return ComputeCapability::parse(s).value(); };
  EXPECT_LT(p("8.6"), p("8.9"));
  EXPECT_LT(p("9.0"), p("10.0"));  // "10.0" < "9.0" as strings
  EXPECT_LT(p("9.0"), p("9.0a"));  // plain < a < f
  EXPECT_LT(p("10.0a"), p("10.0f"));
  EXPECT_LT(p("10.0f"), p("10.3"));
  EXPECT_LT(p("sm_90a"), p("sm_100"));
  EXPECT_EQ(p("sm_86"), p("8.6"));
  EXPECT_NE(p("9.0"), p("9.0a"));
}

}  // namespace
}  // namespace cudafit
