// Float32 row kernels compiled for several x86 instruction sets (AVX-512, AVX2+FMA, baseline)
// and picked at load time by the CPU (GCC/clang `target_clones`, glibc ifunc).
//
// Why C: Swift has no per-function target attribute, so Swift SIMD code is compiled for the
// baseline x86-64 (SSE2) unless the whole binary is built with -target-cpu, which ties it to
// one CPU (DESIGN.md §3). These few hot kernels are where the 2-4x of wider vectors matters.
#pragma once
#include <stddef.h>

// y = GELU(x) = 0.5·x·(1 + erf(x/√2))
void kx_gelu_forward(const float *x, float *y, size_t n);
// dx = g · (Φ(x) + x·φ(x))
void kx_gelu_backward(const float *x, const float *g, float *dx, size_t n);
// Row softmax over `rows` rows of length n (a row of −inf gives NaN, as PyTorch).
void kx_softmax_forward(const float *x, float *y, size_t rows, size_t n);
// dx = y ⊙ (g − Σ g⊙y) per row
void kx_softmax_backward(const float *y, const float *g, float *dx, size_t rows, size_t n);
