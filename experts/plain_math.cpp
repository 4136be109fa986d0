// Kernels of the plain motion model. The matrix product works on register tiles of
// 4 rows × 16 columns (GCC vector extensions: one AVX-512 register per row, two AVX2
// or four SSE ones), streaming B once per column tile while A's rows stay in L1.
#include "experts/plain_math.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace parla::experts::plain {
namespace {

// 16 floats, loadable from any float address.
typedef float V16 __attribute__((vector_size(64), aligned(4), may_alias));

inline V16 load(const float* p) { return *reinterpret_cast<const V16*>(p); }
inline void store(float* p, V16 v) { *reinterpret_cast<V16*>(p) = v; }

}  // namespace

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
void matmul(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c,
            int ldc, const float* bias, bool accumulate) {
  const V16 zero = {};
  int j = 0;
  for (; j + 16 <= n; j += 16) {
    const V16 start = bias != nullptr ? load(bias + j) : zero;
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      float* c0 = c + static_cast<long>(i) * ldc + j;
      V16 s0 = start, s1 = start, s2 = start, s3 = start;
      if (accumulate) {
        s0 += load(c0), s1 += load(c0 + ldc), s2 += load(c0 + 2 * ldc), s3 += load(c0 + 3 * ldc);
      }
      const float* a0 = a + static_cast<long>(i) * lda;
      const float* a1 = a0 + lda;
      const float* a2 = a1 + lda;
      const float* a3 = a2 + lda;
      const float* bp = b + j;
      for (int p = 0; p < k; ++p, bp += ldb) {
        const V16 bv = load(bp);
        s0 += a0[p] * bv;
        s1 += a1[p] * bv;
        s2 += a2[p] * bv;
        s3 += a3[p] * bv;
      }
      store(c0, s0), store(c0 + ldc, s1), store(c0 + 2 * ldc, s2), store(c0 + 3 * ldc, s3);
    }
    for (; i < m; ++i) {
      float* ci = c + static_cast<long>(i) * ldc + j;
      V16 s = accumulate ? start + load(ci) : start;
      const float* ai = a + static_cast<long>(i) * lda;
      const float* bp = b + j;
      for (int p = 0; p < k; ++p, bp += ldb) s += ai[p] * load(bp);
      store(ci, s);
    }
  }
  if (j == n) return;
  for (int i = 0; i < m; ++i) {  // the last n % 16 columns
    float* ci = c + static_cast<long>(i) * ldc;
    const float* ai = a + static_cast<long>(i) * lda;
    for (int jj = j; jj < n; ++jj) {
      float s = bias != nullptr ? bias[jj] : 0.f;
      if (accumulate) s += ci[jj];
      for (int p = 0; p < k; ++p) s += ai[p] * b[static_cast<long>(p) * ldb + jj];
      ci[jj] = s;
    }
  }
}

void gelu(float* x, int n) {
  for (int i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.f + std::erf(x[i] * static_cast<float>(M_SQRT1_2)));
}

void silu(float* x, int n) {
  for (int i = 0; i < n; ++i) x[i] = x[i] / (1.f + std::exp(-x[i]));
}

void layer_norm_modulate(const float* x, int rows, int d, const float* shift, const float* scale,
                         float* out) {
  for (int r = 0; r < rows; ++r) {
    const float* xr = x + static_cast<long>(r) * d;
    float* o = out + static_cast<long>(r) * d;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < d; ++i) sum += xr[i];
    const double mean = sum / d;
    for (int i = 0; i < d; ++i) sum2 += (xr[i] - mean) * (xr[i] - mean);
    const float mu = static_cast<float>(mean);
    const float rstd = static_cast<float>(1.0 / std::sqrt(sum2 / d + 1e-6));
    for (int i = 0; i < d; ++i) o[i] = (xr[i] - mu) * rstd * (1.f + scale[i]) + shift[i];
  }
}

void softmax_rows(float* x, int rows, int n, int ld, float divisor) {
  for (int r = 0; r < rows; ++r) {
    float* xr = x + static_cast<long>(r) * ld;
    float top = -INFINITY;
    for (int i = 0; i < n; ++i) top = std::max(top, xr[i] /= divisor);
    float sum = 0;
    for (int i = 0; i < n; ++i) sum += (xr[i] = std::exp(xr[i] - top));
    const float inverse = 1.f / sum;
    for (int i = 0; i < n; ++i) xr[i] *= inverse;
  }
}

}  // namespace parla::experts::plain
