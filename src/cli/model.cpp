// `sidreasoner model init`: a random checkpoint from a model config (HF initialisation).
// `sidreasoner model dump-logits` (hidden): logits of a batch as a .safetensors file, for parity tests.
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/model_options.h"
#include "model/checkpoint.h"
#include "model/safetensors.h"
#include "util/json.h"

namespace sidr::cli {
namespace {

struct InitArgs {
  std::string config_path;
  std::string out_dir;
  std::int64_t vocab_size = 0;
  std::uint64_t seed = 0;
  std::string dtype = "float32";
};

void run_init(const InitArgs& args) {
  auto config = model::ModelConfig::load(args.config_path);
  if (args.vocab_size > 0) config.vocab_size = args.vocab_size;
  model::RuntimeOptions runtime;
  runtime.dtype = args.dtype;
  runtime.validate();
  auto model = model::init_model(config, args.seed);
  model->to(runtime.torch_dtype());
  model::save_model(model, args.out_dir);
  std::int64_t total = 0;
  for (const auto& p : model->parameters()) total += p.numel();
  fmt::print("wrote {} ({} parameters, {} besides embeddings)\n", args.out_dir, total,
             config.non_embedding_parameters());
}

struct DumpArgs {
  std::string model_dir;
  std::string input_path;
  std::string out_path;
  std::int64_t prefill = 0;  // 0: one full forward; else prefill this many tokens, then `chunk` at a time
  std::int64_t chunk = 1;
  model::RuntimeOptions runtime;
};

// {"input_ids": [[..], ..], "attention_mask": [[..], ..]} -> (B, T) int64 tensors.
torch::Tensor read_matrix(const Json& json, const std::string& key, const std::string& source) {
  auto it = json.find(key);
  if (it == json.end() || !it->is_array() || it->empty())
    throw_input_error(Location{source, 0, 0, key}, "expected a non-empty list of lists of integers");
  std::vector<std::int64_t> flat;
  std::size_t width = (*it)[0].is_array() ? (*it)[0].size() : 0;
  for (const auto& row : *it) {
    if (!row.is_array() || row.size() != width || width == 0)
      throw_input_error(Location{source, 0, 0, key}, "rows must be non-empty lists of equal length");
    for (const auto& v : row) {
      if (!v.is_number_integer()) throw_input_error(Location{source, 0, 0, key}, "non-integer value " + v.dump());
      flat.push_back(v.get<std::int64_t>());
    }
  }
  return torch::tensor(flat, torch::kInt64).view({static_cast<std::int64_t>(it->size()), static_cast<std::int64_t>(width)});
}

void run_dump(const DumpArgs& args) {
  args.runtime.validate();
  args.runtime.apply();
  auto json = read_json_file(args.input_path);
  auto ids = read_matrix(json, "input_ids", args.input_path);        // (B, T)
  auto mask = json.contains("attention_mask") ? read_matrix(json, "attention_mask", args.input_path)
                                              : torch::ones_like(ids);  // (B, T)
  if (mask.sizes() != ids.sizes())
    throw_input_error(Location{args.input_path, 0, 0, "attention_mask"}, "shape differs from input_ids");
  auto model = model::load_model(args.model_dir, args.runtime.torch_device(), args.runtime.torch_dtype());
  if ((ids.ge(model->config().vocab_size) | ids.lt(0)).any().item<bool>())
    throw_input_error(Location{args.input_path, 0, 0, "input_ids"}, "token id outside the vocabulary");
  model->eval();
  torch::NoGradGuard no_grad;
  auto device = model->device();
  ids = ids.to(device);
  mask = mask.to(device);
  const auto T = ids.size(1);
  torch::Tensor logits;  // (B, T, V)
  if (args.prefill <= 0) {
    logits = model->forward(ids, mask);
  } else {
    if (args.chunk < 1) throw InputError("option '--chunk': must be at least 1");
    model::KvCache cache;
    std::vector<torch::Tensor> parts;
    for (std::int64_t start = 0; start < T;) {
      std::int64_t n = start == 0 ? std::min(args.prefill, T) : std::min(args.chunk, T - start);
      parts.push_back(model->forward(ids.narrow(1, start, n), mask.narrow(1, start, n), &cache));
      start += n;
    }
    logits = torch::cat(parts, 1);
  }
  model::write_safetensors(args.out_path, {{"logits", logits.to(torch::kFloat32)}});
}

void setup(CLI::App& root) {
  auto* cmd = root.add_subcommand("model", "Model checkpoints: random initialisation");
  cmd->require_subcommand(1);

  auto init = std::make_shared<InitArgs>();
  auto* init_cmd = cmd->add_subcommand("init", "Write a randomly initialised checkpoint for a model config");
  init_cmd->add_option("--config", init->config_path, "model config (HF config.json), e.g. configs/models/qwen3-3m.json")
      ->required();
  init_cmd->add_option("--out", init->out_dir, "checkpoint directory to write")->required();
  init_cmd->add_option("--vocab-size", init->vocab_size, "override vocab_size (0 = keep the config's)");
  init_cmd->add_option("--seed", init->seed, "initialisation seed")->capture_default_str();
  init_cmd->add_option("--dtype", init->dtype, "stored dtype: float32 or bfloat16")->capture_default_str();
  init_cmd->callback([init] { run_init(*init); });

  auto dump = std::make_shared<DumpArgs>();
  auto* dump_cmd = cmd->add_subcommand("dump-logits", "Logits of a batch to a .safetensors file (parity tests)");
  dump_cmd->group("");  // hidden from --help
  dump_cmd->add_option("--model", dump->model_dir)->required();
  dump_cmd->add_option("--input", dump->input_path, "JSON {input_ids, attention_mask}")->required();
  dump_cmd->add_option("--out", dump->out_path)->required();
  dump_cmd->add_option("--prefill", dump->prefill, "use the KV cache: prefill this many tokens first");
  dump_cmd->add_option("--chunk", dump->chunk, "tokens per cached step after the prefill");
  add_runtime_options(dump_cmd, dump->runtime);
  dump_cmd->callback([dump] { run_dump(*dump); });
}

}  // namespace
SIDR_COMMAND(62, setup);
}  // namespace sidr::cli
