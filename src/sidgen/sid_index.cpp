#include "sidgen/sid_index.h"

#include <map>
#include <set>

#include "util/file_io.h"

namespace sidr::sidgen {

SidIndex make_sid_index(const std::vector<std::int64_t>& codes, std::size_t items, std::size_t levels,
                        const SidIndexOptions& options) {
  SidIndex out;
  out.stats.items = items;
  std::map<std::vector<std::int64_t>, std::vector<std::size_t>> groups;  // full code -> item ids, ascending
  for (std::size_t i = 0; i < items; ++i)
    groups[std::vector<std::int64_t>(codes.begin() + i * levels, codes.begin() + (i + 1) * levels)].push_back(i);
  out.stats.distinct_before = groups.size();
  std::vector<std::int64_t> extra(items, -1);  // -1: no extra token
  for (const auto& [code, members] : groups) {
    out.stats.largest_group = std::max(out.stats.largest_group, members.size());
    if (members.size() > 1) ++out.stats.collided_groups;
    if (options.dedup != Dedup::kExtraLevel) continue;
    if (members.size() > 1) {
      for (std::size_t rank = 0; rank < members.size(); ++rank) extra[members[rank]] = static_cast<std::int64_t>(rank) + 1;
    } else if (options.pad_unique) {
      extra[members[0]] = 0;  // used only if some group collides (below)
    }
  }
  bool any_extra = options.dedup == Dedup::kExtraLevel && out.stats.collided_groups > 0;
  std::size_t total_levels = levels + (any_extra ? 1 : 0);
  std::vector<std::set<std::int64_t>> used(total_levels);
  std::set<std::vector<std::string>> distinct;
  out.tokens.resize(items);
  for (std::size_t i = 0; i < items; ++i) {
    std::vector<std::string>& sid = out.tokens[i];
    for (std::size_t l = 0; l < levels; ++l) {
      std::int64_t value = codes[i * levels + l] + options.offset;
      used[l].insert(value);
      sid.push_back("<" + std::string(1, static_cast<char>('a' + l)) + "_" + std::to_string(value) + ">");
    }
    if (any_extra && extra[i] >= 0) {
      used[levels].insert(extra[i]);
      sid.push_back("<" + std::string(1, static_cast<char>('a' + levels)) + "_" + std::to_string(extra[i]) + ">");
    }
    distinct.insert(sid);
  }
  out.stats.distinct_after = distinct.size();
  for (const auto& level : used) out.stats.used_per_level.push_back(level.size());
  return out;
}

void write_index_json(const std::filesystem::path& path, const SidIndex& index) {
  std::string out = "{";
  for (std::size_t i = 0; i < index.tokens.size(); ++i) {
    out += i ? ", \"" : "\"";
    out += std::to_string(i) + "\": [";
    for (std::size_t t = 0; t < index.tokens[i].size(); ++t) out += (t ? ", \"" : "\"") + index.tokens[i][t] + "\"";
    out += "]";
  }
  out += "}";
  write_file_atomic(path, out);
}

}  // namespace sidr::sidgen
