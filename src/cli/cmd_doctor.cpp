// `cudafit doctor`: what this machine has, what is broken or will break, and the exact fix.
// It never changes anything; exit 0 no errors, 1 errors found, 2 bad arguments.
#include <CLI/CLI.hpp>

#include "cli/cli.h"
#include "cli/context.h"
#include "cli/gather.h"
#include "doctor/doctor.h"
#include "doctor/kernels.h"
#include "doctor/render.h"
#include "report/machine_json.h"
#include "util/json_text.h"

namespace cudafit {
namespace {

struct DoctorArgs {
  EnvOptions envs;
  bool json = false;
  bool no_driver_libs = false;
  bool driver_libs = false;
  bool kernels = false;
  int timeout_ms = 2000;
};

void run_doctor(CliContext& ctx, DoctorArgs& args) {
  if (args.no_driver_libs && args.driver_libs)
    return ctx.usage_error("--no-driver-libs and --driver-libs exclude each other");
  DetectOptions detect;
  if (args.no_driver_libs) detect.driver_libs = DetectOptions::DriverLibs::kNever;
  if (args.driver_libs) detect.driver_libs = DetectOptions::DriverLibs::kAlways;
  detect.exec = args.envs.exec;
  detect.timeout_ms = args.timeout_ms;
  auto machine = gather_machine(ctx, detect, args.envs);
  if (!machine) return ctx.usage_error(machine.error());
  auto kb = ctx.kb();
  if (!kb) return ctx.usage_error(kb.error());
  DoctorInput input{*machine, **kb, {}};
  if (auto host = ctx.host()) {
    KernelCache cache = KernelCache::load(**host, KernelCache::default_path(**host));
    input.kernels = scan_package_kernels(**host, *machine, **kb, {args.kernels, &cache});
    (void)cache.save(**host);  // a cache that cannot be written only costs time next run
  }
  const std::vector<Finding> findings = diagnose(input);
  if (args.json) {
    nlohmann::json report = machine_to_json(*machine);
    report["findings"] = findings_to_json(findings);
    ctx.out << json_text(report) << "\n";
  } else {
    ctx.out << render_doctor_text(*machine, findings, ctx.use_color());
  }
  ctx.exit_code = count_findings(findings).errors > 0 ? kExitProblem : kExitOk;
}

}  // namespace

void add_doctor_command(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<DoctorArgs>();
  auto* cmd = app.add_subcommand(
      "doctor", "Find what is broken or will break in the GPU stack, and print the fix");
  if (!ctx.command_named(cmd->get_name())) return;  // listed for help only
  cmd->add_flag("--json", args->json, "Print the detect report plus `findings` as JSON");
  cmd->add_option(
      "--env", args->envs.env_paths,
      "An environment to check: a prefix, a site-packages folder or an interpreter (repeatable)");
  cmd->add_flag("--all-envs", args->envs.all_envs,
                "Check every environment found (conda, pyenv, uv, pipx, poetry, user sites)");
  cmd->add_flag("--exec", args->envs.exec,
                "Also run nvidia-smi and each interpreter (import torch) under a timeout");
  cmd->add_flag("--no-driver-libs", args->no_driver_libs, "Never load libnvidia-ml / libcuda");
  cmd->add_flag("--driver-libs", args->driver_libs,
                "Always ask libnvidia-ml / libcuda, in a child process");
  cmd->add_flag("--kernels", args->kernels,
                "Also read torch's GPU code from its binaries (other packages' always are) and "
                "walk the folders of GPU packages without a RECORD");
  cmd->add_option("--timeout-ms", args->timeout_ms, "Time limit for driver libraries and commands")
      ->check(CLI::Range(1, 600000));
  cmd->callback([&ctx, args]() { run_doctor(ctx, *args); });
}

}  // namespace cudafit
