// diagnose(): turns what detect and envs learned about a machine into findings.
//
// Rules take plain inputs: the Machine (with its environments), the knowledge base, and,
// when the binary reader ran, the kernel coverage of each installed package with CUDA code.
// Every threshold (driver minimums, arch lists, companion versions) comes from the KB.
// diagnose() never changes anything and never throws.
#pragma once

#include <string>
#include <vector>

#include "doctor/finding.h"
#include "kb/kb.h"
#include "probe/machine.h"
#include "verdict/code_compat.h"

namespace cudafit {

// The GPU code one installed library carries, as the fatbin reader saw it: one entry list per
// runnable fatbin container (read_layout() tells whether each must serve a GPU, or some).
struct PackageKernels {
  std::string env_path;  // the environment's prefix (Environment::path)
  std::string package;   // "torch", "xformers"
  std::string version;   // "2.3.1+cu121"
  std::string library;   // "/opt/venv/lib/python3.11/site-packages/torch/lib/libtorch_cuda.so"
  std::vector<std::vector<CodeEntry>> containers;
};

struct DoctorInput {
  const Machine& machine;
  const KnowledgeBase& kb;
  std::vector<PackageKernels> kernels;  // what the binary reader found (doctor/kernels.h)
};

// Findings ordered by severity (errors first), then in check order.
std::vector<Finding> diagnose(const DoctorInput& input);

// Counts by severity, for the summary line and the exit status.
struct FindingCounts {
  int errors = 0, warnings = 0, infos = 0;
};
FindingCounts count_findings(const std::vector<Finding>& findings);

}  // namespace cudafit
