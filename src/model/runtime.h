// Device, precision and thread settings shared by every command that runs a model.
#pragma once
#include <string>

#include <torch/torch.h>

#include "util/option_fields.h"

namespace sidr::model {

struct RuntimeOptions {
  std::string device = "cpu";     // cpu | cuda | cuda:N (cuda only when libtorch has CUDA and a GPU is present)
  std::string dtype = "float32";  // float32 | bfloat16 | float16 (half precision: CUDA only)
  int threads = 0;                // intra-op threads on CPU; 0 = all cores

  void validate() const;  // InputError naming the option
  torch::Device torch_device() const;
  torch::Dtype torch_dtype() const;
  // Sets the intra-op thread count (set_intra_op_threads).
  void apply() const;

  // The runtime group: --device, --dtype, --threads (cli/model_options.h).
  template <class Self, class Visit>
  static void fields(Self& o, Visit&& visit) {
    visit(opts::Field{"device", "cpu, cuda or cuda:N"}, o.device);
    visit(opts::Field{"dtype", "float32, bfloat16 or float16 (CUDA)"}, o.dtype);
    visit(opts::Field{"threads", "CPU intra-op threads; 0 = all cores"}, o.threads);
  }
};

// at::set_num_threads, and the same bound on OpenBLAS's own thread pool: Debian's libtorch reaches BLAS through
// OpenBLAS, whose pool ignores at::set_num_threads and spins (sched_yield) on the other cores, so two
// data-parallel ranks of one thread each would otherwise run four BLAS threads on two cores.
void set_intra_op_threads(int threads);

}  // namespace sidr::model
