// SampleEncoder with hand-made encode functions: label spans, the mismatch fallbacks, truncation.
#include <gtest/gtest.h>

#include <map>

#include "tasks/encode.h"
#include "util/error.h"

namespace sidr::tasks {
namespace {

using Ids = std::vector<text::TokenId>;

// One id per byte: concatenation always equals whole-text encoding.
SampleEncoder::EncodeFn bytes() {
  return [](std::string_view s) {
    Ids ids;
    for (unsigned char c : s) ids.push_back(c);
    return ids;
  };
}

// A table of exact encodings, for cases a real tokenizer produces at a boundary.
SampleEncoder::EncodeFn table(std::map<std::string, Ids> entries) {
  return [entries](std::string_view s) {
    auto it = entries.find(std::string(s));
    if (it == entries.end()) throw Error("unexpected text '" + std::string(s) + "'");
    return it->second;
  };
}

TextSample sample(std::string prefix, std::string supervised, std::string suffix, Task task = Task::T1) {
  TextSample s;
  s.task = task;
  s.prefix = std::move(prefix);
  s.supervised = std::move(supervised);
  s.suffix = std::move(suffix);
  return s;
}

TEST(SampleEncoder, LabelsOnlyTheSupervisedSpan) {
  SampleEncoder enc(bytes());
  Sample s = enc.encode(sample("ab", "cd", "e"));
  EXPECT_EQ(s.input_ids, (Ids{'a', 'b', 'c', 'd', 'e'}));
  EXPECT_EQ(s.labels, (Ids{-100, -100, 'c', 'd', -100}));
  EXPECT_EQ(s.text, "abcde");
  EXPECT_EQ(s.num_labels(), 2u);
  EXPECT_EQ(enc.stats().mismatches, 0u);
}

TEST(SampleEncoder, PlainLmLabelsEverything) {
  SampleEncoder enc(bytes());
  Sample s = enc.encode(sample("", "xyz", "", Task::T6));
  EXPECT_EQ(s.labels, s.input_ids);
}

TEST(SampleEncoder, MismatchWithIntactTargetIsFoundBySearch) {
  // The prefix re-tokenizes differently in context ([1,2] alone, [1,5] inside), the target stays [3].
  SampleEncoder enc(table({{"P", {1, 2}}, {"T", {3}}, {"S", {4}}, {"PTS", {1, 5, 3, 4}}}));
  Sample s = enc.encode(sample("P", "T", "S"));
  EXPECT_EQ(s.input_ids, (Ids{1, 5, 3, 4}));
  EXPECT_EQ(s.labels, (Ids{-100, -100, 3, -100}));
  EXPECT_EQ(enc.stats().mismatches, 1u);
  EXPECT_EQ(enc.stats().searched, 1u);
  EXPECT_EQ(enc.stats().approximate, 0u);
}

TEST(SampleEncoder, SearchIgnoresCopiesOfTheTargetInsideThePrefix) {
  // The target id 3 also occurs in the prefix; only the copy after the shared prefix ids counts.
  SampleEncoder enc(table({{"P", {3, 1, 2}}, {"T", {3}}, {"S", {4}}, {"PTS", {3, 1, 5, 3, 4}}}));
  Sample s = enc.encode(sample("P", "T", "S"));
  EXPECT_EQ(s.labels, (Ids{-100, -100, -100, 3, -100}));
}

TEST(SampleEncoder, MergedBoundaryLabelsTheWindowBetweenPrefixAndSuffix) {
  // "xa" + "b" tokenizes as [x][ab]: the target's ids [b] are gone, the merged token is labelled.
  SampleEncoder enc(table({{"xa", {10, 11}}, {"b", {12}}, {"!", {13}}, {"xab!", {10, 20, 13}}}));
  Sample s = enc.encode(sample("xa", "b", "!"));
  EXPECT_EQ(s.labels, (Ids{-100, 20, -100}));
  EXPECT_EQ(enc.stats().approximate, 1u);
}

TEST(SampleEncoder, ByPartsConcatenatesWithoutWholeTextEncoding) {
  SampleEncoder enc(table({{"prompt", {1, 2}}, {"golden<|im_end|>", {3, 99}}}));
  TextSample t = sample("prompt", "golden<|im_end|>", "", Task::T8);
  t.by_parts = true;
  Sample s = enc.encode(t);
  EXPECT_EQ(s.input_ids, (Ids{1, 2, 3, 99}));
  EXPECT_EQ(s.labels, (Ids{-100, -100, 3, 99}));
}

TEST(SampleEncoder, LeftTruncationKeepsTheLastTokens) {
  EncodeOptions options;
  options.cutoff = 3;
  options.general_cutoff = 4;
  SampleEncoder enc(bytes(), options);
  Sample s = enc.encode(sample("abcd", "ef", "g"));
  EXPECT_EQ(s.input_ids, (Ids{'e', 'f', 'g'}));
  EXPECT_EQ(s.labels, (Ids{'e', 'f', -100}));
  EXPECT_EQ(s.text, "abcdefg");  // the text stays whole
  Sample g = enc.encode(sample("abcd", "ef", "g", Task::T8));
  EXPECT_EQ(g.input_ids.size(), 4u);  // T8 uses the general cutoff
  Sample gone = enc.encode(sample("ab", "c", "defg"));
  EXPECT_EQ(gone.num_labels(), 0u);
  EXPECT_EQ(enc.stats().truncated, 3u);
  EXPECT_EQ(enc.stats().no_labels, 1u);
}

TEST(SampleEncoder, KeepTextOffAndPromptTruncation) {
  EncodeOptions options;
  options.keep_text = false;
  SampleEncoder enc(bytes(), options);
  EXPECT_TRUE(enc.encode(sample("a", "b", "")).text.empty());
  EXPECT_EQ(enc.encode_prompt("abcdef", 2), (Ids{'e', 'f'}));
  EXPECT_EQ(enc.encode_prompt("abc", 0), (Ids{'a', 'b', 'c'}));
}

TEST(SampleEncoder, ZeroCutoffIsRejected) {
  EncodeOptions options;
  options.cutoff = 0;
  EXPECT_THROW(SampleEncoder(bytes(), options), InputError);
}

}  // namespace
}  // namespace sidr::tasks
