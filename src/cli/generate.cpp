// `sidreasoner generate`: greedy or sampled continuation of a prompt given as token ids, or as text when the
// checkpoint directory has a tokenizer.json. Decoding is decode::generate (the one decoder): --samples N draws
// N continuations from one prefill of the prompt.
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (in ranges.h from fmt 11)

#include "cli/command.h"
#include "cli/model_options.h"
#include "decode/generate.h"
#include "decode/lm_step_model.h"
#include "model/checkpoint.h"
#include "text/tokenizer.h"

namespace sidr::cli {
namespace {

struct GenerateArgs {
  std::string model_dir;
  std::string ids;
  std::string prompt_text;
  bool no_stop = false;
  bool with_log_probs = false;
  double temperature = 0.0;  // 0: greedy
  decode::GenerateOptions decoding;
  model::RuntimeOptions runtime;
};

void run(const GenerateArgs& args) {
  args.runtime.validate();
  if (args.temperature < 0) throw InputError(fmt::format("temperature must not be negative, got {}", args.temperature));
  auto decoding = args.decoding;
  decoding.sample = args.temperature > 0;
  if (decoding.sample) decoding.sampling.temperature = args.temperature;
  decoding.validate();
  args.runtime.apply();
  bool text_mode = !args.prompt_text.empty();
  if (text_mode == !args.ids.empty()) throw InputError("generate: give exactly one of --ids and --prompt");
  std::vector<decode::TokenId> prompt;
  std::unique_ptr<text::Tokenizer> tokenizer;
  if (text_mode) {
    auto path = std::filesystem::path(args.model_dir) / "tokenizer.json";
    if (!std::filesystem::exists(path))
      throw InputError("option '--prompt': " + path.string() + " not found (use --ids with a checkpoint without a tokenizer)");
    tokenizer = std::make_unique<text::Tokenizer>(text::Tokenizer::from_file(path));
    prompt = tokenizer->encode(args.prompt_text, /*parse_special=*/true);
    if (prompt.empty()) throw InputError("option '--prompt': the text encodes to no tokens");
  } else {
    for (auto id : parse_ids(args.ids, "--ids")) prompt.push_back(static_cast<decode::TokenId>(id));
  }
  auto model = model::load_model(args.model_dir, args.runtime.torch_device(), args.runtime.torch_dtype());
  if (!args.no_stop && model->config().eos_token_id >= 0)
    decoding.stop_tokens.push_back(static_cast<decode::TokenId>(model->config().eos_token_id));
  decode::LmStepModel step(model, /*pad_id=*/0);
  for (const auto& gen : decode::generate(step, {prompt}, decoding)) {
    if (text_mode) fmt::print("{}\n", tokenizer->decode(gen.tokens));
    else fmt::print("{}\n", fmt::join(gen.tokens, " "));
    if (args.with_log_probs) fmt::print("{:.6g}\n", fmt::join(gen.model_log_probs, " "));
  }
}

void setup(CLI::App& root) {
  auto args = std::make_shared<GenerateArgs>();
  args->decoding.max_new_tokens = 32;
  auto* cmd = root.add_subcommand("generate", "Continue a prompt of token ids with a checkpoint (greedy by default)");
  cmd->add_option("--model", args->model_dir, "checkpoint directory (HF layout)")->required();
  cmd->add_option("--ids", args->ids, "prompt token ids, e.g. \"1 5 42\" (prints generated ids)");
  cmd->add_option("--prompt", args->prompt_text, "prompt text, encoded with DIR/tokenizer.json (prints decoded text)");
  cmd->add_option("--max-new-tokens", args->decoding.max_new_tokens, "tokens to generate")->capture_default_str();
  cmd->add_option("--samples", args->decoding.samples, "continuations of the prompt (one prefill), one per line")
      ->capture_default_str();
  cmd->add_option("--temperature", args->temperature, "0 = greedy; > 0 samples")->capture_default_str();
  cmd->add_option("--top-k", args->decoding.sampling.top_k, "keep the k most likely tokens; 0 = all")->capture_default_str();
  cmd->add_option("--top-p", args->decoding.sampling.top_p, "nucleus sampling mass (HF's rule)")->capture_default_str();
  cmd->add_option("--repetition-penalty", args->decoding.sampling.repetition_penalty, "HF/CTRL penalty; 1 = off")
      ->capture_default_str();
  cmd->add_option("--no-repeat-ngram", args->decoding.sampling.no_repeat_ngram_size, "n-grams not to repeat; 0 = off")
      ->capture_default_str();
  cmd->add_option("--seed", args->decoding.seed, "sampling seed")->capture_default_str();
  cmd->add_flag("--no-stop", args->no_stop, "do not stop at the config's eos_token_id");
  cmd->add_flag("--log-probs", args->with_log_probs, "after each continuation, a line of the model's log p per token");
  add_runtime_options(cmd, args->runtime);
  cmd->callback([args] { run(*args); });
}

}  // namespace
SIDR_COMMAND(60, setup);
}  // namespace sidr::cli
