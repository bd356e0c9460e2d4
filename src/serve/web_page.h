// The page served at "/": build a history (a test user's, or items found by title), ask for recommendations
// (plain or think) and show their titles, scores and, in think mode, the reasoning. One self-contained HTML
// document (no external scripts) over the JSON API.
#pragma once
#include <string>

namespace sidr::serve {

const std::string& web_page_html();

}  // namespace sidr::serve
