// Trains a byte-level BPE tokenizer (Qwen's pre-tokenizer, NFC, the 256-byte alphabet) on a text corpus, and
// returns it as a Tokenizer that saves an HF-compatible tokenizer.json. Deterministic: the most frequent pair is
// merged first, ties broken by the smaller (left, right) pair in byte order of the token strings.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text/tokenizer.h"

namespace sidr::text {

struct BpeTrainerOptions {
  // len(tokenizer) to reach: 256 byte tokens + merges + the added tokens below.
  std::size_t vocab_size = 8192;
  // Pairs seen fewer times than this are never merged (training may then stop below vocab_size).
  std::int64_t min_frequency = 2;
  // Appended after the BPE vocabulary with Qwen3's flags: these three are special ...
  std::vector<std::string> special_tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  // ... and these are normal added tokens (special=false, normalized=false), as in Qwen3.
  std::vector<std::string> normal_tokens = {"<think>", "</think>"};
};

class BpeTrainer {
 public:
  explicit BpeTrainer(BpeTrainerOptions options = {});
  // Counts the pre-tokens of one text (added tokens in it are skipped). InputError on invalid UTF-8.
  void feed(std::string_view text);
  // Feeds each line of a file (with its newline); errors name the file and line.
  void feed_file(const std::filesystem::path& path);
  std::size_t distinct_words() const { return word_index_.size(); }
  Tokenizer train() const;

 private:
  BpeTrainerOptions options_;
  std::unordered_map<std::string, std::size_t> word_index_;  // pre-token bytes -> index into counts_
  std::vector<std::pair<std::string, std::int64_t>> counts_;
};

}  // namespace sidr::text
