// Distributions in a site-packages folder and conda-meta, with their CUDA build facts.
#include <algorithm>
#include <cctype>
#include <regex>

#include "envs/metadata.h"
#include "envs/read_env.h"
#include "util/strings.h"
#include "versions/requirement.h"

namespace cudafit {

namespace {

constexpr std::size_t kSmallFile = 1u << 20;

std::optional<int> small_int(const std::string& digits) {
  auto v = parse_uint(digits);
  if (!v || *v > 999) return std::nullopt;
  return static_cast<int>(*v);
}

// "cu121" / "cu130" local tags, "cpu", "rocm6.1": what a version's local part says.
void apply_local_tag(InstalledPackage& p, const std::string& version) {
  auto parsed = Pep440Version::parse(version);
  if (!parsed) return;
  for (const std::string& seg : parsed->local()) {
    if (starts_with(seg, "cu") && seg.size() > 2 && parse_uint(seg.substr(2))) {
      if (auto c = CudaVersion::from_variant(seg); c && !p.cuda) p.cuda = *c;
    } else if (starts_with(seg, "cuda") && parse_uint(seg.substr(4))) {  // jaxlib "+cuda12"
      p.cuda_major = small_int(seg.substr(4));
    } else if (seg == "cpu") {
      p.cpu_only = true;
    } else if (starts_with(seg, "rocm") && p.hip.empty()) {
      p.hip = seg.substr(4);
    }
  }
}

// "cupy-cuda12x" -> major 12; "cupy-cuda117" -> 11.7; "nvidia-cublas-cu12" -> major 12;
// "jax-cuda13-plugin" -> major 13. (Plain string matching: a std::regex match costs tens of
// microseconds, and every GPU package of every environment comes through here.)
void apply_name_rules(InstalledPackage& p) {
  std::string_view name = p.name;
  if (starts_with(name, "cupy-cuda")) {  // cupy-cuda(\d+)(x?)
    std::string_view rest = name.substr(9);
    size_t n = leading_digits(rest);
    std::string_view tail = rest.substr(n);
    if (n > 0 && tail == "x") {
      p.cuda_major = small_int(std::string(rest.substr(0, n)));
    } else if (n > 0 && tail.empty()) {
      if (auto c = CudaVersion::from_variant("cu" + std::string(rest))) {
        p.cuda = *c;
        p.cuda_major = c->major();
      }
    }
  } else if (starts_with(name, "jax-cuda") && leading_digits(name.substr(8)) > 0 &&
             name.substr(8 + leading_digits(name.substr(8)))
                 .starts_with("-")) {  // jax-cuda(\d+)-.*
    p.cuda_major = small_int(std::string(name.substr(8, leading_digits(name.substr(8)))));
  } else {  // .*-cu(\d+)
    size_t n = 0;
    while (n < name.size() && name[name.size() - 1 - n] >= '0' && name[name.size() - 1 - n] <= '9')
      ++n;
    if (n > 0 && name.substr(0, name.size() - n).ends_with("-cu"))
      p.cuda_major = small_int(std::string(name.substr(name.size() - n)));
  }
  // The CUDA runtime's own version is the CUDA version (cuda-toolkit, nvidia-cuda-runtime[-cuXX],
  // conda's cuda-version / cudatoolkit / pytorch-cuda).
  bool is_runtime = p.name == "cuda-toolkit" || starts_with(p.name, "nvidia-cuda-runtime") ||
                    p.name == "cuda-version" || p.name == "cudatoolkit" || p.name == "pytorch-cuda";
  if (is_runtime && !p.cuda) {
    auto v = Pep440Version::parse(p.version);
    if (auto c = CudaVersion::parse(v ? v->public_str() : p.version)) {
      // A component wheel's third number is its own build ("12.4.127"), not a CUDA update.
      p.cuda = p.name == "cuda-toolkit" ? *c : c->major_minor_only();
      if (!p.cuda_major) p.cuda_major = c->major();
    }
  }
  if (starts_with(p.name, "nvidia-cudnn") || p.name == "cudnn") {
    if (auto c = CudnnVersion::parse(p.version)) p.cudnn = *c;
  }
}

void read_torch_version_py(const Host& host, InstalledPackage& p, const std::string& module) {
  std::string path = path_join(p.location, module + "/version.py");
  auto text = host.read_file(path, kSmallFile);
  if (!text) return;
  auto vars = parse_python_assignments(*text);
  auto get = [&](const char* key) -> const std::optional<std::string>* {
    auto it = vars.find(key);
    return it == vars.end() ? nullptr : &it->second;
  };
  if (auto v = get("__version__"); v && *v) p.version_py = **v;
  if (auto v = get("git_version"); v && *v) p.git_version = **v;
  if (auto v = get("hip"); v && *v) p.hip = **v;
  if (auto v = get("xpu"); v && *v) p.xpu = **v;
  if (!p.version_py.empty()) apply_local_tag(p, p.version_py);
  if (auto v = get("cuda")) {
    if (*v) {
      if (auto c = CudaVersion::parse(**v)) p.cuda = *c;
    } else if (module == "torch" && p.hip.empty() && p.xpu.empty()) {
      p.cpu_only = true;  // `cuda = None`: the CPU-only build
      p.cuda.reset();
    }
  }
}

void read_tf_build_info(const Host& host, InstalledPackage& p) {
  auto text =
      host.read_file(path_join(p.location, "tensorflow/python/platform/build_info.py"), kSmallFile);
  if (!text) return;
  auto info = parse_tf_build_info(*text);
  if (auto it = info.find("cuda_version"); it != info.end())
    if (auto c = CudaVersion::parse(it->second)) p.cuda = *c;
  if (auto it = info.find("cudnn_version"); it != info.end()) {
    // "8" (major only) or "8.9.4".
    auto c = CudnnVersion::parse(it->second);
    if (!c) c = CudnnVersion::parse(it->second + ".0.0");
    if (c) p.cudnn = *c;
  }
  if (auto it = info.find("is_cuda_build"); it != info.end() && it->second == "False")
    p.cpu_only = true;
}

void add_build_facts(const Host& host, InstalledPackage& p) {
  apply_local_tag(p, p.version);
  apply_name_rules(p);
  if (p.name == "torch" || p.name == "torchvision" || p.name == "torchaudio")
    read_torch_version_py(host, p, p.name);
  else if (starts_with(p.name, "tensorflow"))
    read_tf_build_info(host, p);
  if (p.cuda && !p.cuda_major) p.cuda_major = p.cuda->major();
}

std::string read_trimmed(const Host& host, const std::string& path) {
  auto text = host.read_file(path, kSmallFile);
  return text ? std::string(trim(*text)) : std::string();
}

}  // namespace

std::vector<InstalledPackage> read_site_packages(const Host& host, const std::string& dir,
                                                 bool gpu_only, std::vector<std::string>* notes) {
  std::vector<InstalledPackage> out;
  auto entries = host.list_dir(dir);
  if (!entries) {
    if (notes && host.exists(dir)) notes->push_back(dir + ": " + entries.error());
    return out;
  }
  for (const DirEntry& e : *entries) {
    auto dist = parse_dist_dir_name(e.name);
    if (!dist) continue;
    std::string guess = normalize_package_name(dist->name);
    if (gpu_only && !is_gpu_package(guess)) continue;
    InstalledPackage p;
    p.name = guess;
    p.version = dist->version;
    p.location = dir;
    p.metadata_path = path_join(dir, e.name);
    bool egg = ends_with(e.name, ".egg-info");
    Result<std::string> text = make_error("");
    if (egg && !host.is_dir(p.metadata_path)) {
      text = host.read_file(p.metadata_path, kSmallFile);  // a single-file egg-info
    } else {
      text = host.read_file(path_join(p.metadata_path, egg ? "PKG-INFO" : "METADATA"), kSmallFile);
    }
    if (!text) {
      p.problem = std::string(egg ? "PKG-INFO" : "METADATA") + " unreadable: " + text.error();
    } else if (auto md = parse_dist_metadata(*text); !md) {
      p.problem = "METADATA: " + md.error();
    } else {
      p.name = normalize_package_name(md->name);
      p.version = md->version;
      p.requires_dist = std::move(md->requires_dist);
    }
    if (gpu_only && !is_gpu_package(p.name)) continue;
    if (!egg) p.installer = read_trimmed(host, path_join(p.metadata_path, "INSTALLER"));
    if (auto v = Pep440Version::parse(p.version)) {
      p.parsed = *v;
    } else if (p.problem.empty()) {
      p.problem = "version '" + p.version + "' is not PEP 440: " + v.error();
    }
    add_build_facts(host, p);
    if (!p.problem.empty() && notes) notes->push_back(p.metadata_path + ": " + p.problem);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<InstalledPackage> read_conda_meta(const Host& host, const std::string& prefix) {
  std::vector<InstalledPackage> out;
  std::string dir = path_join(prefix, "conda-meta");
  auto entries = host.list_dir(dir);
  if (!entries) return out;
  static const std::regex kCudaTag("cuda(\\d+\\.\\d+)");
  static const std::regex kCudnnTag("cudnn(\\d+(\\.\\d+)+)");
  for (const DirEntry& e : *entries) {
    auto rec = parse_conda_file_name(e.name);
    if (!rec || !is_gpu_package(normalize_package_name(rec->name))) continue;
    InstalledPackage p;
    p.name = normalize_package_name(rec->name);
    p.version = rec->version;
    p.build = rec->build;
    p.installer = "conda";
    p.location = dir;
    p.metadata_path = path_join(dir, e.name);
    if (auto v = Pep440Version::parse(p.version)) p.parsed = *v;
    std::smatch m;
    if (std::regex_search(p.build, m, kCudaTag))
      if (auto c = CudaVersion::parse(m[1].str())) p.cuda = *c;
    if (std::regex_search(p.build, m, kCudnnTag))
      if (auto c = CudnnVersion::parse(m[1].str())) p.cudnn = *c;
    if (p.name == "pytorch" &&
        (starts_with(p.build, "cpu") || p.build.find("_cpu") != std::string::npos))
      p.cpu_only = true;
    apply_name_rules(p);
    if (p.cuda && !p.cuda_major) p.cuda_major = p.cuda->major();
    out.push_back(std::move(p));
  }
  return out;
}

// Marker variables of a Linux x86_64 CPython with the environment's Python.
static std::map<std::string, std::string> linux_x86_64_markers(const std::string& python_version) {
  auto parts = split(python_version, '.');
  std::string mm =
      parts.size() >= 2 ? std::string(parts[0]) + "." + std::string(parts[1]) : python_version;
  return {{"os_name", "posix"},
          {"sys_platform", "linux"},
          {"platform_system", "Linux"},
          {"platform_machine", "x86_64"},
          {"platform_python_implementation", "CPython"},
          {"implementation_name", "cpython"},
          {"python_version", mm},
          {"python_full_version", python_version},
          {"implementation_version", python_version},
          {"extra", ""}};
}

void check_requirements(Environment& env) {
  auto marker_env = linux_x86_64_markers(env.python.value.value_or(""));
  auto installed = [&](const std::string& name) -> const InstalledPackage* {
    for (const auto& p : env.packages)
      if (p.name == name && !ends_with(p.location, "conda-meta")) return &p;
    return nullptr;
  };
  auto check = [&](const std::string& by, const std::string& line, const std::string& extra) {
    // The name leads the line: skip the full parse for the many non-GPU requirements
    // (filelock, sympy, jinja2, ...).
    std::string_view head = trim(line);
    size_t n = 0;
    while (n < head.size() && (std::isalnum(static_cast<unsigned char>(head[n])) ||
                               head[n] == '.' || head[n] == '_' || head[n] == '-'))
      ++n;
    if (n > 0 && !is_gpu_package(normalize_package_name(head.substr(0, n))))
      return std::optional<Requirement>();
    auto req = Requirement::parse(line);
    if (!req || !is_gpu_package(req->normalized_name())) return std::optional<Requirement>();
    marker_env["extra"] = extra;
    if (!req->markers_hold(marker_env)) return std::optional<Requirement>();
    RequirementCheck c;
    c.required_by = by;
    size_t semi = line.find(';');
    c.requirement = std::string(trim(std::string_view(line).substr(0, semi)));
    c.name = req->normalized_name();
    c.specifier = req->specifier.str();
    if (const InstalledPackage* p = installed(c.name)) {
      c.installed_version = p->version;
      c.satisfied = p->parsed && req->specifier.contains(*p->parsed, true);
    }
    env.requirements.push_back(std::move(c));
    return std::optional<Requirement>(std::move(*req));
  };
  // check() appends to env.requirements only, so env.packages can be walked in place.
  for (const auto& p : env.packages) {
    for (const std::string& line : p.requires_dist) {
      auto req = check(p.name, line, "");
      if (!req || req->extras.empty()) continue;
      // cuda-toolkit[cublas,cudart]: the extras' own pins, from the installed metapackage.
      const InstalledPackage* meta = installed(req->normalized_name());
      if (!meta) continue;
      for (const std::string& extra : req->extras)
        for (const std::string& sub : meta->requires_dist)
          if (sub.find("extra") != std::string::npos)
            check(req->normalized_name() + "[" + normalize_package_name(extra) + "]", sub, extra);
    }
  }
}

}  // namespace cudafit
