// Other frameworks (TensorFlow, JAX, CuPy, vLLM): the CUDA, cuDNN, driver and torch their
// installed builds need, from the KB's framework rows, against this machine and environment.
#include <cctype>

#include "doctor/checks.h"
#include "kb/framework_rows.h"
#include "util/strings.h"

namespace cudafit::doctor {
namespace {

int cuda_major_of_name(const std::string& name, const std::string& marker) {
  auto at = name.find(marker);
  if (at == std::string::npos) return 0;
  std::string digits;
  for (std::size_t i = at + marker.size();
       i < name.size() && std::isdigit(static_cast<unsigned char>(name[i])); ++i)
    digits += name[i];
  if (digits.size() >= 3) digits = digits.substr(0, digits.size() - 1);  // cupy-cuda102 -> 10
  auto n = parse_uint(digits);
  return n ? static_cast<int>(*n) : 0;
}

const InstalledPackage* cudnn_wheel(const Environment& env, int major) {
  return env.find("nvidia-cudnn-cu" + std::to_string(major));
}

// Driver and GPU generation against a CUDA major a package is built for.
void check_cuda_major(const Context& c, const Environment& env, const InstalledPackage& p,
                      int major, const std::string& from) {
  auto driver = cuda_driver(c.kb, c.m);
  if (driver) {
    auto floor = minor_floor(c.kb, c.m, major);
    if (!floor) floor = min_driver(c.kb, c.m, CudaVersion(major, 0));
    if (floor && *driver < *floor) {
      c.add("framework-requirement", Severity::kError,
            p.name + " " + p.version + " in " + env_label(env) + " is built for CUDA " +
                std::to_string(major) + ".x, which needs driver >= " + floor->str() +
                "; this one is " + driver->str(),
            {package_label(p), driver_evidence(c.m), from},
            "upgrade the driver to >= " + floor->str() + ", or install the " + p.name +
                " build for the CUDA this driver runs");
      return;
    }
  }
  const CudaRelease* rel = c.kb.cuda_release(CudaVersion(major, 0));
  if (!rel || rel->min_sm.major() == 0) return;
  for (const Gpu* g : visible_gpus(c.m)) {
    if (g->compute_capability.value->plain() >= rel->min_sm.plain()) continue;
    c.add("framework-requirement", Severity::kError,
          p.name + " " + p.version + " in " + env_label(env) + " is built for CUDA " +
              std::to_string(major) + ", which no longer supports " + gpu_label(*g) + " (CUDA " +
              std::to_string(major) + " starts at " + rel->min_sm.sm() + ")",
          {package_label(p), with_source(gpu_label(*g), g->compute_capability.source),
           "CUDA " + rel->version.major_minor() + " min " + rel->min_sm.sm() + " (" +
               rel->from.where() + ")"},
          "install the " + p.name + " build for CUDA " + std::to_string(major - 1));
  }
}

void check_cudnn_min(const Context& c, const Environment& env, const InstalledPackage& p, int major,
                     const FrameworkRequirement& row) {
  std::string need_text = first_version_in(row.cudnn);
  auto need = CudnnVersion::parse(need_text);
  const InstalledPackage* have = cudnn_wheel(env, major);
  if (!need || !have || !have->parsed) return;
  auto got = CudnnVersion::parse(have->parsed->public_str());
  if (!got) return;
  bool too_old = *got < *need;
  bool wrong_major = got->major() != need->major() && row.cudnn.find('<') == std::string::npos;
  if (!too_old && !wrong_major) return;
  c.add("framework-requirement", Severity::kError,
        p.name + " " + p.version + " in " + env_label(env) + " needs cuDNN " + need_text +
            ", installed " + have->name + " " + have->version,
        {package_label(p), package_label(*have),
         p.name + " " + row.version + ": cuDNN " + row.cudnn + " (" + row.from.where() + ")"},
        pip_install(env, "\"" + have->name + ">=" + need_text + "\""));
}

void check_env(const Context& c, const Environment& env) {
  // Read only when an environment has a framework to check (most have only torch), and
  // then only that framework's rows.
  auto rows = [&c](std::string_view framework) { return c.kb.framework_rows(framework); };
  for (const InstalledPackage& p : env.packages) {
    if (!p.parsed) continue;
    if (starts_with(p.name, "cupy-cuda")) {
      int major = cuda_major_of_name(p.name, "cupy-cuda");
      if (major)
        check_cuda_major(c, env, p, major,
                         p.name + ": the wheel name says CUDA " + std::to_string(major));
    } else if (starts_with(p.name, "jax-cuda") && ends_with(p.name, "-plugin")) {
      int major = cuda_major_of_name(p.name, "jax-cuda");
      if (!major) continue;
      check_cuda_major(c, env, p, major,
                       p.name + ": the plugin name says CUDA " + std::to_string(major));
      for (const FrameworkRequirement* r : rows("jax")) {
        const FrameworkRequirement& row = *r;
        if (!framework_row_matches(row.version, p.parsed->without_local())) continue;
        auto cuda = CudaVersion::parse(first_version_in(row.cuda));
        if (!cuda || cuda->major() != major) continue;
        check_cudnn_min(c, env, p, major, row);
        break;
      }
    } else if (p.name == "tensorflow" || p.name == "tensorflow-gpu") {
      for (const FrameworkRequirement* r : rows("tensorflow")) {
        const FrameworkRequirement& row = *r;
        auto rv = Pep440Version::parse(row.version);
        if (!rv || rv->component(0) != p.parsed->component(0) ||
            rv->component(1) != p.parsed->component(1))
          continue;
        auto cuda = CudaVersion::parse(first_version_in(row.cuda));
        if (!cuda) break;
        check_cuda_major(c, env, p, cuda->major(),
                         "tensorflow " + row.version + " is built with CUDA " + row.cuda + " (" +
                             row.from.where() + ")");
        check_cudnn_min(c, env, p, cuda->major(), row);
        break;
      }
    } else if (p.name == "vllm") {
      const InstalledPackage* torch = effective_torch(env);
      if (!torch || !torch->parsed) continue;
      for (const FrameworkRequirement* r : rows("vllm")) {
        const FrameworkRequirement& row = *r;
        if (!framework_row_matches(row.version, p.parsed->without_local())) continue;
        std::string pin = first_version_in(row.torch);
        auto want = Pep440Version::parse(pin);
        if (!want) break;
        if (torch->parsed->without_local().base_version() != want->base_version())
          c.add("framework-requirement", Severity::kError,
                "vllm " + p.version + " in " + env_label(env) + " is built against torch " + pin +
                    ", but torch " + torch->version +
                    " is installed: its compiled ops fail to load ('undefined symbol')",
                {package_label(p), package_label(*torch),
                 "vllm " + row.version + " pins torch==" + pin + " (" + row.from.where() + ")"},
                pip_install(env, "\"torch==" + pin + "\"") +
                    " (or the vllm release built for torch " + torch->parsed->public_str() + ")");
        break;
      }
    }
  }
}

}  // namespace

void check_frameworks(const Context& c) {
  for (const Environment& env : c.m.environments) check_env(c, env);
}

}  // namespace cudafit::doctor
