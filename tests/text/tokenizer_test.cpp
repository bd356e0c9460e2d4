// Unit tests of the tokenizer on a tiny hand-built tokenizer.json (expected ids worked out by hand from Hugging
// Face's rules). The comparison against HF itself on the real Qwen3 file is in test_tokenizer_oracle.sh.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "text/byte_level.h"
#include "text/tokenizer.h"
#include "util/error.h"

namespace sidr::text {
namespace {

using nlohmann::json;

// 256 byte tokens (ids 0..255 in GPT-2 order), then merged tokens in merge order.
json tiny_tokenizer_json(const std::vector<std::pair<std::string, std::string>>& merges, json added = json::array(),
                         bool pair_form = true) {
  json vocab = json::object();
  int id = 0;
  for (unsigned char b : byte_order()) vocab[byte_to_unicode()[b]] = id++;
  json merge_list = json::array();
  for (const auto& [a, b] : merges) {
    std::string ma = bytes_to_byte_level(a), mb = bytes_to_byte_level(b);
    if (!vocab.contains(ma + mb)) vocab[ma + mb] = id++;
    if (pair_form) merge_list.push_back({ma, mb});
    else merge_list.push_back(ma + " " + mb);
  }
  json split = {{"type", "Split"},
                {"pattern", {{"Regex", R"('s|'t| ?\p{L}+| ?\p{N}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)"}}},
                {"behavior", "Isolated"},
                {"invert", false}};
  json byte_level = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false},
                     {"use_regex", false}};
  return {{"version", "1.0"},
          {"added_tokens", added},
          {"normalizer", {{"type", "NFC"}}},
          {"pre_tokenizer", {{"type", "Sequence"}, {"pretokenizers", json::array({split, byte_level})}}},
          {"decoder", byte_level},
          {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", merge_list}}}};
}

Tokenizer tiny(const std::vector<std::pair<std::string, std::string>>& merges, json added = json::array()) {
  return Tokenizer::from_json(tiny_tokenizer_json(merges, added), "tiny");
}

TEST(ByteLevel, Gpt2Alphabet) {
  EXPECT_EQ(byte_to_unicode()[' '], "\xC4\xA0");   // Ġ
  EXPECT_EQ(byte_to_unicode()['\n'], "\xC4\x8A");  // Ċ
  EXPECT_EQ(byte_to_unicode()['a'], "a");
  EXPECT_EQ(byte_to_unicode()[0xAD], "\xC5\x83");  // Ń (soft hyphen is the 69th unprintable byte: 256+67)
  EXPECT_EQ(byte_order()[0], '!');
  std::string back;
  ASSERT_TRUE(byte_level_to_bytes(bytes_to_byte_level("a b\n\xff"), back));
  EXPECT_EQ(back, "a b\n\xff");
}

TEST(ByteLevel, LossyUtf8LikeRust) {
  EXPECT_EQ(utf8_lossy("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(utf8_lossy("\xff"), "\xEF\xBF\xBD");
  EXPECT_EQ(utf8_lossy("a\xE2\x82"), "a\xEF\xBF\xBD");                          // truncated: one U+FFFD
  EXPECT_EQ(utf8_lossy("\xE0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");                // bad second byte: two
  EXPECT_EQ(utf8_lossy("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate: three
}

TEST(Tokenizer, MergesByRankNotByPosition) {
  // Ranks: "l l" 0, "e l" 1, "h e" 2, "he ll" 3.
  Tokenizer t = tiny({{"l", "l"}, {"e", "l"}, {"h", "e"}, {"he", "ll"}});
  // hell: ll (0) first, then h e (2), then he ll (3).
  EXPECT_EQ(t.encode("hell"), (std::vector<TokenId>{*t.token_to_id("hell")}));
  // hel: e l (1) beats h e (2), and "h el" is no merge.
  EXPECT_EQ(t.encode("hel"), (std::vector<TokenId>{*t.token_to_id("h"), *t.token_to_id("el")}));
}

TEST(Tokenizer, LeftmostOnEqualRank) {
  Tokenizer t = tiny({{"a", "a"}});
  auto aa = *t.token_to_id("aa"), a = *t.token_to_id("a");
  EXPECT_EQ(t.encode("aaa"), (std::vector<TokenId>{aa, a}));
  EXPECT_EQ(t.encode("aaaa"), (std::vector<TokenId>{aa, aa}));
}

TEST(Tokenizer, StringAndPairMergeFormsAgree) {
  std::vector<std::pair<std::string, std::string>> merges = {{"t", "h"}, {"th", "e"}, {" ", "the"}};
  Tokenizer a = Tokenizer::from_json(tiny_tokenizer_json(merges, json::array(), true), "pairs");
  Tokenizer b = Tokenizer::from_json(tiny_tokenizer_json(merges, json::array(), false), "strings");
  EXPECT_EQ(a.encode("the cat the"), b.encode("the cat the"));
  EXPECT_EQ(a.encode(" the"), (std::vector<TokenId>{*a.token_to_id("\xC4\xA0the")}));
}

TEST(Tokenizer, PreTokensDoNotMergeAcrossRegexPieces) {
  Tokenizer t = tiny({{"a", " "}});  // "a " can only form inside one pre-token, and the regex splits it
  EXPECT_EQ(t.encode("a b"), (std::vector<TokenId>{*t.token_to_id("a"), *t.token_to_id("\xC4\xA0"),
                                                   *t.token_to_id("b")}));
}

TEST(Tokenizer, AddedTokensMatchedBeforeBpeLongestFirst) {
  // Like HF, tokens are re-added in order after the 257 base tokens; the listed ids must be the ones that gives.
  json added = json::array({{{"id", 257}, {"content", "<x>"}, {"special", true}, {"normalized", false}},
                            {{"id", 258}, {"content", "<x>>"}, {"special", false}, {"normalized", false}},
                            {{"id", 256}, {"content", "<x"}, {"special", false}, {"normalized", false}}});
  Tokenizer t = tiny({{"<", "x"}}, added);
  const TokenId x = t.require_id("<x>"), xx = t.require_id("<x>>");
  EXPECT_EQ(x, 257);
  EXPECT_EQ(xx, 258);
  EXPECT_EQ(t.require_id("<x"), 256);  // already in the base vocabulary: keeps that id
  auto ids = t.encode("a<x>b<x>>", true);
  EXPECT_EQ(ids, (std::vector<TokenId>{*t.token_to_id("a"), x, *t.token_to_id("b"), xx}));
  EXPECT_EQ(t.decode(ids), "a<x>b<x>>");
  EXPECT_EQ(t.decode(ids, /*skip_special=*/true), "ab<x>>");
  EXPECT_TRUE(t.is_special(x));
  EXPECT_FALSE(t.is_special(xx));
  EXPECT_EQ(t.size(), 259u);
}

TEST(Tokenizer, LstripRstripSingleWord) {
  json added = json::array({{{"id", 256}, {"content", "<l>"}, {"lstrip", true}, {"normalized", false}},
                            {{"id", 257}, {"content", "<r>"}, {"rstrip", true}, {"normalized", false}},
                            {{"id", 258}, {"content", "ww"}, {"single_word", true}, {"normalized", false}}});
  Tokenizer t = tiny({}, added);
  TokenId a = *t.token_to_id("a"), b = *t.token_to_id("b"), w = *t.token_to_id("w");
  TokenId l = t.require_id("<l>"), r = t.require_id("<r>"), ww = t.require_id("ww");
  EXPECT_EQ(t.encode("a  <l>b", true), (std::vector<TokenId>{a, l, b}));  // spaces before <l> are absorbed
  EXPECT_EQ(t.encode("a<r>  b", true), (std::vector<TokenId>{a, r, b}));  // spaces after <r> are absorbed
  EXPECT_EQ(t.encode("ww", true), (std::vector<TokenId>{ww}));             // a word on its own
  EXPECT_EQ(t.encode("aww", true), (std::vector<TokenId>{a, w, w}));       // inside a word: plain text
}

TEST(Tokenizer, NormalizedAddedTokensSeeNfcText) {
  Tokenizer t = tiny({});
  // "<é>" written with a decomposed é (e + U+0301) is the added token "<é>" only after NFC.
  ASSERT_EQ(t.add_tokens({"<\xC3\xA9>"}), 1u);
  EXPECT_EQ(t.encode("a<e\xCC\x81>", true), (std::vector<TokenId>{*t.token_to_id("a"), static_cast<TokenId>(t.size() - 1)}));
  // "é" alone is a byte token of the base vocabulary: add_tokens skips it (HF would re-add it with its id).
  EXPECT_EQ(t.add_tokens({"\xC3\xA9"}), 0u);
}

TEST(Tokenizer, AddTokensContinuesIdsAndSkipsKnown) {
  Tokenizer t = tiny({{"a", "b"}});
  std::size_t before = t.size();
  EXPECT_EQ(t.add_tokens({"<a_1>", "ab", "<a_1>", "<b_2>", ""}), 2u);
  EXPECT_EQ(t.require_id("<a_1>"), static_cast<TokenId>(before));
  EXPECT_EQ(t.require_id("<b_2>"), static_cast<TokenId>(before + 1));
  EXPECT_EQ(t.size(), before + 2);
  const AddedToken& added = t.added_tokens().back();
  EXPECT_TRUE(added.normalized);
  EXPECT_FALSE(added.special);
  EXPECT_EQ(t.encode("x<a_1><b_2>", true), (std::vector<TokenId>{*t.token_to_id("x"), static_cast<TokenId>(before),
                                                           static_cast<TokenId>(before + 1)}));
  EXPECT_THROW(t.require_id("<c_3>"), InputError);
}

// parse_special (llama.cpp's flag): without it, added tokens' text in the input (a user typing "<|im_end|>" or
// "<a_1>") is plain text, encoded exactly as by the same tokenizer with no added tokens at all; with it, those
// strings become the added tokens, as Hugging Face matches them.
TEST(Tokenizer, ParseSpecialKeepsUserTextApartFromAddedTokens) {
  json j = tiny_tokenizer_json({{"t", "h"}, {"th", "e"}});
  Tokenizer bare = Tokenizer::from_json(j, "bare");
  Tokenizer t = Tokenizer::from_json(j, "tiny");
  t.add_tokens({"<a_1>", "<|im_end|>"});
  const TokenId sid = t.require_id("<a_1>"), end = t.require_id("<|im_end|>");
  for (std::string text : {"the <a_1> theme<|im_end|>", "<|im_end|><|im_end|>", "x<a_1><a_1>the", "the"}) {
    auto plain = t.encode(text);
    EXPECT_EQ(plain, bare.encode(text, true)) << text;  // bare has no added token to match
    EXPECT_EQ(t.encode(text, false), plain) << text;     // false is the default
    for (TokenId id : plain) EXPECT_LT(id, static_cast<TokenId>(bare.size())) << text;
    EXPECT_EQ(t.decode(plain), text);
  }
  EXPECT_EQ(t.encode("<a_1><|im_end|>", true), (std::vector<TokenId>{sid, end}));
  EXPECT_EQ(t.encode_batch({"<a_1>", "the"}), (std::vector<std::vector<TokenId>>{t.encode("<a_1>"), t.encode("the")}));
  EXPECT_EQ(t.encode_batch({"<a_1>"}, true), (std::vector<std::vector<TokenId>>{{sid}}));
}

TEST(Tokenizer, SaveAndReloadGivesSameIds) {
  Tokenizer t = tiny({{"t", "h"}, {"th", "e"}});
  t.add_tokens({"<a_1>"});
  auto dir = std::filesystem::temp_directory_path() / ("sidr_tok_test_" + std::to_string(::getpid()));
  t.save(dir);
  Tokenizer back = Tokenizer::from_file(dir / "tokenizer.json");
  EXPECT_EQ(back.encode("the <a_1> theme", true), t.encode("the <a_1> theme", true));
  EXPECT_EQ(back.size(), t.size());
  auto config = nlohmann::json::parse(std::ifstream(dir / "tokenizer_config.json"));
  EXPECT_EQ(config["eos_token"], "<|im_end|>");
  EXPECT_EQ(config["pad_token"], "<|im_end|>");
  EXPECT_EQ(config["added_tokens_decoder"][std::to_string(t.require_id("<a_1>"))]["content"], "<a_1>");
  std::filesystem::remove_all(dir);
}

TEST(Tokenizer, BadInputIsInputError) {
  Tokenizer t = tiny({});
  EXPECT_THROW(t.encode("ok\xC3"), InputError);
  EXPECT_THROW(Tokenizer::from_json_text("{", "broken.json"), InputError);
  EXPECT_THROW(Tokenizer::from_json_text("{\"model\": {\"type\": \"WordPiece\"}}", "wp.json"), InputError);
  json j = tiny_tokenizer_json({});
  j["model"]["merges"] = json::array({"a zz"});
  EXPECT_THROW(Tokenizer::from_json(j, "badmerge.json"), InputError);
  EXPECT_THROW(Tokenizer::from_file("/nonexistent/tokenizer.json"), InputError);
}

TEST(Tokenizer, VocabMergesWithTokenizerConfig) {
  json j = tiny_tokenizer_json({{"t", "h"}, {"th", "e"}});
  auto dir = std::filesystem::temp_directory_path() / ("sidr_gpt2_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "vocab.json") << j["model"]["vocab"].dump();
  {
    std::ofstream merges(dir / "merges.txt");
    merges << "#version: 0.2\n";
    for (const auto& m : j["model"]["merges"]) merges << m[0].get<std::string>() << " " << m[1].get<std::string>() << "\n";
  }
  std::ofstream(dir / "tokenizer_config.json")
      << R"({"added_tokens_decoder": {"258": {"content": "<|im_end|>", "special": true, "normalized": false}}})";
  Tokenizer plain = Tokenizer::from_vocab_merges(dir / "vocab.json", dir / "merges.txt");
  Tokenizer with = Tokenizer::from_vocab_merges(dir / "vocab.json", dir / "merges.txt", dir / "tokenizer_config.json");
  Tokenizer reference = Tokenizer::from_json(j, "tiny");
  EXPECT_EQ(plain.encode("the theme"), reference.encode("the theme"));
  EXPECT_EQ(with.require_id("<|im_end|>"), 258);
  EXPECT_EQ(with.encode("the<|im_end|>", true), (std::vector<TokenId>{*with.token_to_id("the"), 258}));
  EXPECT_TRUE(with.is_special(258));
  std::filesystem::remove_all(dir);
}

TEST(Tokenizer, ConcurrentEncodeIsConsistent) {
  Tokenizer t = tiny({{"t", "h"}, {"th", "e"}, {" ", "the"}, {"a", "n"}});
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) texts.push_back("the man and the plan number " + std::to_string(i * 7919));
  std::vector<std::vector<TokenId>> expected;
  for (const auto& text : texts) expected.push_back(Tokenizer::from_json(tiny_tokenizer_json(
      {{"t", "h"}, {"th", "e"}, {" ", "the"}, {"a", "n"}}), "fresh").encode(text));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k)
    threads.emplace_back([&, k] {
      for (int rep = 0; rep < 5; ++rep)
        for (std::size_t i = 0; i < texts.size(); ++i)
          if (t.encode(texts[i]) != expected[i]) ++mismatches[k];
    });
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

// Bad input at the edges (issue 22): a file that would load with other ids than it lists, or without a token for
// some byte, is refused at load, naming the token.
TEST(Tokenizer, RefusesAListedIdThatWouldShift) {
  // "</think>" at 257 removed: "<b>", listed at 258, would become 257 (and every later id would shift).
  json added = json::array({{{"id", 256}, {"content", "<a>"}, {"special", true}},
                            {{"id", 258}, {"content", "<b>"}, {"special", true}}});
  try {
    tiny({}, added);
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "tiny: field 'added_tokens[1]': token \"<b>\" is listed with id 258 but would get id 257 "
                           "(a token before it is missing or out of order)");
  }
  added[1]["id"] = 257;
  EXPECT_EQ(tiny({}, added).require_id("<b>"), 257);
}

TEST(Tokenizer, RefusesAMissingByteToken) {
  json doc = tiny_tokenizer_json({});
  doc["model"]["vocab"].erase("!");  // byte 0x21
  try {
    Tokenizer::from_json(doc, "tiny");
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "tiny: field 'model.vocab': byte 0x21 has no token (its byte-level token \"!\" is missing)");
  }
}

}  // namespace
}  // namespace sidr::text
