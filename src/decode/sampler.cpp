#include "decode/sampler.h"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>

namespace sidr::decode {

torch::Generator& Sampler::generator_for(torch::Device device) {
  if (generator_ && generator_->device() == device) return *generator_;
  if (generator_) throw std::logic_error("Sampler: scores moved from " + generator_->device().str() + " to " + device.str());
  if (device.is_cpu()) {
    generator_ = at::make_generator<at::CPUGeneratorImpl>(seed_);
  } else {
    // A private copy of the device's default generator, reseeded: no CUDA header needed here.
    generator_ = at::globalContext().defaultGenerator(device).clone();
    generator_->set_current_seed(seed_);
  }
  return *generator_;
}

torch::Tensor Sampler::draw(const torch::Tensor& scores, std::int64_t count) {
  if (!random_) {
    // argmax for one token: the first of tied maxima, as greedy generation always took.
    if (count == 1) return scores.argmax(-1, /*keepdim=*/true);
    return std::get<1>(scores.topk(count, -1, /*largest=*/true, /*sorted=*/true));
  }
  auto probs = scores.softmax(-1);
  return torch::multinomial(probs, count, /*replacement=*/false, generator_for(scores.device()));
}

}  // namespace sidr::decode
