// Kernels of the plain motion model. The matrix product works on register tiles of
// 6 rows × two registers: 6 × 32 columns with AVX-512, 6 × 16 with AVX2, 6 × 8 with
// baseline SSE, picked once from the CPU; GCC vector extensions of each width keep the
// code one source. It streams B once per column tile while A's rows stay in L1.
// exp and erf are evaluated a vector at a time, on the same widths, with the formulas
// ATen's vectorised CPU kernels use (Cephes' expf polynomial; erf by Abramowitz–Stegun
// 7.1.26, |error| < 1.5e-7), so GELU and softmax cost a few instructions per value
// instead of a libm call. A vector wider than the instruction set's registers is split
// by GCC into pieces that go through the stack (the AVX2 kernels ran 6× slower so).
#include "experts/plain_math.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PARLA_PLAIN_DISPATCH 1
#else
#define PARLA_PLAIN_DISPATCH 0
#endif

namespace parla::experts::plain {
namespace {

// Floats (and int32s) 4, 8 and 16 at a time: SSE, AVX2 and AVX-512 registers.
typedef float V4 __attribute__((vector_size(16)));
typedef float V8 __attribute__((vector_size(32)));
typedef float V16 __attribute__((vector_size(64)));
typedef std::int32_t V4i __attribute__((vector_size(16)));
typedef std::int32_t V8i __attribute__((vector_size(32)));
typedef std::int32_t V16i __attribute__((vector_size(64)));
constexpr int kTileRows = 6;

template <typename V>
constexpr int kLanesOf = static_cast<int>(sizeof(V) / sizeof(float));

// Loads and stores from any float address (memcpy: unaligned moves).
template <typename V>
__attribute__((always_inline)) inline V load_v(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}
template <typename V>
__attribute__((always_inline)) inline void store_v(float* p, V v) { std::memcpy(p, &v, sizeof(V)); }

// e^x, x clamped to [−87.3, 88.7] (e^x within float's normal range).
template <typename V, typename Vi>
__attribute__((always_inline)) inline V exp_v(V x) {
  x = x < -87.33654f ? V{} - 87.33654f : x;
  x = x > 88.72283f ? V{} + 88.72283f : x;
  // x = n ln2 + r, |r| ≤ ln2 / 2; n rounded to nearest by the 1.5 · 2^23 trick.
  const V n = (x * 1.44269504088896341f + 12582912.f) - 12582912.f;
  const V r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  V p = 1.9875691500e-4f * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.f;
  const Vi bits = (__builtin_convertvector(n, Vi) + 127) << 23;  // 2^n
  return p * __builtin_bit_cast(V, bits);
}

// erf(x) = sign(x) · (1 − t · poly(t) · e^(−x²)), t = 1 / (1 + 0.3275911 |x|).
template <typename V, typename Vi>
__attribute__((always_inline)) inline V erf_v(V x) {
  const V a = x < 0.f ? -x : x;
  const V t = 1.f / (1.f + 0.3275911f * a);
  V r = 1.061405429f * t - 1.453152027f;
  r = r * t + 1.421413741f;
  r = r * t - 0.284496736f;
  r = r * t + 0.254829592f;
  const V y = 1.f - r * t * exp_v<V, Vi>(-(a * a));
  return x < 0.f ? -y : y;
}

// Applies f to n values a vector at a time; the last partial vector goes through a
// padded copy.
template <typename V, typename F>
__attribute__((always_inline)) inline void map_v(float* x, int n, F f) {
  constexpr int L = kLanesOf<V>;
  int i = 0;
  for (; i + L <= n; i += L) store_v<V>(x + i, f(load_v<V>(x + i)));
  if (i == n) return;
  float tail[L] = {};
  std::memcpy(tail, x + i, sizeof(float) * (n - i));
  store_v<V>(tail, f(load_v<V>(tail)));
  std::memcpy(x + i, tail, sizeof(float) * (n - i));
}

template <typename V, typename Vi>
__attribute__((always_inline)) inline void gelu_body(float* x, int n) {
  map_v<V>(x, n, [](V v) { return 0.5f * v * (1.f + erf_v<V, Vi>(v * static_cast<float>(M_SQRT1_2))); });
}

template <typename V, typename Vi>
__attribute__((always_inline)) inline void silu_body(float* x, int n) {
  map_v<V>(x, n, [](V v) { return v / (1.f + exp_v<V, Vi>(-v)); });
}

template <typename V, typename Vi>
__attribute__((always_inline)) inline void softmax_body(float* x, int rows, int n, int ld, float divisor) {
  for (int r = 0; r < rows; ++r) {
    float* xr = x + static_cast<long>(r) * ld;
    float top = -INFINITY;
    for (int i = 0; i < n; ++i) top = std::max(top, xr[i] /= divisor);
    map_v<V>(xr, n, [top](V v) { return exp_v<V, Vi>(v - top); });
    float sum = 0;
    for (int i = 0; i < n; ++i) sum += xr[i];
    const float inverse = 1.f / sum;
    for (int i = 0; i < n; ++i) xr[i] *= inverse;
  }
}

// Columns [j, j + L·kVecs) of C for every row (L = the lanes of V): 6-row register
// tiles, then single rows.
template <typename V, int kVecs>
__attribute__((always_inline)) inline void column_tile(int m, int j, int k, const float* a, int lda,
                                                       const float* b, int ldb, float* c, int ldc,
                                                       const float* bias, bool accumulate) {
  constexpr int L = kLanesOf<V>;
  V start[kVecs];
  for (int v = 0; v < kVecs; ++v) start[v] = bias != nullptr ? load_v<V>(bias + j + L * v) : V{};
  int i = 0;
  for (; i + kTileRows <= m; i += kTileRows) {
    float* ct = c + static_cast<long>(i) * ldc + j;
    const float* at = a + static_cast<long>(i) * lda;
    V s[kTileRows][kVecs];
    for (int r = 0; r < kTileRows; ++r) {
      for (int v = 0; v < kVecs; ++v) {
        s[r][v] = accumulate ? start[v] + load_v<V>(ct + r * ldc + L * v) : start[v];
      }
    }
    const float* bp = b + j;
    for (int p = 0; p < k; ++p, bp += ldb) {
      V bv[kVecs];
      for (int v = 0; v < kVecs; ++v) bv[v] = load_v<V>(bp + L * v);
      for (int r = 0; r < kTileRows; ++r) {
        const float x = at[r * lda + p];
        for (int v = 0; v < kVecs; ++v) s[r][v] += x * bv[v];
      }
    }
    for (int r = 0; r < kTileRows; ++r) {
      for (int v = 0; v < kVecs; ++v) store_v<V>(ct + r * ldc + L * v, s[r][v]);
    }
  }
  for (; i < m; ++i) {
    float* ci = c + static_cast<long>(i) * ldc + j;
    const float* ai = a + static_cast<long>(i) * lda;
    V s[kVecs];
    for (int v = 0; v < kVecs; ++v) s[v] = accumulate ? start[v] + load_v<V>(ci + L * v) : start[v];
    const float* bp = b + j;
    for (int p = 0; p < k; ++p, bp += ldb) {
      for (int v = 0; v < kVecs; ++v) s[v] += ai[p] * load_v<V>(bp + L * v);
    }
    for (int v = 0; v < kVecs; ++v) store_v<V>(ci + L * v, s[v]);
  }
}

// The whole product with column tiles of two vectors (6 × 2 accumulators: 12 of
// AVX2's and SSE's 16 registers, of AVX-512's 32), then one, then single columns.
template <typename V>
__attribute__((always_inline)) inline void matmul_body(int m, int n, int k, const float* a,
                                                       int lda, const float* b, int ldb, float* c,
                                                       int ldc, const float* bias, bool accumulate) {
  constexpr int L = kLanesOf<V>;
  int j = 0;
  for (; j + 2 * L <= n; j += 2 * L) {
    column_tile<V, 2>(m, j, k, a, lda, b, ldb, c, ldc, bias, accumulate);
  }
  for (; j + L <= n; j += L) {
    column_tile<V, 1>(m, j, k, a, lda, b, ldb, c, ldc, bias, accumulate);
  }
  if (j == n) return;
  for (int i = 0; i < m; ++i) {  // the last n % L columns
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

// One instruction set's kernels.
struct Kernels {
  void (*matmul)(int, int, int, const float*, int, const float*, int, float*, int, const float*, bool);
  void (*gelu)(float*, int);
  void (*silu)(float*, int);
  void (*softmax_rows)(float*, int, int, int, float);
};

// Defines NAME's kernels on vectors V (ints Vi), compiled with the attributes ATTR.
#define PARLA_PLAIN_KERNELS(NAME, ATTR, V, Vi)                                                     \
  ATTR void NAME##_matmul(int m, int n, int k, const float* a, int lda, const float* b, int ldb,    \
                          float* c, int ldc, const float* bias, bool accumulate) {                 \
    matmul_body<V>(m, n, k, a, lda, b, ldb, c, ldc, bias, accumulate);                             \
  }                                                                                                \
  ATTR void NAME##_gelu(float* x, int n) { gelu_body<V, Vi>(x, n); }                               \
  ATTR void NAME##_silu(float* x, int n) { silu_body<V, Vi>(x, n); }                               \
  ATTR void NAME##_softmax_rows(float* x, int rows, int n, int ld, float divisor) {                \
    softmax_body<V, Vi>(x, rows, n, ld, divisor);                                                  \
  }                                                                                                \
  constexpr Kernels NAME = {NAME##_matmul, NAME##_gelu, NAME##_silu, NAME##_softmax_rows};

PARLA_PLAIN_KERNELS(baseline, , V4, V4i)
#if PARLA_PLAIN_DISPATCH
PARLA_PLAIN_KERNELS(avx2, __attribute__((target("arch=x86-64-v3"))), V8, V8i)
PARLA_PLAIN_KERNELS(avx512, __attribute__((target("arch=x86-64-v4"))), V16, V16i)
#else
constexpr Kernels avx2 = baseline, avx512 = baseline;
#endif
#undef PARLA_PLAIN_KERNELS

const Kernels& kernels_of(Kernel kernel) {
  switch (kernel) {
    case Kernel::Avx512: return avx512;
    case Kernel::Avx2: return avx2;
    case Kernel::Baseline: break;
  }
  return baseline;
}

Kernel pick_kernel() {
  for (Kernel k : {Kernel::Avx512, Kernel::Avx2}) {
    if (runs(k)) return k;
  }
  return Kernel::Baseline;
}

// The kernels of the widest instruction set this CPU runs (kernel_in_use picks it once).
const Kernels& widest() { return kernels_of(kernel_in_use()); }

}  // namespace

bool runs(Kernel kernel) {
  if (kernel == Kernel::Baseline) return true;
#if PARLA_PLAIN_DISPATCH
  __builtin_cpu_init();
  if (kernel == Kernel::Avx2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
#else
  return false;
#endif
}

const char* name(Kernel kernel) {
  switch (kernel) {
    case Kernel::Avx512: return "AVX-512";
    case Kernel::Avx2: return "AVX2";
    case Kernel::Baseline: break;
  }
  return "baseline";
}

Kernel kernel_in_use() {
  static const Kernel picked = pick_kernel();
  return picked;
}

void matmul(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c,
            int ldc, const float* bias, bool accumulate) {
  widest().matmul(m, n, k, a, lda, b, ldb, c, ldc, bias, accumulate);
}

void matmul_on(Kernel kernel, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
               float* c, int ldc, const float* bias, bool accumulate) {
  kernels_of(kernel).matmul(m, n, k, a, lda, b, ldb, c, ldc, bias, accumulate);
}

void gelu(float* x, int n) { widest().gelu(x, n); }
void gelu_on(Kernel kernel, float* x, int n) { kernels_of(kernel).gelu(x, n); }
void silu(float* x, int n) { widest().silu(x, n); }
void silu_on(Kernel kernel, float* x, int n) { kernels_of(kernel).silu(x, n); }

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
  widest().softmax_rows(x, rows, n, ld, divisor);
}
void softmax_rows_on(Kernel kernel, float* x, int rows, int n, int ld, float divisor) {
  kernels_of(kernel).softmax_rows(x, rows, n, ld, divisor);
}

}  // namespace parla::experts::plain
