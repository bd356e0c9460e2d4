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

// Without a catalog, a valid prediction is a well-formed SID with as many levels as the targets have (any code
// N): the level count is the one thing a bare predictions file tells about its grammar. Targets that are not
// SIDs are skipped; targets with different level counts are an error (the file mixes two catalogs).
data::SidGrammar grammar_of_targets(const std::vector<eval::ScoredRow>& rows, const std::string& file) {
  data::SidGrammar grammar = data::kAnySidGrammar;
  std::size_t first_row = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<std::string> tokens;
    if (!data::sid_error(rows[i].target, &tokens, data::kAnySidGrammar).empty()) continue;
    const int levels = static_cast<int>(tokens.size());
    if (grammar.levels == 0) {
      grammar.levels = levels;
      first_row = i;
    } else if (levels != grammar.levels) {
      throw InputError(fmt::format("{}: row {}: field output: a SID of {} levels, but row {} has {} (pass --data and "
                                   "--dataset to check predictions against a catalog)",
                                   file, i + 1, levels, first_row + 1, grammar.levels));
    }
  }
  return grammar;
}

void run_metrics(const MetricsOptions& options) {
  if (options.data.empty() != options.dataset.empty())
    throw InputError("--data and --dataset go together (both or neither)");
  auto rows = eval::read_prediction_rows(options.predictions);
  eval::MetricsReport report;
  int syntax_levels = -1;
  if (!options.data.empty()) {
    auto catalog = data::Catalog::load(data::DatasetPaths{options.data, options.dataset});
    report = eval::compute_metrics(rows, [&](const std::string& sid) { return catalog.has_sid(sid); }, "catalog");
  } else {
    const data::SidGrammar grammar = grammar_of_targets(rows, options.predictions);
    syntax_levels = grammar.levels;
    report = eval::compute_metrics(
        rows, [&](const std::string& sid) { return data::sid_error(sid, nullptr, grammar).empty(); }, "syntax");
  }
  Json json = report.to_json();
  json["file"] = options.predictions;
  if (syntax_levels >= 0) json["syntax_levels"] = syntax_levels;  // 0: the targets are not SIDs, any count passes
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
