// Qwen3's chat template (ChatML with think blocks), rendered in code, byte-identical to the Jinja template.
#pragma once
#include <string>
#include <vector>

namespace sidr::text {

struct ChatMessage {
  std::string role;  // "system" | "user" | "assistant"
  std::string content;
};

// apply_chat_template(messages, add_generation_prompt) as Qwen3's template does it: the last assistant turn
// gets '<think>\n' + reasoning + '\n</think>\n\n' + content (reasoning split at '</think>', empty if none).
std::string render_chat(const std::vector<ChatMessage>& messages, bool add_generation_prompt);

}  // namespace sidr::text
