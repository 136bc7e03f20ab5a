// Resolving the target machine: flags, then override variables, then detection.
#include "plan/machine_spec.h"

#include <algorithm>

#include "envs/discover.h"
#include "probe/detect.h"
#include "util/strings.h"

namespace cudafit {
namespace {

bool looks_like_cc(std::string_view t) {
  return starts_with(t, "sm_") || starts_with(t, "compute_") ||
         (t.find('.') != std::string_view::npos && t.size() <= 5 &&
          std::all_of(t.begin(), t.end(), [](char c) {
            return (c >= '0' && c <= '9') || c == '.' || c == 'a' || c == 'f';
          }));
}

std::optional<bool> datacenter_of_cc(const KnowledgeBase& kb, const ComputeCapability& cc) {
  // Only when every product of that CC agrees (e.g. 9.0 is data-center only).
  std::optional<bool> all;
  for (const auto& p : kb.gpu_products()) {
    if (p.cc.plain() != cc.plain()) continue;
    if (!all)
      all = p.datacenter;
    else if (*all != p.datacenter)
      return std::nullopt;
  }
  return all;
}

std::string major_minor_python(std::string_view v) {
  auto parts = split(v, '.');
  if (parts.size() < 2) return std::string(v);
  return std::string(parts[0]) + "." + std::string(parts[1]);
}

// --driver: a version, "none", or a bare branch ("535": some 535-branch driver, judged by the
// branch's first release, the lowest it can be).
Result<Fact<DriverVersion>> driver_from_flag(const KnowledgeBase& kb, const std::string& text,
                                             std::vector<std::string>& assumptions) {
  auto d = DriverVersion::parse(text);
  if (d) return Fact<DriverVersion>::of(*d, "--driver");
  auto branch = parse_driver_branch(text);
  if (!branch) return make_error("--driver " + text + ": " + d.error() + " or a branch like 535");
  if (kb.driver_branch(*branch) == nullptr)
    return make_error("--driver " + text + ": driver branch " + std::to_string(*branch) +
                      " is not in the knowledge base (driver-branches.csv): give the full version");
  const std::string name = std::to_string(*branch);
  std::string said;
  auto first = DriverVersion::parse(name + ".00");
  if (const DriverFirstRelease* f = kb.driver_first_release(*branch)) {
    first = f->version;
    said = "some " + name + "-branch driver: judged by the branch's first release " +
           f->version.str() + " (" + f->from.where() + "), the lowest it can be";
  } else {
    said = "some " + name + "-branch driver: the branch's first release is not in the data, " +
           "judged as " + name + ".00, lower than any " + name + " driver";
  }
  if (!first) return make_error("--driver " + text + ": " + first.error());
  assumptions.push_back("--driver " + text + " is " + said +
                        "; give the full version for an exact answer");
  return Fact<DriverVersion>::of(*first, "--driver " + text + ", branch " + name);
}

// Where a target environment's Python came from: its interpreter and how it was found.
std::string python_source(const Environment& e) {
  std::string where = e.interpreter.empty() ? e.path : e.interpreter;
  return where + " (" + e.kind + ", found by " + e.found_by + ")";
}

}  // namespace

Result<std::optional<Environment>> target_environment(const Host& host,
                                                      const std::optional<std::string>& env_path) {
  EnvOptions options;
  if (env_path) options.env_paths.push_back(*env_path);
  std::vector<Environment> envs = discover_environments(host, options);
  auto found_by = [](const Environment& e, std::string_view how) {
    return e.found_by.find(how) != std::string::npos;
  };
  if (env_path) {
    for (auto& e : envs)
      if (found_by(e, "--env")) {
        if (e.kind == "unknown")
          return make_error("--env " + *env_path + ": not a Python environment (" + e.path + ")");
        return std::optional<Environment>(std::move(e));
      }
    return make_error("--env " + *env_path + ": not a Python environment");
  }
  for (const char* how : {"VIRTUAL_ENV", "CONDA_PREFIX", "PATH"})
    for (auto& e : envs)
      if (found_by(e, how) && e.kind != "unknown") return std::optional<Environment>(std::move(e));
  return std::optional<Environment>();
}

Result<TargetGpu> resolve_gpu(const KnowledgeBase& kb, const std::string& text) {
  std::string_view t = trim(text);
  const std::string where = "--gpu " + std::string(t);
  if (t.empty()) return make_error("--gpu: empty value");
  // PCI id: "10de:2507".
  if (t.size() == 9 && iequals(t.substr(0, 5), "10de:")) {
    auto id = parse_hex(t.substr(5));
    if (!id) return make_error(where + ": not a PCI id");
    const PciDevice* dev = kb.pci_device(static_cast<unsigned>(*id));
    if (dev == nullptr) return make_error(where + ": unknown NVIDIA PCI device id");
    if (!dev->cc) return make_error(where + ": " + dev->name + " has no known compute capability");
    TargetGpu g{dev->name, *dev->cc, datacenter_of_cc(kb, *dev->cc),
                where + " (" + dev->from.where() + ")"};
    for (const auto& p : kb.gpu_products())
      if (std::find(p.pci_device_ids.begin(), p.pci_device_ids.end(), *id) !=
          p.pci_device_ids.end())
        g.datacenter = p.datacenter;
    return g;
  }
  if (looks_like_cc(t)) {
    auto cc = ComputeCapability::parse(t);
    if (!cc) return make_error(where + ": " + cc.error());
    return TargetGpu{cc->sm(), *cc, datacenter_of_cc(kb, *cc), where};
  }
  auto found = kb.find_gpus(t);
  if (found.empty()) return make_error(where + ": unknown GPU (give sm_XY or a PCI id 10de:XXXX)");
  const GpuProduct* first = found.front();
  for (const GpuProduct* p : found) {
    if (p->cc != first->cc) {
      std::vector<std::string> names;
      names.reserve(found.size());
      for (const GpuProduct* q : found) names.push_back(q->name + " (" + q->cc.sm() + ")");
      return make_error(where + ": ambiguous: " + join(names, ", "));
    }
  }
  return TargetGpu{first->name, first->cc, first->datacenter,
                   where + " (" + first->from.where() + ")"};
}

Result<TargetMachine> resolve_machine(const MachineFlags& flags, const Host& host,
                                      const KnowledgeBase& kb, const Machine* detected) {
  TargetMachine m;
  // OS and CPU architecture -> wheel platform.
  bool aarch64 = false;
  if (flags.os) {
    if (iequals(*flags.os, "linux"))
      m.os = Os::kLinux;
    else if (iequals(*flags.os, "windows"))
      m.os = Os::kWindows;
    else
      return make_error("--os " + *flags.os + ": expected linux or windows");
  } else if (detected == nullptr) {
    m.assumptions.push_back("OS unknown: assumed Linux");
  }
  if (flags.arch) {
    if (*flags.arch == "x86_64" || *flags.arch == "amd64")
      aarch64 = false;
    else if (*flags.arch == "aarch64" || *flags.arch == "arm64")
      aarch64 = true;
    else
      return make_error("--arch " + *flags.arch + ": expected x86_64 or aarch64");
  } else if (detected != nullptr && detected->host.cpu_arch.known()) {
    aarch64 = *detected->host.cpu_arch.value == "aarch64";
  } else {
    m.assumptions.push_back("CPU architecture unknown: assumed x86_64");
  }
  if (m.os == Os::kWindows && aarch64)
    return make_error("--os windows --arch aarch64: no such wheel platform");
  m.platform = m.os == Os::kWindows ? Platform::kWindowsX86_64
               : aarch64            ? Platform::kLinuxAarch64
                                    : Platform::kLinuxX86_64;

  // GPUs.
  bool gpu_none = false;
  for (const auto& g : flags.gpus) {
    if (iequals(trim(g), "none")) {
      gpu_none = true;
      continue;
    }
    auto gpu = resolve_gpu(kb, g);
    if (!gpu) return make_error(gpu.error());
    m.gpus.push_back(std::move(gpu).value());
  }
  if (gpu_none && !m.gpus.empty())
    return make_error("--gpu none cannot be combined with other --gpu values");
  if (gpu_none) {
    m.no_gpu = true;
    m.gpus_known = true;
  } else if (!m.gpus.empty()) {
    m.gpus_known = true;
  } else if (detected != nullptr) {
    for (const auto& g : detected->gpus) {
      if (!g.visible || !g.compute_capability.known()) continue;
      TargetGpu t{g.name.value.value_or(g.pci_id()), *g.compute_capability.value, std::nullopt,
                  "detected " + g.pci_id()};
      t.datacenter = datacenter_of_cc(kb, t.cc);
      m.gpus.push_back(std::move(t));
    }
    m.gpus_known = true;
    m.no_gpu = m.gpus.empty();
    bool override_driver = !flags.driver && (host.env("UV_CUDA_DRIVER_VERSION").has_value() ||
                                             host.env("CONDA_OVERRIDE_CUDA").has_value());
    if (m.no_gpu && detected->gpus.empty() && override_driver) {
      // An image build: the machine it runs on is described by the variable, not this one.
      m.no_gpu = false;
      m.gpus_known = false;
      m.assumptions.push_back(
          "no GPU here, but the driver comes from an override variable: "
          "GPUs unknown (give --gpu)");
    } else if (m.no_gpu && !detected->gpus.empty()) {
      m.gpus_known = false;
      m.no_gpu = false;
      m.assumptions.push_back(
          "the detected GPUs' compute capabilities are unknown: no GPU-code check");
    }
  } else {
    m.assumptions.push_back("GPUs unknown: no GPU-code check (give --gpu)");
  }

  // Driver: --driver, UV_CUDA_DRIVER_VERSION, CONDA_OVERRIDE_CUDA, detection.
  if (flags.driver) {
    if (iequals(*flags.driver, "none")) {
      m.no_driver = true;
    } else {
      auto d = driver_from_flag(kb, *flags.driver, m.assumptions);
      if (!d) return make_error(d.error());
      m.driver = std::move(d).value();
    }
  } else if (auto uv = host.env("UV_CUDA_DRIVER_VERSION"); uv && !trim(*uv).empty()) {
    auto d = DriverVersion::parse(trim(*uv));
    if (!d) return make_error("UV_CUDA_DRIVER_VERSION=" + *uv + ": " + d.error());
    m.driver = Fact<DriverVersion>::of(*d, "UV_CUDA_DRIVER_VERSION");
  } else if (auto conda = host.env("CONDA_OVERRIDE_CUDA"); conda) {
    if (trim(*conda).empty()) {
      m.no_driver = true;  // conda: an empty override means "no CUDA driver"
      m.assumptions.push_back("CONDA_OVERRIDE_CUDA is empty: no CUDA driver");
    } else {
      auto cuda = CudaVersion::parse(trim(*conda));
      if (!cuda) return make_error("CONDA_OVERRIDE_CUDA=" + *conda + ": " + cuda.error());
      Provenance from;
      auto min = minimum_driver_for(kb, cuda->major_minor_only(), m.os, &from);
      if (!min)
        return make_error("CONDA_OVERRIDE_CUDA=" + *conda + ": CUDA " + cuda->str() +
                          " is not in the knowledge base");
      m.driver = Fact<DriverVersion>::of(*min, "CONDA_OVERRIDE_CUDA=" + std::string(trim(*conda)) +
                                                   " (the lowest driver for CUDA " +
                                                   cuda->major_minor() + ", " + from.where() + ")");
    }
  } else if (detected != nullptr && detected->driver.version.known()) {
    m.driver = detected->driver.version;
    if (m.driver.source.empty()) m.driver.source = "detected";
  } else if (detected != nullptr && !detected->driver.module_loaded && detected->gpus.empty()) {
    m.no_driver = m.no_gpu;
    if (!m.no_driver) m.assumptions.push_back("driver unknown: the driver check is skipped");
  } else {
    m.assumptions.push_back("driver unknown: the driver check is skipped (give --driver)");
  }
  if (m.no_gpu && !m.driver.known()) m.no_driver = true;

  // Python.
  if (flags.python) {
    // "3.13t": a free-threaded interpreter, whose wheels carry their own tag (cp313t).
    std::string_view plain = trim(*flags.python);
    if (!plain.empty() && plain.back() == 't') plain.remove_suffix(1);
    auto parts = split(plain, '.');
    if (parts.size() < 2 || !parse_uint(parts[0]) || !parse_uint(parts[1]))
      return make_error("--python " + *flags.python + ": expected a version like 3.11 or 3.13t");
    m.python = Fact<std::string>::of(major_minor_python(*flags.python), "--python");
  } else if (detected != nullptr) {
    // The target environment (target_machine puts it first, and only it, when it finds one).
    for (const auto& e : detected->environments) {
      if (!e.active) continue;
      if (e.python.known()) {
        m.python = Fact<std::string>::of(major_minor_python(*e.python.value), python_source(e));
      } else {
        m.assumptions.push_back("the Python of " + python_source(e) +
                                " is unknown: " + e.python.source);
      }
      break;
    }
  }
  if (!m.python.known())
    m.assumptions.push_back(
        "Python unknown: any Python the release has wheels for (give "
        "--python, or --env)");
  return m;
}

Result<TargetMachine> target_machine(const MachineFlags& flags, const Host& host,
                                     const KnowledgeBase& kb, bool detect) {
  std::optional<Environment> env;
  if (!flags.python && (detect || flags.env)) {
    auto found = target_environment(host, flags.env);
    if (!found) return make_error(found.error());
    env = std::move(found).value();
    if (env) env->active = true;
  }
  if (!detect) {
    auto m = resolve_machine(flags, host, kb, nullptr);
    if (!m || !env) return m;
    // --env without detection: the flag names the environment, the rest stays as flagged.
    std::erase_if(m->assumptions,
                  [](const std::string& a) { return starts_with(a, "Python unknown"); });
    Machine only_env;
    only_env.environments.push_back(std::move(*env));
    MachineFlags python_only;
    auto with_python = resolve_machine(python_only, host, kb, &only_env);
    if (with_python && with_python->python.known())
      m->python = with_python->python;
    else
      m->assumptions.push_back("the Python of " + python_source(only_env.environments.front()) +
                               " is unknown");
    return m;
  }
  // Every fact a flag leaves out comes from this machine: a flag overrides only what it names.
  DetectOptions options;
  options.driver_libs = DetectOptions::DriverLibs::kNever;
  Machine machine = detect_machine(host, kb, options);
  if (env) machine.environments.insert(machine.environments.begin(), std::move(*env));
  return resolve_machine(flags, host, kb, &machine);
}

std::string describe_machine(const TargetMachine& m) {
  std::vector<std::string> parts;
  if (m.no_driver)
    parts.push_back("no NVIDIA driver");
  else if (m.driver.known())
    parts.push_back("driver " + m.driver.value->str() + " (" + m.driver.source + ")");
  else
    parts.push_back("driver unknown");
  if (m.no_gpu) parts.push_back("no GPU");
  for (const auto& g : m.gpus)
    parts.push_back(g.name == g.cc.sm() ? g.cc.sm() : g.name + " " + g.cc.sm());
  if (m.python.known()) {
    // Name the interpreter when it came from an environment rather than --python.
    parts.push_back("Python " + *m.python.value +
                    (m.python.source == "--python" ? "" : " of " + m.python.source));
  }
  parts.push_back(platform_words(m.platform));
  return join(parts, ", ");
}

}  // namespace cudafit
