#include <gtest/gtest.h>

#include "data/interactions.h"
#include "data_test_util.h"
#include "util/error.h"

using namespace sidr::data;
using namespace sidr::data::testing;

TEST(Interactions, LoadsTypedRows) {
  Interactions train = Interactions::load(mini_paths().interactions(Split::Train));
  ASSERT_EQ(train.rows.size(), 5u);
  const Interaction& row = train.rows[1];
  EXPECT_EQ(row.line, 3u);
  EXPECT_EQ(row.user_id, "A1");
  EXPECT_EQ(row.history_titles, (std::vector<std::string>{"Gorilla Tape, Black Duct Tape, 1.88\" x 35 yd",
                                                          "Grizzly G9849 President's \"Special\" Combo"}));
  EXPECT_EQ(row.history_ids, (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(row.history_sids, (std::vector<std::string>{"<a_1><b_2><c_3>", "<a_1><b_2><c_4>"}));
  EXPECT_EQ(row.item_id, 2);
  EXPECT_EQ(row.item_sid, "<a_10><b_0><c_255>");
  EXPECT_EQ(train.rows[3].history_titles[1], "Line\\break item");  // '\\' in the literal is one backslash
  EXPECT_EQ(train.rows[3].item_title, "Line\\break item");
}

TEST(Interactions, ShippedSplits) {
  // Row counts from sidreasoner.md 2.1; the first train row as Python's csv + ast.literal_eval read it.
  Interactions train = Interactions::load(shipped_paths().interactions(Split::Train));
  EXPECT_EQ(train.rows.size(), 36259u);
  const Interaction& first = train.rows[0];
  EXPECT_EQ(first.user_id, "A22");
  EXPECT_EQ(first.history_titles,
            std::vector<std::string>{"Gorilla Original Gorilla Glue, Waterproof Polyurethane Glue, 8 ounce Bottle, Brown"});
  EXPECT_EQ(first.item_title, "Grizzly G9849 Magnetic Base/Dial Indicator Combo - President's Special");
  EXPECT_EQ(first.history_ids, std::vector<std::int64_t>{117});
  EXPECT_EQ(first.item_id, 118);
  EXPECT_EQ(first.history_sids, std::vector<std::string>{"<a_165><b_107><c_44>"});
  EXPECT_EQ(first.item_sid, "<a_104><b_118><c_176>");
  EXPECT_EQ(Interactions::load(shipped_paths().interactions(Split::Valid)).rows.size(), 4532u);
  EXPECT_EQ(Interactions::load(shipped_paths().interactions(Split::Test)).rows.size(), 4533u);
}

TEST(Dataset, PathsAndNames) {
  DatasetPaths paths{"data/Amazon", "Industrial_and_Scientific"};
  EXPECT_EQ(paths.interactions(Split::Valid), "data/Amazon/valid/Industrial_and_Scientific_5_2016-10-2018-11.csv");
  EXPECT_EQ(paths.index_json(), "data/Amazon/index/Industrial_and_Scientific.index.json");
  EXPECT_EQ(paths.item_json(), "data/Amazon/index/Industrial_and_Scientific.item.json");
  EXPECT_EQ(paths.info(), "data/Amazon/info/Industrial_and_Scientific_5_2016-10-2018-11.txt");
  EXPECT_EQ(parse_split("test"), Split::Test);
  EXPECT_STREQ(split_name(Split::Train), "train");
  EXPECT_THROW(parse_split("dev"), sidr::InputError);
  EXPECT_EQ(category_phrase("Industrial_and_Scientific"), "industrial and scientific items");
  EXPECT_EQ(category_phrase("Office_Products"), "office products");
  EXPECT_EQ(category_phrase("Unknown"), "items");
}
