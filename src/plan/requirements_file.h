// Reading the files that name requirements: requirements.txt (pip's format, with its index
// options and -r includes), pyproject.toml ([project].dependencies, requires-python, and uv's
// [tool.uv] index settings), and the argument list of a `pip install` / `uv pip install`
// command. Errors name the place ("file:line: ...").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/host.h"
#include "util/result.h"
#include "versions/requirement.h"

namespace cudafit {

struct RequirementEntry {
  Requirement req;
  std::string text;   // as written
  std::string where;  // "requirements.txt:3"
  std::string extra;  // pyproject: the optional-dependencies extra it belongs to
  std::string group;  // pyproject: the dependency group it belongs to
};

// A [[tool.uv.index]] entry.
struct UvIndex {
  std::string name, url, where;
  bool explicit_only = false;  // explicit = true: only for packages pinned to it
  bool is_default = false;     // default = true: replaces PyPI (lowest priority)
  bool flat = false;           // format = "flat": a find-links page
};

// A [tool.uv.sources] entry: a package sent to a named index (or to a git/url/path source).
struct UvSource {
  std::string package;  // PEP 503-normalized
  std::string index;    // "" when `other` names the kind of source
  std::string other;    // "git", "url", "path", "workspace"
  std::optional<Marker> marker;
  std::string extra, group;  // the entry applies to that extra / dependency group only
  std::string where;
};

// Requirements with the package indexes they are to be installed from.
struct RequirementSet {
  std::vector<RequirementEntry> requirements;
  std::string index_url;                      // -i / --index-url (last wins); "" = PyPI
  std::vector<std::string> extra_index_urls;  // --extra-index-url
  std::vector<std::string> find_links;        // -f / --find-links
  bool no_index = false;                      // --no-index: find-links only
  std::vector<UvIndex> uv_indexes;            // pyproject [[tool.uv.index]], in order
  std::vector<UvSource> uv_sources;           // pyproject [tool.uv.sources] index entries
  std::string index_strategy;                 // uv --index-strategy / [tool.uv] index-strategy
  std::string torch_backend;                  // uv pip --torch-backend: "auto", "cu126", "cpu"
  std::string installer;                      // "pip" or "uv": whose file this is ("" = pip)
  std::string installer_why;                  // "a `uv pip install` line", "[tool.uv] tables"
  std::string requires_python;                // pyproject [project].requires-python
  std::string requires_python_where;
  std::vector<std::string> notes;  // lines skipped (editables, paths, constraints)
};

// requirements.txt text. `-r FILE` includes are followed through `host` when given, only
// inside the folder of `path` (and refused otherwise).
Result<RequirementSet> parse_requirements_txt(std::string_view text, const std::string& path,
                                              const Host* host = nullptr);
Result<RequirementSet> read_requirements_txt(const Host& host, const std::string& path);

// pyproject.toml text: [project].dependencies and requires-python; [tool.uv.sources] index
// entries, [[tool.uv.index]], and [tool.uv]'s index-url / extra-index-url / find-links /
// index-strategy. A file with [tool.uv] tables is uv's (installer "uv").
Result<RequirementSet> parse_pyproject(std::string_view text, const std::string& path);

// The words after `pip install` or `uv pip install` (options and requirements). `where` names
// the place.
Result<RequirementSet> parse_pip_install_args(const std::vector<std::string>& words,
                                              const std::string& where);

}  // namespace cudafit
