// The CUDA 13.0 libraries of the build machine (/usr/local/cuda-13.0), read through the real
// filesystem. Skipped with a printed reason where they are absent.
#include <gtest/gtest.h>

#include <iostream>

#include "binary/kernel_scan.h"
#include "test_util.h"

namespace cudafit {
namespace {

struct RealLib {
  const char* path;
  // Archs in every container / the union of SASS / PTX with ISA, as read on 2026-11-25.
  // Source: NVIDIA's CUDA 13.0 release notes ("Maxwell, Pascal, and Volta ... support removed
  // in CUDA 13.0": lowest target sm_75; Blackwell family sm_100..sm_121), cross-checked with
  // /work/shared/reference/machines/README.md (libcublasLt.so.13 of the cu13 wheel: sm_75 80
  // 86 89 90 90a 100 100a 103 120 121, PTX compute_75 and compute_120 at ISA 9.0). cuobjdump is
  // not installed on this machine, so it could not be used as a second source. Where a library
  // carries more than that (sm_70 leftovers), the list records what the file holds.
  const char* sass;
  const char* ptx;
  const char* lto = "";
};

void check_lib(const RealLib& lib) {
  RootedHost host("/");
  if (!host.is_file(lib.path)) GTEST_SKIP() << lib.path << " is absent on this machine";
  auto codes = scan_file(host, lib.path);
  ASSERT_EQ(codes.size(), 1u);
  const BinaryCode& code = codes[0];
  EXPECT_EQ(code.error, "");
  EXPECT_FALSE(code.partial()) << testing::labels(code.problems);
  CodeSummary s = summarize(code);
  std::cout << lib.path << ": " << code.containers.size() << " containers, " << s.entries
            << " entries; every container: " << testing::labels(s.arch_list)
            << "; extras: " << testing::extras(s) << "\n  sass: " << testing::labels(s.sass)
            << "\n  ptx: " << testing::ptx(s) << "\n  lto: " << testing::labels(s.lto_ir) << "\n";
  EXPECT_EQ(testing::labels(s.sass), lib.sass) << lib.path;
  EXPECT_EQ(testing::ptx(s), lib.ptx) << lib.path;
  EXPECT_EQ(testing::labels(s.lto_ir), lib.lto) << lib.path;
}

class RealLibs : public ::testing::TestWithParam<RealLib> {};

TEST_P(RealLibs, ArchsAreCuda13s) { check_lib(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Cuda130, RealLibs,
    ::testing::Values(
        RealLib{"/usr/local/cuda-13.0/lib64/libcublasLt.so.13",
                "sm_75 sm_80 sm_86 sm_89 sm_90 sm_90a sm_100 sm_100a sm_100f sm_103 sm_103f "
                "sm_120 sm_120f sm_121",
                "compute_75@9.0 compute_120@9.0"},
        // cuFFT keeps nearly all kernels in .ldata; its LTO IR (kind 8) serves LTO callbacks.
        RealLib{"/usr/local/cuda-13.0/lib64/libcufft.so.12",
                "sm_75 sm_80 sm_86 sm_87 sm_89 sm_90 sm_100 sm_110 sm_120",
                "compute_75@7.0 compute_80@7.0 compute_86@7.5 compute_90@7.8", "lto_75"},
        // cuSPARSE's sm_70 SASS and compute_70/80 PTX (ISA 8.7) lie only in the 34 unregistered
        // .rodata containers of its SpMMOp kernels: relocatable cubins (ELF type 1, "toolkit=128"
        // in cuobjdump -elf of a carved copy), PTX for ptxas --compile-only and LTO IR down to
        // sm_50, which cuSPARSE links with nvJitLink. Runnable code has no Volta, as CUDA 13.
        RealLib{"/usr/local/cuda-13.0/lib64/libcusparse.so.12",
                "sm_75 sm_80 sm_86 sm_89 sm_90 sm_100 sm_103 sm_120",
                "compute_90@9.0 compute_100@9.0 compute_103@9.0 compute_120@9.0",
                "lto_50 lto_60 lto_70 lto_80 lto_90 lto_100"},
        RealLib{"/usr/local/cuda-13.0/lib64/libcurand.so.10",
                "sm_75 sm_80 sm_86 sm_89 sm_90 sm_100 sm_103 sm_120 sm_121", "compute_121@9.0"},
        RealLib{"/usr/local/cuda-13.0/lib/libnccl.so.2",
                "sm_75 sm_80 sm_90 sm_100 sm_100f sm_110 sm_120", "compute_120@9.0"},
        // Reference README: sm_70 75 80 86 90 90a 100 103 120 121, compute_121 (ISA 9.1).
        RealLib{"/usr/local/cuda-13.0/lib/libcudnn_engines_precompiled.so.9",
                "sm_70 sm_75 sm_80 sm_86 sm_90 sm_90a sm_100 sm_100a sm_100f sm_103 sm_120 "
                "sm_120f sm_121",
                "compute_121@9.1"}));

TEST(RealLibsCoverage, CurandArchListIsInEveryContainer) {
  // libcurand.so.10: the 10 registered containers carry the same SASS set and compute_121; the
  // 11th, unregistered and uncompressed, holds cubins without a .text section (read 2026-11-25).
  RootedHost host("/");
  const char* path = "/usr/local/cuda-13.0/lib64/libcurand.so.10";
  if (!host.is_file(path)) GTEST_SKIP() << path << " is absent on this machine";
  CodeSummary s = summarize(scan_file(host, path)[0]);
  EXPECT_EQ(testing::labels(s.arch_list),
            "sm_75 sm_80 sm_86 sm_89 sm_90 sm_100 sm_103 sm_120 sm_121 compute_121");
  EXPECT_EQ(testing::extras(s), "");
  EXPECT_EQ(s.role_containers[ContainerRole::kRegistered], 10u);
  EXPECT_EQ(s.role_containers[ContainerRole::kNoKernels], 1u);
}

// Where each library's containers lie and what they are for (read 2026-11-25 with cudafit and
// checked by hand: .nvFatBinSegment wrappers, ELF types of decoded cubins, cuobjdump -elf of
// carved copies; see README "kernels").
struct RoleRow {
  const char* path;
  std::size_t registered, library_loaded, link_input, no_kernels;
};

TEST(RealLibsCoverage, ContainerRoles) {
  const RoleRow rows[] = {
      // .cask_resource: 383 zstd-compressed executable cubins cuBLASLt loads itself.
      {"/usr/local/cuda-13.0/lib64/libcublasLt.so.13", 2782, 383, 0, 0},
      // No .nvFatBinSegment at all: cuFFT loads its kernels (.ldata, and one in .nv_fatbin)
      // itself; 12728 containers of LTO IR only serve its LTO callbacks through nvJitLink.
      {"/usr/local/cuda-13.0/lib64/libcufft.so.12", 0, 11256, 12728, 0},
      {"/usr/local/cuda-13.0/lib64/libcusparse.so.12", 133, 0, 34, 1},
      // __nv_relfatbin: NCCL's relocatable per-file fatbins, input to its device link.
      {"/usr/local/cuda-13.0/lib/libnccl.so.2", 16, 0, 127, 0},
      // .rodata: three uncompressed fatbins of executable cubins CUPTI loads itself.
      {"/usr/local/cuda-13.0/lib64/libcupti.so.13", 0, 3, 0, 0},
  };
  RootedHost host("/");
  for (const RoleRow& r : rows) {
    SCOPED_TRACE(r.path);
    if (!host.is_file(r.path)) {
      std::cout << r.path << " is absent on this machine: row skipped\n";
      continue;
    }
    CodeSummary s = summarize(scan_file(host, r.path)[0]);
    EXPECT_EQ(s.role_containers[ContainerRole::kRegistered], r.registered);
    EXPECT_EQ(s.role_containers[ContainerRole::kLibraryLoaded], r.library_loaded);
    EXPECT_EQ(s.role_containers[ContainerRole::kLinkInput], r.link_input);
    EXPECT_EQ(s.role_containers[ContainerRole::kNoKernels], r.no_kernels);
  }
}

}  // namespace
}  // namespace cudafit
