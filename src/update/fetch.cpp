// The Fetcher: cache, conditional requests, retries, ranges, byte counts.
#include "update/fetch.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <thread>

#include "kb/overlay.h"  // fnv1a64
#include "update/files.h"
#include "util/strings.h"

namespace cudafit {

namespace {

std::string hex64(std::uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 15];
  return s;
}

// A cache entry's fields, one "name<TAB>value" a line (values never hold tabs or newlines).
std::string meta_text(const std::map<std::string, std::string>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    std::string clean = v;
    for (char& c : clean)
      if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    out += k + "\t" + clean + "\n";
  }
  return out;
}

std::map<std::string, std::string> parse_meta(std::string_view text) {
  std::map<std::string, std::string> out;
  for (auto line : split_lines(text)) {
    auto tab = line.find('\t');
    if (tab != std::string_view::npos)
      out.emplace(std::string(line.substr(0, tab)), std::string(line.substr(tab + 1)));
  }
  return out;
}

// Seconds to wait from a Retry-After value (delta-seconds; an HTTP date counts as the cap).
int retry_after_seconds(const std::string& value, int cap) {
  auto n = parse_uint(trim(value));
  if (!n) return cap;
  return static_cast<int>(std::min<std::uint64_t>(*n, static_cast<std::uint64_t>(cap)));
}

// "bytes 100-199/1000" -> (100, 199, 1000).
std::optional<std::array<std::uint64_t, 3>> parse_content_range(std::string_view v) {
  v = trim(v);
  if (!starts_with(v, "bytes ")) return std::nullopt;
  v.remove_prefix(6);
  auto dash = v.find('-'), slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash)
    return std::nullopt;
  auto a = parse_uint(trim(v.substr(0, dash)));
  auto b = parse_uint(trim(v.substr(dash + 1, slash - dash - 1)));
  auto total = parse_uint(trim(v.substr(slash + 1)));
  if (!a || !b || !total || *a > *b || *b >= *total) return std::nullopt;
  return std::array<std::uint64_t, 3>{*a, *b, *total};
}

// "https://user@host:443/a" -> "host:443".
std::string host_of(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find_first_of("/?#", start);
  std::string h = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  auto at = h.rfind('@');
  return at == std::string::npos ? h : h.substr(at + 1);
}

std::string failure_text(const HttpResponse& r) {
  if (!r.ok()) return r.error;
  return "HTTP " + std::to_string(r.status);
}

class RemoteRanges final : public ByteRanges {
 public:
  RemoteRanges(Fetcher& f, std::string url, std::uint64_t size, std::string purpose,
               std::uint64_t whole_limit)
      : f_(f),
        url_(std::move(url)),
        size_(size),
        purpose_(std::move(purpose)),
        whole_limit_(whole_limit) {}

  Result<std::string> read(std::uint64_t offset, std::uint64_t length) override {
    if (length == 0) return std::string();
    if (size_ > 0 && (offset > size_ || length > size_ - offset))
      return make_error("range past the end of " + url_);
    return get("bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1),
               offset, length, false);
  }
  Result<std::string> read_tail(std::uint64_t length) override {
    if (size_ > 0) {
      std::uint64_t n = std::min(length, size_);
      return read(size_ - n, n);
    }
    return get("bytes=-" + std::to_string(length), 0, length, true);
  }
  std::uint64_t size() const override { return size_; }

 private:
  Result<std::string> get(const std::string& range, std::uint64_t offset, std::uint64_t length,
                          bool suffix) {
    if (f_.offline()) return make_error("offline: " + url_ + " is not read (--offline)");
    HttpRequest req;
    req.url = url_;
    req.headers = {"Range: " + range, "Accept-Encoding: identity"};
    req.compressed = false;
    req.max_bytes = length + 1024;
    req.max_bytes_if_whole = std::max(whole_limit_, length + 1024);
    HttpResponse r = f_.request(req, purpose_);
    if (!r.ok())
      return make_error(url_ + " (" + range + "): " + r.error +
                        (r.failure == HttpFailure::kTooLarge && r.status == 200
                             ? " (the server ignored the Range header and sent the whole file)"
                             : ""));
    if (r.status == 206) {
      auto cr = parse_content_range(r.header("content-range"));
      if (!cr) return make_error(url_ + ": a 206 answer without a usable Content-Range");
      auto [a, b, total] = *cr;
      if (size_ > 0 && total != size_)
        return make_error(url_ + ": the file is " + std::to_string(total) +
                          " bytes, the index said " + std::to_string(size_));
      size_ = total;
      std::uint64_t want_a = suffix ? (total > length ? total - length : 0) : offset;
      std::uint64_t want_b = suffix ? total - 1 : std::min(offset + length, total) - 1;
      if (a != want_a || b != want_b)
        return make_error(url_ + ": asked " + range + ", the server sent bytes " +
                          std::to_string(a) + "-" + std::to_string(b));
      if (r.body.size() != b - a + 1)
        return make_error(url_ + ": " + std::to_string(r.body.size()) +
                          " bytes came for a range of " + std::to_string(b - a + 1) +
                          " (cut short)");
      return std::move(r.body);
    }
    if (r.status == 200) {
      // The whole file, small enough to have been read: take the range out of it.
      std::uint64_t total = r.body.size();
      if (size_ > 0 && total != size_)
        return make_error(url_ + ": the server sent " + std::to_string(total) +
                          " bytes for a file the index says is " + std::to_string(size_));
      size_ = total;
      std::uint64_t a = suffix ? (total > length ? total - length : 0) : offset;
      if (a > total) return make_error(url_ + ": range past the end");
      return r.body.substr(static_cast<std::size_t>(a), static_cast<std::size_t>(length));
    }
    return make_error(url_ + " (" + range + "): " + failure_text(r));
  }

  Fetcher& f_;
  std::string url_;
  std::uint64_t size_;
  std::string purpose_;
  std::uint64_t whole_limit_;
};

}  // namespace

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Fetcher::Fetcher(HttpClient* http, const Host& fs, FetchOptions options)
    : http_(http), fs_(fs), options_(std::move(options)), now_(utc_now()) {}

FetchCount Fetcher::total() const {
  FetchCount t;
  for (const auto& [_, c] : counts_) {
    t.requests += c.requests;
    t.bytes += c.bytes;
    t.not_modified += c.not_modified;
  }
  return t;
}

std::string Fetcher::cache_path(const std::string& key, const char* ext) const {
  return path_join(options_.cache_dir, hex64(fnv1a64(key)) + ext);
}

std::optional<Fetcher::Cached> Fetcher::cached(const std::string& key) const {
  if (options_.cache_dir.empty()) return std::nullopt;
  auto meta = fs_.read_file(cache_path(key, ".meta"), 1u << 16);
  if (!meta) return std::nullopt;
  auto fields = parse_meta(*meta);
  if (fields["key"] != key) return std::nullopt;  // a hash collision, or damage
  auto body = fs_.read_file(cache_path(key, ".body"), options_.page_limit);
  if (!body) return std::nullopt;
  auto size = parse_uint(fields["size"]);
  if (!size || *size != body->size()) return std::nullopt;
  if (fields["fnv1a64"] != hex64(fnv1a64(*body))) return std::nullopt;
  Cached c;
  c.url = fields["url"];
  c.accept = fields["accept"];
  c.etag = fields["etag"];
  c.last_modified = fields["last-modified"];
  c.content_type = fields["content-type"];
  c.fetched = fields["fetched"];
  c.body = std::move(body).value();
  return c;
}

void Fetcher::store(const std::string& key, const Cached& c) {
  if (options_.cache_dir.empty()) return;
  if (!make_dirs(options_.cache_dir)) return;  // a cache that cannot be written is no error
  // The body first: a meta file never describes a body that is not there.
  if (!write_file_atomic(cache_path(key, ".body"), c.body)) return;
  (void)write_file_atomic(cache_path(key, ".meta"),
                          meta_text({{"key", key},
                                     {"url", c.url},
                                     {"accept", c.accept},
                                     {"etag", c.etag},
                                     {"last-modified", c.last_modified},
                                     {"content-type", c.content_type},
                                     {"fetched", c.fetched},
                                     {"size", std::to_string(c.body.size())},
                                     {"fnv1a64", hex64(fnv1a64(c.body))}}));
}

std::optional<std::string> Fetcher::remembered(const std::string& key) const {
  auto c = cached("derived " + key);
  if (!c) return std::nullopt;
  return c->body;
}

void Fetcher::remember(const std::string& key, const std::string& text) {
  Cached c;
  c.url = key;
  c.fetched = now_;
  c.body = text;
  store("derived " + key, c);
}

HttpResponse Fetcher::request(HttpRequest req, const std::string& purpose) {
  HttpResponse r;
  if (offline()) {
    r.failure = HttpFailure::kOffline;
    r.error = "not read: offline (--offline)";
    return r;
  }
  req.timeout_ms = std::min(req.timeout_ms, options_.timeout_ms);
  const std::string host = host_of(req.url);
  if (unreachable_.count(host)) {
    r.failure = HttpFailure::kOffline;
    r.error = host + " could not be reached a moment ago";
    return r;
  }
  for (int attempt = 0;; ++attempt) {
    r = http_->fetch(req);
    if (r.failure == HttpFailure::kOffline) unreachable_.insert(host);
    FetchCount& c = counts_[purpose];
    ++c.requests;
    c.bytes += r.wire_bytes;
    if (r.ok() && r.status == 304) ++c.not_modified;
    bool busy = r.ok() && (r.status == 429 || r.status == 503);
    if (!busy || attempt >= options_.max_retries) break;
    int wait = retry_after_seconds(r.header("retry-after"), options_.max_retry_wait_s);
    std::this_thread::sleep_for(std::chrono::seconds(wait));
  }
  return r;
}

Fetcher::Page Fetcher::page(const std::string& url, const std::string& accept,
                            const std::string& purpose) {
  const std::string key = "page " + url + " " + accept;
  auto copy = cached(key);
  Page p;
  p.url = url;
  p.accept = accept;
  if (offline()) {
    if (!copy) {
      p.failure = HttpFailure::kOffline;
      p.error = "not in the cache, and offline (--offline)";
      return p;
    }
    p.ok = true;
    p.not_modified = true;
    p.status = 304;
    p.body = std::move(copy->body);
    p.content_type = copy->content_type;
    p.fetched = copy->fetched;
    return p;
  }
  HttpRequest req;
  req.url = url;
  if (!accept.empty()) req.headers.push_back("Accept: " + accept);
  if (copy && !copy->etag.empty()) req.headers.push_back("If-None-Match: " + copy->etag);
  if (copy && !copy->last_modified.empty())
    req.headers.push_back("If-Modified-Since: " + copy->last_modified);
  req.max_bytes = options_.page_limit;
  HttpResponse r = request(req, purpose);
  p.status = r.status;
  auto use_copy = [&](bool stale) {
    p.ok = true;
    p.stale = stale;
    p.not_modified = !stale;
    p.body = std::move(copy->body);
    p.content_type = copy->content_type;
    p.fetched = copy->fetched;
    return p;
  };
  if (!r.ok()) {
    p.failure = r.failure;
    p.error = r.error;
    return copy ? use_copy(true) : p;
  }
  if (r.status == 304 && copy) return use_copy(false);
  if (r.status != 200) {
    p.error = "HTTP " + std::to_string(r.status);
    if (r.status == 404 || r.status == 410) return p;
    p.failure = HttpFailure::kOther;
    return copy ? use_copy(true) : p;
  }
  // A body shorter than its Content-Length came through a proxy that hid the cut.
  auto length = parse_uint(trim(r.header("content-length")));
  if (length && r.header("content-encoding").empty() && *length != r.body.size()) {
    p.failure = HttpFailure::kTruncated;
    p.error =
        "cut short: " + std::to_string(r.body.size()) + " of " + std::to_string(*length) + " bytes";
    return copy ? use_copy(true) : p;
  }
  p.ok = true;
  p.body = std::move(r.body);
  p.content_type = r.header("content-type");
  p.fetched = now_;
  p.accept = accept;
  p.etag = r.header("etag");
  p.last_modified = r.header("last-modified");
  return p;
}

void Fetcher::keep(const Page& p) {
  if (!p.ok || p.not_modified || p.stale) return;
  Cached c;
  c.url = p.url;
  c.accept = p.accept;
  c.etag = p.etag;
  c.last_modified = p.last_modified;
  c.content_type = p.content_type;
  c.fetched = p.fetched;
  c.body = p.body;
  // Also without validators: for --offline, and for a source that fails next time.
  store("page " + p.url + " " + p.accept, c);
}

Fetcher::Page Fetcher::stale_copy(const std::string& url, const std::string& accept,
                                  const std::string& why) {
  Page p;
  p.url = url;
  p.error = why;
  auto copy = cached("page " + url + " " + accept);
  if (!copy) return p;
  p.ok = true;
  p.stale = true;
  p.body = std::move(copy->body);
  p.content_type = copy->content_type;
  p.fetched = copy->fetched;
  return p;
}

Fetcher::Page Fetcher::immutable(const std::string& url, const std::string& purpose,
                                 std::uint64_t limit) {
  const std::string key = "file " + url;
  Page p;
  p.url = url;
  if (auto copy = cached(key)) {
    p.ok = true;
    p.not_modified = true;
    p.status = 200;
    p.body = std::move(copy->body);
    p.content_type = copy->content_type;
    p.fetched = copy->fetched;
    return p;
  }
  if (offline()) {
    p.failure = HttpFailure::kOffline;
    p.error = "not in the cache, and offline (--offline)";
    return p;
  }
  HttpRequest req;
  req.url = url;
  req.max_bytes = limit;
  HttpResponse r = request(req, purpose);
  p.status = r.status;
  if (!r.ok()) {
    p.failure = r.failure;
    p.error = r.error;
    return p;
  }
  if (r.status != 200) {
    p.error = "HTTP " + std::to_string(r.status);
    if (r.status != 404 && r.status != 410) p.failure = HttpFailure::kOther;
    return p;
  }
  p.ok = true;
  p.body = std::move(r.body);
  p.content_type = r.header("content-type");
  p.fetched = now_;
  Cached c;
  c.url = url;
  c.content_type = p.content_type;
  c.fetched = p.fetched;
  c.body = p.body;
  store(key, c);
  return p;
}

std::unique_ptr<ByteRanges> Fetcher::ranges(const std::string& url, std::uint64_t known_size,
                                            const std::string& purpose) {
  return std::make_unique<RemoteRanges>(*this, url, known_size, purpose, options_.whole_file_limit);
}

}  // namespace cudafit
