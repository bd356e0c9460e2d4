// Published numbers to compare against (../shared/reference/results.md, MiniOneRec paper Table 1).
#pragma once
#include <array>
#include <string>
#include <vector>

namespace sidr::pipeline {

struct PublishedRow {
  std::string method;
  // HR@3, NDCG@3, HR@5, NDCG@5, HR@10, NDCG@10
  std::array<double, 6> values;
};

// Rows for a dataset name; empty when none were published for it.
const std::vector<PublishedRow>& published_results(const std::string& dataset);

}  // namespace sidr::pipeline
