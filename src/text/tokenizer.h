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

#include <nlohmann/json.hpp>

#include "util/token_id.h"

namespace sidr::text {

using sidr::TokenId;

struct AddedToken {
  TokenId id;
  std::string content;
  bool special;
  // Hugging Face's matching flags (tokenizer.json "added_tokens"); add_tokens() gives normalized=true, the rest false.
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = false;
};

class Tokenizer {
 public:
  static Tokenizer from_file(const std::filesystem::path& tokenizer_json);
  // vocab.json + merges.txt (GPT-2 layout), with added tokens from a tokenizer_config.json if given.
  static Tokenizer from_vocab_merges(const std::filesystem::path& vocab_json, const std::filesystem::path& merges_txt);
  static Tokenizer from_vocab_merges(const std::filesystem::path& vocab_json, const std::filesystem::path& merges_txt,
                                     const std::filesystem::path& tokenizer_config_json);
  // A tokenizer.json document held in memory (`source` names it in errors).
  static Tokenizer from_json_text(std::string_view json_text, const std::string& source);
  static Tokenizer from_json(const nlohmann::json& tokenizer_json, const std::string& source);

  // Encodes text without adding special tokens (llama.cpp's add_special; nothing is ever added here).
  // parse_special (llama.cpp's flag of that name): added tokens (special or not: <|im_end|>, <think>, <a_12>) in
  // the text are matched first, as Hugging Face's tokenizers does; only for text the system built (chat
  // markup, SIDs). Without it the text is plain text: "<|im_end|>" typed by a user is BPE pieces, never the
  // control token. InputError on invalid UTF-8.
  std::vector<TokenId> encode(std::string_view text, bool parse_special = false) const;
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
  // A tokenizer_config.json found next to the loaded tokenizer.json is kept, with its added tokens updated.
  void save(const std::filesystem::path& dir) const;
  // The tokenizer.json document (Hugging Face layout) and the tokenizer_config.json document.
  std::string to_json() const;
  std::string config_json() const;

  bool is_special(TokenId id) const;
  // Encodes many texts; equal to calling encode(text, parse_special) on each.
  std::vector<std::vector<TokenId>> encode_batch(const std::vector<std::string>& texts, bool parse_special = false) const;

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  struct Impl;  // opaque (public only so that helpers in tokenizer.cpp can name it)

 private:
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sidr::text
