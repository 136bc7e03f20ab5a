// Reading the files that name requirements: requirements.txt (pip's format, with its index
// options and -r includes), pyproject.toml ([project].dependencies and uv's torch index), and
// the argument list of a `pip install` command. Errors name the place ("file:line: ...").
#pragma once

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
};

// Requirements with the package indexes they are to be installed from.
struct RequirementSet {
  std::vector<RequirementEntry> requirements;
  std::string index_url;                      // -i / --index-url (last wins), uv index for torch
  std::vector<std::string> extra_index_urls;  // --extra-index-url
  std::vector<std::string> find_links;        // -f / --find-links
  std::vector<std::string> notes;             // lines skipped (editables, paths, constraints)
};

// requirements.txt text. `-r FILE` includes are followed through `host` when given, only
// inside the folder of `path` (and refused otherwise).
Result<RequirementSet> parse_requirements_txt(std::string_view text, const std::string& path,
                                              const Host* host = nullptr);
Result<RequirementSet> read_requirements_txt(const Host& host, const std::string& path);

// pyproject.toml text: [project].dependencies, and for torch [tool.uv.sources] with
// [[tool.uv.index]] (the index URL becomes index_url).
Result<RequirementSet> parse_pyproject(std::string_view text, const std::string& path);

// The words after `pip install` (options and requirements). `where` names the place.
Result<RequirementSet> parse_pip_install_args(const std::vector<std::string>& words,
                                              const std::string& where);

}  // namespace cudafit
