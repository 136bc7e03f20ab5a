// Finding Python environments on a machine and reading what they hold, from files only.
//
// discover_environments() searches the places issue 7 lists (the active env, the first
// python on PATH, `.venv` in cwd and its parents, the system Python; with all_envs also conda,
// pyenv, uv/pipx/poetry, user sites, ComfyUI/A1111 folders), reads each environment
// (read_environment in read_env.h) and, with exec, runs each interpreter through host.run.
#pragma once

#include <string>
#include <vector>

#include "envs/environment.h"
#include "util/host.h"

namespace cudafit {

struct EnvOptions {
  std::vector<std::string> env_paths;  // --env: a prefix, a site-packages folder or an interpreter
  bool all_envs = false;               // --all-envs: search every known place
  bool exec = false;                   // --exec: run each interpreter (never by default)
  int timeout_ms = 10000;              // per interpreter, with exec
  std::string cwd;                     // working directory for `.venv`, ComfyUI and A1111 search
};

// Environments in discovery order, deduplicated by canonical path. Never throws; unreadable
// places become notes on the environment (or are skipped when nothing is there).
std::vector<Environment> discover_environments(const Host& host, const EnvOptions& options);

}  // namespace cudafit
