// Recommending SIDs: the reference's constrained beam search after the prompt (plain mode), or a greedy chain
// of thought closed as the reference closes it and then the same search (thinking mode; sidreasoner.md §6.2).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "decode/beam_search.h"
#include "decode/step_model.h"
#include "sid/sid_trie.h"
#include "text/tokenizer.h"

namespace sidr::decode {

struct SidPrediction {
  std::string sid;  // "<a_..><b_..><c_..>"
  float score = 0;  // sum of log-probs of the SID tokens, "\n" and the end token
};

// The reference trie for a catalog: each SID's level tokens, then the id of "\n", then the end token
// (<|im_end|>). InputError if "\n" is not one token or a SID token is missing from the vocabulary.
sid::SidTrie build_reference_trie(const std::vector<std::string>& sids, const text::Tokenizer& tokenizer,
                                  TokenId end_token);
// One SID's path in that trie: its level tokens, "\n", the end token. InputError as build_reference_trie.
std::vector<TokenId> reference_sid_path(const std::string& sid, const text::Tokenizer& tokenizer, TokenId end_token);

// Constrained beam search for a batch of prompts; hypotheses mapped back to their SID strings.
std::vector<std::vector<SidPrediction>> search_sids(StepModel& model, const sid::SidTrie& trie, TokenId end_token,
                                                    const std::vector<std::vector<TokenId>>& prompts,
                                                    const BeamSearchOptions& options);

struct ThinkOptions {
  int max_thought_tokens = 1024;        // greedy chain-of-thought budget
  std::size_t max_total_tokens = 2560;  // the reference re-tokenises prompt + thought with right truncation
};

struct ThinkResult {
  std::string thought;          // the generated text before "</think>", stripped (the reference's "cot")
  bool closed = false;          // the model wrote "</think>" itself within the budget
  std::size_t thought_tokens = 0;
  std::vector<SidPrediction> predictions;
};

// Thinking mode. prompt_texts[i] is the text of prompt_ids[i] (special tokens kept). For each prompt: greedy
// generation until "</think>" or the end token or the budget; then, as the reference does,
// text = (prompt + generated.strip()) cut before the first "</think>", stripped, + "\n</think>\n\n",
// re-encoded (right-truncated to max_total_tokens), and the SID beam search runs after it.
// (The reference drops one character when the thought never closes; we keep it.)
std::vector<ThinkResult> think_then_search(StepModel& model, const text::Tokenizer& tokenizer,
                                           const sid::SidTrie& trie, TokenId end_token,
                                           const std::vector<std::vector<TokenId>>& prompt_ids,
                                           const std::vector<std::string>& prompt_texts, const ThinkOptions& think,
                                           const BeamSearchOptions& options);

}  // namespace sidr::decode
