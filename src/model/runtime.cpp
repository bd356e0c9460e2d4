#include "model/runtime.h"

#include <dlfcn.h>

#include <thread>

#include "util/error.h"

namespace sidr::model {

torch::Device RuntimeOptions::torch_device() const {
  if (device == "cpu") return torch::kCPU;
  if (device.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      throw InputError("option '--device': " + device + " requested but this libtorch has no usable CUDA device");
    torch::Device parsed = torch::kCPU;
    try {
      parsed = torch::Device(device);
    } catch (const std::exception&) {
      throw InputError("option '--device': cannot parse '" + device + "' (expected cpu, cuda or cuda:N)");
    }
    const auto count = static_cast<int>(torch::cuda::device_count());
    if (parsed.has_index() && parsed.index() >= count)  // e.g. more local ranks than GPUs (rank r takes cuda:r)
      throw InputError("option '--device': " + device + " requested but this machine has " + std::to_string(count) +
                       " CUDA device(s)");
    return parsed;
  }
  throw InputError("option '--device': unknown device '" + device + "' (expected cpu, cuda or cuda:N)");
}

torch::Dtype RuntimeOptions::torch_dtype() const {
  if (dtype == "float32" || dtype == "fp32") return torch::kFloat32;
  if (dtype == "bfloat16" || dtype == "bf16") return torch::kBFloat16;
  if (dtype == "float16" || dtype == "fp16") return torch::kFloat16;
  throw InputError("option '--dtype': unknown dtype '" + dtype + "' (expected float32, bfloat16 or float16)");
}

void RuntimeOptions::validate() const {
  auto d = torch_device();
  auto t = torch_dtype();
  if (t == torch::kFloat16 && d.is_cpu()) throw InputError("option '--dtype': float16 is supported on CUDA only");
  if (threads < 0) throw InputError("option '--threads': must be 0 (all cores) or positive");
}

void RuntimeOptions::apply() const {
  int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  set_intra_op_threads(n);
}

void set_intra_op_threads(int threads) {
  at::set_num_threads(threads);
  using SetThreads = void (*)(int);  // a no-op when OpenBLAS is not the BLAS loaded
  if (auto* set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(threads);
}

}  // namespace sidr::model
