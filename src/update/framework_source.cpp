// Other frameworks' releases newer than the data (tensorflow, jax-cudaNN-plugin, cupy-cudaNNx,
// vllm, xformers, flash-attn, triton): frameworks.csv rows from each release's METADATA — its
// Requires-Python, the CUDA and cuDNN its CUDA extra pins, the torch it requires — and a triton
// row for every new torch release's triton pin.
#include <algorithm>
#include <cctype>
#include <set>

#include "update/sources.h"
#include "util/strings.h"

namespace cudafit {

namespace {

// Every version-looking token of a frameworks.csv version cell ("0.4.30+ / 0.7.2+",
// "2.5.8.post2", "v10-v14", "CuPy v12.0.0 - current"): the newest one.
std::optional<Pep440Version> newest_in(std::string_view text) {
  std::optional<Pep440Version> best;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '.'))
      ++j;
    std::string token(text.substr(i, j - i));
    while (!token.empty() && token.back() == '.') token.pop_back();
    auto v = Pep440Version::parse(token);
    if (v && (!best || *v > *best)) best = *v;
    i = j;
  }
  return best;
}

// "jax-cuda{cuda_major}-plugin" for each CUDA major of the data from 11 on, and the next one.
std::vector<std::pair<std::string, int>> expand(const std::string& pattern,
                                                const KnowledgeBase& base) {
  const std::string hole = "{cuda_major}";
  auto at = pattern.find(hole);
  if (at == std::string::npos) return {{pattern, 0}};
  std::set<int> majors;
  for (const auto& c : base.cuda_releases())
    if (c.version.major() >= 11) majors.insert(c.version.major());
  if (!majors.empty()) majors.insert(*majors.rbegin() + 1);
  std::vector<std::pair<std::string, int>> out;
  out.reserve(majors.size());
  for (int m : majors)
    out.emplace_back(pattern.substr(0, at) + std::to_string(m) + pattern.substr(at + hole.size()),
                     m);
  return out;
}

std::string torch_column(const WheelMetadata& m) {
  std::string req = requirement_on(m, "torch");
  if (req == "none") return "";
  std::string spec = req.substr(5);  // after "torch"
  if (starts_with(spec, "==") && spec.find(',') == std::string::npos) return spec.substr(2);
  return spec;
}

}  // namespace

void collect_frameworks(SourceContext& ctx, const TorchFacts& facts) {
  std::map<std::string, std::optional<Pep440Version>> newest;  // framework -> newest in the data
  for (const auto& f : ctx.base.frameworks()) {
    auto v = newest_in(f.version);
    auto& n = newest[f.framework];
    if (v && (!n || *v > *n)) n = v;
  }
  // triton: the pin of every new torch release (its Linux wheels require it).
  std::map<std::string, std::vector<std::string>> torch_of_triton;
  for (const auto& [key, pins] : facts.pins)
    if (!pins.triton.empty() && ends_with(key, " linux-x86_64"))
      torch_of_triton[pins.triton].push_back(key.substr(0, key.find(' ')));

  for (const auto& package : ctx.options.sources.packages) {
    if (package.framework.empty()) continue;  // torch and its companions: their own sources
    for (const auto& [name, major] : expand(package.name, ctx.base)) {
      bool failed = false;
      auto read = ctx.project(name, /*hard=*/false, &failed);
      if (failed) ctx.out.keep_frameworks.insert(package.framework);
      if (!read) continue;
      const auto& known = newest[package.framework];
      std::map<Pep440Version, std::vector<const IndexFile*>> by_version;
      for (const auto& f : read->page.files) {
        std::string version;
        if (auto w = parse_wheel_name(f.filename)) {
          if (w->name != normalize_package_name(name)) continue;
          version = w->version;
        } else if (ends_with(f.filename, ".tar.gz")) {
          std::string stem = f.filename.substr(0, f.filename.size() - 7);
          version = stem.substr(stem.rfind('-') + 1);
        }
        auto v = final_release(version);
        if (v) by_version[*v].push_back(&f);
      }
      if (by_version.empty()) continue;
      // Releases newer than the data's newest; only the newest when the data names none.
      std::vector<Pep440Version> wanted;
      for (const auto& [v, _] : by_version)
        if (!known || v > *known) wanted.push_back(v);
      if (!known) wanted = {by_version.rbegin()->first};
      for (const auto& v : wanted) {
        const auto& files = by_version[v];
        std::vector<const IndexFile*> wheels;
        std::string requires_python;
        bool all_yanked = true;
        for (const IndexFile* f : files) {
          if (parse_wheel_name(f->filename)) wheels.push_back(f);
          if (requires_python.empty()) requires_python = f->requires_python;
          all_yanked = all_yanked && f->yanked;
        }
        CsvRecord row{{"framework", package.framework},
                      {"version", v.str()},
                      {"python", requires_python},
                      {"fetched", read->fetched}};
        std::vector<std::string> notes{"from " + name + "'s METADATA (cudafit update)"};
        if (all_yanked) notes.push_back("yanked");
        if (major > 0 && package.framework == "cupy") row["cuda"] = std::to_string(major) + ".x";
        const IndexFile* wheel = pick_wheel(wheels, Platform::kLinuxX86_64);
        if (wheel == nullptr) {
          row["source"] = read->url + " (package index): " + name + " " + v.str();
          notes.push_back("only a source archive: its requirements were not read");
        } else {
          std::string purpose = name + " " + v.str() + " metadata";
          ctx.progress(purpose + " ...");
          MetadataRead m = read_wheel_metadata(ctx.fetch, *wheel, purpose);
          auto parsed =
              m.ok ? parse_wheel_metadata(m.text) : Result<WheelMetadata>(make_error(m.error));
          if (!parsed) {
            ctx.out.notes.push_back(name + " " + v.str() + ": METADATA not read (" +
                                    parsed.error() + "); its rows stay as they were");
            ctx.out.keep_frameworks.insert(package.framework);
            continue;
          }
          if (!parsed->requires_python.empty()) row["python"] = parsed->requires_python;
          BuildPins pins = build_pins(*parsed, marker_env(Platform::kLinuxX86_64, "3.12"),
                                      {"and-cuda", "with-cuda", "cuda"});
          if (package.framework == "tensorflow" && pins.cuda)
            row["cuda"] = pins.cuda->major_minor();
          if (package.framework == "jax") {
            if (!pins.cuda_spec.empty())
              row["cuda"] = pins.cuda_spec;
            else if (major > 0)
              row["cuda"] = std::to_string(major) + ".x";
          }
          row["cudnn"] = !pins.cudnn.empty() ? pins.cudnn : pins.cudnn_spec;
          if (package.framework != "triton") row["torch"] = torch_column(*parsed);
          row["source"] = "METADATA of " + wheel->filename + " (" + m.how + ", " + read->url + ")";
        }
        row["notes"] = join(notes, "; ");
        if (package.framework == "triton" && torch_of_triton.count(v.str())) continue;  // below
        ctx.out.rows.push_back({kFrameworksFile, std::move(row)});
      }
    }
  }
  for (const auto& [triton, torches] : torch_of_triton) {
    for (const auto& torch : torches) {
      CsvRecord row{{"framework", "triton"},
                    {"version", triton},
                    {"torch", torch},
                    {"source", "METADATA of torch " + torch +
                                   " (Linux x86_64 wheel, PyPI): Requires-Dist triton==" + triton},
                    {"notes", "pinned by torch " + torch + " (cudafit update)"},
                    {"fetched", facts.torch_fetched}};
      ctx.out.rows.push_back({kFrameworksFile, std::move(row)});
    }
  }
}

}  // namespace cudafit
