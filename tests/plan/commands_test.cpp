// The printed commands match PyTorch's "previous versions" page
// (pytorch/pytorch.github.io:_get_started/previous-versions.md@e3f009bbc0d7509ed5c85b633313ec72aa2d1a40
// for 1.12 … 2.3; pytorch.org/get-started/previous-versions (stored copy through 2.9.1) for 2.7
// and 2.9.1, the newest release that page lists; releases after it have no published page, see
// NewestRelease... below).
#include "plan/commands.h"

#include <gtest/gtest.h>

#include <ostream>

#include "test_kb.h"

namespace cudafit {
namespace {

using testing::facts;
using testing::kb;

PlannedBuild build(const std::string& torch, const std::string& variant) {
  auto v = Pep440Version::parse(torch);
  PlannedBuild b;
  b.release = kb().torch_release(*v);
  b.variant = kb().variant(*v, variant);
  EXPECT_NE(b.release, nullptr) << torch;
  EXPECT_NE(b.variant, nullptr) << torch << " " << variant;
  return b;
}

const std::vector<std::string> kAll = {"torchvision", "torchaudio"};

struct Published {
  std::string torch, variant, pip, conda;
};

void PrintTo(const Published& p, std::ostream* os) { *os << p.torch << " " << p.variant; }

class PublishedCommands : public ::testing::TestWithParam<Published> {};

TEST_P(PublishedCommands, MatchThePage) {
  const Published& p = GetParam();
  PlannedBuild b = build(p.torch, p.variant);
  ASSERT_NE(b.variant, nullptr);
  InstallCommands c = install_commands(kb(), facts(), b, kAll, {});
  EXPECT_EQ(c.pip, p.pip);
  EXPECT_EQ(c.uv, "uv " + p.pip);
  EXPECT_EQ(c.conda, p.conda);
}

INSTANTIATE_TEST_SUITE_P(
    Page, PublishedCommands,
    ::testing::Values(
        // v1.12.1 '# CUDA 11.6' (wheel) and '# CUDA 11.6' (conda).
        Published{"1.12.1", "cu116",
                  "pip install torch==1.12.1+cu116 torchvision==0.13.1+cu116 torchaudio==0.12.1 "
                  "--extra-index-url https://download.pytorch.org/whl/cu116",
                  "conda install pytorch==1.12.1 torchvision==0.13.1 torchaudio==0.12.1 "
                  "cudatoolkit=11.6 -c pytorch -c conda-forge"},
        // v1.12.1 '# CUDA 11.3'.
        Published{"1.12.1", "cu113",
                  "pip install torch==1.12.1+cu113 torchvision==0.13.1+cu113 torchaudio==0.12.1 "
                  "--extra-index-url https://download.pytorch.org/whl/cu113",
                  "conda install pytorch==1.12.1 torchvision==0.13.1 torchaudio==0.12.1 "
                  "cudatoolkit=11.3 -c pytorch"},
        // v1.12.1 '# CPU only'.
        Published{"1.12.1", "cpu",
                  "pip install torch==1.12.1+cpu torchvision==0.13.1+cpu torchaudio==0.12.1 "
                  "--extra-index-url https://download.pytorch.org/whl/cpu",
                  "conda install pytorch==1.12.1 torchvision==0.13.1 torchaudio==0.12.1 cpuonly -c "
                  "pytorch"},
        // v2.0.1 '# CUDA 11.7' (the PyPI default: no index) and '# CUDA 11.8'.
        Published{"2.0.1", "cu117",
                  "pip install torch==2.0.1 torchvision==0.15.2 torchaudio==2.0.2",
                  "conda install pytorch==2.0.1 torchvision==0.15.2 torchaudio==2.0.2 "
                  "pytorch-cuda=11.7 -c pytorch -c nvidia"},
        Published{"2.0.1", "cu118",
                  "pip install torch==2.0.1 torchvision==0.15.2 torchaudio==2.0.2 "
                  "--index-url https://download.pytorch.org/whl/cu118",
                  "conda install pytorch==2.0.1 torchvision==0.15.2 torchaudio==2.0.2 "
                  "pytorch-cuda=11.8 -c pytorch -c nvidia"},
        // v2.0.0: conda companions differ from the wheels (0.15.0/2.0.0 vs 0.15.1/2.0.1).
        Published{"2.0.0", "cu118",
                  "pip install torch==2.0.0 torchvision==0.15.1 torchaudio==2.0.1 "
                  "--index-url https://download.pytorch.org/whl/cu118",
                  "conda install pytorch==2.0.0 torchvision==0.15.0 torchaudio==2.0.0 "
                  "pytorch-cuda=11.8 -c pytorch -c nvidia"},
        // v2.3.1 '# CUDA 11.8', '# CUDA 12.1', '# CPU only'.
        Published{"2.3.1", "cu118",
                  "pip install torch==2.3.1 torchvision==0.18.1 torchaudio==2.3.1 "
                  "--index-url https://download.pytorch.org/whl/cu118",
                  "conda install pytorch==2.3.1 torchvision==0.18.1 torchaudio==2.3.1 "
                  "pytorch-cuda=11.8 -c pytorch -c nvidia"},
        Published{"2.3.1", "cu121",
                  "pip install torch==2.3.1 torchvision==0.18.1 torchaudio==2.3.1 "
                  "--index-url https://download.pytorch.org/whl/cu121",
                  "conda install pytorch==2.3.1 torchvision==0.18.1 torchaudio==2.3.1 "
                  "pytorch-cuda=12.1 -c pytorch -c nvidia"},
        Published{"2.3.1", "cpu",
                  "pip install torch==2.3.1 torchvision==0.18.1 torchaudio==2.3.1 "
                  "--index-url https://download.pytorch.org/whl/cpu",
                  "conda install pytorch==2.3.1 torchvision==0.18.1 torchaudio==2.3.1 cpuonly -c "
                  "pytorch"},
        // v2.7.0 '# CUDA 12.8' (wheels only: conda ended with 2.5.1).
        Published{"2.7.0", "cu128",
                  "pip install torch==2.7.0 torchvision==0.22.0 torchaudio==2.7.0 "
                  "--index-url https://download.pytorch.org/whl/cu128",
                  ""},
        Published{"2.7.0", "cu126",
                  "pip install torch==2.7.0 torchvision==0.22.0 torchaudio==2.7.0 "
                  "--index-url https://download.pytorch.org/whl/cu126",
                  ""},
        // v2.9.1, the newest release the page lists (pytorch.org/get-started/previous-versions,
        // stored copy): '# CUDA 12.6', '# CUDA 12.8', '# CUDA 13.0', '# CPU only'.
        Published{"2.9.1", "cu126",
                  "pip install torch==2.9.1 torchvision==0.24.1 torchaudio==2.9.1 "
                  "--index-url https://download.pytorch.org/whl/cu126",
                  ""},
        Published{"2.9.1", "cu128",
                  "pip install torch==2.9.1 torchvision==0.24.1 torchaudio==2.9.1 "
                  "--index-url https://download.pytorch.org/whl/cu128",
                  ""},
        Published{"2.9.1", "cu130",
                  "pip install torch==2.9.1 torchvision==0.24.1 torchaudio==2.9.1 "
                  "--index-url https://download.pytorch.org/whl/cu130",
                  ""},
        Published{"2.9.1", "cpu",
                  "pip install torch==2.9.1 torchvision==0.24.1 torchaudio==2.9.1 "
                  "--index-url https://download.pytorch.org/whl/cpu",
                  ""}));

TEST(Commands, NewestReleaseUsesItsIndexAndSaysWhatIsUnknown) {
  // The newest release in the KB: its companions may be unknown (torch-releases.csv), then the
  // companions are left unpinned with a note; the index form follows torch-pip-commands.csv:3.
  const TorchRelease* newest = kb().newest_torch();
  ASSERT_NE(newest, nullptr);
  auto variants = kb().variants_of(newest->version);
  ASSERT_FALSE(variants.empty());
  PlannedBuild b{newest, variants.front(), {}};
  InstallCommands c = install_commands(kb(), facts(), b, kAll, {});
  EXPECT_EQ(c.pip.rfind("pip install torch==" + newest->version.str(), 0), 0u) << c.pip;
  EXPECT_NE(c.pip.find("--index-url " + variants.front()->index_url), std::string::npos) << c.pip;
  EXPECT_TRUE(c.conda.empty()) << "no conda channel after 2.5.1 (torch-conda.csv)";
  if (!newest->torchvision) {
    EXPECT_FALSE(c.notes.empty());
  }
}

TEST(Commands, RequirementsFragmentAndExtras) {
  InstallCommands c =
      install_commands(kb(), facts(), build("2.3.1", "cu121"), {"torchvision"}, {"numpy<2"});
  EXPECT_EQ(c.requirements,
            "--index-url "
            "https://download.pytorch.org/whl/cu121\ntorch==2.3.1\ntorchvision==0.18.1\nnumpy<2\n");
  EXPECT_EQ(c.pip,
            "pip install torch==2.3.1 torchvision==0.18.1 \"numpy<2\" --index-url "
            "https://download.pytorch.org/whl/cu121");
  EXPECT_EQ(c.index_url, "https://download.pytorch.org/whl/cu121");
}

TEST(Commands, ShellQuote) {
  EXPECT_EQ(shell_quote("torch==2.3.1"), "torch==2.3.1");
  EXPECT_EQ(shell_quote("torch>=2.1,<2.5"), "\"torch>=2.1,<2.5\"");
  EXPECT_EQ(shell_quote("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(shell_quote(""), "''");
}

}  // namespace
}  // namespace cudafit
