#include "prepare/prepare.h"

#include <chrono>
#include <set>

#include <fmt/format.h>

#include "data/validate.h"
#include "prepare/amazon18.h"
#include "prepare/generic.h"
#include "prepare/outputs.h"
#include "prepare/sequences.h"
#include "util/error.h"

namespace sidr::prepare {

YearMonth parse_year_month(const std::string& text, const std::string& option) {
  int year = 0, month = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d%c", &year, &month, &tail) != 2 || text.size() != 7 || month < 1 ||
      month > 12 || year < 1900)
    throw_input_error(Location{"", 0, 0, option}, "expected YYYY-MM, found '" + text + "'");
  return YearMonth{year, month};
}

PrepareReport run_prepare(const PrepareOptions& options) {
  auto started = std::chrono::steady_clock::now();
  if (options.window.k < 1) throw_input_error(Location{"", 0, 0, "--k"}, "must be at least 1");
  if (options.window.start.has_value() != options.window.end.has_value())
    throw_input_error(Location{"", 0, 0, "--start"}, "--start and --end go together");
  PrepareReport report;
  report.dataset = options.dataset;
  report.out = options.out;
  report.k = options.window.k;
  report.requested_start = options.window.start;
  report.end = options.window.end;
  std::optional<std::int64_t> earliest = earliest_start(options.window), end;
  if (earliest) end = local_month_start(*options.window.end);

  InteractionTable table;
  MetaTitles titles;
  GenericItems generic_items;
  const bool amazon = options.format != InputFormat::kGeneric;
  const AmazonLayout& layout = options.format == InputFormat::kAmazon23 ? kAmazon23Layout : kAmazon18Layout;
  if (amazon) {
    titles = read_amazon18_titles(options.meta, layout);
    report.meta_lines = titles.lines;
    report.meta_dropped = titles.dropped;
    table = read_amazon18_reviews(options.reviews, titles, earliest, end, layout);
  } else {
    generic_items = read_generic_items(options.meta);
    report.meta_lines = generic_items.rows;
    report.meta_dropped = generic_items.dropped;
    table = read_generic_interactions(options.reviews, generic_items, earliest, end);
  }
  report.review_lines = table.lines;
  report.review_bytes = table.bytes;
  report.untitled_reviews = table.untitled;
  report.outside_window = table.outside_window;

  KcoreResult kept = filter_kcore(table, options.window);
  report.start = kept.start;
  report.expansions = kept.expansions;
  report.passes = kept.passes;
  Sequences sequences = build_sequences(table, kept, options.max_history);

  std::vector<std::string> item_names;
  item_names.reserve(sequences.item_names.size());
  for (std::uint32_t raw : sequences.item_names) item_names.push_back(table.items.name(raw));
  std::vector<ItemText> items;
  if (amazon) {
    items = read_amazon18_item_text(options.meta, item_names, titles, layout);
  } else {
    for (const std::string& name : item_names) items.push_back(generic_items.items.at(name));
  }

  write_prepared(options.out, options.dataset, table, sequences, items);

  report.users = sequences.user_items.size();
  report.items = sequences.item_names.size();
  report.reviews = kept.reviews;
  report.samples = sequences.samples.size();
  std::size_t bounds[4] = {0, sequences.train_end, sequences.valid_end, sequences.samples.size()};
  for (int split = 0; split < 3; ++split) {
    std::set<std::uint32_t> users;
    std::size_t history_total = 0;
    for (std::size_t s = bounds[split]; s < bounds[split + 1]; ++s) {
      const Sample& sample = sequences.samples[s];
      users.insert(sample.user);
      auto [first, last] = sequences.history(sample);
      std::size_t length = static_cast<std::size_t>(last - first);
      history_total += length;
      if (length <= 10) ++report.history_counts[split][length];
    }
    report.split_rows[split] = bounds[split + 1] - bounds[split];
    report.split_users[split] = users.size();
    report.split_mean_history[split] =
        report.split_rows[split] ? static_cast<double>(history_total) / report.split_rows[split] : 0.0;
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

std::string format_prepare_report(const PrepareReport& r) {
  using data::with_thousands;
  auto month = [](const std::optional<YearMonth>& m) {
    return m ? fmt::format("{:04}-{:02}", m->year, m->month) : std::string("none");
  };
  std::string out;
  out += fmt::format("dataset           {} ({})\n", r.dataset, r.out.string());
  out += fmt::format("review lines      {} ({:.1f} MB; {} of items without a kept title, {} outside every window)\n",
                     with_thousands(r.review_lines), r.review_bytes / 1e6, with_thousands(r.untitled_reviews),
                     with_thousands(r.outside_window));
  out += fmt::format("metadata lines    {} ({} without a kept title)\n", with_thousands(r.meta_lines),
                     with_thousands(r.meta_dropped));
  if (r.start)
    out += fmt::format("window            {} .. {} ({} from {}, {} expansion{})\n", month(r.start), month(r.end),
                       r.expansions ? "expanded" : "as asked", month(r.requested_start), r.expansions,
                       r.expansions == 1 ? "" : "s");
  else
    out += "window            none\n";
  out += fmt::format("k-core            {} ({} passes on the final window)\n", r.k, r.passes);
  out += fmt::format("users             {}\n", with_thousands(r.users));
  out += fmt::format("items             {}\n", with_thousands(r.items));
  out += fmt::format("reviews           {}\n", with_thousands(r.reviews));
  out += fmt::format("rows              {}/{}/{} (train/valid/test; {} in total)\n", with_thousands(r.split_rows[0]),
                     with_thousands(r.split_rows[1]), with_thousands(r.split_rows[2]), with_thousands(r.samples));
  out += fmt::format("users             {}/{}/{} (train/valid/test)\n", with_thousands(r.split_users[0]),
                     with_thousands(r.split_users[1]), with_thousands(r.split_users[2]));
  out += fmt::format("mean history      {:.2f}/{:.2f}/{:.2f} (train/valid/test)\n", r.split_mean_history[0],
                     r.split_mean_history[1], r.split_mean_history[2]);
  out += "history length       train   valid    test\n";
  for (int length = 1; length <= 10; ++length) {
    if (!r.history_counts[0][length] && !r.history_counts[1][length] && !r.history_counts[2][length]) continue;
    out += fmt::format("  {:>4}            ", length);
    for (int split = 0; split < 3; ++split) out += fmt::format("{:>8}", with_thousands(r.history_counts[split][length]));
    out += "\n";
  }
  out += fmt::format("prepared in       {:.2f} s\n", r.seconds);
  return out;
}

}  // namespace sidr::prepare
