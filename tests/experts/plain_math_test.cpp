// The plain model's kernels against naive double-precision loops: matrix products on
// every kernel the CPU runs, of every tile remainder (rows % 6, columns % two vectors),
// with bias, accumulation and leading dimensions wider than the matrices; GELU, SiLU and
// softmax on every kernel, and layer norm, against their formulas.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "experts/plain_math.h"

namespace {
namespace plain = parla::experts::plain;

std::vector<float> random_values(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

// The kernels this CPU runs (the baseline always).
std::vector<plain::Kernel> kernels_here() {
  std::vector<plain::Kernel> out;
  for (plain::Kernel k : {plain::Kernel::Baseline, plain::Kernel::Avx2, plain::Kernel::Avx512}) {
    if (plain::runs(k)) out.push_back(k);
  }
  return out;
}

// Every kernel this CPU runs (the baseline always; AVX2 and AVX-512 where present),
// every tile remainder of each: 6-row tiles, and column tiles of two vectors, one
// vector and single columns at 4, 8 and 16 lanes.
TEST(PlainMath, MatmulMatchesNaiveProductsForEveryTileRemainder) {
  const std::vector<plain::Kernel> kernels = kernels_here();
  ASSERT_FALSE(kernels.empty());
  for (plain::Kernel kernel : kernels) {
    for (int m : {1, 3, 4, 7, 60}) {
      for (int n : {5, 12, 16, 20, 24, 33, 40, 48, 128}) {
        for (int k : {1, 32, 83}) {
          for (bool accumulate : {false, true}) {
            const int lda = k + 3, ldb = n + 5, ldc = n + 2;
            std::vector<float> a = random_values(m * lda, 1), b = random_values(k * ldb, 2),
                               bias = random_values(n, 3), c = random_values(m * ldc, 4);
            std::vector<float> before = c;
            plain::matmul_on(kernel, m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc, bias.data(),
                             accumulate);
            for (int i = 0; i < m; ++i) {
              for (int j = 0; j < ldc; ++j) {
                if (j >= n) {  // outside the matrix: untouched
                  ASSERT_EQ(c[i * ldc + j], before[i * ldc + j]);
                  continue;
                }
                double expected = bias[j] + (accumulate ? before[i * ldc + j] : 0.0);
                for (int p = 0; p < k; ++p) expected += double(a[i * lda + p]) * b[p * ldb + j];
                ASSERT_NEAR(c[i * ldc + j], expected, 1e-4 * (1 + std::abs(expected)))
                    << plain::name(kernel) << " m=" << m << " n=" << n << " k=" << k << " at " << i << "," << j;
              }
            }
          }
        }
      }
    }
  }
  // matmul itself runs the widest kernel the CPU has.
  const plain::Kernel picked = plain::kernel_in_use();
  EXPECT_TRUE(plain::runs(picked));
  const plain::Kernel widest = plain::runs(plain::Kernel::Avx512) ? plain::Kernel::Avx512
                               : plain::runs(plain::Kernel::Avx2) ? plain::Kernel::Avx2
                                                                  : plain::Kernel::Baseline;
  EXPECT_EQ(picked, widest);
}

TEST(PlainMath, MatmulWithoutBias) {
  std::vector<float> a = {1, 2, 3, 4}, b = {5, 6, 7, 8}, c(4, 99.f);
  plain::matmul(2, 2, 2, a.data(), 2, b.data(), 2, c.data(), 2, nullptr, false);
  EXPECT_EQ(c, (std::vector<float>{19, 22, 43, 50}));
}

TEST(PlainMath, GeluIsTheExactErfFormAndSiluIsXSigmoidX) {
  std::vector<float> x = {-4.f, -1.f, -0.1f, 0.f, 0.5f, 2.f, 9.f};
  std::vector<float> g = x, s = x;
  plain::gelu(g.data(), static_cast<int>(g.size()));
  plain::silu(s.data(), static_cast<int>(s.size()));
  for (std::size_t i = 0; i < x.size(); ++i) {
    double xd = x[i];
    EXPECT_NEAR(g[i], 0.5 * xd * (1 + std::erf(xd / std::sqrt(2.0))), 1e-6);
    EXPECT_NEAR(s[i], xd / (1 + std::exp(-xd)), 1e-6);
  }
  EXPECT_NEAR(g[2], -0.0460172, 1e-6);  // torch.nn.functional.gelu(-0.1) (tanh form: -0.0460131)
  // On every kernel, over whole vectors and a partial one (37 = 2·16 + 5 = 4·8 + 5 = 9·4 + 1).
  std::vector<float> wide(37);
  for (std::size_t i = 0; i < wide.size(); ++i) wide[i] = -9.f + 0.5f * static_cast<float>(i);
  for (plain::Kernel kernel : kernels_here()) {
    std::vector<float> gk = wide, sk = wide;
    plain::gelu_on(kernel, gk.data(), static_cast<int>(gk.size()));
    plain::silu_on(kernel, sk.data(), static_cast<int>(sk.size()));
    for (std::size_t i = 0; i < wide.size(); ++i) {
      double xd = wide[i];
      ASSERT_NEAR(gk[i], 0.5 * xd * (1 + std::erf(xd / std::sqrt(2.0))), 1e-6) << plain::name(kernel) << " x=" << xd;
      ASSERT_NEAR(sk[i], xd / (1 + std::exp(-xd)), 2e-6) << plain::name(kernel) << " x=" << xd;
    }
  }
}

TEST(PlainMath, SoftmaxOnEveryKernelOverWholeAndPartialVectors) {
  const int n = 21, ld = 24, rows = 3;  // 21 = 16 + 5 = 2·8 + 5 = 5·4 + 1
  for (plain::Kernel kernel : kernels_here()) {
    std::vector<float> x(rows * ld);
    for (int r = 0; r < rows; ++r)
      for (int i = 0; i < ld; ++i) x[r * ld + i] = i < n ? std::sin(0.7f * i + r) * 6.f : 100.f;
    const std::vector<float> before = x;
    plain::softmax_rows_on(kernel, x.data(), rows, n, ld, /*divisor=*/1.5f);
    for (int r = 0; r < rows; ++r) {
      double z = 0;
      for (int i = 0; i < n; ++i) z += std::exp(before[r * ld + i] / 1.5);
      for (int i = 0; i < ld; ++i) {
        if (i >= n) {
          ASSERT_EQ(x[r * ld + i], 100.f) << plain::name(kernel);
          continue;
        }
        ASSERT_NEAR(x[r * ld + i], std::exp(before[r * ld + i] / 1.5) / z, 1e-6) << plain::name(kernel) << " " << r << "," << i;
      }
    }
  }
}

TEST(PlainMath, LayerNormModulateAndSoftmax) {
  std::vector<float> x = {1, 2, 3, 4, -1, -1, -1, 5};
  std::vector<float> shift = {0.f, 1.f, 0.f, 0.f}, scale = {0.f, 0.f, 1.f, -1.f}, out(8);
  plain::layer_norm_modulate(x.data(), 2, 4, shift.data(), scale.data(), out.data());
  const double sd = std::sqrt(1.25 + 1e-6);  // row 0: mean 2.5, variance 1.25
  EXPECT_NEAR(out[0], -1.5 / sd, 1e-6);
  EXPECT_NEAR(out[1], -0.5 / sd + 1, 1e-6);
  EXPECT_NEAR(out[2], 2 * 0.5 / sd, 1e-6);
  EXPECT_NEAR(out[3], 0.f, 1e-6);
  const double sd1 = std::sqrt(6.75 + 1e-6);  // row 1: mean 0.5, variance 6.75
  EXPECT_NEAR(out[4], -1.5 / sd1, 1e-6);

  std::vector<float> s = {0, 1, 2, 100, 3, 4, 5, 100};  // leading dimension 4, width 3
  plain::softmax_rows(s.data(), 2, 3, 4, /*divisor=*/2.f);
  const double z = 1 + std::exp(0.5) + std::exp(1.0);
  EXPECT_NEAR(s[0], 1 / z, 1e-6);
  EXPECT_NEAR(s[2], std::exp(1.0) / z, 1e-6);
  EXPECT_NEAR(s[4], 1 / z, 1e-6);  // row 1 is row 0 shifted by 1.5: the same weights
  EXPECT_NEAR(s[5], std::exp(0.5) / z, 1e-6);
  EXPECT_EQ(s[3], 100.f);  // past the width: untouched
}

}  // namespace
