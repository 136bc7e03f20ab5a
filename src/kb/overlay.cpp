// The overlay of `cudafit update` on disk: where it lives, its manifest, reading and checking
// it, and the text update writes. Comparing its rows with the data is overlay_rows.cpp's job,
// merging them overlay_merge.cpp's.
#include "kb/overlay.h"

#include <algorithm>

#include "kb/kb_impl.h"
#include "kb/overlay_impl.h"
#include "util/strings.h"

namespace cudafit {

namespace overlay_detail {

const std::vector<Schema>& schemas() {
  static const std::vector<Schema> all = {
      {kTorchReleasesFile, {"torch"}, {"source", "notes"}},
      {kTorchVariantsFile, {"torch", "variant"}, {"source", "notes"}},
      {kTorchWheelsFile, {"torch", "index", "platform"}, {"source", "fetched", "notes"}},
      // Arch lists are keyed by (variant, platform) and a release range: rows overlap.
      {kTorchArchListsFile, {"variant", "platform"}, {"source", "notes", "torch_from", "torch_to"}},
      {kCompanionReleasesFile, {"package", "version"}, {"source", "fetched", "notes"}},
      {kCudaFile, {"toolkit"}, {"source", "notes"}},
      // Free text, several rows a version (triton: one per torch; cupy: one per CUDA major).
      {kFrameworksFile, {"framework", "version", "torch", "cuda"}, {"source", "notes"}},
  };
  return all;
}

const Schema* schema_of(std::string_view file) {
  for (const auto& s : schemas())
    if (file == s.file) return &s;
  return nullptr;
}

bool is_free(const Schema& s, std::string_view column) {
  return std::find(s.free.begin(), s.free.end(), column) != s.free.end();
}

std::string_view cell(const CsvRecord& r, std::string_view column) {
  auto it = r.find(column);
  return it == r.end() ? std::string_view() : trim(it->second);
}

std::string words(std::string_view s) {
  std::vector<std::string> parts;
  for (auto w : split_ws(s)) parts.emplace_back(w);
  return join(parts, " ");
}

std::set<std::string> word_set(std::string_view s) {
  std::set<std::string> out;
  for (auto w : split_ws(s)) out.emplace(w);
  return out;
}

std::string hex64(std::uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 15];
  return s;
}

CsvRecord record_of(const CsvTable& t, const CsvTable::Row& row) {
  CsvRecord r;
  for (std::size_t i = 0; i < t.header.size() && i < row.fields.size(); ++i)
    r.emplace(std::string(t.header[i]), std::string(row.fields[i]));
  return r;
}

std::optional<std::pair<Pep440Version, Pep440Version>> range_of(const CsvRecord& r) {
  auto from = Pep440Version::parse(cell(r, "torch_from"));
  auto to = Pep440Version::parse(cell(r, "torch_to"));
  if (!from || !to) return std::nullopt;
  return std::make_pair(*from, *to);
}

std::string row_text(const std::vector<std::string>& columns, const CsvRecord& r) {
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_escape(cell(r, columns[i]));
  }
  out += '\n';
  return out;
}

}  // namespace overlay_detail

using namespace overlay_detail;

std::vector<std::string_view> overlay_file_names() {
  std::vector<std::string_view> out;
  for (const auto& s : schemas()) out.emplace_back(s.file);
  return out;
}

std::string_view to_string(RowStanding s) {
  switch (s) {
    case RowStanding::kNew:
      return "new";
    case RowStanding::kSame:
      return "same";
    case RowStanding::kFills:
      return "fills";
    case RowStanding::kConflict:
      return "conflict";
  }
  return "new";
}

std::string overlay_dir_for(const Host& env) {
  auto xdg = env.env("XDG_DATA_HOME");
  if (xdg && !xdg->empty() && xdg->front() == '/') return path_join(*xdg, "cudafit/overlay");
  auto home = env.env("HOME");
  if (home && !home->empty() && home->front() == '/')
    return path_join(*home, ".local/share/cudafit/overlay");
  return "";
}

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

Result<std::optional<Overlay>> read_overlay(const Host& fs, const std::string& dir) {
  std::string manifest_path = path_join(dir, kOverlayManifestFile);
  if (!fs.exists(manifest_path)) return std::optional<Overlay>();
  auto manifest_text = fs.read_file(manifest_path, 1u << 20);
  if (!manifest_text) return make_error(manifest_path + ": " + manifest_text.error());
  auto manifest = parse_csv(*manifest_text, manifest_path);
  if (!manifest) return make_error(manifest.error());
  int c_file = manifest->column("file"), c_rows = manifest->column("rows"),
      c_bytes = manifest->column("bytes"), c_sum = manifest->column("fnv1a64"),
      c_updated = manifest->column("updated");
  if (c_file < 0 || c_rows < 0 || c_bytes < 0 || c_sum < 0 || c_updated < 0)
    return make_error(manifest_path + ": header: expected file,rows,bytes,fnv1a64,updated");
  Overlay o;
  o.dir = dir;
  const auto names = overlay_file_names();
  for (const auto& row : manifest->rows) {
    std::string where = manifest_path + ":" + std::to_string(row.line);
    std::string name(trim(row.fields[static_cast<std::size_t>(c_file)]));
    if (std::find(names.begin(), names.end(), name) == names.end())
      return make_error(where + ": '" + name + "' is not a file an overlay may hold");
    if (o.files.count(name) > 0) return make_error(where + ": " + name + " listed twice");
    std::string path = path_join(dir, name);
    auto text = fs.read_file(path, 64u << 20);
    if (!text) return make_error(path + ": " + text.error());
    auto bytes = parse_uint(trim(row.fields[static_cast<std::size_t>(c_bytes)]));
    if (!bytes || *bytes != text->size())
      return make_error(path + ": " + std::to_string(text->size()) + " bytes, the manifest says " +
                        std::string(row.fields[static_cast<std::size_t>(c_bytes)]) +
                        " (cut short or changed since `cudafit update` wrote it)");
    if (hex64(fnv1a64(*text)) != trim(row.fields[static_cast<std::size_t>(c_sum)]))
      return make_error(path +
                        ": checksum differs from the manifest's (changed since "
                        "`cudafit update` wrote it)");
    auto table = parse_csv(*text, path);
    if (!table) return make_error(table.error());
    auto rows = parse_uint(trim(row.fields[static_cast<std::size_t>(c_rows)]));
    if (!rows || *rows != table->rows.size())
      return make_error(path + ": " + std::to_string(table->rows.size()) +
                        " rows, the manifest says " +
                        std::string(row.fields[static_cast<std::size_t>(c_rows)]));
    o.updated = std::string(trim(row.fields[static_cast<std::size_t>(c_updated)]));
    o.tables.emplace(name, std::move(table).value());
    o.files.emplace(std::move(name), std::move(text).value());
  }
  return std::optional<Overlay>(std::move(o));
}

std::string overlay_file_text(std::string_view file, const std::vector<std::string>& columns,
                              const std::vector<CsvRecord>& rows) {
  std::string out;
  out += "# Rows `cudafit update` found since the built-in " + std::string(file) +
         " was reviewed: new rows, or\n"
         "# cells the built-in rows leave empty. Each row says where it was read and when "
         "(fetched).\n";
  std::vector<std::string> header = columns;
  if (std::find(header.begin(), header.end(), "fetched") == header.end())
    header.emplace_back("fetched");
  out += join(header, ",") + "\n";
  for (const auto& r : rows) out += row_text(header, r);
  return out;
}

std::string overlay_manifest_text(const std::map<std::string, std::string, std::less<>>& files,
                                  std::string_view updated, std::string_view version) {
  std::string out =
      "# The overlay `cudafit update` wrote: every file with its rows, size and checksum,\n"
      "# checked at each load (a file that differs makes the overlay damaged: not used).\n"
      "file,rows,bytes,fnv1a64,updated,cudafit\n";
  for (const auto& [name, text] : files) {
    auto t = parse_csv(text, name);
    std::size_t rows = t ? t->rows.size() : 0;
    out += name + "," + std::to_string(rows) + "," + std::to_string(text.size()) + "," +
           hex64(fnv1a64(text)) + "," + std::string(updated) + "," + std::string(version) + "\n";
  }
  return out;
}

}  // namespace cudafit
