// What `doctor` and `export` share: reading the machine (the same options) and diagnosing it.
#pragma once

#include <vector>

#include "cli/context.h"
#include "doctor/finding.h"
#include "envs/discover.h"
#include "probe/machine.h"
#include "report/run_stamp.h"
#include "util/result.h"

namespace CLI {
class App;
}

namespace cudafit {

struct DoctorOptions {
  EnvOptions envs;
  bool no_driver_libs = false;
  bool driver_libs = false;
  bool kernels = false;
  int timeout_ms = 2000;
};

// --env, --all-envs, --exec, --no-driver-libs, --driver-libs, --kernels, --timeout-ms.
void add_doctor_options(CLI::App& cmd, DoctorOptions& options);

struct Diagnosis {
  Machine machine;
  std::vector<Finding> findings;
};

// Reads the machine (detect + environments) and runs every check. Errors on bad options or
// when the Host or knowledge base cannot be set up.
Result<Diagnosis> diagnose_machine(CliContext& ctx, const DoctorOptions& options);

}  // namespace cudafit
