// --exec: asking an environment's interpreter what `import torch` really sees.
#pragma once

#include <string>

#include "envs/environment.h"
#include "util/host.h"

namespace cudafit {

// The script the interpreter runs (prints one JSON object).
extern const char* const kVerifyScript;

// Runs env.interpreter with kVerifyScript under `timeout_ms`, fills env.verified and adds a
// note for each disagreement with what the files said (a shadowed or broken install).
void verify_with_interpreter(const Host& host, Environment& env, int timeout_ms);

// Parses the script's output into `verified` (exposed for tests and the fuzzer).
Status parse_verify_output(const std::string& out, Environment::Verified& verified);

}  // namespace cudafit
