// Byte-level BPE tokenizer (Qwen2/Qwen3, GPT-2 family) loaded from a Hugging Face tokenizer.json,
// producing the same ids as Hugging Face's tokenizers.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sidr::text {

using TokenId = std::int32_t;

struct AddedToken {
  TokenId id;
  std::string content;
  bool special;
};

class Tokenizer {
 public:
  static Tokenizer from_file(const std::filesystem::path& tokenizer_json);
  // vocab.json + merges.txt (GPT-2 layout), with added tokens from a tokenizer_config.json if given.
  static Tokenizer from_vocab_merges(const std::filesystem::path& vocab_json, const std::filesystem::path& merges_txt);

  // Encodes text without adding special tokens; added tokens (special or not) in the text are matched first.
  // InputError on invalid UTF-8.
  std::vector<TokenId> encode(std::string_view text) const;
  // Decodes ids back to text (skip_special drops special added tokens, like HF's skip_special_tokens).
  std::string decode(const std::vector<TokenId>& ids, bool skip_special = false) const;

  std::optional<TokenId> token_to_id(std::string_view token) const;
  TokenId require_id(std::string_view token) const;  // InputError if absent
  std::string id_to_token(TokenId id) const;
  // len(tokenizer) in HF terms: base vocabulary plus added tokens (max id + 1).
  std::size_t size() const;

  // Adds tokens as normal (non-special) added tokens, ids continuing from size(); tokens already present are
  // skipped. Returns how many were added. (HF's tokenizer.add_tokens.)
  std::size_t add_tokens(const std::vector<std::string>& tokens);
  const std::vector<AddedToken>& added_tokens() const;

  // Writes tokenizer.json and tokenizer_config.json (Qwen3 chat template, eos/pad <|im_end|>) into dir.
  void save(const std::filesystem::path& dir) const;

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sidr::text
