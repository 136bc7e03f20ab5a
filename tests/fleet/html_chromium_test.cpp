// The fleet page in headless Chromium (Debian's chromium): it renders the expected rows, its
// script runs without a console message and sorts every table both ways (#selftest), the chart
// has a bar per finding, and the screenshot is a page of that size.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "export/tool_run.h"
#include "fleet/fleet.h"
#include "fleet/fleet_reports.h"
#include "util/strings.h"
#include "util/temp_tree.h"

namespace cudafit {
namespace {

namespace fs = std::filesystem;
using testing::report_of;
using testing::with_host;

std::size_t occurrences(const std::string& text, const std::string& word) {
  std::size_t n = 0;
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

// The rows of one table's body in a dumped DOM.
std::size_t body_rows(const std::string& dom, const std::string& table_id) {
  const std::size_t start = dom.find("id=\"" + table_id + "\"");
  if (start == std::string::npos) return 0;
  const std::size_t body = dom.find("<tbody>", start), end = dom.find("</tbody>", start);
  if (body == std::string::npos || end == std::string::npos) return 0;
  return occurrences(dom.substr(body, end - body), "<tr");
}

TEST(FleetHtml, RendersInHeadlessChromium) {
  const std::string chromium = testing::find_program("chromium");
  ASSERT_FALSE(chromium.empty()) << "chromium is missing: bash scripts/deps.sh --test";
  const char* machines[] = {"doctor-server-healthy", "doctor-driver-470-cu121",
                            "doctor-gtx1080-cu128",  "doctor-pascal-580",
                            "doctor-kepler-535",     "doctor-conda-pip-mix",
                            "doctor-cpu-only-torch"};
  FleetReader reader;
  int n = 0;
  for (int copy = 0; copy < 4; ++copy)
    for (const char* m : machines) {
      // A hostname with characters that must be escaped in HTML.
      std::string host = m;
      host += "-<";
      host += std::to_string(copy);
      host += ">&";
      std::istringstream in(with_host(report_of(m), host));
      reader.add_stream(in, m);
      ++n;
    }
  std::istringstream broken("{\"schema\": 1,");
  reader.add_stream(broken, "broken.json");
  FleetData data = reader.finish();
  const FleetSummary s =
      summarize_fleet(data, testing::fleet_kb(), testing::fleet_facts(), FleetOptions{});
  const std::string html = fleet_html(s);

  // Self-contained: nothing to fetch (no src/href, no CSS url() or @import); a CSP says so.
  for (const char* fetches : {" src=", " href=", "url(", "@import"})
    EXPECT_EQ(html.find(fetches), std::string::npos) << fetches;
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  EXPECT_EQ(html.find("-<0>&"), std::string::npos) << "hostnames are escaped";

  const fs::path dir = testing::make_temp_dir("cudafit-fleet-html");
  testing::write(dir / "fleet.html", html);
  const std::string common = chromium +
                             " --headless --no-sandbox --disable-gpu --no-first-run "
                             "--disable-dev-shm-usage --enable-logging=stderr --v=0 "
                             "--user-data-dir=" +
                             (dir / "profile").string() + " ";
  const std::string url = "file://" + (dir / "fleet.html").string();
  auto dom = testing::run_tool("timeout 60 " + common + "--dump-dom " + url + "#selftest 2>" +
                               (dir / "dom.err").string());
  ASSERT_EQ(dom.code, 0) << dom.output.substr(0, 2000);
  std::ifstream err_file(dir / "dom.err");
  std::stringstream errs;
  errs << err_file.rdbuf();
  // Any console message (an error, an uncaught exception, a CSP refusal) is logged as CONSOLE.
  EXPECT_EQ(errs.str().find("CONSOLE"), std::string::npos) << errs.str();
  EXPECT_NE(dom.output.find("data-selftest=\"ok\""), std::string::npos)
      << dom.output.substr(0, 400);
  EXPECT_NE(dom.output.find("data-sortable=\"9\""), std::string::npos);
  EXPECT_EQ(body_rows(dom.output, "machines"), static_cast<std::size_t>(n));
  EXPECT_EQ(body_rows(dom.output, "findings"), s.findings.size());
  EXPECT_EQ(body_rows(dom.output, "skipped"), 1u);
  EXPECT_EQ(body_rows(dom.output, "driver-branches"), s.driver_branches.size());
  EXPECT_EQ(occurrences(dom.output, "<g class=\"bar\""), s.findings.size());
  EXPECT_GE(s.findings.size(), 4u);
  EXPECT_NE(dom.output.find("doctor-kepler-535-&lt;3&gt;&amp;"), std::string::npos);

  // The screenshot: a PNG of the window's size (IHDR width and height, big-endian).
  const fs::path png = dir / "fleet.png";
  auto shot = testing::run_tool("timeout 60 " + common +
                                "--window-size=1280,1600 --screenshot=" + png.string() + " " + url);
  ASSERT_EQ(shot.code, 0) << shot.output.substr(0, 2000);
  std::ifstream in(png, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned>(static_cast<unsigned char>(bytes[at])) << 24) |
           (static_cast<unsigned>(static_cast<unsigned char>(bytes[at + 1])) << 16) |
           (static_cast<unsigned>(static_cast<unsigned char>(bytes[at + 2])) << 8) |
           static_cast<unsigned>(static_cast<unsigned char>(bytes[at + 3]));
  };
  EXPECT_EQ(be32(16), 1280u);
  EXPECT_EQ(be32(20), 1600u);
  // A page of tables and a chart compresses far worse than an empty one (about 5 KB).
  EXPECT_GT(bytes.size(), 40000u) << "the screenshot looks blank";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cudafit
