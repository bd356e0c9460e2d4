// `sidreasoner metrics PREDICTIONS.json`: HR@K / NDCG@K of a reference-format prediction file (calc.py rules).
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "data/catalog.h"
#include "data/sid_string.h"
#include "eval/metrics.h"
#include "util/error.h"
#include "util/file_io.h"

namespace sidr::cli {
namespace {

struct MetricsOptions {
  std::string predictions;  // reference-format predictions.json
  std::string data;         // optional: dataset root, to count predictions that are not catalog SIDs
  std::string dataset;      // optional: dataset name (with --data)
  std::string out;          // optional: write the metrics JSON here too
};

void run_metrics(const MetricsOptions& options) {
  if (options.data.empty() != options.dataset.empty())
    throw InputError("--data and --dataset go together (both or neither)");
  auto rows = eval::read_prediction_rows(options.predictions);
  eval::MetricsReport report;
  if (!options.data.empty()) {
    auto catalog = data::Catalog::load(data::DatasetPaths{options.data, options.dataset});
    report = eval::compute_metrics(rows, [&](const std::string& sid) { return catalog.has_sid(sid); }, "catalog");
  } else {
    report = eval::compute_metrics(rows, [](const std::string& sid) { return data::sid_error(sid).empty(); },
                                   "syntax");
  }
  Json json = report.to_json();
  json["file"] = options.predictions;
  std::string text = json.dump(2);
  if (!options.out.empty()) write_file_atomic(options.out, text + "\n");
  fmt::print("{}\n", text);
}

void setup(CLI::App& root) {
  auto options = std::make_shared<MetricsOptions>();
  auto* cmd = root.add_subcommand(
      "metrics", "HR@K and NDCG@K of a reference-format predictions.json (the reference's calc.py rules)");
  cmd->add_option("predictions", options->predictions, "predictions.json (list of {output, predict, ...})")
      ->required();
  cmd->add_option("--data", options->data, "dataset root, to count predictions outside the catalog (e.g. data/Amazon)");
  cmd->add_option("--dataset", options->dataset, "dataset name (e.g. Industrial_and_Scientific)");
  cmd->add_option("--out", options->out, "also write the metrics JSON to this file");
  cmd->callback([options] { run_metrics(*options); });
}

}  // namespace
SIDR_COMMAND(61, setup);
}  // namespace sidr::cli
