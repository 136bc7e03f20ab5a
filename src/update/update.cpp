// The update: every source read, each candidate row checked against the data (new, fills,
// already known, contradicts), the previous overlay's rows kept where their source failed,
// and the overlay written as one new generation when it says something new.
#include "update/update.h"

#include <algorithm>
#include <set>

#include "kb/embedded.h"
#include "kb/overlay.h"
#include "update/overlay_store.h"
#include "update/sources.h"
#include "util/csv.h"
#include "util/strings.h"

namespace cudafit {

namespace {

constexpr const char* kUpdateSourcesFile = "update-sources.csv";

std::string cell(const CsvRecord& r, std::string_view c) {
  auto it = r.find(c);
  return it == r.end() ? std::string() : std::string(trim(it->second));
}

// The columns that name a row, for the diff's key column.
std::string key_of(const std::string& file, const CsvRecord& r) {
  std::vector<std::string> parts;
  auto add = [&](std::string_view c) {
    std::string v = cell(r, c);
    if (!v.empty()) parts.push_back(v);
  };
  if (file == kTorchReleasesFile) {
    add("torch");
  } else if (file == kTorchVariantsFile) {
    add("torch");
    add("variant");
  } else if (file == kTorchWheelsFile) {
    add("torch");
    add("index");
    add("platform");
  } else if (file == kTorchArchListsFile) {
    std::string from = cell(r, "torch_from"), to = cell(r, "torch_to");
    parts.push_back(from == to ? from : from + "-" + to);
    add("variant");
    add("platform");
  } else if (file == kCompanionReleasesFile) {
    add("package");
    add("version");
  } else if (file == kCudaFile) {
    add("toolkit");
  } else if (file == kFrameworksFile) {
    add("framework");
    add("version");
    if (!cell(r, "torch").empty()) parts.push_back("torch " + cell(r, "torch"));
    if (!cell(r, "cuda").empty()) parts.push_back("cuda " + cell(r, "cuda"));
  }
  return join(parts, " ");
}

// What a new row says, briefly: its fact cells.
std::string summary_of(const std::vector<std::string>& columns, const CsvRecord& r,
                       const std::string& file) {
  static const std::set<std::string> skip = {
      "source",  "notes",   "fetched", "torch",     "variant",    "index",   "platform",
      "package", "version", "toolkit", "framework", "torch_from", "torch_to"};
  std::vector<std::string> parts;
  for (const auto& c : columns) {
    if (skip.count(c)) continue;
    std::string v = cell(r, c);
    if (v.empty()) continue;
    parts.push_back(c + " " + v);
  }
  if (file == kFrameworksFile && !cell(r, "torch").empty())
    parts.push_back("torch " + cell(r, "torch"));
  std::string notes = cell(r, "notes");
  if (starts_with(notes, "assumed")) parts.push_back("(assumed)");
  return join(parts, ", ");
}

std::string rows_text(const std::vector<std::string>& header, const std::vector<CsvRecord>& rows) {
  std::string out;
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (i > 0) out += ',';
      out += csv_escape(cell(r, header[i]));
    }
    out += '\n';
  }
  return out;
}

}  // namespace

std::string update_cache_dir_for(const Host& env) {
  auto xdg = env.env("XDG_CACHE_HOME");
  if (xdg && !xdg->empty() && xdg->front() == '/') return path_join(*xdg, "cudafit/http");
  auto home = env.env("HOME");
  if (home && !home->empty() && home->front() == '/')
    return path_join(*home, ".cache/cudafit/http");
  return "";
}

Result<UpdateSources> read_update_sources(const Host& fs, const std::string& data_dir) {
  std::string text;
  if (!data_dir.empty() && fs.exists(path_join(data_dir, kUpdateSourcesFile))) {
    auto t = fs.read_file(path_join(data_dir, kUpdateSourcesFile));
    if (!t) return make_error(t.error());
    text = std::move(t).value();
  } else {
    for (std::size_t i = 0; i < kEmbeddedFileCount; ++i)
      if (std::string_view(kEmbeddedFiles[i].name) == kUpdateSourcesFile)
        text.assign(kEmbeddedFiles[i].data, kEmbeddedFiles[i].size);
  }
  if (text.empty()) return make_error(std::string(kUpdateSourcesFile) + ": missing");
  auto t = parse_csv(text, kUpdateSourcesFile);
  if (!t) return make_error(t.error());
  int kind = t->column("kind"), name = t->column("name"), url = t->column("url"),
      framework = t->column("framework");
  if (kind < 0 || name < 0 || url < 0 || framework < 0)
    return make_error(std::string(kUpdateSourcesFile) +
                      ": header: expected kind,name,url,framework");
  UpdateSources s;
  for (const auto& row : t->rows) {
    std::string k(trim(row.fields[static_cast<std::size_t>(kind)]));
    std::string n(trim(row.fields[static_cast<std::size_t>(name)]));
    if (k == "package") {
      s.packages.push_back({n, std::string(trim(row.fields[static_cast<std::size_t>(framework)]))});
    } else {
      s.urls[n] = std::string(trim(row.fields[static_cast<std::size_t>(url)]));
    }
  }
  return s;
}

UpdateReport run_update(const KnowledgeBase& base, const UpdateOptions& options, HttpClient* http,
                        const Host& fs) {
  UpdateReport report;
  report.overlay_dir = options.overlay_dir;
  FetchOptions fo = options.fetch;
  fo.cache_dir = options.cache_dir;
  fo.offline = options.offline || http == nullptr;
  Fetcher fetch(http, fs, fo);
  OverlayBase data(base);
  Collected out;
  SourceContext ctx(fetch, base, data, options, out);
  TorchFacts facts;
  collect_companions(ctx, facts);
  collect_torch(ctx, facts);
  collect_frameworks(ctx, facts);
  collect_cuda(ctx, facts);
  report.notes = out.notes;
  report.failures = out.failures;
  report.total = fetch.total();
  report.counts = fetch.counts();

  // Each candidate against the data.
  std::map<std::string, std::vector<CsvRecord>> rows;  // file -> overlay rows
  std::set<std::string> seen;
  for (auto& c : out.rows) {
    std::string identity =
        c.file + "\n" + key_of(c.file, c.row) + "\n" + rows_text(data.columns(c.file), {c.row});
    if (!seen.insert(identity).second) continue;
    RowCheck check = data.check(c.file, c.row);
    DiffRow d{c.file, key_of(c.file, c.row), std::string(to_string(check.standing)), "",
              cell(c.row, "source")};
    switch (check.standing) {
      case RowStanding::kSame:
        ++report.known;
        continue;
      case RowStanding::kNew:
        d.detail = summary_of(data.columns(c.file), c.row, c.file);
        rows[c.file].push_back(c.row);
        break;
      case RowStanding::kFills: {
        // The data's row with its empty cells filled: a row that parses on its own.
        const CsvRecord* known = data.row_of_key(c.file, c.row);
        CsvRecord filled = known != nullptr ? *known : c.row;
        for (const auto& col : data.columns(c.file))
          if (cell(filled, col).empty()) filled[col] = cell(c.row, col);
        if (c.file == kTorchWheelsFile) {
          filled["pythons"] = cell(c.row, "pythons");
          filled["evidence"] = cell(c.row, "evidence");
        }
        filled["source"] = cell(c.row, "source");
        filled["notes"] = cell(c.row, "notes");
        filled["fetched"] = cell(c.row, "fetched");
        d.detail = join(check.fills, ", ") + " (" + check.builtin + ")";
        rows[c.file].push_back(std::move(filled));
        break;
      }
      case RowStanding::kConflict:
        d.detail = "not applied: " + join(check.conflicts, "; ") + " (" + check.builtin + ")";
        break;
    }
    report.diff.push_back(std::move(d));
  }

  // Rows of the previous overlay whose source could not be read this time stay.
  auto previous = read_overlay(fs, options.overlay_dir);
  std::map<std::string, std::string, std::less<>> previous_files;
  if (previous && *previous) previous_files = (*previous)->files;
  for (const auto& [name, text] : previous_files) {
    bool keep_file = (name == kCudaFile && out.keep_cuda) ||
                     (name == kFrameworksFile && !out.keep_frameworks.empty());
    if (!keep_file) continue;
    auto t = parse_csv(text, name);
    if (!t) continue;
    std::set<std::string> present;
    for (const auto& r : rows[name]) present.insert(key_of(name, r));
    for (const auto& row : t->rows) {
      CsvRecord r;
      for (std::size_t i = 0; i < t->header.size() && i < row.fields.size(); ++i)
        r.emplace(std::string(t->header[i]), std::string(row.fields[i]));
      if (name == kFrameworksFile && out.keep_frameworks.count(cell(r, "framework")) == 0) continue;
      if (!present.insert(key_of(name, r)).second) continue;
      report.diff.push_back({name, key_of(name, r), "kept",
                             "its source could not be read: the previous overlay's row stays",
                             cell(r, "source")});
      rows[name].push_back(std::move(r));
    }
  }

  std::map<std::string, std::string, std::less<>> files;
  for (const auto& name : overlay_file_names()) {
    auto it = rows.find(std::string(name));
    if (it == rows.end() || it->second.empty()) continue;
    report.rows += static_cast<int>(it->second.size());
    files.emplace(std::string(name), overlay_file_text(name, data.columns(name), it->second));
  }

  if (!out.failures.empty()) {
    if (!out.offline.empty()) {
      report.exit_code = 3;
      report.offline = "cudafit update: offline: " + out.offline + "; nothing changed";
    } else {
      report.exit_code = 1;
    }
    return report;
  }
  report.unchanged = previous && *previous && previous_files == files;
  if (options.dry_run || report.unchanged) return report;
  Status s = write_overlay_generation(options.overlay_dir, files,
                                      overlay_manifest_text(files, fetch.now(), options.version));
  if (!s) {
    report.write_error = s.error();
    report.exit_code = 1;
    return report;
  }
  report.written = true;
  return report;
}

}  // namespace cudafit
