// `cudafit detect`: placeholder until its issue lands.
#include <CLI/CLI.hpp>

#include "cli/cli.h"
#include "cli/context.h"

namespace cudafit {

void add_detect_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("detect", "(not implemented yet)");
  cmd->callback([&ctx]() { ctx.usage_error("'detect' is not implemented yet"); });
}

}  // namespace cudafit
