#include "cli/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/context.h"
#include "kb/kb.h"
#include "util/cached_host.h"

namespace cudafit {

namespace {

// --env-file and --data name files of *this* machine: relative to the working directory.
std::string path_here(const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  char cwd[4096];
  return getcwd(cwd, sizeof cwd) != nullptr ? path_join(cwd, path) : path;
}

}  // namespace

Result<const Host*> CliContext::host() {
  if (host_) return static_cast<const Host*>(host_.get());
  std::optional<std::map<std::string, std::string>> env = env_override;
  if (!env_file.empty()) {
    // The env file is a file of *this* machine, not of the described one.
    RootedHost here("/", std::map<std::string, std::string>{});
    auto text = here.read_file(path_here(env_file));
    if (!text) return make_error("--env-file: " + text.error());
    env = parse_env_dump(*text);
  }
  machine_ = std::make_unique<RootedHost>(root, std::move(env));
  host_ = std::make_unique<CachedHost>(*machine_);
  return static_cast<const Host*>(host_.get());
}

Result<std::shared_ptr<const KnowledgeBase>> CliContext::base_kb() {
  if (base_kb_) return base_kb_;
  auto loaded =
      data_dir.empty() ? KnowledgeBase::embedded() : KnowledgeBase::load_dir(path_here(data_dir));
  if (!loaded) return make_error(loaded.error());
  base_kb_ = *loaded;
  return base_kb_;
}

Result<std::shared_ptr<const KnowledgeBase>> CliContext::kb() {
  if (kb_) return kb_;
  auto base = base_kb();
  if (!base) return base;
  kb_ = *base;
  if (no_overlay) return kb_;
  auto h = host();
  if (!h) return kb_;  // the command reports the --env-file error itself
  std::string dir = overlay_dir_for(**h);
  if (dir.empty()) return kb_;
  // The overlay is this machine's own file (like --data), whatever --root describes.
  RootedHost here("/", std::map<std::string, std::string>{});
  auto overlay = read_overlay(here, dir);
  std::string damaged;
  if (!overlay) {
    damaged = overlay.error();
  } else if (*overlay) {
    auto applied = apply_overlay(kb_, **overlay);
    if (!applied) {
      damaged = applied.error();
    } else {
      kb_ = applied->kb;
      // Kept to the end of the process, as the embedded one is: freeing every parsed table at
      // exit costs half a millisecond of a command (still reachable: no leak report).
      static auto* keep = new std::vector<std::shared_ptr<const KnowledgeBase>>();
      keep->push_back(kb_);
      overlay_use_ = applied->use;
      if (!applied->use.ignored.empty())
        err << "cudafit: warning: " << applied->use.ignored.size()
            << " row(s) of the update overlay not used (the built-in data says otherwise): "
            << applied->use.ignored.front() << "\n";
    }
  }
  if (!damaged.empty())
    err << "cudafit: warning: the update overlay is damaged and not used (" << damaged
        << "); `cudafit update` writes it again, `--no-overlay` silences this\n";
  return kb_;
}

Result<std::shared_ptr<const InstallFacts>> CliContext::install_facts() {
  if (data_dir.empty()) return InstallFacts::embedded();
  RootedHost here("/", std::map<std::string, std::string>{});  // --data is a path of this machine
  return InstallFacts::load_dir(here, path_here(data_dir));
}

bool CliContext::use_color() const {
  if (&out != &std::cout || !isatty(STDOUT_FILENO)) return false;
  const char* no_color =
      getenv("NO_COLOR");  // NOLINT: the process's own terminal, not the machine's
  return no_color == nullptr || *no_color == '\0';
}

void CliContext::usage_error(const std::string& message) {
  err << "cudafit: error: " << message << "\n";
  exit_code = kExitUsage;
}

namespace {

std::string version_line(CliContext& ctx) {
  std::string line = std::string("cudafit ") + CUDAFIT_VERSION;
  auto kb = ctx.kb();
  if (!kb) return line + " (knowledge base failed to load: " + kb.error() + ")";
  const TorchRelease* torch = (*kb)->newest_torch();
  const CudaRelease* cuda = (*kb)->newest_cuda();
  line += " (knowledge base: torch up to ";
  line += torch ? torch->version.str() : std::string("?");
  line += ", CUDA up to ";
  line += cuda ? cuda->version.str() : std::string("?");
  line += ")";
  if (const auto& use = ctx.overlay_use()) {
    line += "\n  + overlay: " + std::to_string(use->rows) + " row(s) from `cudafit update` of " +
            (use->updated.empty() ? std::string("unknown date") : use->updated) + " (" + use->dir +
            "; --no-overlay leaves them out)";
    if (!use->ignored.empty())
      line += "; " + std::to_string(use->ignored.size()) + " not used (contradict the data)";
  }
  return line;
}

}  // namespace

namespace {

int run_app(CliContext& ctx, CLI::App& app, const std::vector<std::string>& args) {
  std::ostream& out = ctx.out;
  std::ostream& err = ctx.err;
  if (!args.empty()) ctx.words.insert(args.begin() + 1, args.end());
  app.require_subcommand(0, 1);
  bool show_version = false;
  app.add_flag("--version", show_version,
               "Print the version and the knowledge base's newest entries");
  app.add_option("--root", ctx.root, "Read the machine under this directory instead of /")
      ->check(CLI::ExistingDirectory);
  app.add_option("--data", ctx.data_dir, "Load the knowledge base from this directory")
      ->check(CLI::ExistingDirectory);
  app.add_option("--env-file", ctx.env_file,
                 "Take environment variables from this file of KEY=VALUE lines");
  app.add_flag("--no-overlay", ctx.no_overlay,
               "Ignore the rows `cudafit update` added: the built-in (or --data) data alone");
  app.fallthrough();

  add_matrix_command(app, ctx);
  add_install_command(app, ctx);
  add_check_command(app, ctx);
  add_detect_command(app, ctx);
  add_envs_command(app, ctx);
  add_kernels_command(app, ctx);
  add_doctor_command(app, ctx);
  add_export_command(app, ctx);
  add_fleet_command(app, ctx);
  add_update_command(app, ctx);

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  if (!reversed.empty()) reversed.pop_back();  // program name
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "cudafit: error: " << e.what() << "\n";
    return kExitUsage;
  }
  if (show_version) {
    out << version_line(ctx) << "\n";
    return kExitOk;
  }
  if (app.get_subcommands().empty()) {
    out << app.help();
    return kExitOk;
  }
  return ctx.exit_code;
}

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        std::optional<std::map<std::string, std::string>> env, bool exit_when_done) {
  CliContext ctx{out, err, std::move(env)};
  CLI::App app{"cudafit: the NVIDIA driver, CUDA, cuDNN and PyTorch stack, checked and fitted",
               "cudafit"};
  const int code = run_app(ctx, app, args);
  if (exit_when_done) {
    out.flush();
    err.flush();
    std::fflush(nullptr);
    std::_Exit(code);
  }
  return code;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
            std::optional<std::map<std::string, std::string>> env) {
  return run(args, out, err, std::move(env), false);
}

int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err,
            std::optional<std::map<std::string, std::string>> env) {
  std::vector<std::string> args(argv, argv + argc);
  return run_cli(args, out, err, std::move(env));
}

void run_cli_and_exit(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  run(args, std::cout, std::cerr, std::nullopt, true);
  std::abort();  // run() has ended the process
}

}  // namespace cudafit
