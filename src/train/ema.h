// Exponential moving average of the trained parameters (Polyak averaging). A small model on 36K rows sits in a
// narrow valley late in training; the average of the last few hundred steps generalises better than the last
// step, so validation, the best model and the final model use the averaged weights when it is on.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

#include <torch/torch.h>

namespace sidr::train {

class ParameterEma {
 public:
  // decay in (0, 1): the weight of the old average at each step (0.99 averages over about 100 steps).
  ParameterEma(std::vector<torch::Tensor> parameters, double decay);

  // After an optimizer step; `steps_done` counts steps including this one. The effective decay ramps up as
  // min(decay, (1 + n) / (10 + n)) so the first steps' weights do not linger in the average.
  void update(std::int64_t steps_done);
  // Exchanges the parameters' values with the average; a second call restores them.
  void swap();

  // ema.pt in a checkpoint directory; load checks the count and the shapes (InputError naming the file).
  void save(const std::filesystem::path& file) const;
  void load(const std::filesystem::path& file);

  const std::vector<torch::Tensor>& average() const { return average_; }

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<torch::Tensor> average_;
  double decay_;
};

}  // namespace sidr::train
