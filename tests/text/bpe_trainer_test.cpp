// BpeTrainer on small corpora: learns the frequent pairs, reaches the vocabulary size, is independent of the
// order texts are fed in, and encodes its own corpus compactly. Oracle agreement is test_bpe_trainer_oracle.sh.
#include <gtest/gtest.h>

#include "text/bpe_trainer.h"
#include "util/error.h"

namespace sidr::text {
namespace {

Tokenizer train(const std::vector<std::string>& texts, std::size_t vocab_size) {
  BpeTrainerOptions o;
  o.vocab_size = vocab_size;
  BpeTrainer trainer(o);
  for (const auto& t : texts) trainer.feed(t);
  return trainer.train();
}

TEST(BpeTrainer, LearnsFrequentWordsAndAddsQwenTokens) {
  std::vector<std::string> texts(50, "the cat sat on the mat with the hat\n");
  // The corpus allows 17 merges in all: with room for all of them, every word is one token.
  Tokenizer all = train(texts, 1000);
  EXPECT_EQ(all.size(), 256u + 17 + 5);
  EXPECT_EQ(all.encode(" the"), (std::vector<TokenId>{*all.token_to_id("\xC4\xA0the")}));
  EXPECT_EQ(all.encode(texts[0]).size(), 10u);  // 9 words and the newline
  Tokenizer t = train(texts, 256 + 12 + 5);
  EXPECT_EQ(t.size(), 256u + 12 + 5);
  EXPECT_EQ(t.require_id("<|endoftext|>"), 256 + 12);
  EXPECT_EQ(t.require_id("</think>"), 256 + 12 + 4);
  EXPECT_TRUE(t.is_special(t.require_id("<|im_end|>")));
  EXPECT_FALSE(t.is_special(t.require_id("<think>")));
  EXPECT_EQ(t.decode(t.encode("the hat<|im_end|>", true)), "the hat<|im_end|>");
}

TEST(BpeTrainer, DeterministicAndOrderIndependent) {
  std::vector<std::string> a = {"alpha beta gamma\n", "beta gamma delta\n", "gamma delta alpha\n", "ab ab ab ba\n"};
  std::vector<std::string> b(a.rbegin(), a.rend());
  EXPECT_EQ(train(a, 300).to_json(), train(a, 300).to_json());
  EXPECT_EQ(train(a, 300).to_json(), train(b, 300).to_json());
}

TEST(BpeTrainer, StopsWhenNoPairIsFrequentEnough) {
  Tokenizer t = train({"ab\n"}, 1000);  // every pair is seen once, below min_frequency 2
  EXPECT_EQ(t.size(), 256u + 5);
}

TEST(BpeTrainer, RejectsBadInput) {
  BpeTrainer trainer;
  EXPECT_THROW(trainer.feed("bad \xff"), InputError);
  BpeTrainerOptions tiny;
  tiny.vocab_size = 100;
  EXPECT_THROW(BpeTrainer(tiny).train(), InputError);
}

}  // namespace
}  // namespace sidr::text
