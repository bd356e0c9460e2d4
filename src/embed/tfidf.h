// TF-IDF as scikit-learn's TfidfVectorizer computes it with its defaults (lowercase, token pattern
// (?u)\b\w\w+\b, raw counts, smooth idf = ln((1+n)/(1+df)) + 1, no sublinear tf, l2-normalised rows), with the
// min_df / max_features pruning of CountVectorizer: keep terms with df >= min_df, then the max_features with the
// largest corpus count (ties: the alphabetically first), vocabulary in code-point order.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace sidr::embed {

struct TfidfOptions {
  std::size_t min_df = 2;        // documents a term must appear in
  std::size_t max_features = 0;  // 0: no limit
};

// n x V in compressed sparse rows, float64.
struct SparseMatrix {
  std::size_t rows = 0, cols = 0;
  std::vector<std::size_t> row_start;  // rows + 1 offsets into col/value
  std::vector<std::size_t> col;        // ascending within a row
  std::vector<double> value;
};

struct Tfidf {
  SparseMatrix matrix;
  std::vector<std::string> vocabulary;  // column j's term
  std::vector<double> idf;              // per column
};

// The tokens of one text: lower-cased, maximal runs of at least two word characters.
std::vector<std::string> tfidf_tokens(const std::string& text);

// InputError when no document has a term left after pruning (an empty vocabulary).
Tfidf tfidf(const std::vector<std::string>& documents, const TfidfOptions& options);

}  // namespace sidr::embed
