// The compact form every input format is read into: one 16-byte record per review that can survive the filters
// (its item has a kept title, its time is inside the widest window the run can reach), in file order, with the
// user and item names interned. The reviews of a file with millions of lines fit in a few hundred MB; the JSON
// is never held.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sidr::prepare {

struct Review {
  std::uint32_t user = 0;  // index into InteractionTable::user_names
  std::uint32_t item = 0;  // index into InteractionTable::item_names
  std::int64_t time = 0;   // Unix seconds
};

// Interns strings in order of first appearance.
class NameTable {
 public:
  std::uint32_t intern(std::string_view name);
  const std::string& name(std::uint32_t id) const { return names_[id]; }
  std::size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint32_t> ids_;
};

struct InteractionTable {
  NameTable users;
  NameTable items;
  std::vector<Review> reviews;
  // What the reader saw, for the statistics.
  std::uint64_t lines = 0;          // review lines / rows read
  std::uint64_t bytes = 0;          // uncompressed bytes read
  std::uint64_t untitled = 0;       // reviews of items without a kept title
  std::uint64_t outside_window = 0; // reviews outside the widest reachable window
};

}  // namespace sidr::prepare
