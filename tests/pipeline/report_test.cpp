#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <map>

#include "data/dataset.h"
#include "data/interactions.h"
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

// The reasoning preset: the corpus first, Stage 1 reading it, Stage 2 from Stage 1's model, and every split in
// plain mode and in each named decoding mode, all on Stage 2's model; think modes read their split's reasoning.
TEST(PipelinePreset, ReasonPresetSynthesizesTrainsTwoStagesAndDecodesEveryMode) {
  Json preset = load_preset(std::string(SIDR_SOURCE_DIR) + "/configs/presets/reason.json");
  PipelineOptions options;
  options.data = std::string(SIDR_SOURCE_DIR) + "/data/Amazon";
  auto stages = build_stages(resolve_config(options, preset), "/r");
  std::vector<std::string> names;
  for (const auto& s : stages) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"data_check", "synthesize", "tokenizer", "stage1", "stage2",
                                             "eval_valid", "eval_valid_oracle", "eval_valid_think",
                                             "eval_valid_think_marginalised", "eval_test", "eval_test_oracle",
                                             "eval_test_think", "eval_test_think_marginalised"}));
  auto args = [&](const std::string& name, std::size_t command = 0) {
    std::string out;
    const auto at = static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
    for (const auto& arg : stages.at(at).commands.at(command)) out += arg + " ";
    return out;
  };
  const std::string index = "/r/corpus/index/Industrial_and_Scientific";
  EXPECT_NE(args("synthesize", 0).find("--out /r/corpus --seed 42"), std::string::npos) << args("synthesize", 0);
  EXPECT_NE(args("synthesize", 2).find("--out /r/corpus --split test"), std::string::npos) << args("synthesize", 2);
  for (const char* stage : {"tokenizer", "stage1"})
    EXPECT_NE(args(stage).find("--item-corpus " + index + ".item_enhanced_v2.json --user-corpus " + index +
                               ".integrated_narrative.csv"),
              std::string::npos)
        << args(stage);
  EXPECT_NE(args("stage2").find("sft --stage 2"), std::string::npos);
  EXPECT_NE(args("stage2").find("--model /r/stage1/final_checkpoint --out /r/stage2 --user-corpus"), std::string::npos)
      << args("stage2");
  EXPECT_NE(args("stage2").find("--plain-weight 1"), std::string::npos) << args("stage2");
  for (const auto& name : names) {
    if (name.rfind("eval_", 0) != 0) continue;
    EXPECT_NE(args(name).find("evaluate --model /r/stage2/final_checkpoint"), std::string::npos) << args(name);
    const bool think = name != "eval_valid" && name != "eval_test";
    const std::string split = name.find("valid") != std::string::npos ? "valid" : "test";
    EXPECT_EQ(args(name).find("--narrative " + index + "." + split + ".integrated_narrative.csv") != std::string::npos,
              think)
        << args(name);
    EXPECT_EQ(args(name).find("--mode think") != std::string::npos, think) << args(name);
  }
  EXPECT_NE(args("eval_test_think_marginalised").find("--think-decode marginalised --thoughts 5"), std::string::npos);
  EXPECT_NE(args("eval_valid").find("--limit 1000"), std::string::npos);

  // Malformed sections are refused by name.
  for (const char* bad : {"eval_modes=[1]", "eval_modes={\"Think\": {}}", "eval_modes={\"lm\": {}}",
                          "eval_modes={\"x\": 3}", "stage2=3"}) {
    options.overrides = {bad};
    EXPECT_THROW(build_stages(resolve_config(options, preset), "/r"), InputError) << bad;
  }
  // Stage 2 without a narrative to train on.
  Json quick = load_preset(std::string(SIDR_SOURCE_DIR) + "/configs/presets/quick.json");
  options.overrides = {"stage2={\"epochs\": 1}"};
  EXPECT_THROW(build_stages(resolve_config(options, quick), "/r"), InputError);
}

// An "rl" section runs Stage 3 on the last model; the evaluations decode the RL model, plain mode before RL beside.
TEST(PipelinePreset, RlSectionContinuesFromTheLastModelAndKeepsTheBeforeRow) {
  Json preset = load_preset(std::string(SIDR_SOURCE_DIR) + "/configs/presets/quick.json");
  PipelineOptions options;
  options.data = std::string(SIDR_SOURCE_DIR) + "/data/Amazon";
  options.overrides = {"rl={\"algo\": \"minionerec\", \"steps\": 5}"};
  auto stages = build_stages(resolve_config(options, preset), "/r");
  std::map<std::string, std::string> args;
  std::vector<std::string> names;
  for (const auto& s : stages) {
    names.push_back(s.name);
    for (const auto& arg : s.commands.at(0)) args[s.name] += arg + " ";
  }
  ASSERT_TRUE(args.count("rl"));
  EXPECT_NE(args["rl"].find("--model /r/stage1/final_checkpoint --out /r/rl --algo minionerec --steps 5"),
            std::string::npos)
      << args["rl"];
  EXPECT_LT(std::find(names.begin(), names.end(), "rl"), std::find(names.begin(), names.end(), "eval_valid"));
  for (const char* split : {"valid", "test"}) {
    EXPECT_NE(args[std::string("eval_") + split].find("--model /r/rl/final_checkpoint"), std::string::npos);
    EXPECT_NE(args[std::string("eval_") + split + "_before_rl"].find("--model /r/stage1/final_checkpoint"),
              std::string::npos);
  }
}

// Decoding-mode rows in the results, and five test users shown from the think evaluation.
TEST(Report, ModeRowsAndExampleUsers) {
  const fs::path dir = fs::temp_directory_path() / ("sidr_report_modes_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto paths = data::DatasetPaths{std::string(SIDR_SOURCE_DIR) + "/data/Amazon", "Industrial_and_Scientific"};
  const auto test = data::Interactions::load(paths.interactions(data::Split::Test));
  for (const char* mode : {"think", "oracle"}) {
    fs::create_directories(dir / (std::string("eval_test_") + mode));
    write_file_atomic(dir / (std::string("eval_test_") + mode) / "metrics.json", R"({"HR@10": 0.5, "NDCG@10": 0.25})");
    Json rows = Json::array();
    for (std::size_t i = 0; i < test.rows.size(); ++i)
      rows.push_back({{"cot", std::string("thought ") + mode + " " + std::to_string(i)},
                      {"predict", {test.rows[i].item_sid, "<a_0><b_0><c_0>"}}});
    write_file_atomic(dir / (std::string("eval_test_") + mode) / "predictions.json", rows.dump());
  }
  fs::create_directories(dir / "eval_test_single");  // a part alone, not a mode
  write_file_atomic(dir / "eval_test_single" / "metrics.json", R"({"HR@10": 0.1})");
  EXPECT_EQ(mode_dirs(dir, "test"), (std::vector<std::string>{"oracle", "think"}));
  bool found = false;
  for (const auto& row : collect_results(dir, "Industrial_and_Scientific"))
    found = found || (row.name == "sidreasoner, think mode (test)" && row.metrics.at("NDCG@10") == 0.25);
  EXPECT_TRUE(found);
  const std::string md = example_users_markdown(dir, "Industrial_and_Scientific", paths.root);
  const std::size_t n = test.rows.size();
  for (std::size_t u = 0; u < 5; ++u) {
    const std::size_t i = u * n / 5;
    EXPECT_NE(md.find("(test row " + std::to_string(i) + ")"), std::string::npos) << i;
    EXPECT_NE(md.find("> thought think " + std::to_string(i) + "\n"), std::string::npos) << md;  // not the oracle's
    EXPECT_NE(md.find(test.rows[i].history_titles.back()), std::string::npos);
  }
  EXPECT_EQ(md.find("thought oracle"), std::string::npos);
  EXPECT_NE(md.find("**Hit**"), std::string::npos);
  EXPECT_NE(md.find("(the target)"), std::string::npos);
  fs::remove_all(dir);
}
