// Reading the sources' pages: the package index, the PyTorch index, the release notes.
#include "update/sources.h"

#include <algorithm>

#include "util/strings.h"
#include "versions/requirement.h"

namespace cudafit {

namespace {

// What pip asks a simple index for: JSON first, HTML from mirrors that have only that.
constexpr const char* kIndexAccept =
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01";

}  // namespace

std::string kib(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  if (bytes < (10u << 20)) return std::to_string((bytes + 512) >> 10) + " KB";
  return std::to_string((bytes + (1u << 19)) >> 20) + " MB";
}

std::string date_of(const std::string& upload_time) { return upload_time.substr(0, 10); }

std::string python_of_tag(const std::string& tag) {
  std::string digits = tag.substr(2);
  if (!digits.empty() && digits.back() == 't') digits.pop_back();
  if (digits.size() < 2) return "";
  return digits.substr(0, 1) + "." + digits.substr(1);
}

void sort_tags(std::vector<std::string>& tags) {
  auto key = [](const std::string& t) {
    std::string d = t.substr(2);
    bool threaded = !d.empty() && d.back() == 't';
    if (threaded) d.pop_back();
    auto minor = d.size() > 1 ? parse_uint(d.substr(1)) : std::nullopt;
    return std::make_tuple(d.empty() ? 0 : d[0] - '0', minor ? *minor : 0, threaded);
  };
  std::sort(tags.begin(), tags.end(),
            [&](const std::string& a, const std::string& b) { return key(a) < key(b); });
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
}

std::optional<Pep440Version> final_release(const std::string& version) {
  auto v = Pep440Version::parse(version);
  if (!v || v->is_prerelease() || !v->local().empty()) return std::nullopt;
  return *v;
}

void SourceContext::fail(const std::string& what, const Fetcher::Page& p) {
  out.failures.push_back(what + ": " + p.error);
  if (p.failure == HttpFailure::kOffline && out.offline.empty())
    out.offline = "cannot reach " + p.url + " (" + p.error + ")";
}

std::optional<ReadPage> SourceContext::read_listing(const std::string& url,
                                                    const std::string& accept,
                                                    const std::string& what, bool hard,
                                                    bool* failed) {
  progress(what + " ...");
  Fetcher::Page p = fetch.page(url, accept, what);
  if (!p.ok && p.failure == HttpFailure::kNone && !hard) {  // 404 / 410: not there
    progress(what + ": none (" + p.error + ")");
    return std::nullopt;
  }
  auto parsed =
      p.ok ? parse_index_page(p.body, p.content_type, url) : Result<IndexPage>(make_error(p.error));
  if (p.ok && !parsed) {
    // A damaged answer: the copy of the last good one, if any, stands in.
    std::string why = "the answer could not be read (" + parsed.error() + ")";
    Fetcher::Page copy = fetch.stale_copy(url, accept, why);
    p = copy.ok ? copy : p;
    if (!copy.ok) p.error = why;
    parsed = copy.ok ? parse_index_page(copy.body, copy.content_type, url)
                     : Result<IndexPage>(make_error(why));
  }
  if (!p.ok || !parsed) {
    if (failed != nullptr) *failed = true;
    if (hard) {
      fail(what, p);
    } else {
      out.notes.push_back(what + ": not read (" + p.error + ")");
    }
    progress(what + ": failed (" + p.error + ")");
    return std::nullopt;
  }
  if (p.stale) {
    out.notes.push_back(what + ": " + p.error + "; the copy read " + p.fetched + " is used");
    progress(what + ": the cached copy (" + p.error + ")");
  } else {
    fetch.keep(p);
    progress(what + ": " + (p.not_modified ? std::string("not modified") : kib(p.body.size())));
  }
  ReadPage r;
  r.page = std::move(parsed).value();
  r.url = url;
  r.fetched = p.fetched;
  return r;
}

std::optional<ReadPage> SourceContext::project(const std::string& name, bool hard, bool* failed) {
  std::string root = options.index_url;
  while (!root.empty() && root.back() == '/') root.pop_back();
  std::string url = root + "/" + normalize_package_name(name) + "/";
  return read_listing(url, kIndexAccept, name + " (package index)", hard, failed);
}

std::optional<ReadPage> SourceContext::pytorch_page(const std::string& variant, bool* failed) {
  std::string root = options.pytorch_url;
  while (!root.empty() && root.back() == '/') root.pop_back();
  std::string url = root + (variant.empty() ? "" : "/" + variant) + "/torch/";
  return read_listing(
      url, "text/html",
      "torch " + (variant.empty() ? std::string("all variants") : variant) + " (PyTorch index)",
      false, failed);
}

std::optional<Fetcher::Page> SourceContext::text_page(const std::string& url,
                                                      const std::string& what) {
  progress(what + " ...");
  Fetcher::Page p = fetch.page(url, "text/html", what);
  if (!p.ok) {
    out.notes.push_back(what + ": not read (" + p.error + ")");
    progress(what + ": failed (" + p.error + ")");
    return std::nullopt;
  }
  if (p.stale) {
    out.notes.push_back(what + ": " + p.error + "; the copy read " + p.fetched + " is used");
  }
  progress(what + ": " + (p.not_modified ? std::string("not modified") : kib(p.body.size())));
  return p;
}

}  // namespace cudafit
