// HttpClient over libcurl, opened with dlopen: with driver_lib_posix.cpp, one of the two
// places cudafit calls dlopen, and the only one that talks to the network. curl.h gives the
// types and option numbers (a stable ABI since libcurl 7.16); the functions come from the
// library found at run time, so the binary's own dependencies stay glibc alone.
// CURLOPT_PROTOCOLS and CURLINFO_SIZE_DOWNLOAD: the fallbacks for older libraries.
#define CURL_DISABLE_DEPRECATION
#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <utility>

#include "update/http.h"
#include "util/strings.h"

namespace cudafit {

namespace {

struct CurlApi {
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
  std::string loaded;  // the library that answered
};

template <typename F>
bool bind(void* lib, F& fn, const char* name) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  return fn != nullptr;
}

// Loads the library once per process (per name asked for); the handle is never closed.
Result<const CurlApi*> load_curl(const std::map<std::string, std::string>& env) {
  static std::mutex mu;
  static auto* loaded = new std::map<std::string, const CurlApi*>();
  std::lock_guard<std::mutex> lock(mu);
  std::vector<std::string> names;
  auto own = env.find("CUDAFIT_LIBCURL");
  if (own != env.end() && !own->second.empty()) {
    names.push_back(own->second);
  } else {
    names = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl-nss.so.4"};
  }
  if (auto it = loaded->find(names.front()); it != loaded->end()) return it->second;
  std::vector<std::string> why;
  for (const auto& name : names) {
    void* lib = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* e = dlerror();
      why.push_back(e != nullptr ? std::string(e) : name + ": not found");
      continue;
    }
    auto* a = new CurlApi();  // lives as long as the process (so does the library)
    bool all = bind(lib, a->global_init, "curl_global_init") &&
               bind(lib, a->easy_init, "curl_easy_init") &&
               bind(lib, a->easy_cleanup, "curl_easy_cleanup") &&
               bind(lib, a->easy_setopt, "curl_easy_setopt") &&
               bind(lib, a->easy_perform, "curl_easy_perform") &&
               bind(lib, a->easy_getinfo, "curl_easy_getinfo") &&
               bind(lib, a->easy_strerror, "curl_easy_strerror") &&
               bind(lib, a->slist_append, "curl_slist_append") &&
               bind(lib, a->slist_free_all, "curl_slist_free_all");
    if (!all) {
      why.push_back(name + ": not libcurl (a curl_easy_* function is missing)");
      delete a;
      continue;
    }
    if (a->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      why.push_back(name + ": curl_global_init failed");
      delete a;
      continue;
    }
    a->loaded = name;
    loaded->emplace(names.front(), a);
    return static_cast<const CurlApi*>(a);
  }
  return make_error(
      "cudafit update needs libcurl at run time and none could be loaded (" + join(why, "; ") +
      "): install it (Debian/Ubuntu: apt install libcurl4; Fedora/RHEL: dnf install libcurl), "
      "or name the library in CUDAFIT_LIBCURL");
}

struct Transfer {
  HttpResponse* response;
  std::uint64_t max_bytes;
  std::uint64_t max_bytes_if_whole;
  long status = 0;  // of the response whose body comes (from its status line)
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::uint64_t limit =
      t->status == 200 && t->max_bytes_if_whole > 0 ? t->max_bytes_if_whole : t->max_bytes;
  if (t->response->body.size() + n > limit) {
    t->too_large = true;
    return 0;  // libcurl stops with CURLE_WRITE_ERROR
  }
  t->response->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (starts_with(line, "HTTP/")) {
    t->response->headers.clear();  // a new response (after a redirect or a 100)
    auto space = line.find(' ');
    auto code =
        space == std::string_view::npos ? std::nullopt : parse_uint(line.substr(space + 1, 3));
    t->status = code ? static_cast<long>(*code) : 0;
    return n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name = to_lower(trim(line.substr(0, colon)));
  t->response->headers[name] = std::string(trim(line.substr(colon + 1)));
  return n;
}

HttpFailure failure_of(CURLcode rc, const Transfer& t) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return HttpFailure::kOffline;
    case CURLE_OPERATION_TIMEDOUT:
      return HttpFailure::kTimeout;
    case CURLE_TOO_MANY_REDIRECTS:
      return HttpFailure::kRedirectLoop;
    case CURLE_FILESIZE_EXCEEDED:
      return HttpFailure::kTooLarge;
    case CURLE_PARTIAL_FILE:
      return HttpFailure::kTruncated;
    case CURLE_WRITE_ERROR:
      return t.too_large ? HttpFailure::kTooLarge : HttpFailure::kOther;
    default:
      return HttpFailure::kOther;
  }
}

std::string env_of(const std::map<std::string, std::string>& env,
                   std::initializer_list<const char*> names) {
  for (const char* n : names) {
    auto it = env.find(n);
    if (it != env.end() && !it->second.empty()) return it->second;
  }
  return "";
}

class CurlClient final : public HttpClient {
 public:
  CurlClient(const CurlApi& api, HttpSettings settings) : api_(api), s_(std::move(settings)) {}

  HttpResponse fetch(const HttpRequest& req) override {
    HttpResponse r;
    r.url = req.url;
    CURL* h = api_.easy_init();
    if (h == nullptr) {
      r.failure = HttpFailure::kOther;
      r.error = "curl_easy_init failed";
      return r;
    }
    Transfer t{&r, req.max_bytes, req.max_bytes_if_whole};
    curl_slist* headers = nullptr;
    for (const auto& hd : req.headers) headers = api_.slist_append(headers, hd.c_str());
    const std::string proxy = proxy_for(req.url, s_.env);
    const std::string no_proxy = env_of(s_.env, {"NO_PROXY", "no_proxy"});
    const std::string ca = env_of(s_.env, {"CURL_CA_BUNDLE", "SSL_CERT_FILE"});
    auto set = [&](CURLoption o, auto v) { return api_.easy_setopt(h, o, v); };
    set(CURLOPT_URL, req.url.c_str());
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_FOLLOWLOCATION, 1L);
    set(CURLOPT_MAXREDIRS, 8L);
    // http and https only, redirects included (7.85 names them; older libraries take bits).
    bool named = false;
#if LIBCURL_VERSION_NUM >= 0x075500
    named = set(CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
            set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK;
#endif
    if (!named) {
      set(CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
      set(CURLOPT_REDIR_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    }
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connect_timeout_ms));
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_ms));
    set(CURLOPT_LOW_SPEED_LIMIT, 1L);
    set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(req.stall_timeout_s));
    const std::uint64_t most = std::max(req.max_bytes, req.max_bytes_if_whole);
    set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(most));
    // Always set: an empty proxy makes libcurl ignore the process's own variables, so the
    // Host's environment decides.
    set(CURLOPT_PROXY, proxy.c_str());
    set(CURLOPT_NOPROXY, no_proxy.c_str());  // "" also means: not the process's NO_PROXY
    if (!ca.empty()) set(CURLOPT_CAINFO, ca.c_str());
    if (req.compressed) set(CURLOPT_ACCEPT_ENCODING, "");
    set(CURLOPT_USERAGENT, s_.user_agent.c_str());
    if (headers != nullptr) set(CURLOPT_HTTPHEADER, headers);
    set(CURLOPT_WRITEFUNCTION, on_body);
    set(CURLOPT_WRITEDATA, static_cast<void*>(&t));
    set(CURLOPT_HEADERFUNCTION, on_header);
    set(CURLOPT_HEADERDATA, static_cast<void*>(&t));

    CURLcode rc = api_.easy_perform(h);
    long status = 0;
    api_.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    r.status = status;
    curl_off_t body_bytes = 0;
    bool counted = false;
#if LIBCURL_VERSION_NUM >= 0x073700
    counted = api_.easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &body_bytes) == CURLE_OK;
#endif
    if (!counted) {  // libcurl before 7.55
      double d = 0;
      if (api_.easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD, &d) == CURLE_OK)
        body_bytes = static_cast<curl_off_t>(d);
    }
    long header_bytes = 0;
    api_.easy_getinfo(h, CURLINFO_HEADER_SIZE, &header_bytes);
    r.wire_bytes = static_cast<std::uint64_t>(body_bytes < 0 ? 0 : body_bytes) +
                   static_cast<std::uint64_t>(header_bytes < 0 ? 0 : header_bytes);
    char* effective = nullptr;
    if (api_.easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK &&
        effective != nullptr)
      r.url = effective;
    if (rc != CURLE_OK) {
      r.failure = failure_of(rc, t);
      r.error = api_.easy_strerror(rc);
      if (r.failure == HttpFailure::kTooLarge) {
        std::uint64_t limit = t.status == 200 && req.max_bytes_if_whole > 0
                                  ? req.max_bytes_if_whole
                                  : (t.status == 0 ? most : req.max_bytes);
        r.error = "the answer is larger than the " + std::to_string(limit >> 10) +
                  " KiB allowed: stopped there";
      }
    }
    if (headers != nullptr) api_.slist_free_all(headers);
    api_.easy_cleanup(h);
    return r;
  }

 private:
  const CurlApi& api_;
  HttpSettings s_;
};

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string proxy_for(const std::string& url, const std::map<std::string, std::string>& env) {
  // libcurl's own reading of the environment: only the lower-case http_proxy for http
  // (httpoxy), either case for https, then ALL_PROXY.
  std::string p = starts_with(to_lower(url), "https:") ? env_of(env, {"https_proxy", "HTTPS_PROXY"})
                                                       : env_of(env, {"http_proxy"});
  if (p.empty()) p = env_of(env, {"all_proxy", "ALL_PROXY"});
  return p;
}

Result<std::unique_ptr<HttpClient>> open_curl_client(const HttpSettings& settings) {
  auto api = load_curl(settings.env);
  if (!api) return make_error(api.error());
  return std::unique_ptr<HttpClient>(std::make_unique<CurlClient>(**api, settings));
}

}  // namespace cudafit
