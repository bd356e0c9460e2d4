// JSON text exactly as Python's json.dump(..., indent=2) writes it (ensure_ascii: every non-ASCII character as
// \uXXXX, surrogate pairs above U+FFFF, DEL escaped too), so the files MiniOneRec's script writes come out byte
// for byte the same.
#pragma once
#include <string>
#include <string_view>

namespace sidr::prepare {

// A JSON string literal, quotes included.
std::string python_json_string(std::string_view utf8);

}  // namespace sidr::prepare
