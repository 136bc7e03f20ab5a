// Distributions in a site-packages folder and conda-meta, with their CUDA build facts.
#include <algorithm>
#include <cctype>
#include <regex>
#include <unordered_map>

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

// METADATA's header, which ends at the first blank line; the description after it (torch's
// README, 30 kB and more) is not read when the header fits the first 8 kB.
Result<std::string> read_metadata_header(const Host& host, const std::string& path) {
  constexpr std::size_t kHead = 8192;
  auto head = host.read_head(path, kHead);
  if (!head || head->size() < kHead || head->find("\n\n") != std::string::npos ||
      head->find("\r\n\r\n") != std::string::npos)
    return head;
  return host.read_file(path, kSmallFile);
}

std::vector<InstalledPackage> read_site_packages(const Host& host, const std::string& dir,
                                                 bool gpu_only, std::vector<std::string>* notes) {
  std::vector<InstalledPackage> out;
  auto entries = host.listing(dir);
  if (!entries) {
    if (notes && host.exists(dir)) notes->push_back(dir + ": " + entries.error());
    return out;
  }
  for (const DirEntry& e : **entries) {
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
      text = read_metadata_header(host, path_join(p.metadata_path, egg ? "PKG-INFO" : "METADATA"));
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

namespace {

// A GPU package's Requires-Dist line, parsed; nullopt for the many lines on other packages
// (filelock, sympy, jinja2, ...), which are skipped on their leading name alone.
std::optional<Requirement> parse_gpu_requirement(const std::string& line) {
  std::string_view head = trim(line);
  size_t n = 0;
  while (n < head.size() && (std::isalnum(static_cast<unsigned char>(head[n])) || head[n] == '.' ||
                             head[n] == '_' || head[n] == '-'))
    ++n;
  if (n > 0 && !is_gpu_package(normalize_package_name(head.substr(0, n)))) return std::nullopt;
  auto req = Requirement::parse(line);
  if (!req || !is_gpu_package(req->normalized_name())) return std::nullopt;
  return std::move(*req);
}

// The extra a Requires-Dist line's marker demands, read without parsing it: when the marker's
// top level is a conjunction (no `or` outside parentheses) with a term `extra == "<name>"`,
// the line holds only for that extra. nullopt otherwise. Most Requires-Dist lines of GPU
// packages are optional extras, and a full parse costs about ten thousand instructions.
std::optional<std::string> required_extra(std::string_view line) {
  size_t semi = line.find(';');
  if (semi == std::string_view::npos) return std::nullopt;
  std::string_view m = line.substr(semi + 1);
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  auto word_at = [&](size_t at, std::string_view w) {
    return m.substr(at, w.size()) == w && (at == 0 || !ident(m[at - 1])) &&
           (at + w.size() >= m.size() || !ident(m[at + w.size()]));
  };
  std::optional<std::string> found;
  int depth = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    const char c = m[i];
    if (c == '"' || c == '\'') {  // a quoted value: skip it whole
      size_t end = m.find(c, i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      i = end;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (depth == 0 && word_at(i, "or")) {
      return std::nullopt;
    } else if (depth == 0 && !found && word_at(i, "extra")) {
      std::string_view rest = trim(m.substr(i + 5));
      if (!starts_with(rest, "==")) continue;
      rest = trim(rest.substr(2));
      if (rest.size() < 3 || (rest[0] != '"' && rest[0] != '\'')) continue;
      size_t end = rest.find(rest[0], 1);
      if (end == std::string_view::npos || end == 1) continue;
      found = normalize_package_name(rest.substr(1, end - 1));
    }
  }
  return found;
}

// One line of a metapackage's extras (cuda-toolkit's "nvidia-cublas==13.1.0.3.*; ... and
// extra == 'cublas'"), parsed once for all the extras asked of it.
struct ExtraLine {
  const std::string* line;
  const Requirement* req;
  std::string normalized;  // the line as normalize_package_name writes a name
  bool orders = false;     // compares with < > ~: evaluated for every extra
  bool holds_for_others = false;
};

}  // namespace

void check_requirements(Environment& env) {
  auto marker_env = linux_x86_64_markers(env.python.value.value_or(""));
  auto installed = [&](const std::string& name) -> const InstalledPackage* {
    for (const auto& p : env.packages)
      if (p.name == name && !ends_with(p.location, "conda-meta")) return &p;
    return nullptr;
  };
  auto record = [&](const std::string& by, const std::string& line, const Requirement& req) {
    RequirementCheck c;
    c.required_by = by;
    size_t semi = line.find(';');
    c.requirement = std::string(trim(std::string_view(line).substr(0, semi)));
    c.name = req.normalized_name();
    c.specifier = req.specifier.str();
    if (const InstalledPackage* p = installed(c.name)) {
      c.installed_version = p->version;
      c.satisfied = p->parsed && req.specifier.contains(*p->parsed, true);
    }
    env.requirements.push_back(std::move(c));
  };
  // A marker names an extra by equality or membership; for an extra its line does not name,
  // it holds exactly as for any other unnamed value. So each line is parsed once and
  // evaluated once, plus once per extra it names (cuda-toolkit's 50 lines times torch's 11
  // extras were 550 parses).
  constexpr const char* kUnnamedExtra = "\x01";
  // A metapackage is also a package of its own: its lines are parsed once for both walks.
  std::unordered_map<const std::string*, std::optional<Requirement>> parsed;
  auto parse = [&](const std::string& line) -> const std::optional<Requirement>& {
    auto it = parsed.find(&line);
    if (it == parsed.end()) it = parsed.emplace(&line, parse_gpu_requirement(line)).first;
    return it->second;
  };
  // check() appends to env.requirements only, so env.packages can be walked in place.
  for (const auto& p : env.packages) {
    for (const std::string& line : p.requires_dist) {
      if (required_extra(line)) continue;  // false for the empty extra
      const std::optional<Requirement>& req = parse(line);
      if (!req) continue;
      marker_env["extra"] = "";
      if (!req->markers_hold(marker_env)) continue;
      record(p.name, line, *req);
      if (req->extras.empty()) continue;
      // cuda-toolkit[cublas,cudart]: the extras' own pins, from the installed metapackage.
      const InstalledPackage* meta = installed(req->normalized_name());
      if (!meta) continue;
      std::vector<std::string> asked;
      for (const std::string& extra : req->extras) asked.push_back(normalize_package_name(extra));
      std::vector<ExtraLine> lines;
      for (const std::string& sub : meta->requires_dist) {
        if (sub.find("extra") == std::string::npos) continue;
        if (auto only = required_extra(sub);
            only && std::find(asked.begin(), asked.end(), *only) == asked.end())
          continue;  // holds for an extra nobody asked for
        const std::optional<Requirement>& sub_req = parse(sub);
        if (!sub_req) continue;
        ExtraLine e{&sub, &*sub_req, normalize_package_name(sub), false, false};
        std::string_view marker = std::string_view(sub).substr(std::min(sub.find(';'), sub.size()));
        e.orders = marker.find_first_of("<>~") != std::string_view::npos;
        marker_env["extra"] = kUnnamedExtra;
        e.holds_for_others = e.req->markers_hold(marker_env);
        lines.push_back(std::move(e));
      }
      for (size_t k = 0; k < req->extras.size(); ++k) {
        const std::string& extra = req->extras[k];
        const std::string& name = asked[k];
        for (const ExtraLine& e : lines) {
          bool holds = e.holds_for_others;
          if (e.orders || e.normalized.find(name) != std::string::npos) {
            marker_env["extra"] = extra;
            holds = e.req->markers_hold(marker_env);
          }
          if (holds) record(req->normalized_name() + "[" + name + "]", *e.line, *e.req);
        }
      }
    }
  }
}

}  // namespace cudafit
