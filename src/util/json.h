// JSON file loading with errors that name the file, line and column.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sidr {

using Json = nlohmann::json;
// Keeps the key order of the file (index.json and item.json are read in file order).
using OrderedJson = nlohmann::ordered_json;

// Parses text (named `source` in errors); an empty or truncated document is an InputError with line:column.
Json parse_json(std::string_view text, const std::string& source);
OrderedJson parse_ordered_json(std::string_view text, const std::string& source);

Json read_json_file(const std::filesystem::path& path);
OrderedJson read_ordered_json_file(const std::filesystem::path& path);

// Line and column (1-based) of a byte offset in text.
void line_and_column(std::string_view text, std::size_t offset, std::size_t& line, std::size_t& column);

}  // namespace sidr
