// Hugging Face's Split pre-tokenizer on a PCRE2 (JIT) regex: Qwen's pattern needs \p{L}, \p{N} and a lookahead.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sidr::text {

enum class SplitBehavior { kIsolated, kRemoved };

class RegexSplitter {
 public:
  // `pattern` is a PCRE2 regex (Unicode classes on); InputError if it does not compile.
  RegexSplitter(const std::string& pattern, SplitBehavior behavior);
  ~RegexSplitter();
  RegexSplitter(const RegexSplitter&) = delete;
  RegexSplitter& operator=(const RegexSplitter&) = delete;

  // Byte ranges [begin, end) of the pieces of valid UTF-8 `text`, in order: each match is a piece, and so is each
  // gap between matches (unless the behaviour is Removed).
  void split(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>& pieces) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Code;
  std::string pattern_;
  SplitBehavior behavior_;
  std::unique_ptr<Code> code_;
};

// Escapes a literal for use in a PCRE2 pattern (the "String" form of an HF Split pattern).
std::string regex_escape(std::string_view literal);

// The GPT-2 pattern ByteLevel uses when use_regex is true.
extern const char* const kGpt2Pattern;
// Qwen2/Qwen3's pattern (the default for vocab.json + merges.txt and for trained tokenizers).
extern const char* const kQwen2Pattern;

}  // namespace sidr::text
