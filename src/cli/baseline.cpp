// `sidreasoner baseline sasrec`: the SASRec baseline of MiniOneRec on the same split, scored like our model.
#include <fmt/format.h>

#include "baseline/sasrec_run.h"
#include "cli/command.h"
#include "cli/option_fields.h"

namespace sidr::cli {
namespace {

struct SasrecCliOptions {
  baseline::SasrecRunOptions run;
  std::string loss = "bce";
};

void run_sasrec(SasrecCliOptions& cli) {
  cli.run.train.loss = baseline::parse_sasrec_loss(cli.loss);
  auto metrics = baseline::run_sasrec_baseline(cli.run);
  std::string line = fmt::format("SASRec ({}) test, best epoch {}:", cli.loss, metrics["best_epoch"].get<int>());
  for (int k : cli.run.train.ks)
    line += fmt::format(" HR@{} {:.4f} NDCG@{} {:.4f}", k, metrics["HR@" + std::to_string(k)].get<double>(), k,
                        metrics["NDCG@" + std::to_string(k)].get<double>());
  fmt::print("{}\n{} s in all; written to {}\n", line, metrics["timing"]["total_s"].get<double>(),
             cli.run.out.string());
}

void setup(CLI::App& root) {
  auto* group = root.add_subcommand("baseline", "Train and evaluate a classic sequential-recommendation baseline");
  group->require_subcommand(1);
  auto options = std::make_shared<SasrecCliOptions>();
  auto& run = options->run;
  auto* cmd = group->add_subcommand(
      "sasrec", "SASRec as in MiniOneRec (1 block, hidden 32): train on train, select on valid, rank all items on "
                "test, HR/NDCG over distinct SIDs");
  add_data_options(cmd, run.data_root, run.dataset);
  cmd->add_option("--out", run.out, "Run directory to write (replaced atomically)")->required();
  cmd->add_option("--loss", options->loss, "bce: one sampled negative (MiniOneRec); ce: softmax over all items")
      ->check(CLI::IsMember({"bce", "ce"}))
      ->capture_default_str();
  cmd->add_option("--epochs", run.train.epochs, "Maximum epochs")->capture_default_str();
  cmd->add_option("--patience", run.train.patience, "Stop after more than this many epochs without a better valid "
                                                    "NDCG@20")
      ->capture_default_str();
  cmd->add_option("--max-minutes", run.train.max_minutes, "Training time budget in minutes (0: none); the best "
                                                         "epoch so far is kept")
      ->capture_default_str();
  cmd->add_option("--batch-size", run.train.batch_size, "Training batch size")->capture_default_str();
  cmd->add_option("--lr", run.train.lr, "Adam learning rate")->capture_default_str();
  cmd->add_option("--weight-decay", run.train.weight_decay, "Adam L2 decay")->capture_default_str();
  cmd->add_option("--hidden", run.model.hidden, "Hidden size")->capture_default_str();
  cmd->add_option("--heads", run.model.heads, "Attention heads")->capture_default_str();
  cmd->add_option("--dropout", run.model.dropout, "Dropout rate")->capture_default_str();
  cmd->add_option("--max-len", run.model.max_len, "History length (most recent items kept)")->capture_default_str();
  cmd->add_option("--seed", run.train.seed, "Random seed (init, dropout, shuffling, negatives)")
      ->capture_default_str();
  cmd->add_option("--threads", run.threads, "libtorch intra-op threads")->capture_default_str();
  cmd->add_option("--top", run.predictions_k, "Predicted SIDs written per test row")->capture_default_str();
  add_progress_flag(cmd, run.progress);
  cmd->callback([options] { run_sasrec(*options); });
}

}  // namespace
SIDR_COMMAND(60, setup);
}  // namespace sidr::cli
