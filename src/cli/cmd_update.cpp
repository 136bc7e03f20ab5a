// `cudafit update [--dry-run] [--deep] [--index-url URL] [--pytorch-url URL] [--offline]`:
// parses the options, opens libcurl (update/http.h), runs update/update.h and prints its diff.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/cli.h"
#include "cli/context.h"
#include "kb/overlay.h"
#include "report/table.h"
#include "update/http.h"
#include "update/update.h"

namespace cudafit {

namespace {

inline constexpr int kExitOffline = 3;

struct UpdateArgs {
  bool dry_run = false, deep = false, offline = false;
  std::string index_url, pytorch_url, format = "text";
};

std::string kbytes(std::uint64_t b) {
  if (b < 1024) return std::to_string(b) + " B";
  if (b < (10u << 20)) return std::to_string((b + 512) >> 10) + " KB";
  return std::to_string((b + (1u << 19)) >> 20) + " MB";
}

void print_report(CliContext& ctx, const UpdateReport& r, const UpdateArgs& a, Format format) {
  int added = 0, filled = 0, conflicts = 0, kept = 0;
  for (const auto& d : r.diff) {
    added += d.change == "new";
    filled += d.change == "fills";
    conflicts += d.change == "conflict";
    kept += d.change == "kept";
  }
  Table t;
  t.title = "cudafit update" + std::string(a.dry_run ? " --dry-run" : "") + ": " +
            std::to_string(added) + " new row(s), " + std::to_string(filled) +
            " filling data rows, " + std::to_string(conflicts) +
            " contradicting the data (not applied), " + std::to_string(kept) + " kept; " +
            std::to_string(r.known) + " already in the data";
  t.columns = {"file", "key", "change", "what"};
  if (format != Format::kText) t.columns.emplace_back("source");
  for (const auto& d : r.diff) {
    std::vector<std::string> row{d.file, d.key, d.change, d.detail};
    if (format != Format::kText) row.push_back(d.source);
    t.rows.push_back(std::move(row));
  }
  if (format == Format::kText && t.rows.empty()) {
    ctx.out << t.title << "\n";
  } else {
    ctx.out << render_table(t, format);
  }
  if (format != Format::kText) return;
  for (const auto& n : r.notes) ctx.out << "note: " << n << "\n";
  ctx.out << "fetched " << kbytes(r.total.bytes) << " in " << r.total.requests << " request(s)";
  if (r.total.not_modified > 0) ctx.out << " (" << r.total.not_modified << " not modified)";
  ctx.out << "\n";
  if (!r.failures.empty()) {
    ctx.out << "nothing written: a source the update needs could not be read (the overlay is as it "
               "was):\n";
    for (const auto& f : r.failures) ctx.out << "  - " << f << "\n";
  } else if (!r.write_error.empty()) {
    ctx.out << "nothing written: the overlay could not be written (" << r.write_error
            << "); the previous one is as it was\n";
  } else if (a.dry_run) {
    ctx.out << "dry run: nothing written (" << r.rows << " overlay row(s) would be in "
            << r.overlay_dir << ")\n";
  } else if (r.unchanged) {
    ctx.out << "nothing new: the overlay in " << r.overlay_dir << " already says this (" << r.rows
            << " row(s))\n";
  } else if (r.written) {
    ctx.out << "wrote " << r.rows << " row(s) to " << r.overlay_dir
            << " (every command reads them over the built-in data; --no-overlay leaves them out)\n";
  }
}

void run_update_command(CliContext& ctx, const UpdateArgs& a) {
  auto format = parse_format(a.format);
  if (!format) {
    ctx.usage_error("--format: " + format.error());
    return;
  }
  auto host = ctx.host();
  if (!host) {
    ctx.usage_error(host.error());
    return;
  }
  auto base = ctx.base_kb();
  if (!base) {
    ctx.usage_error(base.error());
    return;
  }
  RootedHost here("/", std::map<std::string, std::string>{});
  auto sources = read_update_sources(here, ctx.data_dir);
  if (!sources) {
    ctx.usage_error(sources.error());
    return;
  }
  UpdateOptions o;
  o.sources = *sources;
  o.index_url = a.index_url.empty() ? sources->urls["pypi"] : a.index_url;
  o.pytorch_url = a.pytorch_url.empty() ? sources->urls["pytorch"] : a.pytorch_url;
  o.release_notes_url = sources->urls["cuda-release-notes"];
  o.dry_run = a.dry_run;
  o.deep = a.deep;
  o.offline = a.offline;
  o.overlay_dir = overlay_dir_for(**host);
  o.cache_dir = update_cache_dir_for(**host);
  o.version = CUDAFIT_VERSION;
  if (o.overlay_dir.empty()) {
    ctx.usage_error("cannot tell where the overlay goes: neither XDG_DATA_HOME nor HOME is set");
    return;
  }
  // One line per source on a terminal, rewritten while it is read.
  const bool tty = &ctx.err == &std::cerr && isatty(STDERR_FILENO);
  if (tty) {
    o.progress = [&ctx](const std::string& line) {
      bool running = line.size() >= 4 && line.compare(line.size() - 4, 4, " ...") == 0;
      ctx.err << "\r\033[K" << line << (running ? "" : "\n") << std::flush;
    };
  }
  std::unique_ptr<HttpClient> http;
  if (!a.offline) {
    HttpSettings settings;
    settings.env = (*host)->env_all();
    settings.user_agent = std::string("cudafit/") + CUDAFIT_VERSION;
    auto client = open_curl_client(settings);
    if (!client) {
      ctx.err << "cudafit update: " << client.error() << "\n";
      ctx.exit_code = kExitProblem;
      return;
    }
    http = std::move(client).value();
  }
  UpdateReport r = run_update(**base, o, http.get(), here);
  if (tty) ctx.err << "\r\033[K" << std::flush;
  if (r.exit_code == kExitOffline) {
    ctx.err << r.offline << "\n";
    ctx.exit_code = kExitOffline;
    return;
  }
  print_report(ctx, r, a, *format);
  ctx.exit_code = r.exit_code;
}

}  // namespace

void add_update_command(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<UpdateArgs>();
  auto* cmd = app.add_subcommand(
      "update",
      "Bring the knowledge base up to date: new torch, CUDA and framework releases, "
      "written as an overlay over the built-in data");
  if (!ctx.command_named(cmd->get_name())) return;  // listed for help only
  cmd->add_flag("--dry-run", args->dry_run, "Print what would change; write nothing");
  cmd->add_flag("--deep", args->deep,
                "Read new CUDA variants' arch lists from their wheels' CUDA library (hundreds of "
                "MB each) instead of assuming the previous release's");
  cmd->add_option("--index-url", args->index_url,
                  "The package index (PEP 691/503 simple API), as pip's --index-url");
  cmd->add_option("--pytorch-url", args->pytorch_url,
                  "PyTorch's wheel index (its {url}/{variant}/torch/ pages)");
  cmd->add_flag("--offline", args->offline,
                "No network: rebuild the overlay from the answers cached by earlier updates");
  cmd->add_option("--format", args->format, "text (default), markdown, csv or json");
  cmd->callback([&ctx, args]() { run_update_command(ctx, *args); });
}

}  // namespace cudafit
