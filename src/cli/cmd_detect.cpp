// `cudafit detect`: the machine's GPU stack, from files (driver libraries only when needed).
#include <CLI/CLI.hpp>

#include "cli/cli.h"
#include "cli/context.h"
#include "cli/gather.h"
#include "probe/detect.h"
#include "report/environment_json.h"
#include "report/machine_json.h"
#include "report/run_stamp.h"
#include "util/json_text.h"

namespace cudafit {

namespace {

struct DetectArgs {
  bool json = false;
  bool no_driver_libs = false;
  bool driver_libs = false;
  bool exec = false;
  int timeout_ms = 2000;
  bool show_reads = false;
  std::vector<std::string> env_paths;
  bool all_envs = false;
};

void run_detect(CliContext& ctx, const DetectArgs& args) {
  RunClock clock;
  if (args.no_driver_libs && args.driver_libs) {
    ctx.usage_error("--no-driver-libs and --driver-libs exclude each other");
    return;
  }
  DetectOptions options;
  if (args.no_driver_libs) options.driver_libs = DetectOptions::DriverLibs::kNever;
  if (args.driver_libs) options.driver_libs = DetectOptions::DriverLibs::kAlways;
  options.exec = args.exec;
  options.timeout_ms = args.timeout_ms;
  EnvOptions env_options;
  env_options.env_paths = args.env_paths;
  env_options.all_envs = args.all_envs;
  env_options.exec = args.exec;
  auto gathered = gather_machine(ctx, options, env_options);
  if (!gathered) {
    ctx.usage_error(gathered.error());
    return;
  }
  const Machine& machine = *gathered;
  if (args.json) {
    nlohmann::json report = machine_to_json(machine);
    report["run"] = run_to_json(clock.finish());
    ctx.out << json_text(report) << "\n";
  } else {
    ctx.out << machine_to_text(machine);
    if (!machine.environments.empty())
      ctx.out << "\n" << render_environments_text(machine.environments);
  }
  if (args.show_reads) {
    auto host = ctx.host();
    if (host) ctx.err << "cudafit: files and folders read: " << (*host)->reads() << "\n";
  }
  ctx.exit_code = kExitOk;
}

}  // namespace

void add_detect_command(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<DetectArgs>();
  auto* cmd =
      app.add_subcommand("detect", "Read the machine's driver, GPUs, CUDA toolkits and cuDNN");
  if (!ctx.command_named(cmd->get_name())) return;  // listed for help only
  cmd->add_flag("--json", args->json, "Print the report as JSON (schema: docs/detect-schema.md)");
  cmd->add_flag("--no-driver-libs", args->no_driver_libs, "Never load libnvidia-ml / libcuda");
  cmd->add_flag("--driver-libs", args->driver_libs,
                "Always ask libnvidia-ml / libcuda (memory, UUID, MIG), in a child process");
  cmd->add_flag("--exec", args->exec,
                "Also run nvidia-smi and each environment's Python (with time limits)");
  cmd->add_option("--env", args->env_paths,
                  "A Python environment or interpreter to read as well (repeatable)");
  cmd->add_flag("--all-envs", args->all_envs,
                "Search every known place for Python environments (conda, pyenv, uv, ...)");
  cmd->add_option("--timeout-ms", args->timeout_ms, "Time limit for driver libraries and commands")
      ->check(CLI::Range(1, 600000));
  // Benchmarks: print how many files and folders were read (each should be read once).
  cmd->add_flag("--count-reads", args->show_reads)->group("");
  cmd->callback([&ctx, args]() { run_detect(ctx, *args); });
}

}  // namespace cudafit
