// Training an RQ-VAE on item embeddings as the reference's rq/rqvae.py + rq/trainer.py do (§5.2.5): AdamW
// (weight decay 0), constant learning rate after a linear warm-up of warmup_epochs x batches-per-epoch steps,
// gradient-norm clipping to 1.0, shuffled batches (one full-data batch with the defaults), k-means codebook init
// on the first training batch (scikit-learn KMeans there; sidgen::lloyd_kmeans here), an evaluation every
// eval_every epochs (collision rate of the argmin codes over all items) and, by default, the weights of the
// evaluation with the lowest collision rate (best_collision_model.pth) for the final codes. Steps go through
// the shared train::Updater.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "sidgen/npy.h"

namespace sidr::rqvae {

struct RqvaeOptions {
  std::vector<std::int64_t> hidden{2048, 1024, 512, 256, 128, 64};  // encoder hidden sizes
  std::int64_t e_dim = 32;
  int levels = 3, codebook = 256;
  double beta = 0.25;
  double quant_loss_weight = 1.0;
  bool kmeans_init = true;
  int kmeans_iters = 100;
  int epochs = 10000;
  int batch_size = 20480;
  int warmup_epochs = 50;
  int eval_every = 50;       // capped at epochs, as trainer.py's min(eval_step, epochs)
  double lr = 1e-3;
  double weight_decay = 0.0;
  double max_grad_norm = 1.0;
  std::uint64_t seed = 2024;
  bool best_collision = true;  // false: the last weights
  std::string device = "cpu";
  std::string init_weights;    // .safetensors to start from (then no k-means init)
  std::string trace;           // JSON lines, one per step
  int threads = 0;
  // InputError naming the option: levels 1..26, codebook >= 2, e_dim >= 1, hidden sizes >= 1, epochs >= 1,
  // batch >= 1, lr > 0, warmup >= 0, eval_every >= 1, kmeans_iters >= 1, beta >= 0, items >= codebook (and the
  // first batch too, with k-means init).
  void validate(std::size_t items, std::size_t dim) const;
};

// "2048,1024,64" -> sizes; "" -> none. InputError naming `field` on anything else.
std::vector<std::int64_t> parse_layer_list(const std::string& text, const char* field);

struct RqvaeResult {
  std::vector<std::int64_t> codes;    // items x levels, argmin, 0-based
  std::vector<float> codebooks;       // levels x codebook x e_dim
  std::vector<float> last_inputs;     // items x e_dim: the last level's residual input
  double reconstruction_mse = 0;      // MSE(decoder(x_q), x) over all items with the final weights
  double initial_reconstruction_mse = 0;  // the first step's (after k-means init, before any update)
  double best_collision_rate = 1;
  int chosen_epoch = 0;               // 1-based epoch whose weights encode
  std::vector<std::pair<std::string, torch::Tensor>> weights;  // the encoding weights, state_dict names, CPU F32
};

RqvaeResult train_rqvae(const sidgen::Matrix& x, const RqvaeOptions& options);

// Writes result.weights to a .safetensors file (loadable by the reference's RQVAE.load_state_dict).
void save_weights(const std::filesystem::path& path, const RqvaeResult& result);

}  // namespace sidr::rqvae
