// `cudafit envs`: the Python environments and their GPU packages, read from files.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>

#include "cli/cli.h"
#include "cli/context.h"
#include "envs/discover.h"
#include "report/environment_json.h"

namespace cudafit {

namespace {

// The process's working directory as a path on the described machine ("" when it lies
// outside --root).
std::string machine_cwd(const std::string& root) {
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof buf) == nullptr) return {};
  std::string cwd = buf;
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  if (r.empty() || r == "/") return cwd;
  if (cwd == r) return "/";
  if (cwd.rfind(r + "/", 0) == 0) return cwd.substr(r.size());
  return {};
}

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
    args->options.cwd = machine_cwd(ctx.root);
    std::vector<Environment> envs = discover_environments(**host, args->options);
    if (args->json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& e : envs) arr.push_back(environment_to_json(e));
      ctx.out << arr.dump(2) << "\n";
    } else {
      ctx.out << render_environments_text(envs);
    }
    ctx.exit_code = kExitOk;
  });
}

}  // namespace cudafit
