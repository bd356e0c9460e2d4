#include "prepare/interaction_table.h"

namespace sidr::prepare {

std::uint32_t NameTable::intern(std::string_view name) {
  auto [it, inserted] = ids_.try_emplace(std::string(name), static_cast<std::uint32_t>(names_.size()));
  if (inserted) names_.push_back(it->first);
  return it->second;
}

}  // namespace sidr::prepare
