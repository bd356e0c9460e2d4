#include "embed/item_text.h"

#include "prepare/python_text.h"

namespace sidr::embed {
namespace {

// re.sub(r'</?\w+[^>]*>', '', text): a match starts at '<', takes an optional '/', at least one word character,
// and ends at the first '>' after it ([^>]* cannot cross one); without a later '>' there is no match.
std::string remove_tags(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '<') {
      std::size_t j = i + 1;
      if (j < text.size() && text[j] == '/') ++j;
      std::size_t probe = j;
      if (j < text.size() && prepare::python_is_word_char(prepare::python_next_code_point(text, probe))) {
        std::size_t close = text.find('>', probe);
        if (close != std::string_view::npos) {
          i = close + 1;
          continue;
        }
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

}  // namespace

std::string text2emb_clean_text(std::string_view raw) {
  std::string text = remove_tags(prepare::html_unescape(prepare::python_strip(raw)));
  std::string cleaned;
  cleaned.reserve(text.size());
  for (char c : text)
    if (c != '"' && c != '\n' && c != '\r') cleaned.push_back(c);
  // index = -1; while -index < len and text[index] == '.': index -= 1  (stops before the first character)
  std::size_t keep = cleaned.size();
  while (keep > 1 && cleaned[keep - 1] == '.') --keep;
  cleaned.resize(keep);
  cleaned.push_back('.');
  if (prepare::python_len(cleaned) >= 2000) return "";
  return cleaned;
}

std::string item_embedding_text(const data::Item& item) {
  std::string text;
  for (const std::string* field : {&item.title, &item.description}) {
    std::string cleaned = text2emb_clean_text(*field);
    if (cleaned.empty()) continue;
    if (!text.empty()) text.push_back(' ');
    text += cleaned;
  }
  return text.empty() ? "unknown item" : text;
}

std::vector<std::string> item_embedding_texts(const std::vector<data::Item>& items) {
  std::vector<std::string> texts;
  texts.reserve(items.size());
  for (const auto& item : items) texts.push_back(item_embedding_text(item));
  return texts;
}

}  // namespace sidr::embed
