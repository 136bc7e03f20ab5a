// The GPU code of installed packages, read from their binaries for doctor's arch checks.
//
// By default: every package of each environment's site-packages whose arch list the knowledge
// base does not carry (custom extensions, flash-attn, xformers, bitsandbytes, vllm, ...): the
// shared libraries its dist-info RECORD lists, read for the fatbins nvcc registers (.nv_fatbin,
// __nv_relfatbin) and remembered in the KernelCache. NVIDIA's own libraries (nvidia-*, cuda-*)
// are judged by their CUDA release instead; torch by data/torch-arch-lists.csv when it has its
// build. `everything` (doctor --kernels) adds torch and the GPU packages without a RECORD (conda
// installs), whose folders are walked.
#pragma once

#include <vector>

#include "doctor/doctor.h"
#include "doctor/kernel_cache.h"
#include "util/host.h"

namespace cudafit {

struct KernelScanOptions {
  bool everything = false;
  KernelCache* cache = nullptr;  // null: read every file
};

// Files without runnable GPU code are left out.
std::vector<PackageKernels> scan_package_kernels(const Host& host, const Machine& machine,
                                                 const KnowledgeBase& kb,
                                                 const KernelScanOptions& options);

}  // namespace cudafit
