// The Python string semantics of src/prepare/python_text.h against values Python 3.11 printed (the generator
// is in the comment of each table: clean_text as amazon18_data_process.py defines it, repr() of lists).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "prepare/python_json.h"
#include "prepare/python_text.h"

namespace sidr::prepare {
namespace {

// python3: for c in cases: print(c, clean_text(c))
const std::pair<const char*, const char*> kCleanCases[] = {
    {"<b>bold</b> &amp;amp; &lt;i&gt;", "bold & <i>"},
    {"a\302\240b\342\200\250c\034d  \011\012 e", "a b c d e"},
    {"&ampx &amp &copy2018 &notit; &notin;", "&x & \302\2512018 \302\254it; \342\210\211"},
    {"&#0;&#128;&#x110000;&#xD800;&#65;&#x42&#1", "\357\277\275\342\202\254\357\277\275\357\277\275AB"},
    {"<>x<y", "<>x<y"},
    {"&#x;&#;& ;&unknown;", "&#x;&#;& ;&unknown;"},
    {"  trailing...  ", "trailing..."},
    {"caf\303\251 \360\237\230\200", "caf\303\251 \360\237\230\200"},
    {"&#11;&#x7f;", ""},
    {"&AMP;&Amp;&lt", "&&Amp;<"},
    {"<a\012href='x'>link</a>", "link"},
};

TEST(PythonText, CleanTextMatchesPython) {
  for (const auto& [input, expected] : kCleanCases) EXPECT_EQ(clean_text(input), expected) << input;
}

// python3: for c in "½²℃_é\u0301™Ⅻ〇٣a-": print(hex(ord(c)), bool(re.match(r"\w", c)))
TEST(PythonText, WordCharactersAsPythonRe) {
  const std::vector<std::pair<char32_t, bool>> cases = {
      {0xBD, true},    {0xB2, true},   {0x2103, false}, {'_', true}, {0xE9, true}, {0x301, false},
      {0x2122, false}, {0x216B, true}, {0x3007, true},  {0x663, true}, {'a', true}, {'-', false}};
  for (auto [code, word] : cases) EXPECT_EQ(python_is_word_char(code), word) << std::hex << unsigned(code);
}

// python3: print(ascii("İSTANBUL ΣΑΣ ΟΔΟΣ. Ab".lower()))
TEST(PythonText, LowerAsPython) {
  EXPECT_EQ(python_lower("\u0130STANBUL \u03a3\u0391\u03a3 \u039f\u0394\u039f\u03a3. Ab"),
            "i\u0307stanbul \u03c3\u03b1\u03c2 \u03bf\u03b4\u03bf\u03c2. ab");
}

TEST(PythonText, ReprOfListsMatchesPython) {
  // python3: print(repr(case)) for each list
  const std::vector<std::vector<std::string>> cases = {
      {"it's", "say \"hi\""},
      {"both ' and \""},
      {"tab\there", "new\nline", "ctrl\x07", "back\\slash"},
      {"caf\303\251", "\342\200\213", "\342\200\250", "\360\237\230\200", "\x7f", "\302\240", "\355\237\277"},
      {},
  };
  const char* expected[] = {
      "[\042it's\042, 'say \042hi\042']",
      "['both \134' and \042']",
      "['tab\134there', 'new\134nline', 'ctrl\134x07', 'back\134\134slash']",
      "['caf\303\251', '\134u200b', '\134u2028', '\360\237\230\200', '\134x7f', '\134xa0', '\134ud7ff']",
      "[]",
  };
  for (std::size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(python_repr_list(cases[i]), expected[i]) << i;
}

TEST(PythonText, TitleRule) {
  EXPECT_EQ(clean_title(" &quot;Pro&quot; Kit ").value(), "Pro\" Kit");  // strip(" ") then strip('"')
  EXPECT_FALSE(clean_title("x <span id=\"a\">").has_value());
  EXPECT_FALSE(kept_title("x"));
  EXPECT_TRUE(kept_title("\303\251\303\251"));  // two code points, four bytes
  std::string twenty = "w w w w w w w w w w w w w w w w w w w w";
  EXPECT_TRUE(kept_title(twenty));
  EXPECT_FALSE(kept_title(twenty + " w"));
  EXPECT_FALSE(kept_title("a  b c d e f g h i j k l m n o p q r s t"));  // "  " counts as an empty word in split(" ")
}

TEST(PythonText, JsonLikePythonEnsureAscii) {
  // python3: json.dumps("caf\u00e9 \U0001F600 \x7f \"q\" \\ \t")
  EXPECT_EQ(python_json_string("caf\303\251 \360\237\230\200 \x7f \"q\" \\ \t"),
            "\"caf\\u00e9 \\ud83d\\ude00 \\u007f \\\"q\\\" \\\\ \\t\"");
}

}  // namespace
}  // namespace sidr::prepare
