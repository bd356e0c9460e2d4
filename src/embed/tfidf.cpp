#include "embed/tfidf.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string_view>
#include <unordered_map>

#include "prepare/python_text.h"
#include "util/error.h"

namespace sidr::embed {

std::vector<std::string> tfidf_tokens(const std::string& text) {
  const std::string lower = prepare::python_lower(text);
  std::vector<std::string> tokens;
  std::size_t i = 0, run_start = 0, run_chars = 0;
  auto flush = [&](std::size_t end) {
    if (run_chars >= 2) tokens.emplace_back(lower.substr(run_start, end - run_start));
    run_chars = 0;
  };
  while (i < lower.size()) {
    std::size_t start = i;
    char32_t code = prepare::python_next_code_point(lower, i);
    if (prepare::python_is_word_char(code)) {
      if (run_chars == 0) run_start = start;
      ++run_chars;
    } else {
      flush(start);
    }
  }
  flush(lower.size());
  return tokens;
}

Tfidf tfidf(const std::vector<std::string>& documents, const TfidfOptions& options) {
  const std::size_t n = documents.size();
  // Counts per document over provisional term ids.
  std::unordered_map<std::string, std::size_t> term_id;
  std::vector<std::string> terms;
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> counts(n);  // (term id, count)
  for (std::size_t d = 0; d < n; ++d) {
    std::unordered_map<std::size_t, std::size_t> doc;
    for (auto& token : tfidf_tokens(documents[d])) {
      auto [it, added] = term_id.emplace(token, terms.size());
      if (added) terms.push_back(token);
      ++doc[it->second];
    }
    counts[d].assign(doc.begin(), doc.end());
  }
  std::vector<std::size_t> df(terms.size(), 0), total(terms.size(), 0);
  for (const auto& doc : counts)
    for (auto [t, c] : doc) {
      ++df[t];
      total[t] += c;
    }
  std::vector<std::size_t> kept;
  for (std::size_t t = 0; t < terms.size(); ++t)
    if (df[t] >= options.min_df) kept.push_back(t);
  auto alphabetical = [&](std::size_t a, std::size_t b) { return terms[a] < terms[b]; };  // UTF-8 = code points
  std::sort(kept.begin(), kept.end(), alphabetical);
  if (options.max_features > 0 && kept.size() > options.max_features) {
    std::stable_sort(kept.begin(), kept.end(), [&](std::size_t a, std::size_t b) { return total[a] > total[b]; });
    kept.resize(options.max_features);
    std::sort(kept.begin(), kept.end(), alphabetical);
  }
  if (kept.empty())
    throw InputError("--min-df " + std::to_string(options.min_df) + ": empty vocabulary (no term of at least two "
                     "word characters appears in that many of the " + std::to_string(n) + " item texts)");

  Tfidf out;
  std::vector<std::size_t> column(terms.size(), SIZE_MAX);
  for (std::size_t j = 0; j < kept.size(); ++j) {
    column[kept[j]] = j;
    out.vocabulary.push_back(terms[kept[j]]);
    out.idf.push_back(std::log((1.0 + double(n)) / (1.0 + double(df[kept[j]]))) + 1.0);
  }
  SparseMatrix& m = out.matrix;
  m.rows = n;
  m.cols = kept.size();
  m.row_start.assign(1, 0);
  for (const auto& doc : counts) {
    std::vector<std::pair<std::size_t, double>> row;
    for (auto [t, c] : doc)
      if (column[t] != SIZE_MAX) row.emplace_back(column[t], double(c) * out.idf[column[t]]);
    std::sort(row.begin(), row.end());
    double norm = 0;
    for (auto& [j, v] : row) norm += v * v;
    norm = std::sqrt(norm);
    for (auto& [j, v] : row) {
      m.col.push_back(j);
      m.value.push_back(norm > 0 ? v / norm : v);
    }
    m.row_start.push_back(m.col.size());
  }
  return out;
}

}  // namespace sidr::embed
