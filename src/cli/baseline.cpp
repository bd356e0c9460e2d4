// `sidreasoner baseline sasrec`: the SASRec baseline of MiniOneRec on the same split, scored like our model.
#include <fmt/format.h>

#include "baseline/sasrec_run.h"
#include "cli/command.h"
#include "cli/option_fields.h"

namespace sidr::cli {
namespace {

void run_sasrec(const baseline::SasrecRunOptions& run) {
  auto metrics = baseline::run_sasrec_baseline(run);
  std::string line = fmt::format("SASRec ({}) test, best epoch {}:", baseline::sasrec_loss_name(run.train.loss),
                                 metrics["best_epoch"].get<int>());
  for (int k : run.train.ks)
    line += fmt::format(" HR@{} {:.4f} NDCG@{} {:.4f}", k, metrics["HR@" + std::to_string(k)].get<double>(), k,
                        metrics["NDCG@" + std::to_string(k)].get<double>());
  fmt::print("{}\n{} s in all; written to {}\n", line, metrics["timing"]["total_s"].get<double>(), run.out.string());
}

void setup(CLI::App& root) {
  auto* group = root.add_subcommand("baseline", "Train and evaluate a classic sequential-recommendation baseline");
  group->require_subcommand(1);
  auto options = std::make_shared<baseline::SasrecRunOptions>();
  auto* cmd = group->add_subcommand(
      "sasrec", "SASRec as in MiniOneRec (1 block, hidden 32): train on train, select on valid, rank all items on "
                "test, HR/NDCG over distinct SIDs");
  OptionHandles flags = add_option_fields(cmd, *options);
  flags.at("loss")->transform(CLI::CheckedTransformer(
      std::map<std::string, baseline::SasrecLoss>{{"bce", baseline::SasrecLoss::Bce}, {"ce", baseline::SasrecLoss::Ce}}));
  cmd->callback([options] { run_sasrec(*options); });
}

}  // namespace
SIDR_COMMAND(60, setup);
}  // namespace sidr::cli
