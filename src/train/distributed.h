// Data-parallel process group on PyTorch's c10d engine: Gloo on CPU, NCCL for ranks on GPUs (when libtorch has
// CUDA and the build found nccl.h: SIDR_USE_NCCL).
// Rendezvous through RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (what torchrun sets) over a TCPStore.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace sidr::train {

struct DistributedEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  bool on_gpu = false;  // the ranks' tensors live on CUDA devices (cuda:LOCAL_RANK): NCCL instead of Gloo

  // Reads RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT; absent WORLD_SIZE means one process.
  // InputError on malformed or inconsistent values.
  static DistributedEnv from_environment();
};

// One process of a data-parallel group. With world_size 1 every collective is a no-op.
class Distributed {
 public:
  explicit Distributed(const DistributedEnv& env, std::chrono::milliseconds timeout = std::chrono::minutes(10));
  ~Distributed();
  Distributed(const Distributed&) = delete;
  Distributed& operator=(const Distributed&) = delete;

  int rank() const { return env_.rank; }
  int world_size() const { return env_.world_size; }
  int local_rank() const { return env_.local_rank; }
  bool is_main() const { return env_.rank == 0; }
  const char* backend() const;

  // In-place sum over ranks of each tensor (contiguous, same shape on every rank).
  void all_reduce_sum(std::vector<torch::Tensor>& tensors);
  void all_reduce_sum(torch::Tensor& tensor);
  // Copies rank 0's tensors into every rank's (in place).
  void broadcast_from_main(std::vector<torch::Tensor>& tensors);
  void barrier();

 private:
  struct Impl;
  DistributedEnv env_;
  std::unique_ptr<Impl> impl_;
};

// Gradients flattened into a few contiguous buffers, so that all-reduce runs a few large collectives instead of
// one per parameter. Parameters' .grad become views into the buffers (autograd accumulates into them in place).
class GradientBuckets {
 public:
  // bucket_bytes: target size of one bucket (the last parameter of a bucket may overflow it).
  GradientBuckets(const std::vector<torch::Tensor>& parameters, std::int64_t bucket_bytes = 25 << 20);
  void zero();
  // Sum over ranks; call after the last backward of a step.
  void all_reduce_sum(Distributed& distributed);
  const std::vector<torch::Tensor>& buffers() const { return buffers_; }

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<torch::Tensor> buffers_;
  void attach();  // (re)binds every parameter's grad to its view
  std::vector<std::pair<std::size_t, std::int64_t>> place_;  // per parameter: bucket, offset
};

}  // namespace sidr::train
