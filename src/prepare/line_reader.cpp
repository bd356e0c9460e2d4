#include "prepare/line_reader.h"

#include <cstring>

#include <zlib.h>

#include "util/error.h"

namespace sidr::prepare {

LineReader::LineReader(std::string path) : path_(std::move(path)) {
  file_ = gzopen(path_.c_str(), "rb");
  if (!file_) throw_input_error(Location{path_, 0, 0, ""}, std::string("cannot open: ") + std::strerror(errno));
  gzbuffer(static_cast<gzFile>(file_), 1 << 20);
}

LineReader::~LineReader() {
  if (file_) gzclose(static_cast<gzFile>(file_));
}

bool LineReader::next(std::string& line) {
  auto* file = static_cast<gzFile>(file_);
  line.clear();
  char buffer[1 << 16];
  bool any = false;
  while (gzgets(file, buffer, sizeof buffer)) {
    any = true;
    std::size_t length = std::strlen(buffer);
    line.append(buffer, length);
    if (length > 0 && buffer[length - 1] == '\n') break;
  }
  int code = 0;
  const char* message = gzerror(file, &code);
  if (code != Z_OK && code != Z_STREAM_END)
    throw_input_error(Location{path_, line_number_ + 1, 0, ""}, std::string("read error: ") + message);
  if (!any) return false;
  ++line_number_;
  bytes_ += line.size();
  if (!line.empty() && line.back() == '\n') line.pop_back();
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

}  // namespace sidr::prepare
