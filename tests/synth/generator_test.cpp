// The offline generator's rules on hand-made histories: cleaning, grounding choice, the leak rules, the
// integrated narrative, determinism, and the Stage 2 check of a narrative CSV.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "data/catalog.h"
#include "synth/item_enrichment.h"
#include "synth/leak_rules.h"
#include "synth/text_clean.h"
#include "synth/user_reasoning.h"
#include "tasks/corpus.h"
#include "tasks/narrative_check.h"
#include "util/error.h"
#include "util/file_io.h"

namespace sidr::synth {
namespace {

TEST(TextClean, DecodesEntitiesAndDropsJunk) {
  EXPECT_EQ(decode_html_entities("T&uuml;rlen &amp; Co &ndash; 5&deg; &#39;x&#x27; &bogus; & ;"),
            "T\xc3\xbcrlen & Co \xe2\x80\x93 5\xc2\xb0 'x' &bogus; & ;");
  EXPECT_EQ(clean_text("  Eye-Vac &ndash;  <b>1400</b>&nbsp;Watts "), "Eye-Vac \xe2\x80\x93 1400 Watts");
  EXPECT_EQ(clean_text("RapidFix, 25 mL,RFX7121101\" />"), "RapidFix, 25 mL,RFX7121101");
  EXPECT_EQ(clean_text("a <!-- html comment --> b"), "a b");
  EXPECT_EQ(clean_text("&lt;b&gt; stays"), "<b> stays");
  EXPECT_EQ(clean_title("Industrial & Scientific\" />", "Industrial_and_Scientific"), "");
  EXPECT_EQ(clean_title("Office Products", "Office_Products"), "");
  EXPECT_EQ(clean_title("Scotch Tape", "Office_Products"), "Scotch Tape");
  EXPECT_EQ(category_display_name("Industrial_and_Scientific"), "Industrial & Scientific");
  EXPECT_EQ(words("PLA 1.75mm, 1KG-Spool"), (std::vector<std::string>{"pla", "1", "75mm", "1kg", "spool"}));
  EXPECT_EQ(content_words("The PLA Filament, 1.75mm (Pack of 2) filament"),
            (std::vector<std::string>{"pla", "filament"}));
}

ItemText item(const std::string& sid, const std::string& title, const std::string& brand = "") {
  return {sid, title, brand};
}

const std::string kS1 = "<a_1><b_2><c_3>", kS2 = "<a_4><b_5><c_6>", kS3 = "<a_7><b_8><c_9>", kT = "<a_1><b_9><c_9>";

TEST(LeakRules, CatchEachKind) {
  const std::vector<ItemText> history = {item(kS1, "Stainless Steel Washer", "Hillman"), item(kS2, "Brass Nut")};
  const ItemText target = item(kT, "Stainless Hex Bolt", "Bolt Depot");
  const LeakContext c = make_leak_context(history, target);
  EXPECT_EQ(c.target_only_words, (std::set<std::string>{"bolt", "depot", "hex"}));
  EXPECT_EQ(find_leak("I liked " + kS1 + " and " + kS2 + " for 'stainless'.", c), "");
  EXPECT_NE(find_leak("Next comes " + kT, c).find("target SID"), std::string::npos);
  EXPECT_NE(find_leak("Something in <a_1> again", c).find("SID token <a_1>"), std::string::npos);
  EXPECT_NE(find_leak("I want a hex head", c).find("'hex'"), std::string::npos);
  EXPECT_NE(find_leak("I want a HEX-head", c).find("'hex'"), std::string::npos);
  // The title recited word by word is caught even when all of its words are shared.
  const LeakContext again = make_leak_context({item(kS1, "Brass Nut"), item(kS2, "Nut Brass")}, item(kT, "Brass Nut"));
  EXPECT_EQ(find_leak("brass and nut", again), "");
  EXPECT_NE(find_leak("more brass nut", again).find("title"), std::string::npos);
}

TEST(OfflineReasoning, SharedWordsAreNamedWithTheirItems) {
  const std::vector<ItemText> history = {item(kS1, "Stainless Steel Washer"), item(kS2, "Glue Stick"),
                                         item(kS3, "Stainless Steel Screw")};
  const ItemText target = item(kT, "Stainless Steel Hex Bolt");
  const Reasoning r = offline_reasoning(history, target, 1);
  EXPECT_EQ(r.grounding, Grounding::Words);
  EXPECT_EQ(r.words, (std::vector<std::string>{"stainless", "steel"}));  // both in 2 items, last seen together
  EXPECT_NE(r.text.find(kS1), std::string::npos);
  EXPECT_NE(r.text.find(kS3), std::string::npos);
  EXPECT_EQ(r.text.find(kS2), std::string::npos);  // the glue does not continue
  EXPECT_NE(r.text.find("'stainless'"), std::string::npos);
  EXPECT_EQ(find_leak(r.text, make_leak_context(history, target)), "");
  EXPECT_NE(r.text.find(" I "), std::string::npos);  // first person
}

TEST(OfflineReasoning, BrandOrNewDirection) {
  const std::vector<ItemText> history = {item(kS1, "Glue Stick", "Gorilla"), item(kS2, "Tape Roll", "Scotch")};
  const Reasoning brand = offline_reasoning(history, item(kT, "Epoxy Syringe", "GORILLA"), 3);
  EXPECT_EQ(brand.grounding, Grounding::Brand);
  EXPECT_NE(brand.text.find("Gorilla"), std::string::npos);
  EXPECT_NE(brand.text.find(kS1), std::string::npos);
  const Reasoning none = offline_reasoning(history, item(kT, "Epoxy Syringe", "Loctite"), 3);
  EXPECT_EQ(none.grounding, Grounding::NewDirection);
  EXPECT_EQ(none.text, kNewDirection);
  EXPECT_FALSE(none.fell_back);
}

TEST(OfflineReasoning, RepeatPurchaseNeverNamesTheTargetSid) {
  // The target is the last history item again: its own SID carries the thread but may not be named.
  const std::vector<ItemText> history = {item(kS2, "Brass Nut"), item(kT, "Hex Bolt Zinc")};
  const Reasoning r = offline_reasoning(history, item(kT, "Hex Bolt Zinc"), 5);
  EXPECT_EQ(r.grounding, Grounding::Words);
  EXPECT_EQ(r.words.size(), 2u);  // never all three title words
  EXPECT_EQ(r.text.find(kT), std::string::npos);
  EXPECT_NE(r.text.find("an earlier purchase of mine"), std::string::npos);
}

TEST(OfflineReasoning, DeterministicForASeedAndVariedAcrossSeeds) {
  const std::vector<ItemText> history = {item(kS1, "Stainless Steel Washer"), item(kS3, "Stainless Steel Screw")};
  const ItemText target = item(kT, "Stainless Steel Hex Bolt");
  std::set<std::string> texts;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    EXPECT_EQ(offline_reasoning(history, target, seed).text, offline_reasoning(history, target, seed).text);
    texts.insert(offline_reasoning(history, target, seed).text);
  }
  EXPECT_EQ(texts.size(), 4u);  // every words template is drawn
}

TEST(OfflineNarrative, RecitesHistoryWeavesReasoningEndsWithTarget) {
  const std::vector<ItemText> history = {item(kS1, "A"), item(kS2, "B"), item(kS3, "C")};
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    const std::string n = offline_narrative(history, item(kT, "D"), "I reason.", seed);
    EXPECT_LT(n.find(kS1), n.find(kS2));
    EXPECT_LT(n.find(kS2), n.find(kS3));
    EXPECT_LT(n.find(kS3), n.find("I reason."));
    EXPECT_EQ(n.substr(n.size() - kT.size()), kT);
  }
}

TEST(OfflineItemParagraph, NamesTheItemOnlyBySid) {
  data::Item it;
  it.id = "3";
  it.sid = kS1;
  it.title = "Kreg SML-C125-500 Pocket Hole Screws";
  it.brand = "Kreg";
  it.description = "['Kreg SML-C125-500 Pocket Hole Screws', 'The screws prevent overdriving. They are self-tapping.']";
  const std::string p = offline_item_paragraph(it, "Industrial_and_Scientific", "industrial and scientific items", 1);
  EXPECT_NE(p.find(kS1), std::string::npos);
  EXPECT_EQ(p.find(it.title), std::string::npos);
  EXPECT_NE(p.find("overdriving"), std::string::npos);
  EXPECT_NE(p.find("Kreg"), std::string::npos);
  data::Item junk = it;
  junk.title = "Industrial & Scientific\" />";
  junk.brand = "";
  junk.description = "";
  EXPECT_EQ(offline_item_paragraph(junk, "Industrial_and_Scientific", "industrial and scientific items", 1),
            kS1 + " is one of the industrial and scientific items; its catalog entry gives no details.");
}

// ---- the Stage 2 check of a narrative CSV --------------------------------------------------------------

const std::string kFixture = std::string(SIDR_TEST_DIR) + "/fixtures/tasks/Amazon";

std::string check_message(const std::string& csv) {
  const auto dir = std::filesystem::temp_directory_path() / ("sidr_synth_check_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "n.csv";
  write_file_atomic(path, csv);
  const auto catalog = data::Catalog::load({kFixture, "Office_Products"});
  try {
    tasks::check_narrative(tasks::NarrativeFile::load(path), catalog);
  } catch (const InputError& e) {
    return std::string(e.what()).substr(path.string().size());
  }
  return "";
}

TEST(NarrativeCheck, FindsSidsInText) {
  EXPECT_EQ(tasks::sids_in_text("x <a_1><b_2><c_3>, <a_4><b_5> <a_7><b_8><c_9><a_1><b_2><c_3> <a_1>", 3),
            (std::vector<std::string>{"<a_1><b_2><c_3>", "<a_7><b_8><c_9>", "<a_1><b_2><c_3>"}));
}

TEST(NarrativeCheck, NamesFileLineRowAndField) {
  const std::string head = "user_id,history_item_sid,item_sid,reasoning_path,integrated_narrative\n";
  const std::string good = "A1,['<a_1><b_2><c_3>'],<a_4><b_5><c_6>,I liked <a_1><b_2><c_3>.,ok <a_4><b_5><c_6>\n";
  EXPECT_EQ(check_message(head + good + good), "");
  EXPECT_EQ(check_message(head + good + "A2,['<a_1><b_2><c_3>'],<a_4><b_5><c_6>,\"then\n<a_4><b_5><c_6>\",n\n"),
            ":3: field 'reasoning_path': row 2: the reasoning names its target SID <a_4><b_5><c_6>");
  EXPECT_EQ(check_message(head + "A1,['<a_1><b_2><c_3>'],<a_4><b_5><c_6>,I liked <a_9><b_9><c_9>.,n\n"),
            ":2: field 'reasoning_path': row 1: SID <a_9><b_9><c_9> is not in the index");
  EXPECT_EQ(check_message(head + "A1,['<a_1><b_2><c_3>'],<a_4><b_5><c_7>,r,n\n"),
            ":2: field 'item_sid': row 1: SID <a_4><b_5><c_7> is not in the index");
  EXPECT_EQ(check_message(head + "A1,\"['<a_1><b_2><c_3>', '<a_0><b_0><c_0>']\",<a_4><b_5><c_6>,r,n\n"),
            ":2: field 'history_item_sid': row 1: SID <a_0><b_0><c_0> is not in the index");
  EXPECT_EQ(check_message(head + "A1,['<a_1><b_2><c_3>'],<a_4><b_5><c_6>,r,ends <a_5><b_5><c_5>\n"),
            ":2: field 'integrated_narrative': row 1: SID <a_5><b_5><c_5> is not in the index");
  // A target named only inside a leading think block is cut before Stage 2 trains, so it passes.
  EXPECT_EQ(check_message(head + "A1,['<a_1><b_2><c_3>'],<a_4><b_5><c_6>,<think><a_4><b_5><c_6></think> r,n\n"), "");
}

}  // namespace
}  // namespace sidr::synth
