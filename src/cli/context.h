// CliContext: what every command shares: global options, the Host and the knowledge base
// (created on first use), the output streams and the exit code.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "kb/images.h"
#include "kb/kb.h"
#include "kb/overlay.h"
#include "util/host.h"
#include "util/result.h"

namespace CLI {
class App;
}

namespace cudafit {

struct CliContext {
  CliContext(std::ostream& o, std::ostream& e,
             std::optional<std::map<std::string, std::string>> env = std::nullopt)
      : out(o), err(e), env_override(std::move(env)) {}

  std::ostream& out;
  std::ostream& err;
  std::optional<std::map<std::string, std::string>> env_override;

  // Global options.
  std::string root = "/";
  std::string data_dir;     // --data DIR: load the knowledge base from there
  std::string env_file;     // --env-file FILE: KEY=VALUE lines replace the environment
  bool no_overlay = false;  // --no-overlay: the built-in (or --data) knowledge base alone

  int exit_code = 0;

  // The machine (rooted at --root). Errors when --env-file cannot be read.
  Result<const Host*> host();
  // The knowledge base: built in or --data, with `cudafit update`'s overlay over it unless
  // --no-overlay (a damaged overlay is reported on `err` and left out, never fatal).
  Result<std::shared_ptr<const KnowledgeBase>> kb();
  // The base alone, without the overlay (what `cudafit update` compares against).
  Result<std::shared_ptr<const KnowledgeBase>> base_kb();
  // What the overlay added (after kb()); nullopt when none was used.
  const std::optional<OverlayUse>& overlay_use() const { return overlay_use_; }
  // The install/image facts (data/images-*.csv, torch-conda.csv, ...), from the same place.
  Result<std::shared_ptr<const InstallFacts>> install_facts();
  // Colour only on a TTY and when NO_COLOR is unset.
  bool use_color() const;
  // Prints "cudafit: error: MESSAGE" and sets exit code 2.
  void usage_error(const std::string& message);
  // The words on the command line. A command builds its options only when its name is one of
  // them (the others are listed by name, for help): building every command's 60 options cost
  // a sixth of a `detect` run. A word that only looks like a command name costs nothing.
  std::set<std::string, std::less<>> words;
  bool command_named(std::string_view name) const { return words.count(name) > 0; }

 private:
  std::unique_ptr<Host> machine_;  // the RootedHost
  std::unique_ptr<Host> host_;     // a CachedHost over it, for the length of the command
  std::shared_ptr<const KnowledgeBase> kb_, base_kb_;
  std::optional<OverlayUse> overlay_use_;
};

// Each command adds itself to the app (its options only when ctx.command_named it); the
// callback runs it and sets ctx.exit_code.
void add_matrix_command(CLI::App& app, CliContext& ctx);
void add_install_command(CLI::App& app, CliContext& ctx);
void add_check_command(CLI::App& app, CliContext& ctx);
void add_detect_command(CLI::App& app, CliContext& ctx);
void add_envs_command(CLI::App& app, CliContext& ctx);
void add_kernels_command(CLI::App& app, CliContext& ctx);
void add_doctor_command(CLI::App& app, CliContext& ctx);
void add_export_command(CLI::App& app, CliContext& ctx);
void add_fleet_command(CLI::App& app, CliContext& ctx);
void add_update_command(CLI::App& app, CliContext& ctx);

}  // namespace cudafit
