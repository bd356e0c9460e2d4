// Device, precision and thread settings shared by every command that runs a model.
#pragma once
#include <string>

#include <torch/torch.h>

namespace sidr::model {

struct RuntimeOptions {
  std::string device = "cpu";     // cpu | cuda | cuda:N (cuda only when libtorch has CUDA and a GPU is present)
  std::string dtype = "float32";  // float32 | bfloat16 | float16 (half precision: CUDA only)
  int threads = 0;                // intra-op threads on CPU; 0 = all cores

  void validate() const;  // InputError naming the option
  torch::Device torch_device() const;
  torch::Dtype torch_dtype() const;
  // Sets the intra-op thread count (at::set_num_threads).
  void apply() const;
};

}  // namespace sidr::model
