#include "prepare/kcore.h"

#include <ctime>

namespace sidr::prepare {

std::int64_t local_month_start(YearMonth month) {
  std::tm when{};
  when.tm_year = month.year - 1900;
  when.tm_mon = month.month - 1;
  when.tm_mday = 1;
  when.tm_isdst = -1;  // let the time zone decide, as Python's mktime-based timestamp() does
  return static_cast<std::int64_t>(std::mktime(&when));
}

std::optional<std::int64_t> earliest_start(const WindowOptions& options) {
  if (!options.start || !options.end) return std::nullopt;
  YearMonth earliest = *options.start;
  if (earliest.year > options.floor_year) earliest.year = options.floor_year;
  // A bound at Unix time 0 turns the script's window off (see kcore_once): keep every review then.
  if (earliest.year <= 1970 || local_month_start(*options.end) == 0) return std::nullopt;
  return local_month_start(earliest);
}

namespace {

// One k-core run for a fixed window (the script's k_core_filtering): removal sets start empty.
KcoreResult kcore_once(const InteractionTable& table, std::optional<std::int64_t> start,
                       std::optional<std::int64_t> end, int k) {
  const std::vector<Review>& reviews = table.reviews;
  std::vector<bool> removed_user(table.users.size(), false), removed_item(table.items.size(), false);
  std::vector<std::uint32_t> user_count(table.users.size()), item_count(table.items.size());
  // The script tests `if start_timestamp and end_timestamp`: a bound equal to 0 turns the window off.
  bool windowed = start && end && *start != 0 && *end != 0;
  KcoreResult result;
  result.kept_review.assign(reviews.size(), false);
  while (true) {
    ++result.passes;
    std::fill(user_count.begin(), user_count.end(), 0);
    std::fill(item_count.begin(), item_count.end(), 0);
    std::size_t total = 0;
    for (std::size_t i = 0; i < reviews.size(); ++i) {
      const Review& review = reviews[i];
      bool keep = !(windowed && (review.time < *start || review.time > *end)) && !removed_user[review.user] &&
                  !removed_item[review.item];
      result.kept_review[i] = keep;
      if (!keep) continue;
      ++user_count[review.user];
      ++item_count[review.item];
      ++total;
    }
    bool removed_any = false;
    std::size_t users = 0, items = 0;
    for (std::size_t u = 0; u < user_count.size(); ++u) {
      if (user_count[u] == 0) continue;
      ++users;
      if (user_count[u] < static_cast<std::uint32_t>(k)) removed_user[u] = removed_any = true;
    }
    for (std::size_t it = 0; it < item_count.size(); ++it) {
      if (item_count[it] == 0) continue;
      ++items;
      if (item_count[it] < static_cast<std::uint32_t>(k)) removed_item[it] = removed_any = true;
    }
    result.users = users;
    result.items = items;
    result.reviews = total;
    if (!removed_any) return result;
  }
}

}  // namespace

KcoreResult filter_kcore(const InteractionTable& table, const WindowOptions& options) {
  std::optional<YearMonth> start = options.start;
  std::optional<std::int64_t> end;
  if (options.end) end = local_month_start(*options.end);
  int expansions = 0;
  while (true) {
    std::optional<std::int64_t> start_time;
    if (start) start_time = local_month_start(*start);
    KcoreResult result = kcore_once(table, start_time, end, options.k);
    if (start && start->year > options.floor_year && result.items < options.min_items) {
      --start->year;
      ++expansions;
      continue;
    }
    result.start = start;
    result.expansions = expansions;
    return result;
  }
}

}  // namespace sidr::prepare
