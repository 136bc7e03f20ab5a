// `cudafit fleet` over real doctor reports of the fixture machines: the counts, the shared
// findings, install's verdict rules, driver life cycle, every kind of bad input named once, and
// memory that grows with distinct values.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_run.h"
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

FleetSummary summarize(const std::vector<std::string>& docs, FleetOptions options = {}) {
  FleetReader reader;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    std::istringstream in(docs[i]);
    reader.add_stream(in, "report" + std::to_string(i));
  }
  FleetData data = reader.finish();
  return summarize_fleet(data, testing::fleet_kb(), testing::fleet_facts(), options);
}

// "h7" (built in steps: GCC 12 warns falsely on "literal" + std::string with -O2).
std::string numbered(const char* prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}

const FleetCount* count_of(const std::vector<FleetCount>& rows, const std::string& key) {
  for (const auto& r : rows)
    if (r.key == key) return &r;
  return nullptr;
}

TEST(Fleet, CountsAndSharedFindings) {
  // doctor-server-healthy: driver 550.54.15, 8 H100 (9.0), torch 2.4.1+cu124, no finding.
  // doctor-driver-470-cu121: 470.256.02, one RTX 3050 (8.6), 2.3.1+cu121, driver-too-old.
  // doctor-gtx1080-cu128: a GTX 1080 (6.1) with torch 2.7.0+cu128: arch-unsupported.
  std::vector<std::string> docs;
  for (int i = 0; i < 3; ++i)
    docs.push_back(with_host(report_of("doctor-server-healthy"), numbered("h100-", i)));
  docs.push_back(with_host(report_of("doctor-driver-470-cu121"), "old-0"));
  docs.push_back(with_host(report_of("doctor-driver-470-cu121"), "old-1"));
  docs.push_back(with_host(report_of("doctor-gtx1080-cu128"), "pascal-0"));
  FleetSummary s = summarize(docs);
  EXPECT_EQ(s.machines, 6);
  EXPECT_EQ(s.healthy, 3);
  EXPECT_TRUE(s.skipped.empty());
  const FleetCount* r550 = count_of(s.driver_branches, "R550");
  ASSERT_NE(r550, nullptr);
  EXPECT_EQ(r550->machines, 3);
  ASSERT_NE(count_of(s.driver_branches, "R470"), nullptr);
  EXPECT_EQ(count_of(s.driver_branches, "R470")->machines, 2);
  const FleetCount* h100 = count_of(s.gpu_models, "NVIDIA H100 80GB HBM3");
  ASSERT_NE(h100, nullptr);
  EXPECT_EQ(h100->machines, 3);
  EXPECT_EQ(h100->items, 24);  // 8 GPUs each
  ASSERT_NE(count_of(s.compute_capabilities, "8.6"), nullptr);
  EXPECT_EQ(count_of(s.compute_capabilities, "9.0")->items, 24);
  ASSERT_NE(count_of(s.torch_builds, "2.4.1+cu124"), nullptr);
  EXPECT_EQ(count_of(s.torch_builds, "2.3.1+cu121")->machines, 2);
  // Findings grouped by id, most machines first, each naming its machines.
  ASSERT_GE(s.findings.size(), 2u);
  EXPECT_EQ(s.findings[0].id, "driver-too-old");
  EXPECT_EQ(s.findings[0].severity, Severity::kError);
  EXPECT_EQ(s.findings[0].machines, (std::vector<std::string>{"old-0", "old-1"}));
  bool arch = false;
  for (const auto& f : s.findings)
    if (f.id == "arch-unsupported") arch = f.machines == std::vector<std::string>{"pascal-0"};
  EXPECT_TRUE(arch);
  EXPECT_EQ(s.rows.size(), 6u);
}

TEST(Fleet, InstallUsesInstallsVerdicts) {
  // One machine: the fleet's command is the build `cudafit install` picks there.
  const fs::path m = fs::path(CUDAFIT_SOURCE_DIR) / "tests/machines/doctor-server-healthy";
  auto install = testing::run({"--root", (m / "root").string(), "--env-file",
                               (m / "env.txt").string(), "install", "--json"});
  ASSERT_EQ(install.code, 0) << install.err;
  auto j = nlohmann::json::parse(install.out);
  FleetSummary one = summarize({with_host(report_of("doctor-server-healthy"), "a")});
  ASSERT_TRUE(one.install.found);
  EXPECT_EQ(one.install.torch, j["torch"]);
  EXPECT_EQ(one.install.variant, j["variant"]);
  EXPECT_EQ(one.install.command, j["commands"]["pip"]);
  EXPECT_EQ(one.install.runs_on, 1);

  // A Kepler K80 (sm_37) on 535 next to H100s: torch 2.7.1 cu118 is the last with sm_37 SASS
  // (torch-arch-lists.csv), so a command for torch >= 2.8 leaves it out, with install's reason.
  FleetOptions options;
  options.torch = *SpecifierSet::parse(">=2.8");
  FleetSummary mixed = summarize({with_host(report_of("doctor-server-healthy"), "h100"),
                                  with_host(report_of("doctor-kepler-535"), "k80")},
                                 options);
  ASSERT_TRUE(mixed.install.found);
  EXPECT_EQ(mixed.install.runs_on, 1);
  ASSERT_EQ(mixed.install.left_out.size(), 1u);
  EXPECT_EQ(mixed.install.left_out[0].first, "k80");
  EXPECT_NE(mixed.install.left_out[0].second.find("no kernels for sm_37"), std::string::npos)
      << mixed.install.left_out[0].second;
  // Without the limit, 2.7.1 cu118 runs on both (what install says on the K80 alone).
  FleetSummary both = summarize({with_host(report_of("doctor-server-healthy"), "h100"),
                                 with_host(report_of("doctor-kepler-535"), "k80")});
  EXPECT_EQ(both.install.runs_on, 2);
  EXPECT_TRUE(both.install.left_out.empty());
  EXPECT_EQ(both.install.torch, "2.7.1");
}

TEST(Fleet, DriverLifeCycle) {
  // doctor-pascal-580: a GTX 1080 (GP104) on 580.95.05: R580 is Pascal's last branch
  // (gpu-archs.csv last_driver_branch).
  // doctor-driver-minor-compat runs 535.x: R535 ends 2026-06 (driver-branches.csv).
  auto at = [](std::string doc, const std::string& time) {
    auto j = nlohmann::json::parse(doc);
    j["run"] = {{"time", time}};
    return j.dump();
  };
  FleetSummary soon =
      summarize({at(with_host(report_of("doctor-pascal-580"), "p"), "2026-01-01T00:00:00Z"),
                 at(with_host(report_of("doctor-kepler-535"), "k"), "2026-01-01T00:00:00Z")});
  bool last = false, eol = false;
  for (const auto& l : soon.lifecycle) {
    if (l.machine == "p" && l.last_branch) last = l.why.find("Pascal") != std::string::npos;
    if (l.machine == "k" && !l.last_branch)
      eol = l.why.find("2026-06 (in 181 days") != std::string::npos;
  }
  EXPECT_TRUE(last);
  EXPECT_TRUE(eol) << [&] {
    std::string all;
    for (const auto& l : soon.lifecycle) all += l.machine + ": " + l.why + "\n";
    return all;
  }();
  // Two years before: not yet near.
  FleetSummary early =
      summarize({at(with_host(report_of("doctor-kepler-535"), "k"), "2024-01-01T00:00:00Z")});
  for (const auto& l : early.lifecycle) EXPECT_TRUE(l.last_branch) << l.why;
}

TEST(Fleet, MemoryGrowsWithDistinctValuesNotBytes) {
  const std::string doc = report_of("doctor-server-healthy");
  auto distinct_after = [&](int reports, int hosts) {
    FleetReader reader;
    std::string jsonl;
    for (int i = 0; i < reports; ++i)
      jsonl += testing::json_line(with_host(doc, numbered("h", i % hosts)));
    std::istringstream in(jsonl);
    reader.add_stream(in, "stdin");
    return reader.distinct_strings();
  };
  const std::size_t base = distinct_after(1, 1);
  // 2,000 reports of 10 hosts hold as many strings as 10 reports: the bytes do not count.
  EXPECT_EQ(distinct_after(2000, 10), distinct_after(10, 10));
  // 1,000 distinct hosts add about 1,000 strings (their names), nothing per byte.
  EXPECT_LE(distinct_after(1000, 1000), base + 1000);
}

TEST(Fleet, JsonLinesOnStdin) {
  std::string jsonl;
  for (int i = 0; i < 5; ++i)
    jsonl += testing::json_line(with_host(report_of("doctor-driver-470-cu121"), numbered("n", i)));
  jsonl += "{\"schema\": 1, \"truncated\n";  // a line cut short, then more reports
  jsonl += testing::json_line(with_host(report_of("doctor-server-healthy"), "n5"));
  const fs::path dir = testing::make_temp_dir("cudafit-fleet-stdin");
  testing::write(dir / "all.jsonl", jsonl);
  auto r = testing::run_tool(std::string(CUDAFIT_BINARY_DIR) + "/cudafit fleet --json < " +
                             (dir / "all.jsonl").string());
  ASSERT_EQ(r.code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.output;
  EXPECT_EQ(j["machines"], 6);
  ASSERT_EQ(j["skipped"].size(), 1u);
  EXPECT_EQ(j["skipped"][0]["input"], "stdin");
  EXPECT_EQ(j["skipped"][0]["reasons"][0],
            "line 6: not JSON: a control character inside a string at byte 25");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cudafit
