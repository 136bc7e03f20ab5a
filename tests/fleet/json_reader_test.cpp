// JsonReader against RFC 8259's grammar: one row per case; "ran out" separates a text cut short
// (a truncated report, or a stream that has more to come) from a real syntax error.
#include <gtest/gtest.h>

#include <string>

#include "fleet/json_reader.h"

namespace cudafit {
namespace {

enum class Expect { kValid, kSyntaxError, kRanOut };

struct Case {
  std::string text;
  Expect expect;
};

TEST(JsonReader, SkipChecksTheGrammar) {
  const Case cases[] = {
      {"{}", Expect::kValid},
      {"[]", Expect::kValid},
      {"  {\"a\" : [1, -2.5e+10, 0, true, false, null, {\"b\": []}], \"c\": \"x\"}",
       Expect::kValid},
      {"\"just a string\"", Expect::kValid},
      {"-0.0E-7", Expect::kValid},
      {"{\"a\" 1}", Expect::kSyntaxError},         // no colon
      {"{\"a\":1,}", Expect::kSyntaxError},        // trailing comma
      {"[1 2]", Expect::kSyntaxError},             // no comma
      {"[1,]", Expect::kSyntaxError},              // trailing comma
      {"{\"a\":01}", Expect::kSyntaxError},        // leading zero
      {"{\"a\":1.}", Expect::kSyntaxError},        // no digit after the point
      {"{\"a\":\"\x01\"}", Expect::kSyntaxError},  // control character in a string
      {"{\"a\":\"\\q\"}", Expect::kSyntaxError},   // unknown escape
      {"{\"a\":\"\\u12G4\"}", Expect::kSyntaxError},
      {"{\"a\":tru}", Expect::kSyntaxError},
      {"{a:1}", Expect::kSyntaxError},      // unquoted key
      {"{\"a\":1]", Expect::kSyntaxError},  // wrong closer
      {"{'a':1}", Expect::kSyntaxError},
      {"", Expect::kRanOut},
      {"{", Expect::kRanOut},
      {"{\"a\":", Expect::kRanOut},
      {"{\"a\":\"abc", Expect::kRanOut},
      {"[1,2", Expect::kRanOut},
      {"{\"a\":tr", Expect::kRanOut},
      {"{\"a\":\"\\u00", Expect::kRanOut},
      {"{\"a\":\"\\", Expect::kRanOut},
      {"{\"a\":-", Expect::kRanOut},
      {"{\"a\":1.5e", Expect::kRanOut},
  };
  for (const auto& c : cases) {
    JsonReader r(c.text);
    const bool ok = r.skip();
    switch (c.expect) {
      case Expect::kValid:
        EXPECT_TRUE(ok) << c.text << ": " << r.error();
        break;
      case Expect::kSyntaxError:
        EXPECT_FALSE(ok) << c.text;
        EXPECT_FALSE(r.ran_out()) << c.text << ": " << r.error();
        break;
      case Expect::kRanOut:
        EXPECT_FALSE(ok) << c.text;
        EXPECT_TRUE(r.ran_out()) << c.text << ": " << r.error();
        break;
    }
  }
}

TEST(JsonReader, DeepNestingIsAnErrorNotACrash) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  JsonReader r(deep);
  EXPECT_FALSE(r.skip());
  EXPECT_NE(r.error().find("nested deeper"), std::string::npos) << r.error();
  const std::string ok = std::string(500, '[') + std::string(500, ']');
  JsonReader fine(ok);
  EXPECT_TRUE(fine.skip()) << fine.error();
}

TEST(JsonReader, StringsAreDecoded) {
  struct Row {
    std::string json, value;
  };
  const Row rows[] = {
      {"\"plain\"", "plain"},
      {"\"a\\\"b\\\\c\\/d\"", "a\"b\\c/d"},
      {"\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t"},
      {"\"\\u00e9\"", "\xc3\xa9"},                 // U+00E9
      {"\"\\u20AC\"", "\xe2\x82\xac"},             // U+20AC
      {"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80"},  // U+1F600 from a surrogate pair
      {"\"\\ud83d x\"", "\xef\xbf\xbd x"},         // a lone surrogate becomes U+FFFD
      {"\"raw \xc3\xa9 bytes\"", "raw \xc3\xa9 bytes"},
  };
  for (const auto& r : rows) {
    JsonReader reader(r.json);
    std::string_view out;
    ASSERT_TRUE(reader.read_string(out)) << r.json << ": " << reader.error();
    EXPECT_EQ(std::string(out), r.value) << r.json;
  }
}

TEST(JsonReader, WalksObjectsAndArrays) {
  JsonReader r(
      "{\"schema\": 1, \"skip\": {\"x\": [1, {}]}, \"list\": [\"a\", \"b\"], \"t\": true}  ");
  ASSERT_TRUE(r.enter_object());
  std::string_view key;
  std::string seen;
  while (r.next_key(key)) {
    seen += std::string(key) + ";";
    if (key == "schema") {
      double v = 0;
      ASSERT_TRUE(r.read_number(v));
      EXPECT_EQ(v, 1);
    } else if (key == "list") {
      ASSERT_TRUE(r.enter_array());
      std::string items;
      while (r.next_element()) {
        std::string_view s;
        ASSERT_TRUE(r.read_string(s));
        items += s;
      }
      EXPECT_EQ(items, "ab");
    } else if (key == "t") {
      bool b = false;
      ASSERT_TRUE(r.read_bool(b));
      EXPECT_TRUE(b);
    } else {
      ASSERT_TRUE(r.skip());
    }
  }
  EXPECT_FALSE(r.failed()) << r.error();
  EXPECT_EQ(seen, "schema;skip;list;t;");
  EXPECT_EQ(r.peek(), JsonReader::Type::kEnd);
}

// skip checks the grammar only; a number read for its value must be a double, and one past
// double's range is an error at the number, not a text cut short.
TEST(JsonReader, NumbersPastDoublesRangeAreNotRead) {
  const std::string digits309(309, '8');  // 8.9e308 > DBL_MAX: the fuzzer's case
  for (const std::string& text : {digits309, std::string("1e999"), std::string("-1E+400")}) {
    JsonReader skipper(text);
    EXPECT_TRUE(skipper.skip()) << text;
    JsonReader r(text);
    double v = 0;
    EXPECT_FALSE(r.read_number(v)) << text;
    EXPECT_FALSE(r.ran_out()) << text;
    EXPECT_EQ(r.error(), "a number out of range") << text;
  }
  const std::string digits308(308, '9');  // < 1e308: still a double
  JsonReader r(digits308);
  double v = 0;
  ASSERT_TRUE(r.read_number(v)) << r.error();
  EXPECT_GT(v, 9.9e307);
}

}  // namespace
}  // namespace cudafit
