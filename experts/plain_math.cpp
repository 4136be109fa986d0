// Kernels of the plain motion model. The matrix product works on register tiles of
// 6 rows × 16 columns (GCC vector extensions: one AVX-512 register per row, two AVX2
// or four SSE ones), streaming B once per column tile while A's rows stay in L1.
// exp and erf are evaluated 16 lanes at a time with the formulas ATen's vectorised CPU
// kernels use (Cephes' expf polynomial; erf by Abramowitz–Stegun 7.1.26, |error| <
// 1.5e-7), so GELU and softmax cost a few instructions per value instead of a libm call.
#include "experts/plain_math.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PARLA_PLAIN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define PARLA_PLAIN_CLONES
#endif

namespace parla::experts::plain {
namespace {

// 16 floats (or int32s), loadable from any float address.
typedef float V16 __attribute__((vector_size(64), aligned(4), may_alias));
typedef std::int32_t V16i __attribute__((vector_size(64), aligned(4), may_alias));
constexpr int kLanes = 16;
constexpr int kTileRows = 6;

inline V16 load(const float* p) { return *reinterpret_cast<const V16*>(p); }
inline void store(float* p, V16 v) { *reinterpret_cast<V16*>(p) = v; }
inline V16 splat(float x) { return V16{} + x; }

// e^x, x clamped to [−87.3, 88.7] (e^x within float's normal range).
__attribute__((always_inline)) inline V16 exp16(V16 x) {
  x = x < -87.33654f ? splat(-87.33654f) : x;
  x = x > 88.72283f ? splat(88.72283f) : x;
  // x = n ln2 + r, |r| ≤ ln2 / 2; n rounded to nearest by the 1.5 · 2^23 trick.
  const V16 n = (x * 1.44269504088896341f + 12582912.f) - 12582912.f;
  const V16 r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  V16 p = 1.9875691500e-4f * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.f;
  const V16i bits = (__builtin_convertvector(n, V16i) + 127) << 23;  // 2^n
  return p * reinterpret_cast<const V16&>(bits);
}

// erf(x) = sign(x) · (1 − t · poly(t) · e^(−x²)), t = 1 / (1 + 0.3275911 |x|).
__attribute__((always_inline)) inline V16 erf16(V16 x) {
  const V16 a = x < 0.f ? -x : x;
  const V16 t = 1.f / (1.f + 0.3275911f * a);
  V16 r = 1.061405429f * t - 1.453152027f;
  r = r * t + 1.421413741f;
  r = r * t - 0.284496736f;
  r = r * t + 0.254829592f;
  const V16 y = 1.f - r * t * exp16(-(a * a));
  return x < 0.f ? -y : y;
}

// Applies f to n values 16 at a time; the last partial group goes through a padded copy.
template <typename F>
__attribute__((always_inline)) inline void map16(float* x, int n, F f) {
  int i = 0;
  for (; i + kLanes <= n; i += kLanes) store(x + i, f(load(x + i)));
  if (i == n) return;
  float tail[kLanes] = {};
  std::memcpy(tail, x + i, sizeof(float) * (n - i));
  store(tail, f(load(tail)));
  std::memcpy(x + i, tail, sizeof(float) * (n - i));
}

}  // namespace

PARLA_PLAIN_CLONES
void matmul(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c,
            int ldc, const float* bias, bool accumulate) {
  int j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    const V16 start = bias != nullptr ? load(bias + j) : V16{};
    int i = 0;
    for (; i + kTileRows <= m; i += kTileRows) {
      float* ct = c + static_cast<long>(i) * ldc + j;
      const float* at = a + static_cast<long>(i) * lda;
      V16 s[kTileRows];
      for (int r = 0; r < kTileRows; ++r) s[r] = accumulate ? start + load(ct + r * ldc) : start;
      const float* bp = b + j;
      for (int p = 0; p < k; ++p, bp += ldb) {
        const V16 bv = load(bp);
        for (int r = 0; r < kTileRows; ++r) s[r] += at[r * lda + p] * bv;
      }
      for (int r = 0; r < kTileRows; ++r) store(ct + r * ldc, s[r]);
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

PARLA_PLAIN_CLONES
void gelu(float* x, int n) {
  map16(x, n, [](V16 v) { return 0.5f * v * (1.f + erf16(v * static_cast<float>(M_SQRT1_2))); });
}

PARLA_PLAIN_CLONES
void silu(float* x, int n) {
  map16(x, n, [](V16 v) { return v / (1.f + exp16(-v)); });
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

PARLA_PLAIN_CLONES
void softmax_rows(float* x, int rows, int n, int ld, float divisor) {
  for (int r = 0; r < rows; ++r) {
    float* xr = x + static_cast<long>(r) * ld;
    float top = -INFINITY;
    for (int i = 0; i < n; ++i) top = std::max(top, xr[i] /= divisor);
    map16(xr, n, [top](V16 v) { return exp16(v - top); });
    float sum = 0;
    for (int i = 0; i < n; ++i) sum += xr[i];
    const float inverse = 1.f / sum;
    for (int i = 0; i < n; ++i) xr[i] *= inverse;
  }
}

}  // namespace parla::experts::plain
