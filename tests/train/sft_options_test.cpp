// SftOptions' field list (src/train/sft.h): its flags parse into the fields, and sft_config.json's options
// (to_json) are exactly the fields the list marks as changing a result.
#include <set>
#include <string>

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include "../option_fields_testing.h"
#include "cli/option_fields.h"
#include "train/sft.h"

namespace sidr {
namespace {

using testing_options::keys_of;

train::SftOptions parsed(const std::string& command_line) {
  return testing_options::parsed<train::SftOptions>(command_line);
}

TEST(SftOptions, ToJsonKeysAreTheRecordedFieldNames) {
  const auto names = opts::recorded_field_names<train::SftOptions>();
  const std::set<std::string> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), names.size()) << "a field name is listed twice";
  EXPECT_EQ(keys_of(train::SftOptions{}.to_json()), unique);
}

TEST(SftOptions, FieldsThatChangeNoResultAreFlagsButNotRecorded) {
  const auto recorded = keys_of(train::SftOptions{}.to_json());
  for (const char* name : {"out", "keep_checkpoints", "save_samples", "resume", "progress"})
    EXPECT_EQ(recorded.count(name), 0u) << name;
  auto o = parsed("--model m --out o --keep-checkpoints 5 --save-samples s.jsonl --resume --no-progress");
  EXPECT_EQ(o.out, "o");
  EXPECT_EQ(o.keep_checkpoints, 5);
  EXPECT_EQ(o.save_samples, "s.jsonl");
  EXPECT_TRUE(o.resume);
  EXPECT_FALSE(o.progress);
}

TEST(SftOptions, RecordsTheCorpusPathsAndEveryValueAsGiven) {
  auto o = parsed("--model m --out o --item-corpus items.json --user-corpus users.csv --general chats.jsonl "
                  "--micro-batch 4 --max-steps 3 --ema 0.5 --dataset Office_Products --data d --seed 9");
  const Json json = o.to_json();
  EXPECT_EQ(json["item_corpus"], "items.json");
  EXPECT_EQ(json["user_corpus"], "users.csv");
  EXPECT_EQ(json["general"], "chats.jsonl");
  EXPECT_EQ(json["micro_batch"], 4);
  EXPECT_EQ(json["max_steps"], 3);
  EXPECT_EQ(json["ema"], 0.5);
  EXPECT_EQ(json["dataset"], "Office_Products");
  EXPECT_EQ(json["data"], "d");
  EXPECT_EQ(json["seed"], 9);
  EXPECT_EQ(json["model"], "m");
}

TEST(SftOptions, FlagsKeepTheirNamesAndDefaults) {
  auto o = parsed("--model m --out o");
  EXPECT_EQ(o.data, opts::kDefaultDataRoot);
  EXPECT_EQ(o.dataset, opts::kDefaultDataset);
  EXPECT_EQ(o.batch, 1024);
  EXPECT_EQ(o.micro_batch, 8);
  EXPECT_EQ(o.epochs, 0);  // the stage's default, filled by resolve_stage_defaults
  EXPECT_TRUE(o.progress);
  EXPECT_THROW(parsed("--out o"), CLI::RequiredError);
  EXPECT_THROW(parsed("--model m"), CLI::RequiredError);
  EXPECT_THROW(parsed("--model m --out o --micro-batch x"), CLI::ParseError);
}

TEST(OptionFields, FlagNames) {
  EXPECT_EQ(opts::flag_name(opts::Field{"max_grad_norm", ""}), "--max-grad-norm");
  EXPECT_EQ(opts::flag_name(opts::Field{"progress", "", opts::kNegatedFlag}), "--no-progress");
  EXPECT_EQ(cli::negated_names("--no-progress,--quiet"), "!--no-progress,!--quiet");
}

}  // namespace
}  // namespace sidr
