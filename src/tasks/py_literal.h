// A small reader for Python literals as the reference's files hold them (eval'd there): strings with
// escapes, ints, floats, True/False/None, lists, tuples and dicts. Used for list columns of the narrative CSV
// and the stringified message lists of the general chat file.
#pragma once
#include <string>
#include <string_view>

#include "util/json.h"

namespace sidr::tasks {

// Parses one literal into JSON (tuples become arrays; dict keys must be strings). Throws InputError with
// `what` and the byte offset on malformed input.
Json parse_python_literal(std::string_view text, const std::string& what);

}  // namespace sidr::tasks
