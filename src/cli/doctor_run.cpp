#include "cli/doctor_run.h"

#include <CLI/CLI.hpp>

#include "cli/gather.h"
#include "doctor/doctor.h"
#include "doctor/kernels.h"

namespace cudafit {

void add_doctor_options(CLI::App& cmd, DoctorOptions& o) {
  cmd.add_option(
      "--env", o.envs.env_paths,
      "An environment to check: a prefix, a site-packages folder or an interpreter (repeatable)");
  cmd.add_flag("--all-envs", o.envs.all_envs,
               "Check every environment found (conda, pyenv, uv, pipx, poetry, user sites)");
  cmd.add_flag("--exec", o.envs.exec,
               "Also run nvidia-smi and each interpreter (import torch) under a timeout");
  cmd.add_flag("--no-driver-libs", o.no_driver_libs, "Never load libnvidia-ml / libcuda");
  cmd.add_flag("--driver-libs", o.driver_libs,
               "Always ask libnvidia-ml / libcuda, in a child process");
  cmd.add_flag("--kernels", o.kernels,
               "Also read torch's GPU code from its binaries (other packages' always are) and "
               "walk the folders of GPU packages without a RECORD");
  cmd.add_option("--timeout-ms", o.timeout_ms, "Time limit for driver libraries and commands")
      ->check(CLI::Range(1, 600000));
}

Result<Diagnosis> diagnose_machine(CliContext& ctx, const DoctorOptions& o) {
  if (o.no_driver_libs && o.driver_libs)
    return make_error("--no-driver-libs and --driver-libs exclude each other");
  DetectOptions detect;
  if (o.no_driver_libs) detect.driver_libs = DetectOptions::DriverLibs::kNever;
  if (o.driver_libs) detect.driver_libs = DetectOptions::DriverLibs::kAlways;
  detect.exec = o.envs.exec;
  detect.timeout_ms = o.timeout_ms;
  // The kernel cache's stamps are taken beside detection (on a second CPU where there is one).
  std::optional<KernelCache> cache;
  if (auto host = ctx.host()) {
    cache.emplace(KernelCache::load(**host, KernelCache::default_path(**host)));
    cache->prefetch_stamps(**host);
  }
  auto machine = gather_machine(ctx, detect, o.envs);
  if (!machine) return make_error(machine.error());
  auto kb = ctx.kb();
  if (!kb) return make_error(kb.error());
  Diagnosis d{std::move(machine).value(), {}};
  DoctorInput input{d.machine, **kb, {}};
  if (auto host = ctx.host(); host && cache) {
    input.kernels = scan_package_kernels(**host, d.machine, **kb, {o.kernels, &*cache});
    (void)cache->save(**host);  // a cache that cannot be written only costs time next run
  }
  d.findings = diagnose(input);
  return d;
}

}  // namespace cudafit
