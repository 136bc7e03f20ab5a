// `cudafit doctor`: what this machine has, what is broken or will break, and the exact fix.
// It never changes anything; exit 0 no errors, 1 errors found, 2 bad arguments.
#include <CLI/CLI.hpp>

#include "cli/cli.h"
#include "cli/context.h"
#include "cli/doctor_run.h"
#include "doctor/doctor.h"
#include "doctor/render.h"
#include "report/machine_json.h"
#include "report/run_stamp.h"
#include "util/json_text.h"

namespace cudafit {
namespace {

struct DoctorArgs {
  DoctorOptions options;
  bool json = false;
};

void run_doctor(CliContext& ctx, DoctorArgs& args) {
  RunClock clock;
  auto d = diagnose_machine(ctx, args.options);
  if (!d) return ctx.usage_error(d.error());
  if (args.json) {
    nlohmann::json report = machine_to_json(d->machine);
    report["findings"] = findings_to_json(d->findings);
    report["run"] = run_to_json(clock.finish());
    ctx.out << json_text(report) << "\n";
  } else {
    ctx.out << render_doctor_text(d->machine, d->findings, ctx.use_color());
  }
  ctx.exit_code = count_findings(d->findings).errors > 0 ? kExitProblem : kExitOk;
}

}  // namespace

void add_doctor_command(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<DoctorArgs>();
  auto* cmd = app.add_subcommand(
      "doctor", "Find what is broken or will break in the GPU stack, and print the fix");
  if (!ctx.command_named(cmd->get_name())) return;  // listed for help only
  cmd->add_flag("--json", args->json, "Print the detect report plus `findings` as JSON");
  add_doctor_options(*cmd, args->options);
  cmd->callback([&ctx, args]() { run_doctor(ctx, *args); });
}

}  // namespace cudafit
