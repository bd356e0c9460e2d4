// Recommending SIDs: the reference's constrained beam search after the prompt (plain mode), or a greedy chain
// of thought closed as the reference closes it and then the same search (thinking mode; sidreasoner.md §6.2).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "decode/beam_search.h"
#include "decode/generate.h"
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

// The same search continuing a model whose batch already holds one row per prompt (`logits` (N, V) after
// start() or resume()).
std::vector<std::vector<SidPrediction>> search_sids_from(StepModel& model, torch::Tensor logits,
                                                         const sid::SidTrie& trie, TokenId end_token,
                                                         const BeamSearchOptions& options);

// How a thought is closed before the SID search, at id level (what the reference does to the text).
struct ThoughtClosing {
  TokenId close_think = -1;             // "</think>"
  std::vector<TokenId> close_ids;       // encode("\n</think>\n\n")
  std::size_t max_total_tokens = 2560;  // prompt + thought + close_ids are right-truncated to this
  std::function<bool(TokenId)> is_whitespace;  // the token decodes to whitespace only
};

// The reference's closing for this tokenizer: "</think>", encode("\n</think>\n\n"), whitespace = decodes to
// whitespace only. InputError if the tokenizer has no "</think>".
ThoughtClosing reference_closing(const text::Tokenizer& tokenizer, std::size_t max_total_tokens);

// The thought's text as the predictions file gives it ("cot"): the decoded tokens, stripped, cut before the
// first "</think>", stripped.
std::string thought_text(const text::Tokenizer& tokenizer, const std::vector<TokenId>& generated);

// The continuation of a thought generated with keep_state (gen.saved) after a prompt of `prompt_tokens` ids:
// context = prompt + the thought's tokens (without "</think>"; with the end token if it stopped there) less its
// trailing whitespace-only tokens, + close_ids, right-truncated to max_total_tokens. Tokens already in the
// saved state that the context drops are forgotten (Continuation::forget); a forgotten token that the context
// feeds again at the same place is kept instead.
Continuation close_thought(const Generation& gen, std::size_t prompt_tokens, const ThoughtClosing& closing);

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

// Thinking mode. For each prompt: greedy generation until "</think>" or the end token or the budget; then the
// thought is closed as the reference closes its text, text = (prompt + generated.strip()) cut before the first
// "</think>", stripped, + "\n</think>\n\n" (right-truncated to max_total_tokens), but at id level
// (close_thought): the thought's cache is continued, nothing is re-tokenised or prefilled again, and the SID
// beam search runs after it. docs/decode.md lists where the ids differ from re-encoding the text.
// prompt_texts (the prompts' text) is not needed any more; it stays for the callers.
// (The reference drops one character when the thought never closes; we keep it.)
std::vector<ThinkResult> think_then_search(StepModel& model, const text::Tokenizer& tokenizer,
                                           const sid::SidTrie& trie, TokenId end_token,
                                           const std::vector<std::vector<TokenId>>& prompt_ids,
                                           const std::vector<std::string>& prompt_texts, const ThinkOptions& think,
                                           const BeamSearchOptions& options);

}  // namespace sidr::decode
