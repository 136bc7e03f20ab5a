// CUDA toolkits (/usr/local/cuda*, /opt/cuda*, CUDA_HOME/CUDA_PATH, nvcc on PATH) and which
// one is active; cuDNN installs (headers and libcudnn.so.N file names).
#include <algorithm>

#include "probe/probe_context.h"
#include "util/strings.h"

namespace cudafit {

namespace {

bool looks_like_toolkit(ProbeContext& ctx, const std::string& dir) {
  for (const char* marker : {"/bin/nvcc", "/version.json", "/version.txt", "/include/cuda.h",
                             "/include/cuda_runtime_api.h"})
    if (ctx.host.exists(dir + marker)) return true;
  return false;
}

Fact<CudaVersion> toolkit_version(ProbeContext& ctx, const std::string& dir) {
  std::vector<std::string> problems;
  if (const std::string* json = ctx.read(dir + "/version.json")) {
    auto v = parse_cuda_version_json(*json);
    if (v) return Fact<CudaVersion>::of(*v, dir + "/version.json");
    problems.push_back(dir + "/version.json: " + v.error());
  }
  if (const std::string* txt = ctx.read(dir + "/version.txt")) {
    auto v = parse_cuda_version_txt(*txt);
    if (v) return Fact<CudaVersion>::of(*v, dir + "/version.txt");
    problems.push_back(dir + "/version.txt: " + v.error());
  }
  for (const char* header : {"/include/cuda.h", "/include/cuda_runtime_api.h"}) {
    // The define sits in the first few KiB (14 KiB into CUDA 13.0's cuda.h), and cuda.h is
    // over a megabyte: read its head, and more only when the define is not in it.
    const std::string_view name =
        std::string_view(header).ends_with("cuda.h") ? "CUDA_VERSION" : "CUDART_VERSION";
    const std::string* h = nullptr;
    std::optional<long long> n;
    for (std::size_t bytes : {std::size_t{64} << 10, std::size_t{4} << 20}) {
      h = ctx.read_head(dir + header, bytes);
      if (h == nullptr) break;
      n = parse_define(*h, name);
      if (n || h->size() < bytes) break;
    }
    if (h == nullptr) continue;
    if (n) {
      auto v = CudaVersion::from_int(*n);
      if (v) return Fact<CudaVersion>::of(*v, dir + header);
    }
    problems.push_back(dir + header + ": no usable version define");
  }
  // pip-style toolkits carry nvidia_cuda_runtime-<toolkit major.minor>.<patch>.dist-info.
  if (const auto* entries = ctx.list(dir + "/dist-info")) {
    for (const auto& e : *entries) {
      if (!starts_with(e.name, "nvidia_cuda_runtime-") || !ends_with(e.name, ".dist-info"))
        continue;
      std::string_view v = std::string_view(e.name).substr(20);
      v.remove_suffix(10);
      if (auto parsed = CudaVersion::parse(v)) {
        return Fact<CudaVersion>::of(parsed->major_minor_only(), dir + "/dist-info/" + e.name);
      }
    }
  }
  std::string why =
      problems.empty() ? "no version.json, version.txt, cuda.h or dist-info" : join(problems, "; ");
  return Fact<CudaVersion>::unknown(why);
}

struct Candidate {
  std::string dir;  // as found
  std::string why;  // how it was found
};

void add_toolkit(ProbeContext& ctx, const std::string& canon) {
  for (const auto& tk : ctx.m.toolkits)
    if (tk.path == canon) return;
  Toolkit tk;
  tk.path = canon;
  tk.version = toolkit_version(ctx, canon);
  if (ctx.host.exists(canon + "/bin/nvcc")) tk.nvcc = canon + "/bin/nvcc";
  ctx.m.toolkits.push_back(std::move(tk));
}

Toolkit* toolkit_at(ProbeContext& ctx, const std::string& canon) {
  for (auto& tk : ctx.m.toolkits)
    if (tk.path == canon) return &tk;
  return nullptr;
}

// The toolkit folder that contains `path` ("/usr/local/cuda-13.0/bin/nvcc" -> its root); the
// deepest one, since "/usr/local" can look like a toolkit too and contains "/usr/local/cuda-13.0".
Toolkit* toolkit_containing(ProbeContext& ctx, const std::string& canon_path) {
  Toolkit* best = nullptr;
  for (auto& tk : ctx.m.toolkits)
    if (canon_path == tk.path || starts_with(canon_path, tk.path + "/"))
      if (best == nullptr || tk.path.size() > best->path.size()) best = &tk;
  return best;
}

// A folder whose version file is a link into another toolkit (/usr/local/include/cuda.h ->
// /usr/local/cuda-13.0/include/cuda.h, with an nvcc wrapper script in /usr/local/bin) is that
// toolkit seen through links, not a second install: drop it, and map it to the real one.
using Aliases = std::vector<std::pair<std::string, std::string>>;  // alias path -> real path

Aliases fold_aliases(ProbeContext& ctx) {
  Aliases aliases;
  for (const auto& tk : ctx.m.toolkits) {
    if (!tk.version.known() || tk.version.source.empty()) continue;
    std::string target = ctx.canonical(tk.version.source);
    Toolkit* real = toolkit_containing(ctx, target);
    if (real == nullptr || real->path == tk.path) continue;
    aliases.emplace_back(tk.path, real->path);
    ctx.note("toolkit " + tk.path + " is " + real->path + " seen through links (" +
             tk.version.source + " -> " + target + ")");
  }
  std::erase_if(ctx.m.toolkits, [&](const Toolkit& tk) {
    return std::any_of(aliases.begin(), aliases.end(),
                       [&](const auto& a) { return a.first == tk.path; });
  });
  return aliases;
}

// The toolkit a path belongs to, through an alias when no real toolkit holds it.
Toolkit* owner(ProbeContext& ctx, const Aliases& aliases, const std::string& canon_path) {
  if (Toolkit* tk = toolkit_containing(ctx, canon_path)) return tk;
  for (const auto& [alias, real] : aliases)
    if (canon_path == alias || starts_with(canon_path, alias + "/")) return toolkit_at(ctx, real);
  return nullptr;
}

// torch.utils.cpp_extension._find_cuda_home(): `os.environ.get('CUDA_HOME') or
// os.environ.get('CUDA_PATH')`, used as it is when not None; _check_cuda_version() then runs
// <it>/bin/nvcc ("nvcc not found at '...'. Ensure CUDA path '...' is correct.").
// pytorch/pytorch:torch/utils/cpp_extension.py@0011ec5c5d6171a395bb339b873343a4cdfebd18
void probe_cuda_home(ProbeContext& ctx) {
  CudaHomeSetting& h = ctx.m.cuda_home;
  auto home = ctx.host.env("CUDA_HOME");
  auto path = ctx.host.env("CUDA_PATH");
  if (home && !home->empty()) {
    h.var = "CUDA_HOME";
    h.value = *home;
  } else if (path) {  // an empty CUDA_PATH is not None: no guessing, no CUDA
    h.var = "CUDA_PATH";
    h.value = *path;
  } else {
    return;
  }
  if (h.value.empty()) {
    h.problem = "is set but empty: torch.utils.cpp_extension then finds no CUDA at all";
    return;
  }
  if (h.value.front() != '/') {
    h.problem = "is a relative path: each build resolves it against its own working folder";
    return;
  }
  auto info = ctx.host.stat(h.value);
  if (!info) {
    h.problem = "does not exist";
  } else if (info->type != FileType::kDirectory) {
    h.problem = "is not a folder";
  } else if (!ctx.host.is_file(path_join(h.value, "bin/nvcc"))) {
    h.problem = "has no bin/nvcc";
  }
}

}  // namespace

void probe_toolkits(ProbeContext& ctx) {
  std::vector<Candidate> found;
  for (const char* parent : {"/usr/local", "/opt"}) {
    if (const auto* entries = ctx.list(parent))
      for (const auto& e : *entries)
        if (starts_with(e.name, "cuda"))
          found.push_back({std::string(parent) + "/" + e.name, parent});
  }
  for (const char* var : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"})
    if (auto v = ctx.host.env(var); v && !v->empty() && v->front() == '/')
      found.push_back({*v, var});
  std::string nvcc_on_path;
  for (const auto& dir : ctx.path_dirs()) {
    std::string nvcc = dir + "/nvcc";
    if (ctx.host.is_file(nvcc)) {
      nvcc_on_path = nvcc;
      found.push_back({path_dirname(path_dirname(ctx.canonical(nvcc))), "PATH"});
      break;
    }
  }
  for (const auto& c : found) {
    std::string canon = ctx.canonical(c.dir);
    if (ctx.host.is_dir(canon) && looks_like_toolkit(ctx, canon)) add_toolkit(ctx, canon);
  }
  std::sort(ctx.m.toolkits.begin(), ctx.m.toolkits.end(),
            [](const Toolkit& a, const Toolkit& b) { return a.path < b.path; });
  const Aliases aliases = fold_aliases(ctx);

  // Which one is active, in the order build tools consult them (torch.utils.cpp_extension:
  // CUDA_HOME/CUDA_PATH, then nvcc on PATH, then /usr/local/cuda).
  std::vector<std::pair<Toolkit*, std::string>> reasons;
  for (const char* var : {"CUDA_HOME", "CUDA_PATH"})
    if (auto v = ctx.host.env(var); v && !v->empty())
      if (Toolkit* tk = owner(ctx, aliases, ctx.canonical(*v)))
        reasons.emplace_back(tk, std::string(var) + "=" + *v);
  if (!nvcc_on_path.empty())
    if (Toolkit* tk = owner(ctx, aliases, ctx.canonical(nvcc_on_path)))
      reasons.emplace_back(tk, "PATH finds " + nvcc_on_path);
  if (ctx.host.exists("/usr/local/cuda"))
    if (Toolkit* tk = toolkit_at(ctx, ctx.canonical("/usr/local/cuda")))
      if (tk->path != "/usr/local/cuda") reasons.emplace_back(tk, "/usr/local/cuda -> " + tk->path);
  if (!reasons.empty()) {
    Toolkit* chosen = reasons.front().first;
    chosen->active = true;
    for (const auto& [tk, why] : reasons) {
      if (tk == chosen)
        chosen->active_because.push_back(why);
      else
        ctx.note("toolkit " + tk->path + " is also selected (" + why + ") but " + chosen->path +
                 " wins");
    }
  }
  for (const auto& dir : ctx.ld_library_path())
    if (Toolkit* tk = toolkit_containing(ctx, ctx.canonical(dir))) tk->on_ld_library_path = true;
  probe_cuda_home(ctx);
}

namespace {

// Versions from libcudnn.so.X.Y.Z names in one folder (the highest, when several).
std::optional<std::pair<CudnnVersion, std::string>> cudnn_from_libs(ProbeContext& ctx,
                                                                    const std::string& dir) {
  const auto* entries = ctx.list(dir);
  if (entries == nullptr) return std::nullopt;
  std::optional<std::pair<CudnnVersion, std::string>> best;
  for (const auto& e : *entries) {
    auto suffix = so_version_suffix(e.name, "libcudnn.so");
    if (!suffix || std::count(suffix->begin(), suffix->end(), '.') < 2) continue;
    auto v = CudnnVersion::parse(*suffix);
    if (v && (!best || best->first < *v)) best = std::make_pair(*v, dir + "/" + e.name);
  }
  return best;
}

std::optional<std::pair<CudnnVersion, std::string>> cudnn_from_headers(ProbeContext& ctx,
                                                                       const std::string& dir) {
  for (const char* name : {"cudnn_version.h", "cudnn.h"}) {
    std::string path = dir + "/" + name;
    const std::string* text = ctx.read(path);
    if (text == nullptr) continue;
    auto v = parse_cudnn_header(*text);
    if (v) return std::make_pair(*v, path);
  }
  return std::nullopt;
}

void add_cudnn(ProbeContext& ctx, const std::vector<std::string>& include_dirs,
               const std::vector<std::string>& lib_dirs, const std::string& where) {
  std::optional<std::pair<CudnnVersion, std::string>> hit;
  for (const auto& d : include_dirs)
    if ((hit = cudnn_from_headers(ctx, d))) break;
  if (!hit) {
    // lib64 is usually a link to targets/<arch>/lib: list each real folder once.
    std::vector<std::string> seen;
    for (const auto& d : lib_dirs) {
      std::string canon = ctx.canonical(d);
      if (std::find(seen.begin(), seen.end(), canon) != seen.end()) continue;
      seen.push_back(canon);
      if ((hit = cudnn_from_libs(ctx, d))) break;
    }
  }
  if (!hit) return;
  std::string canon = ctx.canonical(hit->second);
  for (const auto& c : ctx.m.cudnn)
    if (ctx.canonical(c.path) == canon) return;
  ctx.m.cudnn.push_back({Fact<CudnnVersion>::of(hit->first, hit->second), hit->second, where});
}

}  // namespace

void probe_cudnn(ProbeContext& ctx) {
  for (const auto& tk : ctx.m.toolkits) {
    std::vector<std::string> inc{tk.path + "/include"}, lib{tk.path + "/lib64", tk.path + "/lib"};
    if (const auto* targets = ctx.list(tk.path + "/targets"))
      for (const auto& t : *targets) {
        inc.push_back(tk.path + "/targets/" + t.name + "/include");
        lib.push_back(tk.path + "/targets/" + t.name + "/lib");
      }
    add_cudnn(ctx, inc, lib, "toolkit " + tk.path);
  }
  add_cudnn(ctx,
            {"/usr/include", "/usr/include/x86_64-linux-gnu", "/usr/include/aarch64-linux-gnu",
             "/usr/local/include"},
            {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
             "/usr/local/lib"},
            "system");
  for (const auto& dir : ctx.ld_library_path()) {
    bool in_toolkit = false;
    for (const auto& tk : ctx.m.toolkits)
      if (starts_with(ctx.canonical(dir), tk.path + "/")) in_toolkit = true;
    if (!in_toolkit) add_cudnn(ctx, {}, {dir}, "LD_LIBRARY_PATH " + dir);
  }
}

}  // namespace cudafit
