// The overlay: rows `cudafit update` found since the built-in data was reviewed, in the same
// CSV files as data/ (plus a `fetched` column), under $XDG_DATA_HOME/cudafit/overlay/ — a link
// to the current generation, swapped in one rename, with a manifest of every file's rows,
// size and checksum. Every command loads it over the built-in (or --data) knowledge base.
//
// The built-in data stays the reviewed floor: an overlay row either adds a row (a key the
// data lacks) or fills cells the data's row leaves empty (and, in torch-wheels.csv, turns an
// inferred/unknown set into the listed one it agrees with). A row that says otherwise than the
// data is not applied, and is said; one the data already has is dropped silently. A damaged
// overlay (manifest mismatch, a row that does not parse) is not applied at all.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kb/kb.h"
#include "util/csv.h"
#include "util/host.h"
#include "util/result.h"

namespace cudafit {

// The data files an overlay may hold, and its manifest.
std::vector<std::string_view> overlay_file_names();
inline constexpr const char* kOverlayManifestFile = "manifest.csv";

// $XDG_DATA_HOME/cudafit/overlay, else $HOME/.local/share/cudafit/overlay (a relative
// XDG_DATA_HOME is ignored, as the XDG spec says); "" when neither variable is set.
std::string overlay_dir_for(const Host& env);

// FNV-1a, 64 bits: the manifest's checksum of each file.
std::uint64_t fnv1a64(std::string_view bytes);

struct Overlay {
  std::string dir;      // where it was read
  std::string updated;  // when `cudafit update` wrote it ("2026-12-04T14:00:00Z")
  std::map<std::string, std::string, std::less<>> files;  // data file name -> its text
  std::map<std::string, CsvTable, std::less<>> tables;    // the same, parsed (read once)
};

// Reads the overlay in `dir` (through `fs`, a Host of this machine). nullopt when there is
// none (no manifest); an error, saying why, when it is damaged.
Result<std::optional<Overlay>> read_overlay(const Host& fs, const std::string& dir);

// A CSV row as column -> cell.
using CsvRecord = std::map<std::string, std::string, std::less<>>;

// How a row stands against the built-in data.
enum class RowStanding {
  kNew,       // no row of that key
  kSame,      // the data says the same (nothing to add)
  kFills,     // adds what the data's row leaves empty (or lists an inferred set)
  kConflict,  // says otherwise than the data: never applied
};
std::string_view to_string(RowStanding s);

struct RowCheck {
  RowStanding standing = RowStanding::kNew;
  std::string builtin;                    // the data row compared with ("cuda.csv:12"), if any
  std::vector<std::string> conflicts;     // "date: data 2026-05-13, row 2026-05-14"
  std::vector<std::string> builtin_more;  // cells the data has and the row leaves empty
  std::vector<std::string> fills;         // cells the row adds: "torchvision 0.30.0"
};

// The rows of a knowledge base's overlay files, to check candidate rows against (each file
// parsed when first asked about).
class OverlayBase {
 public:
  // Every row of the files.
  explicit OverlayBase(const KnowledgeBase& kb);
  // Only the rows that may share a key with one of `overlay`'s (what loading it needs: a few
  // rows out of the 500 of torch-wheels.csv, read without parsing the others).
  OverlayBase(const KnowledgeBase& kb, const Overlay& overlay);
  ~OverlayBase();
  OverlayBase(const OverlayBase&) = delete;
  OverlayBase& operator=(const OverlayBase&) = delete;

  // The file's columns, in the data's order.
  const std::vector<std::string>& columns(std::string_view file) const;
  RowCheck check(std::string_view file, const CsvRecord& row) const;
  // The data's row the check compared with (for filling), or nullptr.
  const CsvRecord* row_of_key(std::string_view file, const CsvRecord& row) const;
  // Every data row of the file; a row's line in the file, and the line breaks inside it.
  const std::vector<CsvRecord>& rows(std::string_view file) const;
  int line_of(std::string_view file, std::size_t row) const;
  std::size_t newlines_of(std::string_view file, std::size_t row) const;

  struct Table;

 private:
  const Table& table(std::string_view file) const;
  const KnowledgeBase& kb_;
  // file -> the values of its filter column a row must have (absent: every row).
  std::map<std::string, std::set<std::string>, std::less<>> only_;
  mutable std::map<std::string, std::unique_ptr<Table>, std::less<>> tables_;
};

struct OverlayUse {
  std::string dir, updated;
  int rows = 0;                      // overlay rows in use (added, or filling a data row)
  std::vector<std::string> ignored;  // rows not applied, each with why (contradictions)
};

struct Overlaid {
  std::shared_ptr<const KnowledgeBase> kb;
  OverlayUse use;
};

// `base` with the overlay's rows merged in. An error (nothing applied) when a file's header
// lacks the data's columns or a row does not parse as the data's rows do.
Result<Overlaid> apply_overlay(std::shared_ptr<const KnowledgeBase> base, const Overlay& overlay);

// What `cudafit update` writes: one overlay file (comment, the data's columns plus `fetched`,
// the rows), and the manifest over the files written.
std::string overlay_file_text(std::string_view file, const std::vector<std::string>& columns,
                              const std::vector<CsvRecord>& rows);
std::string overlay_manifest_text(const std::map<std::string, std::string, std::less<>>& files,
                                  std::string_view updated, std::string_view version);

}  // namespace cudafit
