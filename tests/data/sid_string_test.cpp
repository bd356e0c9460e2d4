#include <gtest/gtest.h>

#include "data/sid_string.h"

using namespace sidr::data;

TEST(SidString, AcceptsTheGrammar) {
  int code = -1;
  EXPECT_EQ(sid_token_error("<a_0>", 0, &code), "");
  EXPECT_EQ(code, 0);
  EXPECT_EQ(sid_token_error("<b_255>", 1, &code), "");
  EXPECT_EQ(code, 255);
  EXPECT_EQ(sid_token_error("<c_7>", 2), "");
  std::vector<std::string> tokens;
  EXPECT_EQ(sid_error("<a_12><b_200><c_7>", &tokens), "");
  EXPECT_EQ(tokens, (std::vector<std::string>{"<a_12>", "<b_200>", "<c_7>"}));
}

TEST(SidString, RejectsMalformedTokens) {
  for (const char* bad : {"<x_1>", "<a_>", "<a_256>", "<a_-1>", "<a_+1>", "<a_01>", "<a_1 >", "<a_1", "a_1>", "<a1>",
                          "<a_1000>", "<A_1>", "<a__1>", "", "<>", "<a_1x>"}) {
    EXPECT_NE(sid_token_error(bad, 0), "") << bad;
  }
  EXPECT_NE(sid_token_error("<a_1>", 1), "");  // wrong level
  EXPECT_EQ(sid_token_error("<x_1>", 0), "bad SID token '<x_1>': level letter must be 'a'");
  EXPECT_EQ(sid_token_error("<a_>", 0), "bad SID token '<a_>': expected <a_N> with N in 0..255");
}

TEST(SidString, RejectsMalformedSids) {
  for (const char* bad : {"", "<a_1><b_2>", "<a_1><b_2><c_3><c_4>", "<b_1><a_2><c_3>", "<a_1><b_2><c_3> ",
                          " <a_1><b_2><c_3>", "<a_1>,<b_2>,<c_3>", "<a_1><b_2><x_3>", "<a_1><b_2><c_>"}) {
    EXPECT_NE(sid_error(bad), "") << bad;
  }
}
