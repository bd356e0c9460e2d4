// The run report: metrics beside the published baselines, training/validation curves, timings, config.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "util/json.h"

namespace sidr::pipeline {

// One row of the results table: a name and its HR@K / NDCG@K values (keys "HR@10", "NDCG@10", ...).
struct ResultRow {
  std::string name;
  std::map<std::string, double> metrics;
  std::string source;  // "measured here" or "published"
};

// HR@K / NDCG@K of a parsed metrics.json (keys in any case, at any depth), keys normalised to "HR@10".
std::map<std::string, double> ranking_metrics(const Json& metrics_json);

// What an evaluation combined, from its metrics.json: " [2 models + SASRec CE mixed in at 0.25]", or "" for
// one model alone (or an unreadable file).
std::string combination_note(const std::filesystem::path& metrics_json);
std::string combination_note(const Json& metrics);  // the same from the parsed file

// The rows measured in a run directory (ours on test, SASRec variants) followed by the published rows.
std::vector<ResultRow> collect_results(const std::filesystem::path& run_dir, const std::string& dataset);

// A fixed-width text table of rows (HR/NDCG at 3, 5, 10), for the terminal.
std::string format_results_table(const std::vector<ResultRow>& rows);

// The decoding modes evaluated on a split beside plain mode: the <mode> of every eval_<split>_<mode>/metrics.json
// (the parts alone, "lm" and "single", excluded), sorted.
std::vector<std::string> mode_dirs(const std::filesystem::path& run_dir, const std::string& split);

// Markdown showing `users` test users spread over the split: history titles, the generated reasoning of the
// think-mode evaluation (eval_test_think first), the top-5 recommended titles, hit or miss. "" without one.
std::string example_users_markdown(const std::filesystem::path& run_dir, const std::string& dataset,
                                   const std::filesystem::path& data_root, std::size_t users = 5);

// Writes report.md, report.html and the SVG curves (train_loss.svg, valid_loss.svg) into run_dir.
void write_report(const std::filesystem::path& run_dir, const std::string& dataset);

}  // namespace sidr::pipeline
