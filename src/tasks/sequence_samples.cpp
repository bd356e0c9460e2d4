// The sequence style's T1 (see build_t1_sequences in builders.h).
#include <algorithm>
#include <unordered_map>

#include "tasks/builders.h"
#include "util/strings.h"

namespace sidr::tasks {
namespace {

// One row as the item sequence it teaches: history then target; the target sits at index history.size().
// History SIDs as read (the evaluation prompt joins them so), the target stripped (as every task does).
std::vector<std::string> row_sequence(const data::Interaction& row) {
  std::vector<std::string> seq(row.history_sids.begin(), row.history_sids.end());
  seq.emplace_back(trim(row.item_sid));
  return seq;
}

bool is_prefix(const std::vector<std::string>& shorter, const std::vector<std::string>& longer) {
  return shorter.size() <= longer.size() && std::equal(shorter.begin(), shorter.end(), longer.begin());
}

// A sample under construction: the longest row of a run, and which of its positions some row supervises.
struct Carrier {
  std::size_t row = 0;
  std::vector<std::string> seq;
  std::vector<bool> claimed;  // claimed[k]: a row's target is seq[k] with context seq[0..k)
};

TextSample carrier_sample(const Carrier& c, std::size_t first) {
  TextSample s;
  s.task = Task::T1;
  s.source = c.row;
  s.prefix = kSequenceStart;
  for (std::size_t k = 0; k < first; ++k) s.prefix += c.seq[k];
  for (std::size_t k = first; k < c.seq.size(); ++k) s.supervised += c.seq[k];
  return s;
}

}  // namespace

std::vector<TextSample> build_t1_sequences(const data::Interactions& rows) {
  // Rows of one user, in file order.
  std::vector<std::string> users;
  std::unordered_map<std::string, std::vector<std::size_t>> rows_of;
  for (std::size_t i = 0; i < rows.rows.size(); ++i) {
    auto [it, inserted] = rows_of.try_emplace(rows.rows[i].user_id);
    if (inserted) users.push_back(rows.rows[i].user_id);
    it->second.push_back(i);
  }
  std::vector<TextSample> out;
  for (const auto& user : users) {
    auto order = rows_of[user];
    // Longest first, so every row meets the rows it could ride along in.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return rows.rows[a].history_sids.size() > rows.rows[b].history_sids.size();
    });
    std::vector<Carrier> carriers;
    for (std::size_t r : order) {
      auto seq = row_sequence(rows.rows[r]);
      const std::size_t target = seq.size() - 1;
      bool placed = false;
      for (auto& c : carriers) {
        if (!c.claimed[target] && is_prefix(seq, c.seq)) {
          c.claimed[target] = true;
          placed = true;
          break;
        }
      }
      if (placed) continue;
      Carrier c;
      c.row = r;
      c.claimed.assign(seq.size(), false);
      c.claimed[target] = true;
      c.seq = std::move(seq);
      carriers.push_back(std::move(c));
    }
    for (const auto& c : carriers) {
      // The supervised span is the claimed run ending at the last item; a claim before a gap (rows that are
      // not a contiguous run, e.g. a missing row) gets a sample of its own so no unclaimed target is taught.
      std::size_t first = c.seq.size() - 1;
      while (first > 0 && c.claimed[first - 1]) --first;
      out.push_back(carrier_sample(c, first));
      for (std::size_t k = 0; k < first; ++k) {
        if (!c.claimed[k]) continue;
        Carrier single;
        single.row = c.row;
        single.seq.assign(c.seq.begin(), c.seq.begin() + static_cast<std::ptrdiff_t>(k) + 1);
        out.push_back(carrier_sample(single, k));
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const TextSample& a, const TextSample& b) { return a.source < b.source; });
  return out;
}

}  // namespace sidr::tasks
