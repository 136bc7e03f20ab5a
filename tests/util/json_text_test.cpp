// json_text writes what nlohmann's dump(2) writes, and never throws on bytes that are not UTF-8.
#include "util/json_text.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>

namespace cudafit {
namespace {

using nlohmann::json;

TEST(JsonText, SameBytesAsDumpTwo) {
  json doc = {
      {"empty_object", json::object()},
      {"empty_array", json::array()},
      {"numbers", {0, -1, 42u, 18446744073709551615u, 0.1, 1e300, -2.5}},
      {"flags", {true, false, nullptr}},
      {"strings",
       {"", "plain", "with \"quotes\"", "back\\slash", "tab\there", "new\nline", "\x01\x1f",
        "del\x7f", "caf\xc3\xa9", "\xf0\x9f\x9a\x80 rocket"}},
      {"nested", {{"a", {{"b", json::array({json::object(), json::array({1})})}}}}},
      {"k\"ey", "v"},
  };
  EXPECT_EQ(json_text(doc), doc.dump(2));
  EXPECT_EQ(json_text(json::object()), "{}");
  EXPECT_EQ(json_text(json::array()), "[]");
  EXPECT_EQ(json_text("x"), "\"x\"");
}

// Random documents of every kind of value, compared byte for byte.
TEST(JsonText, RandomDocumentsMatchDump) {
  std::mt19937 rng(20261126);
  const std::string alphabet = std::string("abcXYZ019 _-./:\"\\\t\n\x01\x7f") + "\xc3\xa9";
  auto random_string = [&] {
    std::string s;
    for (int n = static_cast<int>(rng() % 12); n > 0; --n) {
      size_t i = rng() % (alphabet.size() - 1);
      if (i == alphabet.size() - 2) {
        s += "\xc3\xa9";  // keep the two-byte character whole
      } else {
        s += alphabet[i];
      }
    }
    return s;
  };
  std::function<json(int)> random_value = [&](int depth) -> json {
    switch (depth > 3 ? rng() % 5 : rng() % 7) {
      case 0:
        return random_string();
      case 1:
        return static_cast<int>(rng() % 2000) - 1000;
      case 2:
        return static_cast<double>(rng() % 100000) / 7.0;
      case 3:
        return rng() % 2 == 0;
      case 4:
        return nullptr;
      case 5: {
        json a = json::array();
        for (int n = static_cast<int>(rng() % 4); n > 0; --n) a.push_back(random_value(depth + 1));
        return a;
      }
      default: {
        json o = json::object();
        for (int n = static_cast<int>(rng() % 4); n > 0; --n)
          o[random_string()] = random_value(depth + 1);
        return o;
      }
    }
  };
  for (int i = 0; i < 500; ++i) {
    json doc = random_value(0);
    ASSERT_EQ(json_text(doc), doc.dump(2)) << "document " << i;
  }
}

// A garbage byte read from the machine (an os-release or METADATA file) is replaced, not
// thrown: dump(2) throws type_error 316 here.
TEST(JsonText, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  json doc = {{"name", "Deb\xff\xfeian"}, {"ok", "fine"}, {"bad\xc3", 1}};
  EXPECT_THROW((void)doc.dump(2), json::type_error);
  std::string text;
  ASSERT_NO_THROW(text = json_text(doc));
  EXPECT_NE(text.find("\"Deb\xef\xbf\xbd\xef\xbf\xbdian\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"bad\xef\xbf\xbd\": 1"), std::string::npos) << text;
  EXPECT_TRUE(json::accept(text));  // valid JSON again
}

// Nested at a depth, as `envs --json` writes one environment of the array at a time.
TEST(JsonText, NestedDepthIndentsLikeTheWholeArray) {
  json one = {{"path", "/opt/venv"}, {"packages", {{{"name", "torch"}}}}};
  json all = json::array({one, one});
  std::string text = "[\n  ";
  append_json(text, one, 1);
  text += ",\n  ";
  append_json(text, one, 1);
  text += "\n]";
  EXPECT_EQ(text, all.dump(2));
}

}  // namespace
}  // namespace cudafit
