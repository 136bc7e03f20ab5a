// Runs cudafit in-process, as a user types it, with a given environment (empty by default:
// the test machine's own variables never leak into a result).
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace cudafit::testing {

struct CliRun {
  int code;
  std::string out, err;
};

inline CliRun run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "cudafit");
  std::ostringstream out, err;
  int code = run_cli(args, out, err, std::move(env));
  return {code, out.str(), err.str()};
}

}  // namespace cudafit::testing
