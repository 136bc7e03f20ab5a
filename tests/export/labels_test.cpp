// Kubernetes label rules at and past every limit. Rules: k8s.io/apimachinery
// pkg/util/validation (IsQualifiedName: name <= 63, [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?,
// optional prefix a DNS-1123 subdomain <= 253; IsValidLabelValue: "" or like a name).
#include <gtest/gtest.h>

#include <string>

#include "export/labels.h"

namespace cudafit {
namespace {

std::string many(char c, std::size_t n) { return std::string(n, c); }

struct Case {
  std::string text;
  bool valid;
};

TEST(LabelRules, Names) {
  const Case cases[] = {
      {"a", true},             // one character
      {many('a', 63), true},   // at the limit
      {many('a', 64), false},  // one past it
      {"", false},             // empty name
      {"driver.cuda", true},   // dots inside
      {"gpu.cc-9.0", true},    // dash and dots inside
      {"A_b-c.D", true},       // underscore, upper case
      {"-a", false},           // must start alphanumeric
      {"a-", false},           // must end alphanumeric
      {".a", false},           // dot first
      {"a_", false},           // underscore last
      {"a b", false},          // space
      {"a/b", false},          // a slash is the prefix separator, not in a name
      {"caf\xc3\xa9", false},  // non-ASCII
      {"a:b", false},          // colon
  };
  for (const auto& c : cases)
    EXPECT_EQ(valid_label_name(c.text), c.valid) << "'" << c.text << "' (" << c.text.size() << ")";
}

TEST(LabelRules, Values) {
  const Case cases[] = {
      {"", true},                       // empty is a valid value
      {many('9', 63), true},            // at the limit
      {many('9', 64), false},           // one past it
      {"13.0", true},                   // a version
      {"NVIDIA-H100-80GB-HBM3", true},  // a GPU name made valid
      {"NVIDIA H100", false},           // space
      {"true", true},
      {"1.0-", false},  // ends with a dash
  };
  for (const auto& c : cases)
    EXPECT_EQ(valid_label_value(c.text), c.valid) << "'" << c.text << "' (" << c.text.size() << ")";
}

TEST(LabelRules, Prefixes) {
  // 253 characters: four 62-character parts and dots (62*4 + 3 = 251) + ".a" = 253.
  const std::string part62 = many('a', 62);
  const std::string p253 = part62 + "." + part62 + "." + part62 + "." + part62 + ".a";
  ASSERT_EQ(p253.size(), 253u);
  const Case cases[] = {
      {"cudafit.io", true},
      {"a", true},
      {many('a', 63) + ".io", true},   // a part at the 63 limit
      {many('a', 64) + ".io", false},  // a part past it
      {p253, true},                    // the whole at 253
      {p253 + "c", false},             // 254
      {"Cudafit.io", false},           // upper case is not DNS-1123
      {"cuda_fit.io", false},          // underscore
      {"-cudafit.io", false},          // part starts with a dash
      {"cudafit-.io", false},          // part ends with a dash
      {"cudafit..io", false},          // empty part
      {"cudafit.io.", false},          // trailing dot
      {"", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(valid_label_prefix(c.text), c.valid)
        << "'" << c.text << "' (" << c.text.size() << ")";
}

TEST(LabelRules, Keys) {
  EXPECT_TRUE(valid_label_key("cudafit.io/driver.cuda"));
  EXPECT_TRUE(valid_label_key("healthy"));
  EXPECT_TRUE(valid_label_key("cudafit.io/" + many('x', 63)));
  EXPECT_FALSE(valid_label_key("cudafit.io/" + many('x', 64)));
  EXPECT_FALSE(valid_label_key("cudafit.io/"));
  EXPECT_FALSE(valid_label_key("/name"));
  EXPECT_FALSE(valid_label_key("a/b/c"));
}

TEST(LabelRules, FreeTextBecomesAValidValue) {
  struct Row {
    std::string in, out;
  };
  const Row rows[] = {
      {"NVIDIA H100 80GB HBM3", "NVIDIA-H100-80GB-HBM3"},
      {"Tesla V100-SXM2-32GB", "Tesla-V100-SXM2-32GB"},
      {"  (weird)  name!! ", "weird-name"},
      {"13.0", "13.0"},
      {"---", ""},
      {"", ""},
      {"caf\xc3\xa9 GPU", "caf-GPU"},
      {many('a', 62) + "-b", many('a', 62)},  // cut at 63 leaves "a...a-": trimmed to 62
      {many('a', 70), many('a', 63)},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(to_label_value(r.in), r.out) << "'" << r.in << "'";
    EXPECT_TRUE(valid_label_value(to_label_value(r.in))) << "'" << r.in << "'";
  }
}

}  // namespace
}  // namespace cudafit
