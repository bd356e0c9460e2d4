#include <gtest/gtest.h>

#include "tasks/py_literal.h"
#include "util/error.h"

namespace sidr::tasks {
namespace {

TEST(PyLiteral, ListOfSidStrings) {
  Json v = parse_python_literal("['<a_55><b_205><c_143>', \"<a_1><b_2><c_3>\"]", "t");
  ASSERT_TRUE(v.is_array());
  EXPECT_EQ(v[0], "<a_55><b_205><c_143>");
  EXPECT_EQ(v[1], "<a_1><b_2><c_3>");
}

TEST(PyLiteral, EscapesAsPythonReprWritesThem) {
  // repr("it's \"x\"\n\té\U0001F600") in Python 3 is 'it\'s "x"\n\t\xe9😀' (non-ASCII kept), and
  // escapes like \xe9 / \u00e9 / \U0001f600 are also valid literal input.
  Json v = parse_python_literal(R"(['it\'s "x"\n\t\xe9', '\u00e9\U0001f600', 'a\\b'])", "t");
  EXPECT_EQ(v[0], "it's \"x\"\n\t\xc3\xa9");
  EXPECT_EQ(v[1], "\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(v[2], "a\\b");
}

TEST(PyLiteral, MessagesListOfDicts) {
  Json v = parse_python_literal(
      "[{'role': 'system', 'content': [{'type': 'text', 'text': 'S'}]}, {'role': 'user', 'content': 'Q'},"
      " {'role': 'assistant', 'content': '<think>\\nr\\n</think>\\n\\nA'}]",
      "t");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0]["content"][0]["text"], "S");
  EXPECT_EQ(v[2]["content"], "<think>\nr\n</think>\n\nA");
}

TEST(PyLiteral, ScalarsTuplesAndTrailingComma) {
  Json v = parse_python_literal("(1, -2, 3.5, True, False, None, [],)", "t");
  EXPECT_EQ(v[0], 1);
  EXPECT_EQ(v[1], -2);
  EXPECT_DOUBLE_EQ(v[2].get<double>(), 3.5);
  EXPECT_EQ(v[3], true);
  EXPECT_EQ(v[4], false);
  EXPECT_TRUE(v[5].is_null());
  EXPECT_TRUE(v[6].is_array());
}

TEST(PyLiteral, MalformedIsInputError) {
  EXPECT_THROW(parse_python_literal("['a', 'b'", "t"), InputError);
  EXPECT_THROW(parse_python_literal("['a' 'b'] x", "t"), InputError);
  EXPECT_THROW(parse_python_literal("['unterminated]", "t"), InputError);
  EXPECT_THROW(parse_python_literal("", "t"), InputError);
}

}  // namespace
}  // namespace sidr::tasks
