// The prompt strings, typed here from ../shared/reference/sidreasoner.md §3.2, §4, §6.1 and Appendix A
// (independently of src/tasks/prompts.cpp).
#include <gtest/gtest.h>

#include "tasks/prompts.h"
#include "util/error.h"

namespace sidr::tasks {
namespace {

const std::string kPre =
    "Below is an instruction that describes a task, paired with an input that provides further context. Write a "
    "response that appropriately completes the request.";

TEST(ReferencePrompts, SystemPrompts) {
  const PromptSet& p = reference_prompts();
  EXPECT_EQ(p.t1_system,
            "Below is an instruction that describes a task, paired with an input that provides further context. "
            "Write a response that appropriately completes the request. Can you predict the next possible item "
            "that the user may expect?");
  EXPECT_EQ(p.t2_system, kPre + " \nAnswer the question about item identification.\n");
  EXPECT_EQ(p.t3_system, kPre + "\nCan you recommend the next item for the user based on their interaction history?\n");
  EXPECT_EQ(p.t5_system, kPre + " \nBased on the user's historical interaction with item titles, predict the semantic "
                                "ID of the next item they may expect.\n");
  EXPECT_EQ(p.reason_system, p.t3_system);  // SYS_REC
  EXPECT_EQ(p.eval_system, kPre + " \nCan you predict the next possible item that the user may expect?\n");
  EXPECT_EQ(fill_template(p.t4_system, {{"instruction", "I"}}), kPre + "\nI\n \n");
}

TEST(ReferencePrompts, UserPrompts) {
  const PromptSet& p = reference_prompts();
  const std::vector<std::pair<std::string, std::string>> h = {{"history", "<a_1><b_2><c_3>, <a_4><b_5><c_6>"}};
  EXPECT_EQ(fill_template(p.t1_user, h),
            "The user has interacted with items <a_1><b_2><c_3>, <a_4><b_5><c_6> in chronological order. Can you "
            "predict the next possible item that the user may expect?");
  EXPECT_EQ(fill_template(p.t3_user, h),
            "The user has sequentially interacted with items <a_1><b_2><c_3>, <a_4><b_5><c_6>. Can you recommend "
            "the next item for him? Tell me the title of the item?");
  EXPECT_EQ(fill_template(p.reason_user, h),
            "The user has sequentially interacted with items <a_1><b_2><c_3>, <a_4><b_5><c_6>. Can you recommend "
            "the next item for him? Let's think step by step before making recommendation. Directly output the item "
            "SID after thinking.");
  EXPECT_EQ(fill_template(p.eval_user, h),
            "Can you predict the next possible item the user may expect, given the following chronological "
            "interaction history: <a_1><b_2><c_3>, <a_4><b_5><c_6>");
  EXPECT_EQ(fill_template(p.t2_title2sid_user, {{"title", "Tape"}}), "Which item has the title: Tape?");
  EXPECT_EQ(fill_template(p.t2_sid2title_user, {{"sid", "<a_1><b_2><c_3>"}}),
            "What is the title of item \"<a_1><b_2><c_3>\"?");
  EXPECT_EQ(fill_template(p.t4_user, {{"category", "office products"}, {"titles", "\"A\",\t\"B\""}}),
            "The user has palyed the following office productss before: \"A\",\t\"B\"");
  EXPECT_EQ(fill_template(p.t5_user, {{"category", "office products"}, {"titles", "\"A\", \"B\""}}),
            "The user has interacted with the following office products items in chronological order: \"A\", \"B\". "
            "Can you predict the next item the user may expect?");
  EXPECT_EQ(p.t4_title_separator, ",\t");
  EXPECT_EQ(p.t5_title_separator, ", ");
  EXPECT_EQ(fill_template(p.t4_target, {{"title", "T"}}), "\"T\"\n");
  EXPECT_EQ(p.history_separator, ", ");
}

TEST(ReferencePrompts, AppendixAInstructionsInOrder) {
  const PromptSet& p = reference_prompts();
  const std::array<std::string, 11> expected = {
      "Given a list of {category} the user recetenly enjoy, please write a new {category} that the user may bought",
      "Considering the {category} that has recently captured the user's interest, kindly create a compilation of "
      "other {category} that the user might have played prior to this.",
      "Based on the user's current gaming preference, please draft a list of potential {category} they may have "
      "experienced beforehand.",
      "Reflecting on the {category} the user has taken pleasure in recently, we request that you formulate a list "
      "of {category} that may have preceded the user's current enjoyment.",
      "In light of the recent gaming enjoyment expressed by the user, please assemble a list of {category} that "
      "could potentially include past titles the user has engaged with.",
      "Taking into account the {category} that has lately provided enjoyment to the user, please put together an "
      "inventory of {category} the user might have explored previously.",
      "Given the user's newfound enjoyment of a particular {category}, would you kindly generate a roster of other "
      "{category} that might resonate with their past gaming experiences?",
      "In response to the user's recent fondness for a specific {category}, we seek your assistance in listing "
      "possible {category} the user may have delighted in earlier.",
      "With respect to the {category} currently enjoyed by the user, please compile a suggestive list of "
      "{category} they may have played in the past.",
      "Bearing in mind the {category} that the user has recently been enthralled by, please construct a catalog of "
      "other {category} that the user potentially partook in beforehand.",
      "In relation to the user's recent entertainment with a given {category}, it would be appreciated if you could "
      "curate a list of {category} that might form part of the user's previous gaming history.",
  };
  for (std::size_t i = 0; i < 11; ++i) EXPECT_EQ(p.t4_instructions[i], expected[i]) << "template " << i + 1;
}

TEST(FillTemplate, OnePassAndUnknownPlaceholdersStay) {
  // A value holding a placeholder is not re-expanded; unknown names stay literal.
  EXPECT_EQ(fill_template("{a}-{b}-{c}", {{"a", "{b}"}, {"b", "B"}}), "{b}-B-{c}");
  EXPECT_EQ(fill_template("no } braces { here", {{"x", "y"}}), "no } braces { here");
}

TEST(CompactPrompts, NoSystemAndShortUsers) {
  const PromptSet& p = compact_prompts();
  EXPECT_TRUE(p.t1_system.empty());
  EXPECT_TRUE(p.t4_system.empty());
  EXPECT_LT(p.t1_user.size(), reference_prompts().t1_user.size() / 2);
  EXPECT_EQ(&prompts_for(PromptStyle::Compact), &p);
  EXPECT_EQ(parse_prompt_style("compact"), PromptStyle::Compact);
  EXPECT_THROW(parse_prompt_style("tiny"), InputError);
}

}  // namespace
}  // namespace sidr::tasks
