// `cudafit envs`: the Python environments and their GPU packages, read from files.
#include <CLI/CLI.hpp>

#include "cli/cli.h"
#include "cli/context.h"
#include "cli/gather.h"
#include "envs/discover.h"
#include "report/environment_json.h"
#include "util/json_text.h"

namespace cudafit {

namespace {

struct EnvsArgs {
  EnvOptions options;
  bool json = false;
};

}  // namespace

void add_envs_command(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<EnvsArgs>();
  auto* cmd = app.add_subcommand(
      "envs",
      "List Python environments and their GPU packages (torch, nvidia-*, jax, ...), from files");
  if (!ctx.command_named(cmd->get_name())) return;  // listed for help only
  cmd->add_option(
      "--env", args->options.env_paths,
      "An environment to read: a prefix, a site-packages folder or an interpreter (repeatable)");
  cmd->add_flag("--all-envs", args->options.all_envs,
                "Search every known place (conda, pyenv, uv, pipx, poetry, user sites)");
  cmd->add_flag("--exec", args->options.exec,
                "Also run each interpreter to ask what `import torch` sees (slow)");
  cmd->add_option("--timeout-ms", args->options.timeout_ms, "Per-interpreter limit with --exec");
  cmd->add_flag("--json", args->json, "JSON output");
  cmd->callback([&ctx, args]() {
    auto host = ctx.host();
    if (!host) {
      ctx.usage_error(host.error());
      return;
    }
    args->options.cwd = cwd_under_root(ctx.root);
    std::vector<Environment> envs = discover_environments(**host, args->options);
    if (args->json) {
      // One environment at a time, formatted as the whole array would be: the document
      // for a thousand environments is never held in memory at once.
      if (envs.empty()) ctx.out << "[]\n";
      std::string text;
      for (size_t i = 0; i < envs.size(); ++i) {
        text = i == 0 ? "[\n  " : ",\n  ";
        append_json(text, environment_to_json(envs[i]), 1);
        ctx.out << text;
      }
      if (!envs.empty()) ctx.out << "\n]\n";
    } else {
      ctx.out << render_environments_text(envs);
    }
    ctx.exit_code = kExitOk;
  });
}

}  // namespace cudafit
