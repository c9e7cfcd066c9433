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
        float s = 0.0f, v = 0.0f;
        {
            #pragma clang fp reassociate(on)
            for (size_t j = 0; j < n; j++) s += xr[j];
        }
        float mu = s / (float)n;
        {
            #pragma clang fp reassociate(on)
            for (size_t j = 0; j < n; j++) { float d = xr[j] - mu; v += d * d; }
        }
        float rs = 1.0f / sqrtf(v / (float)n + eps);
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

KX_CLONES void kx_layernorm_backward_params(const float *restrict x, const float *restrict g, const float *restrict mean,
                                            const float *restrict rstd, float *restrict dw, float *restrict db,
                                            size_t rows, size_t n, size_t c0, size_t nc) {
    for (size_t c = 0; c < nc; c++) { if (dw) dw[c0 + c] = 0.0f; if (db) db[c0 + c] = 0.0f; }
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * n + c0, *gr = g + r * n + c0;
        float mu = mean[r], rs = rstd[r];
        if (dw) for (size_t c = 0; c < nc; c++) dw[c0 + c] += gr[c] * ((xr[c] - mu) * rs);
        if (db) for (size_t c = 0; c < nc; c++) db[c0 + c] += gr[c];
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
