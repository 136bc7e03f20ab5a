// torchvision and torchaudio releases newer than the data: torch-companion-releases.csv rows
// from PyPI's listing and each release's own METADATA (its torch requirement), and which torch
// release each pins exactly (torch-releases.csv's companion columns).
#include <algorithm>

#include "update/sources.h"
#include "util/strings.h"

namespace cudafit {

namespace {

// "torch==2.12.0" -> "2.12.0" (normal form); "" for anything but one exact pin.
std::string exact_torch(const std::string& requirement) {
  if (!starts_with(requirement, "torch==") || requirement.find(',') != std::string::npos ||
      requirement.find('|') != std::string::npos)
    return "";
  auto v = Pep440Version::parse(requirement.substr(7));
  return v && v->local().empty() ? v->str() : "";
}

// The version a file of `package` is of: its wheel name's, or an sdist's "pkg-1.2.tar.gz".
std::string version_of_file(const std::string& package, const std::string& filename) {
  if (auto w = parse_wheel_name(filename)) return w->version;
  for (const char* ext : {".tar.gz", ".zip"}) {
    if (!ends_with(filename, ext)) continue;
    std::string stem = filename.substr(0, filename.size() - std::string_view(ext).size());
    auto dash = stem.rfind('-');
    if (dash == std::string::npos) return "";
    if (normalize_package_name(stem.substr(0, dash)) != package) return "";
    return stem.substr(dash + 1);
  }
  return "";
}

}  // namespace

void collect_companions(SourceContext& ctx, TorchFacts& facts) {
  for (const std::string package : {"torchvision", "torchaudio"}) {
    auto& pins = package == "torchvision" ? facts.torchvision_of : facts.torchaudio_of;
    // The data's own pins first: a torch release newer than the data may be pinned by one.
    std::optional<Pep440Version> newest;
    for (const CompanionRelease* c : ctx.base.companion_releases_of(package)) {
      if (!newest || c->version > *newest) newest = c->version;
      std::string torch = exact_torch(c->torch_requirement);
      if (!torch.empty() && !c->yanked) pins[torch] = c->version.str();
    }
    auto read = ctx.project(package, /*hard=*/true);
    if (!read) continue;
    std::map<Pep440Version, std::vector<const IndexFile*>> by_version;
    for (const auto& f : read->page.files) {
      auto v = final_release(version_of_file(package, f.filename));
      if (v && (!newest || *v > *newest)) by_version[*v].push_back(&f);
    }
    for (const auto& [version, files] : by_version) {
      CsvRecord row{{"package", package}, {"version", version.str()}, {"fetched", read->fetched}};
      std::string first;
      std::size_t yanked = 0;
      std::string reason;
      for (const IndexFile* f : files) {
        if (!f->upload_time.empty() && (first.empty() || f->upload_time < first))
          first = f->upload_time;
        if (f->yanked) {
          ++yanked;
          if (reason.empty()) reason = f->yanked_reason;
        }
      }
      row["date"] = date_of(first);
      row["yanked"] = yanked == files.size() ? "yes" : "no";
      std::vector<const IndexFile*> wheels;
      for (const IndexFile* f : files)
        if (parse_wheel_name(f->filename)) wheels.push_back(f);
      const IndexFile* wheel = pick_wheel(wheels, Platform::kLinuxX86_64);
      std::vector<std::string> notes;
      if (!reason.empty()) notes.push_back("yanked: " + reason);
      if (wheel == nullptr) {
        row["source"] = read->url + " (PEP 691 JSON): no wheel";
        notes.push_back("only a source archive: its METADATA was not read");
      } else {
        std::string purpose = package + " " + version.str() + " metadata";
        ctx.progress(purpose + " ...");
        MetadataRead m = read_wheel_metadata(ctx.fetch, *wheel, purpose);
        auto parsed =
            m.ok ? parse_wheel_metadata(m.text) : Result<WheelMetadata>(make_error(m.error));
        if (!parsed) {
          ctx.out.failures.push_back(package + " " + version.str() +
                                     ": its METADATA could not be read (" + parsed.error() + ")");
          if (m.failure == HttpFailure::kOffline && ctx.out.offline.empty())
            ctx.out.offline = "cannot reach " + wheel->url + " (" + m.error + ")";
          continue;
        }
        row["requires_python"] = parsed->requires_python;
        row["torch_requirement"] = requirement_on(*parsed, "torch");
        row["source"] = "METADATA of " + wheel->filename + " (" + m.how + ", " + read->url + ")";
        std::string torch = exact_torch(row["torch_requirement"]);
        if (!torch.empty() && row["yanked"] == "no") {
          pins[torch] = version.str();
          facts.newly_pinned.insert(package + " " + version.str());
        }
      }
      row["notes"] = join(notes, "; ");
      ctx.out.rows.push_back({kCompanionReleasesFile, std::move(row)});
    }
  }
}

}  // namespace cudafit
