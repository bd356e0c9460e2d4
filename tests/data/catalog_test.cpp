#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "data/catalog.h"
#include "data/list_literal.h"
#include "data_test_util.h"
#include "util/error.h"

using namespace sidr;
using namespace sidr::data;
using namespace sidr::data::testing;
namespace fs = std::filesystem;

// ScratchDataset lives here (the test glob only picks up *_test.cpp files).
namespace sidr::data::testing {
ScratchDataset::ScratchDataset(const std::string& name) {
  root_ = fs::temp_directory_path() / ("sidr_data_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(root_);
  fs::copy(mini_paths().root, root_, fs::copy_options::recursive);
}
ScratchDataset::~ScratchDataset() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}
std::string ScratchDataset::read(const std::string& relative) const {
  std::ifstream in(file(relative), std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
void ScratchDataset::write(const std::string& relative, const std::string& content) const {
  std::ofstream(file(relative), std::ios::binary | std::ios::trunc) << content;
}
void ScratchDataset::append(const std::string& relative, const std::string& content) const {
  write(relative, read(relative) + content);
}
void ScratchDataset::replace(const std::string& relative, const std::string& from, const std::string& to) const {
  std::string text = read(relative);
  auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << relative;
  write(relative, text.replace(at, from.size(), to));
}
}  // namespace sidr::data::testing

TEST(Catalog, LoadsTheMiniFixture) {
  Catalog catalog = Catalog::load(mini_paths());
  ASSERT_EQ(catalog.items().size(), 5u);
  EXPECT_EQ(catalog.items()[0].id, "0");
  EXPECT_EQ(catalog.items()[2].title, "Caf\xC3\xA9 thermometer \xE2\x80\x93 5\xC2\xB0" "C");
  EXPECT_EQ(catalog.items()[2].sid, "<a_10><b_0><c_255>");
  EXPECT_EQ(catalog.items()[2].sid_tokens, (std::vector<std::string>{"<a_10>", "<b_0>", "<c_255>"}));
  EXPECT_EQ(catalog.items()[0].brand, "Gorilla");
  EXPECT_EQ(catalog.distinct_sids(),
            (std::vector<std::string>{"<a_1><b_2><c_3>", "<a_1><b_2><c_4>", "<a_10><b_0><c_255>", "<a_2><b_9><c_9>"}));
  EXPECT_EQ(catalog.items_with_sid("<a_1><b_2><c_4>"), (std::vector<std::string>{"1", "3"}));
  EXPECT_TRUE(catalog.items_with_sid("<a_9><b_9><c_9>").empty());
  EXPECT_TRUE(catalog.has_sid("<a_2><b_9><c_9>"));
  EXPECT_FALSE(catalog.has_sid("<a_2><b_9>"));
  // Plain byte order, as Python's sorted(): "<a_10>" before "<a_1>" ('0' < '>') and "<a_2>".
  EXPECT_EQ(catalog.sorted_level_tokens(),
            (std::vector<std::string>{"<a_10>", "<a_1>", "<a_2>", "<b_0>", "<b_2>", "<b_9>", "<c_255>", "<c_3>", "<c_4>",
                                      "<c_9>"}));
  EXPECT_EQ(catalog.find("3")->title, "Plain item");
  EXPECT_EQ(catalog.find(std::int64_t{4})->id, "4");
  EXPECT_EQ(catalog.find("7"), nullptr);
  EXPECT_EQ(catalog.find(std::int64_t{-1}), nullptr);
  EXPECT_THROW(catalog.at("7"), InputError);
  EXPECT_EQ(catalog.info_lines().size(), 5u);
  EXPECT_EQ(catalog.info_lines()[3].sid, "<a_1><b_2><c_4>");
  EXPECT_EQ(catalog.items_without_sid(), 0u);
}

TEST(Catalog, ProcessedDescriptionFollowsTheReference) {
  Catalog catalog = Catalog::load(mini_paths());
  auto processed = [&](const char* id) { return Catalog::processed_description(catalog.at(id)); };
  EXPECT_EQ(processed("0"), "The longest description, with \"quotes\" and a tab\tinside.");  // longest element
  EXPECT_EQ(processed("1"), catalog.at("1").title);                                         // empty -> title
  EXPECT_EQ(processed("2"), catalog.at("2").title);                                         // only blanks -> title
  EXPECT_EQ(processed("3"), "A plain description.");                                        // plain string
  EXPECT_EQ(processed("4"), "abcdefghij");  // longest in code points (10), not bytes ("Ünïcödé ü" has 14)

  Item item;
  item.title = "T";
  item.description = "['same', 'size', 'x']";  // max() keeps the first of equal lengths
  EXPECT_EQ(Catalog::processed_description(item), "same");
  item.description = "   \xC2\xA0";  // Python's strip() removes U+00A0 too
  EXPECT_EQ(Catalog::processed_description(item), "T");
  item.description = "[not a literal]";  // eval would fail: used as plain text
  EXPECT_EQ(Catalog::processed_description(item), "[not a literal]");
  item.description = "[]";
  EXPECT_EQ(Catalog::processed_description(item), "T");
}

// Numbers from sidreasoner.md 2.2/2.3 and from Python over the same files.
TEST(Catalog, ShippedIndustrialCatalog) {
  Catalog catalog = Catalog::load(shipped_paths());
  EXPECT_EQ(catalog.items().size(), 3686u);
  EXPECT_EQ(catalog.distinct_sids().size(), 3670u);
  EXPECT_EQ(catalog.sorted_level_tokens().size(), 560u);
  EXPECT_EQ(catalog.sorted_level_tokens().front(), "<a_104>");
  EXPECT_EQ(catalog.sorted_level_tokens()[48], "<b_0>");
  EXPECT_EQ(catalog.sorted_level_tokens().back(), "<c_9>");
  EXPECT_EQ(catalog.items_with_sid("<a_210><b_231><c_0>"), (std::vector<std::string>{"7", "8"}));
  EXPECT_EQ(catalog.info_lines().size(), 3686u);

  // Python: 295 processed descriptions fall back to the title; their lengths sum to 1,838,012 code points.
  std::size_t titles = 0, length = 0;
  for (const Item& item : catalog.items()) {
    std::string processed = Catalog::processed_description(item);
    titles += processed == item.title;
    length += utf8_length(processed);
  }
  EXPECT_EQ(titles, 295u);
  EXPECT_EQ(length, 1838012u);
  EXPECT_EQ(Catalog::processed_description(catalog.at("1")).substr(0, 41), "For heavy duty stapling jobs such as insu");
  EXPECT_EQ(Catalog::processed_description(catalog.at("75")), catalog.at("75").title);  // "['', ' ']"
}

TEST(SidIndex, TokensSortedInPlainStringOrderAndTheGrammarFixedByTheIndex) {
  SidIndex index = SidIndex::parse(R"({"1": ["<a_2>", "<b_10>", "<c_3>"], "0": ["<a_10>", "<b_9>", "<c_3>"]})", "i.json");
  // Python's sorted() on these strings: "<a_10>" < "<a_2>" because '1' < '2'.
  EXPECT_EQ(index.sorted_level_tokens, (std::vector<std::string>{"<a_10>", "<a_2>", "<b_10>", "<b_9>", "<c_3>"}));
  ASSERT_EQ(index.entries.size(), 2u);
  EXPECT_EQ(index.entries[0].id, "1");  // index.json order, not sorted
  EXPECT_EQ(index.entries[1].sid, "<a_10><b_9><c_3>");
  EXPECT_EQ(index.grammar.levels, 3);
  EXPECT_EQ(index.grammar.codebook_size, 11);
}

TEST(SidIndex, MalformedIndexIsAnInputErrorNamingTheItem) {
  auto message = [](const std::string& text) {
    try {
      SidIndex::parse(text, "i.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(R"({"1": "<a_2>"})").find("i.json"), std::string::npos);
  EXPECT_NE(message(R"({"0": ["<a_1>", "<b_2>"], "7": ["<a_1>"]})").find("7"), std::string::npos);
  EXPECT_NE(message(R"({"0": ["<b_1>", "<b_2>"]})"), "no error");  // level 0 must be <a_N>
  EXPECT_NE(message(R"({"0": ["<a_1>", 3]})"), "no error");
  EXPECT_NE(message(R"({"01": ["<a_1>"]})"), "no error");
  EXPECT_NE(message(R"({})"), "no error");
  EXPECT_NE(message(R"([1, 2])"), "no error");
}

TEST(SidIndex, TheShippedIndexGivesTheCatalogsTokens) {
  const DatasetPaths paths = shipped_paths();
  EXPECT_EQ(SidIndex::load(paths.index_json()).sorted_level_tokens, Catalog::load(paths).sorted_level_tokens());
}
