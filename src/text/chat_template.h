// Qwen3's chat template (ChatML with think blocks), rendered in code, byte-identical to the Jinja template.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace sidr::text {

struct ChatMessage {
  std::string role;  // "system" | "user" | "assistant" | "tool"
  std::string content;
  // Q3T's message.reasoning_content: when set on an assistant turn it is used instead of splitting content.
  std::optional<std::string> reasoning_content = std::nullopt;
};

// apply_chat_template(messages, add_generation_prompt) as Qwen3's template does it: the last assistant turn
// gets '<think>\n' + reasoning + '\n</think>\n\n' + content (reasoning split at '</think>', empty if none).
std::string render_chat(const std::vector<ChatMessage>& messages, bool add_generation_prompt);
// The same with the template's enable_thinking variable set (false appends an empty think block after the
// generation prompt).
std::string render_chat(const std::vector<ChatMessage>& messages, bool add_generation_prompt, bool enable_thinking);

// The Jinja text of the Qwen3 chat template that render_chat() implements (written into tokenizer_config.json).
const std::string& qwen3_chat_template();

}  // namespace sidr::text
