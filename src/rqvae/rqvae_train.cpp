#include "rqvae/rqvae_train.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "model/safetensors.h"
#include "rqvae/rqvae_model.h"
#include "sidgen/kmeans.h"
#include "train/updater.h"
#include "util/error.h"

namespace sidr::rqvae {
namespace {

[[noreturn]] void bad(const char* field, const std::string& message) {
  throw_input_error(Location{"", 0, 0, field}, message);
}

// Loads every parameter from a safetensors file: each name present, same shape, a float dtype; extra names fail.
void load_weights(Rqvae& model, const std::string& path) {
  std::map<std::string, torch::Tensor> file;
  for (auto& [name, tensor] : model::read_safetensors(path)) file[name] = tensor;
  torch::NoGradGuard no_grad;
  std::set<std::string> used;
  for (auto& item : model->named_parameters()) {
    auto it = file.find(item.key());
    if (it == file.end()) throw_input_error(Location{path, 0, 0, item.key()}, "tensor missing from the weights file");
    if (it->second.sizes() != item.value().sizes())
      throw_input_error(Location{path, 0, 0, item.key()},
                        fmt::format("shape {} but the model needs {}", fmt::join(it->second.sizes(), "x"),
                                    fmt::join(item.value().sizes(), "x")));
    if (!it->second.is_floating_point()) throw_input_error(Location{path, 0, 0, item.key()}, "not a float tensor");
    item.value().copy_(it->second.to(torch::kFloat32));
    used.insert(item.key());
  }
  for (auto& [name, tensor] : file)
    if (!used.count(name)) throw_input_error(Location{path, 0, 0, name}, "tensor the model does not have");
}

std::vector<std::pair<std::string, torch::Tensor>> snapshot(Rqvae& model) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (auto& item : model->named_parameters())
    out.emplace_back(item.key(), item.value().detach().to(torch::kCPU, torch::kFloat32).clone());
  return out;
}

void restore(Rqvae& model, const std::vector<std::pair<std::string, torch::Tensor>>& weights) {
  torch::NoGradGuard no_grad;
  auto params = model->named_parameters();
  for (const auto& [name, tensor] : weights) params[name].copy_(tensor);
}

// Codes (N, L) and last-level inputs (N, e_dim) of every item, in eval mode, in slices of `batch`.
std::pair<torch::Tensor, torch::Tensor> encode_all(Rqvae& model, const torch::Tensor& x, std::int64_t batch) {
  model->eval();
  std::vector<torch::Tensor> codes, last;
  for (std::int64_t start = 0; start < x.size(0); start += batch) {
    auto [c, r] = model->encode(x.slice(0, start, std::min(start + batch, x.size(0))));
    codes.push_back(c.cpu());
    last.push_back(r.cpu());
  }
  return {torch::cat(codes), torch::cat(last)};
}

double collision_rate(const torch::Tensor& codes) {
  std::set<std::vector<std::int64_t>> distinct;
  auto acc = codes.accessor<std::int64_t, 2>();
  for (std::int64_t i = 0; i < codes.size(0); ++i) {
    std::vector<std::int64_t> row(codes.size(1));
    for (std::int64_t l = 0; l < codes.size(1); ++l) row[l] = acc[i][l];
    distinct.insert(row);
  }
  return double(codes.size(0) - static_cast<std::int64_t>(distinct.size())) / double(codes.size(0));
}

double reconstruction_mse(Rqvae& model, const torch::Tensor& x, std::int64_t batch) {
  torch::NoGradGuard no_grad;
  model->eval();
  double sum = 0;
  for (std::int64_t start = 0; start < x.size(0); start += batch) {
    torch::Tensor part = x.slice(0, start, std::min(start + batch, x.size(0)));
    Forward f = model->forward(part);
    sum += (f.out - part).pow(2).sum().item<double>();
  }
  return sum / double(x.numel());
}

}  // namespace

std::vector<std::int64_t> parse_layer_list(const std::string& text, const char* field) {
  std::vector<std::int64_t> out;
  if (text.empty()) return out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    std::size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != part.size() || v < 1)
      bad(field, "expected comma-separated sizes >= 1 (e.g. 2048,1024,512), found '" + text + "'");
    out.push_back(v);
  }
  return out;
}

void RqvaeOptions::validate(std::size_t items, std::size_t dim) const {
  if (levels < 1 || levels > 26) bad("--levels", "expected 1..26 levels, found " + std::to_string(levels));
  if (codebook < 2) bad("--codebook", "expected at least 2 codes per level, found " + std::to_string(codebook));
  if (e_dim < 1) bad("--e-dim", "expected a latent size >= 1, found " + std::to_string(e_dim));
  for (std::int64_t h : hidden)
    if (h < 1) bad("--layers", "expected sizes >= 1");
  if (epochs < 1) bad("--epochs", "expected at least 1 epoch, found " + std::to_string(epochs));
  if (batch_size < 1) bad("--batch-size", "expected a batch of at least 1, found " + std::to_string(batch_size));
  if (!(lr > 0)) bad("--lr", "expected a learning rate > 0");
  if (!(weight_decay >= 0)) bad("--weight-decay", "expected a weight decay >= 0");
  if (warmup_epochs < 0) bad("--warmup-epochs", "expected >= 0, found " + std::to_string(warmup_epochs));
  if (eval_every < 1) bad("--eval-every", "expected >= 1, found " + std::to_string(eval_every));
  if (kmeans_iters < 1) bad("--kmeans-iters", "expected >= 1, found " + std::to_string(kmeans_iters));
  if (!(beta >= 0)) bad("--beta", "expected a commitment weight >= 0");
  if (!(quant_loss_weight >= 0)) bad("--quant-loss-weight", "expected a weight >= 0");
  if (items < static_cast<std::size_t>(codebook))
    bad("--codebook", fmt::format("needs at least as many items ({}) as codes per level ({})", items, codebook));
  if (kmeans_init && init_weights.empty() &&
      std::min<std::size_t>(items, static_cast<std::size_t>(batch_size)) < static_cast<std::size_t>(codebook))
    bad("--batch-size", fmt::format("k-means init runs on the first batch ({} items), which needs at least {} "
                                    "(the codebook size)",
                                    std::min<std::size_t>(items, batch_size), codebook));
  if (dim < 1) bad("--embeddings", "no columns");
  try {
    torch::Device parsed(device);
    if (parsed.is_cuda() && !torch::cuda::is_available()) bad("--device", "CUDA is not available in this build or machine");
    if (!parsed.is_cuda() && !parsed.is_cpu()) bad("--device", "expected cpu or cuda[:N], found '" + device + "'");
  } catch (const c10::Error&) {
    bad("--device", "expected cpu or cuda[:N], found '" + device + "'");
  }
}

RqvaeResult train_rqvae(const sidgen::Matrix& data, const RqvaeOptions& o) {
  o.validate(data.rows, data.cols);
  if (o.threads > 0) torch::set_num_threads(o.threads);
  torch::Device device(o.device);
  torch::manual_seed(o.seed);
  RqvaeShape shape{static_cast<std::int64_t>(data.cols), o.hidden, o.e_dim, o.levels, o.codebook};
  Rqvae model(shape, o.beta, o.quant_loss_weight, o.kmeans_init);
  if (!o.init_weights.empty()) {
    load_weights(model, o.init_weights);
    model->mark_initialised();
  }
  model->to(device);
  torch::Tensor x = torch::from_blob(const_cast<float*>(data.values.data()),
                                     {static_cast<std::int64_t>(data.rows), static_cast<std::int64_t>(data.cols)},
                                     torch::kFloat32)
                        .to(device, /*non_blocking=*/false, /*copy=*/true);  // (N, d)
  const std::int64_t n = x.size(0);
  const std::int64_t batches = (n + o.batch_size - 1) / o.batch_size;

  std::vector<torch::Tensor> parameters;
  for (auto& p : model->parameters()) parameters.push_back(p);
  train::UpdaterOptions uo;
  uo.optimizer.kind = train::OptimizerKind::AdamW;
  uo.optimizer.lr = o.lr;
  uo.optimizer.weight_decay = o.weight_decay;
  uo.max_grad_norm = o.max_grad_norm;
  uo.schedule = train::Schedule{train::ScheduleKind::Constant, o.lr, static_cast<std::int64_t>(o.warmup_epochs) * batches,
                                static_cast<std::int64_t>(o.epochs) * batches};
  train::Updater updater(parameters, uo);

  std::uint64_t kmeans_seed = sidgen::derive_seed(o.seed, 7);
  CodebookInit init = [&](std::size_t level, const torch::Tensor& residual) {
    torch::Tensor r = residual.to(torch::kCPU, torch::kFloat32).contiguous();
    sidgen::LloydOptions lo;
    lo.clusters = static_cast<std::size_t>(o.codebook);
    lo.max_iter = static_cast<std::size_t>(o.kmeans_iters);
    lo.seed = sidgen::derive_seed(kmeans_seed, level);
    sidgen::KmeansResult k = sidgen::lloyd_kmeans(r.data_ptr<float>(), static_cast<std::size_t>(r.size(0)),
                                                  static_cast<std::size_t>(r.size(1)), lo);
    return torch::from_blob(k.centers.data(), {o.codebook, o.e_dim}, torch::kFloat32).clone().to(residual.device());
  };

  std::ofstream trace;
  if (!o.trace.empty()) {
    trace.open(o.trace);
    if (!trace) throw_input_error(Location{o.trace, 0, 0, "--trace"}, "cannot write the trace file");
  }
  torch::Generator shuffle = at::detail::createCPUGenerator(o.seed);
  RqvaeResult result;
  std::vector<std::pair<std::string, torch::Tensor>> best;
  const int eval_every = std::min(o.eval_every, o.epochs);
  std::int64_t step = 0;
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    torch::Tensor order = batches > 1 ? torch::randperm(n, shuffle, torch::kLong).to(device)
                                      : torch::arange(n, torch::TensorOptions(torch::kLong).device(device));
    for (std::int64_t b = 0; b < batches; ++b) {
      model->train();
      torch::Tensor batch = x.index_select(0, order.slice(0, b * o.batch_size, std::min((b + 1) * o.batch_size, n)));
      double recon = 0, rq_loss = 0;
      train::Objective<torch::Tensor> objective{
          [](const torch::Tensor&) { return train::MicroBatchCounts{1.0, 1.0}; },
          [&](const torch::Tensor& mb) {
            Forward f = model->forward(mb, init);
            recon = f.recon.item<double>();
            rq_loss = f.q.rq_loss.item<double>();
            return f.loss;
          }};
      train::StepReport report = updater.step(std::vector<torch::Tensor>{batch}, objective, step);
      if (step == 0) result.initial_reconstruction_mse = recon;
      if (trace)
        trace << fmt::format("{{\"step\": {}, \"epoch\": {}, \"loss\": {:.9g}, \"recon\": {:.9g}, \"rq_loss\": {:.9g}, "
                             "\"lr\": {:.9g}, \"grad_norm\": {:.9g}}}\n",
                             step, epoch + 1, report.loss, recon, rq_loss, report.lr, report.grad_norm);
      ++step;
    }
    if ((epoch + 1) % eval_every == 0) {
      double rate = collision_rate(encode_all(model, x, 4096).first);
      if (rate < result.best_collision_rate || best.empty()) {
        result.best_collision_rate = rate;
        result.chosen_epoch = epoch + 1;
        if (o.best_collision) best = snapshot(model);
      }
    }
  }
  if (o.best_collision && !best.empty())
    restore(model, best);
  else
    result.chosen_epoch = o.epochs;
  auto [codes, last] = encode_all(model, x, 4096);
  result.codes.assign(codes.data_ptr<std::int64_t>(), codes.data_ptr<std::int64_t>() + codes.numel());
  last = last.to(torch::kFloat32).contiguous();
  result.last_inputs.assign(last.data_ptr<float>(), last.data_ptr<float>() + last.numel());
  for (int l = 0; l < o.levels; ++l) {
    torch::Tensor w = model->rq->level(l)->embedding->weight.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    result.codebooks.insert(result.codebooks.end(), w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  }
  result.reconstruction_mse = reconstruction_mse(model, x, 4096);
  result.weights = snapshot(model);
  return result;
}

void save_weights(const std::filesystem::path& path, const RqvaeResult& result) {
  model::write_safetensors(path, result.weights);
}

}  // namespace sidr::rqvae
