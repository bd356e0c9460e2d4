// Steps 2-4 of amazon18_data_process (reference §2.1): the time window, the iterative k-core (the same K for
// users and items, duplicates kept, the window checked inside every pass) and the window auto-expansion
// (while the start year is above the floor year and fewer than `min_items` items survive, start one year
// earlier and redo the k-core from all reviews).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "prepare/interaction_table.h"

namespace sidr::prepare {

struct YearMonth {
  int year = 0;
  int month = 0;
};

// Unix time of day 1, 00:00:00 local time, of the month (Python's datetime(...).timestamp() on a naive date).
std::int64_t local_month_start(YearMonth month);

struct WindowOptions {
  std::optional<YearMonth> start;  // no window when start/end are absent (generic data)
  std::optional<YearMonth> end;
  int k = 5;
  std::size_t min_items = 3000;  // the script's auto-expansion threshold
  int floor_year = 1996;         // expansion stops once the start year reaches it
};

struct KcoreResult {
  std::vector<bool> kept_review;     // per InteractionTable::reviews entry
  std::size_t users = 0, items = 0, reviews = 0;
  std::optional<YearMonth> start;    // the start month after expansion
  int expansions = 0;                // how many times the start year moved back
  int passes = 0;                    // k-core passes of the final window
};

// The earliest start any expansion can reach (readers drop reviews before it).
std::optional<std::int64_t> earliest_start(const WindowOptions& options);

KcoreResult filter_kcore(const InteractionTable& table, const WindowOptions& options);

}  // namespace sidr::prepare
