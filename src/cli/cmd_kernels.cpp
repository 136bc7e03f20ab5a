// `cudafit kernels PATH...`: the GPU code in binaries (binary/kernel_scan.h) and, for the GPUs
// given, whether each file runs (verdict/code_compat.h). Parsing and printing only.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "binary/kernel_scan.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "report/table.h"
#include "util/json_text.h"
#include "util/strings.h"
#include "verdict/code_compat.h"

namespace cudafit {
namespace {

struct KernelsOptions {
  std::vector<std::string> paths;
  std::vector<std::string> gpus;
  std::string driver;
  bool recursive = false;
  bool json = false;
};

struct Gpu {
  std::string name;  // as given ("sm_86", "RTX 4090")
  ComputeCapability cc;
};

struct GpuVerdict {
  const Gpu* gpu = nullptr;
  ContainerCoverage coverage;
};

// What each container role means, for --json readers (README "kernels").
std::string role_meaning(ContainerRole role) {
  switch (role) {
    case ContainerRole::kRegistered:
      return "registered with the CUDA runtime through .nvFatBinSegment: loaded when the "
             "program uses the library";
    case ContainerRole::kLibraryLoaded:
      return "executable code the runtime is not told of: kept as data and loaded by the "
             "library itself (cuModuleLoadData), or a .fatbin/.cubin file a program loads";
    case ContainerRole::kLinkInput:
      return "relocatable device code (ET_REL cubins, PTX for ptxas --compile-only, "
             "__nv_relfatbin) or LTO IR only: input to nvlink/nvJitLink, never given to the GPU "
             "as is";
    case ContainerRole::kNoKernels:
      break;
  }
  return "cubins without a single kernel (device-link stubs): nothing to run";
}

// "sm_86" / "8.6" parse directly; anything else is a product name looked up in the KB.
Result<Gpu> resolve_gpu(CliContext& ctx, const std::string& text) {
  auto cc = ComputeCapability::parse(text);
  if (cc) return Gpu{text, cc->plain()};
  auto kb = ctx.kb();
  if (!kb) return make_error(kb.error());
  auto found = (*kb)->find_gpus(text);
  if (found.empty()) return make_error("--gpu " + text + ": no such GPU or compute capability");
  for (const GpuProduct* p : found) {
    if (!(p->cc.plain() == found.front()->cc.plain())) {
      return make_error("--gpu " + text + ": ambiguous (" + found.front()->name + " is " +
                        found.front()->cc.str() + ", " + p->name + " is " + p->cc.str() + ")");
    }
  }
  return Gpu{text, found.front()->cc.plain()};
}

std::vector<std::vector<CodeEntry>> code_entries(const BinaryCode& code) {
  std::vector<std::vector<CodeEntry>> out;
  out.reserve(code.containers.size());
  for (const FatbinContainer& c : code.containers) {
    if (!runnable(c.role)) continue;
    std::vector<CodeEntry> entries;
    for (const FatbinEntry& e : c.entries) {
      if (e.kind != CodeKind::kLtoIr)
        entries.push_back({e.cc, e.kind == CodeKind::kPtx, e.ptx_isa});
    }
    if (!entries.empty()) out.push_back(std::move(entries));
  }
  return out;
}

std::string verdict_text(const GpuVerdict& v, std::size_t containers) {
  std::string s = to_string(v.coverage.verdict);
  if (v.coverage.layout == ContainerLayout::kPerArch) {
    std::size_t with = v.coverage.verdict == CodeVerdict::kSass ? v.coverage.containers_sass
                                                                : v.coverage.containers_ptx_only;
    if (with > 0) {
      s += " (" + std::to_string(with) + "/" + std::to_string(containers) + " containers" +
           (v.coverage.verdict == CodeVerdict::kSass ? "" : " by JIT") + ")";
    }
  } else if (v.coverage.containers_without_code > 0) {
    s += " (" + std::to_string(v.coverage.containers_without_code) + "/" +
         std::to_string(containers) + " containers lack code)";
  } else if (v.coverage.containers_ptx_only > 0 && v.coverage.containers_ptx_only < containers) {
    s += " (" + std::to_string(v.coverage.containers_ptx_only) + " by JIT)";
  }
  return s;
}

nlohmann::json file_json(const BinaryCode& code, const CodeSummary& s, const LayoutReading& layout,
                         const std::vector<GpuVerdict>& verdicts) {
  nlohmann::json j;
  j["file"] = code.file;
  j["format"] = code.format;
  j["containers"] = code.containers.size();
  j["code_containers"] = s.code_containers;
  j["layout"] = s.code_containers == 0
                    ? nlohmann::json()
                    : nlohmann::json{{"kind", to_string(layout.layout)}, {"why", layout.why}};
  j["roles"] = nlohmann::json::array();
  for (const RoleSummary& r : s.roles) {
    j["roles"].push_back({{"role", to_string(r.role)},
                          {"runnable", runnable(r.role)},
                          {"containers", r.containers},
                          {"sections", r.sections},
                          {"targets", r.targets},
                          {"what", role_meaning(r.role)}});
  }
  j["entries"] = s.entries;
  j["sass"] = s.sass;
  j["ptx"] = nlohmann::json::array();
  for (const auto& p : s.ptx) j["ptx"].push_back({{"arch", p.arch}, {"isa", p.isa}});
  j["lto_ir"] = s.lto_ir;
  j["arch_list"] = s.arch_list;
  j["extras"] = nlohmann::json::array();
  for (const ArchCount& e : s.extras) {
    j["extras"].push_back({{"arch", e.arch}, {"containers", e.containers}});
  }
  j["partial"] = code.partial();
  j["problems"] = code.problems;
  j["error"] = code.error.empty() ? nlohmann::json() : nlohmann::json(code.error);
  j["verdicts"] = nlohmann::json::array();
  for (const GpuVerdict& v : verdicts) {
    j["verdicts"].push_back({{"gpu", v.gpu->name},
                             {"cc", v.gpu->cc.str()},
                             {"verdict", to_string(v.coverage.verdict)},
                             {"layout", to_string(v.coverage.layout)},
                             {"containers_sass", v.coverage.containers_sass},
                             {"containers_without_code", v.coverage.containers_without_code},
                             {"containers_ptx_only", v.coverage.containers_ptx_only}});
  }
  return j;
}

std::string extras_text(const std::vector<ArchCount>& extras) {
  std::vector<std::string> parts;
  parts.reserve(extras.size());
  for (const ArchCount& e : extras) parts.push_back(e.arch + " x" + std::to_string(e.containers));
  return join(parts, " ");
}

// "34 link-input (.rodata), 1 no-kernels (.nv_fatbin)": the containers no GPU is given.
std::string not_run_text(const CodeSummary& s) {
  std::vector<std::string> parts;
  for (const RoleSummary& r : s.roles) {
    if (runnable(r.role)) continue;
    std::string part = std::to_string(r.containers) + " " + to_string(r.role);
    if (!r.sections.empty()) part += " (" + join(r.sections, " ") + ")";
    parts.push_back(part);
  }
  return join(parts, ", ");
}

void run_kernels(CliContext& ctx, const KernelsOptions& opt) {
  auto host = ctx.host();
  if (!host) return ctx.usage_error(host.error());
  std::vector<Gpu> gpus;
  for (const std::string& g : opt.gpus) {
    auto gpu = resolve_gpu(ctx, g);
    if (!gpu) return ctx.usage_error(gpu.error());
    gpus.push_back(*gpu);
  }
  std::string max_isa;
  if (!opt.driver.empty()) {
    auto driver = DriverVersion::parse(opt.driver);
    if (!driver) return ctx.usage_error("--driver: " + driver.error());
    auto kb = ctx.kb();
    if (!kb) return ctx.usage_error(kb.error());
    max_isa = max_ptx_isa_for_driver((*kb)->cuda_releases(), *driver);
  }

  // Paths typed on the command line are relative to where cudafit runs.
  std::vector<std::string> paths;
  std::error_code ec;
  std::string cwd = std::filesystem::current_path(ec).string();
  for (const std::string& p : opt.paths) {
    paths.push_back(p.empty() || p[0] == '/' || ec ? p : path_normalize(path_join(cwd, p)));
  }
  std::vector<BinaryCode> codes = scan_paths(**host, paths, opt.recursive);
  bool bad_input = false, cannot_run = false;
  nlohmann::json files = nlohmann::json::array();
  Table table;
  table.columns = {"file", "containers", "layout", "arch_list", "extras", "ptx", "not run"};
  for (const Gpu& g : gpus) table.columns.push_back(g.name);
  for (const BinaryCode& code : codes) {
    if (!code.error.empty()) bad_input = true;
    CodeSummary s = summarize(code);
    std::vector<GpuVerdict> verdicts;
    LayoutReading layout;
    if (s.code_containers > 0) {
      auto entries = code_entries(code);
      layout = read_layout(entries);
      for (const Gpu& g : gpus) {
        verdicts.push_back({&g, serve_containers(entries, layout.layout, g.cc, max_isa)});
        if (verdicts.back().coverage.verdict == CodeVerdict::kNone) cannot_run = true;
      }
    }
    if (opt.json) {
      files.push_back(file_json(code, s, layout, verdicts));
      continue;
    }
    std::vector<std::string> ptx;
    ptx.reserve(s.ptx.size());
    for (const auto& p : s.ptx) ptx.push_back(p.arch + " (ISA " + p.isa + ")");
    std::string count = code.error.empty() ? std::to_string(s.code_containers) : "error";
    if (code.partial()) count += " (partial)";
    std::vector<std::string> row = {code.file,
                                    count,
                                    s.code_containers > 0 ? to_string(layout.layout) : "-",
                                    join(s.arch_list, " "),
                                    extras_text(s.extras),
                                    join(ptx, " "),
                                    not_run_text(s)};
    for (std::size_t i = 0; i < gpus.size(); ++i) {
      row.push_back(i < verdicts.size() ? verdict_text(verdicts[i], s.code_containers) : "-");
    }
    table.rows.push_back(std::move(row));
  }
  if (opt.json) {
    nlohmann::json top;
    top["driver"] = opt.driver.empty() ? nlohmann::json() : nlohmann::json(opt.driver);
    top["max_ptx_isa"] = max_isa.empty() ? nlohmann::json() : nlohmann::json(max_isa);
    top["files"] = std::move(files);
    ctx.out << json_text(top) << "\n";
  } else {
    ctx.out << render_table(table, Format::kText);
    for (const BinaryCode& code : codes) {
      if (!code.error.empty()) ctx.err << "cudafit: " << code.error << "\n";
      for (const std::string& p : code.problems)
        ctx.err << "cudafit: " << code.file << ": " << p << "\n";
    }
  }
  ctx.exit_code = bad_input ? kExitUsage : cannot_run ? kExitProblem : kExitOk;
}

}  // namespace

void add_kernels_command(CLI::App& app, CliContext& ctx) {
  auto opt = std::make_shared<KernelsOptions>();
  auto* cmd = app.add_subcommand(
      "kernels", "List the GPU code (SASS, PTX) in binaries, wheels and directories");
  if (!ctx.command_named(cmd->get_name())) return;  // listed for help only
  cmd->add_option("paths", opt->paths,
                  "Files (.so, executables, .cubin, .fatbin, .whl) or directories")
      ->required();
  cmd->add_flag("-r,--recursive", opt->recursive, "Walk directories");
  cmd->add_flag("--json", opt->json, "JSON output");
  cmd->add_option("--gpu", opt->gpus, "A GPU (sm_86, 8.6, \"RTX 4090\"); repeatable");
  cmd->add_option("--driver", opt->driver, "Driver version, to judge PTX JIT (535.104.05)");
  cmd->callback([&ctx, opt]() { run_kernels(ctx, *opt); });
}

}  // namespace cudafit
