// `cudafit check TARGET ...`: will each component of each target run on the machine?
#include <CLI/CLI.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/context.h"
#include "kb/images.h"
#include "plan/check.h"
#include "plan/machine_spec.h"
#include "util/json_text.h"

namespace cudafit {
namespace {

struct CheckArgs {
  std::vector<std::string> targets;
  MachineFlags machine;
  std::string driver, python, os, arch, tool, index_strategy;
  bool json = false, no_detect = false;
};

void print_item(std::ostream& out, const CheckItem& i) {
  out << to_string(i.result.verdict) << "  " << i.component;
  if (i.where != i.component) out << "  (" << i.where << ")";
  out << "\n";
  for (const auto& p : i.result.problems) out << "    problem: " << p << "\n";
  for (const auto& c : i.result.caveats) out << "    caveat: " << c << "\n";
  for (const auto& w : i.result.why) out << "    why: " << w << "\n";
  if (!i.installer.empty()) out << "    judged as: " << i.installer << "\n";
  if (!i.other.empty()) out << "    other installer: " << i.other << "\n";
  if (!i.result.needs_package.empty()) out << "    needs: " << i.result.needs_package << "\n";
  if (!i.fix.empty()) out << "    fix: " << i.fix << "\n";
}

nlohmann::json item_json(const CheckItem& i) {
  return {{"component", i.component},
          {"where", i.where},
          {"verdict", to_string(i.result.verdict)},
          {"why", i.result.why},
          {"problems", i.result.problems},
          {"caveats", i.result.caveats},
          {"needs_package", i.result.needs_package},
          {"fix", i.fix},
          {"installer", i.installer},
          {"other_installer", i.other}};
}

void run_check(CliContext& ctx, CheckArgs& a) {
  if (a.targets.empty()) return ctx.usage_error("check: give at least one TARGET");
  auto host = ctx.host();
  if (!host) return ctx.usage_error(host.error());
  auto kb = ctx.kb();
  if (!kb) return ctx.usage_error(kb.error());
  RootedHost here("/", std::map<std::string, std::string>{});  // the target files live here
  auto facts = ctx.install_facts();
  if (!facts) return ctx.usage_error(facts.error());
  if (!a.driver.empty()) a.machine.driver = a.driver;
  if (!a.python.empty()) a.machine.python = a.python;
  if (!a.os.empty()) a.machine.os = a.os;
  if (!a.arch.empty()) a.machine.arch = a.arch;
  CheckOptions options;
  if (!a.tool.empty()) {
    if (a.tool != "pip" && a.tool != "uv")
      return ctx.usage_error("--tool: expected pip or uv, got '" + a.tool + "'");
    options.tool = a.tool == "pip" ? Installer::kPip : Installer::kUv;
  }
  if (!a.index_strategy.empty()) {
    options.strategy = parse_index_strategy(a.index_strategy);
    if (!options.strategy)
      return ctx.usage_error(
          "--index-strategy: expected first-index, unsafe-first-match or "
          "unsafe-best-match, got '" +
          a.index_strategy + "'");
  }
  auto machine = target_machine(a.machine, **host, **kb, !a.no_detect);
  if (!machine) return ctx.usage_error(machine.error());
  nlohmann::json all = nlohmann::json::array();
  int code = kExitOk;
  for (const auto& t : a.targets) {
    std::string target = t;
    std::error_code ec;
    std::string abs = std::filesystem::absolute(t, ec).string();
    if (!ec && here.exists(abs)) target = abs;
    auto report = check_target(**kb, **facts, here, *machine, target, options);
    if (!report) return ctx.usage_error(report.error());
    if (report->exit_code() != 0) code = kExitProblem;
    if (a.json) {
      nlohmann::json items = nlohmann::json::array();
      for (const auto& i : report->items) items.push_back(item_json(i));
      all.push_back({{"target", t}, {"items", items}, {"notes", report->notes}});
      continue;
    }
    ctx.out << t << ":\n";
    for (const auto& i : report->items) print_item(ctx.out, i);
    for (const auto& n : report->notes) ctx.out << "  note: " << n << "\n";
  }
  if (a.json) {
    ctx.out << json_text(nlohmann::json{{"machine", describe_machine(*machine)},
                                        {"assumptions", machine->assumptions},
                                        {"targets", all},
                                        {"ok", code == kExitOk}})
            << "\n";
  } else {
    ctx.out << "machine: " << describe_machine(*machine) << "\n";
    for (const auto& s : machine->assumptions) ctx.out << "assumption: " << s << "\n";
  }
  ctx.exit_code = code;
}

}  // namespace

void add_check_command(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand(
      "check", "Will a build, requirements.txt, pyproject.toml, image or Dockerfile run here?");
  if (!ctx.command_named(cmd->get_name())) return;  // listed for help only
  cmd->add_option("TARGET", a->targets, "torch==2.3.1+cu121, a file, or an image reference");
  cmd->add_option("--driver", a->driver, "NVIDIA driver version (or 'none')");
  cmd->add_option("--gpu", a->machine.gpus,
                  "GPU: name, sm_XY, X.Y, 10de:XXXX or none (repeatable)");
  cmd->add_option("--python", a->python, "Python version, e.g. 3.11");
  cmd->add_option("--os", a->os, "linux or windows");
  cmd->add_option("--arch", a->arch, "x86_64 or aarch64");
  cmd->add_option("--tool", a->tool,
                  "Judge as pip or uv installs (default: the file's own installer)");
  cmd->add_option("--index-strategy", a->index_strategy,
                  "uv's index strategy: first-index (default), unsafe-first-match, "
                  "unsafe-best-match");
  cmd->add_flag("--json", a->json, "Print one JSON object");
  cmd->add_flag("--no-detect", a->no_detect,
                "Do not read this machine for facts the flags leave out");
  cmd->callback([&ctx, a]() { run_check(ctx, *a); });
}

}  // namespace cudafit
