// Image references and Dockerfiles (see docker.h).
#include "plan/docker.h"

#include <algorithm>
#include <map>

#include "util/strings.h"

namespace cudafit {
namespace {

bool ref_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ||
         c == '/' || c == ':' || c == '@';
}

// "${NAME}", "${NAME:-default}", "$NAME" replaced from `vars`; unknown names become "".
Result<std::string> substitute(std::string_view s, const std::map<std::string, std::string>& vars,
                               const std::string& where) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    std::string name, fallback;
    bool has_fallback = false;
    if (s[i + 1] == '{') {
      auto close = s.find('}', i + 2);
      if (close == std::string_view::npos) return make_error(where + ": unterminated ${");
      std::string_view body = s.substr(i + 2, close - i - 2);
      if (auto p = body.find(":-"); p != std::string_view::npos) {
        name = std::string(body.substr(0, p));
        fallback = std::string(body.substr(p + 2));
        has_fallback = true;
      } else {
        name = std::string(body);
      }
      i = close;
    } else {
      std::size_t j = i + 1;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      if (j == i + 1) {
        out.push_back('$');
        continue;
      }
      name = std::string(s.substr(i + 1, j - i - 1));
      i = j - 1;
    }
    auto it = vars.find(name);
    if (it != vars.end() && !it->second.empty())
      out += it->second;
    else if (has_fallback)
      out += fallback;
  }
  return out;
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    return std::string(s.substr(1, s.size() - 2));
  return std::string(s);
}

// Shell words of a RUN command, split into commands at && || ; |.
std::vector<std::vector<std::string>> shell_commands(std::string_view s) {
  std::vector<std::vector<std::string>> cmds(1);
  std::string word;
  char quote = 0;
  auto flush = [&] {
    if (!word.empty()) cmds.back().push_back(std::move(word));
    word.clear();
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote != 0) {
      if (c == quote)
        quote = 0;
      else
        word.push_back(c);
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == ' ' || c == '\t') {
      flush();
    } else if (c == '&' || c == '|' || c == ';') {
      flush();
      if (i + 1 < s.size() && s[i + 1] == c) ++i;
      cmds.emplace_back();
    } else {
      word.push_back(c);
    }
  }
  flush();
  return cmds;
}

// The words after "pip install" / "uv pip install" in one command, with the installer; nullopt
// when it is not one.
struct InstallWords {
  std::vector<std::string> words;
  std::string installer;  // "pip" or "uv"
};
std::optional<InstallWords> pip_install_words(const std::vector<std::string>& w) {
  for (std::size_t i = 0; i + 1 < w.size(); ++i) {
    const std::string tool = path_basename(w[i]);
    bool pip = tool == "pip" || tool == "pip3" || starts_with(tool, "pip3.");
    if (!pip || w[i + 1] != "install") continue;
    bool uv = i > 0 && path_basename(w[i - 1]) == "uv";
    return InstallWords{
        std::vector<std::string>(w.begin() + static_cast<std::ptrdiff_t>(i) + 2, w.end()),
        uv ? "uv" : "pip"};
  }
  return std::nullopt;
}

// ENV KEY=VALUE ... (or the old ENV KEY VALUE) into `env`, values expanded from `vars`.
Status read_env(std::string_view args, const std::map<std::string, std::string>& vars,
                std::map<std::string, std::string>& env, const std::string& where) {
  auto words = shell_commands(args);
  if (words.empty() || words[0].empty()) return make_error(where + ": ENV without a variable");
  const auto& w = words[0];
  if (w[0].find('=') == std::string::npos) {
    std::vector<std::string> rest(w.begin() + 1, w.end());
    auto v = substitute(join(rest, " "), vars, where);
    if (!v) return make_error(v.error());
    env[w[0]] = *v;
    return {};
  }
  for (const auto& kv : w) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return make_error(where + ": ENV expects KEY=VALUE");
    auto v = substitute(kv.substr(eq + 1), vars, where);
    if (!v) return make_error(v.error());
    env[kv.substr(0, eq)] = *v;
  }
  return {};
}

// The index settings ENV gives an install command; its own options win.
void fold_env(RequirementSet& set, const std::map<std::string, std::string>& env) {
  auto get = [&](const char* k) {
    auto it = env.find(k);
    return it == env.end() ? std::string() : it->second;
  };
  auto list = [](const std::string& v) {
    std::vector<std::string> out;
    for (auto w : split_ws(v)) out.emplace_back(w);
    return out;
  };
  const bool uv = set.installer == "uv";
  if (set.index_url.empty())
    set.index_url =
        uv ? (get("UV_DEFAULT_INDEX").empty() ? get("UV_INDEX_URL") : get("UV_DEFAULT_INDEX"))
           : get("PIP_INDEX_URL");
  if (set.extra_index_urls.empty()) {
    set.extra_index_urls =
        list(uv ? get("UV_INDEX") + " " + get("UV_EXTRA_INDEX_URL") : get("PIP_EXTRA_INDEX_URL"));
  }
  if (set.find_links.empty()) set.find_links = list(get(uv ? "UV_FIND_LINKS" : "PIP_FIND_LINKS"));
  if (uv && set.index_strategy.empty()) set.index_strategy = get("UV_INDEX_STRATEGY");
  if (uv && set.torch_backend.empty()) set.torch_backend = get("UV_TORCH_BACKEND");
}

}  // namespace

Result<ImageRef> ImageRef::parse(std::string_view text) {
  std::string_view t = trim(text);
  if (t.empty()) return make_error("empty image reference");
  if (!std::all_of(t.begin(), t.end(), ref_char))
    return make_error("invalid image reference '" + std::string(t) + "'");
  ImageRef r;
  r.text = std::string(t);
  std::string_view rest = t;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    r.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (r.digest.empty())
      return make_error("invalid image reference '" + r.text + "': empty digest");
  }
  auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, slash);
    if (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
        first == "localhost") {
      r.registry = std::string(first);
      rest = rest.substr(slash + 1);
    }
  }
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && rest.find('/', colon) == std::string_view::npos) {
    r.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (r.tag.empty()) return make_error("invalid image reference '" + r.text + "': empty tag");
  }
  if (rest.empty() || rest.front() == '/' || rest.back() == '/' ||
      rest.find("//") != std::string_view::npos || rest.find(':') != std::string_view::npos)
    return make_error("invalid image reference '" + r.text + "'");
  r.repository = to_lower(rest);
  if (r.registry == "docker.io" || r.registry == "index.docker.io") r.registry.clear();
  if (starts_with(r.repository, "library/")) r.repository = r.repository.substr(8);
  return r;
}

ImageStack image_stack(const ImageRef& ref, const InstallFacts& facts) {
  ImageStack s;
  auto parts = split(ref.tag, '-');
  if (ref.registry.empty() && ref.repository == "nvidia/cuda") {
    s.kind = ImageStack::Kind::kNvidiaCuda;
    // "12.4.1-cudnn-runtime-ubuntu22.04", "11.8.0-cudnn8-devel-ubuntu22.04".
    if (!parts.empty()) {
      if (auto v = CudaVersion::parse(parts[0])) s.cuda = *v;
      for (std::size_t i = 1; i < parts.size(); ++i) {
        if (starts_with(parts[i], "cudnn")) s.cudnn = std::string(parts[i].substr(5));
        if (parts[i] == "runtime" || parts[i] == "devel" || parts[i] == "base")
          s.flavor = std::string(parts[i]);
      }
      if (starts_with(ref.tag, "cudnn") || (parts.size() > 1 && starts_with(parts[1], "cudnn")))
        if (s.cudnn.empty()) s.cudnn = "bundled";
    }
    if (!s.cuda) s.note = "the tag '" + ref.tag + "' does not start with a CUDA version";
  } else if (ref.registry.empty() && ref.repository == "pytorch/pytorch") {
    s.kind = ImageStack::Kind::kPytorch;
    // "<torch>-cuda<X.Y>-cudnn<N>-<runtime|devel>".
    if (parts.size() >= 3 && starts_with(parts[1], "cuda") && starts_with(parts[2], "cudnn")) {
      auto t = Pep440Version::parse(parts[0]);
      auto c = CudaVersion::parse(parts[1].substr(4));
      if (t) s.torch = *t;
      if (c) s.cuda = *c;
      s.cudnn = std::string(parts[2].substr(5));
      if (parts.size() >= 4) s.flavor = std::string(parts[3]);
    }
    if (!s.torch || !s.cuda)
      s.note = "the tag '" + (ref.tag.empty() ? std::string("latest") : ref.tag) +
               "' does not name torch and CUDA versions (<torch>-cuda<X.Y>-cudnn<N>-<flavor>)";
  } else if (ref.registry == "nvcr.io" && ref.repository == "nvidia/pytorch") {
    s.kind = ImageStack::Kind::kNgcPytorch;
    std::string release = parts.empty() ? std::string() : std::string(parts[0]);
    s.ngc = facts.ngc_image(release);
    if (s.ngc != nullptr && s.ngc->published == false) {
      s.note = "NVIDIA published no NGC PyTorch release '" + release + "' (" + s.ngc->from.where() +
               ": " + s.ngc->notes + ")";
    } else if (s.ngc != nullptr) {
      s.cuda = s.ngc->cuda;
      s.torch = s.ngc->torch;
      s.cudnn = s.ngc->cudnn;
      if (!s.cuda)
        s.note = "CUDA version of the image unknown: not sourced for NGC PyTorch release '" +
                 release + "' (" + s.ngc->from.where() + ")";
    } else {
      s.note = "NGC PyTorch release '" + release + "' is not in the data (images-ngc-pytorch.csv)";
    }
  } else {
    s.note = "an image cudafit has no facts about";
  }
  return s;
}

std::string image_python(const ImageRef& ref, const InstallFacts& facts) {
  if (ref.registry.empty() && ref.repository == "python") {
    // Docker's official python image: the tag starts with the Python version ("3.12-slim").
    auto parts = split(ref.tag, '.');
    if (parts.size() >= 2 && parse_uint(parts[0]) &&
        parse_uint(std::string_view(parts[1]).substr(0, parts[1].find_first_not_of("0123456789"))))
      return std::string(parts[0]) + "." +
             std::string(parts[1].substr(0, parts[1].find_first_not_of("0123456789")));
    return {};
  }
  ImageStack s = image_stack(ref, facts);
  if (s.ngc != nullptr) {
    auto parts = split(s.ngc->python, '.');
    if (parts.size() >= 2) return std::string(parts[0]) + "." + std::string(parts[1]);
  }
  return {};
}

Result<Dockerfile> parse_dockerfile(std::string_view text, const std::string& path) {
  Dockerfile df;
  std::map<std::string, std::string> global_args, stage_args, stage_env;
  std::map<std::string, std::map<std::string, std::string>> env_of_stage;  // by stage name
  std::vector<std::string> stages;
  bool in_stage = false;
  std::string cur;
  int start = 0, n = 0;
  auto lines = split_lines(text);
  for (std::size_t li = 0; li <= lines.size(); ++li) {
    std::string_view raw = li < lines.size() ? lines[li] : std::string_view();
    bool last = li == lines.size();
    if (!last) {
      ++n;
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      std::string_view t = trim(raw);
      if (cur.empty() && (t.empty() || t.front() == '#')) continue;
      if (!cur.empty() && !t.empty() && t.front() == '#') continue;  // comment inside continuation
      if (cur.empty()) start = n;
      if (!t.empty() && t.back() == '\\') {
        cur.append(t.substr(0, t.size() - 1));
        cur.push_back(' ');
        continue;
      }
      cur.append(t);
    } else if (cur.empty()) {
      break;
    }
    const std::string where = path + ":" + std::to_string(start);
    std::string_view line = trim(cur);
    auto sp = line.find_first_of(" \t");
    std::string instr = to_lower(line.substr(0, sp));
    std::string_view args =
        sp == std::string_view::npos ? std::string_view() : trim(line.substr(sp));
    auto& vars = in_stage ? stage_args : global_args;
    if (instr == "arg") {
      for (auto w : split_ws(args)) {
        auto eq = w.find('=');
        std::string name(w.substr(0, eq));
        std::string value =
            eq == std::string_view::npos ? std::string() : unquote(w.substr(eq + 1));
        if (in_stage && eq == std::string_view::npos) {
          auto g = global_args.find(name);  // ARG NAME in a stage re-imports the global value
          value = g != global_args.end() ? g->second : std::string();
        }
        auto sub = substitute(value, vars, where);
        if (!sub) return make_error(sub.error());
        vars[name] = *sub;
      }
    } else if (instr == "from") {
      auto words = split_ws(args);
      std::vector<std::string_view> rest;
      for (auto w : words)
        if (!starts_with(w, "--")) rest.push_back(w);
      if (rest.empty()) return make_error(where + ": FROM without an image");
      auto image = substitute(rest[0], global_args, where);
      if (!image) return make_error(image.error());
      DockerFrom f;
      f.where = where;
      if (rest.size() >= 3 && iequals(rest[1], "as"))
        f.stage = to_lower(rest[2]);
      else if (rest.size() != 1)
        return make_error(where + ": expected FROM image [AS name]");
      if (std::find(stages.begin(), stages.end(), to_lower(*image)) != stages.end()) {
        f.from_stage = true;
        f.image.text = *image;
      } else {
        auto ref = ImageRef::parse(*image);
        if (!ref) return make_error(where + ": " + ref.error());
        f.image = *ref;
      }
      if (in_stage && !df.froms.back().stage.empty())
        env_of_stage[df.froms.back().stage] = stage_env;  // a later FROM <stage> inherits it
      stage_env = f.from_stage ? env_of_stage[to_lower(f.image.text)]
                               : std::map<std::string, std::string>{};
      if (!f.stage.empty()) stages.push_back(f.stage);
      df.froms.push_back(std::move(f));
      in_stage = true;
      stage_args.clear();
    } else if (instr == "env") {
      if (!in_stage) return make_error(where + ": ENV before FROM");
      auto scope = stage_env;
      for (const auto& [k, v] : stage_args) scope[k] = v;
      if (Status st = read_env(args, scope, stage_env, where); !st) return make_error(st.error());
    } else if (instr == "run") {
      if (!in_stage) return make_error(where + ": RUN before FROM");
      auto scope = stage_env;
      for (const auto& [k, v] : stage_args) scope[k] = v;
      auto expanded = substitute(args, scope, where);
      if (!expanded) return make_error(expanded.error());
      for (const auto& cmd : shell_commands(*expanded)) {
        auto words = pip_install_words(cmd);
        if (!words) continue;
        auto set = parse_pip_install_args(words->words, where);
        if (!set) return make_error(set.error());
        set->installer = words->installer;
        set->installer_why =
            "a `" + std::string(words->installer == "uv" ? "uv pip" : "pip") + " install` line";
        fold_env(*set, stage_env);
        df.pip_installs.push_back(
            {std::move(set).value(), where, static_cast<int>(df.froms.size()) - 1});
      }
    } else if (instr.empty() || !std::all_of(instr.begin(), instr.end(),
                                             [](char c) { return c >= 'a' && c <= 'z'; })) {
      return make_error(where + ": not a Dockerfile instruction: '" +
                        std::string(line.substr(0, 40)) + "'");
    } else if (!in_stage && instr != "arg") {
      return make_error(where + ": " + instr + " before the first FROM");
    }
    cur.clear();
    if (last) break;
  }
  if (df.froms.empty()) return make_error(path + ": no FROM line");
  return df;
}

}  // namespace cudafit
