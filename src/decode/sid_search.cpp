#include "decode/sid_search.h"

#include "decode/generate.h"

#include <stdexcept>
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

namespace {

std::vector<std::vector<SidPrediction>> to_sids(const sid::SidTrie& trie,
                                                const std::vector<std::vector<Hypothesis>>& hypotheses) {
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

std::shared_ptr<const sid::Trie> borrow(const sid::SidTrie& trie) {
  return std::shared_ptr<const sid::Trie>(&trie.trie, [](const sid::Trie*) {});
}

}  // namespace

std::vector<std::vector<SidPrediction>> search_sids(StepModel& model, const sid::SidTrie& trie, TokenId end_token,
                                                    const std::vector<std::vector<TokenId>>& prompts,
                                                    const BeamSearchOptions& options) {
  TrieConstraint constraint(borrow(trie), end_token);  // the trie is shared, not copied
  return to_sids(trie, beam_search(model, prompts, &constraint, options));
}

std::vector<std::vector<SidPrediction>> search_sids_from(StepModel& model, torch::Tensor logits,
                                                         const sid::SidTrie& trie, TokenId end_token,
                                                         const BeamSearchOptions& options) {
  TrieConstraint constraint(borrow(trie), end_token);
  return to_sids(trie, beam_search_from(model, std::move(logits), &constraint, options));
}

Continuation close_thought(const Generation& gen, std::size_t prompt_tokens, const ThoughtClosing& closing) {
  if (!gen.saved || gen.tokens.empty()) throw std::logic_error("close_thought: the generation kept no state");
  Continuation c;
  c.saved = gen.saved;
  c.row = gen.saved_row;
  // The thought's tokens as the context should hold them: every generated token but "</think>" (the end token
  // stays, as it stays in the reference's text). All but the last are in the saved state already.
  std::vector<TokenId> thought(gen.tokens.begin(), gen.tokens.end() - 1);
  const std::size_t fed = thought.size();
  if (gen.tokens.back() != closing.close_think) thought.push_back(gen.tokens.back());
  // generated.strip(): trailing whitespace-only tokens go (not after the end token, which is not whitespace).
  std::size_t keep = thought.size();
  while (keep > 0 && closing.is_whitespace(thought[keep - 1])) --keep;
  std::vector<TokenId> append(closing.close_ids);
  // Right truncation to max_total_tokens, as the reference truncates the re-encoded text.
  if (prompt_tokens + keep + append.size() > closing.max_total_tokens) {
    std::size_t room = closing.max_total_tokens > prompt_tokens ? closing.max_total_tokens - prompt_tokens : 0;
    keep = std::min(keep, room);
    append.resize(room - keep);
  }
  // Context = prompt + thought[0, keep) + append. The state holds prompt + thought[0, fed): forget what is past
  // `keep`, feed the rest; tokens forgotten and fed again are identical, so those are kept instead.
  std::vector<TokenId> tail(thought.begin() + static_cast<std::ptrdiff_t>(keep), thought.end());
  tail.resize(fed > keep ? fed - keep : 0);  // forgotten tokens that are in the state
  std::vector<TokenId> feed(thought.begin() + static_cast<std::ptrdiff_t>(std::min(keep, fed)),
                            thought.begin() + static_cast<std::ptrdiff_t>(keep));
  feed.insert(feed.end(), append.begin(), append.end());
  std::size_t same = 0;
  while (same < tail.size() && same + 1 < feed.size() && tail[same] == feed[same]) ++same;
  std::size_t forget = tail.size() - same;
  feed.erase(feed.begin(), feed.begin() + static_cast<std::ptrdiff_t>(same));
  if (feed.empty()) {  // nothing left to feed: forget the last kept token and feed it again for its logits
    if (fed <= forget) throw std::logic_error("close_thought: the prompt fills max_total_tokens");
    feed.push_back(thought[fed - 1 - forget]);
    ++forget;
  }
  c.forget = static_cast<std::int64_t>(forget);
  c.tokens = std::move(feed);
  return c;
}

ThoughtClosing reference_closing(const text::Tokenizer& tokenizer, std::size_t max_total_tokens) {
  ThoughtClosing closing;
  closing.close_think = tokenizer.require_id("</think>");
  closing.close_ids = tokenizer.encode("\n</think>\n\n", /*parse_special=*/true);
  closing.max_total_tokens = max_total_tokens;
  // The tokenizer outlives the closing in every caller (evaluate, the server's handler).
  closing.is_whitespace = [&tokenizer](TokenId t) {
    return trim(tokenizer.decode({t}, /*skip_special=*/false)).empty();
  };
  return closing;
}

std::string thought_text(const text::Tokenizer& tokenizer, const std::vector<TokenId>& generated) {
  std::string stripped(trim(tokenizer.decode(generated, /*skip_special=*/false)));
  std::size_t own_cut = stripped.find("</think>");
  return std::string(trim(own_cut == std::string::npos ? stripped : stripped.substr(0, own_cut)));
}

std::vector<ThinkResult> think_then_search(StepModel& model, const text::Tokenizer& tokenizer,
                                           const sid::SidTrie& trie, TokenId end_token,
                                           const std::vector<std::vector<TokenId>>& prompt_ids,
                                           const std::vector<std::string>& /*prompt_texts*/, const ThinkOptions& think,
                                           const BeamSearchOptions& options) {
  ThoughtClosing closing = reference_closing(tokenizer, think.max_total_tokens);
  const TokenId close_think = closing.close_think;
  GenerateOptions greedy;
  greedy.max_new_tokens = think.max_thought_tokens;
  greedy.stop_tokens = {close_think, end_token};
  greedy.keep_state = true;
  auto generations = generate(model, prompt_ids, greedy);

  std::vector<ThinkResult> results(prompt_ids.size());
  std::vector<Continuation> rows;
  for (std::size_t i = 0; i < prompt_ids.size(); ++i) {
    auto& r = results[i];
    const auto& gen = generations[i].tokens;
    r.thought_tokens = gen.size();
    r.closed = !gen.empty() && gen.back() == close_think;
    r.thought = thought_text(tokenizer, gen);
    rows.push_back(close_thought(generations[i], prompt_ids[i].size(), closing));
  }
  torch::NoGradGuard no_grad;
  auto predictions = search_sids_from(model, model.resume(rows), trie, end_token, options);
  for (std::size_t i = 0; i < results.size(); ++i) results[i].predictions = std::move(predictions[i]);
  return results;
}

}  // namespace sidr::decode
