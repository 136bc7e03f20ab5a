// Every way a source can fail leaves the previous overlay as it was: a page that is not there,
// cut short, of the wrong type, too large, busy for good, redirecting for ever; a wheel whose
// server ignores Range, or whose zip is hostile. A failed source with a cached copy uses the
// copy; a framework page or the release notes that fail keep their previous rows.
#include <gtest/gtest.h>

#include "cli/cli_run.h"
#include "test_util.h"

namespace cudafit {
namespace {

using testing::CliRun;
using testing::data_copy;
using testing::env_in;
using testing::overlay_files;
using testing::run;
using testing::TempDir;
using testing::TestServer;

// One good update (the synthetic torch 2.16.0 on the full data), its overlay kept.
class Failures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    home_ = new TempDir();
    work_ = new TempDir();
    good_ = data_copy(*work_, "", "plus216");
    CliRun r = run({"--data", good_, "update"}, env_in(*home_));
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    before_ = new std::map<std::string, std::string>(overlay_files(*home_));
  }
  static void TearDownTestSuite() {
    delete home_;
    delete work_;
    delete before_;
  }
  // The same update (same URLs) against a server that now misbehaves; with an empty cache
  // there is no copy of an earlier answer to use.
  CliRun failing(const std::string& switches, bool fresh_cache = true) {
    TempDir cache;
    auto env = env_in(*home_);
    if (fresh_cache) env["XDG_CACHE_HOME"] = cache.path();
    TestServer::get().set_global(switches);
    CliRun r = run({"--data", good_, "update"}, env);
    TestServer::get().set_global("-");
    return r;
  }
  static TempDir* home_;
  static TempDir* work_;
  static std::string good_;
  static std::map<std::string, std::string>* before_;
};
TempDir* Failures::home_ = nullptr;
TempDir* Failures::work_ = nullptr;
std::string Failures::good_;
std::map<std::string, std::string>* Failures::before_ = nullptr;

TEST_F(Failures, NothingIsWrittenWhenTheTorchChainCannotBeRead) {
  struct Case {
    const char* switches;
    const char* says;
  } cases[] = {
      {"404=torch", "torch (package index): HTTP 404"},
      {"truncate=torch", "torch (package index)"},
      {"wrongtype=torch", "unexpected content type 'text/plain'"},
      {"busy=torch", "HTTP 503"},               // after two retries, 1 s apart
      {"loop=torch", "torch (package index)"},  // a redirect to itself
      {"huge=torch", "larger than"},            // 50 MB page, 32 MB allowed
      {"404=torchvision", "torchvision (package index): HTTP 404"},
      // A server that sends the whole 3 MB wheel for a Range: cut off at 2 MB.
      {"norange", "ignored the Range header"},
      {"cdpast=torch-2.16", "lies outside the file"},  // the central directory past the end
      {"bigmember=torch-2.16", "claims 4000000000 bytes"},
  };
  for (const auto& c : cases) {
    CliRun r = failing(c.switches);
    EXPECT_EQ(r.code, 1) << c.switches << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("nothing written"), std::string::npos) << c.switches << "\n" << r.out;
    EXPECT_NE(r.out.find(c.says), std::string::npos) << c.switches << "\n" << r.out;
    EXPECT_TRUE(overlay_files(*home_) == *before_) << c.switches;
  }
}

TEST_F(Failures, ACachedCopyStandsInForAFailedPage) {
  CliRun r = failing("busy=torch", /*fresh_cache=*/false);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("the copy read"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nothing new"), std::string::npos) << r.out;
  EXPECT_TRUE(overlay_files(*home_) == *before_);
}

TEST_F(Failures, AFrameworkPageOrTheReleaseNotesKeepTheirRows) {
  struct Case {
    const char* switches;
    const char* kept;  // a key of the previous overlay's rows that must stay
  } cases[] = {
      {"busy=cupy-cuda12x", "cupy 14.2.0 cuda 12.x"},
      {"404=release-notes.html", "13.5.0"},
  };
  for (const auto& c : cases) {
    // The cache answers the other pages (not modified): only the failing source differs.
    CliRun r = failing(c.switches, /*fresh_cache=*/false);
    EXPECT_EQ(r.code, 0) << c.switches << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find(c.kept), std::string::npos) << c.switches << "\n" << r.out;
    EXPECT_NE(r.out.find("kept"), std::string::npos) << c.switches << "\n" << r.out;
    EXPECT_TRUE(overlay_files(*home_) == *before_) << c.switches;
  }
}

TEST_F(Failures, ARateLimitIsWaitedOut) {
  CliRun r = failing("ratelimit=torch", /*fresh_cache=*/false);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(overlay_files(*home_) == *before_);
}

}  // namespace
}  // namespace cudafit
