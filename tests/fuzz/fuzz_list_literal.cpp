// libFuzzer target: the Python list-literal parser must never crash, hang or leak; InputError is fine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data/list_literal.h"
#include "data/sid_string.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const sidr::Location where{"fuzz", 1, 1, "field"};
  try {
    auto values = sidr::data::parse_list_literal(text, where);
    for (const auto& value : values) {
      if (value.is_string) {
        (void)sidr::data::utf8_length(value.text);
        (void)sidr::data::sid_error(value.text);
      }
    }
  } catch (const sidr::InputError&) {
  }
  try {
    (void)sidr::data::parse_string_list(text, where);
  } catch (const sidr::InputError&) {
  }
  try {
    (void)sidr::data::parse_int_list(text, where);
  } catch (const sidr::InputError&) {
  }
  return 0;
}
