#include "util/error.h"

namespace sidr {

std::string format_location(const Location& where, std::string_view message) {
  std::string out;
  if (!where.file.empty()) {
    out += where.file;
    if (where.line > 0) {
      out += ':' + std::to_string(where.line);
      if (where.column > 0) out += ':' + std::to_string(where.column);
    }
    out += ": ";
  }
  if (!where.field.empty()) out += "field '" + where.field + "': ";
  out.append(message.data(), message.size());
  return out;
}

void throw_input_error(const Location& where, std::string_view message) {
  throw InputError(format_location(where, message));
}

}  // namespace sidr
