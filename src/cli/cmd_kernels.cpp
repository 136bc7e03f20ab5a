// `cudafit kernels`: placeholder until its issue lands.
#include <CLI/CLI.hpp>

#include "cli/cli.h"
#include "cli/context.h"

namespace cudafit {

void add_kernels_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("kernels", "(not implemented yet)");
  cmd->callback([&ctx]() { ctx.usage_error("'kernels' is not implemented yet"); });
}

}  // namespace cudafit
