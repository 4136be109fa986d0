// Private to experts/: the few dense kernels of the plain (LibTorch-free) motion model.
// Row-major float arrays with explicit leading dimensions; no allocation. The kernels
// are compiled for AVX-512, AVX2+FMA and baseline x86-64 and picked from the CPU at run
// time, so binaries stay portable without -march=native.
#pragma once

namespace parla::experts::plain {

// C[m, n] = (accumulate ? C : 0) + A[m, k] · B[k, n] (+ bias[n] when not null), on the
// widest kernel this CPU runs.
void matmul(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c,
            int ldc, const float* bias, bool accumulate);

// The instruction sets the kernels are compiled for; every function here runs on the
// widest one the CPU has. For tests and benchmarks: whether this CPU runs one, its
// name, the one in use, and each kernel on a given one (only where runs(kernel)).
enum class Kernel { Baseline, Avx2, Avx512 };
bool runs(Kernel kernel);
const char* name(Kernel kernel);
Kernel kernel_in_use();
void matmul_on(Kernel kernel, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
               float* c, int ldc, const float* bias, bool accumulate);
void gelu_on(Kernel kernel, float* x, int n);
void silu_on(Kernel kernel, float* x, int n);
void softmax_rows_on(Kernel kernel, float* x, int rows, int n, int ld, float divisor);

// In place over n values: GELU in torch::gelu's exact form x · Φ(x) = x/2 · (1 + erf(x/√2)),
// and SiLU x · sigmoid(x).
void gelu(float* x, int n);
void silu(float* x, int n);

// Each of `rows` rows of width d: (x − mean) / sqrt(var + 1e-6), biased variance, no
// affine (torch::layer_norm with eps 1e-6 and no weight); then · (1 + scale) + shift
// (adaLN modulation; scale, shift: [d]). x and out may alias.
void layer_norm_modulate(const float* x, int rows, int d, const float* shift, const float* scale,
                         float* out);

// Each of `rows` rows of width n (leading dimension ld): x ← softmax(x / divisor).
void softmax_rows(float* x, int rows, int n, int ld, float divisor);

}  // namespace parla::experts::plain
