// `cudafit install [REQ ...]`: the right torch build for the machine, and the exact commands.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/context.h"
#include "kb/images.h"
#include "plan/choose.h"
#include "plan/commands.h"
#include "plan/machine_spec.h"
#include "util/json_text.h"
#include "util/strings.h"
#include "versions/requirement.h"

namespace cudafit {
namespace {

struct InstallArgs {
  std::vector<std::string> reqs;
  MachineFlags machine;
  std::string driver, python, os, arch, compat, tool = "pip", format = "text", env_path;
  bool json = false, exec = false, no_detect = false;
};

struct Request {
  SpecifierSet torch;
  std::string label = "torch";
  std::vector<std::string> companions;
  std::vector<CompanionPin> pins;  // companions asked for with a version constraint
  std::vector<std::string> extra;
  std::vector<std::string> notes;
  bool has_torch = false;
};

Result<Request> parse_request(const std::vector<std::string>& reqs) {
  Request r;
  if (reqs.empty()) {
    r.has_torch = true;
    r.companions = {"torchvision", "torchaudio"};
    return r;
  }
  std::vector<std::string> torch_specs, labels;
  for (const auto& text : reqs) {
    auto req = Requirement::parse(text);
    if (!req) return make_error("'" + text + "': " + req.error());
    std::string name = req->normalized_name();
    if (name == "torch" || name == "pytorch") {
      r.has_torch = true;
      if (!req->specifier.empty()) torch_specs.push_back(req->specifier.str());
      labels.push_back(text);
    } else if (name == "torchvision" || name == "torchaudio") {
      r.companions.push_back(name);
      r.has_torch = true;
      if (!req->specifier.empty()) {
        // The companion's pin picks the torch it was released with.
        r.pins.push_back({name, req->specifier});
        labels.push_back(text);
      }
    } else {
      r.extra.push_back(text);
      if (name == "tensorflow" || name == "jax" || name == "cupy")
        r.notes.push_back(text + ": passed through unchanged (cudafit chooses torch builds)");
    }
  }
  std::sort(r.companions.begin(), r.companions.end(),
            [](const std::string& a, const std::string& b) {
              return a == "torchvision" && b != "torchvision";
            });
  auto spec = SpecifierSet::parse(join(torch_specs, ","));
  if (!spec) return make_error(join(labels, " ") + ": " + spec.error());
  r.torch = *spec;
  if (!labels.empty()) r.label = join(labels, " ");
  return r;
}

nlohmann::json commands_json(const InstallCommands& c) {
  return {{"pip", c.pip},
          {"uv", c.uv},
          {"conda", c.conda.empty() ? nlohmann::json() : nlohmann::json(c.conda)}};
}

void print_list(std::ostream& out, const std::string& title,
                const std::vector<std::string>& items) {
  if (items.empty()) return;
  out << title << ":\n";
  for (const auto& i : items) out << "  - " << i << "\n";
}

void run_exec(CliContext& ctx, const InstallArgs& a, const Host& host, const InstallCommands& c) {
  std::string python = "python3";
  std::string prefix = a.env_path;
  if (prefix.empty())
    prefix = host.env("VIRTUAL_ENV").value_or(host.env("CONDA_PREFIX").value_or(""));
  if (!prefix.empty()) python = path_join(prefix, "bin/python");
  std::vector<std::string> argv;
  if (a.tool == "uv")
    argv = {"uv", "pip", "install", "--python", python};
  else
    argv = {python, "-m", "pip", "install"};
  for (const auto& p : c.packages) argv.push_back(p);
  for (auto w : split_ws(c.index_option)) argv.emplace_back(w);
  ctx.err << "cudafit: running: " << join(argv, " ") << "\n";
  // Streamed: an install takes minutes, and the user watches pip's progress as it comes.
  RunResult r = host.run_streaming(argv, 30 * 60 * 1000, [&](int stream, std::string_view chunk) {
    std::ostream& to = stream == 1 ? ctx.out : ctx.err;
    to << chunk;
    to.flush();
  });
  if (r.timed_out || r.exit_code != 0) {
    ctx.err << "cudafit: the install command failed (exit " << r.exit_code << ")\n";
    ctx.exit_code = kExitProblem;
  }
}

void run_install(CliContext& ctx, InstallArgs& a) {
  if (a.tool != "pip" && a.tool != "uv" && a.tool != "conda")
    return ctx.usage_error("--tool " + a.tool + ": expected pip, uv or conda");
  if (a.format != "text" && a.format != "requirements")
    return ctx.usage_error("--format " + a.format + ": expected text or requirements");
  if (a.exec && a.tool == "conda") return ctx.usage_error("--exec runs pip or uv only");
  CompatPolicy policy = CompatPolicy::kDefault;
  if (a.compat == "minor")
    policy = CompatPolicy::kMinor;
  else if (a.compat == "forward")
    policy = CompatPolicy::kForward;
  else if (!a.compat.empty())
    return ctx.usage_error("--compat " + a.compat + ": expected minor or forward");
  auto host = ctx.host();
  if (!host) return ctx.usage_error(host.error());
  auto kb = ctx.kb();
  if (!kb) return ctx.usage_error(kb.error());
  auto facts = ctx.install_facts();
  if (!facts) return ctx.usage_error(facts.error());
  auto request = parse_request(a.reqs);
  if (!request) return ctx.usage_error(request.error());
  if (!a.driver.empty()) a.machine.driver = a.driver;
  if (!a.python.empty()) a.machine.python = a.python;
  if (!a.os.empty()) a.machine.os = a.os;
  if (!a.arch.empty()) a.machine.arch = a.arch;
  if (!a.env_path.empty()) a.machine.env = a.env_path;
  auto machine = target_machine(a.machine, **host, **kb, !a.no_detect);
  if (!machine) return ctx.usage_error(machine.error());

  if (!request->has_torch) {
    std::string cmd = (a.tool == "uv" ? "uv pip install " : "pip install ");
    std::vector<std::string> words;
    for (const auto& e : request->extra) words.push_back(shell_quote(e));
    const std::string args = join(words, " ");
    if (a.json) {
      // The same document as for a torch build, with nothing chosen: the plain commands.
      nlohmann::json j{
          {"torch", nullptr},
          {"variant", nullptr},
          {"index_url", nullptr},
          {"commands",
           {{"pip", "pip install " + args}, {"uv", "uv pip install " + args}, {"conda", nullptr}}},
          {"verdict", "unknown"},
          {"why",
           {"no torch, torchvision or torchaudio in the request: no build to choose, "
            "the packages install from the default index as named"}},
          {"alternatives", nlohmann::json::array()},
          {"notes", request->notes},
          {"machine", describe_machine(*machine)},
          {"assumptions", machine->assumptions}};
      ctx.out << json_text(j) << "\n";
    } else {
      ctx.out << cmd << args << "\n";
      print_list(ctx.out, "notes", request->notes);
    }
    ctx.exit_code = kExitOk;
    return;
  }
  InstallPlan plan =
      choose_build(**kb, *machine, request->torch, request->label, policy, request->pins);
  if (!plan.found) {
    if (a.json) {
      nlohmann::json j{{"torch", nullptr},
                       {"variant", nullptr},
                       {"index_url", nullptr},
                       {"commands", {{"pip", nullptr}, {"uv", nullptr}, {"conda", nullptr}}},
                       {"verdict", "no"},
                       {"why", {plan.nothing_fits}},
                       {"alternatives", nlohmann::json::array()},
                       {"machine", describe_machine(*machine)},
                       {"assumptions", machine->assumptions}};
      ctx.out << json_text(j) << "\n";
    } else {
      ctx.out << "no build fits: " << plan.nothing_fits << "\n";
      ctx.out << "machine: " << describe_machine(*machine) << "\n";
      print_list(ctx.out, "assumptions", machine->assumptions);
    }
    ctx.exit_code = kExitProblem;
    return;
  }
  InstallCommands cmds =
      install_commands(**kb, **facts, plan.chosen, request->companions, request->extra);
  const BuildVerdict& v = plan.chosen.verdict;
  std::vector<std::string> notes = request->notes;
  notes.insert(notes.end(), plan.notes.begin(), plan.notes.end());
  notes.insert(notes.end(), cmds.notes.begin(), cmds.notes.end());
  if (a.json) {
    nlohmann::json alts = nlohmann::json::array();
    for (const auto& alt : plan.alternatives) {
      InstallCommands ac =
          install_commands(**kb, **facts, alt, request->companions, request->extra);
      alts.push_back({{"torch", alt.release->version.str()},
                      {"variant", alt.variant->variant},
                      {"index_url", ac.index_url},
                      {"verdict", to_string(alt.verdict.verdict)},
                      {"why", alt.verdict.why},
                      {"caveats", alt.verdict.caveats},
                      {"needs_package", alt.verdict.needs_package},
                      {"commands", commands_json(ac)}});
    }
    nlohmann::json j{
        {"torch", plan.chosen.release->version.str()},
        {"variant", plan.chosen.variant->variant},
        {"index_url", cmds.index_url.empty() ? nlohmann::json() : nlohmann::json(cmds.index_url)},
        {"packages", cmds.packages},
        {"commands", commands_json(cmds)},
        {"requirements", cmds.requirements},
        {"verdict", to_string(v.verdict)},
        {"why", v.why},
        {"caveats", v.caveats},
        {"alternatives", alts},
        {"skipped", plan.skipped},
        {"notes", notes},
        {"sources", cmds.sources},
        {"machine", describe_machine(*machine)},
        {"assumptions", machine->assumptions}};
    ctx.out << json_text(j) << "\n";
  } else if (a.format == "requirements") {
    ctx.out << cmds.requirements;
  } else {
    std::ostream& out = ctx.out;
    out << "torch " << plan.chosen.release->version.str() << " " << plan.chosen.variant->variant
        << ": " << to_string(v.verdict) << "\n";
    out << "machine: " << describe_machine(*machine) << "\n";
    if (a.tool == "pip" || a.exec) out << "  pip:   " << cmds.pip << "\n";
    if (a.tool == "uv" || (a.tool == "pip" && !a.exec)) out << "  uv:    " << cmds.uv << "\n";
    if ((a.tool == "conda" || (a.tool == "pip" && !a.exec)) && !cmds.conda.empty())
      out << "  conda: " << cmds.conda << "\n";
    if (a.tool == "conda" && cmds.conda.empty())
      out << "  conda: torch " << plan.chosen.release->version.str() << " "
          << plan.chosen.variant->variant << " is not on the pytorch conda channel\n";
    print_list(out, "why", v.why);
    print_list(out, "caveats", v.caveats);
    std::vector<std::string> alts;
    for (const auto& alt : plan.alternatives) {
      InstallCommands ac =
          install_commands(**kb, **facts, alt, request->companions, request->extra);
      std::string s = "torch " + alt.release->version.str() + " " + alt.variant->variant + ": " +
                      std::string(to_string(alt.verdict.verdict));
      if (!alt.verdict.caveats.empty()) s += " (" + alt.verdict.caveats.front() + ")";
      s += ": " + ac.pip;
      alts.push_back(s);
    }
    print_list(out, "alternatives", alts);
    print_list(out, "skipped", plan.skipped);
    print_list(out, "notes", notes);
    print_list(out, "assumptions", machine->assumptions);
  }
  ctx.exit_code = kExitOk;
  if (a.exec) run_exec(ctx, a, **host, cmds);
}

}  // namespace

void add_install_command(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<InstallArgs>();
  auto* cmd = app.add_subcommand("install",
                                 "Choose the torch build for this machine and print the commands");
  if (!ctx.command_named(cmd->get_name())) return;  // listed for help only
  cmd->add_option("REQ", a->reqs, "PEP 508 requirements (default: torch torchvision torchaudio)");
  cmd->add_option("--driver", a->driver,
                  "NVIDIA driver version, a branch (535: judged by its first release), or none");
  // One value per --gpu: a repeatable option must not swallow the targets after it
  // (`check --gpu sm_80 requirements.txt`, as pre-commit writes it).
  cmd->add_option("--gpu", a->machine.gpus, "GPU: name, sm_XY, X.Y, 10de:XXXX or none (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--python", a->python,
                  "Python version, e.g. 3.11 or 3.13t (default: the target environment's)");
  cmd->add_option("--os", a->os, "linux or windows");
  cmd->add_option("--arch", a->arch, "x86_64 or aarch64");
  cmd->add_option("--compat", a->compat,
                  "minor: prefer minor-version compatibility; forward: allow cuda-compat");
  cmd->add_option("--tool", a->tool, "pip, uv or conda");
  cmd->add_option("--format", a->format, "text or requirements");
  cmd->add_flag("--json", a->json, "Print one JSON object");
  cmd->add_flag("--exec", a->exec, "Run the pip (or uv) command");
  cmd->add_option("--env", a->env_path,
                  "The environment to install into (its Python; --exec runs its pip). Default: "
                  "the active venv/conda env, else the first python3 on PATH");
  cmd->add_flag("--no-detect", a->no_detect,
                "Do not read this machine for facts the flags leave out");
  cmd->callback([&ctx, a]() { run_install(ctx, *a); });
}

}  // namespace cudafit
