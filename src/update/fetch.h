// Every request of an update goes through a Fetcher: listing pages asked conditionally
// (If-None-Match / If-Modified-Since) against a cache of the last answers, so an update with
// nothing new costs a few hundred bytes a page; 429/503 answers retried after their
// Retry-After (bounded); byte ranges checked against Content-Range; a byte count per purpose;
// and --offline, where only the cache answers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "update/http.h"
#include "update/remote_zip.h"
#include "util/host.h"

namespace cudafit {

struct FetchCount {
  std::uint64_t requests = 0;
  std::uint64_t bytes = 0;         // received: headers and bodies
  std::uint64_t not_modified = 0;  // 304 answers
};

struct FetchOptions {
  std::string cache_dir;  // where the answers are kept ("" = no cache)
  bool offline = false;   // no request at all: the cache answers, or it is an offline failure
  int max_retries = 2;    // of a 429/503
  int max_retry_wait_s = 20;
  std::uint64_t page_limit = 32ull << 20;       // a listing page larger than this is refused
  std::uint64_t whole_file_limit = 2ull << 20;  // a Range answered 200: the most read of it
  int timeout_ms = 120000;
};

class Fetcher {
 public:
  // `http` may be null (offline); `fs` reads the cache.
  Fetcher(HttpClient* http, const Host& fs, FetchOptions options);

  struct Page {
    bool ok = false;  // a body to read (200, or 304 from the cache)
    HttpFailure failure = HttpFailure::kNone;
    std::string error;  // when !ok: "HTTP 404", "not in the cache (--offline)", libcurl's words
    long status = 0;
    std::string body, content_type, url;
    std::string fetched;        // when this body came from the server ("2026-12-04T14:00:00Z")
    bool not_modified = false;  // the cache's copy, confirmed by a 304 (or --offline)
    bool stale = false;         // the cache's copy, because the request failed (`error` says how)
    std::string accept, etag, last_modified;  // for keep()
  };
  // `purpose` names the byte count ("torch page"). 404 and 410 are answers, not failures:
  // ok false, failure kNone. A failed request falls back to the cache's copy (stale).
  Page page(const std::string& url, const std::string& accept, const std::string& purpose);
  // Keeps a page just read in the cache (once it has parsed: a damaged answer is never kept).
  void keep(const Page& page);
  // The cache's copy of a page whose answer could not be used (`why`), marked stale; ok false
  // when there is none.
  Page stale_copy(const std::string& url, const std::string& accept, const std::string& why);
  // A file that never changes once published (a PEP 658 .metadata): asked once, then kept.
  Page immutable(const std::string& url, const std::string& purpose, std::uint64_t limit);

  // Text derived from an immutable file (a wheel's METADATA read out of its zip), kept by key.
  std::optional<std::string> remembered(const std::string& key) const;
  void remember(const std::string& key, const std::string& text);

  // A remote file's byte ranges, counted under `purpose`.
  std::unique_ptr<ByteRanges> ranges(const std::string& url, std::uint64_t known_size,
                                     const std::string& purpose);

  const std::map<std::string, FetchCount>& counts() const { return counts_; }
  FetchCount total() const;
  std::string now() const { return now_; }
  bool offline() const { return options_.offline || http_ == nullptr; }

  // One HTTP request with the retries; counted.
  HttpResponse request(HttpRequest req, const std::string& purpose);

 private:
  struct Cached {
    std::string url, accept, etag, last_modified, content_type, fetched, body;
  };
  std::optional<Cached> cached(const std::string& key) const;
  void store(const std::string& key, const Cached& c);
  std::string cache_path(const std::string& key, const char* ext) const;

  HttpClient* http_;
  const Host& fs_;
  std::set<std::string> unreachable_;  // hosts that failed for want of a route: not asked again
  FetchOptions options_;
  std::map<std::string, FetchCount> counts_;
  std::string now_;
};

// "2026-12-04T14:00:00Z", UTC, now.
std::string utc_now();

}  // namespace cudafit
