#include "baseline/sasrec_trainer.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>

#include "train/updater.h"
#include "util/error.h"

namespace sidr::baseline {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Copies of every parameter, to keep the best model while training goes on.
std::vector<torch::Tensor> snapshot(Sasrec& model) {
  std::vector<torch::Tensor> copies;
  for (auto& p : model->parameters()) copies.push_back(p.detach().clone());
  return copies;
}

void restore(Sasrec& model, const std::vector<torch::Tensor>& copies) {
  torch::NoGradGuard no_grad;
  auto params = model->parameters();
  for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(copies[i]);
}

// One uniformly drawn negative per row, never the row's target (sasrec.py: np.random.randint until != target).
torch::Tensor sample_negatives(const torch::Tensor& targets, std::int64_t num_items, std::mt19937_64& rng) {
  std::uniform_int_distribution<std::int64_t> uniform(0, num_items - 1);
  auto t = targets.accessor<std::int64_t, 1>();
  auto negatives = torch::empty_like(targets);
  auto n = negatives.accessor<std::int64_t, 1>();
  for (std::int64_t i = 0; i < targets.size(0); ++i) {
    std::int64_t draw = uniform(rng);
    while (draw == t[i] && num_items > 1) draw = uniform(rng);
    n[i] = draw;
  }
  return negatives;
}

}  // namespace

torch::Tensor top_items(const torch::Tensor& logits, std::int64_t count) {
  const auto rows = logits.size(0), items = logits.size(1);
  count = std::min(count, items);
  auto scores = logits.to(torch::kFloat32).contiguous();                         // (B, N)
  auto top = scores.topk(count, /*dim=*/1, /*largest=*/true, /*sorted=*/true);  // (B, count) twice
  auto values = std::get<0>(top).contiguous();
  auto ids = std::get<1>(top).to(torch::kInt64).contiguous();
  // Rows where more items than `count` reach the last kept score: a tie straddles the cut, so topk may have
  // kept the wrong ones. Those rows (rare) get a full stable sort instead.
  auto reaching = scores.ge(values.narrow(1, count - 1, 1)).sum(1).contiguous();  // (B)
  const auto* reach = reaching.data_ptr<std::int64_t>();
  const auto* v = values.data_ptr<float>();
  auto* id = ids.data_ptr<std::int64_t>();
  for (std::int64_t r = 0; r < rows; ++r) {
    if (reach[r] > count) {
      auto order = std::get<1>(torch::sort(scores[r], /*stable=*/true, /*dim=*/0, /*descending=*/true));
      ids[r].copy_(order.narrow(0, 0, count));
      continue;
    }
    // topk does not promise an order among equal scores: put lower ids first.
    std::vector<std::pair<float, std::int64_t>> row(static_cast<std::size_t>(count));
    for (std::int64_t c = 0; c < count; ++c) row[static_cast<std::size_t>(c)] = {v[r * count + c], id[r * count + c]};
    std::sort(row.begin(), row.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (std::int64_t c = 0; c < count; ++c) id[r * count + c] = row[static_cast<std::size_t>(c)].second;
  }
  return ids;
}

SasrecLoss parse_sasrec_loss(const std::string& name) {
  if (name == "bce") return SasrecLoss::Bce;
  if (name == "ce") return SasrecLoss::Ce;
  throw InputError("loss must be 'bce' or 'ce', got '" + name + "'");
}

const char* sasrec_loss_name(SasrecLoss loss) { return loss == SasrecLoss::Bce ? "bce" : "ce"; }

void SasrecTrainOptions::validate() const {
  auto fail = [](const std::string& message) { throw InputError(message); };
  if (epochs < 1) fail("epochs must be at least 1, got " + std::to_string(epochs));
  if (batch_size < 1) fail("batch size must be at least 1, got " + std::to_string(batch_size));
  if (eval_batch_size < 1) fail("eval batch size must be at least 1, got " + std::to_string(eval_batch_size));
  if (!(lr > 0.0)) fail("learning rate must be positive, got " + std::to_string(lr));
  if (!(weight_decay >= 0.0)) fail("weight decay must be non-negative, got " + std::to_string(weight_decay));
  if (!(max_minutes >= 0.0)) fail("the time budget must be non-negative minutes, got " + std::to_string(max_minutes));
  if (patience < 0) fail("patience must be non-negative, got " + std::to_string(patience));
  if (ks.empty()) fail("at least one K is needed for the metrics");
  for (int k : ks)
    if (k < 1) fail("every K must be at least 1, got " + std::to_string(k));
  if (std::find(ks.begin(), ks.end(), select_k) == ks.end())
    fail("the selection K " + std::to_string(select_k) + " must be one of the metric Ks");
}

SasrecBatch make_batch(const SequenceSplit& split, const std::vector<std::size_t>& order, std::size_t begin,
                       std::size_t end, std::int64_t max_len, std::int64_t pad_id) {
  const auto count = static_cast<std::int64_t>(end - begin);
  SasrecBatch batch;
  batch.states = torch::full({count, max_len}, pad_id, torch::kInt64);  // (B, L)
  batch.lengths = torch::empty({count}, torch::kInt64);                 // (B)
  batch.targets = torch::empty({count}, torch::kInt64);                 // (B)
  auto states = batch.states.accessor<std::int64_t, 2>();
  auto lengths = batch.lengths.accessor<std::int64_t, 1>();
  auto targets = batch.targets.accessor<std::int64_t, 1>();
  for (std::int64_t b = 0; b < count; ++b) {
    const auto& row = split.rows[order[begin + static_cast<std::size_t>(b)]];
    const auto length = std::min<std::int64_t>(static_cast<std::int64_t>(row.history.size()), max_len);
    const auto offset = static_cast<std::int64_t>(row.history.size()) - length;  // keep the most recent
    for (std::int64_t i = 0; i < length; ++i) states[b][i] = row.history[static_cast<std::size_t>(offset + i)];
    lengths[b] = length;
    targets[b] = row.target;
  }
  return batch;
}

SasrecEvaluation evaluate_sasrec(Sasrec& model, const SequenceData& data, const SequenceSplit& split,
                                 const std::vector<int>& ks, std::size_t keep, int batch_size) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  SasrecEvaluation result{RankingMetrics(ks), {}};
  const std::size_t want = std::max<std::size_t>(static_cast<std::size_t>(result.metrics.max_k()), keep);
  const std::size_t columns =
      items_needed_for(want, static_cast<std::size_t>(data.num_items), data.sids.size());
  std::vector<std::size_t> order(split.rows.size());
  std::iota(order.begin(), order.end(), 0);
  const auto step = static_cast<std::size_t>(batch_size);
  for (std::size_t begin = 0; begin < order.size(); begin += step) {
    const std::size_t end = std::min(order.size(), begin + step);
    auto batch = make_batch(split, order, begin, end, model->config().max_len, data.num_items);
    auto logits = model->forward(batch.states, batch.lengths);  // (B, N)
    auto ranked = top_items(logits, static_cast<std::int64_t>(columns));  // (B, columns)
    const auto* ids = ranked.data_ptr<std::int64_t>();
    for (std::size_t b = 0; b < end - begin; ++b) {
      auto sids = dedup_sids(ids + b * columns, columns, data.item_sid, want);
      const auto target_sid = data.item_sid[static_cast<std::size_t>(split.rows[begin + b].target)];
      result.metrics.add(first_rank(sids, target_sid));
      if (keep > 0) {
        sids.resize(std::min(sids.size(), keep));
        result.top_sids.push_back(std::move(sids));
      }
    }
  }
  if (was_training) model->train();
  return result;
}

SasrecTrainResult train_sasrec(const SequenceData& data, const SasrecConfig& model_config,
                               const SasrecTrainOptions& options, const EpochCallback& on_epoch) {
  options.validate();
  SasrecConfig config = model_config;
  config.num_items = data.num_items;
  config.validate();

  torch::manual_seed(options.seed);  // parameter init and dropout draw from torch's default generator
  std::mt19937_64 rng(options.seed);  // shuffling and negatives
  SasrecTrainResult result;
  result.model = Sasrec(config);
  auto& model = result.model;
  // One step per batch: the loss is the batch mean (denominator 1), Adam with coupled L2 at a constant lr.
  train::UpdaterOptions update;
  update.optimizer = {train::OptimizerKind::Adam, options.lr, 0.9, 0.999, 1e-8, options.weight_decay};
  update.schedule = {train::ScheduleKind::Constant, options.lr, /*warmup_steps=*/0, /*total_steps=*/1};
  update.report_grad_norm = false;
  train::Updater updater(model->parameters(), update);
  struct TrainBatch {
    SasrecBatch rows;
    torch::Tensor negatives;  // (B), BCE only
  };
  const train::Objective<TrainBatch> objective{
      [](const TrainBatch&) { return train::MicroBatchCounts{1.0, 0.0}; },
      [&](const TrainBatch& batch) {
        auto hidden = model->encode(batch.rows.states, batch.rows.lengths);  // (B, H)
        if (options.loss == SasrecLoss::Ce) return torch::cross_entropy_loss(model->logits(hidden), batch.rows.targets);
        // Only the positive and the negative logit enter the loss, so only those two are computed.
        auto pair = model->score_items(hidden, torch::stack({batch.rows.targets, batch.negatives}, 1));  // (B, 2)
        auto scores = torch::cat({pair.select(1, 0), pair.select(1, 1)}, 0);  // (2B): positives, negatives
        auto labels = torch::cat({torch::ones({pair.size(0)}), torch::zeros({pair.size(0)})}, 0);
        return torch::binary_cross_entropy_with_logits(scores, labels);
      }};

  const auto& rows = data.train.rows;
  std::vector<std::size_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<torch::Tensor> best;
  int since_best = 0;
  const auto step = static_cast<std::size_t>(options.batch_size);
  const auto train_start = std::chrono::steady_clock::now();

  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    auto epoch_start = std::chrono::steady_clock::now();
    model->train();
    std::shuffle(order.begin(), order.end(), rng);
    double loss_sum = 0.0;
    int batches = 0;
    for (std::size_t begin = 0; begin < order.size(); begin += step) {
      const std::size_t end = std::min(order.size(), begin + step);
      std::vector<TrainBatch> step_batches(1);
      auto& batch = step_batches.front();
      batch.rows = make_batch(data.train, order, begin, end, config.max_len, data.num_items);
      if (options.loss == SasrecLoss::Bce) batch.negatives = sample_negatives(batch.rows.targets, data.num_items, rng);
      loss_sum += updater.step(step_batches, objective, /*schedule_step=*/0).loss;
      ++batches;
    }
    result.train_seconds += seconds_since(epoch_start);

    auto valid_start = std::chrono::steady_clock::now();
    auto valid = evaluate_sasrec(model, data, data.valid, options.ks, 0, options.eval_batch_size);
    result.valid_seconds += seconds_since(valid_start);

    EpochRecord record;
    record.epoch = epoch;
    record.loss = loss_sum / std::max(1, batches);
    record.valid = valid.metrics.to_json();
    record.select_score = valid.metrics.ndcg(options.select_k);
    // sasrec.py keeps a model only when it is strictly better (its best starts at 0).
    record.improved = record.select_score > result.best_score || best.empty();
    record.seconds = seconds_since(epoch_start);
    if (record.improved) {
      result.best_score = record.select_score;
      result.best_epoch = epoch;
      best = snapshot(model);
      since_best = 0;
    } else {
      ++since_best;
    }
    result.epochs_run = epoch;
    result.history.push_back(record);
    if (on_epoch) on_epoch(record, result);
    if (since_best > options.patience) {
      result.early_stopped = true;
      break;
    }
    if (options.max_minutes > 0 && seconds_since(train_start) > 60.0 * options.max_minutes) {
      result.out_of_time = true;
      break;
    }
  }
  restore(model, best);
  model->eval();
  return result;
}

}  // namespace sidr::baseline
