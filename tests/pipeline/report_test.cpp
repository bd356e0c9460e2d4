#include <gtest/gtest.h>

#include <filesystem>

#include "pipeline/pipeline.h"
#include "pipeline/report.h"
#include "pipeline/runner.h"
#include "util/error.h"
#include "util/file_io.h"

using namespace sidr;
using namespace sidr::pipeline;
namespace fs = std::filesystem;

TEST(PipelineFlags, JsonObjectBecomesCliFlags) {
  Json object = {{"epochs", 3}, {"lr", 0.001}, {"compact_prompts", true}, {"resume", false},
                 {"splits", {"valid", "test"}}, {"name", "x y"}};
  auto flags = flags_from_json(object, {"name"});
  // nlohmann sorts keys of a plain json object.
  std::vector<std::string> expected = {"--compact-prompts", "--epochs", "3", "--lr", "0.001", "--splits", "valid",
                                       "test"};
  EXPECT_EQ(flags, expected);
}

TEST(PipelineReport, ReadsMetricsAtAnyDepthAndCase) {
  auto dir = fs::temp_directory_path() / "sidr_report_test";
  fs::remove_all(dir);
  write_file_atomic(dir / "eval_test" / "metrics.json",
                    R"({"n": 10, "metrics": {"hr@10": 0.25, "NDCG@10": 0.125, "HR@3": 0.1}, "users_per_s": 9})");
  write_file_atomic(dir / "stage1" / "metrics.jsonl",
                    "{\"step\":1,\"loss\":3.0,\"lr\":0.1}\n{\"step\":2,\"loss\":2.0,\"lr\":0.1}\n"
                    "{\"epoch\":1,\"eval_loss\":2.5}\n{\"truncated\":");
  auto metrics = ranking_metrics(read_json_file(dir / "eval_test" / "metrics.json"));
  EXPECT_DOUBLE_EQ(metrics.at("HR@10"), 0.25);
  EXPECT_DOUBLE_EQ(metrics.at("NDCG@10"), 0.125);
  EXPECT_EQ(metrics.count("n"), 0u);

  auto rows = collect_results(dir, "Industrial_and_Scientific");
  ASSERT_GE(rows.size(), 11u);  // ours + 10 published rows
  EXPECT_EQ(rows[0].name, "sidreasoner (ours, test)");
  EXPECT_DOUBLE_EQ(rows.back().metrics.at("HR@10"), 0.1586);  // MiniOneRec, results.md
  std::string table = format_results_table(rows);
  EXPECT_NE(table.find("0.2500"), std::string::npos);
  EXPECT_NE(table.find("0.1586"), std::string::npos);

  // A combined evaluation says what it combined.
  write_file_atomic(dir / "eval_valid" / "metrics.json",
                    R"({"HR@10": 0.3, "ensemble": ["/r/stage1_seed7/final_checkpoint"], "sasrec": "/r/sasrec_ce",
                        "sasrec_weight": 0.25})");
  EXPECT_EQ(combination_note(dir / "eval_valid" / "metrics.json"), " [2 models + SASRec CE mixed in at 0.25]");
  EXPECT_EQ(combination_note(dir / "eval_test" / "metrics.json"), "");
  EXPECT_EQ(combination_note(dir / "nowhere.json"), "");
  write_file_atomic(dir / "eval_product" / "metrics.json",
                    R"({"sasrec": "/r/sasrec_ce", "sasrec_weight": 0.2, "sasrec_mix": "product",
                        "sasrec_temperature": 1.5})");
  EXPECT_EQ(combination_note(dir / "eval_product" / "metrics.json"),
            " [SASRec CE multiplied in at 0.2, temperature 1.5]");
  bool found = false;
  for (const auto& row : collect_results(dir, "Industrial_and_Scientific"))
    found = found || row.name == "sidreasoner (ours, valid) [2 models + SASRec CE mixed in at 0.25]";
  EXPECT_TRUE(found);

  write_report(dir, "Industrial_and_Scientific");
  std::string md = read_file(dir / "report.md");
  EXPECT_NE(md.find("| sidreasoner (ours, test) | 0.1000 | - | - | - | 0.2500 | 0.1250 |"), std::string::npos) << md;
  std::string svg = read_file(dir / "train_loss.svg");
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
  EXPECT_NE(read_file(dir / "valid_loss.svg").find("eval_loss"), std::string::npos);
  EXPECT_NE(read_file(dir / "report.html").find("<svg"), std::string::npos);
  fs::remove_all(dir);
}

TEST(PipelinePreset, ShippedPresetsResolveToStages) {
  for (const char* name : {"quick", "cpu"}) {
    Json preset = load_preset(std::string(SIDR_SOURCE_DIR) + "/configs/presets/" + name + ".json");
    PipelineOptions options;
    options.data = std::string(SIDR_SOURCE_DIR) + "/data/Amazon";
    Json config = resolve_config(options, preset);
    auto stages = build_stages(config, "/tmp/run");
    std::vector<std::string> names;
    for (const auto& s : stages) names.push_back(s.name);
    EXPECT_NE(std::find(names.begin(), names.end(), "stage1"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "eval_test"), names.end());
  }
  EXPECT_THROW(load_preset("no-such-preset"), InputError);
  Json preset = load_preset(std::string(SIDR_SOURCE_DIR) + "/configs/presets/qwen3-1.7b.json");
  PipelineOptions options;
  options.data = std::string(SIDR_SOURCE_DIR) + "/data/Amazon";
  EXPECT_THROW(resolve_config(options, preset), InputError);  // needs --base-model
}

// An ensemble adds one Stage 1 run per extra seed, decodes every split with all members, and scores the first
// member alone on test.
TEST(PipelinePreset, EnsembleSeedsAddMembersAndASingleMemberTest) {
  Json preset = load_preset(std::string(SIDR_SOURCE_DIR) + "/configs/presets/quick.json");
  PipelineOptions options;
  options.data = std::string(SIDR_SOURCE_DIR) + "/data/Amazon";
  options.overrides = {"ensemble={\"seeds\": [7, 3]}", "eval.parts=[\"lm\", \"single\"]"};
  Json config = resolve_config(options, preset);
  auto stages = build_stages(config, "/r");
  auto find = [&](const std::string& name) -> const Stage* {
    for (const auto& s : stages)
      if (s.name == name) return &s;
    return nullptr;
  };
  auto joined = [](const Stage* s) {
    std::string out;
    for (const auto& arg : s->commands.at(0)) out += arg + " ";
    return out;
  };
  for (const char* member : {"stage1_seed7", "stage1_seed3"}) {
    const Stage* s = find(member);
    ASSERT_NE(s, nullptr) << member;
    EXPECT_NE(joined(s).find(std::string("--out /r/") + member + " --seed " + (member[11] == '7' ? "7" : "3")),
              std::string::npos)
        << joined(s);
  }
  for (const char* split : {"eval_valid", "eval_test"}) {
    ASSERT_NE(find(split), nullptr);
    auto args = joined(find(split));
    EXPECT_NE(args.find("--ensemble /r/stage1_seed7/final_checkpoint --ensemble /r/stage1_seed3/final_checkpoint"),
              std::string::npos)
        << args;
  }
  ASSERT_NE(find("eval_test_single"), nullptr);
  EXPECT_EQ(joined(find("eval_test_single")).find("--ensemble"), std::string::npos);
  EXPECT_EQ(ensemble_seeds(config), (std::vector<std::uint64_t>{7, 3}));

  for (const char* bad : {"ensemble={\"seeds\": [7, 7]}", "ensemble={\"seeds\": [42]}",
                          "ensemble={\"seeds\": [-1]}", "ensemble={\"seeds\": 7}", "ensemble=[7]"}) {
    options.overrides = {bad};
    Json broken = resolve_config(options, preset);
    EXPECT_THROW(build_stages(broken, "/r"), InputError) << bad;
  }
  // Without an ensemble: no members, no single-member evaluation.
  options.overrides = {};
  auto plain = build_stages(resolve_config(options, preset), "/r");
  for (const auto& s : plain) EXPECT_EQ(s.name.find("seed"), std::string::npos) << s.name;
}

TEST(PipelinePreset, FusionMixesSasrecIntoEveryEvaluationAndShowsTheParts) {
  Json preset = load_preset(std::string(SIDR_SOURCE_DIR) + "/configs/presets/quick.json");
  PipelineOptions options;
  options.data = std::string(SIDR_SOURCE_DIR) + "/data/Amazon";
  options.overrides = {"sasrec={\"ce\": {\"epochs\": 2}}", "fusion={\"sasrec\": \"ce\", \"weight\": 0.25}",
                       "ensemble={\"seeds\": [7]}", "eval.parts=[\"lm\", \"single\"]"};
  auto stages = build_stages(resolve_config(options, preset), "/r");
  std::vector<std::string> names;
  for (const auto& s : stages) names.push_back(s.name);
  auto position = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  auto args = [&](const std::string& name) {
    std::string out;
    for (const auto& arg : stages.at(position(name)).commands.at(0)) out += arg + " ";
    return out;
  };
  ASSERT_LT(position("sasrec_ce"), position("eval_valid"));  // trained before it is mixed in
  for (const char* split : {"eval_valid", "eval_test"})
    EXPECT_NE(args(split).find("--ensemble /r/stage1_seed7/final_checkpoint --sasrec /r/sasrec_ce --sasrec-weight 0.25 "
                               "--sasrec-mix mean --sasrec-temperature 1"),
              std::string::npos)
        << args(split);
  options.overrides.push_back("fusion={\"sasrec\": \"ce\", \"weight\": 0.2, \"mix\": \"product\", \"temperature\": 1.5}");
  stages = build_stages(resolve_config(options, preset), "/r");
  EXPECT_NE(args("eval_test").find("--sasrec-weight 0.2 --sasrec-mix product --sasrec-temperature 1.5"), std::string::npos)
      << args("eval_test");
  ASSERT_LT(position("eval_test_lm"), names.size());
  EXPECT_EQ(args("eval_test_lm").find("--sasrec"), std::string::npos);
  EXPECT_NE(args("eval_test_lm").find("--ensemble"), std::string::npos);
  EXPECT_EQ(args("eval_test_single").find("--sasrec"), std::string::npos);
  EXPECT_EQ(args("eval_test_single").find("--ensemble"), std::string::npos);

  // eval.parts picks which parts run alone; it is not an evaluate flag.
  auto has = [&](const std::string& name) {
    return std::any_of(stages.begin(), stages.end(), [&](const Stage& s) { return s.name == name; });
  };
  options.overrides.push_back("eval={\"parts\": [\"single\"], \"beams\": 10}");
  stages = build_stages(resolve_config(options, preset), "/r");
  EXPECT_FALSE(has("eval_test_lm"));
  EXPECT_TRUE(has("eval_test_single"));
  for (const auto& s : stages)
    for (const auto& arg : s.commands.at(0)) EXPECT_EQ(arg.find("parts"), std::string::npos) << s.name;
  options.overrides.back() = "eval={\"parts\": []}";
  stages = build_stages(resolve_config(options, preset), "/r");
  EXPECT_FALSE(has("eval_test_lm"));
  EXPECT_FALSE(has("eval_test_single"));
  EXPECT_TRUE(has("eval_test"));
  for (const char* bad : {"eval={\"parts\": [\"sasrec\"]}", "eval={\"parts\": \"lm\"}", "eval={\"parts\": [1]}"}) {
    options.overrides.back() = bad;
    EXPECT_THROW(build_stages(resolve_config(options, preset), "/r"), InputError) << bad;
  }

  for (const char* bad : {"fusion={\"sasrec\": \"bce\", \"weight\": 0.3}", "fusion={\"sasrec\": \"ce\", \"weight\": 1}",
                          "fusion={\"sasrec\": \"ce\"}", "fusion=0.3",
                          "fusion={\"sasrec\": \"ce\", \"weight\": 0.3, \"mix\": \"geometric\"}",
                          "fusion={\"sasrec\": \"ce\", \"weight\": 0.3, \"temperature\": 0}"}) {
    options.overrides = {"sasrec={\"ce\": {\"epochs\": 2}}", bad};
    EXPECT_THROW(build_stages(resolve_config(options, preset), "/r"), InputError) << bad;
  }
}

TEST(PipelineRunner, UnknownFromStageIsAnInputError) {
  std::vector<Stage> stages = {{"a", "a.done", {}}};
  EXPECT_THROW(run_stages(stages, {fs::temp_directory_path() / "sidr_runner_test", "nope", true}), InputError);
}

TEST(PipelinePreset, OverridesSetDottedPaths) {
  Json config = {{"sft", {{"epochs", 10}}}, {"eval", {{"beams", 10}}}};
  apply_overrides(config, {"sft.epochs=2", "sft.style=compact", "eval.splits=[\"test\"]", "seed=7"});
  EXPECT_EQ(config["sft"]["epochs"], 2);
  EXPECT_EQ(config["sft"]["style"], "compact");
  EXPECT_EQ(config["eval"]["splits"], Json::array({"test"}));
  EXPECT_EQ(config["seed"], 7);
  EXPECT_THROW(apply_overrides(config, {"noequals"}), InputError);
  EXPECT_THROW(apply_overrides(config, {"sft.epochs.x=1"}), InputError);  // epochs is not an object
}
