// `cudafit matrix`: placeholder until its issue lands.
#include <CLI/CLI.hpp>

#include "cli/cli.h"
#include "cli/context.h"

namespace cudafit {

void add_matrix_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("matrix", "(not implemented yet)");
  cmd->callback([&ctx]() { ctx.usage_error("'matrix' is not implemented yet"); });
}

}  // namespace cudafit
