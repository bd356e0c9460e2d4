#include "eval/metrics.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"
#include "util/file_io.h"
#include "util/ranking_metrics.h"

namespace sidr::eval {

namespace {
// Python's str.strip(chars).
std::string strip_chars(const std::string& text, const std::string& chars) {
  std::size_t begin = text.find_first_not_of(chars);
  if (begin == std::string::npos) return "";
  std::size_t end = text.find_last_not_of(chars);
  return text.substr(begin, end - begin + 1);
}
// Python's str.strip() (ASCII whitespace; SIDs and their separators are ASCII).
const std::string kWhitespace = " \t\n\r\x0b\x0c";
}  // namespace

std::string clean_prediction(const std::string& text) { return strip_chars(strip_chars(text, "\"\n"), kWhitespace); }

std::string clean_target(const std::string& text) { return strip_chars(text, " \n\""); }

std::optional<std::size_t> hit_rank(const std::string& target, const std::vector<std::string>& predictions) {
  for (std::size_t i = 0; i < predictions.size(); ++i)
    if (predictions[i] == target) return i;
  return std::nullopt;
}

Json MetricsReport::to_json() const {
  Json j;
  j["rows"] = rows;
  j["beams"] = beams;
  for (int k : ks) {
    j["HR@" + std::to_string(k)] = hit_rate.at(k);
    j["NDCG@" + std::to_string(k)] = ndcg.at(k);
  }
  j["predictions"] = predictions;
  j["invalid_predictions"] = invalid_predictions;
  j["invalid_basis"] = invalid_basis;
  return j;
}

MetricsReport compute_metrics(const std::vector<ScoredRow>& rows, const std::function<bool(const std::string&)>& is_valid,
                              const std::string& invalid_basis) {
  MetricsReport report;
  report.rows = rows.size();
  report.invalid_basis = invalid_basis;
  for (const auto& row : rows) report.beams = std::max(report.beams, row.predictions.size());
  for (int k : {1, 3, 5, 10, 20, 50})
    if (static_cast<std::size_t>(k) <= report.beams) report.ks.push_back(k);
  std::optional<util::RankingMetrics> ranks;
  if (!report.ks.empty()) ranks.emplace(report.ks);
  for (const auto& row : rows) {
    for (const auto& p : row.predictions) {
      ++report.predictions;
      if (!is_valid(p)) ++report.invalid_predictions;
    }
    auto rank = hit_rank(row.target, row.predictions);
    if (ranks) ranks->add(rank ? static_cast<int>(*rank) : -1);
  }
  for (int k : report.ks) {
    report.hit_rate[k] = ranks->hr(k);
    report.ndcg[k] = ranks->ndcg(k);
  }
  return report;
}

std::vector<ScoredRow> read_prediction_rows(const std::string& file) {
  Json data = read_json_file(file);
  if (!data.is_array()) throw_input_error({file, 0, 0, ""}, "expected a JSON list of prediction objects");
  std::vector<ScoredRow> rows;
  rows.reserve(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    const Json& item = data[i];
    auto where = [&](const std::string& field) { return Location{file, 0, 0, field}; };
    auto fail = [&](const std::string& field, const std::string& msg) {
      throw_input_error(where(field), "row " + std::to_string(i + 1) + ": " + msg);
    };
    if (!item.is_object()) fail("", "expected an object");
    ScoredRow row;
    auto output = item.find("output");
    if (output == item.end()) fail("output", "missing");
    if (output->is_string()) {
      row.target = clean_target(output->get<std::string>());
    } else if (output->is_array() && !output->empty() && (*output)[0].is_string()) {
      // calc.py: output[0].strip('"').strip(' ')
      row.target = strip_chars(strip_chars((*output)[0].get<std::string>(), "\""), " ");
    } else {
      fail("output", "expected a string or a non-empty list of strings");
    }
    auto predict = item.find("predict");
    if (predict == item.end()) fail("predict", "missing");
    if (!predict->is_array()) fail("predict", "expected a list of strings");
    for (const auto& p : *predict) {
      if (!p.is_string()) fail("predict", "expected a list of strings");
      row.predictions.push_back(clean_prediction(p.get<std::string>()));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace sidr::eval
