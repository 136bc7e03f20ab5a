// `cudafit check nvcr.io/nvidia/pytorch:YY.MM-py3` over every month from 20.01 to the newest
// release in data/images-ngc-pytorch.csv (issue 14): a verdict for each tag whose CUDA the sources
// give, "no" naming the source for a month NVIDIA released nothing, "unknown" naming the row for a
// month nothing is sourced about; never "not in the data". The rows kept in order, with sources.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli_run.h"
#include "kb/images.h"

namespace cudafit {
namespace {

using testing::CliRun;
using testing::run;

const InstallFacts& facts() {
  static auto loaded = InstallFacts::embedded();
  return **loaded;
}

TEST(NgcImages, RowsAreOrderedUniqueAndSourced) {
  std::set<std::string> seen;
  std::string last;
  for (const auto& img : facts().ngc_images()) {
    EXPECT_TRUE(seen.insert(img.tag).second) << img.from.where() << ": " << img.tag << " twice";
    EXPECT_GT(img.tag, last) << img.from.where() << ": tags must ascend";
    last = img.tag;
    EXPECT_FALSE(img.from.source.empty()) << img.from.where();
    // A month NVIDIA skipped, or one nothing is sourced about, carries no facts.
    if (img.published != true) {
      EXPECT_FALSE(img.cuda || img.torch || img.driver_branch) << img.from.where();
      EXPECT_TRUE(img.cudnn.empty() && img.python.empty() && img.ubuntu.empty())
          << img.from.where();
    }
    // A branch and its written minimum agree ("440.30" is branch 440).
    if (img.driver_branch) {
      EXPECT_EQ(img.driver_min.substr(0, img.driver_min.find('.')),
                std::to_string(*img.driver_branch))
          << img.from.where();
    }
  }
  // 19.03 ... 26.03 at the time of writing, every month from 20.01 on (data/README.md).
  EXPECT_GE(facts().ngc_images().size(), 83u);
}

TEST(NgcImages, PublishedMustBeYesNoOrEmpty) {
  const std::string head =
      "tag,published,torch,cuda,cudnn,driver_branch,driver_min,forward_compat,python,ubuntu,"
      "source,notes\n";
  auto bad = InstallFacts::parse(head + "20.04,maybe,,,,,,,,,https://example.org,\n", "", "", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("images-ngc-pytorch.csv:2: published must be yes, no or empty"),
            std::string::npos)
      << bad.error();
}

std::string month_tag(int year, int month) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d.%02d", year % 100, month);
  return buf;
}

nlohmann::json check_item(const std::string& tag, const char* driver, const char* gpu) {
  const std::string ref = "nvcr.io/nvidia/pytorch:" + tag + "-py3";
  CliRun r = run({"check", ref, "--driver", driver, "--gpu", gpu, "--no-detect", "--json"});
  EXPECT_TRUE(r.code == 0 || r.code == 1) << ref << ": " << r.err;
  return nlohmann::json::parse(r.out)["targets"][0]["items"][0];
}

// Every month from 20.01 to the newest row, whether or not the data has a row for it (so a gap
// left by a future row fails here): a real verdict when the row's CUDA is sourced; "no" naming
// the source for a month NVIDIA released nothing; "unknown" naming the row otherwise. Never
// "not in the data".
TEST(NgcImages, CheckGivesAVerdictForEveryMonthFrom2001) {
  const std::string newest = facts().ngc_images().back().tag;
  int verdicts = 0, skipped = 0, months = 0;
  for (int y = 2020;; ++y) {
    for (int mo = 1; mo <= 12; ++mo) {
      const std::string tag = month_tag(y, mo);
      if (tag > newest) {
        EXPECT_GE(months, 75);  // 20.01 ... 26.03 at the time of writing
        EXPECT_GE(verdicts, 60);
        EXPECT_EQ(skipped, 2);  // 20.04 and 20.05 (the 20.12 page's container-versions table)
        return;
      }
      ++months;
      const NgcPytorchImage* img = facts().ngc_image(tag);
      ASSERT_NE(img, nullptr) << tag << ": no row in images-ngc-pytorch.csv";
      auto item = check_item(tag, "580.65.06", "sm_90");
      std::string verdict = item["verdict"];
      std::string all = item.dump();
      EXPECT_EQ(all.find("not in the data"), std::string::npos) << tag << ": " << all;
      EXPECT_NE(all.find(img->from.where()), std::string::npos) << tag << ": row not named";
      if (img->published == false) {
        EXPECT_EQ(verdict, "no") << tag << ": " << all;
        EXPECT_NE(all.find("NVIDIA published no NGC PyTorch release '" + tag + "'"),
                  std::string::npos)
            << all;
        EXPECT_NE(all.find(img->from.source), std::string::npos) << all;
        ++skipped;
      } else if (img->cuda) {
        // Unknown only where cuda.csv itself has no driver floor for that CUDA (12.3.2: NVIDIA's
        // table has no row for it); the image's own facts are known.
        if (verdict == "unknown") {
          EXPECT_NE(all.find("is not in the knowledge base (cuda.csv:"), std::string::npos)
              << tag << ": " << all;
        } else {
          ++verdicts;
        }
      } else {
        EXPECT_EQ(verdict, "unknown") << tag;
        EXPECT_NE(all.find("CUDA version of the image unknown"), std::string::npos) << all;
      }
    }
  }
}

// A skipped month is a definite "no" whose fix names the published releases around it.
TEST(NgcImages, SkippedMonthNamesTheReleasesAround) {
  auto item = check_item("20.05", "535.104.05", "sm_80");
  EXPECT_EQ(item["verdict"], "no");
  std::string fix = item["fix"];
  EXPECT_NE(fix.find("nvcr.io/nvidia/pytorch:20.03-py3 or nvcr.io/nvidia/pytorch:20.06-py3"),
            std::string::npos)
      << fix;
}

// Filled rows, each value as its source writes it (the source column of the row).
TEST(NgcImages, FilledRowsCarryTheirSourcesValues) {
  struct Case {
    const char* tag;
    const char* cuda;
    int branch;
    const char* driver_min;
    const char* forward;  // first data-center driver listed
    const char* source;   // a part of the row's source
  } cases[] = {
      // Triton 21.03: "based on NVIDIA CUDA 11.2.1, which requires NVIDIA Driver release
      // 460.32.03 or later ... 418.40 (or later R418)".
      {"21.03", "11.2.1", 460, "460.32.03", "418.40", "inference-release-notes/rel_21-03.html"},
      // TensorFlow 21.06: CUDA 11.3.1, driver 465.19.01; DLProf 21.06: 418.40 ... 460.27.
      {"21.06", "11.3.1", 465, "465.19.01", "418.40", "dlprof-release-notes-2106.html"},
      // Triton 22.04: "based on NVIDIA CUDA 11.6.2, which requires NVIDIA Driver release 510".
      {"22.04", "11.6.2", 510, "510", "418.40", "release-notes/rel_22-04.html"},
      // Triton 23.11: "based on CUDA 12.3.0, which requires NVIDIA Driver release 545".
      {"23.11", "12.3.0", 545, "545", "450.51", "release-notes/rel-23-11.html"},
      // Triton 25.03: "based on CUDA 12.8.1.012 which requires NVIDIA Driver release 560".
      {"25.03", "12.8.1", 560, "560", "470.57", "release-notes/rel-25-03.html"},
  };
  for (const auto& c : cases) {
    const NgcPytorchImage* img = facts().ngc_image(c.tag);
    ASSERT_NE(img, nullptr) << c.tag;
    EXPECT_EQ(img->published, true) << c.tag;
    ASSERT_TRUE(img->cuda) << c.tag;
    EXPECT_EQ(img->cuda->str(), c.cuda) << c.tag;
    EXPECT_EQ(img->driver_branch, c.branch) << c.tag;
    EXPECT_EQ(img->driver_min, c.driver_min) << c.tag;
    ASSERT_FALSE(img->forward_compat.empty()) << c.tag;
    EXPECT_EQ(img->forward_compat.front(), c.forward) << c.tag;
    EXPECT_NE(img->from.source.find(c.source), std::string::npos) << c.tag;
    EXPECT_FALSE(img->torch) << c.tag << ": torch is never taken from a sibling container";
  }
}

// The verdicts follow the driver: CUDA 12.2 (23.10, collect_env in the image) runs on 535;
// CUDA 13.1 (25.12, NVIDIA's page) needs 590.44.01 (cuda.csv), so on 535 it does not run
// natively.
TEST(NgcImages, VerdictsFollowTheDriver) {
  struct Case {
    const char* tag;
    const char* driver;
    const char* verdict;
  } cases[] = {
      {"23.10", "535.104.05", "ok"},
      {"20.12", "450.80.02", "ok-minor-compat"},  // 11.1.1 needs 455.32; 11.x minor compat
      {"25.12", "590.44.01", "ok"},
      {"19.11", "418.87.01", "no"},               // CUDA 10.2.89 needs 440.33
      {"22.04", "535.104.05", "ok"},              // CUDA 11.6.2 needs 510.47.03 (cuda.csv)
      {"22.04", "470.82.01", "ok-minor-compat"},  // 11.x minor compatibility from 450.80.02
  };
  for (const auto& c : cases) {
    const std::string ref = std::string("nvcr.io/nvidia/pytorch:") + c.tag + "-py3";
    CliRun r = run({"check", ref, "--driver", c.driver, "--gpu", "sm_80", "--no-detect", "--json"});
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["targets"][0]["items"][0]["verdict"], c.verdict) << ref << " on " << c.driver;
  }
}

}  // namespace
}  // namespace cudafit
