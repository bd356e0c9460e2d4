// EvaluateOptions' field list (src/eval/evaluate.h): metrics.json's "options" (to_json) are exactly the fields
// the list marks as changing a result, the think, fusion and decoding ones among them; --no-progress is the
// progress flag and --quiet its older spelling.
#include <set>
#include <string>

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include "../option_fields_testing.h"
#include "cli/option_fields.h"
#include "eval/evaluate.h"

namespace sidr {
namespace {

using testing_options::keys_of;

eval::EvaluateOptions parsed(const std::string& command_line) {
  return testing_options::parsed<eval::EvaluateOptions>(command_line);
}

TEST(EvaluateOptions, ToJsonKeysAreTheRecordedFieldNames) {
  const auto names = opts::recorded_field_names<eval::EvaluateOptions>();
  const std::set<std::string> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), names.size()) << "a field name is listed twice";
  EXPECT_EQ(keys_of(eval::EvaluateOptions{}.to_json()), unique);
}

TEST(EvaluateOptions, RecordsTheOptionsThatChangeTheMetrics) {
  const auto recorded = keys_of(eval::EvaluateOptions{}.to_json());
  for (const char* name :
       {"model", "ensemble", "ensemble_mix", "sasrec", "sasrec_ensemble", "sasrec_weight", "sasrec_mix",
        "sasrec_temperature", "data", "dataset", "split", "mode", "prompt_style", "style", "beams", "limit",
        "batch_size", "think_tokens", "think_decode", "thoughts", "thought_search", "thought_temperature",
        "think_pool_plain", "narrative", "beam_sampling", "temperature", "top_k", "top_p", "seed", "device",
        "dtype", "threads"})
    EXPECT_EQ(recorded.count(name), 1u) << name;
  for (const char* name : {"out", "with_scores", "with_prompt_ids", "progress"})
    EXPECT_EQ(recorded.count(name), 0u) << name;
}

TEST(EvaluateOptions, ValuesAsGiven) {
  auto o = parsed("--model m --out o --ensemble a --ensemble b --thoughts 3 --think-pool-plain 0.25 --limit 7 "
                  "--narrative n.csv --beam-sampling --dtype bfloat16");
  const Json json = o.to_json();
  EXPECT_EQ(json["ensemble"], Json::array({"a", "b"}));
  EXPECT_EQ(json["thoughts"], 3);
  EXPECT_EQ(json["think_pool_plain"], 0.25);
  EXPECT_EQ(json["limit"], 7);
  EXPECT_EQ(json["narrative"], "n.csv");
  EXPECT_EQ(json["beam_sampling"], true);
  EXPECT_EQ(json["dtype"], "bfloat16");
}

TEST(EvaluateOptions, NoProgressAndQuietBothTurnTheBarOff) {
  EXPECT_TRUE(parsed("--model m --out o").progress);
  EXPECT_FALSE(parsed("--model m --out o --no-progress").progress);
  EXPECT_FALSE(parsed("--model m --out o --quiet").progress);
}

TEST(EvaluateOptions, DataGroupHasTheSharedDefaults) {
  auto o = parsed("--model m --out o");
  EXPECT_EQ(o.data_root, opts::kDefaultDataRoot);
  EXPECT_EQ(o.dataset, opts::kDefaultDataset);
  EXPECT_THROW(parsed("--out o"), CLI::RequiredError);
}

}  // namespace
}  // namespace sidr
