#include "model/config.h"

#include <fmt/format.h>

#include "util/error.h"
#include "util/file_io.h"

namespace sidr::model {
namespace {

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& message) {
  throw_input_error(Location{source, 0, 0, field}, message);
}

std::int64_t get_int(const Json& json, const std::string& source, const std::string& key, std::int64_t fallback,
                     bool required) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) {
    if (required) fail(source, key, "missing required integer");
    return fallback;
  }
  if (it->is_array()) {  // eos_token_id may be a list in some configs: the first is the primary one
    if (it->empty() || !(*it)[0].is_number_integer()) fail(source, key, "expected an integer or a list of integers");
    return (*it)[0].get<std::int64_t>();
  }
  if (!it->is_number_integer()) fail(source, key, "expected an integer, got " + it->dump());
  return it->get<std::int64_t>();
}

double get_double(const Json& json, const std::string& source, const std::string& key, double fallback) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) return fallback;
  if (!it->is_number()) fail(source, key, "expected a number, got " + it->dump());
  return it->get<double>();
}

bool get_bool(const Json& json, const std::string& source, const std::string& key, bool fallback) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) fail(source, key, "expected true or false, got " + it->dump());
  return it->get<bool>();
}

std::string architecture_of(const std::string& model_type) {
  if (model_type == "qwen2") return "Qwen2ForCausalLM";
  if (model_type == "llama") return "LlamaForCausalLM";
  return "Qwen3ForCausalLM";
}

}  // namespace

ModelConfig ModelConfig::from_json(const Json& json, const std::string& source) {
  if (!json.is_object()) fail(source, "", "expected a JSON object");
  ModelConfig c;
  auto type = json.find("model_type");
  if (type == json.end() || !type->is_string()) fail(source, "model_type", "missing (expected qwen3, qwen2 or llama)");
  c.model_type = type->get<std::string>();
  if (c.model_type != "qwen3" && c.model_type != "qwen2" && c.model_type != "llama")
    fail(source, "model_type", "unsupported model type '" + c.model_type + "' (expected qwen3, qwen2 or llama)");
  c.vocab_size = get_int(json, source, "vocab_size", 0, true);
  c.hidden_size = get_int(json, source, "hidden_size", 0, true);
  c.intermediate_size = get_int(json, source, "intermediate_size", 0, true);
  c.num_hidden_layers = get_int(json, source, "num_hidden_layers", 0, true);
  c.num_attention_heads = get_int(json, source, "num_attention_heads", 0, true);
  c.num_key_value_heads = get_int(json, source, "num_key_value_heads", c.num_attention_heads, false);
  std::int64_t default_head_dim = c.num_attention_heads > 0 ? c.hidden_size / c.num_attention_heads : 0;
  c.head_dim = get_int(json, source, "head_dim", default_head_dim, false);
  c.rms_norm_eps = get_double(json, source, "rms_norm_eps", 1e-6);
  c.rope_theta = get_double(json, source, "rope_theta", c.model_type == "llama" ? 10000.0 : 1e6);
  c.initializer_range = get_double(json, source, "initializer_range", 0.02);
  c.max_position_embeddings = get_int(json, source, "max_position_embeddings", 40960, false);
  c.tie_word_embeddings = get_bool(json, source, "tie_word_embeddings", c.model_type != "llama");
  // Qwen2 always has q/k/v biases (no key for it in its config); Qwen3 and Llama follow attention_bias.
  c.attention_bias = c.model_type == "qwen2" ? true : get_bool(json, source, "attention_bias", false);
  if (auto it = json.find("torch_dtype"); it != json.end() && it->is_string()) c.torch_dtype = it->get<std::string>();
  c.bos_token_id = get_int(json, source, "bos_token_id", -1, false);
  c.eos_token_id = get_int(json, source, "eos_token_id", -1, false);
  c.pad_token_id = get_int(json, source, "pad_token_id", -1, false);
  c.dropout = get_double(json, source, "sidr_dropout", 0.0);
  if (auto it = json.find("hidden_act"); it != json.end() && it->is_string() && it->get<std::string>() != "silu")
    fail(source, "hidden_act", "unsupported activation '" + it->get<std::string>() + "' (only silu)");
  if (auto it = json.find("rope_scaling"); it != json.end() && !it->is_null())
    fail(source, "rope_scaling", "rope scaling is not supported (only plain RoPE)");
  if (get_bool(json, source, "use_sliding_window", false))
    fail(source, "use_sliding_window", "sliding-window attention is not supported");
  try {
    c.validate();
  } catch (const InputError& e) {
    throw InputError(source + ": " + e.what());
  }
  return c;
}

Json ModelConfig::to_json() const {
  Json j;
  j["architectures"] = Json::array({architecture_of(model_type)});
  j["model_type"] = model_type;
  j["vocab_size"] = vocab_size;
  j["hidden_size"] = hidden_size;
  j["intermediate_size"] = intermediate_size;
  j["num_hidden_layers"] = num_hidden_layers;
  j["num_attention_heads"] = num_attention_heads;
  j["num_key_value_heads"] = num_key_value_heads;
  j["head_dim"] = head_dim;
  j["hidden_act"] = "silu";
  j["rms_norm_eps"] = rms_norm_eps;
  j["rope_theta"] = rope_theta;
  j["rope_scaling"] = nullptr;
  j["initializer_range"] = initializer_range;
  j["max_position_embeddings"] = max_position_embeddings;
  j["tie_word_embeddings"] = tie_word_embeddings;
  if (model_type != "qwen2") j["attention_bias"] = attention_bias;
  j["attention_dropout"] = 0.0;
  j["use_cache"] = true;
  j["use_sliding_window"] = false;
  j["torch_dtype"] = torch_dtype;
  if (bos_token_id >= 0) j["bos_token_id"] = bos_token_id;
  if (eos_token_id >= 0) j["eos_token_id"] = eos_token_id;
  if (pad_token_id >= 0) j["pad_token_id"] = pad_token_id;
  if (dropout != 0.0) j["sidr_dropout"] = dropout;
  return j;
}

ModelConfig ModelConfig::load(const std::filesystem::path& config_json) {
  return from_json(read_json_file(config_json), config_json.string());
}

void ModelConfig::save(const std::filesystem::path& config_json) const {
  write_file_atomic(config_json, to_json().dump(2) + "\n");
}

void ModelConfig::validate() const {
  auto positive = [](const char* name, std::int64_t value) {
    if (value <= 0) throw InputError(fmt::format("{} must be positive, got {}", name, value));
  };
  positive("vocab_size", vocab_size);
  positive("hidden_size", hidden_size);
  positive("intermediate_size", intermediate_size);
  positive("num_hidden_layers", num_hidden_layers);
  positive("num_attention_heads", num_attention_heads);
  positive("num_key_value_heads", num_key_value_heads);
  positive("head_dim", head_dim);
  if (num_attention_heads % num_key_value_heads != 0)
    throw InputError(fmt::format("num_attention_heads ({}) must be a multiple of num_key_value_heads ({})",
                                 num_attention_heads, num_key_value_heads));
  if (head_dim % 2 != 0) throw InputError(fmt::format("head_dim must be even for RoPE, got {}", head_dim));
  if (!(rms_norm_eps > 0)) throw InputError(fmt::format("rms_norm_eps must be positive, got {}", rms_norm_eps));
  if (!(rope_theta > 0)) throw InputError(fmt::format("rope_theta must be positive, got {}", rope_theta));
  if (initializer_range < 0)
    throw InputError(fmt::format("initializer_range must not be negative, got {}", initializer_range));
  if (dropout < 0 || dropout >= 1) throw InputError(fmt::format("sidr_dropout must be in [0, 1), got {}", dropout));
  if (torch_dtype != "float32" && torch_dtype != "bfloat16" && torch_dtype != "float16")
    throw InputError("torch_dtype must be float32, bfloat16 or float16, got '" + torch_dtype + "'");
}

std::int64_t ModelConfig::non_embedding_parameters() const {
  std::int64_t q = num_attention_heads * head_dim, kv = num_key_value_heads * head_dim;
  std::int64_t attention = hidden_size * q + 2 * hidden_size * kv + q * hidden_size;
  if (attention_bias) attention += q + 2 * kv + (model_type == "qwen2" ? 0 : hidden_size);
  if (model_type == "qwen3") attention += 2 * head_dim;  // q_norm, k_norm
  std::int64_t mlp = 3 * hidden_size * intermediate_size;
  std::int64_t layer = attention + mlp + 2 * hidden_size;
  return num_hidden_layers * layer + hidden_size;
}

}  // namespace sidr::model
