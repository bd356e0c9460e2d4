// SasrecRunOptions' field list (src/baseline/sasrec_run.h): config.json's "options" are exactly the fields the
// list marks as changing a result, with the loss spelled as on the command line.
#include <set>
#include <string>

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include "../option_fields_testing.h"
#include "baseline/sasrec_run.h"

namespace sidr {
namespace {

using testing_options::keys_of;

baseline::SasrecRunOptions parsed(const std::string& command_line) {
  return testing_options::parsed<baseline::SasrecRunOptions>(command_line);
}

TEST(SasrecOptions, ToJsonKeysAreTheRecordedFieldNames) {
  const auto names = opts::recorded_field_names<baseline::SasrecRunOptions>();
  const std::set<std::string> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), names.size()) << "a field name is listed twice";
  EXPECT_EQ(keys_of(baseline::SasrecRunOptions{}.to_json()), unique);
  for (const char* name : {"data", "dataset", "loss", "epochs", "patience", "max_minutes", "batch_size", "lr",
                           "weight_decay", "hidden", "heads", "dropout", "max_len", "seed", "threads", "top"})
    EXPECT_EQ(unique.count(name), 1u) << name;
  for (const char* name : {"out", "progress"}) EXPECT_EQ(unique.count(name), 0u) << name;
}

TEST(SasrecOptions, ValuesAsGivenAndTheLossByName) {
  // The enum is parsed by the CLI's transformer (cli/baseline.cpp); here the record's spelling is checked.
  auto o = parsed("--out o --epochs 3 --hidden 16 --max-len 7 --seed 9 --top 5 --no-progress");
  EXPECT_EQ(o.train.epochs, 3);
  EXPECT_EQ(o.model.hidden, 16);
  EXPECT_EQ(o.model.max_len, 7);
  EXPECT_FALSE(o.progress);
  const Json json = o.to_json();
  EXPECT_EQ(json["loss"], "bce");
  EXPECT_EQ(json["seed"], 9);
  EXPECT_EQ(json["top"], 5);
  o.train.loss = baseline::SasrecLoss::Ce;
  EXPECT_EQ(o.to_json()["loss"], "ce");
  EXPECT_THROW(parsed("--epochs 3"), CLI::RequiredError);
}

}  // namespace
}  // namespace sidr
