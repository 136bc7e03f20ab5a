// pyproject.toml (see requirements_file.h). The only file that includes toml++ (slow to
// compile); exceptions are off so parse errors come back as values.
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include "plan/requirements_file.h"
#include "util/strings.h"

namespace cudafit {
namespace {

std::string at(const std::string& path, const toml::source_region& src) {
  return path + ":" + std::to_string(src.begin.line);
}

// The index name uv takes torch from: `torch = { index = "name" }` or a list of such.
std::string torch_index_name(const toml::table& doc) {
  const toml::node* torch = doc.at_path("tool.uv.sources.torch").node();
  if (torch == nullptr) return {};
  if (const toml::table* t = torch->as_table()) return t->at_path("index").value_or(std::string());
  if (const toml::array* a = torch->as_array()) {
    for (const auto& e : *a)
      if (const toml::table* t = e.as_table())
        if (auto name = (*t)["index"].value<std::string>()) return *name;
  }
  return {};
}

}  // namespace

Result<RequirementSet> parse_pyproject(std::string_view text, const std::string& path) {
  // toml++ 3.3 (Debian 12) reaches an "unreachable" in its Unicode tables on some non-ASCII
  // input (found by fuzz_pyproject). TOML allows non-ASCII only inside strings and comments,
  // and no requirement or index URL we read may contain it, so each such byte becomes '?'.
  std::string ascii(text);
  for (char& c : ascii)
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  toml::parse_result parsed = toml::parse(ascii, path);
  if (!parsed) {
    const auto& e = parsed.error();
    return make_error(at(path, e.source()) + ": " + std::string(e.description()));
  }
  const toml::table& doc = parsed.table();
  RequirementSet set;
  const toml::node* deps = doc.at_path("project.dependencies").node();
  if (deps != nullptr) {
    const toml::array* list = deps->as_array();
    if (list == nullptr)
      return make_error(at(path, deps->source()) + ": [project].dependencies must be a list");
    for (const auto& item : *list) {
      const std::string where = at(path, item.source());
      auto s = item.value<std::string>();
      if (!s) return make_error(where + ": a dependency must be a string");
      auto req = Requirement::parse(*s);
      if (!req) return make_error(where + ": " + req.error());
      set.requirements.push_back({std::move(req).value(), *s, where});
    }
  } else {
    set.notes.push_back(path + ": no [project].dependencies");
  }
  std::string index = torch_index_name(doc);
  if (!index.empty()) {
    const toml::node* indexes = doc.at_path("tool.uv.index").node();
    const toml::array* arr = indexes != nullptr ? indexes->as_array() : nullptr;
    if (arr != nullptr) {
      for (const auto& e : *arr) {
        const toml::table* t = e.as_table();
        if (t == nullptr) continue;
        if ((*t)["name"].value_or(std::string()) == index) {
          auto url = (*t)["url"].value<std::string>();
          if (!url) return make_error(at(path, e.source()) + ": index '" + index + "' has no url");
          set.index_url = *url;
        }
      }
    }
    if (set.index_url.empty())
      return make_error(path + ": [tool.uv.sources] torch names index '" + index +
                        "', which no [[tool.uv.index]] defines");
  }
  return set;
}

}  // namespace cudafit
