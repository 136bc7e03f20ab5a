// PEP 440 specifiers and specifier sets.
// Sources: PEP 440 "Version specifiers" (each operator's section and its examples), and
// pip's `packaging` (src/packaging/specifiers.py): local-version matching, the exclusive
// ordered comparisons, and pre-release handling (a clause that names a pre-release, other
// than "!=", lets pre-releases in — packaging >= 24.2).
#include <gtest/gtest.h>

#include <string>

#include "versions/pep440.h"

namespace cudafit {
namespace {

struct Row {
  const char* spec;
  const char* version;
  bool expected;
  bool allow_pre = false;
};

void check(const Row& r) {
  auto set = SpecifierSet::parse(r.spec);
  ASSERT_TRUE(set.ok()) << r.spec << ": " << set.error();
  auto v = Pep440Version::parse(r.version);
  ASSERT_TRUE(v.ok()) << r.version << ": " << v.error();
  EXPECT_EQ(set->contains(*v, r.allow_pre), r.expected)
      << "'" << r.version << "' in '" << r.spec << "'" << (r.allow_pre ? " (pre allowed)" : "");
}

TEST(Specifier, EqualityAndLocalVersions) {
  const Row rows[] = {
      // PEP 440 "Version matching": zero padding, and a public spec ignores the local part.
      {"==1.1", "1.1.0", true},
      {"==1.1.0", "1.1", true},
      {"==1.1", "1.1.post1", false},
      {"==1.1.post1", "1.1.post1", true},
      {"==1.1.*", "1.1.post1", true},
      // Issue 4: "==2.3.1 matches 2.3.1+cu121; ==2.3.1+cu121 matches only that".
      {"==2.3.1", "2.3.1+cu121", true},
      {"==2.3.1", "2.3.1", true},
      {"==2.3.1+cu121", "2.3.1+cu121", true},
      {"==2.3.1+cu121", "2.3.1", false},
      {"==2.3.1+cu121", "2.3.1+cu118", false},
      {"==2.3.1+CU121", "2.3.1+cu121", true},
      {"== 2.3.1", "2.3.1", true},  // whitespace after the operator is allowed
      // Wildcards: prefix match on the (zero-padded) release, local part ignored.
      {"==2.3.*", "2.3.1+cu121", true},
      {"==2.3.*", "2.3", true},
      {"==2.3.*", "2.4.0", false},
      {"==2.*", "2.10.1", true},
      {"==2.1.*", "2.10.0", false},  // numeric, not textual, prefix
      {"==1.0.0.*", "1.0", true},
      {"==1.0.*", "1.post1", true},  // padded before shortening (packaging >= 22)
      {"==1!1.*", "1.5", false},     // epochs must agree
      {"==1!1.*", "1!1.5", true},
      // PEP 440 "Version exclusion".
      {"!=1.1", "1.1.post1", true},
      {"!=1.1.post1", "1.1.post1", false},
      {"!=1.1.*", "1.1.post1", false},
      {"!=2.3.1", "2.3.1+cu121", false},
      {"!=2.3.1+cu121", "2.3.1+cu118", true},
      {"!=2.3.*", "2.4.0", true},
  };
  for (const Row& r : rows) check(r);
}

TEST(Specifier, OrderedComparisons) {
  const Row rows[] = {
      // PEP 440 "Inclusive ordered comparison": local parts are ignored.
      {"<=2.3.1", "2.3.1+cu121", true},
      {">=2.3.1", "2.3.1+cu121", true},
      {">=2.3", "2.3.0", true},
      {"<=2.3", "2.3.0.post1", false},
      // "Exclusive ordered comparison": >V excludes V's post-releases and local versions...
      {">1.7", "1.7.1", true},
      {">1.7", "1.7.0.post1", false},
      {">1.7", "1.7+local", false},
      {">1.7", "1.8+local", true},
      // ...unless V is itself a post-release.
      {">1.7.post2", "1.7.1", true},
      {">1.7.post2", "1.7.0.post3", true},
      {">1.7.post2", "1.7.0", false},
      // <V excludes V's pre-releases even when pre-releases are allowed...
      {"<3.1", "3.1.dev0", false, true},
      {"<3.1", "3.1a1", false, true},
      {"<3.1", "3.0a1", true, true},
      {"<3.1", "3.0.9", true},
      // ...unless V is itself a pre-release.
      {"<3.1rc1", "3.1a1", true},
      {"<3.1rc1", "3.1rc1", false},
      {"<1!1.0", "2.0", true},
      {">1!1.0", "2.0", false},
      // Numeric, never textual, comparison.
      {">=2.9", "2.10", true},
      {"<2.10", "2.9.1", true},
  };
  for (const Row& r : rows) check(r);
}

TEST(Specifier, CompatibleRelease) {
  const Row rows[] = {
      // PEP 440 "Compatible release": ~=2.2 is >=2.2,==2.*; ~=1.4.5 is >=1.4.5,==1.4.*.
      {"~=2.2", "2.2", true},
      {"~=2.2", "2.9", true},
      {"~=2.2", "3.0", false},
      {"~=2.2", "2.1", false},
      {"~=1.4.5", "1.4.9", true},
      {"~=1.4.5", "1.5.0", false},
      {"~=1.4.5", "1.4.4", false},
      // ~=2.2.post3 is >=2.2.post3,==2.*; ~=1.4.5a4 is >=1.4.5a4,==1.4.*.
      {"~=2.2.post3", "2.2.post3", true},
      {"~=2.2.post3", "2.2", false},
      {"~=2.2.post3", "2.9", true},
      {"~=1.4.5a4", "1.4.5", true},
      {"~=1.4.5a4", "1.4.5a5", true},  // the spec names a pre-release: pre-releases allowed
      {"~=1.4.5a4", "1.5.0", false},
      // ~=2.2.0 is >=2.2.0,==2.2.* (zero padding keeps the last digit significant).
      {"~=2.2.0", "2.2.9", true},
      {"~=2.2.0", "2.3", false},
      {"~=2.2", "2.5+cu121", true},
      {"~=1!2.2", "2.5", false},
  };
  for (const Row& r : rows) check(r);
}

TEST(Specifier, ArbitraryEquality) {
  const Row rows[] = {
      // PEP 440 "Arbitrary equality": plain (case-insensitive) string equality.
      {"===1.0", "1.0", true},        {"===1.0", "1.0.0", false},
      {"===1.0", "1.0+local", false}, {"===1.0+LOCAL", "1.0+local", true},
      {"===foobar", "1.0", false},
  };
  for (const Row& r : rows) check(r);
}

TEST(Specifier, PreReleases) {
  const Row rows[] = {
      // Pre-releases are excluded unless allowed...
      {">=1.0", "2.0a1", false},
      {">=1.0", "2.0a1", true, true},
      {">=1.0", "2.0.dev1", false},
      {">=1.0", "2.0.post1", true},  // a post-release is not a pre-release
      // ...or a clause names one (packaging: every operator but "!=").
      {">=1.0a1", "2.0a1", true},
      {">=1.0,<2.0rc1", "1.5b1", true},
      {"<2.0rc1", "1.5b1", true},
      {"==2.0rc1", "2.0rc1", true},
      {"!=1.0a1", "2.0a1", false},
      {"==2.*", "2.0rc1", false},
      {"==2.*", "2.0rc1", true, true},
      // The empty set matches every final release and no pre-release (packaging).
      {"", "1.0", true},
      {"", "1.0a1", false},
      {"", "1.0a1", true, true},
      // Torch nightlies are dev releases.
      {">=2.6", "2.7.0.dev20250101+cu126", false},
      {">=2.6", "2.7.0.dev20250101+cu126", true, true},
  };
  for (const Row& r : rows) check(r);
}

TEST(Specifier, TorchStyleSets) {
  const Row rows[] = {
      // Pins of the form found in torchvision/torchaudio METADATA and vLLM requirements.
      {">=2.3,<2.4", "2.3.1+cu121", true},
      {">=2.3,<2.4", "2.4.0", false},
      {">=2.3, <2.4, !=2.3.0", "2.3.0+cu118", false},
      {"<14,>=13.0.3", "13.0.3", true},
      {"<14,>=13.0.3", "14.0", false},
      {">=3.9,,", "3.12", true},  // empty clauses are skipped, as packaging does
  };
  for (const Row& r : rows) check(r);
}

TEST(Specifier, RejectsInvalidClauses) {
  // Each raises InvalidSpecifier in packaging.
  const char* rows[] = {"1.0",        "=1.0",    "==",        "=>1.0",     "~=1",      "~=1.0.*",
                        "<1.0+local", ">=1.0.*", "==1.0a1.*", "==1.0.*+x", ">=1.0 .*", "== 1.0 2",
                        "==1.0+",     ">= foo",  "~= 1!1",    "~1.0",      "===a b",   "===a)",
                        "==1.*.0",    "<=1.0.*", "!=1.0+a..b"};
  for (const char* s : rows) {
    auto spec = Specifier::parse(s);
    EXPECT_FALSE(spec.ok()) << "'" << s << "' parsed as " << spec->str();
    if (!spec.ok()) {
      EXPECT_NE(spec.error().find(s), std::string::npos) << spec.error();
    }
  }
  EXPECT_FALSE(SpecifierSet::parse(">=1.0,~=1").ok());
}

TEST(Specifier, PrintsAndReportsItsParts) {
  auto s = Specifier::parse("  ~= 2.2.post3 ");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->op(), Specifier::Op::kCompatible);
  EXPECT_EQ(s->version_text(), "2.2.post3");
  EXPECT_EQ(s->str(), "~=2.2.post3");
  EXPECT_FALSE(s->wildcard());
  auto w = Specifier::parse("==2.3.*");
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->wildcard());
  EXPECT_EQ(w->str(), "==2.3.*");
  // packaging's SpecifierSet str(): clauses sorted by their text.
  auto set = SpecifierSet::parse(">=1.0, <2 ,!=1.5");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->str(), "!=1.5,<2,>=1.0");
  EXPECT_EQ(set->specifiers().size(), 3u);
  EXPECT_TRUE(SpecifierSet::parse("").value().empty());
  EXPECT_TRUE(SpecifierSet::parse(" , ").value().empty());
}

}  // namespace
}  // namespace cudafit
