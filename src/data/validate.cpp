#include "data/validate.h"

#include <chrono>
#include <ctime>
#include <exception>
#include <future>
#include <set>
#include <unordered_set>

#include <fmt/format.h>

#include "data/sid_string.h"
#include "util/error.h"

namespace sidr::data {

double SplitStats::mean_history_length() const {
  std::size_t total = 0;
  for (const auto& [length, count] : history_lengths) total += length * count;
  return rows ? static_cast<double>(total) / static_cast<double>(rows) : 0.0;
}

void validate_interactions(const Interactions& split, const Catalog& catalog) {
  const std::string source = split.file.string();
  for (const Interaction& row : split.rows) {
    auto fail = [&](const char* field, const std::string& what) {
      throw_input_error({source, row.line, 0, field}, what);
    };
    const Item* item = catalog.find(row.item_id);
    if (!item) fail("item_id", "unknown item id " + std::to_string(row.item_id) + " (not in index.json)");
    if (row.item_sid != item->sid)
      fail("item_sid", row.item_sid + " differs from " + item->sid + " of item " + item->id + " in index.json");
    if (row.item_title != item->title) fail("item_title", "differs from the title of item " + item->id + " in item.json");
    for (std::size_t i = 0; i < row.history_ids.size(); ++i) {
      std::string element = "element " + std::to_string(i + 1) + ": ";
      const Item* past = catalog.find(row.history_ids[i]);
      if (!past) fail("history_item_id", element + "unknown item id " + std::to_string(row.history_ids[i]) +
                                             " (not in index.json)");
      if (row.history_sids[i] != past->sid)
        fail("history_item_sid", element + row.history_sids[i] + " differs from " + past->sid + " of item " +
                                     past->id + " in index.json");
      if (row.history_titles[i] != past->title)
        fail("history_item_title", element + "differs from the title of item " + past->id + " in item.json");
    }
  }
}

DatasetStats compute_stats(const Catalog& catalog, const std::vector<std::pair<Split, const Interactions*>>& splits) {
  DatasetStats stats;
  stats.items = catalog.items().size();
  stats.distinct_sids = catalog.distinct_sids().size();
  for (const std::string& sid : catalog.distinct_sids()) {
    std::size_t size = catalog.items_with_sid(sid).size();
    stats.largest_group = std::max(stats.largest_group, size);
    if (size > 1) {
      ++stats.collided_groups;
      stats.collided_items += size;
    }
  }
  stats.tokens_per_level.assign(static_cast<std::size_t>(catalog.grammar().levels), 0);
  stats.codebook_size = catalog.grammar().codebook_size;
  for (const std::string& token : catalog.sorted_level_tokens()) {
    int level = token[1] - 'a';  // tokens were checked against the grammar at load
    ++stats.tokens_per_level[static_cast<std::size_t>(level)];
  }
  for (const auto& [split, rows] : splits) {
    SplitStats s;
    s.split = split;
    s.rows = rows->rows.size();
    std::unordered_set<std::string> users;
    for (const Interaction& row : rows->rows) {
      ++s.history_lengths[row.history_ids.size()];
      users.insert(row.user_id);
    }
    s.users = users.size();
    stats.splits.push_back(std::move(s));
  }
  return stats;
}

CheckReport check_dataset(const DatasetPaths& paths) {
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  CheckReport report;
  report.dataset = paths.name;
  report.root = paths.root;
  // The four loads are independent: read the catalog and the three splits on their own threads (on this
  // 2-core machine that halves the wall time); errors surface in file order through the futures.
  auto catalog_future = std::async(std::launch::async, [&] { return Catalog::load(paths); });
  std::vector<std::future<Interactions>> split_futures;
  const std::array<Split, 3> order = {Split::Train, Split::Valid, Split::Test};
  for (Split split : order)
    split_futures.push_back(std::async(std::launch::async, [&paths, split] {
      return Interactions::load(paths.interactions(split));
    }));
  std::vector<Interactions> loaded;
  std::exception_ptr first_error;
  Catalog catalog;
  try {
    catalog = catalog_future.get();
  } catch (...) {
    first_error = std::current_exception();
  }
  for (auto& future : split_futures) {
    try {
      loaded.push_back(future.get());
    } catch (...) {
      if (!first_error) first_error = std::current_exception();
    }
  }
  if (first_error) std::rethrow_exception(first_error);

  // item.json may describe items that index.json does not give a SID; the reference ignores them.
  if (std::size_t extra = catalog.items_without_sid(); extra)
    report.warnings.push_back(fmt::format("{} items of item.json are not in index.json (ignored)", extra));
  std::vector<std::pair<Split, const Interactions*>> splits;
  for (std::size_t i = 0; i < order.size(); ++i) {
    validate_interactions(loaded[i], catalog);
    splits.emplace_back(order[i], &loaded[i]);
    std::size_t empty = 0;
    for (const Interaction& row : loaded[i].rows) empty += row.history_ids.empty();
    if (empty) report.warnings.push_back(fmt::format("{}: {} rows with an empty history", split_name(order[i]), empty));
  }
  report.stats = compute_stats(catalog, splits);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  return report;
}

std::string with_thousands(std::size_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_report(const CheckReport& report) {
  const DatasetStats& s = report.stats;
  std::string out;
  out += fmt::format("dataset           {} ({})\n", report.dataset, report.root.string());
  out += fmt::format("items             {}\n", with_thousands(s.items));
  out += fmt::format("distinct SIDs     {}\n", with_thousands(s.distinct_sids));
  out += fmt::format("collided groups   {} ({} items share a SID; largest group {})\n", with_thousands(s.collided_groups),
                     with_thousands(s.collided_items), s.largest_group);
  {
    std::string counts, letters;
    std::size_t total = 0;
    for (std::size_t level = 0; level < s.tokens_per_level.size(); ++level) {
      counts += (level ? "/" : "") + std::to_string(s.tokens_per_level[level]);
      letters += (level ? "/" : "") + std::string(1, static_cast<char>('a' + level));
      total += s.tokens_per_level[level];
    }
    out += fmt::format("tokens per level  {} ({}; {} in total; codebook {})\n", counts, letters, total, s.codebook_size);
  }
  std::string rows, names, users, means;
  for (const SplitStats& split : s.splits) {
    const char* sep = rows.empty() ? "" : "/";
    rows += sep + with_thousands(split.rows);
    names += sep + std::string(split_name(split.split));
    users += sep + with_thousands(split.users);
    means += fmt::format("{}{:.2f}", sep, split.mean_history_length());
  }
  out += fmt::format("rows              {} ({})\n", rows, names);
  out += fmt::format("users             {} ({})\n", users, names);
  out += fmt::format("mean history      {} ({})\n", means, names);
  out += "history length    ";
  for (const SplitStats& split : s.splits) out += fmt::format("{:>8}", split_name(split.split));
  out += "\n";
  std::set<std::size_t> lengths;
  for (const SplitStats& split : s.splits)
    for (const auto& entry : split.history_lengths) lengths.insert(entry.first);
  for (std::size_t length : lengths) {
    out += fmt::format("  {:>4}            ", length);
    for (const SplitStats& split : s.splits) {
      auto it = split.history_lengths.find(length);
      out += fmt::format("{:>8}", with_thousands(it == split.history_lengths.end() ? 0 : it->second));
    }
    out += "\n";
  }
  if (report.warnings.empty()) out += "warnings          none\n";
  for (const std::string& warning : report.warnings) out += "warning: " + warning + "\n";
  out += fmt::format("checked in        {:.3f} s ({:.3f} s CPU)\n", report.seconds, report.cpu_seconds);
  return out;
}

}  // namespace sidr::data
