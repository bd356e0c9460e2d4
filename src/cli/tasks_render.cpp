// `sidreasoner tasks render`: prints one training or evaluation sample exactly as the model sees it (chat
// markup included, nothing else on stdout). With --labels the supervised span is wrapped in ⟦ ⟧; with
// --tokenizer the text is rebuilt from the token ids after left truncation (and the span is the label mask).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "data/catalog.h"
#include "data/dataset.h"
#include "data/interactions.h"
#include "tasks/builders.h"
#include "tasks/corpus.h"
#include "tasks/encode.h"
#include "tasks/eval_prompts.h"
#include "tasks/task_mix.h"
#include "text/tokenizer.h"
#include "util/error.h"

#include "cli/command.h"
#include "cli/option_fields.h"

namespace sidr::cli {
namespace {

const char* const kOpen = "\u27e6";   // ⟦
const char* const kClose = "\u27e7";  // ⟧

struct RenderOptions {
  std::string data = "data/Amazon";
  std::string dataset = "Industrial_and_Scientific";
  std::string task = "T1";
  std::string split = "train";
  long long row = 0;
  bool labels = false;
  bool ids = false;  // print {"input_ids": [...], "labels": [...]} instead of text (needs --tokenizer)
  std::string tokenizer;
  std::string style = "reference";
  std::string eval_prompt = "reference";
  std::uint64_t seed = 42;
  std::string narrative;    // T7 / reason source; default <data>/index/<dataset>.integrated_narrative.csv
  std::string item_corpus;  // T6 source; default <data>/index/<dataset>.item_enhanced_v2.json
  std::string general;      // T8 source (JSONL)
  std::size_t cutoff = 1024;
};

std::size_t checked_row(long long row, std::size_t count, const std::string& what) {
  if (row < 0 || static_cast<std::size_t>(row) >= count)
    throw InputError("row " + std::to_string(row) + " is out of range: " + what + " has " + std::to_string(count) +
                     " samples (0.." + (count ? std::to_string(count - 1) : std::string("none")) + ")");
  return static_cast<std::size_t>(row);
}

std::filesystem::path required_file(const std::string& option, const std::filesystem::path& fallback,
                                    const char* flag, const char* what) {
  std::filesystem::path p = option.empty() ? fallback : std::filesystem::path(option);
  if (!std::filesystem::exists(p))
    throw InputError(std::string(what) + ", but " + p.string() + " does not exist (give one with " + flag + ")");
  return p;
}

// The training sample of --task at --row, as text.
tasks::TextSample training_sample(const RenderOptions& o, const data::DatasetPaths& paths) {
  const std::string& t = o.task;
  tasks::TaskContext ctx;
  ctx.category = data::category_phrase(paths.name);
  ctx.style = tasks::parse_prompt_style(o.style);
  ctx.seed = o.seed;
  tasks::GroupSources sources;  // the same dispatch as the training mix (tasks::build_group)
  std::optional<data::Catalog> catalog;
  std::optional<data::Interactions> rows;
  std::string what = t;
  if (t == "T1" || t == "T2" || t == "T3" || t == "T4" || t == "T5") {
    catalog.emplace(data::Catalog::load(paths));
    ctx.catalog = &*catalog;
    if (t == "T2") {
      what = "T2 (sid2title then title2sid)";
    } else {
      rows.emplace(data::Interactions::load(paths.interactions(data::parse_split(o.split))));
      sources.rows = &*rows;
      what = t + " on " + rows->file.string();
      // Sequence style: --row counts samples (one per run of a user's rows), not CSV rows.
      if (t == "T1" && ctx.style == tasks::PromptStyle::Sequence)
        what = "T1 sequence samples of " + rows->file.string();
    }
  } else if (t == "T6") {
    sources.item_corpus =
        required_file(o.item_corpus, paths.item_enriched_json(), "--item-corpus", "T6 needs the item corpus");
    what = "T6 on " + sources.item_corpus.string();
  } else if (t == "T7" || t == "reason") {
    sources.user_corpus = required_file(o.narrative, paths.narrative_csv(), "--narrative",
                                        t == "reason" ? "the reason task needs the narrative CSV"
                                                      : "T7 needs the narrative CSV");
    what = t + " on " + sources.user_corpus.string() + " (usable rows)";
  } else if (t == "T8") {
    if (o.general.empty()) throw InputError("T8 needs the general chat file (give one with --general)");
    sources.general_chats = o.general;
    what = "T8 on " + o.general;
  }
  const auto samples = tasks::build_group(t, ctx, sources);
  return samples.at(checked_row(o.row, samples.size(), what));
}

void write(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

std::string ids_json(const std::vector<text::TokenId>& ids) {
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "]";
}

// Marks every run of labelled tokens, decoding the ids run by run.
std::string render_tokens(const text::Tokenizer& tok, const tasks::Sample& s, bool labels) {
  if (!labels) return tok.decode(s.input_ids);
  std::string out;
  std::size_t i = 0;
  while (i < s.input_ids.size()) {
    const bool supervised = s.labels[i] != tasks::kIgnoreIndex;
    std::size_t j = i;
    while (j < s.input_ids.size() && (s.labels[j] != tasks::kIgnoreIndex) == supervised) ++j;
    std::vector<text::TokenId> run(s.input_ids.begin() + i, s.input_ids.begin() + j);
    if (supervised) out += kOpen;
    out += tok.decode(run);
    if (supervised) out += kClose;
    i = j;
  }
  return out;
}

void run_render(const RenderOptions& o) {
  const data::DatasetPaths paths{o.data, o.dataset};
  const std::string& t = o.task;
  static const std::vector<std::string> known = {"T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8",
                                                 "reason", "eval", "eval-think"};
  if (std::find(known.begin(), known.end(), t) == known.end())
    throw InputError("unknown task '" + t + "' (expected T1..T8, reason, eval or eval-think)");

  if (o.ids && o.tokenizer.empty()) throw InputError("--ids needs --tokenizer");
  std::optional<text::Tokenizer> tokenizer;
  if (!o.tokenizer.empty()) {
    tokenizer.emplace(text::Tokenizer::from_file(o.tokenizer));
    tasks::add_sid_tokens(*tokenizer, data::Catalog::load(paths));
  }

  if (t == "eval" || t == "eval-think") {
    tasks::EvalPromptOptions eo;
    eo.mode = t == "eval" ? tasks::EvalMode::Plain : tasks::EvalMode::Think;
    eo.eval_style = tasks::parse_eval_prompt_style(o.eval_prompt);
    eo.style = tasks::parse_prompt_style(o.style);
    const auto rows = data::Interactions::load(paths.interactions(data::parse_split(o.split)));
    const std::size_t row = checked_row(o.row, rows.rows.size(), t + " on " + rows.file.string());
    const auto prompt = tasks::build_eval_prompt(rows.rows[row], row, eo);
    if (tokenizer) {
      tasks::SampleEncoder encoder(*tokenizer);
      const auto ids = tasks::eval_prompt_ids(prompt, eo.mode, encoder);
      write(o.ids ? "{\"input_ids\": " + ids_json(ids) + "}\n" : tokenizer->decode(ids));
    } else {
      write(prompt.text());
    }
    return;
  }

  const tasks::TextSample sample = training_sample(o, paths);
  if (tokenizer) {
    tasks::EncodeOptions eo;
    eo.cutoff = o.cutoff;
    tasks::SampleEncoder encoder(*tokenizer, eo);
    const tasks::Sample s = encoder.encode(sample);
    if (o.ids)
      write("{\"input_ids\": " + ids_json(s.input_ids) + ", \"labels\": " + ids_json(s.labels) + "}\n");
    else
      write(render_tokens(*tokenizer, s, o.labels));
    return;
  }
  if (o.labels)
    write(sample.prefix + kOpen + sample.supervised + kClose + sample.suffix);
  else
    write(sample.text());
}

void setup(CLI::App& root) {
  auto* tasks_cmd = root.add_subcommand("tasks", "Inspect the training and evaluation tasks");
  tasks_cmd->require_subcommand(1);
  auto options = std::make_shared<RenderOptions>();
  auto* cmd = tasks_cmd->add_subcommand(
      "render", "Print one sample exactly as the model sees it (chat markup included, nothing else on stdout)");
  add_data_options(cmd, options->data, options->dataset);
  cmd->add_option("--task", options->task, "T1|T2|T3|T4|T5|T6|T7|T8|reason|eval|eval-think")->capture_default_str();
  cmd->add_option("--split", options->split, "train|valid|test (T1, T3-T5, eval*)")->capture_default_str();
  cmd->add_option("--row", options->row, "0-based sample index")->capture_default_str();
  cmd->add_flag("--labels", options->labels, "Wrap the supervised span in \u27e6 \u27e7");
  cmd->add_option("--tokenizer", options->tokenizer,
                  "tokenizer.json: render from the token ids (SID tokens added, left truncation, label mask)");
  cmd->add_flag("--ids", options->ids, "With --tokenizer: print {\"input_ids\": [...], \"labels\": [...]} as JSON");
  cmd->add_option("--style", options->style, "Prompt style: reference|compact|sequence")->capture_default_str();
  cmd->add_option("--eval-prompt", options->eval_prompt,
                  "Plain eval prompt: reference (EvalSidDataset) | training (the T1 prompt)")
      ->capture_default_str();
  cmd->add_option("--seed", options->seed, "Seed of the T4 instruction draws and T8 sampling")->capture_default_str();
  cmd->add_option("--narrative", options->narrative, "Narrative CSV for T7 and reason");
  cmd->add_option("--item-corpus", options->item_corpus, "item_enhanced_v2.json for T6");
  cmd->add_option("--general", options->general, "General chat JSONL for T8");
  cmd->add_option("--cutoff", options->cutoff, "Token cutoff (with --tokenizer)")->capture_default_str();
  cmd->callback([options] { run_render(*options); });
}

}  // namespace
SIDR_COMMAND(35, setup);
}  // namespace sidr::cli
