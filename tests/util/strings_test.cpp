// String helpers (src/util/strings.h). Expected values follow each function's header comment.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/strings.h"

namespace cudafit {
namespace {

using Views = std::vector<std::string_view>;

TEST(Strings, Trim) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \n\t\f\v"), "");
  EXPECT_EQ(trim("x"), "x");
}

TEST(Strings, Split) {
  struct Row {
    const char* in;
    char sep;
    Views out;
  };
  const Row rows[] = {
      {"a,b,c", ',', {"a", "b", "c"}},
      {"a,,c", ',', {"a", "", "c"}},  // empty pieces are kept
      {",a,", ',', {"", "a", ""}},
      {"", ',', {""}},  // one empty piece, like Python's "".split(",")
      {"abc", ',', {"abc"}},
      {"/usr/lib", '/', {"", "usr", "lib"}},
  };
  for (const Row& r : rows) EXPECT_EQ(split(r.in, r.sep), r.out) << r.in;
}

TEST(Strings, SplitWhitespace) {
  EXPECT_EQ(split_ws("  a \t b\nc  "), (Views{"a", "b", "c"}));
  EXPECT_EQ(split_ws(""), Views{});
  EXPECT_EQ(split_ws(" \t\n"), Views{});
  // nvidia-smi style columns
  EXPECT_EQ(split_ws("| NVIDIA-SMI 580.65.06   Driver Version: 580.65.06 |").size(), 7u);
}

TEST(Strings, SplitLines) {
  struct Row {
    const char* in;
    Views out;
  };
  const Row rows[] = {
      {"a\nb", {"a", "b"}},
      {"a\nb\n", {"a", "b"}},      // a final newline does not add an empty line
      {"a\r\nb\r\n", {"a", "b"}},  // CRLF
      {"", {}},
      {"\n\n", {"", ""}},
      {"one", {"one"}},
      {"a\n\nb", {"a", "", "b"}},
  };
  for (const Row& r : rows) EXPECT_EQ(split_lines(r.in), r.out) << r.in;
}

TEST(Strings, Affixes) {
  EXPECT_TRUE(starts_with("sm_86", "sm_"));
  EXPECT_FALSE(starts_with("sm", "sm_"));
  EXPECT_TRUE(starts_with("x", ""));
  EXPECT_TRUE(ends_with("libcudart.so.12", ".12"));
  EXPECT_FALSE(ends_with("12", "libcudart.so.12"));
  EXPECT_TRUE(ends_with("", ""));
}

TEST(Strings, CaseInsensitive) {
  EXPECT_TRUE(iequals("NVIDIA", "nvidia"));
  EXPECT_FALSE(iequals("nvidia", "nvidiA "));
  EXPECT_TRUE(icontains("NVIDIA GeForce RTX 3050", "rtx 30"));
  EXPECT_FALSE(icontains("RTX", "rtx 3050"));
  EXPECT_TRUE(icontains("anything", ""));
  EXPECT_EQ(to_lower("Tesla V100-SXM2"), "tesla v100-sxm2");
  EXPECT_EQ(to_lower("ÄB"),
            "\xC3\x84"
            "b");  // ASCII only: UTF-8 bytes are left alone
}

TEST(Strings, LeadingDigits) {
  EXPECT_EQ(leading_digits(""), 0u);
  EXPECT_EQ(leading_digits("x12"), 0u);
  EXPECT_EQ(leading_digits("12x"), 2u);
  EXPECT_EQ(leading_digits("311"), 3u);
  EXPECT_EQ(leading_digits("9.1"), 1u);
}

TEST(Strings, ParseUint) {
  struct Row {
    const char* in;
    std::optional<std::uint64_t> out;
  };
  const Row rows[] = {
      {"0", 0},
      {"535", 535},
      {"007", 7},
      {"18446744073709551615", 18446744073709551615ull},  // UINT64_MAX
      {"18446744073709551616", std::nullopt},             // one more: overflow
      {"", std::nullopt},
      {"-1", std::nullopt},
      {"+1", std::nullopt},
      {" 1", std::nullopt},
      {"1 ", std::nullopt},
      {"1.0", std::nullopt},
      {"0x10", std::nullopt},
  };
  for (const Row& r : rows) EXPECT_EQ(parse_uint(r.in), r.out) << "'" << r.in << "'";
}

TEST(Strings, ParseHex) {
  struct Row {
    const char* in;
    std::optional<std::uint64_t> out;
  };
  const Row rows[] = {
      {"0x2684", 0x2684},  // PCI device id as /sys/bus/pci/devices/*/device prints it
      {"0X10DE", 0x10de},  // NVIDIA's vendor id
      {"10de", 0x10de},
      {"ffffffffffffffff", 0xffffffffffffffffull},
      {"1ffffffffffffffff", std::nullopt},
      {"0x", std::nullopt},
      {"", std::nullopt},
      {"0xg", std::nullopt},
      {"0x10 ", std::nullopt},
  };
  for (const Row& r : rows) EXPECT_EQ(parse_hex(r.in), r.out) << "'" << r.in << "'";
}

TEST(Strings, Join) {
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(join({}, ","), "");
  EXPECT_EQ(join({"only"}, ","), "only");
  EXPECT_EQ(join({"", ""}, "-"), "-");
}

// RFC 3629: what is UTF-8 stays; each byte of anything else becomes U+FFFD.
TEST(Strings, ToValidUtf8) {
  const std::string r = "\xef\xbf\xbd";  // U+FFFD
  struct Row {
    std::string in, out;
  };
  const Row rows[] = {
      {"plain ascii", "plain ascii"},
      {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
      {"a\xff"
       "b",
       "a" + r + "b"},                      // a byte that never starts a sequence
      {"\xc3", r},                          // cut short
      {"\xc0\xaf", r + r},                  // overlong '/'
      {"\xe0\x80\xaf", r + r + r},          // overlong, three bytes
      {"\xed\xa0\x80", r + r + r},          // a surrogate (U+D800)
      {"\xf4\x90\x80\x80", r + r + r + r},  // above U+10FFFF
      {"\xe2\x82", r + r},                  // cut short, two bytes
      {"", ""},
  };
  for (const auto& row : rows) EXPECT_EQ(to_valid_utf8(row.in), row.out) << row.in;
}

}  // namespace
}  // namespace cudafit
