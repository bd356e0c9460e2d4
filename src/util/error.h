// Typed errors with the context a user needs to fix the input: file, line, column, field.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sidr {

// Base of every error the library throws on purpose. The CLI prints what() as one line.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad user input (malformed file, unknown id, bad option). The CLI exits with code 2.
class InputError : public Error {
 public:
  using Error::Error;
};

// Where in a file something went wrong. line/column are 1-based; 0 means "not applicable".
struct Location {
  std::string file;
  std::size_t line = 0;
  std::size_t column = 0;
  std::string field;  // column name, JSON key or option name, when it applies
};

// "file:line:column: field 'x': message" (parts that do not apply are left out).
std::string format_location(const Location& where, std::string_view message);

// Throws InputError with the formatted location.
[[noreturn]] void throw_input_error(const Location& where, std::string_view message);

}  // namespace sidr
