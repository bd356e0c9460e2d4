// `sidreasoner sid build`: item embeddings (.npy) -> Semantic IDs (index.json) and codebooks, with faiss
// RQ-KMeans (src/sidgen, docs/prepare.md).
#include <chrono>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "sidgen/npy.h"
#include "sidgen/rq_kmeans.h"
#include "sidgen/sid_index.h"
#include "util/error.h"

namespace sidr::cli {
namespace {

struct SidBuildArgs {
  std::string method = "rqkmeans";
  std::string embeddings, out, dataset = "dataset", dedup = "none";
  std::size_t levels = 3, codebook = 256;
  int seed = 1234, threads = 0;
  bool pad_unique = false;
};

void run(const SidBuildArgs& args) {
  if (args.method != "rqkmeans")
    throw_input_error(Location{"", 0, 0, "--method"},
                      "only rqkmeans is built so far (rqkmeans-balanced and rqvae are not), found '" + args.method + "'");
  sidgen::SidIndexOptions index_options;
  if (args.dedup == "extra-level")
    index_options.dedup = sidgen::Dedup::kExtraLevel;
  else if (args.dedup != "none")
    throw_input_error(Location{"", 0, 0, "--dedup"}, "expected none or extra-level, found '" + args.dedup + "'");
  index_options.pad_unique = args.pad_unique;
  sidgen::Matrix x = sidgen::read_npy(args.embeddings);
  sidgen::RqKmeansOptions options{args.levels, args.codebook, args.seed, args.threads};
  auto started = std::chrono::steady_clock::now();
  sidgen::ResidualCodes codes = sidgen::rq_kmeans(x, options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  sidgen::SidIndex index = sidgen::make_sid_index(codes.codes, codes.items, codes.levels, index_options);

  std::filesystem::create_directories(args.out);
  std::filesystem::path out(args.out);
  sidgen::write_npy_f32(out / (args.dataset + ".codebooks.npy"), {codes.levels, codes.codebook, codes.dim},
                        codes.codebooks.data());
  sidgen::write_npy_i64(out / (args.dataset + ".codes.npy"), {codes.items, codes.levels},
                        reinterpret_cast<const long long*>(codes.codes.data()));
  sidgen::write_index_json(out / (args.dataset + ".index.json"), index);

  const sidgen::SidIndexStats& s = index.stats;
  fmt::print("embeddings        {} x {} ({}{})\n", x.rows, x.cols, args.embeddings,
             x.non_finite ? fmt::format("; {} NaN/inf set to 0", x.non_finite) : "");
  fmt::print("method            rqkmeans (faiss ResidualQuantizer, {} levels x {}, greedy, seed {})\n", codes.levels,
             codes.codebook, args.seed);
  fmt::print("collisions        {:.4f} ({} items, {} distinct codes, {} collided groups, largest {})\n",
             s.collision_rate_before(), s.items, s.distinct_before, s.collided_groups, s.largest_group);
  if (index_options.dedup == sidgen::Dedup::kExtraLevel)
    fmt::print("after dedup       {:.4f} ({} distinct SIDs)\n", s.collision_rate_after(), s.distinct_after);
  std::string used, share;
  for (std::size_t l = 0; l < s.used_per_level.size(); ++l) {
    used += (l ? "/" : "") + std::to_string(s.used_per_level[l]);
    if (l < codes.levels)
      share += fmt::format("{}{:.3f}", l ? "/" : "", double(s.used_per_level[l]) / double(codes.codebook));
  }
  fmt::print("tokens per level  {} (utilisation {})\n", used, share);
  fmt::print("reconstruction    {:.6g} mean squared error per item ({:.4f} of the variance {:.6g})\n",
             codes.reconstruction_mse, codes.variance > 0 ? codes.reconstruction_mse / codes.variance : 0.0,
             codes.variance);
  fmt::print("trained in        {:.3f} s (training + encoding)\n", seconds);
  fmt::print("wrote             {}\n", (out / (args.dataset + ".index.json")).string());
}

void setup(CLI::App& root) {
  auto* sid = root.add_subcommand("sid", "Semantic-ID construction");
  sid->require_subcommand(1);
  auto args = std::make_shared<SidBuildArgs>();
  auto* build = sid->add_subcommand("build", "Embeddings (.npy) -> index.json + codebooks");
  build->add_option("--method", args->method, "rqkmeans (faiss residual k-means)")->capture_default_str();
  build->add_option("--embeddings", args->embeddings, "N x d float32/float16 .npy, row i = item id i")->required();
  build->add_option("--levels", args->levels, "Code levels")->capture_default_str();
  build->add_option("--codebook", args->codebook, "Codes per level (a power of two)")->capture_default_str();
  build->add_option("--dedup", args->dedup, "none, or extra-level (reference §5.4: rank within a colliding group)")
      ->capture_default_str();
  build->add_flag("--pad-unique", args->pad_unique,
                  "With extra-level: give items with a unique code the extra token <x_0>, so every SID has one length");
  build->add_option("--seed", args->seed, "k-means seed (faiss's default 1234)")->capture_default_str();
  build->add_option("--threads", args->threads, "OpenMP threads (0: default)")->capture_default_str();
  build->add_option("--dataset", args->dataset, "Output file prefix")->capture_default_str();
  build->add_option("--out", args->out, "Output directory")->required();
  build->callback([args] { run(*args); });
}

}  // namespace
SIDR_COMMAND(12, setup);
}  // namespace sidr::cli
