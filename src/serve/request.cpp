#include "serve/request.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "util/utf8.h"

namespace sidr::serve {
namespace {

[[noreturn]] void bad(const std::string& message) { throw RequestError(400, message); }

Json parse_body(std::string_view body) {
  Json doc;
  try {
    doc = Json::parse(body.begin(), body.end());
  } catch (const Json::exception& e) {
    // nlohmann's messages are one line: "[json.exception.parse_error.101] parse error at line 1, column 3: ..."
    bad(std::string("malformed JSON: ") + e.what());
  }
  if (!doc.is_object()) bad("the body must be a JSON object");
  return doc;
}

// A short, printable rendering of a JSON value for error messages (never the whole of a huge value).
std::string shown(const Json& value) {
  // Never dumps a structured value: a deep one would recurse once per level.
  if (value.is_array()) return fmt::format("an array of {}", value.size());
  if (value.is_object()) return fmt::format("an object of {} fields", value.size());
  std::string text = value.dump(-1, ' ', true, Json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::int64_t integer_field(const Json& doc, const char* key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return fallback;
  if (!it->is_number_integer())
    bad(fmt::format("field '{}': expected an integer in [{}, {}], got {}", key, lo, hi, shown(*it)));
  // Unsigned values above INT64_MAX read as negative through get<int64_t>: take them as out of range.
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(hi))
    bad(fmt::format("field '{}': {} is out of range [{}, {}]", key, shown(*it), lo, hi));
  const auto v = it->get<std::int64_t>();
  if (v < lo || v > hi) bad(fmt::format("field '{}': {} is out of range [{}, {}]", key, v, lo, hi));
  return v;
}

// One history/exclude entry: an integer item id, a string of digits (an item id), or a catalog SID string.
const data::Item& catalog_item(const Json& entry, const std::string& where, const data::Catalog& catalog) {
  const data::Item* item = nullptr;
  if (entry.is_number_integer()) {
    if (entry.is_number_unsigned() && entry.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
      bad(fmt::format("{}: item {} is not in the catalog", where, shown(entry)));
    item = catalog.find(entry.get<std::int64_t>());
    if (!item) bad(fmt::format("{}: item {} is not in the catalog", where, shown(entry)));
  } else if (entry.is_string()) {
    const auto& text = entry.get_ref<const std::string&>();
    const auto& with_sid = catalog.items_with_sid(text);
    if (!with_sid.empty()) {
      item = catalog.find(with_sid.front());
    } else if (!text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == std::string::npos) {
      item = catalog.find(static_cast<std::int64_t>(std::stoll(text)));
    }
    if (!item) bad(fmt::format("{}: {} is neither a catalog item id nor a catalog SID", where, shown(entry)));
  } else {
    bad(fmt::format("{}: expected an item id or a SID string, got {}", where, shown(entry)));
  }
  if (item->sid.empty()) bad(fmt::format("{}: item {} has no SID", where, item->id));
  return *item;
}

const Json* array_field(const Json& doc, const char* key, bool required) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) {
    if (required) bad(fmt::format("field '{}' is required", key));
    return nullptr;
  }
  if (!it->is_array()) bad(fmt::format("field '{}': expected an array, got {}", key, shown(*it)));
  return &*it;
}

void reject_unknown_keys(const Json& doc, std::initializer_list<const char*> known) {
  for (const auto& [key, value] : doc.items()) {
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) bad("unknown field " + shown(Json(key)));
  }
}

}  // namespace

RecommendRequest parse_recommend_request(std::string_view body, const data::Catalog& catalog,
                                         const RequestLimits& limits) {
  const Json doc = parse_body(body);
  reject_unknown_keys(doc, {"history", "k", "mode", "exclude"});
  RecommendRequest r;
  const Json* history = array_field(doc, "history", true);
  if (history->empty()) bad("field 'history': give at least one item");
  if (history->size() > limits.max_history)
    throw RequestError(413, fmt::format("field 'history': {} items, the limit is {}", history->size(),
                                        limits.max_history));
  for (std::size_t i = 0; i < history->size(); ++i) {
    const auto& item = catalog_item((*history)[i], fmt::format("history[{}]", i), catalog);
    r.history.push_back(std::stoll(item.id));
    r.history_sids.push_back(item.sid);
  }
  r.k = static_cast<int>(integer_field(doc, "k", limits.beams, 1, limits.beams));
  if (auto it = doc.find("mode"); it != doc.end() && !it->is_null()) {
    if (*it == "plain") r.mode = Mode::Plain;
    else if (*it == "think") r.mode = Mode::Think;
    else bad(fmt::format("field 'mode': expected \"plain\" or \"think\", got {}", shown(*it)));
  }
  if (const Json* exclude = array_field(doc, "exclude", false)) {
    if (exclude->size() > limits.max_history)
      throw RequestError(413, fmt::format("field 'exclude': {} items, the limit is {}", exclude->size(),
                                          limits.max_history));
    for (std::size_t i = 0; i < exclude->size(); ++i)
      r.exclude_sids.push_back(catalog_item((*exclude)[i], fmt::format("exclude[{}]", i), catalog).sid);
  }
  return r;
}

namespace {

std::string message_text(const Json& content, const std::string& where) {
  if (content.is_string()) return content.get<std::string>();
  // OpenAI's content parts: [{"type": "text", "text": "..."}]; only text parts are understood.
  if (content.is_array()) {
    std::string text;
    for (std::size_t i = 0; i < content.size(); ++i) {
      const Json& part = content[i];
      if (!part.is_object() || part.value("type", Json()) != "text" || !part.contains("text") ||
          !part["text"].is_string())
        bad(fmt::format("{}[{}]: only {{\"type\": \"text\", \"text\": ...}} parts are supported", where, i));
      text += part["text"].get<std::string>();
    }
    return text;
  }
  bad(fmt::format("{}: expected a string, got {}", where, shown(content)));
}

void reject_control_tokens(const std::string& text, const std::string& where, const text::Tokenizer& tokenizer) {
  if (auto bad_at = first_invalid_utf8(text); bad_at != std::string::npos)
    bad(fmt::format("{}: invalid UTF-8 at byte {}", where, bad_at));
  if (text.find('<') == std::string::npos) return;  // every added token starts with '<'
  for (const auto& token : tokenizer.added_tokens())
    if (!token.content.empty() && text.find(token.content) != std::string::npos)
      bad(fmt::format("{}: holds the control token {} (not allowed in user text)", where, shown(Json(token.content))));
}

}  // namespace

ChatRequest parse_chat_request(std::string_view body, const text::Tokenizer& tokenizer, const RequestLimits& limits) {
  const Json doc = parse_body(body);
  ChatRequest r;
  const Json* messages = array_field(doc, "messages", true);
  if (messages->empty()) bad("field 'messages': give at least one message");
  if (messages->size() > 256) throw RequestError(413, "field 'messages': more than 256 messages");
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const Json& m = (*messages)[i];
    const std::string where = fmt::format("messages[{}]", i);
    if (!m.is_object()) bad(fmt::format("{}: expected an object", where));
    auto role = m.find("role");
    if (role == m.end() || !role->is_string() ||
        (*role != "system" && *role != "user" && *role != "assistant"))
      bad(fmt::format("{}.role: expected \"system\", \"user\" or \"assistant\"", where));
    auto content = m.find("content");
    if (content == m.end()) bad(fmt::format("{}.content is required", where));
    text::ChatMessage message{role->get<std::string>(), message_text(*content, where + ".content")};
    reject_control_tokens(message.content, where + ".content", tokenizer);
    r.messages.push_back(std::move(message));
  }
  const char* tokens_key = doc.contains("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
  r.max_tokens = static_cast<int>(integer_field(doc, tokens_key, std::min(256, limits.max_tokens), 1, limits.max_tokens));
  if (auto it = doc.find("temperature"); it != doc.end() && !it->is_null()) {
    if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < 0 || it->get<double>() > 2)
      bad(fmt::format("field 'temperature': expected a number in [0, 2], got {}", shown(*it)));
    r.temperature = it->get<double>();
  }
  if (auto it = doc.find("stream"); it != doc.end() && !it->is_null()) {
    if (!it->is_boolean()) bad(fmt::format("field 'stream': expected true or false, got {}", shown(*it)));
    r.stream = it->get<bool>();
  }
  if (auto it = doc.find("n"); it != doc.end() && !it->is_null() && *it != 1) bad("field 'n': only n = 1 is supported");
  r.seed = static_cast<std::uint64_t>(integer_field(doc, "seed", 0, 0, std::numeric_limits<std::int64_t>::max()));
  if (auto it = doc.find("model"); it != doc.end() && it->is_string()) r.model = it->get<std::string>();
  return r;
}

std::string error_body(const std::string& message, int status) {
  Json body;
  body["error"]["message"] = message;
  body["error"]["type"] = status >= 500 ? "server_error" : "invalid_request_error";
  body["error"]["code"] = status;
  return body.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace sidr::serve
