// The LibTorch-free weight reader on archives written by the trainer's own code
// (experts::save_model, torch::serialize::OutputArchive): every tensor bit for bit,
// strided and int64 tensors, and every broken file refused with an InputError that
// names it — truncated, corrupt (CRC), compressed entries, unknown pickle opcodes,
// missing tensors.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "experts/experts.h"
#include "tests/support/testing.h"

namespace {
namespace experts = parla::experts;
namespace fs = std::filesystem;

experts::MotionModel small_model() {
  experts::ModelConfig c;
  c.encoder_channels = 16, c.d_model = 16, c.layers = 2, c.heads = 2, c.mlp_hidden = 24,
  c.max_frames = 20;
  torch::manual_seed(4);
  experts::MotionModel model(c);
  torch::NoGradGuard no_grad;
  for (auto& p : model->parameters()) p.normal_(0, 0.1);
  return model;
}

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_bytes(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
}
std::uint32_t le32(const std::uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (std::uint32_t(p[3]) << 24);
}
void put32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t crc32(const std::uint8_t* p, std::size_t n) {
  std::uint32_t crc = 0xffffffffu;
  for (std::size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int b = 0; b < 8; ++b) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// An entry of a ZIP held in memory: its central-directory record and its data.
struct ZipEntry {
  std::size_t directory = 0, data = 0, size = 0;
};
ZipEntry find_entry(const std::vector<std::uint8_t>& zip, const std::string& suffix) {
  for (std::size_t i = 0; i + 46 < zip.size(); ++i) {
    if (le32(&zip[i]) != 0x02014b50) continue;
    const std::size_t name_length = zip[i + 28] | (zip[i + 29] << 8);
    std::string name(reinterpret_cast<const char*>(&zip[i + 46]), name_length);
    if (name.size() < suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::size_t local = le32(&zip[i + 42]);
    const std::size_t data = local + 30 + (zip[local + 26] | (zip[local + 27] << 8)) +
                             (zip[local + 28] | (zip[local + 29] << 8));
    return {i, data, le32(&zip[i + 24])};
  }
  ADD_FAILURE() << "no entry " << suffix;
  return {};
}

void expect_input_error(const fs::path& path, const std::string& detail) {
  try {
    experts::read_tensor_file(path);
    FAIL() << "expected InputError for " << detail;
  } catch (const parla::InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path.filename().string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(detail), std::string::npos) << e.what();
  }
}

class WeightsFile : public ::testing::Test {
 protected:
  void SetUp() override { experts::save_model(model_, dir_ / "small.pt"); }
  fs::path path() const { return dir_ / "small.pt"; }
  parla::testing::ScratchDir dir_;
  experts::MotionModel model_ = small_model();
};

TEST_F(WeightsFile, ReadsEveryParameterAndBufferBitForBit) {
  experts::TensorMap tensors = experts::read_tensor_file(path());
  std::size_t expected = 0;
  auto check = [&](const std::string& name, const torch::Tensor& t) {
    ++expected;
    ASSERT_TRUE(tensors.count(name)) << name;
    const experts::TensorData& d = tensors.at(name);
    EXPECT_EQ(d.shape, t.sizes().vec()) << name;
    torch::Tensor c = t.contiguous();
    if (t.scalar_type() == torch::kInt64) {
      ASSERT_EQ(d.dtype, experts::TensorData::DType::Int64);
      EXPECT_EQ(0, std::memcmp(d.ints.data(), c.data_ptr<std::int64_t>(), 8 * c.numel())) << name;
    } else {
      ASSERT_EQ(d.dtype, experts::TensorData::DType::Float32);
      EXPECT_EQ(0, std::memcmp(d.floats.data(), c.data_ptr<float>(), 4 * c.numel())) << name;
    }
  };
  for (const auto& p : model_->named_parameters()) check(p.key(), p.value());
  for (const auto& b : model_->named_buffers()) check(b.key(), b.value());
  EXPECT_EQ(tensors.size(), expected);
  EXPECT_EQ(tensors.at("config").ints, (std::vector<std::int64_t>{16, 16, 2, 2, 24, 20}));
}

TEST_F(WeightsFile, ReadsStridedViewsAndAnyTensorNames) {
  // How a LoRA set could be saved (#11): plain named tensors, some of them views.
  torch::Tensor base = torch::arange(24, torch::kFloat32).reshape({4, 6});
  torch::serialize::OutputArchive archive;
  archive.write("blocks.0.attn_qkv.a", base.t(), /*is_buffer=*/true);          // stride [1, 6]
  archive.write("blocks.0.attn_qkv.b", base.slice(1, 2, 5), /*is_buffer=*/true);  // offset 2
  archive.write("steps", torch::tensor({int64_t{-3}, int64_t{1} << 40}), /*is_buffer=*/true);
  archive.save_to((dir_ / "lora.pt").string());
  experts::TensorMap t = experts::read_tensor_file(dir_ / "lora.pt");
  ASSERT_EQ(t.size(), 3u);
  const auto& a = t.at("blocks.0.attn_qkv.a");
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{6, 4}));
  EXPECT_EQ(a.floats[1], 6.f);  // a[0][1] = base[1][0]
  EXPECT_EQ(a.floats[5], 7.f);  // a[1][1] = base[1][1]
  const auto& b = t.at("blocks.0.attn_qkv.b");
  EXPECT_EQ(b.shape, (std::vector<std::int64_t>{4, 3}));
  EXPECT_EQ(b.floats, (std::vector<float>{2, 3, 4, 8, 9, 10, 14, 15, 16, 20, 21, 22}));
  EXPECT_EQ(t.at("steps").ints, (std::vector<std::int64_t>{-3, int64_t{1} << 40}));
}

TEST_F(WeightsFile, TruncatedFileIsRefused) {
  std::vector<std::uint8_t> bytes = read_bytes(path());
  bytes.resize(bytes.size() / 2);
  write_bytes(dir_ / "truncated.pt", bytes);
  expect_input_error(dir_ / "truncated.pt", "not a ZIP archive");
  write_bytes(dir_ / "empty.pt", {});
  expect_input_error(dir_ / "empty.pt", "not a ZIP archive");
  parla::write_text_file(dir_ / "text.pt", "not a weight file");
  expect_input_error(dir_ / "text.pt", "not a ZIP archive");
  expect_input_error(dir_ / "missing.pt", "missing.pt");
}

TEST_F(WeightsFile, CorruptStorageFailsItsCrc) {
  std::vector<std::uint8_t> bytes = read_bytes(path());
  ZipEntry e = find_entry(bytes, "/data/5");
  bytes[e.data + e.size / 2] ^= 0x40;
  write_bytes(dir_ / "corrupt.pt", bytes);
  expect_input_error(dir_ / "corrupt.pt", "CRC mismatch");
}

TEST_F(WeightsFile, CompressedEntryIsRefused) {
  std::vector<std::uint8_t> bytes = read_bytes(path());
  ZipEntry e = find_entry(bytes, "/data.pkl");
  bytes[e.directory + 10] = 8;  // method: deflate
  write_bytes(dir_ / "deflated.pt", bytes);
  expect_input_error(dir_ / "deflated.pt", "is compressed (method 8)");
}

TEST_F(WeightsFile, UnknownPickleOpcodeIsRefused) {
  std::vector<std::uint8_t> bytes = read_bytes(path());
  ZipEntry e = find_entry(bytes, "/data.pkl");
  ASSERT_EQ(bytes[e.data], 0x80);  // PROTO 2, then the first real opcode
  bytes[e.data + 2] = 0xff;
  put32(&bytes[e.directory + 16], crc32(&bytes[e.data], e.size));  // a valid CRC again
  write_bytes(dir_ / "opcode.pt", bytes);
  expect_input_error(dir_ / "opcode.pt", "unsupported pickle opcode 0xff at byte 2");
}

TEST_F(WeightsFile, MissingTensorIsNamed) {
  torch::serialize::OutputArchive archive;
  archive.write("config", torch::tensor(std::vector<int64_t>{16, 16, 2, 2, 24, 20}), /*is_buffer=*/true);
  archive.write("feature_mean", torch::zeros({experts::kFeatureDims}), /*is_buffer=*/true);
  archive.save_to((dir_ / "partial.pt").string());
  try {
    experts::PlainModel model(dir_ / "partial.pt");
    FAIL() << "expected InputError";
  } catch (const parla::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("partial.pt"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("has no tensor 'feature_std'"), std::string::npos)
        << e.what();
  }
  // A tensor of the wrong shape is named too.
  experts::TensorMap tensors = experts::read_tensor_file(path());
  tensors.at("denoiser.position").shape = {3, 3};
  EXPECT_THROW(experts::PlainModel(tensors, "'x.pt'"), parla::InputError);
}

}  // namespace
