// c10d's Gloo process group is compiled into libtorch_cpu; its header is guarded by USE_C10D_GLOO (Torch's CMake
// config defines it for Debian's build; defined here too for builds whose config does not).
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include "train/distributed.h"

#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Work.hpp>
// pip's CUDA wheels ship no gloo headers: such a build (SIDR_NO_GLOO, CMakeLists.txt) runs ranks on GPUs only.
#ifndef SIDR_NO_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef SIDR_USE_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "util/error.h"

namespace sidr::train {
namespace {

int env_int(const char* name, int fallback, int min_value, int max_value) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < min_value || value > max_value)
    throw InputError(fmt::format("environment variable {}='{}': expected an integer in [{}, {}]", name, text,
                                 min_value, max_value));
  return static_cast<int>(value);
}

}  // namespace

DistributedEnv DistributedEnv::from_environment() {
  DistributedEnv env;
  env.world_size = env_int("WORLD_SIZE", 1, 1, 1 << 16);
  env.rank = env_int("RANK", 0, 0, env.world_size - 1);
  env.local_rank = env_int("LOCAL_RANK", env.rank, 0, 1 << 16);
  if (const char* addr = std::getenv("MASTER_ADDR"); addr != nullptr && *addr != '\0') env.master_addr = addr;
  env.master_port = env_int("MASTER_PORT", 29500, 1, 65535);
  if (env.world_size > 1 && std::getenv("MASTER_PORT") == nullptr)
    throw InputError("WORLD_SIZE > 1 needs MASTER_PORT (and MASTER_ADDR for more than one machine)");
  return env;
}

// The concrete groups are kept by type: in libtorch 2.x they derive from c10d::Backend, in 1.13 from
// c10d::ProcessGroup; both have the same allreduce/broadcast/barrier signatures.
using WorkPtr = c10::intrusive_ptr<c10d::Work>;  // c10d::Work since libtorch 1.13

struct Distributed::Impl {
  c10::intrusive_ptr<c10d::Store> store;
#ifndef SIDR_NO_GLOO
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#endif
#ifdef SIDR_USE_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif
  const char* backend = "none";

  // Runs op(group) on whichever group is active; returns the Work handle.
  template <typename Op>
  WorkPtr run(Op op) {
#ifdef SIDR_USE_NCCL
    if (nccl) return op(*nccl);
#endif
#ifndef SIDR_NO_GLOO
    if (gloo) return op(*gloo);
#endif
    throw std::logic_error("Distributed: no process group");
  }
};

Distributed::Distributed(const DistributedEnv& env, std::chrono::milliseconds timeout)
    : env_(env), impl_(std::make_unique<Impl>()) {
  if (env_.world_size == 1) return;
#ifdef SIDR_USE_NCCL
  const bool use_nccl = env_.on_gpu && torch::cuda::is_available();
#else
  const bool use_nccl = false;
#endif
#ifdef SIDR_NO_GLOO
  if (!use_nccl)  // before the rendezvous: every rank fails alike, none waits for the others
    throw InputError(fmt::format("{} ranks on the CPU need Gloo, which this build lacks (libtorch without gloo "
                                 "headers): train on GPUs (--device cuda, NCCL) or in one process", env_.world_size));
#endif
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(env_.master_port);
  options.isServer = env_.rank == 0;
  options.numWorkers = static_cast<std::size_t>(env_.world_size);
  options.waitWorkers = true;
  options.timeout = timeout;
  auto tcp = c10::make_intrusive<c10d::TCPStore>(env_.master_addr, options);
  impl_->store = c10::make_intrusive<c10d::PrefixStore>("sidr", tcp);
  if (use_nccl) {
#ifdef SIDR_USE_NCCL
    // NCCL binds each rank to the current device: this rank's GPU (LOCAL_RANK), as the trainer places its model.
    c10::cuda::set_device(static_cast<c10::DeviceIndex>(env_.local_rank % torch::cuda::device_count()));
    auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
    impl_->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl_->store, env_.rank, env_.world_size, nccl_options);
    impl_->backend = "nccl";
#endif
    return;
  }
#ifndef SIDR_NO_GLOO
  auto gloo_options = c10d::ProcessGroupGloo::Options::create();
  gloo_options->timeout = timeout;
  // Loopback for a single machine; the hostname otherwise (what torch.distributed does by default).
  bool local = env_.master_addr == "127.0.0.1" || env_.master_addr == "localhost";
  gloo_options->devices.push_back(local ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                        : c10d::ProcessGroupGloo::createDefaultDevice());
  impl_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, env_.rank, env_.world_size, gloo_options);
  impl_->backend = "gloo";
#endif
}

Distributed::~Distributed() = default;

const char* Distributed::backend() const { return impl_->backend; }

void Distributed::all_reduce_sum(std::vector<torch::Tensor>& tensors) {
  if (env_.world_size == 1) return;
  // One collective per tensor, all in flight together; Gloo runs them on its own threads.
  // NCCL reduces device tensors only: small host tensors (counts, losses) make a round trip through the GPU.
  const bool nccl = std::string(impl_->backend) == "nccl";
  std::vector<torch::Tensor> staged;
  for (auto& tensor : tensors)
    staged.push_back(nccl && !tensor.is_cuda() ? tensor.to(torch::Device(torch::kCUDA, env_.local_rank)) : tensor);
  std::vector<WorkPtr> works;
  for (auto& tensor : staged) {
    std::vector<torch::Tensor> one{tensor};
    works.push_back(impl_->run([&](auto& group) { return group.allreduce(one); }));
  }
  for (auto& work : works) work->wait();
  for (std::size_t i = 0; i < tensors.size(); ++i)
    if (!staged[i].is_same(tensors[i])) tensors[i].copy_(staged[i]);
}

void Distributed::all_reduce_sum(torch::Tensor& tensor) {
  std::vector<torch::Tensor> one{tensor};
  all_reduce_sum(one);
}

void Distributed::broadcast_from_main(std::vector<torch::Tensor>& tensors) {
  if (env_.world_size == 1) return;
  for (auto& tensor : tensors) {
    std::vector<torch::Tensor> one{tensor};
    impl_->run([&](auto& g) { return g.broadcast(one); })->wait();  // parameters: on the device already
  }
}

void Distributed::barrier() {
  if (env_.world_size == 1) return;
  impl_->run([](auto& g) { return g.barrier(); })->wait();
}

GradientBuckets::GradientBuckets(const std::vector<torch::Tensor>& parameters, std::int64_t bucket_bytes) {
  std::vector<std::int64_t> sizes;
  torch::TensorOptions options;
  for (const auto& parameter : parameters) {
    if (!parameter.requires_grad()) continue;
    if (sizes.empty()) options = parameter.options();
    TORCH_CHECK(parameter.scalar_type() == options.dtype().toScalarType() && parameter.device() == options.device(),
                "GradientBuckets: every parameter must share one dtype and device");
    if (sizes.empty() || sizes.back() * static_cast<std::int64_t>(parameter.element_size()) >= bucket_bytes)
      sizes.push_back(0);
    place_.emplace_back(sizes.size() - 1, sizes.back());
    sizes.back() += parameter.numel();
    parameters_.push_back(parameter);
  }
  for (auto size : sizes) buffers_.push_back(torch::zeros({size}, options.requires_grad(false)));
  attach();
}

void GradientBuckets::attach() {
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    auto [bucket, offset] = place_[i];
    auto& parameter = parameters_[i];
    parameter.mutable_grad() = buffers_[bucket].narrow(0, offset, parameter.numel()).view(parameter.sizes());
  }
}

void GradientBuckets::zero() {
  for (auto& buffer : buffers_) buffer.zero_();
  // Something (an optimizer's zero_grad with set_to_none) may have dropped a grad: bind the views again.
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const auto& grad = parameters_[i].grad();
    const auto& buffer = buffers_[place_[i].first];
    auto* expected = static_cast<char*>(buffer.data_ptr()) + place_[i].second * buffer.element_size();
    if (!grad.defined() || grad.data_ptr() != expected) {
      attach();
      break;
    }
  }
}

void GradientBuckets::all_reduce_sum(Distributed& distributed) { distributed.all_reduce_sum(buffers_); }

}  // namespace sidr::train
