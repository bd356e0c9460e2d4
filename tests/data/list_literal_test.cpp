// The list-literal parser against values whose meaning Python's ast.literal_eval fixes (written out here;
// tests/data/test_list_literal_oracle.py compares with Python itself on the whole shipped dataset).
#include <gtest/gtest.h>

#include "data/list_literal.h"

using namespace sidr;
using namespace sidr::data;

namespace {
const Location kWhere{"f.csv", 7, 3, "history_item_title"};

std::string error_of(std::string_view text) {
  try {
    parse_list_literal(text, kWhere);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ListLiteral, Strings) {
  EXPECT_EQ(parse_string_list("['a', \"b\"]", kWhere), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(parse_string_list("[]", kWhere), std::vector<std::string>{});
  EXPECT_EQ(parse_string_list("  [ ]  ", kWhere), std::vector<std::string>{});
  EXPECT_EQ(parse_string_list("[\n 'a' ,\n\t'b' , ]", kWhere), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(parse_string_list("[\"President's\", 'say \"hi\"']", kWhere),
            (std::vector<std::string>{"President's", "say \"hi\""}));
  EXPECT_EQ(parse_string_list("['a' \"b\" u'c']", kWhere), std::vector<std::string>{"abc"});  // concatenation
  EXPECT_EQ(parse_string_list("['', \"\"]", kWhere), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(parse_string_list("['Caf\xC3\xA9 \xE2\x80\x93 5\xC2\xB0']", kWhere),
            std::vector<std::string>{"Caf\xC3\xA9 \xE2\x80\x93 5\xC2\xB0"});
}

TEST(ListLiteral, Escapes) {
  auto one = [](std::string_view text) { return parse_string_list(text, kWhere).at(0); };
  EXPECT_EQ(one(R"(['\\ \' \" \n \t \r \a \b \f \v'])"), "\\ ' \" \n \t \r \a \b \f \v");
  EXPECT_EQ(one(R"(['\x41\x7e\xe9'])"), "A~\xC3\xA9");           // \xe9 is U+00E9, stored as UTF-8
  EXPECT_EQ(one(R"(['\u00e9\u2013'])"), "\xC3\xA9\xE2\x80\x93");
  EXPECT_EQ(one(R"(['\U0001F600'])"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(one(R"(['\101\0\7\1011'])"), std::string("A\0\x07" "A1", 5));  // octal, at most 3 digits
  EXPECT_EQ(one(R"(['\d\8 \q'])"), "\\d\\8 \\q");                  // unknown escapes keep the backslash
  EXPECT_EQ(one("['a\\\nb']"), "ab");                              // line continuation
}

TEST(ListLiteral, Integers) {
  EXPECT_EQ(parse_int_list("[117]", kWhere), std::vector<std::int64_t>{117});
  EXPECT_EQ(parse_int_list("[130, 130, 0, -4, +5, - 6, 1_000]", kWhere),
            (std::vector<std::int64_t>{130, 130, 0, -4, 5, -6, 1000}));
  EXPECT_EQ(parse_int_list("[9223372036854775807, -9223372036854775808, 00]", kWhere),
            (std::vector<std::int64_t>{INT64_MAX, INT64_MIN, 0}));
  auto mixed = parse_list_literal("[1, 'x']", kWhere);
  ASSERT_EQ(mixed.size(), 2u);
  EXPECT_FALSE(mixed[0].is_string);
  EXPECT_TRUE(mixed[1].is_string);
}

TEST(ListLiteral, ErrorsNameFileLineColumnFieldAndOffset) {
  EXPECT_EQ(error_of("['a', 'b'"), "f.csv:7:3: field 'history_item_title': bad list literal at character 10: "
                                   "unterminated list: missing ']'");
  EXPECT_EQ(error_of("['a]"), "f.csv:7:3: field 'history_item_title': bad list literal at character 2: "
                              "unterminated string");
}

TEST(ListLiteral, RejectsWhatPythonRejectsOrWeDoNotSupport) {
  for (const char* bad : {"", "   ", "'a'", "[", "]", "[,]", "[1,,2]", "['a' 1]", "[1 2]", "[01]", "[1_]", "[1__0]",
                          "[1.5]", "[1e3]", "[0x10]", "[[1]]", "[(1)]", "[None]", "[True]", "[r'a']", "[b'a']",
                          "[f'a']", "['''a''']", "['a\nb']", "['\\x4']", "['\\u12']", "['\\N{DASH}']",
                          "['\\ud800']", "['\\U00110000']", "['\\", "[1] x", "[9223372036854775808]",
                          "[-9223372036854775809]", "[-]", "['a'] ['b']", "[1a]"}) {
    EXPECT_THROW(parse_list_literal(bad, kWhere), InputError) << bad;
  }
  EXPECT_THROW(parse_string_list("['a', 1]", kWhere), InputError);
  EXPECT_THROW(parse_int_list("[1, 'a']", kWhere), InputError);
}

TEST(ListLiteral, Utf8LengthCountsCodePoints) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("\xC3\x9Cn\xC3\xAF"), 3u);
  EXPECT_EQ(utf8_length("\xF0\x9F\x98\x80"), 1u);
}
