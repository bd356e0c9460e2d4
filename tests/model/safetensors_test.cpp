#include "model/safetensors.h"

#include <fstream>

#include <gtest/gtest.h>

#include "model_test_util.h"
#include "util/error.h"

namespace sidr::model {
namespace {
namespace fs = std::filesystem;
using testing::ScratchDir;

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void write_bytes(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(s.data(), static_cast<std::streamsize>(s.size()));
}
// A file built by hand: header text + raw data bytes.
std::string make_file(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}
std::string error_of(const fs::path& p) {
  try {
    SafetensorsReader reader(p);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Safetensors, RoundTripKeepsDtypesShapesValuesAndMetadata) {
  ScratchDir dir("st_roundtrip");
  auto f32 = torch::randn({3, 5});
  auto bf16 = torch::randn({4}).to(torch::kBFloat16);
  auto f16 = torch::randn({2, 2, 2}).to(torch::kFloat16);
  auto i64 = torch::arange(7, torch::kInt64);
  auto empty = torch::zeros({0, 3});
  auto path = dir.path() / "t.safetensors";
  write_safetensors(path, {{"a.weight", f32}, {"b", bf16}, {"c", f16}, {"d", i64}, {"e", empty}},
                    {{"format", "pt"}, {"note", "x"}});
  SafetensorsReader reader(path);
  EXPECT_EQ(reader.names(), (std::vector<std::string>{"a.weight", "b", "c", "d", "e"}));
  EXPECT_EQ(reader.metadata().at("note"), "x");
  EXPECT_EQ(reader.info("b").dtype, "BF16");
  EXPECT_EQ(reader.info("c").dtype, "F16");
  EXPECT_TRUE(torch::equal(reader.load("a.weight"), f32));
  EXPECT_TRUE(torch::equal(reader.load("b"), bf16));
  EXPECT_TRUE(torch::equal(reader.load("c"), f16));
  EXPECT_TRUE(torch::equal(reader.load("d"), i64));
  EXPECT_EQ(reader.load("e").sizes(), empty.sizes());
  // The data section starts 8-byte aligned, as the reference writer does.
  auto bytes = read_bytes(path);
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<std::uint8_t>(bytes[i]);
  EXPECT_EQ((8 + n) % 8, 0u);
}

TEST(Safetensors, HandWrittenBf16BytesUpcastExactly) {
  ScratchDir dir("st_bf16");
  // bf16 is the high half of an fp32: 0x3F80 = 1.0, 0xC040 = -3.0, 0x3E20 = 0.15625, 0x7F80 = +inf.
  std::string data = {'\x80', '\x3f', '\x40', '\xc0', '\x20', '\x3e', '\x80', '\x7f'};
  auto path = dir.path() / "h.safetensors";
  write_bytes(path, make_file(R"({"x":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]}})", data));
  SafetensorsReader reader(path);
  auto x = reader.load("x").to(torch::kFloat32);
  EXPECT_EQ(x[0][0].item<float>(), 1.0f);
  EXPECT_EQ(x[0][1].item<float>(), -3.0f);
  EXPECT_EQ(x[1][0].item<float>(), 0.15625f);
  EXPECT_TRUE(std::isinf(x[1][1].item<float>()));
}

TEST(Safetensors, TruncatedFileNamesFileAndTensor) {
  ScratchDir dir("st_trunc");
  auto path = dir.path() / "t.safetensors";
  write_safetensors(path, {{"first", torch::ones({4})}, {"second", torch::ones({16})}});
  auto bytes = read_bytes(path);
  write_bytes(path, bytes.substr(0, bytes.size() - 10));
  auto message = error_of(path);
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find("'second'"), std::string::npos) << message;
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;

  write_bytes(path, bytes.substr(0, 5));  // shorter than the length prefix
  EXPECT_NE(error_of(path).find("truncated"), std::string::npos);
  write_bytes(path, bytes.substr(0, 20));  // header cut
  EXPECT_NE(error_of(path).find("header"), std::string::npos) << error_of(path);
}

TEST(Safetensors, InconsistentHeadersAreRejected) {
  ScratchDir dir("st_bad");
  auto path = dir.path() / "b.safetensors";
  std::string data(16, '\0');
  write_bytes(path, make_file(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}})", data));
  EXPECT_NE(error_of(path).find("'w'"), std::string::npos) << error_of(path);  // 12 bytes needed, 16 given
  write_bytes(path, make_file(R"({"w":{"dtype":"Q4","shape":[4],"data_offsets":[0,16]}})", data));
  EXPECT_NE(error_of(path).find("unsupported dtype"), std::string::npos) << error_of(path);
  write_bytes(path, make_file(
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
      data));
  EXPECT_NE(error_of(path).find("overlaps"), std::string::npos) << error_of(path);
  write_bytes(path, make_file(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", data));
  EXPECT_NE(error_of(path).find("'w'"), std::string::npos) << error_of(path);
  write_bytes(path, make_file(R"([1,2])", data));
  EXPECT_NE(error_of(path).find("not a JSON object"), std::string::npos) << error_of(path);
}

TEST(Safetensors, ShardedIndexIsFollowedStrictly) {
  ScratchDir dir("st_shards");
  write_safetensors(dir.path() / "model-00001-of-00002.safetensors", {{"a", torch::ones({2})}});
  write_safetensors(dir.path() / "model-00002-of-00002.safetensors", {{"b", torch::zeros({3})}});
  std::ofstream(dir.path() / "model.safetensors.index.json")
      << R"({"metadata":{"total_size":20},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})";
  WeightFiles files(dir.path());
  EXPECT_EQ(files.names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(torch::equal(files.view("b"), torch::zeros({3})));
  std::ofstream(dir.path() / "model.safetensors.index.json", std::ios::trunc)
      << R"({"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00001-of-00002.safetensors"}})";
  try {
    WeightFiles bad(dir.path());
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'b'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sidr::model
