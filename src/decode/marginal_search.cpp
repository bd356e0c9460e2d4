#include "decode/marginal_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <unordered_map>

#include "decode/generate.h"
#include "util/error.h"

namespace sidr::decode {

void ThoughtSearchOptions::validate() const {
  if (thoughts < 1) throw InputError("--thoughts must be at least 1, got " + std::to_string(thoughts));
  if (max_thought_tokens < 1)
    throw InputError("--think-tokens must be at least 1, got " + std::to_string(max_thought_tokens));
  if (!(temperature > 0) || !std::isfinite(temperature))
    throw InputError("--thought-temperature must be a finite number > 0, got " + std::to_string(temperature));
  if (!(plain_weight >= 0 && plain_weight < 1))
    throw InputError("--think-pool-plain must be in [0, 1), got " + std::to_string(plain_weight));
}

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double log_add(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double hi = std::max(a, b);
  return hi + std::log1p(std::exp(std::min(a, b) - hi));
}

// The K thoughts of every prompt as generations that kept their state (for close_thought), with log p(t).
struct Drawn {
  std::vector<Generation> generations;  // grouped by prompt, in prompt order
  std::vector<double> log_probs;
  std::vector<std::size_t> prompt_of;   // the prompt each generation belongs to
};

Drawn sample_thoughts(StepModel& model, const std::vector<std::vector<TokenId>>& prompts,
                      const std::vector<TokenId>& stops, const ThoughtSearchOptions& o) {
  GenerateOptions g;
  g.max_new_tokens = o.max_thought_tokens;
  g.samples = o.thoughts;
  g.sample = true;
  g.sampling.temperature = o.temperature;
  g.stop_tokens = stops;
  g.seed = o.seed;
  g.keep_state = true;
  Drawn d;
  d.generations = generate(model, prompts, g);
  for (const auto& gen : d.generations) {
    double lp = 0;
    for (float x : gen.model_log_probs) lp += x;  // under the model itself, whatever the temperature
    d.log_probs.push_back(lp);
    d.prompt_of.push_back(d.prompt_of.size() / static_cast<std::size_t>(o.thoughts));
  }
  return d;
}

// K best thoughts by (unconstrained) beam search, each with its saved state (keep_state) to continue like a
// generated one.
Drawn beam_thoughts(StepModel& model, const std::vector<std::vector<TokenId>>& prompts,
                    const std::vector<TokenId>& stops, const ThoughtSearchOptions& o) {
  BeamSearchOptions b;
  b.beams = o.thoughts;
  b.return_sequences = o.thoughts;
  b.max_new_tokens = o.max_thought_tokens;
  b.end_tokens = stops;
  b.keep_state = true;
  auto hypotheses = beam_search(model, prompts, nullptr, b);
  Drawn d;
  for (std::size_t p = 0; p < prompts.size(); ++p) {
    for (auto& h : hypotheses[p]) {
      if (h.tokens.empty() || !h.saved) continue;
      Generation gen;
      gen.reason = std::find(stops.begin(), stops.end(), h.tokens.back()) != stops.end() ? StopReason::StopToken
                                                                                        : StopReason::Length;
      gen.tokens = std::move(h.tokens);
      gen.saved = std::move(h.saved);
      gen.saved_row = h.saved_row;
      d.generations.push_back(std::move(gen));
      d.log_probs.push_back(h.score);  // no processors, length penalty 0: the sum of the model's log-probs
      d.prompt_of.push_back(p);
    }
  }
  return d;
}

}  // namespace

std::vector<SidPrediction> marginalise(const std::vector<ScoredThought>& thoughts,
                                       const std::vector<SidPrediction>& plain, double plain_weight, int keep) {
  std::vector<std::string> order;
  std::unordered_map<std::string, double> think, pooled;
  for (const auto& t : thoughts) {
    for (const auto& s : t.predictions) {
      auto [it, fresh] = think.emplace(s.sid, kNegInf);
      if (fresh) order.push_back(s.sid);
      it->second = log_add(it->second, t.log_prob + static_cast<double>(s.score));
    }
  }
  const bool pool = plain_weight > 0;
  for (const auto& sid : order) pooled[sid] = pool ? std::log1p(-plain_weight) + think[sid] : think[sid];
  if (pool) {
    for (const auto& s : plain) {
      auto [it, fresh] = pooled.emplace(s.sid, kNegInf);
      if (fresh) order.push_back(s.sid);
      it->second = log_add(it->second, std::log(plain_weight) + static_cast<double>(s.score));
    }
  }
  std::vector<SidPrediction> out;
  for (const auto& sid : order) out.push_back({sid, static_cast<float>(pooled[sid])});
  std::stable_sort(out.begin(), out.end(), [](const SidPrediction& a, const SidPrediction& b) {
    return a.score > b.score;
  });
  if (static_cast<int>(out.size()) > keep) out.resize(static_cast<std::size_t>(keep));
  return out;
}

std::vector<MarginalResult> marginalised_search(StepModel& model, const sid::SidTrie& trie, TokenId end_token,
                                                const std::vector<std::vector<TokenId>>& think_prompts,
                                                const std::vector<std::vector<TokenId>>& plain_prompts,
                                                const ThoughtClosing& closing, const ThoughtSearchOptions& options,
                                                const BeamSearchOptions& beams) {
  options.validate();
  const bool pool = options.plain_weight > 0;
  if (pool && plain_prompts.size() != think_prompts.size())
    throw std::logic_error("marginalised_search: one plain prompt per think prompt is needed to pool");
  std::vector<MarginalResult> results(think_prompts.size());
  if (think_prompts.empty()) return results;
  const std::vector<TokenId> stops{closing.close_think, end_token};
  Drawn drawn = options.beam ? beam_thoughts(model, think_prompts, stops, options)
                             : sample_thoughts(model, think_prompts, stops, options);

  // Distinct thoughts per prompt (samples repeat), then every one closed and continued in one batch.
  std::vector<std::size_t> owner;  // prompt of each continued thought
  std::vector<Continuation> rows;
  std::vector<std::set<std::vector<TokenId>>> seen(think_prompts.size());
  for (std::size_t g = 0; g < drawn.generations.size(); ++g) {
    const Generation& gen = drawn.generations[g];
    const std::size_t p = drawn.prompt_of[g];
    if (gen.tokens.empty() || !seen[p].insert(gen.tokens).second) continue;
    ScoredThought t;
    t.tokens = gen.tokens;
    t.log_prob = drawn.log_probs[g];
    t.closed = gen.tokens.back() == closing.close_think;
    results[p].thoughts.push_back(std::move(t));
    owner.push_back(p);
    rows.push_back(close_thought(gen, think_prompts[p].size(), closing));
  }
  torch::NoGradGuard no_grad;
  if (!rows.empty()) {
    auto per_thought = search_sids_from(model, model.resume(rows), trie, end_token, beams);
    std::vector<std::size_t> next(results.size(), 0);
    for (std::size_t r = 0; r < rows.size(); ++r)
      results[owner[r]].thoughts[next[owner[r]]++].predictions = std::move(per_thought[r]);
  }
  if (pool) {
    auto plain = search_sids(model, trie, end_token, plain_prompts, beams);
    for (std::size_t p = 0; p < results.size(); ++p) results[p].plain = std::move(plain[p]);
  }
  for (auto& r : results) {
    std::stable_sort(r.thoughts.begin(), r.thoughts.end(),
                     [](const ScoredThought& a, const ScoredThought& b) { return a.log_prob > b.log_prob; });
    r.predictions = marginalise(r.thoughts, r.plain, options.plain_weight, beams.returned());
  }
  return results;
}

}  // namespace sidr::decode
