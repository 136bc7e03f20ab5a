// Kernel coverage of the installed packages with CUDA code (torch, torchvision, xformers,
// flash-attn, bitsandbytes, vllm, ...), read by the fatbin reader for doctor's arch checks.
#pragma once

#include <vector>

#include "doctor/doctor.h"
#include "util/host.h"

namespace cudafit {

// Scans each environment's GPU packages' folders for fatbins (nvidia-* wheels excluded: they
// are NVIDIA's own libraries). Files without GPU code are left out.
std::vector<PackageKernels> scan_package_kernels(const Host& host, const Machine& machine);

}  // namespace cudafit
