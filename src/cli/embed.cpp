// `sidreasoner embed text|sasrec|concat`: item embeddings (.npy, row i = item id i) for `sid build`
// (src/embed, docs/prepare.md).
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/option_fields.h"
#include "data/dataset.h"
#include "data/item_json.h"
#include "cli/model_options.h"
#include "embed/concat.h"
#include "embed/encoder_pool.h"
#include "embed/item_text.h"
#include "embed/pca.h"
#include "embed/sasrec_table.h"
#include "embed/tfidf.h"
#include "sidgen/npy.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/json.h"

namespace sidr::cli {
namespace {

struct EmbedArgs {
  std::string data = "data/Amazon", dataset = "Industrial_and_Scientific", out, run, normalize = "l2", dump;
  std::size_t dim = 64, min_df = 2, max_features = 0, max_length = 2048, batch_size = 16;
  std::string model;
  model::RuntimeOptions runtime;
  std::vector<std::string> inputs;
};

void write_out(const std::string& out, std::size_t rows, std::size_t cols, const std::vector<float>& values) {
  std::filesystem::path path(out);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  sidgen::write_npy_f32(path, {rows, cols}, values.data());
  fmt::print("wrote             {} ({} x {} float32)\n", out, rows, cols);
}

// Texts and the TF-IDF matrix, for tests and for a reader who wants to see what was embedded.
void dump_tfidf(const std::filesystem::path& dir, const std::vector<std::string>& texts, const embed::Tfidf& t) {
  std::filesystem::create_directories(dir);
  write_file_atomic(dir / "texts.json", Json(texts).dump(1) + "\n");
  write_file_atomic(dir / "vocabulary.json", Json(t.vocabulary).dump() + "\n");
  std::vector<long long> indptr(t.matrix.row_start.begin(), t.matrix.row_start.end());
  std::vector<long long> indices(t.matrix.col.begin(), t.matrix.col.end());
  std::vector<float> data(t.matrix.value.begin(), t.matrix.value.end());
  sidgen::write_npy_i64(dir / "tfidf_indptr.npy", {indptr.size()}, indptr.data());
  sidgen::write_npy_i64(dir / "tfidf_indices.npy", {indices.size()}, indices.data());
  sidgen::write_npy_f32(dir / "tfidf_data.npy", {data.size()}, data.data());
}

void run_text(const EmbedArgs& args) {
  data::DatasetPaths paths{args.data, args.dataset};
  const auto items = data::read_item_json(paths.item_json());
  const auto texts = embed::item_embedding_texts(items);
  const embed::Tfidf t = embed::tfidf(texts, {args.min_df, args.max_features});
  if (!args.dump.empty()) dump_tfidf(args.dump, texts, t);
  const embed::PcaResult p = embed::pca(t.matrix, args.dim);
  double kept = 0;
  for (double v : p.explained_variance) kept += v;
  fmt::print("items             {} ({})\n", items.size(), paths.item_json().string());
  fmt::print("tf-idf            {} terms (min-df {}{}), {} non-zeros\n", t.vocabulary.size(), args.min_df,
             args.max_features ? fmt::format(", max-features {}", args.max_features) : "", t.matrix.value.size());
  fmt::print("pca               {} components of rank {}, {:.4f} of the variance\n", p.dim, p.rank,
             p.total_variance > 0 ? kept / p.total_variance : 0.0);
  write_out(args.out, p.rows, p.dim, p.scores);
}

void run_encoder(const EmbedArgs& args) {
  data::DatasetPaths paths{args.data, args.dataset};
  const auto items = data::read_item_json(paths.item_json());
  const auto texts = embed::item_embedding_texts(items);
  if (!args.dump.empty()) {
    std::filesystem::create_directories(args.dump);
    write_file_atomic(std::filesystem::path(args.dump) / "texts.json", Json(texts).dump(1) + "\n");
  }
  embed::EncoderOptions options{args.model, args.max_length, args.batch_size, args.runtime};
  const embed::DenseMatrix m = embed::encoder_mean_pool(texts, options);
  fmt::print("encoder           {} items, mean of the last hidden states ({}; max length {}, no L2 norm)\n", m.rows,
             args.model, args.max_length);
  write_out(args.out, m.rows, m.cols, m.values);
}

void run_sasrec(const EmbedArgs& args) {
  const embed::DenseMatrix m = embed::sasrec_item_embeddings(args.run);
  fmt::print("sasrec            {} items x {} (item_embeddings.weight; padding row {} dropped)\n", m.rows, m.cols,
             m.rows);
  write_out(args.out, m.rows, m.cols, m.values);
}

void run_concat(const EmbedArgs& args) {
  embed::Normalize normalize = embed::Normalize::kL2;
  if (args.normalize == "none")
    normalize = embed::Normalize::kNone;
  else if (args.normalize != "l2")
    throw_input_error(Location{"", 0, 0, "--normalize"}, "expected l2 or none, found '" + args.normalize + "'");
  std::vector<std::filesystem::path> inputs(args.inputs.begin(), args.inputs.end());
  const embed::DenseMatrix m = embed::concat_npy(inputs, normalize);
  fmt::print("concat            {} inputs, {} items x {} ({} normalisation per input)\n", inputs.size(), m.rows,
             m.cols, args.normalize);
  write_out(args.out, m.rows, m.cols, m.values);
}

void setup(CLI::App& root) {
  auto* embed = root.add_subcommand("embed", "Item embeddings (.npy, row i = item id i) for sid build");
  embed->require_subcommand(1);
  auto args = std::make_shared<EmbedArgs>();

  auto* text = embed->add_subcommand("text", "TF-IDF of the cleaned title + description, reduced by PCA");
  add_data_options(text, args->data, args->dataset);
  text->add_option("--dim", args->dim, "PCA components")->capture_default_str();
  text->add_option("--min-df", args->min_df, "Keep terms found in at least this many items")->capture_default_str();
  text->add_option("--max-features", args->max_features, "Keep the most frequent terms only (0: all)")
      ->capture_default_str();
  text->add_option("--dump", args->dump, "Also write the texts and the TF-IDF matrix (CSR .npy) to this folder");
  text->add_option("--out", args->out, "Output .npy")->required();
  text->callback([args] { run_text(*args); });

  auto* encoder = embed->add_subcommand("encoder", "Mean-pooled last hidden states of an HF-layout checkpoint (§4)");
  encoder->add_option("--model", args->model, "Checkpoint directory (config.json, model.safetensors, tokenizer.json)")
      ->required();
  add_data_options(encoder, args->data, args->dataset);
  encoder->add_option("--max-length", args->max_length, "Tokens kept per item (truncation)")->capture_default_str();
  encoder->add_option("--batch-size", args->batch_size, "Items per forward")->capture_default_str();
  encoder->add_option("--dump", args->dump, "Also write the item texts to this folder");
  add_runtime_options(encoder, args->runtime);
  encoder->add_option("--out", args->out, "Output .npy")->required();
  encoder->callback([args] { run_encoder(*args); });

  auto* sasrec = embed->add_subcommand("sasrec", "A trained SASRec's item embedding table");
  sasrec->add_option("--run", args->run, "`baseline sasrec` run directory (config.json, model.pt)")->required();
  sasrec->add_option("--out", args->out, "Output .npy")->required();
  sasrec->callback([args] { run_sasrec(*args); });

  auto* concat = embed->add_subcommand("concat", "Several embeddings side by side (same items, same order)");
  concat->add_option("inputs", args->inputs, "Input .npy files")->required();
  concat->add_option("--normalize", args->normalize, "l2 (each input's rows to unit length) or none")
      ->capture_default_str();
  concat->add_option("--out", args->out, "Output .npy")->required();
  concat->callback([args] { run_concat(*args); });
}

}  // namespace
SIDR_COMMAND(11, setup);
}  // namespace sidr::cli
