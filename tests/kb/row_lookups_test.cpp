// Lookups that read only their rows from the embedded text (arch_list, arch_of_cc,
// torch_release, framework_rows, variants_of) answer exactly as the parsed tables do: for every
// row of each table, a fresh knowledge base (nothing parsed yet) is asked, and its answer is
// compared with the first match in the whole table.
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

#include "kb/kb.h"
#include "util/strings.h"

namespace cudafit {
namespace {

std::shared_ptr<const KnowledgeBase> whole() {
  static const auto k = [] {
    auto fresh = KnowledgeBase::embedded_fresh();
    EXPECT_TRUE(fresh->verify().ok());  // every table parsed: the answers below come from them
    return fresh;
  }();
  return k;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

TEST(KbRowLookups, ArchListAnswersAsTheTable) {
  const auto& rows = whole()->torch_arch_lists();
  ASSERT_GT(rows.size(), 50u);
  for (const TorchArchList& row : rows) {
    for (const Pep440Version& v : {row.torch_from, row.torch_to}) {
      // The variant as a user spells it too: the lookup ignores case.
      for (const std::string& variant : {row.variant, upper(row.variant)}) {
        const TorchArchList* want = nullptr;
        for (const TorchArchList& a : rows)
          if (a.platform == row.platform && iequals(a.variant, variant) && a.torch_from <= v &&
              v <= a.torch_to) {
            want = &a;
            break;
          }
        ASSERT_NE(want, nullptr);
        const auto fresh = KnowledgeBase::embedded_fresh();  // outlives `got`
        const TorchArchList* got = fresh->arch_list(v, variant, row.platform);
        ASSERT_NE(got, nullptr) << row.from.where() << " " << v.str() << " " << variant;
        EXPECT_EQ(got->from.line, want->from.line) << row.from.where() << " " << v.str();
        EXPECT_EQ(got->sass, want->sass) << row.from.where();
        EXPECT_EQ(got->ptx, want->ptx) << row.from.where();
        EXPECT_EQ(got->from.file, want->from.file);
      }
    }
  }
  auto fresh = KnowledgeBase::embedded_fresh();
  const Pep440Version v = rows.front().torch_to;
  EXPECT_EQ(fresh->arch_list(v, "cu999", rows.front().platform), nullptr);
  EXPECT_EQ(fresh->arch_list(Pep440Version::parse("0.1").value(), rows.front().variant,
                             rows.front().platform),
            nullptr);
}

TEST(KbRowLookups, ArchOfCcAnswersAsTheTable) {
  const auto& rows = whole()->gpu_archs();
  ASSERT_GT(rows.size(), 30u);
  for (const GpuArch& row : rows) {
    const GpuArch* want = whole()->arch_of_cc(row.cc);
    ASSERT_NE(want, nullptr);
    for (const ComputeCapability& cc :
         {row.cc, ComputeCapability(row.cc.major(), row.cc.minor(),
                                    ComputeCapability::Variant::kArchSpecific)}) {
      const auto fresh = KnowledgeBase::embedded_fresh();
      const GpuArch* got = fresh->arch_of_cc(cc);
      ASSERT_NE(got, nullptr) << row.from.where();
      EXPECT_EQ(got->from.line, want->from.line) << row.from.where();
      EXPECT_EQ(got->chip, want->chip);
      EXPECT_EQ(got->architecture, want->architecture);
    }
  }
  EXPECT_EQ(KnowledgeBase::embedded_fresh()->arch_of_cc(ComputeCapability(1, 0)), nullptr);
}

TEST(KbRowLookups, TorchReleaseAnswersAsTheTable) {
  const auto& rows = whole()->torch_releases();
  ASSERT_GT(rows.size(), 50u);
  for (const TorchRelease& row : rows) {
    const auto fresh = KnowledgeBase::embedded_fresh();
    const TorchRelease* got = fresh->torch_release(row.version);
    ASSERT_NE(got, nullptr) << row.from.where();
    EXPECT_EQ(got->from.line, row.from.line);
    EXPECT_EQ(got->torchvision, row.torchvision) << row.from.where();
    EXPECT_EQ(got->pythons, row.pythons) << row.from.where();
    // A local version label does not change the release.
    auto local = Pep440Version::parse(row.version.str() + "+cu128");
    ASSERT_TRUE(local.ok());
    const auto again = KnowledgeBase::embedded_fresh();
    const TorchRelease* by_local = again->torch_release(*local);
    ASSERT_NE(by_local, nullptr) << row.from.where();
    EXPECT_EQ(by_local->from.line, row.from.line);
  }
  EXPECT_EQ(KnowledgeBase::embedded_fresh()->torch_release(Pep440Version::parse("0.0.1").value()),
            nullptr);
}

TEST(KbRowLookups, FrameworkRowsAnswerAsTheTable) {
  std::set<std::string> names;
  for (const FrameworkRequirement& f : whole()->frameworks()) names.insert(f.framework);
  ASSERT_GT(names.size(), 5u);
  for (const std::string& name : names) {
    std::vector<int> want;
    for (const FrameworkRequirement& f : whole()->frameworks())
      if (f.framework == name) want.push_back(f.from.line);
    std::vector<int> got;
    const auto fresh = KnowledgeBase::embedded_fresh();  // outlives the rows it gives
    for (const FrameworkRequirement* f : fresh->framework_rows(name)) {
      EXPECT_EQ(f->framework, name);
      got.push_back(f->from.line);
    }
    EXPECT_EQ(got, want) << name;
    // A second ask answers from what the first one read.
    got.clear();
    auto k = KnowledgeBase::embedded_fresh();
    k->framework_rows(name);
    for (const FrameworkRequirement* f : k->framework_rows(name)) got.push_back(f->from.line);
    EXPECT_EQ(got, want) << name;
  }
  EXPECT_TRUE(KnowledgeBase::embedded_fresh()->framework_rows("no-such-framework").empty());
}

TEST(KbRowLookups, VariantsOfAnswerAsTheTable) {
  for (const TorchRelease& r : whole()->torch_releases()) {
    std::vector<int> want;
    for (const TorchVariant& v : whole()->torch_variants())
      if (v.torch == r.version) want.push_back(v.from.line);
    std::vector<int> got;
    const auto fresh = KnowledgeBase::embedded_fresh();
    for (const TorchVariant* v : fresh->variants_of(r.version)) got.push_back(v->from.line);
    EXPECT_EQ(got, want) << r.from.where();
  }
}

}  // namespace
}  // namespace cudafit
