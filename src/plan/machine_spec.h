// MachineSpec: the machine an answer is for, from command-line flags, then the override
// variables image builders use (UV_CUDA_DRIVER_VERSION, CONDA_OVERRIDE_CUDA), then what
// detection found; whatever is still missing is unknown, with the assumption said. A flag
// overrides only the fact it names. The Python is the target environment's: --env, else the
// active venv/conda env, else the first python3 on PATH (read from files, as `envs` reads it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kb/kb.h"
#include "probe/machine.h"
#include "util/host.h"
#include "util/result.h"
#include "verdict/verdict.h"

namespace cudafit {

struct MachineFlags {
  std::optional<std::string> driver;  // --driver 535.104.05, or a branch: 535 / R535
  std::vector<std::string> gpus;      // --gpu "RTX 3050" | sm_86 | 8.6 | 10de:2507 | none
  std::optional<std::string> python;  // --python 3.11
  std::optional<std::string> os;      // --os linux|windows
  std::optional<std::string> arch;    // --arch x86_64|aarch64
  std::optional<std::string> env;     // --env PATH: the environment to install into
};

// One --gpu value to a GPU (name, CC, data-center flag) using the KB. An error names the value.
Result<TargetGpu> resolve_gpu(const KnowledgeBase& kb, const std::string& text);

// Flags first, then `host`'s environment (UV_CUDA_DRIVER_VERSION, CONDA_OVERRIDE_CUDA), then
// `detected` (may be null). Errors name the flag or variable and the value.
Result<TargetMachine> resolve_machine(const MachineFlags& flags, const Host& host,
                                      const KnowledgeBase& kb, const Machine* detected);

// The environment an install goes into: `env_path` (--env; an error when it is not a Python
// environment), else the active venv/conda env (VIRTUAL_ENV, CONDA_PREFIX), else the first
// python3 on PATH; nullopt when there is none.
Result<std::optional<Environment>> target_environment(const Host& host,
                                                      const std::optional<std::string>& env_path);

// resolve_machine over what `host` shows when `detect` is set: the machine (files only, no
// driver libraries) for every fact the flags leave out, and the target environment's Python
// when --python is not given (--env is read even without `detect`: the flag names it).
Result<TargetMachine> target_machine(const MachineFlags& flags, const Host& host,
                                     const KnowledgeBase& kb, bool detect);

// One line describing the machine: "driver 535.104.05 (--driver), sm_86 (GeForce RTX 3050)...".
std::string describe_machine(const TargetMachine& m);

}  // namespace cudafit
