// Our beam search against an independent Python implementation of Hugging Face's algorithm
// (tests/decode/hf_beam_reference.py, run with /usr/bin/python3 and torch) on the same toy model.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "decode/beam_search.h"
#include "toy_model.h"
#include "util/file_io.h"
#include "util/json.h"

namespace sidr::decode {
namespace {

Json tensor_to_json(const torch::Tensor& t) {
  Json rows = Json::array();
  auto c = t.contiguous();
  for (std::int64_t i = 0; i < c.size(0); ++i) {
    Json row = Json::array();
    for (std::int64_t j = 0; j < c.size(1); ++j) row.push_back(static_cast<double>(c[i][j].item<float>()));
    rows.push_back(row);
  }
  return rows;
}

TEST(HfParity, BeamSearchMatchesPythonHuggingFaceAlgorithm) {
  constexpr std::int64_t vocab = 40;
  std::mt19937 rng(5);
  std::set<std::vector<TokenId>> seen;
  std::vector<std::vector<TokenId>> sequences;
  while (sequences.size() < 30) {
    std::vector<TokenId> s{static_cast<TokenId>(10 + rng() % 5), static_cast<TokenId>(15 + rng() % 6),
                           static_cast<TokenId>(21 + rng() % 10), 1, 2};
    if (seen.insert(s).second) sequences.push_back(s);
  }
  auto trie = std::make_shared<sid::Trie>(sid::Trie::build(sequences));
  testing::ToyModel model(vocab, 23, 2.0f);
  std::vector<std::vector<TokenId>> prompts{{3, 4, 5}, {6, 7}, {8, 9, 3, 4}, {5}};
  auto dir = std::filesystem::path(SIDR_BINARY_DIR) / "tests" / "hf_parity";
  std::filesystem::create_directories(dir);

  const std::vector<int> beam_sizes{2, 4, 8};
  Json specs = Json::array();
  for (int beams : beam_sizes) {
    Json spec;
    spec["first"] = tensor_to_json(model.first());
    spec["second"] = tensor_to_json(model.second());
    spec["prompts"] = prompts;
    spec["sequences"] = sequences;
    spec["beams"] = beams;
    spec["end"] = 2;
    spec["max_new_tokens"] = 16;
    specs.push_back(spec);
  }
  auto in = dir / "in.json";
  auto out = dir / "out.json";
  write_file_atomic(in, specs.dump());
  std::string cmd = "/usr/bin/python3 " + std::string(SIDR_TEST_DIR) + "/decode/hf_beam_reference.py " +
                    in.string() + " " + out.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  Json all_expected = read_json_file(out);
  ASSERT_EQ(all_expected.size(), beam_sizes.size());
  for (std::size_t run = 0; run < beam_sizes.size(); ++run) {
    const int beams = beam_sizes[run];
    const Json& expected = all_expected[run];

    TrieConstraint constraint(trie, 2);
    BeamSearchOptions options;
    options.beams = beams;
    options.max_new_tokens = 16;
    options.end_tokens = {2};
    auto ours = beam_search(model, prompts, &constraint, options);
    ASSERT_EQ(ours.size(), expected.size());
    for (std::size_t p = 0; p < ours.size(); ++p) {
      ASSERT_EQ(ours[p].size(), expected[p].size()) << "beams " << beams << " prompt " << p;
      ASSERT_EQ(static_cast<int>(ours[p].size()), beams);
      for (std::size_t i = 0; i < ours[p].size(); ++i) {
        EXPECT_EQ(ours[p][i].tokens, expected[p][i]["tokens"].get<std::vector<TokenId>>())
            << "beams " << beams << " prompt " << p << " rank " << i;
        EXPECT_NEAR(ours[p][i].score, expected[p][i]["score"].get<double>(), 1e-4);
      }
    }
  }
}

}  // namespace
}  // namespace sidr::decode
