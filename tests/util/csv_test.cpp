// CSV reading (src/util/csv.h): RFC 4180 quoting, comments before the header, line numbers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/csv.h"

namespace cudafit {
namespace {

using Fields = std::vector<std::string_view>;

TEST(Csv, ReadsHeaderRowsAndLineNumbers) {
  auto t = parse_csv("# a comment\n# another\nname,value\nx,1\ny,2\n", "t.csv");
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->name, "t.csv");
  EXPECT_EQ(t->header, (Fields{"name", "value"}));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].fields, (Fields{"x", "1"}));
  EXPECT_EQ(t->rows[0].line, 4);  // 1-based, comments counted
  EXPECT_EQ(t->rows[1].line, 5);
  EXPECT_EQ(t->column("value"), 1);
  EXPECT_EQ(t->column("name"), 0);
  EXPECT_EQ(t->column("missing"), -1);
}

TEST(Csv, QuotedFields) {
  struct Row {
    const char* text;
    Fields fields;
  };
  const Row rows[] = {
      {"a,b\n\"x,y\",z\n", {"x,y", "z"}},                    // comma inside quotes
      {"a,b\n\"say \"\"hi\"\"\",z\n", {"say \"hi\"", "z"}},  // "" is one quote
      {"a,b\n\"line1\nline2\",z\n", {"line1\nline2", "z"}},  // newline inside quotes
      {"a,b\n\"\",z\n", {"", "z"}},                          // empty quoted field
      {"a,b\n,\n", {"", ""}},                                // two empty fields
      {"a,b\nx,y", {"x", "y"}},                              // no final newline
      {"a,b\r\nx,y\r\n", {"x", "y"}},                        // CRLF line ends
      {"a,b\n\"a\r\nb\",y\n", {"a\r\nb", "y"}},              // CRLF kept inside quotes
      {"a,b\nx y , z\n", {"x y ", " z"}},                    // spaces are data
  };
  for (const Row& r : rows) {
    auto t = parse_csv(r.text, "q.csv");
    ASSERT_TRUE(t.ok()) << r.text << ": " << t.error();
    ASSERT_EQ(t->rows.size(), 1u) << r.text;
    EXPECT_EQ(t->rows[0].fields, r.fields) << r.text;
  }
}

TEST(Csv, LineNumbersCountNewlinesInsideQuotes) {
  auto t = parse_csv("a,b\n\"1\n2\n3\",x\nlast,row\n", "n.csv");
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].line, 2);
  EXPECT_EQ(t->rows[1].line, 5);
}

TEST(Csv, SkipsBlankLines) {
  auto t = parse_csv("a,b\n\nx,y\n\n", "b.csv");
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_EQ(t->rows.size(), 1u);
  EXPECT_EQ(t->rows[0].line, 3);
}

TEST(Csv, ErrorsNameFileAndLine) {
  struct Row {
    const char* text;
    const char* error;
  };
  const Row rows[] = {
      {"a,b\nx\n", "e.csv:2: expected 2 fields, got 1"},
      {"a,b\nx,y\nx,y,z\n", "e.csv:3: expected 2 fields, got 3"},
      {"a,b\n\"unterminated,y\n", "e.csv:2: unterminated quote"},
      {"\"a,b\n", "e.csv:1: unterminated quote"},
      {"", "e.csv: empty file (no header)"},
      {"# only a comment\n", "e.csv: empty file (no header)"},
      {"a,b\nx,\"y\nz\nw\n", "e.csv:2: unterminated quote"},
  };
  for (const Row& r : rows) {
    auto t = parse_csv(r.text, "e.csv");
    ASSERT_FALSE(t.ok()) << r.text;
    EXPECT_EQ(t.error(), r.error) << r.text;
  }
}

TEST(Csv, EscapeRoundTrips) {
  const char* fields[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "", "cr\r"};
  EXPECT_EQ(csv_escape("plain"), "plain");
  EXPECT_EQ(csv_escape("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_escape("say \"hi\""), "\"say \"\"hi\"\"\"");
  std::string text = "h";
  for (size_t i = 1; i < std::size(fields); ++i) text.append(",h").append(std::to_string(i));
  text += "\n";
  for (size_t i = 0; i < std::size(fields); ++i) {
    if (i) text += ',';
    text += csv_escape(fields[i]);
  }
  text += "\n";
  auto t = parse_csv(text, "r.csv");
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_EQ(t->rows.size(), 1u);
  for (size_t i = 0; i < std::size(fields); ++i) EXPECT_EQ(t->rows[0].fields[i], fields[i]);
}

}  // namespace
}  // namespace cudafit
