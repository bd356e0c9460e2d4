// What NAME.item.json holds per item: title, description, brand, categories (all strings).
#pragma once
#include <string>

namespace sidr::prepare {

struct ItemText {
  std::string title;
  std::string description;
  std::string brand;
  std::string categories;
};

}  // namespace sidr::prepare
