#include "ckernels.h"
#include <math.h>

#if defined(__x86_64__) && defined(__clang__)
#define KX_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define KX_CLONES
#endif

// e^x: Cephes-style range reduction, written so the compiler vectorises it (no libm calls).
static inline float kx_exp(float x) {
    x = x > 88.8f ? 88.8f : x;
    x = x < -104.0f ? -104.0f : x;
    float t = x * 1.442695041f + 12582912.0f;
    float n = t - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    int ni = (int)n;
    int half = ni >> 1;
    union { int i; float f; } s1 = { (half + 127) << 23 }, s2 = { (ni - half + 127) << 23 };
    return p * s1.f * s2.f;
}

// erf: Eigen's rational approximation (abs. error < 2e-7), same as VectorMath.erf in Swift.
static inline float kx_erf(float x) {
    x = x > 4.0f ? 4.0f : x;
    x = x < -4.0f ? -4.0f : x;
    float x2 = x * x;
    float p = -2.72614225801306e-10f;
    p = p * x2 + 2.77068142495902e-08f;
    p = p * x2 + -2.10102402082508e-06f;
    p = p * x2 + -5.69250639462346e-05f;
    p = p * x2 + -7.34990630326855e-04f;
    p = p * x2 + -2.95459980854025e-03f;
    p = p * x2 + -1.60960333262415e-02f;
    p = p * x;
    float q = -1.45660718464996e-05f;
    q = q * x2 + -2.13374055278905e-04f;
    q = q * x2 + -1.68282697438203e-03f;
    q = q * x2 + -7.37332916720468e-03f;
    q = q * x2 + -1.42647390514189e-02f;
    return p / q;
}

// Maximum of a row in 16 running lanes (a plain max loop is a serial dependency chain).
static inline float kx_row_max(const float *x, size_t n) {
    float lanes[16];
    for (int k = 0; k < 16; k++) lanes[k] = -INFINITY;
    size_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (int k = 0; k < 16; k++) lanes[k] = x[j + k] > lanes[k] ? x[j + k] : lanes[k];
    float m = -INFINITY;
    for (int k = 0; k < 16; k++) m = lanes[k] > m ? lanes[k] : m;
    for (; j < n; j++) m = x[j] > m ? x[j] : m;
    return m;
}

KX_CLONES void kx_gelu_forward(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + kx_erf(x[i] * 0.70710678118654752f));
}

KX_CLONES void kx_gelu_backward(const float *restrict x, const float *restrict g, float *restrict dx, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        float cdf = 0.5f * (1.0f + kx_erf(v * 0.70710678118654752f));
        float pdf = 0.39894228040143268f * kx_exp(-0.5f * v * v);
        dx[i] = g[i] * (cdf + v * pdf);
    }
}

KX_CLONES void kx_softmax_forward(const float *restrict x, float *restrict y, size_t rows, size_t n) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        // A NaN anywhere propagates through e^(x − m) into the sum, so the whole row becomes NaN
        // (PyTorch's behaviour) without a separate check.
        float s = 0.0f;
        float m = kx_row_max(xr, n);
        float shift = isfinite(m) ? m : 0.0f;
        {
            // The sum may be reordered so it vectorises; the order is fixed per CPU, so results
            // do not depend on the thread count.
            #pragma clang fp reassociate(on)
            for (size_t j = 0; j < n; j++) { float e = kx_exp(xr[j] - shift); yr[j] = e; s += e; }
        }
        float inv = 1.0f / s;
        for (size_t j = 0; j < n; j++) yr[j] *= inv;
    }
}

KX_CLONES void kx_softmax_backward(const float *restrict y, const float *restrict g, float *restrict dx, size_t rows, size_t n) {
    for (size_t r = 0; r < rows; r++) {
        const float *yr = y + r * n, *gr = g + r * n;
        float *dr = dx + r * n;
        float dot = 0.0f;
        {
            #pragma clang fp reassociate(on)
            for (size_t j = 0; j < n; j++) dot += yr[j] * gr[j];
        }
        for (size_t j = 0; j < n; j++) dr[j] = yr[j] * (gr[j] - dot);
    }
}

KX_CLONES void kx_layernorm_forward(const float *restrict x, const float *restrict w, const float *restrict b,
                                    float *restrict y, float *restrict mean, float *restrict rstd,
                                    size_t rows, size_t n, float eps) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        // Both moments in one pass over d = x − x₀ (the row's first element): one pass instead of
        // two took the forward from 0.34 to 0.31 ms on [8,128,1536]. Σd²/n − (Σd/n)² loses about
        // ε·(x₀ − μ)²/σ² of the variance to cancellation, so when x₀ lies more than 4σ from the
        // mean (an outlier feature) the row is redone with the exact two-pass formula.
        float x0 = xr[0], s = 0.0f, q = 0.0f;
        {
            #pragma clang fp reassociate(on)
            for (size_t j = 0; j < n; j++) { float d = xr[j] - x0; s += d; q += d * d; }
        }
        float ds = s / (float)n;
        float mu = x0 + ds;
        float var = q / (float)n - ds * ds;
        if (!(ds * ds <= 16.0f * var)) {
            float t = 0.0f, v = 0.0f;
            {
                #pragma clang fp reassociate(on)
                for (size_t j = 0; j < n; j++) t += xr[j];
            }
            mu = t / (float)n;
            {
                #pragma clang fp reassociate(on)
                for (size_t j = 0; j < n; j++) { float d = xr[j] - mu; v += d * d; }
            }
            var = v / (float)n;
        }
        float rs = 1.0f / sqrtf(var + eps);
        mean[r] = mu;
        rstd[r] = rs;
        if (w && b) for (size_t j = 0; j < n; j++) yr[j] = (xr[j] - mu) * rs * w[j] + b[j];
        else if (w) for (size_t j = 0; j < n; j++) yr[j] = (xr[j] - mu) * rs * w[j];
        else if (b) for (size_t j = 0; j < n; j++) yr[j] = (xr[j] - mu) * rs + b[j];
        else for (size_t j = 0; j < n; j++) yr[j] = (xr[j] - mu) * rs;
    }
}

KX_CLONES void kx_layernorm_backward_input(const float *restrict x, const float *restrict g, const float *restrict w,
                                           const float *restrict mean, const float *restrict rstd,
                                           float *restrict dx, size_t rows, size_t n) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * n, *gr = g + r * n;
        float *dr = dx + r * n;
        float mu = mean[r], rs = rstd[r], sg = 0.0f, sgx = 0.0f;
        {
            #pragma clang fp reassociate(on)
            if (w) for (size_t j = 0; j < n; j++) { float gh = gr[j] * w[j]; sg += gh; sgx += gh * (xr[j] - mu); }
            else for (size_t j = 0; j < n; j++) { sg += gr[j]; sgx += gr[j] * (xr[j] - mu); }
        }
        float mg = sg / (float)n, k = rs * rs * (sgx * rs / (float)n);
        if (w) for (size_t j = 0; j < n; j++) dr[j] = rs * (gr[j] * w[j] - mg) - (xr[j] - mu) * k;
        else for (size_t j = 0; j < n; j++) dr[j] = rs * (gr[j] - mg) - (xr[j] - mu) * k;
    }
}

KX_CLONES void kx_layernorm_backward_params_rows(const float *restrict x, const float *restrict g, const float *restrict mean,
                                                 const float *restrict rstd, float *restrict pdw, float *restrict pdb,
                                                 size_t rows, size_t n) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * n, *gr = g + r * n;
        float mu = mean[r], rs = rstd[r];
        if (pdw) for (size_t c = 0; c < n; c++) pdw[c] += gr[c] * ((xr[c] - mu) * rs);
        if (pdb) for (size_t c = 0; c < n; c++) pdb[c] += gr[c];
    }
}

// y = elu(x) + shift = (x > 0 ? x : α(e^x − 1)) + shift; shift = 1 gives the linear-attention
// feature map elu + 1 in one pass.
KX_CLONES void kx_elu_forward(const float *restrict x, float *restrict y, size_t n, float alpha, float shift) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        float e = alpha * (kx_exp(v) - 1.0f);
        y[i] = (v > 0.0f ? v : e) + shift;
    }
}

// dx = g · (x > 0 ? 1 : α·e^x)
KX_CLONES void kx_elu_backward(const float *restrict x, const float *restrict g, float *restrict dx, size_t n, float alpha) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        float d = alpha * kx_exp(v);
        dx[i] = g[i] * (v > 0.0f ? 1.0f : d);
    }
}

// y = max(x, 0); a NaN passes through (x != x), as in PyTorch.
KX_CLONES void kx_relu_forward(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        y[i] = (v > 0.0f || v != v) ? v : 0.0f;
    }
}

// dx = x > 0 ? g : 0. Written as a select so it compiles to a masked blend: with random signs a
// branch mispredicts every other element (the Swift loop was 15 % of an MNIST CNN step).
KX_CLONES void kx_relu_backward(const float *restrict x, const float *restrict g, float *restrict dx, size_t n) {
    for (size_t i = 0; i < n; i++) dx[i] = x[i] > 0.0f ? g[i] : 0.0f;
}

// 2×2, stride-2 max pooling, branch-free: each candidate replaces the running maximum when it is
// larger or NaN (PyTorch's rule), so the first of equal maxima and the last NaN win.
KX_CLONES void kx_maxpool2x2_forward(const float *restrict x, float *restrict y, int32_t *restrict argmax,
                                     size_t planes, size_t h, size_t w) {
    size_t ho = h / 2, wo = w / 2;
    for (size_t p = 0; p < planes; p++) {
        const float *xp = x + p * h * w;
        float *yp = y + p * ho * wo;
        int32_t *ap = argmax + p * ho * wo;
        for (size_t oh = 0; oh < ho; oh++) {
            for (size_t ow = 0; ow < wo; ow++) {
                int32_t i0 = (int32_t)(2 * oh * w + 2 * ow), i2 = i0 + (int32_t)w;
                float best = xp[i0];
                int32_t at = i0;
                float v = xp[i0 + 1]; int take = (v > best) | (v != v);
                best = take ? v : best; at = take ? i0 + 1 : at;
                v = xp[i2]; take = (v > best) | (v != v);
                best = take ? v : best; at = take ? i2 : at;
                v = xp[i2 + 1]; take = (v > best) | (v != v);
                best = take ? v : best; at = take ? i2 + 1 : at;
                yp[oh * wo + ow] = best;
                ap[oh * wo + ow] = at;
            }
        }
    }
}

// Output indices [lo, hi) whose input index o·stride + offset falls inside [0, size).
static inline void kx_valid_range(long offset, long stride, long size, long count, long *lo, long *hi) {
    long l = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    if (l > count) l = count;
    long last = size - 1 - offset;
    long h = last < 0 ? 0 : last / stride + 1;
    if (h > count) h = count;
    *lo = l;
    *hi = h < l ? l : h;
}

// Plain C because the Swift loops paid overflow checks and reloads on every row of a 28-pixel
// image (im2col and col2im were a fifth of an MNIST CNN training step).
void kx_im2col(const float *restrict x, float *restrict col, const kx_window *g, long channels) {
    long cols = g->ho * g->wo;
    for (long c = 0; c < channels; c++) {
        const float *xc = x + c * g->h * g->w;
        for (long i = 0; i < g->kh; i++) {
            for (long j = 0; j < g->kw; j++) {
                float *row = col + ((c * g->kh + i) * g->kw + j) * cols;
                long off = j * g->dw - g->pw, lo, hi;
                kx_valid_range(off, g->sw, g->w, g->wo, &lo, &hi);
                for (long oh = 0; oh < g->ho; oh++) {
                    float *d = row + oh * g->wo;
                    long ih = oh * g->sh - g->ph + i * g->dh;
                    if (ih < 0 || ih >= g->h) { for (long ow = 0; ow < g->wo; ow++) d[ow] = 0.0f; continue; }
                    const float *s = xc + ih * g->w + off;
                    for (long ow = 0; ow < lo; ow++) d[ow] = 0.0f;
                    if (g->sw == 1) { for (long ow = lo; ow < hi; ow++) d[ow] = s[ow]; }
                    else { for (long ow = lo; ow < hi; ow++) d[ow] = s[ow * g->sw]; }
                    for (long ow = hi; ow < g->wo; ow++) d[ow] = 0.0f;
                }
            }
        }
    }
}

void kx_col2im_add(const float *restrict col, float *restrict dx, const kx_window *g, long channels) {
    long cols = g->ho * g->wo;
    for (long c = 0; c < channels; c++) {
        float *dc = dx + c * g->h * g->w;
        for (long i = 0; i < g->kh; i++) {
            for (long j = 0; j < g->kw; j++) {
                const float *row = col + ((c * g->kh + i) * g->kw + j) * cols;
                long off = j * g->dw - g->pw, lo, hi;
                kx_valid_range(off, g->sw, g->w, g->wo, &lo, &hi);
                for (long oh = 0; oh < g->ho; oh++) {
                    long ih = oh * g->sh - g->ph + i * g->dh;
                    if (ih < 0 || ih >= g->h) continue;
                    float *d = dc + ih * g->w + off;
                    const float *s = row + oh * g->wo;
                    if (g->sw == 1) { for (long ow = lo; ow < hi; ow++) d[ow] += s[ow]; }
                    else { for (long ow = lo; ow < hi; ow++) d[ow * g->sw] += s[ow]; }
                }
            }
        }
    }
}

KX_CLONES void kx_scaled_bias_softmax(const float *restrict x, const float *restrict bias, long bias_stride,
                                      float *restrict y, size_t n, float scale) {
    if (bias && bias_stride == 1) { for (size_t j = 0; j < n; j++) y[j] = scale * x[j] + bias[j]; }
    else {
        float b = bias ? bias[0] : 0.0f;
        for (size_t j = 0; j < n; j++) y[j] = scale * x[j] + b;
    }
    // Then the softmax of kx_softmax_forward, in place.
    float m = kx_row_max(y, n);
    float shift = isfinite(m) ? m : 0.0f;
    float s = 0.0f;
    {
        #pragma clang fp reassociate(on)
        for (size_t j = 0; j < n; j++) { float e = kx_exp(y[j] - shift); y[j] = e; s += e; }
    }
    float inv = 1.0f / s;
    for (size_t j = 0; j < n; j++) y[j] *= inv;
}

// σ, SiLU and SiLU's derivative (NVAE's swish): per instruction set, like GELU. The Swift SIMD16
// versions compile to SSE and, with the unfused backward (five tensor ops), were about a sixth of
// an NVAE training step.
KX_CLONES void kx_sigmoid_forward(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + kx_exp(-x[i]));
}

KX_CLONES void kx_silu_forward(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) { float v = x[i]; y[i] = v / (1.0f + kx_exp(-v)); }
}

KX_CLONES void kx_silu_backward(const float *restrict x, const float *restrict g, float *restrict dx, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i], s = 1.0f / (1.0f + kx_exp(-v));
        dx[i] = g[i] * s * (1.0f + v * (1.0f - s));
    }
}

// Depthwise convolution, per instruction set: the Swift SIMD16 loops compiled to SSE and were
// over a quarter of an NVAE training step (its cells use 5×5 depthwise convs).
// W outputs of one row (stride 1) held in registers while all taps accumulate.
#define KX_DW_CHUNK(W)                                                                          \
    for (; ow + (W) <= g->wo; ow += (W)) {                                                      \
        float acc[W];                                                                           \
        for (int t = 0; t < (W); t++) acc[t] = bias;                                            \
        for (long i = 0; i < g->kh; i++) {                                                      \
            const float *r = base + i * g->dh * src_w + ow;                                     \
            for (long j = 0; j < g->kw; j++) {                                                  \
                float kv = k[i * g->kw + j];                                                    \
                const float *rj = r + j * g->dw;                                                \
                for (int t = 0; t < (W); t++) acc[t] += kv * rj[t];                             \
            }                                                                                   \
        }                                                                                       \
        for (int t = 0; t < (W); t++) row[ow + t] = acc[t];                                     \
    }

KX_CLONES void kx_dw_correlate(const float *restrict src, long src_w, const float *restrict k, float bias,
                               float *restrict dst, const kx_window *g) {
    for (long oh = 0; oh < g->ho; oh++) {
        float *row = dst + oh * g->wo;
        const float *base = src + oh * g->sh * src_w;
        long ow = 0;
        if (g->sw == 1) {
            // NVAE's planes are 32, 16, 8 and 4 wide: 16-, 8- and 4-wide register blocks.
            KX_DW_CHUNK(16)
            KX_DW_CHUNK(8)
            KX_DW_CHUNK(4)
        }
        for (; ow < g->wo; ow++) {
            float acc = bias;
            for (long i = 0; i < g->kh; i++) {
                const float *r = base + i * g->dh * src_w + ow * g->sw;
                for (long j = 0; j < g->kw; j++) acc += k[i * g->kw + j] * r[j * g->dw];
            }
            row[ow] = acc;
        }
    }
}

// Per tap, 16 + 8 + 4 + 1 partial sums (KX_DW_LANES floats) carried across rows and images and
// reduced once per channel by kx_dw_weight_grad_finish: reducing per image cost more than the
// products on NVAE's 4×4 and 8×8 planes. Fixed order, so results do not depend on threads.
KX_CLONES void kx_dw_weight_grad(const float *restrict src, long src_w, const float *restrict gy,
                                 float *restrict partial, const kx_window *g) {
    for (long i = 0; i < g->kh; i++) {
        for (long j = 0; j < g->kw; j++) {
            float *lanes = partial + (i * g->kw + j) * KX_DW_LANES, *half = lanes + 16, *quarter = lanes + 24;
            float tail = lanes[28];
            for (long oh = 0; oh < g->ho; oh++) {
                const float *xr = src + (oh * g->sh + i * g->dh) * src_w + j * g->dw;
                const float *gr = gy + oh * g->wo;
                long ow = 0;
                if (g->sw == 1) {
                    for (; ow + 16 <= g->wo; ow += 16) {
                        for (int t = 0; t < 16; t++) lanes[t] += gr[ow + t] * xr[ow + t];
                    }
                    for (; ow + 8 <= g->wo; ow += 8) {
                        for (int t = 0; t < 8; t++) half[t] += gr[ow + t] * xr[ow + t];
                    }
                    for (; ow + 4 <= g->wo; ow += 4) {
                        for (int t = 0; t < 4; t++) quarter[t] += gr[ow + t] * xr[ow + t];
                    }
                }
                for (; ow < g->wo; ow++) tail += gr[ow] * xr[ow * g->sw];
            }
            lanes[28] = tail;
        }
    }
}

void kx_dw_weight_grad_finish(const float *partial, long taps, float *acc) {
    for (long t = 0; t < taps; t++) {
        const float *p = partial + t * KX_DW_LANES;
        float s = 0.0f;
        for (int l = 0; l < KX_DW_LANES; l++) s += p[l];
        acc[t] = s;
    }
}
