// `sidreasoner tasks stats`: builds a training set (Stage 1 or 2) and the validation sets with a tokenizer and
// prints per-task counts, token lengths, label tokens, the prefix/target tokenization mismatches, truncation
// and the time taken. The catalog's SID tokens are added to the tokenizer first.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "data/catalog.h"
#include "data/dataset.h"
#include "tasks/task_mix.h"
#include "text/tokenizer.h"
#include "util/error.h"

#include "cli/command.h"
#include "cli/option_fields.h"

namespace sidr::cli {
namespace {

struct StatsOptions {
  std::string data = "data/Amazon";
  std::string dataset = "Industrial_and_Scientific";
  std::string tokenizer;
  int stage = 1;
  std::string style = "reference";
  std::string weights;
  double plain_weight = 0.0;
  std::string narrative, item_corpus, general;
  std::size_t cutoff = 1024;
  bool validation = true;
};

void print_set(const std::string& name, const tasks::SampleSet& set) {
  struct Acc {
    std::size_t n = 0, tokens = 0, labels = 0, max_len = 0;
  };
  std::map<std::string, Acc> by_task;
  for (const auto& s : set.samples) {
    auto& a = by_task[tasks::task_name(s.task)];
    ++a.n;
    a.tokens += s.input_ids.size();
    a.labels += s.num_labels();
    a.max_len = std::max(a.max_len, s.input_ids.size());
  }
  fmt::print("{}: {} samples\n", name, set.samples.size());
  fmt::print("  {:<14}{:>9}{:>12}{:>12}{:>10}{:>14}\n", "task", "samples", "mean len", "mean label", "max len",
             "tokens");
  for (const auto& [task, a] : by_task)
    fmt::print("  {:<14}{:>9}{:>12.1f}{:>12.1f}{:>10}{:>14}\n", task, a.n, double(a.tokens) / a.n,
               double(a.labels) / a.n, a.max_len, a.tokens);
  const auto& st = set.stats;
  fmt::print("  tokenization: {} mismatches (prefix+target != whole text; {} found by search, {} approximate), "
             "{} truncated, {} without labels\n",
             st.mismatches, st.searched, st.approximate, st.truncated, st.no_labels);
  const auto& c = set.corpus;
  if (c.used || c.skipped_missing || c.skipped_unclosed || c.skipped_bad)
    fmt::print("  corpus rows: {} used, {} skipped (missing/NaN), {} skipped (unclosed <think>), {} skipped (bad)\n",
               c.used, c.skipped_missing, c.skipped_unclosed, c.skipped_bad);
}

void run_stats(const StatsOptions& o) {
  if (o.stage != 1 && o.stage != 2) throw InputError("--stage must be 1 or 2, got " + std::to_string(o.stage));
  const data::DatasetPaths paths{o.data, o.dataset};
  tasks::TaskOptions options;
  options.style = tasks::parse_prompt_style(o.style);
  options.weights = tasks::parse_weights(o.weights);
  options.plain_weight = o.plain_weight;
  if (o.plain_weight > 0 && o.stage != 2) throw InputError("--plain-weight needs --stage 2");
  options.user_corpus = o.narrative;
  options.item_corpus = o.item_corpus;
  options.general_chats = o.general;
  options.encode.cutoff = o.cutoff;
  options.encode.keep_text = false;
  options.validate();

  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  const auto catalog = data::Catalog::load(paths);
  auto tokenizer = text::Tokenizer::from_file(o.tokenizer);
  const std::size_t added = tasks::add_sid_tokens(tokenizer, catalog);
  auto t1 = Clock::now();
  fmt::print("tokenizer: {} ids ({} SID tokens added), load {:.2f} s\n", tokenizer.size(), added,
             std::chrono::duration<double>(t1 - t0).count());

  const tasks::TextSet text = o.stage == 1 ? tasks::build_stage1_text(paths, catalog, options)
                                           : tasks::build_stage2_text(paths, options);
  auto t2 = Clock::now();
  const tasks::SampleSet set = tasks::encode_set(text, tokenizer, options.encode);
  auto t3 = Clock::now();
  print_set(fmt::format("stage {} train", o.stage), set);
  const double render_s = std::chrono::duration<double>(t2 - t1).count();
  const double encode_s = std::chrono::duration<double>(t3 - t2).count();
  fmt::print("  time: render {:.2f} s, tokenize {:.2f} s ({:.0f} samples/s)\n", render_s, encode_s,
             set.samples.size() / std::max(encode_s, 1e-9));
  if (o.validation) {
    const auto v = tasks::build_validation(paths, catalog, tokenizer, options);
    print_set("valid T1", v.t1);
    print_set("valid title2sid", v.title2sid);
    print_set("valid sid2title", v.sid2title);
  }
}

void setup(CLI::App& root) {
  auto* tasks_cmd = root.get_subcommand("tasks");
  auto options = std::make_shared<StatsOptions>();
  auto* cmd = tasks_cmd->add_subcommand("stats", "Build a training set with a tokenizer and print counts, lengths, "
                                                 "tokenization mismatches and timing");
  add_data_options(cmd, options->data, options->dataset);
  cmd->add_option("--tokenizer", options->tokenizer, "tokenizer.json")->required();
  cmd->add_option("--stage", options->stage, "1 (alignment tasks) or 2 (reasoning activation)")->capture_default_str();
  cmd->add_option("--style", options->style, "Prompt style: reference|compact|sequence")->capture_default_str();
  cmd->add_option("--weights", options->weights, "Per-task mixing weights, e.g. T1=2,T2=0.5,T6=0");
  cmd->add_option("--plain-weight", options->plain_weight, "Stage 2: weight of plain T1 samples beside the reasoning")
      ->capture_default_str();
  cmd->add_option("--narrative", options->narrative, "Narrative CSV (T7, Stage 2)");
  cmd->add_option("--item-corpus", options->item_corpus, "item_enhanced_v2.json (T6)");
  cmd->add_option("--general", options->general, "General chat JSONL (T8)");
  cmd->add_option("--cutoff", options->cutoff, "Token cutoff")->capture_default_str();
  cmd->add_flag("!--no-validation", options->validation, "Skip the validation sets");
  cmd->callback([options] { run_stats(*options); });
}

}  // namespace
SIDR_COMMAND(36, setup);
}  // namespace sidr::cli
