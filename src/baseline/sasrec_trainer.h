// Training and evaluation of the SASRec baseline as in MiniOneRec's sasrec.py: Adam with L2 decay, shuffled
// batches of train rows, BCE against one uniformly sampled negative (or full-softmax cross-entropy), validation
// every epoch, the best model kept by valid NDCG@20, early stop after more than `patience` evaluations without
// improvement. Evaluation ranks all items and scores distinct SIDs (see sid_metrics.h).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "baseline/sasrec.h"
#include "baseline/sequence_data.h"
#include "baseline/sid_metrics.h"
#include "util/json.h"

namespace sidr::baseline {

enum class SasrecLoss {
  Bce,  // BCE-with-logits on [positive logit; one sampled negative logit != target] (MiniOneRec's default)
  Ce,   // softmax cross-entropy over all items
};
SasrecLoss parse_sasrec_loss(const std::string& name);  // "bce" | "ce"; InputError otherwise
const char* sasrec_loss_name(SasrecLoss loss);
// The same names in JSON (the run record), so Json(loss) is "bce" or "ce".
NLOHMANN_JSON_SERIALIZE_ENUM(SasrecLoss, {{SasrecLoss::Bce, "bce"}, {SasrecLoss::Ce, "ce"}})

struct SasrecTrainOptions {
  SasrecLoss loss = SasrecLoss::Bce;
  int epochs = 500;             // upper bound; early stopping usually ends sooner
  int batch_size = 1024;
  double lr = 1e-3;
  double weight_decay = 1e-5;   // Adam's coupled L2 (sasrec.py l2_decay)
  int patience = 20;            // stop once more than `patience` evaluations in a row did not improve
  int select_k = 20;            // model selection metric: valid NDCG@select_k (sasrec.py: last of its topk)
  std::vector<int> ks = {1, 3, 5, 10, 20};  // metrics reported on valid and test
  std::uint64_t seed = 1;       // init, dropout, shuffling and negatives
  int eval_batch_size = 1024;
  double max_minutes = 0.0;     // wall-clock budget for training, 0 = none; the epoch in progress completes
  void validate() const;        // InputError with a full sentence
};

struct EpochRecord {
  int epoch = 0;          // 1-based
  double loss = 0.0;      // mean train loss over the epoch's batches
  OrderedJson valid;      // HR@K / NDCG@K on valid
  double select_score = 0.0;
  bool improved = false;
  double seconds = 0.0;   // train + validation time of this epoch
};

struct SasrecTrainResult {
  Sasrec model{nullptr};  // holds the best weights by valid
  int best_epoch = 0;
  double best_score = 0.0;
  int epochs_run = 0;
  bool early_stopped = false;
  bool out_of_time = false;    // stopped by max_minutes (the only stop that depends on machine speed)
  std::vector<EpochRecord> history;
  double train_seconds = 0.0;  // training steps only
  double valid_seconds = 0.0;  // per-epoch validation
};

using EpochCallback = std::function<void(const EpochRecord&, const SasrecTrainResult&)>;

SasrecTrainResult train_sasrec(const SequenceData& data, const SasrecConfig& model_config,
                               const SasrecTrainOptions& options, const EpochCallback& on_epoch = {});

struct SasrecEvaluation {
  RankingMetrics metrics;
  std::vector<std::vector<std::int32_t>> top_sids;  // per row: the first `keep` distinct SID indices, best first
};

// Ranks all items for every row (ties broken by the lower item id), converts to distinct SIDs and scores.
// keep = how many distinct SIDs per row to return in top_sids (0: none).
SasrecEvaluation evaluate_sasrec(Sasrec& model, const SequenceData& data, const SequenceSplit& split,
                                 const std::vector<int>& ks, std::size_t keep = 0, int batch_size = 1024);

// The `count` best items per row of logits (B, N), best first, equal scores ordered by the lower item id;
// exactly the first `count` columns of a stable descending sort, at topk's cost. (B, count) int64.
torch::Tensor top_items(const torch::Tensor& logits, std::int64_t count);

// Stacks rows [begin, end) of `order` (indices into split.rows) into padded tensors.
struct SasrecBatch {
  torch::Tensor states;   // (B, L) int64, right-padded with N
  torch::Tensor lengths;  // (B) int64
  torch::Tensor targets;  // (B) int64
};
SasrecBatch make_batch(const SequenceSplit& split, const std::vector<std::size_t>& order, std::size_t begin,
                       std::size_t end, std::int64_t max_len, std::int64_t pad_id);

}  // namespace sidr::baseline
