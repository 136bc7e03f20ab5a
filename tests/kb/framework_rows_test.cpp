// The free-text cells of frameworks.csv, read as check and doctor read them; each row is a
// cell as the data file writes it.
#include "kb/framework_rows.h"

#include <gtest/gtest.h>

namespace cudafit {
namespace {

Pep440Version v(const char* s) { return *Pep440Version::parse(s); }

TEST(FrameworkRows, VersionColumn) {
  struct Row {
    const char* cell;
    const char* version;
    bool matches;
  };
  for (const Row& r : std::vector<Row>{
           {"0.0.27", "0.0.27", true},
           {"0.0.27", "0.0.27.post1", false},  // xformers: post releases pin another torch
           {"0.0.27", "0.0.27+cu121", true},
           {"0.8.0-0.11.0", "0.11.0.post1", true},
           {"1.21-1.26", "1.26.3", true},
           {"1.21-1.26", "1.27.0", false},
           {"0.7.x", "0.7.3", true},
           {"0.50.x (docs @95f9af30)", "0.50.1", true},
           {"main 2026-06", "0.1", false},
       })
    EXPECT_EQ(framework_row_matches(r.cell, v(r.version)), r.matches) << r.cell << " " << r.version;
  EXPECT_EQ(framework_row_top("0.50.0-0.50.1")->str(), "0.50.1");
  EXPECT_FALSE(framework_row_top("0.7.x").has_value());
  EXPECT_FALSE(framework_row_top("main (2026-03-10+)").has_value());
  EXPECT_EQ(first_version_in("  >=12.1 (built with 12.3)"), "12.1");
}

TEST(FrameworkRows, TorchPinCudaBuildsCcAndArchs) {
  FrameworkRequirement row;
  row.torch = "2.3.1";
  EXPECT_EQ(framework_torch_pin(row)->str(), "==2.3.1");
  row.torch = "2.10.0 or later (torch >= 2.10)";  // frameworks.csv xformers 0.0.35
  EXPECT_EQ(framework_torch_pin(row)->str(), ">=2.10");
  row.torch = "2.10.0 (>=2.10 per stable ABI)";  // xformers 0.0.34
  EXPECT_EQ(framework_torch_pin(row)->str(), ">=2.10");
  row.torch = "";
  EXPECT_FALSE(framework_torch_pin(row).has_value());
  // bitsandbytes 0.45.0's cell: a range covers its ends.
  auto b = framework_cuda_builds("CUDA builds 11.7.1 11.8.0 12.0.1-12.6.2");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[2].lo.str(), "12.0.1");
  EXPECT_EQ(b[2].hi.str(), "12.6.2");
  EXPECT_EQ(framework_cuda_builds("11.8.0 12.2.2 (wheel tags cu118 / cu122)").size(), 2u);
  row.notes = "min CC 8.0; build needs CUDA >=11.7 (setup.py)";  // flash-attn
  EXPECT_EQ(framework_min_cc(row)->str(), "8.0");
  row.notes = "Triton kernels need CC 8.0+";  // not a minimum for the package
  row.cuda = "cu118 cu121";
  EXPECT_FALSE(framework_min_cc(row).has_value());
  row.cuda = "NVIDIA CC 6.0+ (LLM.int8 needs 7.5+)";  // bitsandbytes docs row
  EXPECT_EQ(framework_min_cc(row)->str(), "6.0");
  row.notes = "V100 and older no longer supported; TORCH_CUDA_ARCH_LIST '7.5 8.0+PTX' (+9.0a)";
  auto a = framework_arch_list(row);
  ASSERT_TRUE(a.has_value());
  ASSERT_EQ(a->sass.size(), 2u);
  ASSERT_EQ(a->ptx.size(), 1u);
  EXPECT_EQ(a->ptx[0].str(), "8.0");
}

}  // namespace
}  // namespace cudafit
