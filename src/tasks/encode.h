// Tokenized samples with label masks (sidreasoner.md §3.1): ids and labels, left truncation to a cutoff.
// Chat samples: ids = encode(text); the label span is where encode(prefix) ends, checked by verifying that
// encode(prefix) ++ encode(supervised) ++ encode(suffix) == encode(text). Rows where that fails are counted
// and their span is found by a token-level search (see SampleEncoder::encode).
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tasks/task.h"
#include "text/tokenizer.h"

namespace sidr::tasks {

inline constexpr text::TokenId kIgnoreIndex = -100;

struct Sample {
  std::vector<text::TokenId> input_ids;
  std::vector<text::TokenId> labels;  // same length; kIgnoreIndex where not supervised
  std::string text;                   // the full text before truncation (empty if EncodeOptions::keep_text is off)
  Task task = Task::T1;

  std::size_t num_labels() const;
};

struct EncodeOptions {
  std::size_t cutoff = 1024;          // keep the last `cutoff` tokens (every task but T8)
  std::size_t general_cutoff = 3072;  // T8's cutoff
  bool keep_text = true;              // store Sample::text (turn off to save memory on big sets)
  void validate() const;              // cutoffs >= 1
};

struct EncodeStats {
  std::size_t samples = 0;
  std::size_t mismatches = 0;   // encode(prefix)++encode(supervised)++encode(suffix) != encode(text)
  std::size_t searched = 0;     // ... of which the supervised ids were found as a subsequence (last occurrence)
  std::size_t approximate = 0;  // ... of which the span came from the common prefix/suffix with the parts
  std::size_t truncated = 0;    // longer than the cutoff
  std::size_t no_labels = 0;    // no supervised token left after truncation

  EncodeStats& operator+=(const EncodeStats& other);
};

class SampleEncoder {
 public:
  using EncodeFn = std::function<std::vector<text::TokenId>(std::string_view)>;

  SampleEncoder(EncodeFn encode, EncodeOptions options = {});
  // The tokenizer must outlive the encoder (and already hold the SID tokens).
  explicit SampleEncoder(const text::Tokenizer& tokenizer, EncodeOptions options = {});

  Sample encode(const TextSample& sample);
  std::vector<Sample> encode_all(const std::vector<TextSample>& samples);

  // Prompt ids for generation: encode(text), left-truncated to max_len (0 = no limit).
  std::vector<text::TokenId> encode_prompt(std::string_view text, std::size_t max_len = 0) const;

  const EncodeStats& stats() const { return stats_; }
  const EncodeOptions& options() const { return options_; }

 private:
  EncodeFn encode_;
  EncodeOptions options_;
  EncodeStats stats_;
};

// Keeps the last max_len entries (the reference's left truncation); no-op when shorter.
void truncate_left(std::vector<text::TokenId>& ids, std::size_t max_len);

}  // namespace sidr::tasks
