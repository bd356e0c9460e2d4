#include "eval/metrics.h"

#include <cmath>
#include <filesystem>

#include <gtest/gtest.h>

#include "data/sid_string.h"
#include "util/error.h"
#include "util/file_io.h"

namespace sidr::eval {
namespace {

TEST(Metrics, CleaningFollowsCalcPy) {
  EXPECT_EQ(clean_prediction("\"<a_1><b_1><c_1>\"\n"), "<a_1><b_1><c_1>");
  EXPECT_EQ(clean_prediction(" <a_1><b_1><c_1> "), "<a_1><b_1><c_1>");
  EXPECT_EQ(clean_prediction("\n\" x \"\n"), "x");
  EXPECT_EQ(clean_target(" \"<a_1><b_1><c_1>\"\n"), "<a_1><b_1><c_1>");
  EXPECT_EQ(clean_target("\n"), "");
}

TEST(Metrics, HandMadeFileGivesKnownValues) {
  auto rows = read_prediction_rows(std::string(SIDR_TEST_DIR) + "/eval/fixtures/predictions_known.json");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(*hit_rank(rows[1].target, rows[1].predictions), 1u);
  auto report = compute_metrics(rows, [](const std::string& s) { return data::sid_error(s).empty(); }, "syntax");
  EXPECT_EQ(report.ks, (std::vector<int>{1, 3, 5, 10}));
  EXPECT_EQ(report.beams, 10u);
  // Ranks 0, 1, 4, none.
  EXPECT_DOUBLE_EQ(report.hit_rate[1], 0.25);
  EXPECT_DOUBLE_EQ(report.hit_rate[3], 0.5);
  EXPECT_DOUBLE_EQ(report.hit_rate[5], 0.75);
  EXPECT_DOUBLE_EQ(report.hit_rate[10], 0.75);
  EXPECT_NEAR(report.ndcg[1], 0.25, 1e-12);
  EXPECT_NEAR(report.ndcg[3], (1.0 + 1.0 / std::log2(3.0)) / 4, 1e-12);
  EXPECT_NEAR(report.ndcg[5], (1.0 + 1.0 / std::log2(3.0) + 1.0 / std::log2(6.0)) / 4, 1e-12);
  EXPECT_NEAR(report.ndcg[10], report.ndcg[5], 1e-12);
  EXPECT_NEAR(report.ndcg[5], 0.5044459, 1e-6);  // computed by hand: (1 + 0.6309298 + 0.3868528) / 4
  EXPECT_EQ(report.predictions, 40u);
  EXPECT_EQ(report.invalid_predictions, 1u);  // "garbage"
  auto json = report.to_json();
  EXPECT_DOUBLE_EQ(json["HR@5"].get<double>(), 0.75);
  EXPECT_FALSE(json.contains("HR@20"));
}

TEST(Metrics, LargerBeamsAddLargerCutoffs) {
  std::vector<ScoredRow> rows{{"x", std::vector<std::string>(20, "y")}};
  rows[0].predictions[15] = "x";
  auto report = compute_metrics(rows, [](const std::string&) { return true; }, "syntax");
  EXPECT_EQ(report.ks, (std::vector<int>{1, 3, 5, 10, 20}));
  EXPECT_DOUBLE_EQ(report.hit_rate[10], 0.0);
  EXPECT_DOUBLE_EQ(report.hit_rate[20], 1.0);
  EXPECT_NEAR(report.ndcg[20], 1.0 / std::log2(17.0), 1e-12);
}

TEST(Metrics, BadFilesNameTheRowAndField) {
  auto dir = std::filesystem::path(SIDR_BINARY_DIR) / "tests" / "metrics_bad";
  std::filesystem::create_directories(dir);
  auto file = (dir / "bad.json").string();
  write_file_atomic(file, R"([{"output": "x", "predict": ["a"]}, {"output": "y", "predict": [1]}])");
  try {
    read_prediction_rows(file);
    FAIL() << "no error";
  } catch (const InputError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("bad.json"), std::string::npos) << what;
    EXPECT_NE(what.find("predict"), std::string::npos) << what;
    EXPECT_NE(what.find("row 2"), std::string::npos) << what;
  }
  write_file_atomic(file, R"({"output": "x"})");
  EXPECT_THROW(read_prediction_rows(file), InputError);
  write_file_atomic(file, R"([{"predict": []}])");
  EXPECT_THROW(read_prediction_rows(file), InputError);
  write_file_atomic(file, R"([{"output": "x", "predict": [)");
  EXPECT_THROW(read_prediction_rows(file), InputError);
}

}  // namespace
}  // namespace sidr::eval
