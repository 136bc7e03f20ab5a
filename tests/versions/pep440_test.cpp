// PEP 440 versions: parsing, normalization and ordering.
// Sources: PEP 440 (https://peps.python.org/pep-0440/, sections "Normalization" and
// "Summary of permitted suffixes and relative ordering"), and the behaviour of pip's
// `packaging` library (src/packaging/version.py), which these rows were checked against.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "versions/pep440.h"

namespace cudafit {
namespace {

Pep440Version V(const std::string& s) {
  auto v = Pep440Version::parse(s);
  EXPECT_TRUE(v.ok()) << s << ": " << (v.ok() ? "" : v.error());
  return v.ok() ? *v : Pep440Version::parse("0").value();
}

TEST(Pep440Version, NormalizesEverySpellingPep440Lists) {
  struct Row {
    const char* in;
    const char* normalized;
  };
  const Row rows[] = {
      // PEP 440 "Case sensitivity"
      {"1.1RC1", "1.1rc1"},
      // "Integer normalization"
      {"00", "0"},
      {"09000", "9000"},
      {"1.0+foo0100", "1.0+foo0100"},
      // "Pre-release separators"
      {"1.1.a1", "1.1a1"},
      {"1.1-a1", "1.1a1"},
      {"1.1_a1", "1.1a1"},
      {"1.0a.1", "1.0a1"},
      // "Pre-release spelling"
      {"1.1alpha1", "1.1a1"},
      {"1.1beta2", "1.1b2"},
      {"1.1c3", "1.1rc3"},
      {"1.1pre4", "1.1rc4"},
      {"1.1preview5", "1.1rc5"},
      // "Implicit pre-release number"
      {"1.2a", "1.2a0"},
      {"1.2.rc", "1.2rc0"},
      // "Post release separators"
      {"1.2-post2", "1.2.post2"},
      {"1.2post2", "1.2.post2"},
      {"1.2.post.2", "1.2.post2"},
      {"1.2_post_2", "1.2.post2"},
      // "Post release spelling"
      {"1.0-r4", "1.0.post4"},
      {"1.0-rev4", "1.0.post4"},
      // "Implicit post release number"
      {"1.2.post", "1.2.post0"},
      // "Implicit post releases"
      {"1.0-1", "1.0.post1"},
      // "Development release separators" / "Implicit development release number"
      {"1.2-dev2", "1.2.dev2"},
      {"1.2dev2", "1.2.dev2"},
      {"1.2.dev", "1.2.dev0"},
      // "Local version segments"
      {"1.0+ubuntu-1", "1.0+ubuntu.1"},
      {"1.0+Ubuntu_1.A", "1.0+ubuntu.1.a"},
      // "Preceding v character"
      {"v1.0", "1.0"},
      {"V2.3.1", "2.3.1"},
      // "Leading and Trailing Whitespace"
      {" 1.0\n", "1.0"},
      {"\t1.0  ", "1.0"},
      // Epochs (PEP 440 "Version epochs"); epoch 0 is not printed (packaging str()).
      {"1!1.0", "1!1.0"},
      {"0!1.0", "1.0"},
      // Everything at once, and trailing separators the regex still accepts.
      {"v1!2.0RC1.post2.DEV3+Local.7", "1!2.0rc1.post2.dev3+local.7"},
      {"1.0rc.", "1.0rc0"},
      {"1.0-pre-", "1.0rc0"},
      {"1.0a1-1", "1.0a1.post1"},
      // packaging prints numeric local segments as numbers.
      {"1.2.3+01", "1.2.3+1"},
      // Real torch / CUDA wheel versions (PyPI, ../shared/reference/pytorch/).
      {"2.3.1+cu121", "2.3.1+cu121"},
      {"2.1.0+cu121.with.pypi.cudnn", "2.1.0+cu121.with.pypi.cudnn"},
      {"2.6.0.dev20241112+cu124", "2.6.0.dev20241112+cu124"},
      {"8.9.2.26", "8.9.2.26"},
  };
  for (const Row& r : rows) {
    auto v = Pep440Version::parse(r.in);
    ASSERT_TRUE(v.ok()) << "'" << r.in << "': " << v.error();
    EXPECT_EQ(v->str(), r.normalized) << "'" << r.in << "'";
  }
}

TEST(Pep440Version, RejectsWhatPackagingRejects) {
  // Each of these raises InvalidVersion in packaging.
  const char* rows[] = {"",
                        "v",
                        "french toast",
                        "1.0-",
                        "1.0.",
                        "1..0",
                        "a1.0",
                        "1.0 2",
                        "1.0+",
                        "1.0+a..b",
                        "1.0+a+b",
                        "1.0+_foo",
                        "1.0-a-b",
                        "1.0rc1rc2",
                        "1.0.post1.post2",
                        "1.0devel",
                        "1!",
                        "!1.0",
                        "1.0+ä",
                        "-1.0",
                        "1,0",
                        "1.0.dev1a1",
                        "99999999999999999999999"};
  for (const char* s : rows) {
    auto v = Pep440Version::parse(s);
    EXPECT_FALSE(v.ok()) << "'" << s << "' parsed as " << v->str();
    if (!v.ok()) {
      EXPECT_NE(v.error().find("invalid version"), std::string::npos);
    }
  }
}

TEST(Pep440Version, ExposesItsParts) {
  Pep440Version v = V("1!2.3.4rc5.post6.dev7+cu121.With.Pypi");
  EXPECT_EQ(v.epoch(), 1u);
  EXPECT_EQ(v.release(), (std::vector<std::uint64_t>{2, 3, 4}));
  ASSERT_TRUE(v.pre().has_value());
  EXPECT_EQ(v.pre()->first, 'c');
  EXPECT_EQ(v.pre()->second, 5u);
  EXPECT_EQ(v.post(), 6u);
  EXPECT_EQ(v.dev(), 7u);
  EXPECT_EQ(v.local(), (std::vector<std::string>{"cu121", "with", "pypi"}));
  EXPECT_EQ(v.local_str(), "cu121.with.pypi");
  EXPECT_EQ(v.public_str(), "1!2.3.4rc5.post6.dev7");
  EXPECT_EQ(v.base_version().str(), "1!2.3.4");
  EXPECT_EQ(v.without_local().str(), "1!2.3.4rc5.post6.dev7");
  EXPECT_TRUE(v.is_prerelease());
  EXPECT_TRUE(v.is_postrelease());
  EXPECT_EQ(V("2.3").component(0), 2u);
  EXPECT_EQ(V("2.3").component(1), 3u);
  EXPECT_EQ(V("2.3").component(2), 0u);
  EXPECT_FALSE(V("1.0.post1").is_prerelease());
  EXPECT_TRUE(V("1.0.dev1").is_prerelease());
}

TEST(Pep440Version, OrdersAsPep440Lists) {
  // PEP 440 "Summary of permitted suffixes and relative ordering" (the example list), then
  // packaging's tests/test_version.py VERSIONS (local ordering, epochs); strictly increasing.
  const std::vector<std::string> ordered = {
      "1.dev0",
      "1.0.dev456",
      "1.0a1",
      "1.0a2.dev456",
      "1.0a12.dev456",
      "1.0a12",
      "1.0b1.dev456",
      "1.0b2",
      "1.0b2.post345.dev456",
      "1.0b2.post345",
      "1.0b2-346",
      "1.0c1.dev456",
      "1.0c1",
      "1.0rc2",
      "1.0c3",
      "1.0",
      "1.0+abc.5",
      "1.0+abc.7",
      "1.0+5",
      "1.0.post456.dev34",
      "1.0.post456",
      "1.0.15",
      "1.1.dev1",
      "1.2+123abc",
      "1.2+123abc456",
      "1.2+abc",
      "1.2+abc123",
      "1.2+abc123def",
      "1.2+1234.abc",
      "1.2+123456",
      "1.2.r32+123456",
      "1.2.rev33+123456",
      "1!1.0b2.post345.dev456",
      "1!1.0",
      "1!1.0.post456",
      "1!1.2.rev33+123456",
  };
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    EXPECT_LT(V(ordered[i]), V(ordered[i + 1])) << ordered[i] << " < " << ordered[i + 1];
    EXPECT_GT(V(ordered[i + 1]), V(ordered[i])) << ordered[i + 1] << " > " << ordered[i];
  }
  // Transitivity over the whole list, not only neighbours.
  for (size_t i = 0; i < ordered.size(); ++i)
    for (size_t j = i + 1; j < ordered.size(); ++j) EXPECT_LT(V(ordered[i]), V(ordered[j]));
}

TEST(Pep440Version, EqualityIgnoresSpellingAndTrailingZeros) {
  // PEP 440 "Version matching": release segments are zero-padded for comparison.
  struct Row {
    const char* a;
    const char* b;
  };
  const Row equal[] = {{"1.0", "1.0.0"},       {"1", "1.0.0.0"},    {"1.0a1", "1.0.0alpha1"},
                       {"1.0.post0", "1.0-0"}, {"v1.0", "1.0"},     {"0!1.0", "1.0"},
                       {"1.0+abc", "1.0+ABC"}, {"1.0+01", "1.0+1"}, {"1.0rc1", "1.0c1"}};
  for (const Row& r : equal) EXPECT_EQ(V(r.a), V(r.b)) << r.a << " == " << r.b;
  const Row unequal[] = {{"1.0", "1.0+0"},
                         {"1.0", "1.0.post0"},
                         {"1.0", "1.0.dev0"},
                         {"1.0", "1!1.0"},
                         {"1.0+a", "1.0+a.0"}};
  for (const Row& r : unequal) EXPECT_NE(V(r.a), V(r.b)) << r.a << " != " << r.b;
}

TEST(Pep440Version, ComparesNumbersNotStrings) {
  // The classic trap: "2.10" > "2.9" numerically, < as strings.
  EXPECT_GT(V("2.10.0"), V("2.9.1"));
  EXPECT_GT(V("1.13.1"), V("1.9.0"));
  EXPECT_LT(V("1.0a2"), V("1.0a10"));
  EXPECT_LT(V("1.0.dev9"), V("1.0.dev10"));
  EXPECT_GT(V("1.0+cu92"), V("1.0+cu100"));  // "cu92" is a string segment: compared as text
  EXPECT_LT(V("1.0+9"), V("1.0+10"));        // purely numeric ones compare as numbers
}

}  // namespace
}  // namespace cudafit
