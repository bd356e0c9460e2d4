// `data prepare`: raw interactions -> MiniOneRec's intermediate files (reference §2.1), for Amazon 2018 or 2023
// JSON lines or the generic CSV pair. Reads everything and checks it before the first file is written.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "prepare/kcore.h"

namespace sidr::prepare {

enum class InputFormat { kAmazon18, kAmazon23, kGeneric };

struct PrepareOptions {
  InputFormat format = InputFormat::kAmazon18;
  std::string reviews;  // amazon18/23: reviews JSON lines; generic: interactions.csv
  std::string meta;     // amazon18/23: metadata JSON lines; generic: items.csv
  std::string dataset;
  std::filesystem::path out;
  WindowOptions window;
  std::size_t max_history = 10;
};

struct PrepareReport {
  std::string dataset;
  std::filesystem::path out;
  std::uint64_t review_lines = 0, review_bytes = 0, meta_lines = 0, meta_dropped = 0;
  std::uint64_t untitled_reviews = 0, outside_window = 0;
  std::optional<YearMonth> requested_start, start, end;
  int expansions = 0, passes = 0, k = 0;
  std::size_t users = 0, items = 0, reviews = 0, samples = 0;
  std::size_t split_rows[3] = {0, 0, 0};
  std::size_t split_users[3] = {0, 0, 0};
  double split_mean_history[3] = {0, 0, 0};
  std::size_t history_counts[3][11] = {};  // [split][length 1..10] (index 0 unused)
  double seconds = 0;
};

PrepareReport run_prepare(const PrepareOptions& options);

// The statistics, laid out as `data check` prints them.
std::string format_prepare_report(const PrepareReport& report);

// "2017-10" -> {2017, 10}; InputError naming `option` otherwise.
YearMonth parse_year_month(const std::string& text, const std::string& option);

}  // namespace sidr::prepare
