// The CSV reader on RFC 4180 cases (Python's csv module gives the same fields for every valid input here).
#include <gtest/gtest.h>

#include "data/csv.h"
#include "util/error.h"

using namespace sidr;
using namespace sidr::data;

namespace {
std::vector<std::vector<std::string>> fields_of(std::string_view text) {
  std::vector<std::vector<std::string>> out;
  for (auto& record : read_csv(text, "t.csv")) out.push_back(record.fields);
  return out;
}
std::string error_of(std::string_view text) {
  try {
    read_csv(text, "t.csv");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
using Rows = std::vector<std::vector<std::string>>;
}  // namespace

TEST(Csv, PlainAndQuotedFields) {
  EXPECT_EQ(fields_of("a,b,c\n1,2,3\n"), (Rows{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_EQ(fields_of("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}}));  // no final newline
  EXPECT_EQ(fields_of("a,b\r\n1,2\r\n"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(fields_of(",\n"), (Rows{{"", ""}}));
  EXPECT_EQ(fields_of("\"x, y\",\"say \"\"hi\"\"\",\"\"\n"), (Rows{{"x, y", "say \"hi\"", ""}}));
  EXPECT_EQ(fields_of("\"two\nlines\",b\r\nc,d\n"), (Rows{{"two\nlines", "b"}, {"c", "d"}}));
  EXPECT_EQ(fields_of("\"a\r\nb\"\n"), (Rows{{"a\r\nb"}}));  // line breaks inside quotes are kept as they are
  EXPECT_EQ(fields_of("\xEF\xBB\xBFh\n"), (Rows{{"h"}}));    // BOM dropped
  EXPECT_EQ(fields_of(""), Rows{});
}

TEST(Csv, TracksLinesAndColumns) {
  auto records = read_csv("h1,h2\n\"multi\nline\",x\nlast,\"y\"\n", "t.csv");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].line, 2u);
  EXPECT_EQ(records[1].columns, (std::vector<std::size_t>{1, 7}));
  EXPECT_EQ(records[1].lines, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(records[2].line, 4u);
  EXPECT_EQ(records[2].columns, (std::vector<std::size_t>{1, 6}));
}

TEST(Csv, MalformedQuotingNamesLineAndColumn) {
  EXPECT_EQ(error_of("a,b\n1,\"open\n2,3\n"),
            "t.csv:2:3: unbalanced quote: the quoted field opened here is never closed");
  EXPECT_EQ(error_of("a\n\"x\"y\n"),
            "t.csv:2:4: unexpected character after a closing quote (a quote inside a quoted field must be doubled)");
  EXPECT_EQ(error_of("a\nab\"c\n"),
            "t.csv:2:3: quote inside an unquoted field (the field must be quoted and the quote doubled)");
  EXPECT_EQ(error_of("a\nok\n\xC3(\n"), "t.csv:3:1: invalid UTF-8");
}
