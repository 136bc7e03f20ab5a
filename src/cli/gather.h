// gather_machine: the whole machine report — detect_machine (driver, GPUs, toolkits, cuDNN,
// host, container) plus discover_environments — as `detect` and `doctor` print it.
#pragma once

#include "cli/context.h"
#include "envs/discover.h"
#include "probe/detect.h"
#include "probe/machine.h"
#include "util/result.h"

namespace cudafit {

// Errors only when the Host or the knowledge base cannot be set up. An empty EnvOptions::cwd
// becomes the process's working directory seen under --root.
// The process's working directory as a path on the described machine ("" when it lies
// outside --root).
std::string cwd_under_root(const std::string& root);

Result<Machine> gather_machine(CliContext& ctx, const DetectOptions& detect,
                               const EnvOptions& envs);

}  // namespace cudafit
