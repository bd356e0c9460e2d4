// Small string helpers used across rooms.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace sidr {

std::vector<std::string> split(std::string_view text, char separator);
std::string_view trim(std::string_view text, std::string_view characters = " \t\r\n");
std::string join(const std::vector<std::string>& parts, std::string_view separator);
bool starts_with(std::string_view text, std::string_view prefix);
bool ends_with(std::string_view text, std::string_view suffix);

}  // namespace sidr
