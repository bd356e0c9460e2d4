#include "rqvae/rqvae_model.h"

namespace sidr::rqvae {

MlpImpl::MlpImpl(const std::vector<std::int64_t>& dims, double dropout) {
  for (std::size_t i = 0; i + 1 < dims.size(); ++i) {
    mlp_layers->push_back(torch::nn::Dropout(dropout));
    mlp_layers->push_back(torch::nn::Linear(dims[i], dims[i + 1]));
    if (i + 2 < dims.size()) mlp_layers->push_back(torch::nn::ReLU());
  }
  register_module("mlp_layers", mlp_layers);
}

VectorQuantizerImpl::VectorQuantizerImpl(std::int64_t codebook, std::int64_t e_dim) {
  embedding = register_module("embedding", torch::nn::Embedding(codebook, e_dim));
}

ResidualQuantizerImpl::ResidualQuantizerImpl(std::int64_t levels, std::int64_t codebook, std::int64_t e_dim) {
  for (std::int64_t l = 0; l < levels; ++l) vq_layers->push_back(VectorQuantizer(codebook, e_dim));
  register_module("vq_layers", vq_layers);
}

namespace {
std::vector<std::int64_t> encoder_dims(const RqvaeShape& s) {
  std::vector<std::int64_t> dims{s.in_dim};
  dims.insert(dims.end(), s.hidden.begin(), s.hidden.end());
  dims.push_back(s.e_dim);
  return dims;
}
}  // namespace

RqvaeImpl::RqvaeImpl(const RqvaeShape& s, double beta, double quant_loss_weight, bool kmeans_init)
    : shape(s), beta_(beta), quant_loss_weight_(quant_loss_weight), kmeans_init_(kmeans_init),
      initialised_(static_cast<std::size_t>(s.levels), !kmeans_init) {
  std::vector<std::int64_t> dims = encoder_dims(s);
  encoder = register_module("encoder", Mlp(dims, 0.0));
  rq = register_module("rq", ResidualQuantizer(s.levels, s.codebook, s.e_dim));
  std::vector<std::int64_t> reversed(dims.rbegin(), dims.rend());
  decoder = register_module("decoder", Mlp(reversed, 0.0));
  reset_weights();
}

void RqvaeImpl::reset_weights() {
  torch::NoGradGuard no_grad;
  for (Mlp mlp : {encoder, decoder})
    for (auto& module : mlp->mlp_layers->children())
      if (auto* linear = module->as<torch::nn::Linear>()) {
        torch::nn::init::xavier_normal_(linear->weight);
        linear->bias.zero_();
      }
  for (std::size_t l = 0; l < rq->vq_layers->size(); ++l) {
    torch::Tensor w = rq->level(l)->embedding->weight;
    if (kmeans_init_)
      w.zero_();
    else
      w.uniform_(-1.0 / shape.codebook, 1.0 / shape.codebook);
  }
  initialised_.assign(initialised_.size(), !kmeans_init_);
}

Quantized RqvaeImpl::quantize(const torch::Tensor& z, const CodebookInit& init) {
  Quantized q;
  torch::Tensor residual = z;                       // (B, e_dim)
  torch::Tensor x_q = torch::zeros_like(z);
  std::vector<torch::Tensor> losses, indices;
  for (std::size_t l = 0; l < rq->vq_layers->size(); ++l) {
    torch::Tensor weight = rq->level(l)->embedding->weight;  // (K, e_dim)
    if (!initialised_[l] && is_training() && init) {
      torch::NoGradGuard no_grad;
      weight.copy_(init(l, residual.detach()));
      initialised_[l] = true;
    }
    q.level_inputs.push_back(residual);
    torch::Tensor distances = residual.pow(2).sum(1, true) + weight.pow(2).sum(1, true).t() -
                              2 * torch::matmul(residual, weight.t());  // (B, K)
    torch::Tensor idx = distances.argmin(-1);                           // (B)
    torch::Tensor e = rq->level(l)->embedding->forward(idx);            // (B, e_dim)
    torch::Tensor commitment = torch::mse_loss(e.detach(), residual);
    torch::Tensor codebook = torch::mse_loss(e, residual.detach());
    losses.push_back(codebook + beta_ * commitment);
    torch::Tensor straight = residual + (e - residual).detach();
    residual = residual - straight;
    x_q = x_q + straight;
    indices.push_back(idx);
  }
  q.x_q = x_q;
  q.rq_loss = torch::stack(losses).mean();
  q.indices = torch::stack(indices, -1);
  return q;
}

Forward RqvaeImpl::forward(const torch::Tensor& x, const CodebookInit& init) {
  Forward f;
  torch::Tensor z = encoder->forward(x);
  f.q = quantize(z, init);
  f.out = decoder->forward(f.q.x_q);
  f.recon = torch::mse_loss(f.out, x);
  f.loss = f.recon + quant_loss_weight_ * f.q.rq_loss;
  return f;
}

std::pair<torch::Tensor, torch::Tensor> RqvaeImpl::encode(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  Quantized q = quantize(encoder->forward(x));
  return {q.indices, q.level_inputs.back()};
}

}  // namespace sidr::rqvae
