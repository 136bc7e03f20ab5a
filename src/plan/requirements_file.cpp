// requirements.txt and `pip install` / `uv pip install` arguments (see requirements_file.h).
#include "plan/requirements_file.h"

#include "util/strings.h"

namespace cudafit {
namespace {

constexpr int kMaxIncludeDepth = 8;
constexpr int kMaxIncludes = 64;  // in all: a file including itself many times stays bounded

// One logical line (continuations joined) with the number of its first physical line.
struct LogicalLine {
  std::string text;
  int line = 0;
};

std::vector<LogicalLine> logical_lines(std::string_view text) {
  std::vector<LogicalLine> out;
  LogicalLine cur;
  bool open = false;
  int n = 0;
  for (std::string_view raw : split_lines(text)) {
    ++n;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (!open) cur = LogicalLine{{}, n};
    if (!raw.empty() && raw.back() == '\\') {
      cur.text.append(raw.substr(0, raw.size() - 1));
      open = true;
      continue;
    }
    cur.text.append(raw);
    open = false;
    out.push_back(std::move(cur));
    cur = LogicalLine{};
  }
  if (open) out.push_back(std::move(cur));
  return out;
}

// pip: a comment starts with '#' at the start or after whitespace.
std::string_view strip_comment(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) return s.substr(0, i);
  return s;
}

bool looks_like_path_or_url(std::string_view s) {
  if (starts_with(s, ".") || starts_with(s, "/") || starts_with(s, "~")) return true;
  auto scheme = s.find("://");
  return scheme != std::string_view::npos && s.find(" @ ") == std::string_view::npos &&
         s.find('@') > scheme;
}

// Options that take a value, and options without one, as pip's requirements files allow.
bool option_takes_value(std::string_view o) {
  for (std::string_view k : {"-i",
                             "--index-url",
                             "--extra-index-url",
                             "-f",
                             "--find-links",
                             "-r",
                             "--requirement",
                             "-c",
                             "--constraint",
                             "-e",
                             "--editable",
                             "--trusted-host",
                             "--no-binary",
                             "--only-binary",
                             "--use-feature",
                             "--progress-bar",
                             "--target",
                             "-t",
                             "--python-version",
                             "--platform",
                             "--config-settings",
                             "--global-option",
                             "--hash"})
    if (o == k) return true;
  return false;
}

bool option_is_flag(std::string_view o) {
  for (std::string_view k : {"--pre", "--prefer-binary", "--require-hashes", "--no-cache-dir", "-U",
                             "--upgrade", "--no-deps", "-q", "--quiet", "-v", "--verbose", "--user",
                             "--force-reinstall", "--ignore-installed", "--no-build-isolation",
                             "--break-system-packages", "--system", "-y", "--yes"})
    if (o == k) return true;
  return false;
}

// Options of a `pip install` / `uv pip install` command line (not of requirements files) that
// take a value and do not change where torch comes from.
bool command_option_takes_value(std::string_view o) {
  for (std::string_view k : {"--python",
                             "-p",
                             "--prefix",
                             "--root",
                             "--src",
                             "--log",
                             "--cache-dir",
                             "--timeout",
                             "--retries",
                             "--proxy",
                             "--cert",
                             "--client-cert",
                             "--exists-action",
                             "--upgrade-strategy",
                             "--implementation",
                             "--abi",
                             "--report",
                             "--root-user-action",
                             "--override",
                             "--keyring-provider",
                             "--resolution",
                             "--prerelease",
                             "--exclude-newer",
                             "--link-mode",
                             "--python-platform",
                             "--reinstall-package",
                             "--upgrade-package",
                             "-P",
                             "--refresh-package",
                             "--config-setting",
                             "-C",
                             "--no-build-isolation-package",
                             "--build-constraint",
                             "-b",
                             "--group",
                             "--extra",
                             "--torch-backend"})
    if (o == k) return true;
  return false;
}

struct Ctx {
  const Host* host = nullptr;
  std::string dir;
  int depth = 0;
  int* includes = nullptr;  // shared count of files included so far
};

Status apply_option(RequirementSet& set, std::string_view opt, std::string_view value,
                    const std::string& where, const Ctx& ctx);

Status add_requirement(RequirementSet& set, std::string_view text, const std::string& where) {
  // Per-requirement options ("torch==2.3.1 --hash=sha256:...") are not part of PEP 508.
  std::string_view req = text;
  if (auto p = req.find(" --"); p != std::string_view::npos) req = trim(req.substr(0, p));
  if (looks_like_path_or_url(req)) {
    set.notes.push_back(where + ": '" + std::string(req) + "' is a path or URL: not checked");
    return {};
  }
  auto parsed = Requirement::parse(req);
  if (!parsed) return make_error(where + ": " + parsed.error());
  set.requirements.push_back({std::move(parsed).value(), std::string(req), where, "", ""});
  return {};
}

Result<RequirementSet> parse_text(std::string_view text, const std::string& path, const Ctx& ctx) {
  RequirementSet set;
  for (const auto& l : logical_lines(text)) {
    std::string_view s = trim(strip_comment(l.text));
    if (s.empty()) continue;
    const std::string where = path + ":" + std::to_string(l.line);
    if (s.front() != '-') {
      if (Status st = add_requirement(set, s, where); !st) return make_error(st.error());
      continue;
    }
    // "--opt=value", "--opt value", "-i value", "-ivalue".
    std::string_view opt = s, value;
    if (auto eq = s.find('=');
        eq != std::string_view::npos && starts_with(s, "--") && s.find_first_of(" \t") > eq) {
      opt = s.substr(0, eq);
      value = trim(s.substr(eq + 1));
    } else if (auto sp = s.find_first_of(" \t"); sp != std::string_view::npos) {
      opt = s.substr(0, sp);
      value = trim(s.substr(sp + 1));
    } else if (s.size() > 2 && s[1] != '-' && option_takes_value(s.substr(0, 2))) {
      opt = s.substr(0, 2);
      value = trim(s.substr(2));
    }
    if (opt == "--no-index") {
      set.no_index = true;
      continue;
    }
    if (option_is_flag(opt)) continue;
    if (!option_takes_value(opt)) return make_error(where + ": unknown option " + std::string(opt));
    if (value.empty()) return make_error(where + ": " + std::string(opt) + " needs a value");
    if (Status st = apply_option(set, opt, value, where, ctx); !st) return make_error(st.error());
  }
  return set;
}

void merge_into(RequirementSet& into, RequirementSet&& from) {
  for (auto& r : from.requirements) into.requirements.push_back(std::move(r));
  if (!from.index_url.empty()) into.index_url = from.index_url;
  for (auto& u : from.extra_index_urls) into.extra_index_urls.push_back(std::move(u));
  for (auto& u : from.find_links) into.find_links.push_back(std::move(u));
  into.no_index = into.no_index || from.no_index;
  for (auto& n : from.notes) into.notes.push_back(std::move(n));
}

Status apply_option(RequirementSet& set, std::string_view opt, std::string_view value,
                    const std::string& where, const Ctx& ctx) {
  std::string v(value);
  // uv's "--index name=url" form.
  if (opt == "--index" || opt == "--default-index")
    if (auto eq = v.find('='); eq != std::string::npos && eq < v.find("://")) v = v.substr(eq + 1);
  if (opt == "-i" || opt == "--index-url" || opt == "--default-index") {
    set.index_url = v;
  } else if (opt == "--extra-index-url" || opt == "--index") {
    set.extra_index_urls.push_back(v);
  } else if (opt == "-f" || opt == "--find-links") {
    set.find_links.push_back(v);
  } else if (opt == "-e" || opt == "--editable") {
    set.notes.push_back(where + ": editable '" + v + "': not checked");
  } else if (opt == "-c" || opt == "--constraint") {
    set.notes.push_back(where + ": constraints file '" + v + "': not read");
  } else if (opt == "-r" || opt == "--requirement") {
    if (ctx.host == nullptr)
      return make_error(where + ": -r " + v + ": includes are not followed here");
    if (ctx.depth >= kMaxIncludeDepth ||
        (ctx.includes != nullptr && ++*ctx.includes > kMaxIncludes))
      return make_error(where + ": -r " + v + ": includes nested too deep");
    std::string target = path_normalize(path_join(ctx.dir, v));
    std::string prefix = ctx.dir == "/" ? "/" : ctx.dir + "/";
    if (!starts_with(target, prefix))
      return make_error(where + ": -r " + v + ": refused (outside the folder " + ctx.dir + ")");
    auto text = ctx.host->read_file(target);
    if (!text) return make_error(where + ": -r " + v + ": " + text.error());
    Ctx inner{ctx.host, ctx.dir, ctx.depth + 1, ctx.includes};
    auto sub = parse_text(*text, target, inner);
    if (!sub) return make_error(sub.error());
    merge_into(set, std::move(sub).value());
  } else if (opt == "--hash") {
    return make_error(where + ": --hash belongs after a requirement");
  }
  return {};
}

}  // namespace

Result<RequirementSet> parse_requirements_txt(std::string_view text, const std::string& path,
                                              const Host* host) {
  int includes = 0;
  Ctx ctx{host, path_dirname(path_normalize(path)), 0, &includes};
  return parse_text(text, path, ctx);
}

Result<RequirementSet> read_requirements_txt(const Host& host, const std::string& path) {
  auto text = host.read_file(path, 16u << 20);
  if (!text) return make_error(path + ": " + text.error());
  return parse_requirements_txt(*text, path, &host);
}

Result<RequirementSet> parse_pip_install_args(const std::vector<std::string>& words,
                                              const std::string& where) {
  RequirementSet set;
  Ctx ctx;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string_view w = words[i];
    if (w.empty()) continue;
    if (w.front() != '-') {
      if (Status st = add_requirement(set, w, where); !st) return make_error(st.error());
      continue;
    }
    std::string_view opt = w, value;
    if (auto eq = w.find('='); eq != std::string_view::npos && starts_with(w, "--")) {
      opt = w.substr(0, eq);
      value = w.substr(eq + 1);
    }
    if (opt == "--no-index") {
      set.no_index = true;
      continue;
    }
    if (option_is_flag(opt)) continue;
    bool uv_only = opt == "--index-strategy" || opt == "--index" || opt == "--default-index";
    if (!option_takes_value(opt) && !uv_only && !command_option_takes_value(opt))
      continue;  // pip and uv have many more flags: skip them
    if (value.empty()) {
      if (i + 1 >= words.size())
        return make_error(where + ": " + std::string(opt) + " needs a value");
      value = words[++i];
    }
    if (opt == "-r" || opt == "--requirement") {
      set.notes.push_back(where + ": -r " + std::string(value) +
                          ": read that file with its own check");
      continue;
    }
    if (opt == "--index-strategy") {
      set.index_strategy = std::string(value);
      continue;
    }
    if (opt == "--torch-backend") {
      set.torch_backend = std::string(value);
      continue;
    }
    if (command_option_takes_value(opt)) continue;
    if (Status st = apply_option(set, opt, value, where, ctx); !st) return make_error(st.error());
  }
  return set;
}

}  // namespace cudafit
