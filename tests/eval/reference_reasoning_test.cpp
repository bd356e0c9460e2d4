// The narrative reasoning behind the oracle think decode and the thought word recall: lookup on the fixture
// narrative CSV, the leak and unknown-SID checks, the word rule on hand-made texts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "data/catalog.h"
#include "data/dataset.h"
#include "eval/reference_reasoning.h"
#include "util/error.h"

namespace sidr::eval {
namespace {

const std::string kRoot = std::string(SIDR_TEST_DIR) + "/fixtures/tasks/Amazon";

class ReferenceReasoningTest : public ::testing::Test {
 protected:
  void SetUp() override { catalog = data::Catalog::load(paths); }
  std::string write(const std::string& name, const std::string& body) {
    auto dir = std::filesystem::temp_directory_path() / "sidr_reference_reasoning_test";
    std::filesystem::create_directories(dir);
    auto file = (dir / name).string();
    std::ofstream(file) << body;
    return file;
  }
  data::DatasetPaths paths{kRoot, "Office_Products"};
  data::Catalog catalog;
};

TEST_F(ReferenceReasoningTest, FindsTheUsableRowsOfTheFixture) {
  auto r = ReferenceReasoning::load(paths.narrative_csv(), catalog);
  EXPECT_EQ(r.size(), 2u);  // A1, A2; A3 empty, A4 unclosed, A5 malformed history are skipped
  const std::string* a1 = r.find({"<a_1><b_2><c_3>", "<a_4><b_5><c_6>"}, "<a_7><b_8><c_9>");
  ASSERT_NE(a1, nullptr);
  EXPECT_EQ(*a1, "The user bought <a_1><b_2><c_3>, then <a_4><b_5><c_6>.\nThey organise an office.");
  const std::string* a2 = r.find({"<a_7><b_8><c_9>"}, "<a_1><b_2><c_3>");
  ASSERT_NE(a2, nullptr);
  EXPECT_EQ(*a2, "Printing supplies first; tape next.");  // the leading <think>draft</think> is cut
  EXPECT_EQ(r.find({"<a_7><b_8><c_9>"}, "<a_4><b_5><c_6>"), nullptr);
  EXPECT_EQ(r.find({"<a_1><b_2><c_3>"}, "<a_7><b_8><c_9>"), nullptr);  // A3's reasoning is empty
}

TEST_F(ReferenceReasoningTest, LeaksAndUnknownSidsAreOneLineErrors) {
  const std::string header = "user_id,history_item_sid,item_sid,reasoning_path\n";
  auto leak = write("leak.csv", header + "U,['<a_1><b_2><c_3>'],<a_4><b_5><c_6>,fine\n"
                                         "V,['<a_1><b_2><c_3>'],<a_7><b_8><c_9>,so <a_7><b_8><c_9> next\n");
  try {
    ReferenceReasoning::load(leak, catalog);
    FAIL() << "a leaking reasoning was accepted";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("leak.csv:3"), std::string::npos) << what;
    EXPECT_NE(what.find("reasoning_path"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  auto unknown_target = write("target.csv", header + "U,['<a_1><b_2><c_3>'],<a_9><b_9><c_9>,fine\n");
  EXPECT_THROW(ReferenceReasoning::load(unknown_target, catalog), InputError);
  auto unknown_history = write("history.csv", header + "U,['<a_1><b_2><c_4>'],<a_1><b_2><c_3>,fine\n");
  try {
    ReferenceReasoning::load(unknown_history, catalog);
    FAIL() << "an unknown history SID was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("history_item_sid"), std::string::npos) << e.what();
  }
}

TEST(WordRecall, CountsDistinctWordsOfTheReference) {
  EXPECT_EQ(reasoning_words("The <a_12><b_3><c_4> HATCHBOX PLA, 1.75mm; the a_1 x <b_x>"),
            (std::set<std::string>{"the", "hatchbox", "pla", "75mm"}));
  EXPECT_DOUBLE_EQ(*word_recall("Brand ACME gloves <a_1><b_2><c_3>", "acme GLOVES, a1"), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*word_recall("gloves gloves tape", "tape"), 0.5);
  EXPECT_FALSE(word_recall("<a_1><b_2><c_3> a b", "anything").has_value());
}

}  // namespace
}  // namespace sidr::eval
