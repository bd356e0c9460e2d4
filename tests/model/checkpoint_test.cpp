#include "model/checkpoint.h"

#include <fstream>

#include <gtest/gtest.h>

#include "model/safetensors.h"
#include "model_test_util.h"
#include "util/error.h"

namespace sidr::model {
namespace {
namespace fs = std::filesystem;
using testing::ScratchDir;
using testing::tiny_config;

std::map<std::string, torch::Tensor> state(Qwen3& model) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : model->named_parameters()) out[item.key()] = item.value().detach().clone();
  return out;
}

TEST(Checkpoint, ParameterNamesAreHuggingFaces) {
  Qwen3 tied(tiny_config("qwen3", true));
  auto names = state(tied);
  for (const char* n : {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
                        "model.layers.0.self_attn.k_proj.weight", "model.layers.0.self_attn.v_proj.weight",
                        "model.layers.0.self_attn.o_proj.weight", "model.layers.1.self_attn.q_norm.weight",
                        "model.layers.1.self_attn.k_norm.weight", "model.layers.1.mlp.gate_proj.weight",
                        "model.layers.1.mlp.up_proj.weight", "model.layers.1.mlp.down_proj.weight",
                        "model.layers.1.input_layernorm.weight", "model.layers.1.post_attention_layernorm.weight",
                        "model.norm.weight"})
    EXPECT_TRUE(names.count(n)) << n;
  EXPECT_EQ(names.size(), 2u + 2 * 11);
  EXPECT_FALSE(names.count("lm_head.weight"));
  Qwen3 untied(tiny_config("qwen3", false));
  EXPECT_TRUE(state(untied).count("lm_head.weight"));
  Qwen3 qwen2(tiny_config("qwen2", true));
  auto q2 = state(qwen2);
  EXPECT_TRUE(q2.count("model.layers.0.self_attn.q_proj.bias"));
  EXPECT_FALSE(q2.count("model.layers.0.self_attn.o_proj.bias"));
  EXPECT_FALSE(q2.count("model.layers.0.self_attn.q_norm.weight"));
  // The config's count of parameters besides the embedding matches the module.
  for (auto* m : {&tied, &qwen2}) {
    std::int64_t total = 0;
    for (const auto& p : (*m)->parameters()) total += p.numel();
    EXPECT_EQ(total - (*m)->config().vocab_size * (*m)->config().hidden_size, (*m)->config().non_embedding_parameters());
  }
}

TEST(Checkpoint, SaveLoadRoundTripIsExactAndTiedWeightWrittenOnce) {
  ScratchDir dir("ckpt_roundtrip");
  for (bool tied : {true, false}) {
    auto model = init_model(tiny_config("qwen3", tied), 7);
    auto path = dir.path() / (tied ? "tied" : "untied");
    save_model(model, path);
    EXPECT_TRUE(fs::exists(path / "config.json"));
    EXPECT_TRUE(fs::exists(path / "generation_config.json"));
    SafetensorsReader reader(path / "model.safetensors");
    EXPECT_EQ(reader.contains("lm_head.weight"), !tied);
    auto loaded = load_model(path);
    auto a = state(model), b = state(loaded);
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [name, t] : a) EXPECT_TRUE(torch::equal(t, b.at(name))) << name;
    EXPECT_EQ(loaded->config().tie_word_embeddings, tied);
    EXPECT_EQ(loaded->config().eos_token_id, 3);
  }
}

TEST(Checkpoint, Bf16CheckpointLoadsUpcastToFloat32) {
  ScratchDir dir("ckpt_bf16");
  auto model = init_model(tiny_config(), 3);
  auto reference = state(model);
  model->to(torch::kBFloat16);
  save_model(model, dir.path() / "m");
  SafetensorsReader reader(dir.path() / "m" / "model.safetensors");
  EXPECT_EQ(reader.info("model.norm.weight").dtype, "BF16");
  EXPECT_EQ(ModelConfig::load(dir.path() / "m" / "config.json").torch_dtype, "bfloat16");
  auto loaded = load_model(dir.path() / "m");  // float32 by default
  for (const auto& [name, t] : state(loaded)) {
    EXPECT_EQ(t.scalar_type(), torch::kFloat32);
    EXPECT_TRUE(torch::equal(t, reference.at(name).to(torch::kBFloat16).to(torch::kFloat32))) << name;
  }
}

// Rewrites the checkpoint's weights through `edit` and returns load_model's error.
std::string load_error_after(const fs::path& dir, const std::function<void(std::map<std::string, torch::Tensor>&)>& edit) {
  auto tensors = read_safetensors(dir / "model.safetensors");
  std::map<std::string, torch::Tensor> map(tensors.begin(), tensors.end());
  edit(map);
  write_safetensors(dir / "model.safetensors", {map.begin(), map.end()});
  try {
    load_model(dir);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Checkpoint, StrictLoadNamesMissingExtraAndMisShapedTensors) {
  ScratchDir dir("ckpt_strict");
  auto model = init_model(tiny_config(), 1);
  auto path = dir.path() / "m";
  save_model(model, path);
  auto original = read_safetensors(path / "model.safetensors");
  auto restore = [&] { write_safetensors(path / "model.safetensors", original); };

  auto missing = load_error_after(path, [](auto& m) { m.erase("model.layers.1.mlp.up_proj.weight"); });
  EXPECT_NE(missing.find("missing tensor 'model.layers.1.mlp.up_proj.weight'"), std::string::npos) << missing;
  restore();
  auto extra = load_error_after(path, [](auto& m) { m["model.layers.9.mlp.up_proj.weight"] = torch::ones({2}); });
  EXPECT_NE(extra.find("unexpected tensor 'model.layers.9.mlp.up_proj.weight'"), std::string::npos) << extra;
  restore();
  auto shaped = load_error_after(path, [](auto& m) { m["model.norm.weight"] = torch::ones({31}); });
  EXPECT_NE(shaped.find("'model.norm.weight' has shape [31], expected [32]"), std::string::npos) << shaped;
  restore();
  // A tied checkpoint carrying a different lm_head.weight is rejected; an identical copy is accepted.
  auto head = load_error_after(path, [](auto& m) { m["lm_head.weight"] = torch::zeros({50, 32}); });
  EXPECT_NE(head.find("lm_head.weight"), std::string::npos) << head;
  EXPECT_EQ(load_error_after(path, [](auto& m) { m["lm_head.weight"] = m.at("model.embed_tokens.weight"); }), "");
  restore();
  EXPECT_NO_THROW(load_model(path));
}

TEST(Checkpoint, SaveKeepsTokenizerFilesAndIsAtomic) {
  ScratchDir dir("ckpt_keep");
  auto model = init_model(tiny_config(), 1);
  auto path = dir.path() / "m";
  fs::create_directories(path);
  std::ofstream(path / "tokenizer.json") << "{}";
  save_model(model, path);
  EXPECT_TRUE(fs::exists(path / "tokenizer.json"));
  EXPECT_TRUE(fs::exists(path / "model.safetensors"));
  for (const auto& entry : fs::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename(), "m") << "leftover " << entry.path();
}

TEST(Checkpoint, InitIsSeededWithHfDistribution) {
  auto config = tiny_config();
  config.hidden_size = 64;
  config.vocab_size = 400;
  auto a = init_model(config, 11), b = init_model(config, 11), c = init_model(config, 12);
  auto sa = state(a), sb = state(b), sc = state(c);
  for (const auto& [name, t] : sa) EXPECT_TRUE(torch::equal(t, sb.at(name))) << name;
  EXPECT_FALSE(torch::equal(sa.at("model.embed_tokens.weight"), sc.at("model.embed_tokens.weight")));
  EXPECT_TRUE(torch::equal(sa.at("model.norm.weight"), torch::ones({64})));
  EXPECT_TRUE(torch::equal(sa.at("model.layers.0.self_attn.q_norm.weight"), torch::ones({12})));
  auto e = sa.at("model.embed_tokens.weight");
  EXPECT_NEAR(e.mean().item<double>(), 0.0, 0.01);
  EXPECT_NEAR(e.std().item<double>(), config.initializer_range, 0.01);
}

TEST(Checkpoint, ResizeKeepsRowsAddsMeanRowsAndTiedHeadFollows) {
  for (bool tied : {true, false}) {
    auto model = init_model(tiny_config("qwen3", tied), 5);
    auto old_embed = model->embedding_weight().detach().clone();
    auto old_head = model->output_weight().detach().clone();
    resize_token_embeddings(model, 53);
    EXPECT_EQ(model->config().vocab_size, 53);
    auto embed = model->embedding_weight();
    ASSERT_EQ(embed.sizes(), (std::vector<std::int64_t>{53, 32}));
    EXPECT_TRUE(torch::equal(embed.narrow(0, 0, 50), old_embed));
    for (int r = 50; r < 53; ++r) EXPECT_TRUE(torch::allclose(embed[r], old_embed.mean(0), 0, 1e-6));
    auto head = model->output_weight();
    ASSERT_EQ(head.size(0), 53);
    if (tied) EXPECT_EQ(head.data_ptr(), embed.data_ptr());
    else EXPECT_TRUE(torch::allclose(head[52], old_head.mean(0), 0, 1e-6));
    auto ids = torch::tensor({{1, 52, 51}}, torch::kInt64);
    EXPECT_EQ(model->forward(ids, torch::ones_like(ids)).sizes(), (std::vector<std::int64_t>{1, 3, 53}));
    // The resized model saves and loads with the new vocabulary.
    ScratchDir dir(tied ? "resize_tied" : "resize_untied");
    save_model(model, dir.path() / "m");
    auto loaded = load_model(dir.path() / "m");
    EXPECT_TRUE(torch::equal(loaded->output_weight(), head));
    // Shrinking keeps the first rows.
    resize_token_embeddings(model, 10);
    EXPECT_TRUE(torch::equal(model->embedding_weight(), old_embed.narrow(0, 0, 10)));
  }
}

TEST(Checkpoint, ConfigJsonRoundTripAndErrors) {
  auto c = tiny_config("qwen2", false);
  auto back = ModelConfig::from_json(c.to_json(), "x.json");
  EXPECT_EQ(back.to_json(), c.to_json());
  EXPECT_TRUE(back.attention_bias);
  auto j = c.to_json();
  j.erase("hidden_size");
  try {
    ModelConfig::from_json(j, "x.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("x.json: field 'hidden_size'"), std::string::npos) << e.what();
  }
  j = c.to_json();
  j["num_key_value_heads"] = 3;
  EXPECT_THROW(ModelConfig::from_json(j, "x.json"), InputError);
  j = c.to_json();
  j["model_type"] = "gpt2";
  EXPECT_THROW(ModelConfig::from_json(j, "x.json"), InputError);
  // head_dim defaults to hidden / heads when absent (Llama configs), Qwen3-0.6B sets it apart.
  j = c.to_json();
  j.erase("head_dim");
  EXPECT_EQ(ModelConfig::from_json(j, "x.json").head_dim, 8);
  auto shipped = ModelConfig::load(fs::path(SIDR_TEST_DIR).parent_path() / "configs/models/qwen3-0.6b.json");
  EXPECT_EQ(shipped.head_dim, 128);
  EXPECT_EQ(shipped.hidden_size, 1024);
  EXPECT_TRUE(shipped.tie_word_embeddings);
}

}  // namespace
}  // namespace sidr::model
