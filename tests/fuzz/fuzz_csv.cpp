// libFuzzer target: the CSV reader (and the list-literal parser on every field it yields) must never crash,
// hang or leak; InputError is fine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data/csv.h"
#include "data/list_literal.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    sidr::data::CsvReader reader(text, "fuzz.csv");
    sidr::data::CsvRecord record;
    while (reader.next(record)) {
      if (record.fields.size() != record.columns.size() || record.fields.size() != record.lines.size()) __builtin_trap();
      for (std::size_t i = 0; i < record.fields.size(); ++i) {
        try {
          (void)sidr::data::parse_list_literal(record.fields[i], {"fuzz.csv", record.lines[i], record.columns[i], "f"});
        } catch (const sidr::InputError&) {
        }
      }
    }
  } catch (const sidr::InputError&) {
  }
  return 0;
}
