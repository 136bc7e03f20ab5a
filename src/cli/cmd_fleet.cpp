// `cudafit fleet REPORT...`: merges many machines' `doctor --json` reports (files, folders of
// *.json / *.jsonl, or stdin as JSON lines) into one view, as text, JSON or one HTML page.
// Every input it cannot use is named once, with why; exit 0 unless every input was bad (2).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "cli/cli.h"
#include "cli/context.h"
#include "export/atomic_write.h"
#include "fleet/fleet.h"
#include "util/json_text.h"
#include "util/strings.h"

namespace cudafit {
namespace {

struct FleetArgs {
  std::vector<std::string> reports;
  bool json = false;
  std::string format = "text";
  std::string torch;
  std::string output;
};

bool report_file_name(const std::string& name) {
  return ends_with(name, ".json") || ends_with(name, ".jsonl") || ends_with(name, ".ndjson");
}

void read_file(FleetReader& reader, const Host& here, const std::string& path) {
  std::ifstream in(here.disk_path(path), std::ios::binary);
  if (!in) return reader.add_unreadable(path, "cannot be opened");
  reader.add_stream(in, path);
}

void run_fleet(CliContext& ctx, FleetArgs& a) {
  if (a.json) a.format = "json";
  auto torch = SpecifierSet::parse(a.torch);
  if (!torch) return ctx.usage_error("--torch " + a.torch + ": " + torch.error());
  auto kb = ctx.kb();
  if (!kb) return ctx.usage_error(kb.error());
  auto facts = ctx.install_facts();
  if (!facts) return ctx.usage_error(facts.error());

  // The reports are files of this machine (like --env-file), not of one under --root.
  RootedHost here("/", std::map<std::string, std::string>{});
  FleetReader reader;
  if (a.reports.empty()) a.reports.emplace_back("-");
  for (const auto& arg : a.reports) {
    if (arg == "-") {
      reader.add_stream(std::cin, "stdin");
      continue;
    }
    auto info = here.stat(arg);
    if (!info) {
      reader.add_unreadable(arg, "no such file or folder");
    } else if (info->type == FileType::kDirectory) {
      auto entries = here.list_dir(arg);
      if (!entries) {
        reader.add_unreadable(arg, entries.error());
        continue;
      }
      int found = 0;
      for (const auto& e : *entries) {
        const std::string path = path_join(arg, e.name);
        if (!report_file_name(e.name) || !here.is_file(path)) continue;
        ++found;
        read_file(reader, here, path);
      }
      if (found == 0) reader.add_unreadable(arg, "a folder with no *.json or *.jsonl file");
    } else {
      read_file(reader, here, arg);
    }
  }
  FleetData data = reader.finish();
  FleetOptions options;
  options.torch = *torch;
  const FleetSummary summary = summarize_fleet(data, **kb, **facts, options);
  std::string text;
  if (a.format == "json")
    text = json_text(fleet_json(summary)) + "\n";
  else if (a.format == "html")
    text = fleet_html(summary);
  else
    text = fleet_text(summary);
  if (a.output.empty() || a.output == "-") {
    ctx.out << text;
  } else if (Status written = write_file_atomically(a.output, text); !written) {
    return ctx.usage_error(written.error());
  }
  ctx.exit_code = data.inputs > 0 && data.bad_inputs == data.inputs ? kExitUsage : kExitOk;
  if (ctx.exit_code != kExitOk) ctx.err << "cudafit: error: no input held a usable report\n";
}

}  // namespace

void add_fleet_command(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<FleetArgs>();
  auto* cmd = app.add_subcommand(
      "fleet", "Merge many machines' `doctor --json` reports into one view (text, JSON, HTML)");
  if (!ctx.command_named(cmd->get_name())) return;  // listed for help only
  cmd->add_option("reports", a->reports,
                  "doctor --json reports: files, folders of *.json / *.jsonl, or - for stdin "
                  "(JSON lines; the default)");
  cmd->add_flag("--json", a->json, "The same as --format json");
  cmd->add_option("--format", a->format, "text, json or html (one self-contained page)")
      ->check(CLI::IsMember({"text", "json", "html"}));
  cmd->add_option("--torch", a->torch,
                  "Limit the fleet's install command to these torch releases (\">=2.6\")");
  cmd->add_option("--output,-o", a->output, "Write to this file atomically instead of stdout");
  cmd->callback([&ctx, a]() { run_fleet(ctx, *a); });
}

}  // namespace cudafit
