// Offline recommendation metrics with the reference's calc.py rules (sidreasoner.md §6.3): predictions are
// stripped of quotes and newlines, the target of spaces, newlines and quotes; the rank is the index of the
// FIRST prediction equal to the target; HR@K and NDCG@K (log2 discount, one relevant item) over all rows, for
// K in {1, 3, 5, 10, 20, 50} up to the number of beams.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/json.h"

namespace sidr::eval {

// calc.py: predict.strip('"\n').strip()
std::string clean_prediction(const std::string& text);
// calc.py: output.strip(' \n"')
std::string clean_target(const std::string& text);

// 0-based index of the first prediction equal to the target, or nullopt (calc.py's infinity).
std::optional<std::size_t> hit_rank(const std::string& target, const std::vector<std::string>& predictions);

struct MetricsReport {
  std::size_t rows = 0;
  std::size_t beams = 0;                // the longest prediction list
  std::vector<int> ks;                  // the cut-offs reported
  std::map<int, double> hit_rate;       // HR@K
  std::map<int, double> ndcg;           // NDCG@K
  std::size_t predictions = 0;          // all predictions
  std::size_t invalid_predictions = 0;  // not a valid SID (calc.py's CC)
  std::string invalid_basis;            // "catalog" (not a catalog SID) or "syntax" (not a well-formed SID)

  Json to_json() const;  // {"rows", "beams", "HR@1", "NDCG@1", ..., "invalid_predictions", ...}
};

// One prediction row, already cleaned.
struct ScoredRow {
  std::string target;
  std::vector<std::string> predictions;
};

// is_valid decides which predictions count as valid SIDs.
MetricsReport compute_metrics(const std::vector<ScoredRow>& rows, const std::function<bool(const std::string&)>& is_valid,
                              const std::string& invalid_basis);

// Reads a reference-format predictions file (a JSON list of objects with "output" (string, or list whose first
// element is used) and "predict" (list of strings)); cleans them with calc.py's rules. InputError naming the
// file, the row and the field.
std::vector<ScoredRow> read_prediction_rows(const std::string& file);

}  // namespace sidr::eval
