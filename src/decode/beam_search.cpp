#include "decode/beam_search.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "util/error.h"

namespace sidr::decode {

void BeamSearchOptions::validate() const {
  if (beams < 1) throw InputError("beam size must be at least 1, got " + std::to_string(beams));
  if (return_sequences < 0 || return_sequences > beams)
    throw InputError("returned sequences must be between 1 and the beam size " + std::to_string(beams) + ", got " +
                     std::to_string(return_sequences));
  if (max_new_tokens < 1) throw InputError("max new tokens must be at least 1, got " + std::to_string(max_new_tokens));
  if (sample) sampling.validate();
}

torch::Tensor merge_beams_into_candidates(const torch::Tensor& row_scores, std::int64_t prompts) {
  return row_scores.reshape({prompts, -1});
}

// ---- FinishedHypotheses --------------------------------------------------------------------------------
float FinishedHypotheses::normalise(float sum, std::int64_t length) const {
  if (length_penalty_ == 0.0) return sum;
  return static_cast<float>(sum / std::pow(static_cast<double>(length), length_penalty_));
}

bool FinishedHypotheses::accepts(float sum_log_probs, std::int64_t length) const {
  return static_cast<int>(items_.size()) < capacity_ || normalise(sum_log_probs, length) > worst_;
}

void FinishedHypotheses::add(std::vector<TokenId> tokens, float sum_log_probs, std::shared_ptr<const SavedRows> saved,
                             std::int64_t saved_row) {
  float score = normalise(sum_log_probs, static_cast<std::int64_t>(tokens.size()));
  if (static_cast<int>(items_.size()) < capacity_ || score > worst_) {
    items_.push_back({std::move(tokens), score, std::move(saved), saved_row});
    if (static_cast<int>(items_.size()) > capacity_) {
      // Drop the worst (the first of equal worst ones, as HF's sorted list does), then recompute the worst.
      auto worst = std::min_element(items_.begin(), items_.end(),
                                    [](const Hypothesis& a, const Hypothesis& b) { return a.score < b.score; });
      items_.erase(worst);
      worst_ = std::min_element(items_.begin(), items_.end(), [](const Hypothesis& a, const Hypothesis& b) {
                 return a.score < b.score;
               })->score;
    } else {
      worst_ = std::min(score, worst_);
    }
  }
}

bool FinishedHypotheses::is_done(float best_running_sum, std::int64_t generated_length) const {
  if (static_cast<int>(items_.size()) < capacity_) return false;
  if (early_stopping_) return true;
  return worst_ >= normalise(best_running_sum, generated_length);
}

std::vector<Hypothesis> FinishedHypotheses::best(int count) const {
  std::vector<Hypothesis> sorted = items_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Hypothesis& a, const Hypothesis& b) { return a.score < b.score; });
  std::vector<Hypothesis> out;
  while (!sorted.empty() && static_cast<int>(out.size()) < count) {
    out.push_back(std::move(sorted.back()));
    sorted.pop_back();
  }
  return out;
}

// ---- step functions ------------------------------------------------------------------------------------
torch::Tensor score_step(const torch::Tensor& logits) { return torch::log_softmax(logits.to(torch::kFloat32), -1); }

void mask_step(torch::Tensor& log_probs, const LogitsConstraint* constraint) {
  if (constraint) constraint->apply(log_probs);
}

std::vector<std::vector<Candidate>> top_candidates(const torch::Tensor& accumulated, std::int64_t prompts,
                                                   std::int64_t count, Sampler& sampler) {
  const std::int64_t vocab = accumulated.size(1);
  const std::int64_t rows_per_prompt = accumulated.size(0) / prompts;
  auto merged = merge_beams_into_candidates(accumulated, prompts);  // (N, rows_per_prompt * V)
  count = std::min<std::int64_t>(count, merged.size(1));
  torch::Tensor indices = sampler.draw(merged, count);  // (N, count)
  torch::Tensor values = merged.gather(1, indices);     // (N, count)
  if (sampler.is_random()) {  // drawn in draw order: sort by score (greedy draws come sorted)
    auto order = values.sort(1, /*descending=*/true);
    values = std::get<0>(order);
    indices = indices.gather(1, std::get<1>(order));
  }
  values = values.to(torch::kCPU).contiguous();
  indices = indices.to(torch::kCPU).contiguous();
  const float* v = values.data_ptr<float>();
  const std::int64_t* ix = indices.data_ptr<std::int64_t>();
  std::vector<std::vector<Candidate>> out(static_cast<std::size_t>(prompts));
  for (std::int64_t p = 0; p < prompts; ++p) {
    auto& list = out[static_cast<std::size_t>(p)];
    list.reserve(static_cast<std::size_t>(count));
    for (std::int64_t k = 0; k < count; ++k) {
      std::int64_t flat = ix[p * count + k];
      list.push_back({flat_row(p, flat / vocab, rows_per_prompt), static_cast<TokenId>(flat % vocab),
                      v[p * count + k]});
    }
  }
  return out;
}

namespace {

// The live beams of the prompts still in the model's batch: row = position * rows_per_prompt + beam, where
// position indexes `active` (one row per prompt before the first step, B after it).
struct BeamState {
  std::vector<std::int64_t> active;           // prompt index of each position, in batch order
  std::int64_t rows_per_prompt = 1;
  std::vector<float> scores;                  // (R) accumulated log-prob; kMaskedLogProb for dead rows
  std::vector<char> alive;                    // (R)
  std::vector<std::vector<TokenId>> tokens;   // (R) generated so far
  std::int64_t positions() const { return static_cast<std::int64_t>(active.size()); }
};

// The beams chosen for the next step, as a map from new rows to old rows.
struct Selection {
  std::vector<std::int64_t> parents;  // (P * B) old row of each new row
  std::vector<TokenId> tokens;        // (P * B) token appended
  std::vector<float> scores;          // (P * B)
  std::vector<char> alive;            // (P * B)
};

bool is_end(const std::vector<TokenId>& end_tokens, TokenId token) {
  return std::find(end_tokens.begin(), end_tokens.end(), token) != end_tokens.end();
}

// select: HF's BeamSearchScorer.process over each active prompt's candidates.
// keep_state: copies one current model row (the parent of a hypothesis that finishes).
using RowSaver = std::function<std::shared_ptr<const SavedRows>(std::int64_t row)>;

Selection select_step(const std::vector<std::vector<Candidate>>& candidates, const BeamState& state,
                      const LogitsConstraint* constraint, const BeamSearchOptions& options,
                      std::vector<FinishedHypotheses>& finished, std::vector<char>& done, std::int64_t step,
                      const RowSaver& save_row) {
  const std::int64_t beams = options.beams;
  Selection next;
  next.parents.resize(static_cast<std::size_t>(state.positions() * beams));
  next.tokens.assign(next.parents.size(), 0);
  next.scores.assign(next.parents.size(), kMaskedLogProb);
  next.alive.assign(next.parents.size(), 0);
  for (std::int64_t a = 0; a < state.positions(); ++a) {
    const auto p = static_cast<std::size_t>(state.active[static_cast<std::size_t>(a)]);
    const std::int64_t dead_parent = flat_row(a, 0, state.rows_per_prompt);
    for (std::int64_t b = 0; b < beams; ++b) next.parents[static_cast<std::size_t>(flat_row(a, b, beams))] = dead_parent;
    if (done[p]) continue;
    const auto& list = candidates[static_cast<std::size_t>(a)];
    std::int64_t filled = 0;
    for (std::size_t rank = 0; rank < list.size() && filled < beams; ++rank) {
      const Candidate& c = list[rank];
      const auto row = static_cast<std::size_t>(c.row);
      if (!state.alive[row] || (constraint && !constraint->allows(c.row, c.token))) continue;
      if (is_end(options.end_tokens, c.token)) {
        if (static_cast<std::int64_t>(rank) >= beams) continue;  // HF: only top-B ranked ends finish
        auto tokens = state.tokens[row];
        tokens.push_back(c.token);
        if (save_row && finished[p].accepts(c.score, static_cast<std::int64_t>(tokens.size())))
          finished[p].add(std::move(tokens), c.score, save_row(c.row), 0);
        else
          finished[p].add(std::move(tokens), c.score);
        continue;
      }
      auto slot = static_cast<std::size_t>(flat_row(a, filled++, beams));
      next.parents[slot] = c.row;
      next.tokens[slot] = c.token;
      next.scores[slot] = c.score;
      next.alive[slot] = 1;
    }
    float best = list.empty() ? kMaskedLogProb : list.front().score;
    bool finished_now = finished[p].is_done(best, step + 1);
    done[p] = finished_now || filled == 0;
  }
  return next;
}

// Keeps the rows of the positions whose prompt is not done (a prompt's B rows stay together, in order).
void drop_done_prompts(BeamState& state, Selection& next, const std::vector<char>& done, std::int64_t beams) {
  BeamState kept;
  Selection kept_next;
  kept.rows_per_prompt = beams;
  for (std::int64_t a = 0; a < state.positions(); ++a) {
    const std::int64_t p = state.active[static_cast<std::size_t>(a)];
    if (done[static_cast<std::size_t>(p)]) continue;
    kept.active.push_back(p);
    for (std::int64_t b = 0; b < beams; ++b) {
      auto row = static_cast<std::size_t>(flat_row(a, b, beams));
      kept.scores.push_back(state.scores[row]);
      kept.alive.push_back(state.alive[row]);
      kept.tokens.push_back(std::move(state.tokens[row]));
      kept_next.parents.push_back(next.parents[row]);
      kept_next.tokens.push_back(next.tokens[row]);
    }
  }
  state = std::move(kept);
  next = std::move(kept_next);
}

torch::Tensor to_int64_tensor(const std::vector<std::int64_t>& values) {
  return torch::tensor(at::ArrayRef<std::int64_t>(values), torch::kInt64);
}

std::vector<std::vector<Hypothesis>> run_search(StepModel& model, torch::Tensor logits, std::int64_t n,
                                                const std::vector<std::vector<TokenId>>* prompts,
                                                LogitsConstraint* constraint, const BeamSearchOptions& options,
                                                Sampler* given_sampler) {
  Sampler own = options.sample ? Sampler::multinomial(options.seed) : Sampler::greedy();
  Sampler& sampler = given_sampler ? *given_sampler : own;
  // Beam search always applies the processors (repetition, no-repeat, suppressed tokens, the constraint); the
  // warpers only when sampling, as HF does.
  SamplingOptions processing = options.sample ? options.sampling : SamplingOptions{};
  if (!options.sample) {
    processing.repetition_penalty = options.sampling.repetition_penalty;
    processing.no_repeat_ngram_size = options.sampling.no_repeat_ngram_size;
    processing.suppress_tokens = options.sampling.suppress_tokens;
  }
  LogitsProcessorList processors = make_logits_processors(processing, constraint, options.sample);

  BeamState state;
  state.rows_per_prompt = 1;  // each prompt has one row; its rows are expanded to the beams after step 0
  for (std::int64_t p = 0; p < n; ++p) state.active.push_back(p);
  state.scores.assign(static_cast<std::size_t>(n), 0.0f);
  state.alive.assign(static_cast<std::size_t>(n), 1);
  state.tokens.assign(static_cast<std::size_t>(n), {});
  std::vector<FinishedHypotheses> finished(static_cast<std::size_t>(n),
                                           FinishedHypotheses(options.beams, options.length_penalty,
                                                              options.early_stopping));
  std::vector<char> done(static_cast<std::size_t>(n), 0);
  std::vector<std::int64_t> last_parents;
  processors.reset(n);
  const bool reads_tokens = processors.reads_tokens();

  for (std::int64_t step = 0; step < options.max_new_tokens; ++step) {
    torch::Tensor log_probs = score_step(logits);  // (R, V)
    std::vector<RowTokens> rows;
    if (reads_tokens) {
      for (std::size_t r = 0; r < state.tokens.size(); ++r) {
        auto p = static_cast<std::size_t>(state.active[r / static_cast<std::size_t>(state.rows_per_prompt)]);
        rows.push_back({prompts ? &(*prompts)[p] : nullptr, &state.tokens[r]});
      }
    }
    log_probs = processors.process(std::move(log_probs), rows);
    auto scores = torch::from_blob(state.scores.data(), {static_cast<std::int64_t>(state.scores.size()), 1},
                                   torch::kFloat32)
                      .to(log_probs.device());
    torch::Tensor accumulated = log_probs + scores;  // (R, V)
    auto candidates = top_candidates(accumulated, state.positions(), 2 * options.beams, sampler);
    RowSaver save_row;
    if (options.keep_state)
      save_row = [&model](std::int64_t row) { return model.save(to_int64_tensor({row})); };
    Selection next = select_step(candidates, state, constraint, options, finished, done, step, save_row);

    // Rows follow their parents; the last step's beams stay running (finalised below).
    std::vector<std::vector<TokenId>> tokens(next.parents.size());
    for (std::size_t i = 0; i < next.parents.size(); ++i) {
      if (!next.alive[i]) continue;
      tokens[i] = state.tokens[static_cast<std::size_t>(next.parents[i])];
      tokens[i].push_back(next.tokens[i]);
    }
    state.tokens = std::move(tokens);
    state.scores = next.scores;
    state.alive = next.alive;
    state.rows_per_prompt = options.beams;

    bool all_done = std::all_of(done.begin(), done.end(), [](char d) { return d != 0; });
    last_parents = next.parents;  // the model's rows behind the new beams (their last token is not fed yet)
    if (all_done || step + 1 == options.max_new_tokens) break;
    drop_done_prompts(state, next, done, options.beams);
    processors.advance(next.parents, next.tokens);
    std::vector<std::int64_t> fed(next.tokens.begin(), next.tokens.end());
    logits = model.step(to_int64_tensor(next.parents), to_int64_tensor(fed));
  }

  // finalize: prompts still running add their live beams (HF's finalize), then the best are returned.
  for (std::int64_t a = 0; a < state.positions(); ++a) {
    const auto p = static_cast<std::size_t>(state.active[static_cast<std::size_t>(a)]);
    if (done[p]) continue;
    for (std::int64_t b = 0; b < state.rows_per_prompt; ++b) {
      auto row = static_cast<std::size_t>(flat_row(a, b, state.rows_per_prompt));
      if (!state.alive[row]) continue;
      if (options.keep_state &&
          finished[p].accepts(state.scores[row], static_cast<std::int64_t>(state.tokens[row].size())))
        finished[p].add(state.tokens[row], state.scores[row], model.save(to_int64_tensor({last_parents[row]})), 0);
      else
        finished[p].add(state.tokens[row], state.scores[row]);
    }
  }
  std::vector<std::vector<Hypothesis>> out(static_cast<std::size_t>(n));
  for (std::size_t p = 0; p < out.size(); ++p) out[p] = finished[p].best(options.returned());
  return out;
}

}  // namespace

std::vector<std::vector<Hypothesis>> beam_search(StepModel& model, const std::vector<std::vector<TokenId>>& prompts,
                                                 LogitsConstraint* constraint, const BeamSearchOptions& options,
                                                 Sampler* sampler) {
  options.validate();
  const auto n = static_cast<std::int64_t>(prompts.size());
  if (n == 0) return {};
  torch::NoGradGuard no_grad;
  torch::Tensor logits = model.start(prompts);  // (N, V)
  return run_search(model, std::move(logits), n, &prompts, constraint, options, sampler);
}

std::vector<std::vector<Hypothesis>> beam_search_from(StepModel& model, torch::Tensor logits,
                                                      LogitsConstraint* constraint, const BeamSearchOptions& options,
                                                      Sampler* sampler) {
  options.validate();
  const std::int64_t n = logits.size(0);
  if (n == 0) return {};
  torch::NoGradGuard no_grad;
  return run_search(model, std::move(logits), n, nullptr, constraint, options, sampler);
}

}  // namespace sidr::decode
