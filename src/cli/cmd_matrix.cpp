// `cudafit matrix TABLE [--torch V] [--cuda V] [--driver V] [--gpu G] [--format F]`:
// parses the options and prints report/matrix.h's table.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/cli.h"
#include "cli/context.h"
#include "report/matrix.h"

namespace cudafit {

namespace {

struct MatrixArgs {
  std::string table = "torch";
  std::string torch, cuda, driver, gpu, os = "linux", format = "text";
};

void run_matrix(CliContext& ctx, const MatrixArgs& a, CLI::App& cmd) {
  auto kb = ctx.kb();
  if (!kb) {
    ctx.usage_error(kb.error());
    return;
  }
  auto format = parse_format(a.format);
  if (!format) {
    ctx.usage_error("--format: " + format.error());
    return;
  }
  MatrixOptions o;
  o.table = a.table;
  o.format = *format;
  o.os = a.os;
  if (cmd.count("--torch")) o.torch = a.torch;
  if (cmd.count("--cuda")) o.cuda = a.cuda;
  if (cmd.count("--driver")) o.driver = a.driver;
  if (cmd.count("--gpu")) o.gpu = a.gpu;
  auto table = build_matrix(**kb, o);
  if (!table) {
    ctx.usage_error(table.error());
    return;
  }
  ctx.out << render_table(*table, *format);
  ctx.exit_code = kExitOk;
}

}  // namespace

void add_matrix_command(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<MatrixArgs>();
  auto* cmd = app.add_subcommand(
      "matrix", "Compatibility tables: torch, driver, arch, gpu, tensorflow, jax, vllm, ...");
  if (!ctx.command_named(cmd->get_name())) return;  // listed for help only
  cmd->add_option("table", args->table,
                  "torch (default), driver, arch, gpu, or a framework: tensorflow, jax, vllm, "
                  "xformers, flash-attn, triton, cupy, ...");
  cmd->add_option("--torch", args->torch, "Only these torch releases (prefix: 2.3 = 2.3.x)");
  cmd->add_option("--cuda", args->cuda, "Only this CUDA release (12.1, or 12.1.1)");
  cmd->add_option("--driver", args->driver, "Only what this NVIDIA driver runs (535.104.05)");
  cmd->add_option("--gpu", args->gpu, "Only what runs on this GPU ('RTX 3050', sm_86, 10de:2507)");
  cmd->add_option("--os", args->os, "Minimum drivers of this OS: linux (default) or windows");
  cmd->add_option("--format", args->format, "text (default), markdown, csv or json");
  cmd->callback([&ctx, args, cmd]() { run_matrix(ctx, *args, *cmd); });
}

}  // namespace cudafit
