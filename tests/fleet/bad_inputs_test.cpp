// Every kind of bad input, through the command line: truncated JSON, a report of another schema,
// a duplicated host, an empty file, a 100 MB file, a broken line among JSON lines. Each is named
// once, nothing else is lost, and the exit status is 0 unless every input was bad.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/cli_run.h"
#include "fleet/fleet_reports.h"
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

std::string at_time(const std::string& doc, double unix_time) {
  auto j = nlohmann::json::parse(doc);
  j["run"]["unix_time"] = unix_time;
  return j.dump(2);
}

TEST(FleetInputs, EachBadInputNamedOnceNothingElseLost) {
  const fs::path dir = testing::make_temp_dir("cudafit-fleet-bad");
  const std::string good = with_host(report_of("doctor-server-healthy"), "good-1");
  testing::write(dir / "good-1.json", at_time(good, 1796000000));
  testing::write(dir / "good-2.json", with_host(report_of("doctor-driver-470-cu121"), "good-2"));
  // Cut in the middle of the report.
  testing::write(dir / "truncated.json", good.substr(0, good.size() / 2));
  // Another schema version.
  auto other = nlohmann::json::parse(with_host(report_of("doctor-gtx1080-cu128"), "other"));
  other["schema"] = 2;
  testing::write(dir / "schema-2.json", other.dump(2));
  // A schema past any integer, and a time past double's range: skipped, said plainly.
  testing::write(dir / "schema-1e300.json", "{\"schema\": 1e300, \"findings\": []}");
  auto far = nlohmann::json::parse(with_host(report_of("doctor-gtx1080-cu128"), "far"));
  far["run"]["unix_time"] = 0;
  std::string far_text = far.dump(2);
  far_text.replace(far_text.find("\"unix_time\": 0") + 13, 1, "1e999");
  testing::write(dir / "time-1e999.json", far_text);
  // good-1 again, older: skipped in favour of the newer.
  testing::write(dir / "dup-older.json", at_time(good, 1795000000));
  testing::write(dir / "empty.json", "");
  // 100 MB: one document far over the 16 MiB a report may take.
  {
    std::ofstream big(dir / "huge.json", std::ios::binary);
    big << "{\"schema\": 1, \"notes\": [\"";
    const std::string block(1 << 20, 'x');
    for (int i = 0; i < 100; ++i) big << block;
    big << "\"]}\n";
  }
  // JSON lines with a broken line between two good ones.
  std::string lines = testing::json_line(with_host(report_of("doctor-pascal-580"), "line-1"));
  lines += "{\"schema\": 1, \"host\": {\"hostname\": \"broken\"\n";
  lines += testing::json_line(with_host(report_of("doctor-kepler-535"), "line-3"));
  testing::write(dir / "lines.jsonl", lines);
  // Not a report file name: not read.
  testing::write(dir / "README.txt", "notes");

  auto r = testing::run({"fleet", dir.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  // 5 machines: good-1, good-2, line-1, line-3 (and not "other", "broken", the duplicate).
  EXPECT_NE(r.out.find("cudafit fleet: 4 machines"), std::string::npos) << r.out;
  for (const char* bad : {"truncated.json", "schema-2.json", "schema-1e300.json", "time-1e999.json",
                          "dup-older.json", "empty.json", "huge.json", "lines.jsonl"})
    EXPECT_EQ(occurrences(r.out, bad), 1u) << bad << "\n" << r.out;
  EXPECT_EQ(occurrences(r.out, "README.txt"), 0u);
  EXPECT_NE(r.out.find("truncated.json: skipped: line 1: truncated JSON"), std::string::npos);
  EXPECT_NE(r.out.find("schema-2.json: skipped: line 1: a report of schema 2"), std::string::npos);
  EXPECT_NE(r.out.find("schema-1e300.json: skipped: line 1: a report of schema 1e+300"),
            std::string::npos);
  EXPECT_NE(r.out.find("time-1e999.json: skipped: line "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("a number out of range"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dup-older.json: skipped: line 1: host good-1 again"), std::string::npos);
  EXPECT_NE(r.out.find("empty.json: skipped: empty"), std::string::npos);
  EXPECT_NE(r.out.find("huge.json: skipped: line 1: larger than 16 MiB"), std::string::npos);
  EXPECT_NE(r.out.find("lines.jsonl: 1 of 3 documents skipped: line 2: "), std::string::npos)
      << r.out;

  auto j = nlohmann::json::parse(testing::run({"fleet", "--json", dir.string()}).out);
  EXPECT_EQ(j["machines"], 4);
  std::vector<std::string> names;
  for (const auto& row : j["machine_list"]) names.push_back(row["machine"]);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"good-1", "good-2", "line-1", "line-3"}));
  EXPECT_EQ(j["skipped"].size(), 8u);
  fs::remove_all(dir);
}

TEST(FleetInputs, ExitTwoOnlyWhenEveryInputIsBad) {
  const fs::path dir = testing::make_temp_dir("cudafit-fleet-allbad");
  testing::write(dir / "a.json", "{\"schema\": 1");
  testing::write(dir / "b.json", "");
  auto bad = testing::run({"fleet", (dir / "a.json").string(), (dir / "b.json").string(),
                           (dir / "missing.json").string()});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find("missing.json: skipped: no such file or folder"), std::string::npos)
      << bad.out;
  testing::write(dir / "c.json", with_host(report_of("doctor-server-healthy"), "c"));
  auto some = testing::run({"fleet", (dir / "a.json").string(), (dir / "c.json").string()});
  EXPECT_EQ(some.code, 0) << some.err;
  auto usage = testing::run({"fleet", "--format", "pdf", (dir / "c.json").string()});
  EXPECT_EQ(usage.code, 2);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cudafit
