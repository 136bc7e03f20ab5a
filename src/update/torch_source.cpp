// torch releases newer than the data: from PyPI's listing (wheels, tags, Requires-Python, upload
// times) and each release's METADATA per platform (the CUDA its PyPI wheel is built with: the
// default variant), then the PyTorch index's variant pages (which variants the release has,
// per platform and Python), and each new CUDA variant's arch list (the previous release's,
// assumed; or, with --deep, read from the wheel). Rows of torch-releases.csv,
// torch-wheels.csv, torch-variants.csv and torch-arch-lists.csv.
#include <algorithm>
#include <list>
#include <set>

#include "update/sources.h"
#include "util/strings.h"

namespace cudafit {

namespace {

constexpr Platform kPlatforms[] = {Platform::kLinuxX86_64, Platform::kLinuxAarch64,
                                   Platform::kWindowsX86_64};

// The wheels of one (release, index, platform).
struct WheelGroup {
  std::vector<const IndexFile*> files;
  std::vector<std::string> tags;
  std::set<std::string> requires_python;
  std::string first_upload;
  std::size_t yanked = 0;

  void add(const IndexFile& f, const WheelName& w) {
    files.push_back(&f);
    tags.insert(tags.end(), w.cpython.begin(), w.cpython.end());
    requires_python.insert(f.requires_python);
    if (!f.upload_time.empty() && (first_upload.empty() || f.upload_time < first_upload))
      first_upload = f.upload_time;
    if (f.yanked) ++yanked;
  }
  std::string pythons() {
    sort_tags(tags);
    return join(tags, " ");
  }
  std::string one_requires_python() const {
    return requires_python.size() == 1 ? *requires_python.begin() : "";
  }
};

std::string platform_name(Platform p) { return std::string(to_string(p)); }

// The newest plain CPython of a wheel, as a marker's python_version ("3.12").
std::string python_of_wheel(const IndexFile& f) {
  auto w = parse_wheel_name(f.filename);
  std::vector<std::string> tags = w ? w->cpython : std::vector<std::string>{};
  sort_tags(tags);
  for (auto it = tags.rbegin(); it != tags.rend(); ++it)
    if (it->back() != 't') return python_of_tag(*it);
  return tags.empty() ? "3.12" : python_of_tag(tags.back());
}

std::string variant_of_cuda(const CudaVersion& c) { return c.major_minor_only().variant(); }

struct VariantFound {
  std::map<Platform, WheelGroup> platforms;  // wheels on the PyTorch index
  std::string page_url, fetched;
};

// Variant pages worth asking for: the variants of the data's newest releases, the PyPI default
// of each new release, a CUDA variant for every CUDA release in the data from the oldest CUDA
// variant of the newest release on, and cpu.
std::set<std::string> variant_candidates(const KnowledgeBase& base,
                                         const std::set<std::string>& defaults) {
  std::set<std::string> out(defaults.begin(), defaults.end());
  out.insert("cpu");
  const auto& releases = base.torch_releases();
  std::optional<CudaVersion> lowest;
  for (std::size_t i = releases.size() >= 2 ? releases.size() - 2 : 0; i < releases.size(); ++i) {
    for (const TorchVariant* v : base.variants_of(releases[i].version)) {
      out.insert(v->variant);
      if (v->cuda && i + 1 == releases.size() && (!lowest || *v->cuda < *lowest))
        lowest = v->cuda->major_minor_only();
    }
  }
  if (lowest)
    for (const auto& c : base.cuda_releases())
      if (c.version.major_minor_only() >= *lowest) out.insert(variant_of_cuda(c.version));
  return out;
}

std::string arch_text(const std::vector<ComputeCapability>& ccs) {
  std::vector<std::string> parts;
  parts.reserve(ccs.size());
  for (const auto& c : ccs) parts.push_back(c.str());
  return join(parts, " ");
}

struct PreviousList {
  std::string torch, sass, ptx, where;
};

}  // namespace

void collect_torch(SourceContext& ctx, TorchFacts& facts) {
  const TorchRelease* newest = ctx.base.newest_torch();
  auto read = ctx.project("torch", /*hard=*/true);
  if (!read) return;
  facts.torch_fetched = read->fetched;

  // ---- PyPI: the new releases' wheels, per platform ----
  std::map<Pep440Version, std::map<Platform, WheelGroup>> pypi;
  for (const auto& f : read->page.files) {
    auto w = parse_wheel_name(f.filename);
    if (!w || w->name != "torch" || !w->platform) continue;
    auto v = final_release(w->version);
    if (!v || (newest != nullptr && *v <= newest->version)) continue;
    pypi[*v][*w->platform].add(f, *w);
  }
  std::set<std::string> defaults;
  std::map<std::string, std::string> default_of;  // release -> variant
  std::map<std::string, std::string> metadata_source;
  for (auto& [release, by_platform] : pypi) {
    const std::string r = release.str();
    facts.new_releases.push_back(r);
    for (Platform p : kPlatforms) {
      CsvRecord row{{"torch", r},
                    {"index", "pypi"},
                    {"platform", platform_name(p)},
                    {"fetched", read->fetched}};
      auto it = by_platform.find(p);
      if (it == by_platform.end()) {
        row["evidence"] = "none";
        row["source"] = read->url + " (PEP 691 JSON)";
        row["notes"] = "PyPI has torch " + r + " files, none for " + platform_name(p);
        ctx.out.rows.push_back({kTorchWheelsFile, std::move(row)});
        continue;
      }
      WheelGroup& g = it->second;
      row["pythons"] = g.pythons();
      row["requires_python"] = g.one_requires_python();
      row["evidence"] = "listed";
      row["uploaded"] = date_of(g.first_upload);
      row["source"] = read->url + " (PEP 691 JSON): " + std::to_string(g.files.size()) + " torch-" +
                      r + " " + platform_name(p) + " wheel files";
      std::vector<std::string> notes;
      if (g.requires_python.size() > 1)
        notes.push_back(
            "files disagree on Requires-Python: " +
            join(std::vector<std::string>(g.requires_python.begin(), g.requires_python.end()),
                 " | "));
      if (g.yanked > 0)
        notes.push_back(g.yanked == g.files.size() ? "yanked" : "some files yanked");
      row["notes"] = join(notes, "; ");
      ctx.out.rows.push_back({kTorchWheelsFile, std::move(row)});

      // What this platform's PyPI wheel pins: its CUDA is the default variant's.
      const IndexFile* wheel = pick_wheel(g.files, p);
      if (wheel == nullptr) continue;
      std::string purpose = "torch " + r + " " + platform_name(p) + " metadata";
      ctx.progress(purpose + " ...");
      MetadataRead m = read_wheel_metadata(ctx.fetch, *wheel, purpose);
      auto parsed =
          m.ok ? parse_wheel_metadata(m.text) : Result<WheelMetadata>(make_error(m.error));
      if (!parsed) {
        ctx.out.failures.push_back("torch " + r + " " + platform_name(p) +
                                   ": its METADATA could not be read (" + parsed.error() + ")");
        if (m.failure == HttpFailure::kOffline && ctx.out.offline.empty())
          ctx.out.offline = "cannot reach " + wheel->url + " (" + m.error + ")";
        continue;
      }
      BuildPins pins = build_pins(*parsed, marker_env(p, python_of_wheel(*wheel)));
      facts.pins[r + " " + platform_name(p)] = pins;
      if (p == Platform::kLinuxX86_64) {
        metadata_source[r] = "METADATA of " + wheel->filename + " (" + m.how + ")";
        if (pins.cuda) {
          default_of[r] = variant_of_cuda(*pins.cuda);
          defaults.insert(default_of[r]);
        }
      }
    }
  }

  // ---- The PyTorch index: which variants each new release has ----
  std::map<std::string, std::map<std::string, VariantFound>> found;  // release -> variant -> ..
  std::list<ReadPage> pages;  // the wheel groups point into them
  if (!pypi.empty()) {
    // Which variants the new releases have: the page of every variant's wheels names them
    // (a new CUDA or ROCm variant included); the data's recent variants are asked for anyway.
    std::set<std::string> candidates = variant_candidates(ctx.base, defaults);
    if (auto all = ctx.pytorch_page("")) {
      for (const auto& f : all->page.files) {
        auto w = parse_wheel_name(f.filename);
        if (!w || w->name != "torch" || w->local.empty()) continue;
        auto v = final_release(w->public_version);
        if (v && pypi.count(*v) > 0) candidates.insert(w->local);
      }
    }
    for (const std::string& variant : candidates) {
      auto read_page = ctx.pytorch_page(variant);
      if (!read_page) continue;
      const ReadPage* page = &pages.emplace_back(std::move(*read_page));
      for (const auto& f : page->page.files) {
        auto w = parse_wheel_name(f.filename);
        if (!w || w->name != "torch" || !w->platform || w->local != variant) continue;
        auto v = final_release(w->public_version);
        if (!v || pypi.count(*v) == 0) continue;
        VariantFound& vf = found[v->str()][variant];
        vf.page_url = page->url;
        vf.fetched = page->fetched;
        vf.platforms[*w->platform].add(f, *w);
      }
    }
  }

  // ---- Rows per new release and variant ----
  std::map<std::pair<std::string, Platform>, PreviousList> assumed_before;  // this run's lists
  for (auto& [release, by_platform] : pypi) {
    const std::string r = release.str();
    const std::string def = default_of.count(r) ? default_of[r] : "";
    const BuildPins* x86 =
        facts.pins.count(r + " linux-x86_64") ? &facts.pins[r + " linux-x86_64"] : nullptr;
    // torch-releases.csv
    std::string first;
    std::set<std::string> rps;
    for (auto& [p, g] : by_platform) {
      if (!g.first_upload.empty() && (first.empty() || g.first_upload < first))
        first = g.first_upload;
      if (p == Platform::kLinuxX86_64) rps = g.requires_python;
    }
    CsvRecord rel{{"torch", r},
                  {"date", date_of(first)},
                  {"requires_python", rps.size() == 1 ? *rps.begin() : ""},
                  {"torchvision", facts.torchvision_of.count(r) ? facts.torchvision_of[r] : ""},
                  {"torchaudio", facts.torchaudio_of.count(r) ? facts.torchaudio_of[r] : ""},
                  {"pypi_default_variant", def},
                  {"fetched", read->fetched}};
    rel["source"] = read->url + " (PEP 691 JSON: first upload, Requires-Python)" +
                    (metadata_source.count(r) ? "; " + metadata_source[r] : std::string());
    std::vector<std::string> notes{
        "pythons: the wheels that exist per platform are in torch-wheels.csv (RELEASE.md's "
        "ranges are not read by cudafit update)"};
    if (def.empty() && x86 != nullptr)
      notes.push_back("the Linux x86_64 wheel pins no CUDA library: default variant not known");
    if (!rel["torchvision"].empty() || !rel["torchaudio"].empty())
      notes.push_back(
          "companions: the torchvision/torchaudio releases whose METADATA pins torch==" + r);
    rel["notes"] = join(notes, "; ");
    ctx.out.rows.push_back({kTorchReleasesFile, std::move(rel)});

    // Variants: those on the PyTorch index, and the PyPI default (on the platforms whose PyPI
    // wheel pins its CUDA).
    std::map<std::string, VariantFound> variants = found[r];
    if (!def.empty()) variants[def];  // present even when the index was not read
    for (auto& [variant, vf] : variants) {
      const bool is_default = variant == def;
      auto cuda = starts_with(variant, "cu") ? CudaVersion::from_variant(variant)
                                             : Result<CudaVersion>(make_error("not CUDA"));
      std::set<Platform> platforms;
      for (const auto& [p, _] : vf.platforms) platforms.insert(p);
      if (is_default)
        for (Platform p : kPlatforms) {
          auto pins = facts.pins.find(r + " " + platform_name(p));
          if (pins != facts.pins.end() && pins->second.cuda &&
              variant_of_cuda(*pins->second.cuda) == variant)
            platforms.insert(p);
        }
      std::vector<std::string> platform_names;
      for (Platform p : kPlatforms)
        if (platforms.count(p)) platform_names.push_back(platform_name(p));
      std::string index_url = ctx.options.pytorch_url;
      while (!index_url.empty() && index_url.back() == '/') index_url.pop_back();
      CsvRecord row{{"torch", r},
                    {"variant", variant},
                    {"cuda", cuda ? cuda->major_minor() : ""},
                    {"rocm", starts_with(variant, "rocm") ? variant.substr(4) : ""},
                    {"index_url", index_url + "/" + variant},
                    {"status", is_default ? "default-pypi" : ""},  // stable/experimental: not read
                    {"cudnn", is_default && x86 ? x86->cudnn : ""},
                    {"nccl", is_default && x86 ? x86->nccl : ""},
                    {"platforms", join(platform_names, " ")},
                    {"fetched", vf.fetched.empty() ? read->fetched : vf.fetched}};
      std::vector<std::string> sources, vnotes;
      if (!vf.page_url.empty()) sources.push_back(vf.page_url + " (PEP 503)");
      if (is_default) {
        sources.push_back(metadata_source[r] + ": " + x86->cuda_pin);
        vnotes.push_back("the CUDA pinned by the PyPI wheel's METADATA makes it the default");
      } else {
        vnotes.push_back(
            "status (stable/experimental) is RELEASE.md's word: not read; cuDNN/NCCL: not read");
      }
      row["source"] = join(sources, "; ");
      row["notes"] = join(vnotes, "; ");
      ctx.out.rows.push_back({kTorchVariantsFile, std::move(row)});
      if (cuda) facts.variant_cuda.insert(cuda->major_minor());

      // torch-wheels.csv: the variant's own index, per platform.
      for (auto& [p, g] : vf.platforms) {
        CsvRecord w{
            {"torch", r},
            {"index", variant},
            {"platform", platform_name(p)},
            {"pythons", g.pythons()},
            {"requires_python", g.one_requires_python()},
            {"evidence", "listed"},
            {"source", vf.page_url + " (PEP 503): " + std::to_string(g.files.size()) + " torch-" +
                           r + "+" + variant + " " + platform_name(p) + " wheel files"},
            {"fetched", vf.fetched}};
        ctx.out.rows.push_back({kTorchWheelsFile, std::move(w)});
      }

      // torch-arch-lists.csv: read (--deep), else the previous release's list of the variant.
      if (!cuda) continue;
      for (Platform p : kPlatforms) {
        if (!platforms.count(p)) continue;
        const std::string pn = platform_name(p);
        if (ctx.base.arch_list(release, variant, p) != nullptr) continue;  // the data has it
        CsvRecord a{{"torch_from", r},
                    {"torch_to", r},
                    {"variant", variant},
                    {"platform", pn},
                    {"fetched", vf.fetched.empty() ? read->fetched : vf.fetched}};
        bool measured = false;
        if (ctx.options.deep) {
          std::vector<const IndexFile*> files;
          if (auto g = vf.platforms.find(p); g != vf.platforms.end()) files = g->second.files;
          if (files.empty() && is_default && by_platform.count(p)) files = by_platform[p].files;
          const IndexFile* wheel = pick_wheel(files, p);
          if (wheel != nullptr) {
            std::string purpose = "torch " + r + " " + variant + " " + pn + " arch list (--deep)";
            ctx.progress(purpose + " ...");
            MeasuredArchs m = measure_arch_list(ctx.fetch, *wheel, purpose);
            if (m.ok) {
              a["sass"] = m.sass;
              a["ptx"] = m.ptx;
              a["source"] = "measured (--deep): fatbins of " + m.member + " in " + wheel->url;
              a["notes"] = "archs present in every code container of the library";
              measured = true;
              assumed_before[{variant, p}] = {r, m.sass, m.ptx, "measured by this update"};
            } else {
              ctx.out.notes.push_back("torch " + r + " " + variant + " " + pn +
                                      ": the arch list could not be read (" + m.error +
                                      "): the previous release's is assumed");
            }
          }
        }
        if (!measured) {
          // The same variant's list of the newest release before this one.
          PreviousList prev;
          if (auto it = assumed_before.find({variant, p}); it != assumed_before.end()) {
            prev = it->second;
          } else {
            const TorchArchList* best = nullptr;
            for (const auto& l : ctx.base.torch_arch_lists())
              if (l.platform == p && l.variant == variant && l.torch_to < release &&
                  (best == nullptr || best->torch_to < l.torch_to))
                best = &l;
            if (best != nullptr)
              prev = {best->torch_to.str(), arch_text(best->sass), arch_text(best->ptx),
                      best->from.where()};
          }
          if (prev.torch.empty()) {
            ctx.out.notes.push_back("torch " + r + " " + variant + " " + pn +
                                    ": no earlier arch list of " + variant +
                                    " to assume; unknown (`cudafit update --deep` reads it)");
            continue;
          }
          a["sass"] = prev.sass;
          a["ptx"] = prev.ptx;
          a["source"] = "assumed: the list of torch " + prev.torch + " " + variant + " (" +
                        prev.where + "); " + (vf.page_url.empty() ? read->url : vf.page_url);
          a["notes"] =
              "assumed, not read from this release's wheel: the same variant's previous "
              "list (`cudafit update --deep` reads the wheel's own)";
          assumed_before[{variant, p}] = prev;  // a later release names the same origin
        }
        ctx.out.rows.push_back({kTorchArchListsFile, std::move(a)});
      }
    }
  }

  // The data's own releases whose companions were unknown and now are (a release pinned by a
  // torchvision/torchaudio published after the data was written).
  for (const auto& data_row : ctx.data.rows(kTorchReleasesFile)) {
    auto t = data_row.find("torch");
    if (t == data_row.end()) continue;
    auto v = Pep440Version::parse(t->second);
    if (!v) continue;
    CsvRecord fill = data_row;
    bool any = false;
    for (const auto& [column, pins] :
         {std::pair<std::string, const std::map<std::string, std::string>*>{"torchvision",
                                                                            &facts.torchvision_of},
          {"torchaudio", &facts.torchaudio_of}}) {
      auto pin = pins->find(v->str());
      if (pin == pins->end() || !trim(fill[column]).empty()) continue;
      if (facts.newly_pinned.count(column + " " + pin->second) == 0) continue;
      fill[column] = pin->second;
      any = true;
    }
    if (!any) continue;
    fill["source"] = "the companion's METADATA pins torch==" + v->str() + " (" + read->url + ")";
    fill["notes"] = "companions filled by cudafit update";
    fill["fetched"] = read->fetched;
    ctx.out.rows.push_back({kTorchReleasesFile, std::move(fill)});
  }
}

}  // namespace cudafit
