// `sidreasoner sid build`: item embeddings (.npy) -> Semantic IDs (index.json) and codebooks, with faiss
// RQ-KMeans, balanced RQ-KMeans (src/sidgen) or RQ-VAE on libtorch (src/rqvae); docs/prepare.md.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "rqvae/rqvae_train.h"
#include "sidgen/npy.h"
#include "sidgen/rq_balanced.h"
#include "sidgen/rq_kmeans.h"
#include "sidgen/sid_index.h"
#include "sidgen/sinkhorn.h"
#include "util/error.h"

namespace sidr::cli {
namespace {

struct SidBuildArgs {
  std::string method = "rqkmeans";
  std::string embeddings, out, dataset = "dataset", dedup = "auto";
  int levels = 3, codebook = 256;
  long long seed = -1;
  int threads = 0;
  bool pad_unique = false;
  // balanced RQ-KMeans
  std::string balance = "reference", cost = "euclidean";
  int max_iter = 100, n_init = 3;
  double tol = 1e-4;
  // Sinkhorn re-assignment
  double sk_epsilon = 0.003;
  int sk_iters = 50, sk_rounds = 20;
  // RQ-VAE
  rqvae::RqvaeOptions vae;
  std::string vae_layers = "2048,1024,512,256,128,64";
  bool no_kmeans_init = false, last_weights = false;
};

[[noreturn]] void bad(const char* field, const std::string& message) {
  throw_input_error(Location{"", 0, 0, field}, message);
}

// What every method hands to the index writer and the report.
struct Built {
  sidgen::ResidualCodes codes;      // codes, codebooks (embedding space, or latent space for rqvae)
  std::vector<float> last_inputs;   // items x codes.dim: the last level's input (for Sinkhorn re-assignment)
  std::string description;          // the method line
  std::string reconstruction;       // the reconstruction line
  std::function<void(const std::filesystem::path& dir)> write_extra;  // method-specific files
};

Built build_rqkmeans(const SidBuildArgs& a, const sidgen::Matrix& x) {
  int seed = a.seed < 0 ? 1234 : static_cast<int>(a.seed);
  sidgen::RqKmeansOptions o{static_cast<std::size_t>(a.levels), static_cast<std::size_t>(a.codebook), seed, a.threads};
  Built b;
  b.codes = sidgen::rq_kmeans(x, o);
  b.description = fmt::format("rqkmeans (faiss ResidualQuantizer, {} levels x {}, greedy, seed {})", a.levels,
                              a.codebook, seed);
  return b;
}

Built build_balanced(const SidBuildArgs& a, const sidgen::Matrix& x) {
  sidgen::RqBalancedOptions o;
  o.levels = static_cast<std::size_t>(a.levels);
  o.codebook = static_cast<std::size_t>(a.codebook);
  if (a.balance == "tight")
    o.balance = sidgen::Balance::kTight;
  else if (a.balance != "reference")
    bad("--balance", "expected reference or tight, found '" + a.balance + "'");
  if (a.cost == "squared")
    o.squared_cost = true;
  else if (a.cost != "euclidean")
    bad("--cost", "expected euclidean or squared, found '" + a.cost + "'");
  if (a.max_iter < 1) bad("--max-iter", "expected at least 1 iteration, found " + std::to_string(a.max_iter));
  if (a.n_init < 1) bad("--n-init", "expected at least 1 initialisation, found " + std::to_string(a.n_init));
  o.max_iter = static_cast<std::size_t>(a.max_iter);
  o.n_init = static_cast<std::size_t>(a.n_init);
  o.tol = a.tol;
  o.seed = a.seed < 0 ? 42 : static_cast<std::uint64_t>(a.seed);
  o.threads = a.threads;
  o.validate(x.rows);
  sidgen::SizeBounds bounds = sidgen::cluster_size_bounds(x.rows, o.codebook, o.balance);
  Built b;
  b.codes = sidgen::rq_balanced(x, o);
  b.description = fmt::format(
      "rqkmeans-balanced (constrained k-means, {} levels x {}, cluster sizes {}..{}, {} cost, {} inits x {} "
      "iterations at most, seed {})",
      a.levels, a.codebook, bounds.min, bounds.max, a.cost, a.n_init, a.max_iter, o.seed);
  return b;
}

Built build_rqvae(SidBuildArgs a, const sidgen::Matrix& x) {
  rqvae::RqvaeOptions& o = a.vae;
  o.levels = a.levels;
  o.codebook = a.codebook;
  o.hidden = rqvae::parse_layer_list(a.vae_layers, "--layers");
  o.kmeans_init = !a.no_kmeans_init;
  o.best_collision = !a.last_weights;
  o.seed = a.seed < 0 ? 2024 : static_cast<std::uint64_t>(a.seed);
  o.threads = a.threads;
  o.validate(x.rows, x.cols);
  rqvae::RqvaeResult r = rqvae::train_rqvae(x, o);
  Built b;
  b.codes.items = x.rows;
  b.codes.levels = static_cast<std::size_t>(a.levels);
  b.codes.codebook = static_cast<std::size_t>(a.codebook);
  b.codes.dim = static_cast<std::size_t>(o.e_dim);
  b.codes.codes = std::move(r.codes);
  b.codes.codebooks = std::move(r.codebooks);
  b.last_inputs = std::move(r.last_inputs);
  b.description = fmt::format("rqvae (MLP {}-{}-{}, {} levels x {}, {} epochs, batch {}, lr {}, seed {}, weights "
                              "of epoch {})",
                              x.cols, a.vae_layers, o.e_dim, a.levels, a.codebook, o.epochs, o.batch_size, o.lr, o.seed,
                              r.chosen_epoch);
  b.reconstruction = fmt::format("{:.6g} mean squared error per value (decoder output vs input; {:.6g} before training)",
                                 r.reconstruction_mse, r.initial_reconstruction_mse);
  auto result = std::make_shared<rqvae::RqvaeResult>(std::move(r));
  std::string dataset = a.dataset;
  b.write_extra = [result, dataset](const std::filesystem::path& dir) {
    rqvae::save_weights(dir / (dataset + ".rqvae.safetensors"), *result);
  };
  return b;
}

void run(const SidBuildArgs& args) {
  if (args.method != "rqkmeans" && args.method != "rqkmeans-balanced" && args.method != "rqvae")
    bad("--method", "expected rqkmeans, rqkmeans-balanced or rqvae, found '" + args.method + "'");
  if (args.levels < 1 || args.levels > 26) bad("--levels", "expected 1..26 levels, found " + std::to_string(args.levels));
  if (args.codebook < 2) bad("--codebook", "expected at least 2 codes per level, found " + std::to_string(args.codebook));
  std::string dedup = args.dedup;
  if (dedup == "auto")  // each method's reference rule
    dedup = args.method == "rqvae" ? "sinkhorn" : args.method == "rqkmeans-balanced" ? "extra-level" : "none";
  sidgen::SidIndexOptions index_options;
  if (dedup == "extra-level")
    index_options.dedup = sidgen::Dedup::kExtraLevel;
  else if (dedup != "none" && dedup != "sinkhorn")
    bad("--dedup", "expected auto, none, extra-level or sinkhorn, found '" + args.dedup + "'");
  index_options.pad_unique = args.pad_unique;
  index_options.offset = args.method == "rqkmeans-balanced" ? 1 : 0;  // §5.1: constrained RQ-KMeans writes 1-based
  sidgen::SinkhornOptions sk{args.sk_epsilon, static_cast<std::size_t>(std::max(0, args.sk_iters)),
                             static_cast<std::size_t>(std::max(0, args.sk_rounds))};
  if (dedup == "sinkhorn") sk.validate();

  sidgen::Matrix x = sidgen::read_npy(args.embeddings);
  auto started = std::chrono::steady_clock::now();
  Built built = args.method == "rqkmeans"            ? build_rqkmeans(args, x)
                : args.method == "rqkmeans-balanced" ? build_balanced(args, x)
                                                     : build_rqvae(args, x);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  sidgen::ResidualCodes& codes = built.codes;
  sidgen::SidIndexStats raw = sidgen::make_sid_index(codes.codes, codes.items, codes.levels, {}).stats;
  std::vector<std::int64_t> final_codes = codes.codes;
  sidgen::SinkhornDedupStats sk_stats;
  if (dedup == "sinkhorn") {
    if (built.last_inputs.empty()) built.last_inputs = sidgen::last_level_input(x, codes);
    sk_stats = sidgen::sinkhorn_dedup(final_codes, codes.items, codes.levels, built.last_inputs.data(),
                                      codes.codebooks.data() + (codes.levels - 1) * codes.codebook * codes.dim,
                                      codes.codebook, codes.dim, sk);
  }
  sidgen::SidIndex index = sidgen::make_sid_index(final_codes, codes.items, codes.levels, index_options);

  std::filesystem::create_directories(args.out);
  std::filesystem::path out(args.out);
  sidgen::write_npy_f32(out / (args.dataset + ".codebooks.npy"), {codes.levels, codes.codebook, codes.dim},
                        codes.codebooks.data());
  sidgen::write_npy_i64(out / (args.dataset + ".codes.npy"), {codes.items, codes.levels},
                        reinterpret_cast<const long long*>(codes.codes.data()));
  sidgen::write_index_json(out / (args.dataset + ".index.json"), index);
  if (built.write_extra) built.write_extra(out);

  const sidgen::SidIndexStats& s = index.stats;
  fmt::print("embeddings        {} x {} ({}{})\n", x.rows, x.cols, args.embeddings,
             x.non_finite ? fmt::format("; {} NaN/inf set to 0", x.non_finite) : "");
  fmt::print("method            {}\n", built.description);
  fmt::print("collisions        {:.4f} ({} items, {} distinct codes, {} collided groups, largest {})\n",
             raw.collision_rate_before(), raw.items, raw.distinct_before, raw.collided_groups, raw.largest_group);
  if (dedup == "extra-level")
    fmt::print("after dedup       {:.4f} ({} distinct SIDs; extra level)\n", s.collision_rate_after(), s.distinct_after);
  if (dedup == "sinkhorn")
    fmt::print("after dedup       {:.4f} ({} distinct SIDs, largest group {}; Sinkhorn on the last level: {} rounds, "
               "{} items changed)\n",
               s.collision_rate_after(), s.distinct_after, s.largest_group, sk_stats.rounds, sk_stats.changed_items);
  std::string used, share;
  for (std::size_t l = 0; l < s.used_per_level.size(); ++l) {
    used += (l ? "/" : "") + std::to_string(s.used_per_level[l]);
    if (l < codes.levels)
      share += fmt::format("{}{:.3f}", l ? "/" : "", double(s.used_per_level[l]) / double(codes.codebook));
  }
  fmt::print("tokens per level  {} (utilisation {})\n", used, share);
  if (built.reconstruction.empty())
    fmt::print("reconstruction    {:.6g} mean squared error per item ({:.4f} of the variance {:.6g})\n",
               codes.reconstruction_mse, codes.variance > 0 ? codes.reconstruction_mse / codes.variance : 0.0,
               codes.variance);
  else
    fmt::print("reconstruction    {}\n", built.reconstruction);
  fmt::print("trained in        {:.3f} s (training + encoding)\n", seconds);
  fmt::print("wrote             {}\n", (out / (args.dataset + ".index.json")).string());
}

void setup(CLI::App& root) {
  auto* sid = root.add_subcommand("sid", "Semantic-ID construction");
  sid->require_subcommand(1);
  auto args = std::make_shared<SidBuildArgs>();
  auto* build = sid->add_subcommand("build", "Embeddings (.npy) -> index.json + codebooks");
  build->add_option("--method", args->method,
                    "rqkmeans (faiss residual k-means), rqkmeans-balanced (constrained k-means per level, §5.4) or "
                    "rqvae (§5.2)")
      ->capture_default_str();
  build->add_option("--embeddings", args->embeddings, "N x d float32/float16 .npy, row i = item id i")->required();
  build->add_option("--levels", args->levels, "Code levels")->capture_default_str();
  build->add_option("--codebook", args->codebook, "Codes per level (rqkmeans: a power of two)")->capture_default_str();
  build->add_option("--dedup", args->dedup,
                    "auto (the method's reference rule: none / extra-level / sinkhorn), none, extra-level (§5.4: "
                    "rank within a colliding group) or sinkhorn (§5.2.4: re-assign the last level)")
      ->capture_default_str();
  build->add_flag("--pad-unique", args->pad_unique,
                  "With extra-level: give items with a unique code the extra token <x_0>, so every SID has one length");
  build->add_option("--seed", args->seed, "Seed (-1: the method's reference default: 1234, 42, 2024)")
      ->capture_default_str();
  build->add_option("--threads", args->threads, "OpenMP / torch threads (0: default)")->capture_default_str();
  build->add_option("--dataset", args->dataset, "Output file prefix")->capture_default_str();
  build->add_option("--out", args->out, "Output directory")->required();
  // balanced RQ-KMeans
  build->add_option("--balance", args->balance,
                    "rqkmeans-balanced cluster sizes: reference [max(1,N/K-1), N/K+1] or tight [floor, ceil of N/K]")
      ->capture_default_str();
  build->add_option("--cost", args->cost, "rqkmeans-balanced assignment cost: euclidean (as the reference) or squared")
      ->capture_default_str();
  build->add_option("--max-iter", args->max_iter, "rqkmeans-balanced: k-means iterations at most")->capture_default_str();
  build->add_option("--n-init", args->n_init, "rqkmeans-balanced: k-means++ starts per level")->capture_default_str();
  build->add_option("--tol", args->tol, "rqkmeans-balanced: centre-shift tolerance (times the mean variance)")
      ->capture_default_str();
  // Sinkhorn
  build->add_option("--sk-epsilon", args->sk_epsilon, "sinkhorn dedup: epsilon")->capture_default_str();
  build->add_option("--sk-iters", args->sk_iters, "sinkhorn dedup: Sinkhorn-Knopp iterations")->capture_default_str();
  build->add_option("--sk-rounds", args->sk_rounds, "sinkhorn dedup: re-assignment rounds at most")
      ->capture_default_str();
  // RQ-VAE
  rqvae::RqvaeOptions& v = args->vae;
  build->add_option("--layers", args->vae_layers, "rqvae: encoder hidden sizes (the decoder mirrors them)")
      ->capture_default_str();
  build->add_option("--e-dim", v.e_dim, "rqvae: latent size")->capture_default_str();
  build->add_option("--epochs", v.epochs, "rqvae: epochs")->capture_default_str();
  build->add_option("--batch-size", v.batch_size, "rqvae: items per step")->capture_default_str();
  build->add_option("--lr", v.lr, "rqvae: AdamW learning rate")->capture_default_str();
  build->add_option("--weight-decay", v.weight_decay, "rqvae: AdamW weight decay")->capture_default_str();
  build->add_option("--warmup-epochs", v.warmup_epochs, "rqvae: linear warm-up epochs")->capture_default_str();
  build->add_option("--eval-every", v.eval_every, "rqvae: epochs between collision-rate evaluations")
      ->capture_default_str();
  build->add_option("--beta", v.beta, "rqvae: commitment weight")->capture_default_str();
  build->add_option("--quant-loss-weight", v.quant_loss_weight, "rqvae: weight of the quantisation loss")
      ->capture_default_str();
  build->add_option("--kmeans-iters", v.kmeans_iters, "rqvae: k-means iterations of the codebook init")
      ->capture_default_str();
  build->add_flag("--no-kmeans-init", args->no_kmeans_init,
                  "rqvae: codebooks start uniform(-1/K, 1/K) instead of k-means on the first batch");
  build->add_flag("--last-weights", args->last_weights,
                  "rqvae: encode with the last weights, not those of the evaluation with the lowest collision rate");
  build->add_option("--init-weights", v.init_weights, "rqvae: start from these weights (.safetensors, the names "
                                                        "of the reference's state_dict)");
  build->add_option("--trace", v.trace, "rqvae: write one JSON line per step (loss, reconstruction, lr, grad norm)");
  build->add_option("--device", v.device, "rqvae: cpu or cuda[:N]")->capture_default_str();
  build->callback([args] { run(*args); });
}

}  // namespace
SIDR_COMMAND(12, setup);
}  // namespace sidr::cli
