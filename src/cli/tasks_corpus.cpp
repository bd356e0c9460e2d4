// `sidreasoner tasks corpus`: the text a from-scratch tokenizer is trained on — the catalog's titles and
// descriptions, the Stage 1 prompts (T1-T5, and T6/T7 when present) and the evaluation prompts — one document
// after another, in a file for `sidreasoner tokenizer train --corpus`.
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "data/catalog.h"
#include "data/dataset.h"
#include "data/interactions.h"
#include "tasks/eval_prompts.h"
#include "tasks/task_mix.h"
#include "util/error.h"
#include "util/file_io.h"

#include "cli/command.h"
#include "cli/option_fields.h"

namespace sidr::cli {
namespace {
namespace fs = std::filesystem;

struct CorpusOptions {
  std::string data = "data/Amazon";
  std::string dataset = "Industrial_and_Scientific";
  std::string out;
  std::string style = "reference";
  std::string eval_prompt = "reference";
  std::size_t max_samples = 40000;  // Stage 1 samples taken (after the seeded shuffle); 0 = all
  std::uint64_t seed = 42;
  std::string item_corpus;  // T6 file (default: the reference location if present)
  std::string user_corpus;  // T7 / Stage 2 narrative CSV (default: the reference location if present)
};

void run_corpus(const CorpusOptions& o) {
  data::DatasetPaths paths{o.data, o.dataset};
  const data::Catalog catalog = data::Catalog::load(paths);
  std::string corpus;
  for (const auto& item : catalog.items()) {
    corpus += item.title + "\n";
    corpus += data::Catalog::processed_description(item) + "\n";
  }
  tasks::TaskOptions options;
  options.style = tasks::parse_prompt_style(o.style);
  options.seed = o.seed;
  options.item_corpus = o.item_corpus;
  options.user_corpus = o.user_corpus;
  const tasks::TextSet stage1 = tasks::build_stage1_text(paths, catalog, options);
  std::size_t taken = 0;
  for (const auto& sample : stage1.samples) {
    if (o.max_samples && taken == o.max_samples) break;
    corpus += sample.text() + "\n";
    ++taken;
  }
  // Stage 2's reasoning samples too, when there is a narrative, so the reasoning's words get tokens of their own.
  std::size_t reasoning = 0;
  if (fs::exists(tasks::resolve_user_corpus(paths, options))) {
    for (const auto& sample : tasks::build_stage2_text(paths, options).samples) {
      if (o.max_samples && reasoning == o.max_samples / 4) break;
      corpus += sample.text() + "\n";
      ++reasoning;
    }
  }
  tasks::EvalPromptOptions eval_options;
  eval_options.style = options.style;
  eval_options.eval_style = tasks::parse_eval_prompt_style(o.eval_prompt);
  const auto valid = data::Interactions::load(paths.interactions(data::Split::Valid));
  std::size_t prompts = 0;
  for (const auto& prompt : tasks::build_eval_prompts(valid, eval_options)) {
    if (o.max_samples && prompts == o.max_samples / 4) break;
    corpus += prompt.text() + "\n";
    ++prompts;
  }
  write_file_atomic(o.out, corpus);
  fmt::print("wrote {} ({:.1f} MB): {} items, {} Stage 1 samples, {} reasoning samples, {} eval prompts\n", o.out,
             corpus.size() / 1e6, catalog.items().size(), taken, reasoning, prompts);
}

void setup(CLI::App& root) {
  auto* tasks_cmd = root.get_subcommand("tasks");
  auto options = std::make_shared<CorpusOptions>();
  auto* cmd = tasks_cmd->add_subcommand("corpus", "Write the text a from-scratch tokenizer is trained on");
  add_data_options(cmd, options->data, options->dataset);
  cmd->add_option("--out", options->out, "Output text file")->required();
  cmd->add_option("--style", options->style, "Prompt style: reference|compact|sequence")->capture_default_str();
  cmd->add_option("--eval-prompt", options->eval_prompt, "Plain eval prompt: reference|training")
      ->capture_default_str();
  cmd->add_option("--max-samples", options->max_samples, "Stage 1 samples to include (0 = all)")
      ->capture_default_str();
  cmd->add_option("--seed", options->seed, "Seed of the task shuffle")->capture_default_str();
  cmd->add_option("--item-corpus", options->item_corpus, "T6 item corpus (default: the reference location if present)");
  cmd->add_option("--user-corpus", options->user_corpus,
                  "T7 / Stage 2 narrative CSV (default: the reference location if present); its reasoning "
                  "samples join the corpus");
  cmd->callback([options] { run_corpus(*options); });
}

}  // namespace
SIDR_COMMAND(36, setup);
}  // namespace sidr::cli
