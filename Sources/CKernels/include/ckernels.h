// Float32 row kernels compiled for several x86 instruction sets (AVX-512, AVX2+FMA, baseline)
// and picked at load time by the CPU (GCC/clang `target_clones`, glibc ifunc).
//
// Why C: Swift has no per-function target attribute, so Swift SIMD code is compiled for the
// baseline x86-64 (SSE2) unless the whole binary is built with -target-cpu, which ties it to
// one CPU (DESIGN.md §3). These few hot kernels are where the 2-4x of wider vectors matters.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "allocator.h"

// y = GELU(x) = 0.5·x·(1 + erf(x/√2))
void kx_gelu_forward(const float *x, float *y, size_t n);
// dx = g · (Φ(x) + x·φ(x))
void kx_gelu_backward(const float *x, const float *g, float *dx, size_t n);
// Row softmax over `rows` rows of length n (a row of −inf gives NaN, as PyTorch).
void kx_softmax_forward(const float *x, float *y, size_t rows, size_t n);
// dx = y ⊙ (g − Σ g⊙y) per row
void kx_softmax_backward(const float *y, const float *g, float *dx, size_t rows, size_t n);
// Layer norm over rows of length n: y = (x − μ)·rstd·w + b (w, b may be NULL); stores μ and rstd.
void kx_layernorm_forward(const float *x, const float *w, const float *b, float *y, float *mean, float *rstd,
                          size_t rows, size_t n, float eps);
// dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)), ĝ = g⊙w (w may be NULL), x̂ = (x − μ)·rstd.
void kx_layernorm_backward_input(const float *x, const float *g, const float *w, const float *mean,
                                 const float *rstd, float *dx, size_t rows, size_t n);
// Parameter gradients of a block of rows, added to partial sums: pdw[c] += Σ_r g·x̂, pdb[c] += Σ_r g,
// rows in order (pdw or pdb may be NULL). Run after kx_layernorm_backward_input on the same rows,
// while they are still in cache.
void kx_layernorm_backward_params_rows(const float *x, const float *g, const float *mean, const float *rstd,
                                       float *pdw, float *pdb, size_t rows, size_t n);

// y = elu(x) + shift (α(e^x − 1) for x ≤ 0)
void kx_elu_forward(const float *x, float *y, size_t n, float alpha, float shift);
// dx = g · (x > 0 ? 1 : α·e^x)
void kx_elu_backward(const float *x, const float *g, float *dx, size_t n, float alpha);

// y = max(x, 0), NaN passing through (as PyTorch's relu)
void kx_relu_forward(const float *x, float *y, size_t n);
// dx = x > 0 ? g : 0 (PyTorch's threshold_backward), branch-free
void kx_relu_backward(const float *x, const float *g, float *dx, size_t n);
// 2×2, stride-2 max pooling of `planes` planes [h, w] → [h/2, w/2] (floor); argmax holds the flat
// in-plane index of the maximum (first of equals; a NaN wins, the last NaN of the window).
void kx_maxpool2x2_forward(const float *x, float *y, int32_t *argmax, size_t planes, size_t h, size_t w);
// im2col of one image's channels [C, H, W] into col [C·kh·kw, Ho·Wo] (zeros in the padding), and
// its adjoint dx [C, H, W] += col2im(dcol); any stride, padding and dilation.
typedef struct { long h, w, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo; } kx_window;
void kx_im2col(const float *x, float *col, const kx_window *g, long channels);
void kx_col2im_add(const float *col, float *dx, const kx_window *g, long channels);

// One row of softmax(scale·x + bias): bias[j·bias_stride] (stride 0: one value for the row;
// bias NULL: none). A row that is −inf everywhere gives NaN, as PyTorch.
void kx_scaled_bias_softmax(const float *x, const float *bias, long bias_stride, float *y, size_t n, float scale);

// y = σ(x) = 1/(1 + e^−x)
void kx_sigmoid_forward(const float *x, float *y, size_t n);
// y = silu(x) = x·σ(x)
void kx_silu_forward(const float *x, float *y, size_t n);
// dx = g · σ(x)·(1 + x·(1 − σ(x)))
void kx_silu_backward(const float *x, const float *g, float *dx, size_t n);

// Depthwise convolution of one plane: dst[oh, ow] = bias + Σ_ij k[i·kw + j]·src[oh·sh + i·dh, ow·sw + j·dw]
// over a zero-padded plane with row stride src_w (every read in bounds).
void kx_dw_correlate(const float *src, long src_w, const float *k, float bias, float *dst, const kx_window *g);
// Its weight gradient, Σ_{oh,ow} gy[oh, ow]·src[oh·sh + i·dh, ow·sw + j·dw] per tap (i, j), accumulated
// plane after plane into `partial` [kh·kw, KX_DW_LANES] (zeroed first); kx_dw_weight_grad_finish
// reduces it to acc [kh·kw].
#define KX_DW_LANES 29
void kx_dw_weight_grad(const float *src, long src_w, const float *gy, float *partial, const kx_window *g);
void kx_dw_weight_grad_finish(const float *partial, long taps, float *acc);
