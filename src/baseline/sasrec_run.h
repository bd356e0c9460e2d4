// `sidreasoner baseline sasrec` as a library call: load the dataset, train with model selection on valid,
// evaluate the best model on test, and write one run directory atomically:
//   config.json       the resolved options, dataset sizes and parameter count
//   metrics.json      test HR@K / NDCG@K (distinct SIDs), best epoch, valid metrics of the best epoch, timing
//   metrics.jsonl     one line per epoch: loss, valid metrics, seconds
//   predictions.json  per test row {"input": history SIDs, "output": target SID + "\n", "predict": [top SIDs]}
//   model.pt          the best weights (torch::save of the module; PyTorch-compatible parameter names)
#pragma once
#include <filesystem>
#include <string>

#include "baseline/sasrec.h"
#include "baseline/sasrec_trainer.h"
#include "util/common_option_fields.h"
#include "util/json.h"
#include "util/option_fields.h"

namespace sidr::baseline {

struct SasrecRunOptions {
  std::filesystem::path data_root = "data/Amazon";  // holds train/ valid/ test/ index/ info/
  std::string dataset = "Industrial_and_Scientific";
  std::filesystem::path out;                         // run directory (replaced atomically)
  SasrecConfig model;                                // num_items is filled from the catalog
  SasrecTrainOptions train;
  int threads = 1;                                   // libtorch intra-op threads
  int predictions_k = 10;                            // SIDs written per row in predictions.json
  bool progress = true;                              // progress bar on stderr
  void validate() const;

  // The one list of `baseline sasrec`'s options: its flags and config.json's "options" (util/option_fields.h).
  template <class Self, class Visit>
  static void fields(Self& o, Visit&& visit) {
    using opts::Field;
    using opts::kHideDefault;
    using opts::kNotRecorded;
    using opts::kRequired;
    opts::data_fields(o.data_root, o.dataset, visit);
    visit(Field{"out", "run directory to write (replaced atomically)", kRequired | kNotRecorded}, o.out);
    visit(Field{"loss", "bce (the default): one sampled negative (MiniOneRec); ce: softmax over all items",
                kHideDefault},
          o.train.loss);
    visit(Field{"epochs", "maximum epochs"}, o.train.epochs);
    visit(Field{"patience", "stop after more than this many epochs without a better valid NDCG@20"},
          o.train.patience);
    visit(Field{"max_minutes", "training time budget in minutes (0: none); the best epoch so far is kept"},
          o.train.max_minutes);
    visit(Field{"batch_size", "training batch size"}, o.train.batch_size);
    visit(Field{"lr", "Adam learning rate"}, o.train.lr);
    visit(Field{"weight_decay", "Adam L2 decay"}, o.train.weight_decay);
    visit(Field{"hidden", "hidden size"}, o.model.hidden);
    visit(Field{"heads", "attention heads"}, o.model.heads);
    visit(Field{"dropout", "dropout rate"}, o.model.dropout);
    visit(Field{"max_len", "history length (most recent items kept)"}, o.model.max_len);
    visit(Field{"seed", "random seed (init, dropout, shuffling, negatives)"}, o.train.seed);
    visit(Field{"threads", "libtorch intra-op threads"}, o.threads);
    visit(Field{"top", "predicted SIDs written per test row"}, o.predictions_k);
    opts::progress_field(o.progress, visit);
  }
  Json to_json() const { return opts::fields_to_json(*this); }
};

// Returns the content of metrics.json.
OrderedJson run_sasrec_baseline(const SasrecRunOptions& options);

}  // namespace sidr::baseline
