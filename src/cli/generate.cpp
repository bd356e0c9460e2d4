// `sidreasoner generate`: greedy or sampled continuation of a prompt given as token ids, or as text when the
// checkpoint directory has a tokenizer.json.
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (in ranges.h from fmt 11)

#include "cli/command.h"
#include "cli/model_options.h"
#include "model/checkpoint.h"
#include "model/generate.h"
#include "text/tokenizer.h"

namespace sidr::cli {
namespace {

struct GenerateArgs {
  std::string model_dir;
  std::string ids;
  std::string prompt_text;
  bool no_stop = false;
  model::SamplingOptions sampling;
  model::RuntimeOptions runtime;
};

void run(const GenerateArgs& args) {
  args.runtime.validate();
  args.sampling.validate();
  args.runtime.apply();
  bool text_mode = !args.prompt_text.empty();
  if (text_mode == !args.ids.empty()) throw InputError("generate: give exactly one of --ids and --prompt");
  std::vector<std::int64_t> prompt;
  std::unique_ptr<text::Tokenizer> tokenizer;
  if (text_mode) {
    auto path = std::filesystem::path(args.model_dir) / "tokenizer.json";
    if (!std::filesystem::exists(path))
      throw InputError("option '--prompt': " + path.string() + " not found (use --ids with a checkpoint without a tokenizer)");
    tokenizer = std::make_unique<text::Tokenizer>(text::Tokenizer::from_file(path));
    for (auto id : tokenizer->encode(args.prompt_text, /*parse_special=*/true)) prompt.push_back(id);
    if (prompt.empty()) throw InputError("option '--prompt': the text encodes to no tokens");
  } else {
    prompt = parse_ids(args.ids, "--ids");
  }
  auto model = model::load_model(args.model_dir, args.runtime.torch_device(), args.runtime.torch_dtype());
  auto sampling = args.sampling;
  if (!args.no_stop && model->config().eos_token_id >= 0) sampling.stop_ids.push_back(model->config().eos_token_id);
  auto out = model::generate(model, prompt, sampling);
  if (text_mode) {
    std::vector<text::TokenId> ids(out.begin(), out.end());
    fmt::print("{}\n", tokenizer->decode(ids));
  } else {
    fmt::print("{}\n", fmt::join(out, " "));
  }
}

void setup(CLI::App& root) {
  auto args = std::make_shared<GenerateArgs>();
  auto* cmd = root.add_subcommand("generate", "Continue a prompt of token ids with a checkpoint (greedy by default)");
  cmd->add_option("--model", args->model_dir, "checkpoint directory (HF layout)")->required();
  cmd->add_option("--ids", args->ids, "prompt token ids, e.g. \"1 5 42\" (prints generated ids)");
  cmd->add_option("--prompt", args->prompt_text, "prompt text, encoded with DIR/tokenizer.json (prints decoded text)");
  cmd->add_option("--max-new-tokens", args->sampling.max_new_tokens, "tokens to generate")->capture_default_str();
  cmd->add_option("--temperature", args->sampling.temperature, "0 = greedy")->capture_default_str();
  cmd->add_option("--top-k", args->sampling.top_k, "keep the k most likely tokens; 0 = all")->capture_default_str();
  cmd->add_option("--top-p", args->sampling.top_p, "nucleus sampling mass")->capture_default_str();
  cmd->add_option("--seed", args->sampling.seed, "sampling seed")->capture_default_str();
  cmd->add_flag("--no-stop", args->no_stop, "do not stop at the config's eos_token_id");
  add_runtime_options(cmd, args->runtime);
  cmd->callback([args] { run(*args); });
}

}  // namespace
SIDR_COMMAND(60, setup);
}  // namespace sidr::cli
