// `cudafit export nfd|prometheus|slurm|ansible [--output PATH]`: the machine as doctor reads
// it, in the format of an engine that runs GPU fleets; to stdout or atomically to PATH.
// Exit 0 when written (the findings are in the output, not the exit status), 2 otherwise.
#include <CLI/CLI.hpp>

#include "cli/cli.h"
#include "cli/context.h"
#include "cli/doctor_run.h"
#include "export/atomic_write.h"
#include "export/export.h"

namespace cudafit {
namespace {

struct ExportArgs {
  std::string format;
  std::string output;
  DoctorOptions options;
  NfdOptions nfd;
  SlurmOptions slurm;
};

void run_export(CliContext& ctx, ExportArgs& a) {
  RunClock clock;
  auto d = diagnose_machine(ctx, a.options);
  if (!d) return ctx.usage_error(d.error());
  auto kb = ctx.kb();
  if (!kb) return ctx.usage_error(kb.error());
  auto host = ctx.host();
  if (!host) return ctx.usage_error(host.error());
  ExportInput in{d->machine, d->findings, **kb, install_choice(**kb, **host, d->machine), {}};
  in.run = clock.finish();
  Result<std::string> text = make_error("unknown format");
  if (a.format == "nfd")
    text = nfd_features(in, a.nfd);
  else if (a.format == "prometheus")
    text = prometheus_metrics(in);
  else if (a.format == "slurm")
    text = slurm_config(in, a.slurm);
  else
    text = ansible_facts(in);
  if (!text) return ctx.usage_error(text.error());
  if (a.output.empty() || a.output == "-") {
    ctx.out << *text;
  } else if (Status written = write_file_atomically(a.output, *text); !written) {
    return ctx.usage_error(written.error());
  }
  ctx.exit_code = kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand(
      "export",
      "Write this machine's facts and findings for Kubernetes NFD, Prometheus, Slurm or Ansible");
  if (!ctx.command_named(cmd->get_name())) return;  // listed for help only
  cmd->add_option("format", a->format,
                  "nfd (NFD local feature file), prometheus (node_exporter textfile), slurm "
                  "(node features and GRES), ansible (custom facts JSON)")
      ->required()
      ->check(CLI::IsMember({"nfd", "prometheus", "slurm", "ansible"}));
  cmd->add_option("--output,-o", a->output,
                  "Write to this file atomically (temporary file in the same folder, then "
                  "rename) instead of stdout");
  add_doctor_options(*cmd, a->options);
  cmd->add_option("--prefix", a->nfd.prefix, "nfd: the label prefix (a DNS subdomain)")
      ->capture_default_str();
  cmd->add_option("--expires-in-minutes", a->nfd.expires_in_minutes,
                  "nfd: labels expire this long after the run unless rewritten (0: never)")
      ->check(CLI::Range(0, 525600));
  cmd->add_option("--node", a->slurm.node, "slurm: the NodeName (default: the hostname)");
  cmd->add_option("--gres-type", a->slurm.gres_type,
                  "slurm: the GRES type of the GPUs (default: from the GPU name)");
  cmd->callback([&ctx, a]() { run_export(ctx, *a); });
}

}  // namespace cudafit
