// The reference's RQ-VAE (§5.2.2-5.2.3; rq/models/{rqvae,rq,vq,layers}.py) as a libtorch module whose parameter
// names are the reference's state_dict keys: encoder.mlp_layers.{1,4,7,...}.{weight,bias} (Dropout, Linear,
// ReLU per layer, no ReLU after the last Linear), rq.vq_layers.{l}.embedding.weight, decoder.mlp_layers....
// Residual quantisation: r_1 = z; at each level the nearest codeword e (squared L2 via ||r||^2 + ||e||^2 - 2r.e,
// argmin), loss_l = MSE(e, sg(r)) + beta * MSE(sg(e), r), straight-through output r + sg(e - r), and
// r_{l+1} = r_l - that output (which carries no gradient, as in the reference's graph).
#pragma once
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include <torch/torch.h>

namespace sidr::rqvae {

struct RqvaeShape {
  std::int64_t in_dim = 0;
  std::vector<std::int64_t> hidden;  // encoder hidden sizes (2048, 1024, 512, 256, 128, 64)
  std::int64_t e_dim = 32;
  std::int64_t levels = 3, codebook = 256;
};

class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(const std::vector<std::int64_t>& dims, double dropout);
  torch::Tensor forward(const torch::Tensor& x) { return mlp_layers->forward(x); }
  torch::nn::Sequential mlp_layers;
};
TORCH_MODULE(Mlp);

class VectorQuantizerImpl : public torch::nn::Module {
 public:
  VectorQuantizerImpl(std::int64_t codebook, std::int64_t e_dim);
  torch::nn::Embedding embedding{nullptr};
};
TORCH_MODULE(VectorQuantizer);

class ResidualQuantizerImpl : public torch::nn::Module {
 public:
  ResidualQuantizerImpl(std::int64_t levels, std::int64_t codebook, std::int64_t e_dim);
  torch::nn::ModuleList vq_layers;
  VectorQuantizer level(std::size_t l) const { return vq_layers->ptr<VectorQuantizerImpl>(l); }
};
TORCH_MODULE(ResidualQuantizer);

struct Quantized {
  torch::Tensor x_q;           // (B, e_dim) straight-through sum of the codewords
  torch::Tensor rq_loss;       // () mean over levels of codebook + beta * commitment
  torch::Tensor indices;       // (B, L) int64
  std::vector<torch::Tensor> level_inputs;  // L x (B, e_dim): each level's residual input
};

struct Forward {
  torch::Tensor out;           // (B, in_dim) decoder output
  torch::Tensor loss;          // () recon + quant_loss_weight * rq_loss
  torch::Tensor recon;         // () MSE(out, x)
  Quantized q;
};

// Called with a level's residual input (detached) when that level's codebook has not been initialised yet; returns
// the codebook (codebook x e_dim) to copy in. The reference runs scikit-learn KMeans here.
using CodebookInit = std::function<torch::Tensor(std::size_t level, const torch::Tensor& residual)>;

class RqvaeImpl : public torch::nn::Module {
 public:
  RqvaeImpl(const RqvaeShape& shape, double beta, double quant_loss_weight, bool kmeans_init);
  // Xavier-normal Linear weights, zero biases; codebooks zero (k-means init pending) or uniform(-1/K, 1/K).
  void reset_weights();
  Quantized quantize(const torch::Tensor& z, const CodebookInit& init = nullptr);
  Forward forward(const torch::Tensor& x, const CodebookInit& init = nullptr);
  // (B, L) argmin codes and the last level's inputs (B, e_dim), no gradient.
  std::pair<torch::Tensor, torch::Tensor> encode(const torch::Tensor& x);
  // Every level counts as initialised (weights loaded from a file, or no k-means init).
  void mark_initialised() { initialised_.assign(initialised_.size(), true); }

  Mlp encoder{nullptr}, decoder{nullptr};
  ResidualQuantizer rq{nullptr};
  RqvaeShape shape;

 private:
  double beta_, quant_loss_weight_;
  bool kmeans_init_;
  std::vector<bool> initialised_;
};
TORCH_MODULE(Rqvae);

}  // namespace sidr::rqvae
