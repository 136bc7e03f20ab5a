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

// A list of requirement strings ([project].dependencies, an optional-dependencies extra, a
// dependency group), each tagged with its extra or group.
Status read_requirements(const toml::node& node, const std::string& path, const std::string& what,
                         const std::string& extra, const std::string& group, RequirementSet& set) {
  const toml::array* list = node.as_array();
  if (list == nullptr) return make_error(at(path, node.source()) + ": " + what + " must be a list");
  for (const auto& item : *list) {
    const std::string where = at(path, item.source());
    if (item.is_table()) continue;  // a dependency group's {include-group = "..."}
    auto s = item.value<std::string>();
    if (!s) return make_error(where + ": a dependency must be a string");
    auto req = Requirement::parse(*s);
    if (!req) return make_error(where + ": " + req.error());
    RequirementEntry e{std::move(req).value(), *s, where, extra, group};
    set.requirements.push_back(std::move(e));
  }
  return {};
}

Result<std::string> string_at(const toml::table& t, std::string_view key, const std::string& path) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::string();
  auto s = n->value<std::string>();
  if (!s) return make_error(at(path, n->source()) + ": " + std::string(key) + " must be a string");
  return *s;
}

Result<bool> bool_at(const toml::table& t, std::string_view key, const std::string& path) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return false;
  auto b = n->value<bool>();
  if (!b)
    return make_error(at(path, n->source()) + ": " + std::string(key) + " must be true or false");
  return *b;
}

// A list of strings, or one string (uv accepts both for extra-index-url / find-links).
Status strings_at(const toml::table& t, std::string_view key, const std::string& path,
                  std::vector<std::string>& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return {};
  if (auto s = n->value<std::string>()) {
    out.push_back(*s);
    return {};
  }
  const toml::array* a = n->as_array();
  if (a == nullptr)
    return make_error(at(path, n->source()) + ": " + std::string(key) +
                      " must be a list of strings");
  for (const auto& e : *a) {
    auto s = e.value<std::string>();
    if (!s)
      return make_error(at(path, e.source()) + ": " + std::string(key) +
                        " must be a list of strings");
    out.push_back(*s);
  }
  return {};
}

// One [tool.uv.sources] entry: { index = "name", marker = "...", extra = "...", group = "..." },
// or a git/url/path source.
Status read_source(const std::string& package, const toml::table& t, const std::string& path,
                   RequirementSet& set) {
  UvSource s;
  s.package = normalize_package_name(package);
  s.where = at(path, t.source());
  auto index = string_at(t, "index", path);
  if (!index) return make_error(index.error());
  s.index = *index;
  if (s.index.empty()) {
    for (std::string_view k : {"git", "url", "path", "workspace"})
      if (t.contains(k)) s.other = std::string(k);
    if (s.other.empty()) return {};  // nothing that routes the package
  }
  auto marker = string_at(t, "marker", path);
  if (!marker) return make_error(marker.error());
  if (!marker->empty()) {
    auto m = Marker::parse(*marker);
    if (!m) return make_error(s.where + ": marker: " + m.error());
    s.marker = std::move(m).value();
  }
  auto extra = string_at(t, "extra", path);
  auto group = string_at(t, "group", path);
  if (!extra) return make_error(extra.error());
  if (!group) return make_error(group.error());
  s.extra = *extra;
  s.group = *group;
  set.uv_sources.push_back(std::move(s));
  return {};
}

Status read_tool_uv(const toml::table& uv, const std::string& path, RequirementSet& set) {
  auto index_url = string_at(uv, "index-url", path);
  if (!index_url) return make_error(index_url.error());
  set.index_url = *index_url;
  if (Status s = strings_at(uv, "extra-index-url", path, set.extra_index_urls); !s) return s;
  if (Status s = strings_at(uv, "find-links", path, set.find_links); !s) return s;
  auto strategy = string_at(uv, "index-strategy", path);
  if (!strategy) return make_error(strategy.error());
  set.index_strategy = *strategy;
  auto no_index = bool_at(uv, "no-index", path);
  if (!no_index) return make_error(no_index.error());
  set.no_index = *no_index;
  if (const toml::node* n = uv.get("index")) {
    const toml::array* a = n->as_array();
    if (a == nullptr)
      return make_error(at(path, n->source()) + ": [[tool.uv.index]] must be an array of tables");
    for (const auto& e : *a) {
      const toml::table* t = e.as_table();
      if (t == nullptr)
        return make_error(at(path, e.source()) + ": a [[tool.uv.index]] entry must be a table");
      UvIndex ix;
      ix.where = at(path, t->source());
      auto name = string_at(*t, "name", path);
      auto url = string_at(*t, "url", path);
      auto format = string_at(*t, "format", path);
      auto expl = bool_at(*t, "explicit", path);
      auto dflt = bool_at(*t, "default", path);
      for (const auto* r : {&name, &url, &format})
        if (!*r) return make_error(r->error());
      if (!expl) return make_error(expl.error());
      if (!dflt) return make_error(dflt.error());
      if (url->empty()) return make_error(ix.where + ": index '" + *name + "' has no url");
      ix.name = *name;
      ix.url = *url;
      ix.flat = *format == "flat";
      ix.explicit_only = *expl;
      ix.is_default = *dflt;
      set.uv_indexes.push_back(std::move(ix));
    }
  }
  if (const toml::node* n = uv.get("sources")) {
    const toml::table* sources = n->as_table();
    if (sources == nullptr)
      return make_error(at(path, n->source()) + ": [tool.uv.sources] must be a table");
    for (const auto& [key, value] : *sources) {
      const std::string package(key.str());
      if (const toml::table* one = value.as_table()) {
        if (Status s = read_source(package, *one, path, set); !s) return s;
      } else if (const toml::array* a = value.as_array()) {
        for (const auto& e : *a)
          if (const toml::table* each = e.as_table())
            if (Status s = read_source(package, *each, path, set); !s) return s;
      }
    }
  }
  for (const auto& s : set.uv_sources) {
    if (s.index.empty()) continue;
    bool defined = false;
    for (const auto& ix : set.uv_indexes) defined = defined || ix.name == s.index;
    if (!defined)
      return make_error(s.where + ": [tool.uv.sources] " + s.package + " names index '" + s.index +
                        "', which no [[tool.uv.index]] defines");
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
    if (Status s = read_requirements(*deps, path, "[project].dependencies", "", "", set); !s)
      return make_error(s.error());
  } else {
    set.notes.push_back(path + ": no [project].dependencies");
  }
  if (const toml::table* extras = doc.at_path("project.optional-dependencies").as_table())
    for (const auto& [name, list] : *extras)
      if (Status s = read_requirements(list, path, "an optional-dependencies extra",
                                       std::string(name.str()), "", set);
          !s)
        return make_error(s.error());
  if (const toml::table* groups = doc.at_path("dependency-groups").as_table())
    for (const auto& [name, list] : *groups)
      if (Status s =
              read_requirements(list, path, "a dependency group", "", std::string(name.str()), set);
          !s)
        return make_error(s.error());
  if (const toml::node* rp = doc.at_path("project.requires-python").node()) {
    auto s = rp->value<std::string>();
    if (!s) return make_error(at(path, rp->source()) + ": requires-python must be a string");
    if (auto spec = SpecifierSet::parse(*s); !spec)
      return make_error(at(path, rp->source()) + ": requires-python: " + spec.error());
    set.requires_python = *s;
    set.requires_python_where = at(path, rp->source());
  }
  if (const toml::node* uv = doc.at_path("tool.uv").node()) {
    const toml::table* t = uv->as_table();
    if (t == nullptr) return make_error(at(path, uv->source()) + ": [tool.uv] must be a table");
    if (Status s = read_tool_uv(*t, path, set); !s) return make_error(s.error());
    set.installer = "uv";
    set.installer_why = "it has [tool.uv] tables";
  } else {
    set.installer = "pip";
    set.installer_why = "it has no [tool.uv] tables (`pip install .` reads [project] only)";
  }
  return set;
}

}  // namespace cudafit
