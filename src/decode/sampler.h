// The one sampler every decoder is given (CTranslate2's make_sampler, llama.cpp's final sampler): greedy takes
// the best tokens, multinomial draws them from softmax(scores) with its own seeded generator. It draws on the
// scores' device (a generator for that device is made on first use), so only the chosen ids need to reach the
// host.
#pragma once
#include <cstdint>
#include <optional>

#include <torch/torch.h>

namespace sidr::decode {

class Sampler {
 public:
  static Sampler greedy() { return Sampler(false, 0); }
  static Sampler multinomial(std::uint64_t seed) { return Sampler(true, seed); }

  bool is_random() const { return random_; }
  // scores: (R, C) float32. Returns (R, count) int64 column indices on the scores' device: greedy, the `count`
  // best (sorted, best first); multinomial, `count` drawn without replacement from softmax(scores) in draw order
  // (count <= C).
  torch::Tensor draw(const torch::Tensor& scores, std::int64_t count = 1);

 private:
  Sampler(bool random, std::uint64_t seed) : random_(random), seed_(seed) {}
  torch::Generator& generator_for(torch::Device device);
  bool random_;
  std::uint64_t seed_;
  std::optional<torch::Generator> generator_;
};

}  // namespace sidr::decode
