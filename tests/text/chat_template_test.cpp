// render_chat on the exact strings of the reference (../shared/reference/sidreasoner.md §3.1, §4, §5.1, §6.1).
// The comparison with the Jinja template itself, on every task shape, is test_chat_template_oracle.sh.
#include <gtest/gtest.h>

#include "text/chat_template.h"

namespace sidr::text {
namespace {

TEST(ChatTemplate, TrainingShapeHasEmptyThinkBlock) {
  std::string got = render_chat({{"system", "SYS"}, {"user", "USER"}, {"assistant", "TARGET"}}, false);
  EXPECT_EQ(got,
            "<|im_start|>system\nSYS<|im_end|>\n<|im_start|>user\nUSER<|im_end|>\n<|im_start|>assistant\n"
            "<think>\n\n</think>\n\nTARGET<|im_end|>\n");
}

TEST(ChatTemplate, ReasoningIsSplitAtThinkClose) {
  std::string got = render_chat(
      {{"system", "S"}, {"user", "U"}, {"assistant", "<think>\nR line\n</think>\n\n<a_1><b_2><c_3>"}}, false);
  EXPECT_EQ(got,
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n"
            "<think>\nR line\n</think>\n\n<a_1><b_2><c_3><|im_end|>\n");
}

TEST(ChatTemplate, GenerationPromptAndUserOnly) {
  EXPECT_EQ(render_chat({{"system", "S"}, {"user", "U"}}, true),
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(render_chat({{"user", "U"}}, true), "<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(render_chat({{"user", "U"}}, true, false),
            "<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
}

TEST(ChatTemplate, EarlierAssistantTurnsDropReasoning) {
  std::string got = render_chat(
      {{"user", "q1"}, {"assistant", "<think>r1</think>a1"}, {"user", "q2"}, {"assistant", "a2"}}, false);
  EXPECT_EQ(got,
            "<|im_start|>user\nq1<|im_end|>\n<|im_start|>assistant\na1<|im_end|>\n<|im_start|>user\nq2<|im_end|>\n"
            "<|im_start|>assistant\n<think>\n\n</think>\n\na2<|im_end|>\n");
}

TEST(ChatTemplate, ReasoningContentFieldWins) {
  ChatMessage m{"assistant", "<think>ignored</think>c"};
  m.reasoning_content = "given";
  EXPECT_EQ(render_chat({{"user", "q"}, m}, false),
            "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\ngiven\n</think>\n\n"
            "<think>ignored</think>c<|im_end|>\n");
}

TEST(ChatTemplate, TemplateTextIsQwen3s) {
  EXPECT_NE(qwen3_chat_template().find("ns.last_query_index"), std::string::npos);
  EXPECT_NE(qwen3_chat_template().find("<think>\\n\\n</think>\\n\\n"), std::string::npos);
}

}  // namespace
}  // namespace sidr::text
