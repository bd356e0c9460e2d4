#include "model/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include "model/safetensors.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/json.h"

namespace sidr::model {
namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string shape_string(torch::IntArrayRef shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

std::string dtype_config_name(torch::Dtype dtype) {
  if (dtype == torch::kBFloat16) return "bfloat16";
  if (dtype == torch::kFloat16) return "float16";
  return "float32";
}

// Files we write ourselves; everything else already in a checkpoint directory (tokenizer files) is kept.
bool written_by_save(const std::string& name) {
  return name == "config.json" || name == "generation_config.json" || name == "model.safetensors.index.json" ||
         (name.rfind("model", 0) == 0 && ends_with(name, ".safetensors"));
}

}  // namespace

Qwen3 load_model(const fs::path& dir, torch::Device device, torch::Dtype dtype) {
  if (!fs::is_directory(dir)) throw InputError(dir.string() + ": not a checkpoint directory");
  auto config = ModelConfig::load(dir / "config.json");
  WeightFiles files(dir);
  Qwen3 model(config);
  model->to(dtype);
  auto params = model->named_parameters(/*recurse=*/true);
  torch::NoGradGuard no_grad;
  for (const auto& name : files.names()) {
    if (params.contains(name)) continue;
    // Old checkpoints carry the RoPE table as a buffer; we compute it.
    if (ends_with(name, "rotary_emb.inv_freq")) continue;
    // Some exporters also write the tied head: accepted only if it is the embedding.
    if (name == "lm_head.weight" && config.tie_word_embeddings) {
      auto head = files.view(name);
      auto embed = files.contains("model.embed_tokens.weight") ? files.view("model.embed_tokens.weight") : torch::Tensor();
      if (embed.defined() && head.sizes() == embed.sizes() && torch::equal(head, embed)) continue;
      throw InputError(files.file_of(name) + ": tensor 'lm_head.weight' present but config.json ties the embeddings "
                       "and it differs from model.embed_tokens.weight");
    }
    throw InputError(files.file_of(name) + ": unexpected tensor '" + name + "' (no such parameter in a " +
                     config.model_type + " model with this config.json)");
  }
  for (auto& item : params) {
    const auto& name = item.key();
    auto& param = item.value();
    if (!files.contains(name))
      throw InputError(dir.string() + ": missing tensor '" + name + "' (expected shape " +
                       shape_string(param.sizes()) + ")");
    auto stored = files.view(name);
    if (stored.sizes() != param.sizes())
      throw InputError(files.file_of(name) + ": tensor '" + name + "' has shape " + shape_string(stored.sizes()) +
                       ", expected " + shape_string(param.sizes()) + " from config.json");
    if (!stored.is_floating_point())
      throw InputError(files.file_of(name) + ": tensor '" + name + "' has a non-float dtype");
    param.copy_(stored);  // converts the stored dtype (bf16 upcasts exactly)
  }
  model->to(device);
  return model;
}

void save_model(Qwen3& model, const fs::path& dir) {
  AtomicDirectory out(dir);
  auto config = model->config();
  config.torch_dtype = dtype_config_name(model->dtype());
  config.save(out.path() / "config.json");
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& item : model->named_parameters(true)) tensors.emplace_back(item.key(), item.value());
  write_safetensors(out.path() / "model.safetensors", tensors);
  Json generation = Json::object();
  if (config.bos_token_id >= 0) generation["bos_token_id"] = config.bos_token_id;
  if (config.eos_token_id >= 0) generation["eos_token_id"] = config.eos_token_id;
  if (config.pad_token_id >= 0) generation["pad_token_id"] = config.pad_token_id;
  generation["do_sample"] = false;
  write_file_atomic(out.path() / "generation_config.json", generation.dump(2) + "\n");
  // Keep the other files of an existing checkpoint (tokenizer files written before save_model).
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      auto name = entry.path().filename().string();
      if (!entry.is_regular_file() || written_by_save(name)) continue;
      fs::copy_file(entry.path(), out.path() / name, fs::copy_options::overwrite_existing);
    }
  }
  out.commit();
}

Qwen3 init_model(const ModelConfig& config, std::uint64_t seed) {
  Qwen3 model(config);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::NoGradGuard no_grad;
  const double std = config.initializer_range;
  for (auto& item : model->named_parameters(true)) {
    const auto& name = item.key();
    auto& param = item.value();
    if (ends_with(name, "norm.weight")) {
      param.fill_(1.0);  // RMSNorm scales (layer norms, q/k norms, final norm)
    } else if (ends_with(name, ".bias")) {
      param.zero_();
    } else {
      param.normal_(0.0, std, generator);
    }
  }
  return model;
}

void resize_token_embeddings(Qwen3& model, std::int64_t new_vocab_size) {
  if (new_vocab_size <= 0) throw InputError(fmt::format("vocabulary size must be positive, got {}", new_vocab_size));
  const auto old_size = model->config().vocab_size;
  if (new_vocab_size == old_size) return;
  torch::NoGradGuard no_grad;
  // Existing rows kept; added rows are the mean of the old rows (HF resize_token_embeddings, mean_resizing).
  auto resize = [&](const torch::Tensor& weight) {  // (V, hidden) -> (new V, hidden)
    if (new_vocab_size < old_size) return weight.narrow(0, 0, new_vocab_size).clone();
    auto mean = weight.to(torch::kFloat32).mean(0, true).to(weight.scalar_type());  // (1, hidden)
    return torch::cat({weight, mean.expand({new_vocab_size - old_size, weight.size(1)})}, 0);
  };
  auto embedding = resize(model->embedding_weight());
  torch::Tensor head;
  if (!model->config().tie_word_embeddings) head = resize(model->output_weight());
  model->set_vocab_weights(embedding, head);
}

}  // namespace sidr::model
