// `cudafit check`: placeholder until its issue lands.
#include <CLI/CLI.hpp>

#include "cli/cli.h"
#include "cli/context.h"

namespace cudafit {

void add_check_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("check", "(not implemented yet)");
  cmd->callback([&ctx]() { ctx.usage_error("'check' is not implemented yet"); });
}

}  // namespace cudafit
