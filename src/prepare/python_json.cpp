#include "prepare/python_json.h"

namespace sidr::prepare {
namespace {

void append_u_escape(std::string& out, unsigned value) {
  static const char* digits = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += digits[(value >> shift) & 0xF];
}

}  // namespace

std::string python_json_string(std::string_view utf8) {
  std::string out = "\"";
  for (std::size_t i = 0; i < utf8.size();) {
    auto byte = static_cast<unsigned char>(utf8[i]);
    if (byte < 0x80) {
      ++i;
      switch (byte) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (byte < 0x20 || byte == 0x7F)
            append_u_escape(out, byte);
          else
            out += static_cast<char>(byte);
      }
      continue;
    }
    // Valid UTF-8 (the readers check it): decode one code point.
    int length = (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xE ? 3 : 4;
    unsigned code = byte & (0x7F >> length);
    for (int k = 1; k < length && i + k < utf8.size(); ++k) code = (code << 6) | (utf8[i + k] & 0x3F);
    i += length;
    if (code >= 0x10000) {
      code -= 0x10000;
      append_u_escape(out, 0xD800 | (code >> 10));
      append_u_escape(out, 0xDC00 | (code & 0x3FF));
    } else {
      append_u_escape(out, code);
    }
  }
  out += '"';
  return out;
}

}  // namespace sidr::prepare
