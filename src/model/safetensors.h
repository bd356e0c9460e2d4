// safetensors files (https://github.com/huggingface/safetensors): 8-byte little-endian header length N, N bytes
// of JSON {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}, then
// the raw little-endian tensor bytes (offsets relative to the end of the header). Also the sharded layout:
// model.safetensors.index.json {"metadata": {..}, "weight_map": {"name": "model-00001-of-00002.safetensors"}}.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

namespace sidr::model {

struct TensorInfo {
  std::string dtype;  // F32, BF16, F16, F64, I64, I32, I16, I8, U8, BOOL
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0, end = 0;  // byte range in the data section
};

// A memory-mapped safetensors file whose header has been fully validated (every tensor's byte range matches
// its dtype and shape, lies inside the file and does not overlap another). Errors name the file and tensor.
class SafetensorsReader {
 public:
  explicit SafetensorsReader(const std::filesystem::path& path);
  ~SafetensorsReader();
  SafetensorsReader(const SafetensorsReader&) = delete;
  SafetensorsReader& operator=(const SafetensorsReader&) = delete;

  const std::filesystem::path& path() const { return path_; }
  const std::vector<std::string>& names() const { return names_; }  // header order
  bool contains(const std::string& name) const { return infos_.count(name) > 0; }
  const TensorInfo& info(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // A CPU tensor viewing the mapped bytes (stored dtype); valid only while this reader lives.
  torch::Tensor view(const std::string& name) const;
  // An owning copy (stored dtype, CPU).
  torch::Tensor load(const std::string& name) const { return view(name).clone(); }

 private:
  std::filesystem::path path_;
  void* map_ = nullptr;
  std::size_t size_ = 0;
  const std::uint8_t* data_ = nullptr;  // start of the data section
  std::vector<std::string> names_;
  std::map<std::string, TensorInfo> infos_;
  std::map<std::string, std::string> metadata_;
};

// Writes tensors (any device; written contiguous from CPU in their dtype: F32, BF16, F16, F64, I64, I32, U8, BOOL)
// atomically: to path.tmp.<pid>, then renamed. Names must be unique.
void write_safetensors(const std::filesystem::path& path,
                       const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

// Every tensor of one file, owning copies in stored dtype, in header order.
std::vector<std::pair<std::string, torch::Tensor>> read_safetensors(const std::filesystem::path& path);

// The weights of a checkpoint directory: model.safetensors, or the shards listed by
// model.safetensors.index.json. Keeps the readers open so tensors can be viewed without copies.
class WeightFiles {
 public:
  explicit WeightFiles(const std::filesystem::path& dir);
  std::vector<std::string> names() const;  // sorted
  bool contains(const std::string& name) const { return owner_.count(name) > 0; }
  const TensorInfo& info(const std::string& name) const;
  torch::Tensor view(const std::string& name) const;
  std::string file_of(const std::string& name) const;

 private:
  std::vector<std::unique_ptr<SafetensorsReader>> readers_;
  std::map<std::string, std::size_t> owner_;  // tensor name -> index in readers_
};

// "F32" <-> torch dtype; InputError on an unknown name.
torch::Dtype safetensors_dtype(const std::string& name, const std::string& where);
std::string safetensors_dtype_name(torch::Dtype dtype);

}  // namespace sidr::model
