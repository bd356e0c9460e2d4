#include "decode/sid_search.h"

#include "decode/generate.h"
#include "util/error.h"
#include "util/strings.h"

namespace sidr::decode {

namespace {

// What follows every SID in the reference trie: "\n" (one token) and the end token.
std::vector<TokenId> reference_suffix(const text::Tokenizer& tokenizer, TokenId end_token) {
  auto newline = tokenizer.encode("\n");
  if (newline.size() != 1)
    throw InputError("the tokenizer encodes \"\\n\" as " + std::to_string(newline.size()) +
                     " tokens; the SID trie needs one");
  return {newline[0], end_token};
}

}  // namespace

sid::SidTrie build_reference_trie(const std::vector<std::string>& sids, const text::Tokenizer& tokenizer,
                                  TokenId end_token) {
  auto lookup = [&](std::string_view token) -> std::optional<TokenId> { return tokenizer.token_to_id(token); };
  return sid::SidTrie::build(sids, lookup, reference_suffix(tokenizer, end_token));
}

std::vector<TokenId> reference_sid_path(const std::string& sid, const text::Tokenizer& tokenizer, TokenId end_token) {
  std::vector<TokenId> path;
  for (const auto& token : sid::split_sid_tokens(sid)) {
    auto id = tokenizer.token_to_id(token);
    if (!id) throw InputError("SID " + sid + ": token " + token + " is not in the tokenizer's vocabulary");
    path.push_back(*id);
  }
  for (TokenId t : reference_suffix(tokenizer, end_token)) path.push_back(t);
  return path;
}

std::vector<std::vector<SidPrediction>> search_sids(StepModel& model, const sid::SidTrie& trie, TokenId end_token,
                                                    const std::vector<std::vector<TokenId>>& prompts,
                                                    const BeamSearchOptions& options) {
  // The trie is shared, not copied, by the constraint.
  std::shared_ptr<const sid::Trie> shared(&trie.trie, [](const sid::Trie*) {});
  TrieConstraint constraint(shared, end_token);
  auto hypotheses = beam_search(model, prompts, &constraint, options);
  std::vector<std::vector<SidPrediction>> out(hypotheses.size());
  for (std::size_t p = 0; p < hypotheses.size(); ++p) {
    for (const auto& h : hypotheses[p]) {
      const std::string* sid = trie.sid_of(h.tokens);
      if (!sid) continue;  // cut by max_new_tokens before the end: not a recommendation
      out[p].push_back({*sid, h.score});
    }
  }
  return out;
}

std::vector<ThinkResult> think_then_search(StepModel& model, const text::Tokenizer& tokenizer,
                                           const sid::SidTrie& trie, TokenId end_token,
                                           const std::vector<std::vector<TokenId>>& prompt_ids,
                                           const std::vector<std::string>& prompt_texts, const ThinkOptions& think,
                                           const BeamSearchOptions& options) {
  const TokenId close_think = tokenizer.require_id("</think>");
  GenerateOptions greedy;
  greedy.max_new_tokens = think.max_thought_tokens;
  greedy.stop_tokens = {close_think, end_token};
  auto generations = generate(model, prompt_ids, greedy);

  std::vector<ThinkResult> results(prompt_ids.size());
  std::vector<std::vector<TokenId>> closed_ids(prompt_ids.size());
  for (std::size_t i = 0; i < prompt_ids.size(); ++i) {
    auto& r = results[i];
    const auto& gen = generations[i].tokens;
    r.thought_tokens = gen.size();
    r.closed = !gen.empty() && gen.back() == close_think;
    std::string generated = tokenizer.decode(gen, /*skip_special=*/false);
    std::string text = prompt_texts[i] + std::string(trim(generated));
    std::size_t cut = text.find("</think>");
    std::string kept(trim(cut == std::string::npos ? text : text.substr(0, cut)));
    std::string stripped(trim(generated));
    std::size_t own_cut = stripped.find("</think>");
    r.thought = std::string(trim(own_cut == std::string::npos ? stripped : stripped.substr(0, own_cut)));
    auto ids = tokenizer.encode(kept + "\n</think>\n\n", /*parse_special=*/true);
    if (ids.size() > think.max_total_tokens) ids.resize(think.max_total_tokens);  // right truncation, as HP
    closed_ids[i] = std::move(ids);
  }
  auto predictions = search_sids(model, trie, end_token, closed_ids, options);
  for (std::size_t i = 0; i < results.size(); ++i) results[i].predictions = std::move(predictions[i]);
  return results;
}

}  // namespace sidr::decode
