// `cudafit check nvcr.io/nvidia/pytorch:YY.MM-py3` over every NGC PyTorch release in
// data/images-ngc-pytorch.csv (issue 14): a verdict for each tag whose CUDA the sources give,
// and "unknown" naming the gap for the rest; the rows themselves kept in order, with sources.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

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
    // A branch and its written minimum agree ("440.30" is branch 440).
    if (img.driver_branch) {
      EXPECT_EQ(img.driver_min.substr(0, img.driver_min.find('.')),
                std::to_string(*img.driver_branch))
          << img.from.where();
    }
  }
  // 19.03 ... 26.03 at the time of writing (data/README.md lists the months not reached).
  EXPECT_GE(facts().ngc_images().size(), 39u);
}

// Every tag from 20.01 on: a real verdict when the row's CUDA is sourced, "unknown" that says
// the CUDA is unknown otherwise; never "not in the data" for a tag the data has.
TEST(NgcImages, CheckGivesAVerdictForEveryTagInTheData) {
  int verdicts = 0;
  for (const auto& img : facts().ngc_images()) {
    if (img.tag < "20.01") continue;
    const std::string ref = "nvcr.io/nvidia/pytorch:" + img.tag + "-py3";
    CliRun r =
        run({"check", ref, "--driver", "580.65.06", "--gpu", "sm_90", "--no-detect", "--json"});
    ASSERT_TRUE(r.code == 0 || r.code == 1) << ref << ": " << r.err;
    auto j = nlohmann::json::parse(r.out);
    const auto& item = j["targets"][0]["items"][0];
    std::string verdict = item["verdict"];
    std::string all = item.dump();
    EXPECT_EQ(all.find("not in the data"), std::string::npos) << ref << ": " << all;
    if (img.cuda) {
      EXPECT_NE(verdict, "unknown") << ref << ": " << all;
      EXPECT_NE(all.find(img.from.where()), std::string::npos) << ref << ": row not named";
      ++verdicts;
    } else {
      EXPECT_EQ(verdict, "unknown") << ref;
      EXPECT_NE(all.find("CUDA version of the image unknown"), std::string::npos) << all;
    }
  }
  EXPECT_GE(verdicts, 30);  // 20.01 ... 26.03 with a sourced CUDA (all but 25.04)
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
      {"19.11", "418.87.01", "no"},  // CUDA 10.2.89 needs 440.33
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
