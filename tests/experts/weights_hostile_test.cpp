// Weight files no trainer writes, as fuzz/fuzz_weights.cpp found them (docs/limits.md
// "Fuzzing"): each is refused with an InputError whose message names the file and is one
// short printable line, and nothing crashes, leaks or allocates without bound.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>

#include "experts/runtime.h"
#include "tests/experts/zip_builder.h"
#include "tests/support/testing.h"

namespace {
namespace experts = parla::experts;
namespace fs = std::filesystem;
namespace pickle = parla::testing::pickle;
using parla::testing::weight_file;
using namespace std::string_literals;

class WeightsHostile : public ::testing::Test {
 protected:
  fs::path write(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  // Both loaders refuse `path` with one printable line naming it and containing `detail`.
  void expect_refused(const fs::path& path, const std::string& detail) {
    for (int loader = 0; loader < 2; ++loader) {
      try {
        if (loader == 0) {
          experts::read_tensor_file(path);
        } else {
          experts::PlainModel model(path);
        }
        ADD_FAILURE() << "expected InputError from loader " << loader << " for " << path;
      } catch (const parla::InputError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(path.filename().string()), std::string::npos) << message;
        EXPECT_NE(message.find(detail), std::string::npos) << message;
        EXPECT_LE(message.size(), 300u) << message;
        for (unsigned char c : message) {
          ASSERT_TRUE(c >= 0x20 && c < 0x7f) << "raw byte " << int(c) << " in: " << message;
        }
      }
    }
  }
  parla::testing::ScratchDir dir_;
};

std::vector<std::uint8_t> floats(int count) { return std::vector<std::uint8_t>(4 * count, 0); }

// The file's own text (class, storage and tensor names) used to be copied into the
// message whole: control bytes, invalid UTF-8 and any length.
TEST_F(WeightsHostile, TextFromTheFileIsEscapedAndShortInMessages) {
  const std::string junk = std::string("torch\x01\xff\x1b[31m") + std::string(5000, 'A');
  expect_refused(write("call.pt", weight_file("\x80\x02" "c" + junk + "\nname\n)R.", {})),
                 "unsupported pickle call torch\\x01\\xFF\\x1B[31mAAA");
  const std::string storage_type =
      "\x80\x02" + pickle::tuple({pickle::text("storage"), "ctorch\n\xfe\x02Storage\n", pickle::text("0"),
                                  pickle::text("cpu"), pickle::integer(4)}) + "Q.";
  expect_refused(write("storage.pt", weight_file(storage_type, {floats(4)})),
                 "unsupported storage type torch \\xFE\\x02Storage");
  // A tensor name with control bytes whose storage entry is missing.
  const std::string missing = pickle::dict(
      {{std::string("w\n\x7f") + std::string(500, 'n'), pickle::tensor("9\x01", "FloatStorage", 4, 0, {4}, {1})}});
  expect_refused(write("entry.pt", weight_file(missing, {floats(4)})), "missing entry 'archive/data/9\\x01'");
}

// The pickle's memo lets a container hold itself: flattening it recursed until the
// stack overflowed, and the shared_ptr cycle leaked. Deep nesting overflowed the stack
// on destruction alone; sharing one list at every level made 2^59 paths to walk.
TEST_F(WeightsHostile, SelfHoldingDeepAndExponentialContainersAreRefused) {
  expect_refused(write("cycle.pt", weight_file("\x80\x02]q"s + '\0' + 'h' + '\0' + "a.", {})),
                 "a container that holds itself");
  std::string deep = "\x80\x02" + std::string(20000, ']') + std::string(19999, 'a') + ".";
  expect_refused(write("deep.pt", weight_file(deep, {})), "nested deeper than 64 levels");
  // t1 = (l0, l0), t_i = (t_i-1, t_i-1): each level doubles the paths to its leaves.
  std::string shared = "\x80\x02]q"s + '\0' + 'h' + '\0' + "\x86q\x01";
  for (int i = 2; i < 60; ++i) shared += 'h' + std::string(1, char(i - 1)) + "\x86q" + char(i);
  const auto start = std::chrono::steady_clock::now();
  expect_refused(write("shared.pt", weight_file(shared + ".", {})), "values to flatten");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// A view may not have more elements than its storage: a [100000, 100000] view with
// strides 0 over 4 floats asked read_tensor_file for 40 GB (std::bad_alloc), and the
// sums of huge shapes times strides overflowed int64.
TEST_F(WeightsHostile, ViewsLargerThanTheirStorageAreRefused) {
  const std::string broadcast =
      pickle::dict({{"w", pickle::tensor("0", "FloatStorage", 4, 0, {100000, 100000}, {0, 0})}});
  expect_refused(write("broadcast.pt", weight_file(broadcast, {floats(4)})),
                 "tensor 'w' has more elements than its storage holds (4)");
  std::vector<std::int32_t> dims(8, 1), strides(8, 0x7fffffff);
  dims[0] = 2, dims[1] = 2;  // two steps of 2^31 elements
  const std::string far = pickle::dict({{"w", pickle::tensor("0", "FloatStorage", 4, 0, dims, strides)}});
  expect_refused(write("far.pt", weight_file(far, {floats(4)})), "tensor 'w' lies outside its storage");
  const std::vector<std::int32_t> huge(12, 0x7fffffff);
  const std::string overflow = pickle::dict({{"w", pickle::tensor("0", "FloatStorage", 4, 0, huge, huge)}});
  expect_refused(write("overflow.pt", weight_file(overflow, {floats(4)})), "more elements than its storage");
}

// A config the tensors do not match: the loader took arena room for the first linear
// layer before checking its shape, so a wide config ended in parla::Error ("weights
// overflow their block", exit 1) instead of naming the missing tensor; a config value
// beyond int was cast silently.
TEST_F(WeightsHostile, ConfigsTheTensorsDoNotMatchAreInputErrors) {
  auto model_file = [&](const std::string& name, std::vector<std::int64_t> config) {
    std::vector<std::uint8_t> ints(8 * config.size());
    std::memcpy(ints.data(), config.data(), ints.size());
    const std::string dict = pickle::dict(
        {{"config", pickle::tensor("0", "LongStorage", 6, 0, {6}, {1})},
         {"feature_mean", pickle::tensor("1", "FloatStorage", experts::kFeatureDims, 0, {experts::kFeatureDims}, {1})},
         {"feature_std", pickle::tensor("1", "FloatStorage", experts::kFeatureDims, 0, {experts::kFeatureDims}, {1})},
         {"motion_mean", pickle::tensor("2", "FloatStorage", parla::kChannelCount, 0, {parla::kChannelCount}, {1})},
         {"motion_std", pickle::tensor("2", "FloatStorage", parla::kChannelCount, 0, {parla::kChannelCount}, {1})}});
    return write(name, weight_file(dict, {ints, floats(experts::kFeatureDims), floats(parla::kChannelCount)}));
  };
  try {
    experts::PlainModel model(model_file("wide.pt", {60000, 2, 1, 1, 2, 2}));
    ADD_FAILURE() << "expected InputError";
  } catch (const parla::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("has no tensor 'encoder.frame_in.weight'"), std::string::npos)
        << e.what();
  }
  try {
    experts::PlainModel model(model_file("huge.pt", {(std::int64_t{1} << 32) + 2, 2, 1, 1, 2, 2}));
    ADD_FAILURE() << "expected InputError";
  } catch (const parla::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("invalid motion-model config"), std::string::npos) << e.what();
  }
}

}  // namespace
