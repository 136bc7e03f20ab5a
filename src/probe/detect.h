// detect_machine: reads a machine's GPU stack (driver, GPUs, toolkits, cuDNN, host,
// container) through a Host, from files first; driver libraries are loaded only when files
// cannot answer (and never with DriverLibs::kNever), in a child process bounded by a timeout.
// Python environments are filled by envs/, not here.
#pragma once

#include "kb/kb.h"
#include "probe/machine.h"
#include "util/host.h"

namespace cudafit {

struct DetectOptions {
  // kAuto: load libnvidia-ml/libcuda only when a GPU's PCI device id is unknown to the KB.
  // kNever: never load them (`--no-driver-libs`). kAlways: always (`--driver-libs`).
  enum class DriverLibs { kAuto, kNever, kAlways };
  DriverLibs driver_libs = DriverLibs::kAuto;
  bool exec = false;      // `--exec`: may run nvidia-smi (host.run, with timeout_ms)
  int timeout_ms = 2000;  // bound for driver-library calls and commands
};

// Everything in Machine except `environments`. Never throws; unreadable or garbage files
// become unknown facts with a reason (and a line in Machine::notes).
Machine detect_machine(const Host& host, const KnowledgeBase& kb, const DetectOptions& options);

}  // namespace cudafit
