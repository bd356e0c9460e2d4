// Reads a text file line by line, plain or gzip-compressed (zlib reads both; the name does not matter), in
// bounded memory: one line at a time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace sidr::prepare {

class LineReader {
 public:
  // InputError naming the path if it cannot be opened.
  explicit LineReader(std::string path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its "\n" (and without a "\r" before it); false at the end. InputError (file, line)
  // on a read error such as a truncated .gz file.
  bool next(std::string& line);
  std::size_t line_number() const { return line_number_; }  // of the line last returned, 1-based
  std::uint64_t bytes_read() const { return bytes_; }       // uncompressed bytes returned so far
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* file_ = nullptr;  // gzFile
  std::size_t line_number_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace sidr::prepare
