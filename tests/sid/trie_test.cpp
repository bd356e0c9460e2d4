#include "sid/trie.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "sid/sid_trie.h"
#include "util/error.h"

namespace sidr::sid {
namespace {

TEST(Trie, AllowedTokensFollowThePrefixes) {
  // Two SIDs share <a>, one collides entirely with another (same path, two payloads).
  Trie trie = Trie::build({{5, 7, 9, 1, 2}, {5, 8, 3, 1, 2}, {6, 7, 9, 1, 2}, {5, 7, 9, 1, 2}});
  EXPECT_EQ(trie.allowed(trie.root()), (std::vector<TokenId>{5, 6}));
  EXPECT_EQ(trie.allowed(trie.walk({5})), (std::vector<TokenId>{7, 8}));
  EXPECT_EQ(trie.allowed(trie.walk({5, 7})), (std::vector<TokenId>{9}));
  EXPECT_EQ(trie.allowed(trie.walk({5, 7, 9})), (std::vector<TokenId>{1}));
  EXPECT_EQ(trie.allowed(trie.walk({5, 7, 9, 1})), (std::vector<TokenId>{2}));
  NodeId leaf = trie.walk({5, 7, 9, 1, 2});
  ASSERT_NE(leaf, kNoNode);
  EXPECT_TRUE(trie.is_terminal(leaf));
  EXPECT_EQ(trie.child_count(leaf), 0u);
  EXPECT_EQ(trie.payloads(leaf), (std::vector<std::int32_t>{0, 3}));
  EXPECT_EQ(trie.payloads(trie.walk({5, 8, 3, 1, 2})), (std::vector<std::int32_t>{1}));
  EXPECT_EQ(trie.walk({5, 9}), kNoNode);
  EXPECT_EQ(trie.child(trie.root(), 4), kNoNode);
  EXPECT_FALSE(trie.is_terminal(trie.walk({5, 7})));
  EXPECT_EQ(trie.uniform_length(), 5);
  EXPECT_EQ(trie.sequence_count(), 4u);
}

TEST(Trie, MatchesANaiveMapOnRandomSequences) {
  // Brute force: the set of next tokens of every prefix, from a map of all prefixes.
  std::mt19937 rng(7);
  std::vector<std::vector<TokenId>> seqs;
  for (int i = 0; i < 300; ++i) {
    std::vector<TokenId> s;
    int len = 1 + static_cast<int>(rng() % 4);
    for (int j = 0; j < len; ++j) s.push_back(static_cast<TokenId>(rng() % 6));
    seqs.push_back(s);
  }
  std::map<std::vector<TokenId>, std::set<TokenId>> next;
  std::map<std::vector<TokenId>, std::vector<std::int32_t>> ends;
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    for (std::size_t k = 0; k < seqs[i].size(); ++k)
      next[std::vector<TokenId>(seqs[i].begin(), seqs[i].begin() + k)].insert(seqs[i][k]);
    ends[seqs[i]].push_back(static_cast<std::int32_t>(i));
  }
  Trie trie = Trie::build(seqs);
  EXPECT_EQ(trie.uniform_length(), -1);
  for (const auto& [prefix, tokens] : next) {
    NodeId node = trie.walk(prefix);
    ASSERT_NE(node, kNoNode);
    EXPECT_EQ(trie.allowed(node), std::vector<TokenId>(tokens.begin(), tokens.end()));
  }
  for (const auto& [seq, payloads] : ends) EXPECT_EQ(trie.payloads(trie.walk(seq)), payloads);
}

TEST(Trie, RejectsEmptySequences) { EXPECT_THROW(Trie::build({{1}, {}}), InputError); }

TEST(SidTrie, SplitsAndMapsSids) {
  EXPECT_EQ(split_sid_tokens("<a_12><b_200><c_7>"), (std::vector<std::string>{"<a_12>", "<b_200>", "<c_7>"}));
  EXPECT_THROW(split_sid_tokens("<a_12>b"), InputError);
  EXPECT_THROW(split_sid_tokens(""), InputError);
  EXPECT_THROW(split_sid_tokens("<a_1><>"), InputError);

  std::map<std::string, TokenId> vocab{{"<a_1>", 100}, {"<a_2>", 101}, {"<b_1>", 102}, {"<c_1>", 103},
                                       {"<c_2>", 104}};
  TokenLookup lookup = [&](std::string_view token) -> std::optional<TokenId> {
    auto it = vocab.find(std::string(token));
    if (it == vocab.end()) return std::nullopt;
    return it->second;
  };
  SidTrie t = SidTrie::build({"<a_1><b_1><c_1>", "<a_1><b_1><c_2>", "<a_2><b_1><c_1>"}, lookup, {198, 151645});
  EXPECT_EQ(t.trie.allowed(t.trie.root()), (std::vector<TokenId>{100, 101}));
  EXPECT_EQ(t.trie.allowed(t.trie.walk({100, 102})), (std::vector<TokenId>{103, 104}));
  EXPECT_EQ(t.trie.allowed(t.trie.walk({100, 102, 104})), (std::vector<TokenId>{198}));
  EXPECT_EQ(t.trie.allowed(t.trie.walk({100, 102, 104, 198})), (std::vector<TokenId>{151645}));
  ASSERT_NE(t.sid_of({101, 102, 103, 198, 151645}), nullptr);
  EXPECT_EQ(*t.sid_of({101, 102, 103, 198, 151645}), "<a_2><b_1><c_1>");
  EXPECT_EQ(t.sid_of({101, 102, 103, 198}), nullptr);
  EXPECT_THROW(SidTrie::build({"<a_9><b_1><c_1>"}, lookup, {}), InputError);
  EXPECT_THROW(SidTrie::build({"<a_1><b_1><c_1>", "<a_1><b_1><c_1>"}, lookup, {}), InputError);
}

}  // namespace
}  // namespace sidr::sid
