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
#include "util/json.h"

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
};

// Returns the content of metrics.json.
OrderedJson run_sasrec_baseline(const SasrecRunOptions& options);

}  // namespace sidr::baseline
