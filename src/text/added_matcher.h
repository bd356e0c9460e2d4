// Finds added tokens in text the way Hugging Face's AddedVocabulary does: leftmost-longest, non-overlapping
// matches, with the single_word, lstrip and rstrip rules.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text/tokenizer.h"

namespace sidr::text {

class AddedMatcher {
 public:
  struct Segment {
    std::size_t begin, end;
    int token;  // index into the token list given to build(), or -1 for text between tokens
  };

  // `patterns[i]` is what to search for token i (its content, or its NFC for normalized tokens); entries with an
  // empty pattern are left out.
  void build(const std::vector<AddedToken>& tokens, const std::vector<std::string>& patterns);
  bool empty() const { return terminal_.size() <= 1; }
  // Splits text into segments covering it (offsets into text), tokens and the text between them.
  void split(std::string_view text, std::vector<Segment>& out) const;

 private:
  int child(int node, unsigned char byte) const;
  std::vector<AddedToken> tokens_;
  std::unordered_map<std::uint64_t, int> edges_;  // (node << 8 | byte) -> node
  std::vector<int> terminal_;                      // node -> token index or -1
  std::array<bool, 256> first_byte_{};
};

}  // namespace sidr::text
