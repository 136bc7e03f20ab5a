// PEP 691 JSON and PEP 503 HTML project pages; PEP 427 wheel names.
#include "update/index_page.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "util/strings.h"
#include "versions/requirement.h"

namespace cudafit {

namespace {

std::string_view scheme_and_host(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  auto path = url.find('/', scheme + 3);
  return url.substr(0, path == std::string_view::npos ? url.size() : path);
}

// "/a/./b/../c" -> "/a/c"; keeps a trailing slash.
std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> out;
  for (auto part : split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(part);
  }
  std::string s;
  for (auto p : out) {
    s += '/';
    s.append(p);
  }
  if (s.empty() || (!path.empty() && path.back() == '/')) s += '/';
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// The character references PEP 503 pages use (&gt; in data-requires-python, &#43;, ...).
std::string decode_entities(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    auto semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += '&';
      continue;
    }
    std::string_view name = s.substr(i + 1, semi - i - 1);
    if (name == "lt") {
      out += '<';
    } else if (name == "gt") {
      out += '>';
    } else if (name == "amp") {
      out += '&';
    } else if (name == "quot") {
      out += '"';
    } else if (name == "apos") {
      out += '\'';
    } else if (!name.empty() && name[0] == '#') {
      bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
      auto digits = name.substr(hex ? 2 : 1);
      unsigned long cp = 0;
      bool good = !digits.empty();
      for (char c : digits) {
        int v = hex ? hex_value(c) : (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : -1);
        if (v < 0 || cp > 0x10ffff) {
          good = false;
          break;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(v);
      }
      if (!good) {
        out += '&';
        continue;
      }
      append_utf8(out, cp);
    } else {
      out += '&';
      continue;
    }
    i = semi;
  }
  return out;
}

std::string without_fragment(std::string_view url) {
  return std::string(url.substr(0, url.find('#')));
}

std::string basename_of_url(std::string_view url) {
  std::string_view u = url.substr(0, url.find_first_of("?#"));
  auto slash = u.rfind('/');
  return percent_decode(slash == std::string_view::npos ? u : u.substr(slash + 1));
}

}  // namespace

std::string resolve_url(std::string_view base, std::string_view href) {
  href = trim(href);
  if (href.find("://") != std::string_view::npos &&
      href.find("://") < href.find_first_of("/?#"))  // has a scheme
    return std::string(href);
  if (starts_with(href, "//")) {
    auto colon = base.find(':');
    return std::string(base.substr(0, colon == std::string_view::npos ? 0 : colon + 1)) +
           std::string(href);
  }
  std::string_view origin = scheme_and_host(base);
  std::string_view base_path = base.substr(origin.size());
  base_path = base_path.substr(0, base_path.find_first_of("?#"));
  std::string_view href_path = href.substr(0, href.find_first_of("?#"));
  std::string_view rest = href.substr(href_path.size());
  std::string path;
  if (starts_with(href, "/")) {
    path = std::string(href_path);
  } else {
    auto dir = base_path.rfind('/');
    path = std::string(dir == std::string_view::npos ? "/" : base_path.substr(0, dir + 1)) +
           std::string(href_path);
  }
  return std::string(origin) + normalize_path(path) + std::string(rest);
}

Result<IndexPage> parse_pep691_json(std::string_view body, std::string_view page_url) {
  auto doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded()) return make_error("not JSON (cut short, or not a PEP 691 page)");
  if (!doc.is_object()) return make_error("not a PEP 691 page: the JSON is not an object");
  IndexPage page;
  if (auto n = doc.find("name"); n != doc.end() && n->is_string())
    page.name = n->get<std::string>();
  auto files = doc.find("files");
  if (files == doc.end() || !files->is_array())
    return make_error("not a PEP 691 page: no \"files\" array");
  std::size_t i = 0;
  for (const auto& f : *files) {
    ++i;
    if (!f.is_object()) return make_error("file " + std::to_string(i) + ": not an object");
    IndexFile out;
    auto fn = f.find("filename");
    auto url = f.find("url");
    if (fn == f.end() || !fn->is_string() || url == f.end() || !url->is_string())
      return make_error("file " + std::to_string(i) + ": no filename or url");
    out.filename = fn->get<std::string>();
    out.url = without_fragment(resolve_url(page_url, url->get<std::string>()));
    if (auto rp = f.find("requires-python"); rp != f.end() && rp->is_string())
      out.requires_python = rp->get<std::string>();
    if (auto y = f.find("yanked"); y != f.end()) {
      if (y->is_boolean()) {
        out.yanked = y->get<bool>();
      } else if (y->is_string()) {
        out.yanked = true;
        out.yanked_reason = y->get<std::string>();
      }
    }
    if (auto t = f.find("upload-time"); t != f.end() && t->is_string())
      out.upload_time = t->get<std::string>();
    if (auto s = f.find("size"); s != f.end() && s->is_number_unsigned())
      out.size = s->get<std::uint64_t>();
    for (const char* key : {"core-metadata", "dist-info-metadata", "data-dist-info-metadata"}) {
      auto m = f.find(key);
      if (m == f.end()) continue;
      out.has_metadata = (m->is_boolean() && m->get<bool>()) || m->is_object();
      break;
    }
    page.files.push_back(std::move(out));
  }
  return page;
}

Result<IndexPage> parse_pep503_html(std::string_view body, std::string_view page_url) {
  IndexPage page;
  std::string lower = to_lower(body);
  std::size_t pos = 0;
  while ((pos = lower.find("<a", pos)) != std::string::npos) {
    std::size_t p = pos + 2;
    if (p >= lower.size() ||
        !(std::isspace(static_cast<unsigned char>(lower[p])) || lower[p] == '>')) {
      pos = p;
      continue;
    }
    // Attributes up to the tag's '>' (quoted values may hold one).
    std::string href;
    bool has_href = false;
    IndexFile f;
    while (p < body.size() && body[p] != '>') {
      if (std::isspace(static_cast<unsigned char>(body[p])) || body[p] == '/') {
        ++p;
        continue;
      }
      std::size_t name_start = p;
      while (p < body.size() && body[p] != '=' && body[p] != '>' &&
             !std::isspace(static_cast<unsigned char>(body[p])))
        ++p;
      std::string name = to_lower(body.substr(name_start, p - name_start));
      std::string value;
      bool has_value = false;
      while (p < body.size() && std::isspace(static_cast<unsigned char>(body[p]))) ++p;
      if (p < body.size() && body[p] == '=') {
        ++p;
        while (p < body.size() && std::isspace(static_cast<unsigned char>(body[p]))) ++p;
        has_value = true;
        if (p < body.size() && (body[p] == '"' || body[p] == '\'')) {
          char q = body[p++];
          std::size_t end = body.find(q, p);
          if (end == std::string_view::npos) end = body.size();
          value = decode_entities(body.substr(p, end - p));
          p = end < body.size() ? end + 1 : end;
        } else {
          std::size_t start = p;
          while (p < body.size() && body[p] != '>' &&
                 !std::isspace(static_cast<unsigned char>(body[p])))
            ++p;
          value = decode_entities(body.substr(start, p - start));
        }
      }
      if (name == "href") {
        href = value;
        has_href = true;
      } else if (name == "data-requires-python") {
        f.requires_python = value;
      } else if (name == "data-yanked") {
        f.yanked = true;
        f.yanked_reason = value;
      } else if (name == "data-core-metadata" || name == "data-dist-info-metadata") {
        f.has_metadata = !has_value || value != "false";
      }
    }
    if (p >= body.size()) break;
    std::size_t text_start = p + 1;
    std::size_t close = lower.find("</a", text_start);
    if (close == std::string::npos) close = body.size();
    pos = close;
    if (!has_href || href.empty()) continue;
    std::string text(trim(decode_entities(body.substr(text_start, close - text_start))));
    f.url = without_fragment(resolve_url(page_url, href));
    f.filename =
        text.empty() || text.find('<') != std::string::npos ? basename_of_url(f.url) : text;
    page.files.push_back(std::move(f));
  }
  return page;
}

Result<IndexPage> parse_index_page(std::string_view body, std::string_view content_type,
                                   std::string_view page_url) {
  std::string type = to_lower(trim(content_type.substr(0, content_type.find(';'))));
  if (type == kPep691Type || type == "application/json") return parse_pep691_json(body, page_url);
  if (type == "text/html" || type == "application/vnd.pypi.simple.v1+html")
    return parse_pep503_html(body, page_url);
  return make_error("unexpected content type '" + std::string(trim(content_type)) + "' (expected " +
                    kPep691Type + " or text/html)");
}

std::optional<WheelName> parse_wheel_name(std::string_view filename) {
  if (!ends_with(filename, ".whl")) return std::nullopt;
  auto parts = split(filename.substr(0, filename.size() - 4), '-');
  if (parts.size() != 5 && parts.size() != 6) return std::nullopt;
  for (auto p : parts)
    if (p.empty()) return std::nullopt;
  WheelName w;
  w.name = normalize_package_name(parts[0]);
  w.version = std::string(parts[1]);
  auto plus = w.version.find('+');
  w.public_version = w.version.substr(0, plus);
  w.local = plus == std::string::npos ? "" : w.version.substr(plus + 1);
  w.python_tag = std::string(parts[parts.size() - 3]);
  w.abi_tag = std::string(parts[parts.size() - 2]);
  w.platform_tag = std::string(parts[parts.size() - 1]);
  for (auto py : split(w.python_tag, '.')) {
    if (!starts_with(py, "cp") || py.size() < 3) continue;
    std::string tag(py);
    if (w.abi_tag == tag + "t") tag += 't';
    w.cpython.push_back(tag);
  }
  for (auto plat : split(w.platform_tag, '.')) {
    if (plat == "any") w.any_platform = true;
    if (icontains(plat, "linux") && ends_with(plat, "_x86_64")) w.platform = Platform::kLinuxX86_64;
    if (icontains(plat, "linux") && ends_with(plat, "_aarch64"))
      w.platform = Platform::kLinuxAarch64;
    if (plat == "win_amd64") w.platform = Platform::kWindowsX86_64;
  }
  return w;
}

}  // namespace cudafit
