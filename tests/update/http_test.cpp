// libcurl (opened at run time) and the Fetcher against the test server: conditional requests,
// ranges honoured and ignored, retries after Retry-After, cut-short answers, redirect loops,
// proxies taken from the given environment, and a missing libcurl.
#include <gtest/gtest.h>

#include "test_util.h"
#include "update/fetch.h"
#include "update/http.h"
#include "update/index_page.h"
#include "util/host.h"

namespace cudafit {
namespace {

using testing::TempDir;
using testing::TestServer;

std::unique_ptr<HttpClient> client(std::map<std::string, std::string> env = {}) {
  HttpSettings s;
  s.env = std::move(env);
  auto c = open_curl_client(s);
  EXPECT_TRUE(c.ok()) << c.error();
  return c ? std::move(c).value() : nullptr;
}

const std::string kJson = kPep691Type;

class Http : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(TestServer::get().ok()) << "tests/update/server.py did not start";
  }
  TestServer& server = TestServer::get();
  RootedHost here{"/", std::map<std::string, std::string>{}};
};

TEST_F(Http, ASecondAskTransfersAlmostNothing) {
  TempDir cache;
  auto http = client();
  FetchOptions o;
  o.cache_dir = cache.path();
  Fetcher f(http.get(), here, o);
  auto first = f.page(server.url() + "/simple/torch/", kJson, "torch");
  ASSERT_TRUE(first.ok) << first.error;
  EXPECT_FALSE(first.not_modified);
  f.keep(first);
  std::uint64_t bytes_first = f.total().bytes;
  Fetcher again(http.get(), here, o);
  auto second = again.page(server.url() + "/simple/torch/", kJson, "torch");
  ASSERT_TRUE(second.ok) << second.error;
  EXPECT_TRUE(second.not_modified);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.fetched, first.fetched);  // the copy's own time
  EXPECT_LT(again.total().bytes, 1000u) << "first " << bytes_first;
  EXPECT_GT(bytes_first, 10000u);
  // Without validators from the server the whole page comes again.
  Fetcher plain(http.get(), here, o);
  auto a = plain.page(server.url("noetag") + "/simple/torch/", kJson, "torch");
  plain.keep(a);
  auto b = plain.page(server.url("noetag") + "/simple/torch/", kJson, "torch");
  EXPECT_FALSE(b.not_modified);
  EXPECT_GT(plain.total().bytes, 2 * 10000u);
}

TEST_F(Http, RangesHonouredAndIgnored) {
  auto http = client();
  Fetcher f(http.get(), here, FetchOptions{});
  // The synthetic torch 2.16.0 wheel: a real zip layout, 3 MB (server.py).
  const std::string wheel =
      server.url("plus216") + "/files/torch-2.16.0-cp312-cp312-manylinux_2_28_x86_64.whl";
  auto file = f.ranges(wheel, 0, "wheel");
  auto tail = file->read_tail(100);
  ASSERT_TRUE(tail.ok()) << tail.error();
  EXPECT_EQ(tail->size(), 100u);
  EXPECT_GT(file->size(), 3u << 20);
  auto head = file->read(0, 4);
  ASSERT_TRUE(head.ok()) << head.error();
  EXPECT_EQ(*head, std::string("PK\3\4", 4));
  // A server that answers 200 with the whole file: cut off at the whole-file budget (2 MB).
  std::size_t mark = server.log_size();
  auto ignored = f.ranges(
      server.url("plus216,norange") + "/files/torch-2.16.0-cp312-cp312-manylinux_2_28_x86_64.whl",
      0, "wheel");
  auto cut = ignored->read_tail(100);
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().find("ignored the Range header"), std::string::npos) << cut.error();
  // The recorded 532 MB torch wheel served whole: the same, the server sent little of it.
  auto big =
      f.ranges(server.url("norange") + "/files/torch-2.12.0-cp314-cp314-manylinux_2_28_x86_64.whl",
               532272265, "wheel");
  auto cut2 = big->read_tail(100);
  ASSERT_FALSE(cut2.ok());
  std::uint64_t sent = 0;
  for (const auto& e : server.log_since(mark)) sent += e["bytes"].get<std::uint64_t>();
  EXPECT_LT(sent, 40u << 20) << "a client that stops reading still gets what was in flight";
  // A small file the server sends whole is cut out of the answer.
  auto small = f.ranges(server.url("plus216,norange") +
                            "/files/torchvision-0.31.0-cp312-cp312-manylinux_2_28_x86_64.whl",
                        0, "wheel");
  auto piece = small->read_tail(22);
  ASSERT_TRUE(piece.ok()) << piece.error();
  EXPECT_EQ(piece->substr(0, 4), std::string("PK\5\6", 4));
}

TEST_F(Http, FailuresSayWhat) {
  auto http = client();
  FetchOptions o;
  o.max_retry_wait_s = 1;
  struct Case {
    const char* switches;
    HttpFailure failure;
    long status;
    bool ok;
    const char* says;
  } cases[] = {
      {"404=torch", HttpFailure::kNone, 404, false, "HTTP 404"},  // an answer, not a failure
      {"truncate=torch", HttpFailure::kTruncated, 200, false, ""},
      {"loop=torch", HttpFailure::kRedirectLoop, 302, false, ""},
      {"busy=torch", HttpFailure::kOther, 503, false, "HTTP 503"},
      {"busy2=torch", HttpFailure::kNone, 200, true, ""},      // retried after Retry-After: 1
      {"ratelimit=torch", HttpFailure::kNone, 200, true, ""},  // 429 once, then fine
  };
  for (const auto& c : cases) {
    Fetcher f(http.get(), here, o);
    auto p = f.page(server.url(c.switches) + "/simple/torch/", kJson, "torch");
    EXPECT_EQ(p.ok, c.ok) << c.switches << ": " << p.error;
    EXPECT_EQ(p.failure, c.failure) << c.switches << ": " << p.error;
    if (p.failure == HttpFailure::kNone) {
      EXPECT_EQ(p.status, c.status) << c.switches;
    }
    EXPECT_NE(p.error.find(c.says), std::string::npos) << c.switches << ": " << p.error;
  }
}

TEST_F(Http, APageOverItsLimitIsCutOff) {
  auto http = client();
  FetchOptions o;  // 32 MB a page; the huge page is 50 MB
  Fetcher f(http.get(), here, o);
  auto p = f.page(server.url("huge=torch") + "/simple/torch/", kJson, "torch");
  ASSERT_FALSE(p.ok);
  EXPECT_EQ(p.failure, HttpFailure::kTooLarge) << p.error;
  EXPECT_LT(f.total().bytes, 34u << 20);
}

TEST_F(Http, TimeoutsAndNoRoute) {
  auto http = client();
  FetchOptions o;
  o.timeout_ms = 1000;  // the slow server answers after 5 s
  Fetcher f(http.get(), here, o);
  auto slow = f.page(server.url("slow") + "/simple/torch/", kJson, "torch");
  EXPECT_EQ(slow.failure, HttpFailure::kTimeout) << slow.error;
  // A port nobody listens on: no route, said as such (update's "offline").
  Fetcher g(http.get(), here, FetchOptions{});
  auto closed = g.page("http://127.0.0.1:1/simple/torch/", kJson, "torch");
  EXPECT_EQ(closed.failure, HttpFailure::kOffline) << closed.error;
  // --offline: nothing is asked; the cache answers or it is an offline failure.
  FetchOptions off;
  off.offline = true;
  Fetcher h(http.get(), here, off);
  auto none = h.page(server.url() + "/simple/torch/", kJson, "torch");
  EXPECT_EQ(none.failure, HttpFailure::kOffline);
  EXPECT_EQ(h.total().requests, 0u);
}

TEST_F(Http, ProxiesComeFromTheGivenEnvironment) {
  // A host name that resolves nowhere, reached through the server acting as the proxy.
  std::string proxy = "http://127.0.0.1:" + std::to_string(server.port());
  std::size_t mark = server.log_size();
  auto via = client({{"http_proxy", proxy}});
  Fetcher f(via.get(), here, FetchOptions{});
  auto p = f.page("http://pypi.invalid/s/-/simple/torch/", kJson, "torch");
  ASSERT_TRUE(p.ok) << p.error;
  auto log = server.log_since(mark);
  ASSERT_FALSE(log.empty());
  EXPECT_TRUE(log.back()["proxied"].get<bool>());
  // NO_PROXY names the host: asked directly, which fails to resolve.
  auto bypass = client({{"http_proxy", proxy}, {"NO_PROXY", "pypi.invalid"}});
  Fetcher g(bypass.get(), here, FetchOptions{});
  auto q = g.page("http://pypi.invalid/s/-/simple/torch/", kJson, "torch");
  EXPECT_EQ(q.failure, HttpFailure::kOffline) << q.error;
  // libcurl's own reading of the process environment is off: no variable given, no proxy.
  EXPECT_EQ(proxy_for("https://pypi.org/simple/", {}), "");
  struct Case {
    std::map<std::string, std::string> env;
    std::string url, proxy;
  } cases[] = {
      {{{"HTTPS_PROXY", "http://p:1"}}, "https://pypi.org/", "http://p:1"},
      {{{"https_proxy", "http://q:1"}, {"HTTPS_PROXY", "http://p:1"}}, "https://x/", "http://q:1"},
      // http: only the lower-case name (httpoxy), as libcurl.
      {{{"HTTP_PROXY", "http://p:1"}}, "http://x/", ""},
      {{{"http_proxy", "http://p:1"}}, "http://x/", "http://p:1"},
      {{{"ALL_PROXY", "socks5://s:1"}}, "https://x/", "socks5://s:1"},
  };
  for (const auto& c : cases) EXPECT_EQ(proxy_for(c.url, c.env), c.proxy) << c.url;
}

TEST(HttpLibrary, AMissingLibcurlIsAClearError) {
  HttpSettings s;
  s.env = {{"CUDAFIT_LIBCURL", "/nonexistent/libcurl.so.4"}};
  auto c = open_curl_client(s);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().find("needs libcurl"), std::string::npos) << c.error();
  EXPECT_NE(c.error().find("/nonexistent/libcurl.so.4"), std::string::npos) << c.error();
  EXPECT_NE(c.error().find("apt install libcurl4"), std::string::npos) << c.error();
  // A library that is not libcurl.
  s.env = {{"CUDAFIT_LIBCURL", "libz.so.1"}};
  auto z = open_curl_client(s);
  ASSERT_FALSE(z.ok());
  EXPECT_NE(z.error().find("not libcurl"), std::string::npos) << z.error();
}

}  // namespace
}  // namespace cudafit
