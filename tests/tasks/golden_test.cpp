// Golden texts and label spans for one row of every task, on the fixture dataset
// tests/fixtures/tasks/Amazon (Office_Products, 5 items with one SID collision and one title collision).
// Expected strings are typed from ../shared/reference/sidreasoner.md §3.1-§3.2, §4, §6.1-§6.2, Appendix A.
#include <gtest/gtest.h>

#include "data/catalog.h"
#include "data/interactions.h"
#include "tasks/builders.h"
#include "tasks/corpus.h"
#include "tasks/eval_prompts.h"
#include "tasks/task_mix.h"
#include "util/error.h"

#include <algorithm>
#include <map>

namespace sidr::tasks {
namespace {

const std::string kRoot = std::string(SIDR_TEST_DIR) + "/fixtures/tasks/Amazon";
const std::string kPre =
    "Below is an instruction that describes a task, paired with an input that provides further context. Write a "
    "response that appropriately completes the request.";
const std::string kSysRec = kPre + "\nCan you recommend the next item for the user based on their interaction history?\n";
const std::string kAssistant = "<|im_start|>assistant\n<think>\n\n</think>\n\n";

class Golden : public ::testing::Test {
 protected:
  void SetUp() override {
    paths = {kRoot, "Office_Products"};
    catalog = data::Catalog::load(paths);
    train = data::Interactions::load(paths.interactions(data::Split::Train));
    ctx.catalog = &catalog;
    ctx.category = data::category_phrase(paths.name);
  }
  std::string chat(const std::string& system, const std::string& user) {
    return "<|im_start|>system\n" + system + "<|im_end|>\n<|im_start|>user\n" + user + "<|im_end|>\n" + kAssistant;
  }
  void expect_stage1(const TextSample& s, const std::string& prefix, const std::string& target) {
    EXPECT_EQ(s.prefix, prefix);
    EXPECT_EQ(s.supervised, target);
    EXPECT_EQ(s.suffix, "<|im_end|>\n");
    EXPECT_FALSE(s.by_parts);
  }
  data::DatasetPaths paths;
  data::Catalog catalog;
  data::Interactions train;
  TaskContext ctx;
};

TEST_F(Golden, T1) {
  auto s = build_t1(train, ctx);
  ASSERT_EQ(s.size(), 5u);
  expect_stage1(s[0],
                chat(kPre + " Can you predict the next possible item that the user may expect?",
                     "The user has interacted with items <a_1><b_2><c_3>, <a_4><b_5><c_6> in chronological order. Can "
                     "you predict the next possible item that the user may expect?"),
                "<a_7><b_8><c_9>");
}

TEST_F(Golden, T2DictSemantics) {
  auto s = build_t2(ctx);
  // 4 distinct SIDs then 4 distinct titles (first-insertion order, last writer wins).
  ASSERT_EQ(s.size(), 8u);
  const std::string sys = kPre + " \nAnswer the question about item identification.\n";
  expect_stage1(s[2], chat(sys, "What is the title of item \"<a_7><b_8><c_9>\"?"), "HP 75 Color Ink");
  expect_stage1(s[5], chat(sys, "Which item has the title: Pendaflex File Folders, Letter?"), "<a_1><b_10><c_11>");
  EXPECT_EQ(s[0].task, Task::T2SidToTitle);
  EXPECT_EQ(s[3].supervised, "Pendaflex File Folders, Letter");
  EXPECT_EQ(s[4].task, Task::T2TitleToSid);
  EXPECT_EQ(s[4].supervised, "<a_1><b_2><c_3>");
}

TEST_F(Golden, T3UsesTheLastTitleOfTheSid) {
  auto s = build_t3(train, ctx);
  expect_stage1(s[0],
                chat(kSysRec,
                     "The user has sequentially interacted with items <a_1><b_2><c_3>, <a_4><b_5><c_6>. Can you "
                     "recommend the next item for him? Tell me the title of the item?"),
                "HP 75 Color Ink");  // item_title is "HP 74 Black Ink"; sid2title keeps the last writer
}

TEST_F(Golden, T4InstructionDrawsAndQuotes) {
  auto s = build_t4(train, ctx);
  // random.seed(42); randint(0, 10) -> 10, 1, 0, ... : templates 11, 2, 1.
  expect_stage1(
      s[0],
      chat(kPre + "\nIn relation to the user's recent entertainment with a given office products, it would be "
                  "appreciated if you could curate a list of office products that might form part of the user's "
                  "previous gaming history.\n \n",
           "The user has palyed the following office productss before: \"Scotch Magic Tape\",\t\"Pendaflex File "
           "Folders, Letter\""),
      "\"HP 74 Black Ink\"\n");
  EXPECT_NE(s[1].prefix.find("\nConsidering the office products that has recently captured the user's interest, "
                             "kindly create a compilation of other office products that the user might have played "
                             "prior to this.\n \n"),
            std::string::npos);
  EXPECT_NE(s[2].prefix.find("\nGiven a list of office products the user recetenly enjoy, please write a new office "
                             "products that the user may bought\n \n"),
            std::string::npos);
}

TEST_F(Golden, T5) {
  auto s = build_t5(train, ctx);
  expect_stage1(s[0],
                chat(kPre + " \nBased on the user's historical interaction with item titles, predict the semantic ID "
                            "of the next item they may expect.\n",
                     "The user has interacted with the following office products items in chronological order: "
                     "\"Scotch Magic Tape\", \"Pendaflex File Folders, Letter\". Can you predict the next item the "
                     "user may expect?"),
                "<a_7><b_8><c_9>");
}

TEST_F(Golden, ReasonActivation) {
  CorpusStats stats;
  auto s = build_reason(NarrativeFile::load(paths.narrative_csv()), PromptStyle::Reference, &stats);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(stats.used, 2u);
  EXPECT_EQ(stats.skipped_missing, 1u);   // empty reasoning
  EXPECT_EQ(stats.skipped_unclosed, 1u);  // "<think>never closed"
  EXPECT_EQ(stats.skipped_bad, 1u);       // malformed history list
  const std::string prefix =
      "<|im_start|>system\n" + kSysRec + "<|im_end|>\n<|im_start|>user\nThe user has sequentially interacted with "
      "items <a_1><b_2><c_3>, <a_4><b_5><c_6>. Can you recommend the next item for him? Let's think step by step "
      "before making recommendation. Directly output the item SID after thinking.<|im_end|>\n<|im_start|>assistant\n";
  EXPECT_EQ(s[0].prefix, prefix);
  EXPECT_EQ(s[0].supervised,
            "<think>\nThe user bought <a_1><b_2><c_3>, then <a_4><b_5><c_6>.\nThey organise an office.\n</think>\n\n"
            "<a_7><b_8><c_9><|im_end|>\n");
  EXPECT_EQ(s[0].suffix, "");
  // A leading <think>...</think> in the reasoning is cut; the rest is stripped.
  EXPECT_NE(s[1].supervised.find("<think>\nPrinting supplies first; tape next.\n</think>\n\n<a_1><b_2><c_3><|im_end|>\n"),
            std::string::npos);
}

TEST_F(Golden, T6AndT7PlainLm) {
  CorpusStats s6, s7;
  auto t6 = build_t6(paths.item_enriched_json(), &s6);
  ASSERT_EQ(t6.size(), 2u);
  EXPECT_EQ(s6.skipped_missing, 2u);  // no llm_stage2, null llm_stage2
  EXPECT_EQ(t6[0].supervised, "<a_1><b_2><c_3> is an invisible tape. <a_1><b_2><c_3> writes well.");
  EXPECT_EQ(t6[1].supervised, "<a_7><b_8><c_9> prints black.");
  EXPECT_TRUE(t6[1].prefix.empty() && t6[1].suffix.empty());
  auto t7 = build_t7(NarrativeFile::load(paths.narrative_csv()), &s7);
  ASSERT_EQ(t7.size(), 3u);
  EXPECT_EQ(s7.skipped_missing, 2u);  // NaN and empty narratives
  EXPECT_EQ(t7[0].supervised, "The user bought <a_1><b_2><c_3> and <a_4><b_5><c_6>, then <a_7><b_8><c_9>.");
  EXPECT_EQ(t7[1].supervised, "Narrative after a think block.");
  EXPECT_EQ(t7[2].supervised, "Still a narrative.");
}

TEST_F(Golden, T8GeneralChats) {
  CorpusStats stats;
  auto s = build_t8(kRoot + "/general/chats.jsonl", 60000, 42, &stats);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(stats.skipped_bad, 1u);
  EXPECT_EQ(s[0].prefix,
            "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
            "<|im_start|>assistant\n");
  EXPECT_EQ(s[0].supervised, "<think>\nAdd.\n</think>\n\n4<|im_end|>");
  EXPECT_TRUE(s[0].by_parts);
  // A system message with list content becomes a user message (reference bug kept).
  EXPECT_EQ(s[1].prefix,
            "<|im_start|>user\nSys as list.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
}

TEST_F(Golden, EvalPrompts) {
  auto test = data::Interactions::load(paths.interactions(data::Split::Test));
  EvalPromptOptions plain;
  auto p = build_eval_prompt(test.rows[0], 0, plain);
  EXPECT_EQ(p.text(),
            "<|im_start|>system\n" + kPre + " \nCan you predict the next possible item that the user may expect?\n"
            "<|im_end|>\n<|im_start|>user\nCan you predict the next possible item the user may expect, given the "
            "following chronological interaction history: <a_4><b_5><c_6>, <a_7><b_8><c_9>, <a_1><b_2><c_3>"
            "<|im_end|>\n<|im_start|>assistant\n<think>\n</think>\n\n");
  EXPECT_EQ(p.think_block, "<think>\n</think>\n\n");
  EXPECT_EQ(p.target_sid, "<a_7><b_8><c_9>");
  EXPECT_EQ(p.target_title, "HP 75 Color Ink");
  EXPECT_STREQ(eval_sid_separator(plain), "\n</think>\n\n");

  EvalPromptOptions training = plain;
  training.eval_style = EvalPromptStyle::Training;
  auto t = build_eval_prompt(test.rows[0], 0, training);
  EXPECT_EQ(t.text(), chat(kPre + " Can you predict the next possible item that the user may expect?",
                           "The user has interacted with items <a_4><b_5><c_6>, <a_7><b_8><c_9>, <a_1><b_2><c_3> in "
                           "chronological order. Can you predict the next possible item that the user may expect?"));
  EXPECT_STREQ(eval_sid_separator(training), "</think>\n\n");

  EvalPromptOptions think;
  think.mode = EvalMode::Think;
  auto k = build_eval_prompt(test.rows[1], 1, think);
  EXPECT_EQ(k.text(),
            "<|im_start|>system\n" + kSysRec + "<|im_end|>\n<|im_start|>user\nThe user has sequentially interacted "
            "with items <a_1><b_2><c_3>. Can you recommend the next item for him? Let's think step by step before "
            "making recommendation. Directly output the item SID after thinking.<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(eval_prompt_max_len(EvalMode::Think), 2048u);
  EXPECT_EQ(eval_prompt_max_len(EvalMode::Plain), 2564u);
}

// The CSV-row prompt is the history-list prompt plus the row's target: the same text for every row, mode and
// style, whether the history comes as SIDs or as catalog item ids.
TEST_F(Golden, EvalPromptFromAHistoryListEqualsTheRowPrompt) {
  auto test = data::Interactions::load(paths.interactions(data::Split::Test));
  std::vector<EvalPromptOptions> all;
  for (auto mode : {EvalMode::Plain, EvalMode::Think})
    for (auto eval_style : {EvalPromptStyle::Reference, EvalPromptStyle::Training})
      for (auto style : {PromptStyle::Reference, PromptStyle::Compact, PromptStyle::Sequence})
        all.push_back({mode, eval_style, style});
  std::size_t compared = 0;
  for (const auto& options : all)
    for (std::size_t i = 0; i < test.rows.size(); ++i) {
      const auto& row = test.rows[i];
      auto from_row = build_eval_prompt(row, i, options);
      auto from_sids = build_eval_prompt(row.history_sids, options);
      auto from_ids = build_eval_prompt(row.history_ids, catalog, options);
      for (const auto* p : {&from_sids, &from_ids}) {
        EXPECT_EQ(p->text(), from_row.text()) << "row " << i;
        EXPECT_EQ(p->user, from_row.user) << "row " << i;
        EXPECT_EQ(p->history, from_row.history) << "row " << i;
        EXPECT_TRUE(p->target_sid.empty());
      }
      EXPECT_EQ(from_row.row, i);
      EXPECT_FALSE(from_row.target_sid.empty());
      ++compared;
    }
  EXPECT_EQ(compared, all.size() * test.rows.size());
  EXPECT_THROW(build_eval_prompt(std::vector<std::int64_t>{987654}, catalog, EvalPromptOptions{}), InputError);
}

TEST_F(Golden, CompactStyleKeepsTargets) {
  ctx.style = PromptStyle::Compact;
  auto s = build_t1(train, ctx);
  EXPECT_EQ(s[0].text(),
            "<|im_start|>user\nItems: <a_1><b_2><c_3>, <a_4><b_5><c_6>. Next item?<|im_end|>\n" + kAssistant +
                "<a_7><b_8><c_9><|im_end|>\n");
  auto t4 = build_t4(train, ctx);
  EXPECT_EQ(t4[0].supervised, "\"HP 74 Black Ink\"\n");
  EXPECT_EQ(t4[0].prefix.find("<|im_start|>system"), std::string::npos);
}

TEST_F(Golden, Stage1MixCountsWeightsAndShuffle) {
  TaskOptions options;
  options.general_chats = kRoot + "/general/chats.jsonl";
  TextSet set = build_stage1_text(paths, catalog, options);
  // T1,T3,T4,T5: 5 rows each; T2: 8; T6: 2; T7: 3; T8: 2.
  ASSERT_EQ(set.counts.size(), 8u);
  std::size_t total = 0;
  for (const auto& c : set.counts) total += c.samples;
  EXPECT_EQ(total, 5u * 4 + 8 + 2 + 3 + 2);
  EXPECT_EQ(set.samples.size(), total);
  // The shuffle is a permutation: the same multiset of texts as the unshuffled set.
  options.shuffle = false;
  TextSet plain = build_stage1_text(paths, catalog, options);
  std::vector<std::string> a, b;
  for (auto& s : set.samples) a.push_back(s.text());
  for (auto& s : plain.samples) b.push_back(s.text());
  EXPECT_NE(a, b);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);

  options.weights = parse_weights("T1=2,T2=0.5,T3=0,T6=0");
  TextSet weighted = build_stage1_text(paths, catalog, options);
  std::map<std::string, std::size_t> counts;
  for (const auto& c : weighted.counts) counts[c.group] = c.samples;
  EXPECT_EQ(counts["T1"], 10u);
  EXPECT_EQ(counts["T2"], 4u);
  EXPECT_EQ(counts.count("T3"), 0u);
  EXPECT_EQ(counts.count("T6"), 0u);
  EXPECT_THROW(parse_weights("T9=1"), InputError);
  EXPECT_THROW(parse_weights("T1=-1"), InputError);
  EXPECT_THROW(parse_weights("T1"), InputError);
}

TEST_F(Golden, Stage2NeedsTheNarrativeCsv) {
  TaskOptions options;
  EXPECT_EQ(build_stage2_text(paths, options).samples.size(), 2u);
  data::DatasetPaths none{kRoot, "Missing_Category"};
  EXPECT_THROW(build_stage2_text(none, options), InputError);
}

// Stage 2 with --plain-weight: the reasoning samples plus T1 exactly as Stage 1 builds it (prompt with the empty
// think block, target-only labels); the two modes differ only by their prompts.
TEST_F(Golden, Stage2KeepsPlainT1BesideTheReasoning) {
  TaskOptions options;
  options.shuffle = false;
  options.plain_weight = 1.0;
  TextSet set = build_stage2_text(paths, options);
  ASSERT_EQ(set.counts.size(), 2u);
  EXPECT_EQ(set.counts[0].group, "reason");
  EXPECT_EQ(set.counts[0].samples, 2u);
  EXPECT_EQ(set.counts[1].group, "T1");
  EXPECT_EQ(set.counts[1].samples, 5u);
  EXPECT_EQ(set.counts[1].source_rows, 5u);
  ASSERT_EQ(set.samples.size(), 7u);
  // The plain samples are Stage 1's T1, sample for sample.
  const auto t1 = build_t1(train, ctx);
  for (std::size_t i = 0; i < t1.size(); ++i) {
    const auto& got = set.samples[2 + i];
    EXPECT_EQ(got.task, Task::T1);
    EXPECT_EQ(got.prefix, t1[i].prefix);
    EXPECT_EQ(got.supervised, t1[i].supervised);
    EXPECT_EQ(got.suffix, t1[i].suffix);
  }
  // Row 0 typed out: the plain prompt ends with the empty think block, the reasoning prompt does not.
  expect_stage1(set.samples[2],
                chat(kPre + " Can you predict the next possible item that the user may expect?",
                     "The user has interacted with items <a_1><b_2><c_3>, <a_4><b_5><c_6> in chronological order. Can "
                     "you predict the next possible item that the user may expect?"),
                "<a_7><b_8><c_9>");
  EXPECT_EQ(set.samples[0].task, Task::Reason);
  const std::string reason_end = "<|im_start|>assistant\n";
  EXPECT_EQ(set.samples[0].prefix.substr(set.samples[0].prefix.size() - reason_end.size()), reason_end);
  EXPECT_EQ(set.samples[0].supervised.rfind("<think>\nThe user bought", 0), 0u);

  // Label masks (one id per byte): T1 supervises its SID only, the reasoning sample everything from <think>.
  SampleEncoder encoder([](std::string_view text) {
    std::vector<text::TokenId> ids;
    for (unsigned char c : text) ids.push_back(c);
    return ids;
  });
  auto labelled = [](const Sample& s) {
    std::string out;
    for (std::size_t i = 0; i < s.labels.size(); ++i)
      if (s.labels[i] != -100) out.push_back(static_cast<char>(s.labels[i]));
    return out;
  };
  auto first_label = [](const Sample& s) {
    std::size_t i = 0;
    while (i < s.labels.size() && s.labels[i] == -100) ++i;
    return i;
  };
  Sample plain = encoder.encode(set.samples[2]);
  EXPECT_EQ(labelled(plain), "<a_7><b_8><c_9>");
  EXPECT_EQ(first_label(plain), set.samples[2].prefix.size());
  Sample reason = encoder.encode(set.samples[0]);
  EXPECT_EQ(labelled(reason), set.samples[0].supervised);
  EXPECT_EQ(first_label(reason), set.samples[0].prefix.size());

  // Weights: 2 -> two copies; 0.4 -> a seeded subset of round(0.4 * 5) = 2 rows, in source order; 0 -> none.
  options.plain_weight = 2.0;
  EXPECT_EQ(build_stage2_text(paths, options).samples.size(), 2u + 10u);
  options.plain_weight = 0.4;
  TextSet part = build_stage2_text(paths, options);
  ASSERT_EQ(part.samples.size(), 4u);
  EXPECT_EQ(part.counts[1].samples, 2u);
  EXPECT_LT(part.samples[2].source, part.samples[3].source);
  options.plain_weight = 0.0;
  EXPECT_EQ(build_stage2_text(paths, options).counts.size(), 1u);
  // Shuffled, the set holds the same samples.
  options.plain_weight = 1.0;
  options.shuffle = true;
  TextSet shuffled = build_stage2_text(paths, options);
  std::vector<std::string> a, b;
  for (auto& x : shuffled.samples) a.push_back(x.text());
  for (auto& x : set.samples) b.push_back(x.text());
  EXPECT_NE(a, b);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);
  // Sequence style: the plain samples are Stage 1's sequence T1.
  options.style = PromptStyle::Sequence;
  options.shuffle = false;
  TextSet seq = build_stage2_text(paths, options);
  const auto seq_t1 = build_t1_sequences(train);
  ASSERT_EQ(seq.samples.size(), 2u + seq_t1.size());
  for (std::size_t i = 0; i < seq_t1.size(); ++i) EXPECT_EQ(seq.samples[2 + i].text(), seq_t1[i].text());
  options.plain_weight = -1;
  EXPECT_THROW(options.validate(), InputError);
}

// build_group is the one dispatch: each name gives exactly its builder's samples; unknown names and missing
// sources are one-line InputErrors.
TEST_F(Golden, BuildGroupDispatchesEachNameToItsBuilder) {
  GroupSources sources;
  sources.rows = &train;
  sources.item_corpus = kRoot + "/index/Office_Products.item_enhanced_v2.json";
  sources.user_corpus = kRoot + "/index/Office_Products.integrated_narrative.csv";
  sources.general_chats = kRoot + "/general/chats.jsonl";
  auto texts = [](const std::vector<TextSample>& samples) {
    std::vector<std::string> out;
    for (const auto& s : samples) out.push_back(s.text());
    return out;
  };
  const auto narrative = NarrativeFile::load(sources.user_corpus);
  const std::map<std::string, std::vector<TextSample>> direct = {
      {"T1", build_t1(train, ctx)},
      {"T2", build_t2(ctx)},
      {"T3", build_t3(train, ctx)},
      {"T4", build_t4(train, ctx)},
      {"T5", build_t5(train, ctx)},
      {"T6", build_t6(sources.item_corpus)},
      {"T7", build_t7(narrative)},
      {"reason", build_reason(narrative, ctx.style)},
      {"T8", build_t8(sources.general_chats, TaskOptions{}.general_samples, ctx.seed)}};
  for (const auto& [name, samples] : direct) {
    ASSERT_FALSE(samples.empty()) << name;
    EXPECT_EQ(texts(build_group(name, ctx, sources)), texts(samples)) << name;
  }
  EXPECT_THROW(build_group("T9", ctx, sources), InputError);
  EXPECT_THROW(build_group("T1", ctx, GroupSources{}), InputError);
  EXPECT_THROW(build_group("T8", ctx, GroupSources{}), InputError);
}

}  // namespace
}  // namespace sidr::tasks
