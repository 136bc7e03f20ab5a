// `cudafit doctor`: placeholder until its issue lands.
#include <CLI/CLI.hpp>

#include "cli/cli.h"
#include "cli/context.h"

namespace cudafit {

void add_doctor_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("doctor", "(not implemented yet)");
  cmd->callback([&ctx]() { ctx.usage_error("'doctor' is not implemented yet"); });
}

}  // namespace cudafit
