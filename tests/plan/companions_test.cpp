// Pairing torch with torchvision / torchaudio from their own PyPI metadata
// (data/torch-companion-releases.csv; rows named per case).
#include <gtest/gtest.h>

#include "plan/commands.h"
#include "plan/companions.h"
#include "test_kb.h"

namespace cudafit {
namespace {

using testing::facts;
using testing::kb;

const TorchRelease& release(const char* v) {
  const TorchRelease* r = kb().torch_release(*Pep440Version::parse(v));
  EXPECT_NE(r, nullptr) << v;
  return *r;
}

TEST(Companions, EachTorchGetsTheCompanionItsMetadataAdmits) {
  struct Case {
    const char* torch;
    const char* package;
    const char* version;  // "" = none exists
    PairingBasis basis;
  } cases[] = {
      // Exact pins: torchvision 0.4.0 "torch==1.2.0", torchaudio 0.3.0 "torch==1.2.0".
      {"1.2.0", "torchvision", "0.4.0", PairingBasis::kPin},
      {"1.2.0", "torchaudio", "0.3.0", PairingBasis::kPin},
      // 0.8.0 and 0.8.1 both pin torch==1.7.0, uploaded the same day: the newer.
      {"1.7.0", "torchvision", "0.8.1", PairingBasis::kPin},
      // 0.11.0 (yanked: torch==1.10.0+cu102) is never chosen; 0.11.1 pins torch==1.10.0.
      {"1.10.0", "torchvision", "0.11.1", PairingBasis::kPin},
      // 0.15.0 yanked; 0.15.1 pins torch==2.0.0. torchaudio 2.0.0 yanked; 2.0.1 pins it.
      {"2.0.0", "torchvision", "0.15.1", PairingBasis::kPin},
      {"2.0.0", "torchaudio", "2.0.1", PairingBasis::kPin},
      {"2.14.0", "torchvision", "0.29.0", PairingBasis::kPin},
      // torchvision 0.29.1 (2026-09-30) and 0.29.2 (2026-10-28) require torch>=2.14.0: by
      // date, 2.14.1 (2026-09-30) takes 0.29.1 and 2.15.0 (2026-10-28) 0.29.2.
      {"2.14.1", "torchvision", "0.29.1", PairingBasis::kRange},
      {"2.15.0", "torchvision", "0.29.2", PairingBasis::kRange},
      // torchvision 0.3.0 requires torch>=1.1.0; uploaded after torch 1.1.0.
      {"1.1.0", "torchvision", "0.3.0", PairingBasis::kRange},
      // torchaudio 2.11.0 requires no torch, uploaded with torch 2.11.0 (2026-03-23).
      {"2.11.0", "torchaudio", "2.11.0", PairingBasis::kDate},
      // No torchaudio pins 2.12+: torchaudio 2.11.1 (torch>=2.11) admits them by its range.
      {"2.12.0", "torchaudio", "2.11.1", PairingBasis::kRange},
      {"2.15.0", "torchaudio", "2.11.1", PairingBasis::kRange},
      // Nothing on PyPI admits 1.0.0 (every 0.2.x is yanked; 0.3.0 needs >=1.1.0), nor
      // 1.8.2 (the LTS companions live on download.pytorch.org; 0.3.0's range was superseded
      // by 0.4.0 ... 0.9.1, which pin older torch releases).
      {"1.0.0", "torchvision", "", PairingBasis::kNone},
      {"1.1.0", "torchaudio", "", PairingBasis::kNone},
      {"1.8.2", "torchvision", "", PairingBasis::kNone},
  };
  for (const auto& c : cases) {
    CompanionPairing p = companion_for(kb(), &facts(), release(c.torch), c.package);
    EXPECT_EQ(static_cast<int>(p.basis), static_cast<int>(c.basis))
        << c.torch << " " << c.package << ": " << p.why;
    if (*c.version == '\0') {
      EXPECT_FALSE(p.version.has_value()) << c.torch << " " << c.package << ": " << p.why;
      EXPECT_NE(p.why.find("no " + std::string(c.package) + " release exists"), std::string::npos)
          << p.why;
    } else {
      ASSERT_TRUE(p.version.has_value()) << c.torch << " " << c.package << ": " << p.why;
      EXPECT_EQ(p.version->str(), c.version) << c.torch << " " << c.package << ": " << p.why;
      EXPECT_NE(p.why.find("torch-companion-releases.csv:"), std::string::npos) << p.why;
    }
  }
}

TEST(Companions, ARangeSaysSoInTheCommandNotes) {
  const TorchRelease& r = release("2.14.1");
  PlannedBuild b{&r, kb().variant(r.version, "cu126"), {}};
  InstallCommands c = install_commands(kb(), facts(), b, {"torchvision", "torchaudio"}, {});
  EXPECT_NE(c.pip.find("torchvision==0.29.1"), std::string::npos) << c.pip;
  EXPECT_NE(c.pip.find("torchaudio==2.11.1"), std::string::npos) << c.pip;
  std::string notes;
  for (const auto& n : c.notes) notes += n + "\n";
  EXPECT_NE(notes.find("no torchvision release pins torch 2.14.1"), std::string::npos) << notes;
  EXPECT_NE(notes.find("range torch>=2.14.0"), std::string::npos) << notes;
}

TEST(Companions, NoneExistsIsLeftOutAndSaid) {
  const TorchRelease& r = release("1.0.0");
  PlannedBuild b{&r, kb().variant(r.version, "cu90"), {}};
  InstallCommands c = install_commands(kb(), facts(), b, {"torchvision", "torchaudio"}, {});
  EXPECT_EQ(c.pip.find("torchvision"), std::string::npos) << c.pip;
  EXPECT_EQ(c.pip.find("torchaudio"), std::string::npos) << c.pip;
  std::string notes;
  for (const auto& n : c.notes) notes += n + "\n";
  EXPECT_NE(notes.find("no torchvision release exists for torch 1.0.0"), std::string::npos)
      << notes;
  EXPECT_NE(notes.find("no torchaudio release exists for torch 1.0.0"), std::string::npos) << notes;
  EXPECT_NE(notes.find("torchvision left out"), std::string::npos) << notes;
}

}  // namespace
}  // namespace cudafit
