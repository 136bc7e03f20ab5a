// HTTP for `cudafit update`: one small interface, and its libcurl implementation.
//
// The cudafit binary does not link libcurl (it ships in a manylinux wheel that may need only
// glibc): http_curl.cpp opens libcurl.so.4 with dlopen on the first request of an update,
// and only there. Proxies, CA bundle and the library to load come from the variables given
// in HttpSettings (the Host's environment), never from the process's own.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "util/result.h"

namespace cudafit {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;       // "Accept: ...", "Range: bytes=0-99", ...
  std::uint64_t max_bytes = 32ull << 20;  // a body past this is cut off: kTooLarge
  // A Range request answered 200 (the server ignored the range: the whole file comes) is cut
  // off at this many bytes instead (0: max_bytes).
  std::uint64_t max_bytes_if_whole = 0;
  int timeout_ms = 120000;  // the whole request
  int connect_timeout_ms = 15000;
  int stall_timeout_s = 30;  // no byte for this long: kTimeout
  bool compressed = true;    // ask for gzip (pages; not byte ranges)
};

enum class HttpFailure {
  kNone,
  kOffline,       // no route: name not resolved, connection refused, proxy unreachable
  kTimeout,       // the deadline or the stall limit passed
  kTooLarge,      // the body passed max_bytes
  kTruncated,     // the connection closed before the body announced was complete
  kRedirectLoop,  // too many redirects
  kOther,         // TLS, protocol, ...
};

struct HttpResponse {
  HttpFailure failure = HttpFailure::kNone;
  std::string error;                           // when failure != kNone: what libcurl said
  long status = 0;                             // 200, 206, 304, 404, ...
  std::map<std::string, std::string> headers;  // of the last response; names lower-case
  std::string body;
  std::string url;               // after redirects
  std::uint64_t wire_bytes = 0;  // received: headers and body as sent (compressed)
  bool ok() const { return failure == HttpFailure::kNone; }
  std::string header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual HttpResponse fetch(const HttpRequest& request) = 0;
};

struct HttpSettings {
  // The environment to take HTTPS_PROXY/https_proxy, http_proxy, ALL_PROXY, NO_PROXY,
  // CURL_CA_BUNDLE / SSL_CERT_FILE and CUDAFIT_LIBCURL from.
  std::map<std::string, std::string> env;
  std::string user_agent = "cudafit";
};

// libcurl through dlopen: $CUDAFIT_LIBCURL when set, else libcurl.so.4, then its GnuTLS and
// NSS builds. An error naming what was tried (and the package to install) when none loads.
Result<std::unique_ptr<HttpClient>> open_curl_client(const HttpSettings& settings);

// The proxy libcurl is told to use for `url` ("" = none), from those variables.
std::string proxy_for(const std::string& url, const std::map<std::string, std::string>& env);

}  // namespace cudafit
