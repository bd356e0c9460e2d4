// The HTTP API's request bodies, parsed and checked before anything reaches the model. Every problem is a
// RequestError with the HTTP status to answer and a one-line reason naming the field.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/catalog.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"
#include "util/error.h"
#include "util/json.h"

namespace sidr::serve {

class RequestError : public InputError {
 public:
  RequestError(int status, const std::string& message) : InputError(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

struct RequestLimits {
  std::size_t max_history = 100;  // history entries per recommend request
  int beams = 10;                 // the server's beam width: the largest k
  int max_tokens = 512;           // chat completions: the largest max_tokens
};

enum class Mode { Plain, Think };

// POST /v1/recommend {history: [item ids or SIDs], k, mode: plain|think, exclude: [item ids or SIDs]}.
struct RecommendRequest {
  std::vector<std::int64_t> history;  // catalog item ids, oldest first (a SID is mapped to its first item)
  std::vector<std::string> history_sids;  // the same history as SIDs (what the prompt lists)
  int k = 10;
  Mode mode = Mode::Plain;
  std::vector<std::string> exclude_sids;  // SIDs never returned (the excluded items' SIDs)
};

RecommendRequest parse_recommend_request(std::string_view body, const data::Catalog& catalog,
                                         const RequestLimits& limits);

// POST /v1/chat/completions (OpenAI): messages in; max_tokens, temperature, stream.
struct ChatRequest {
  std::vector<text::ChatMessage> messages;
  int max_tokens = 256;
  double temperature = 0.0;  // 0: greedy
  bool stream = false;
  std::uint64_t seed = 0;
  std::string model;  // echoed back
};

// Rejects (400) message text holding any of the tokenizer's added tokens (<|im_end|>, <think>, SID tokens):
// user text must never reach the model as control tokens.
ChatRequest parse_chat_request(std::string_view body, const text::Tokenizer& tokenizer, const RequestLimits& limits);

// The JSON body of an error answer: {"error": {"message": ..., "type": ...}} (OpenAI's shape).
std::string error_body(const std::string& message, int status);

}  // namespace sidr::serve
